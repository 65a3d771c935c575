"""Parsing of user input: every form the CLI accepts, a specific message for every error,
and property tests (any text gives a result or an INVALID_INPUT error, never anything else)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from desktop.engine.commands import run_command as docker_command_line
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.parsing import (
    ImageRef,
    familiar_reference,
    format_port,
    parse_command,
    parse_env,
    parse_image_reference,
    parse_port,
    parse_ports,
    parse_volume,
    parse_volumes,
    validate_container_name,
)
from desktop.engine.records import Mount, PortMapping, RunSpec

DIGEST = "sha256:" + "0123456789abcdef" * 4


def error_of(fn, *args) -> str:
    with pytest.raises(EngineError) as info:
        fn(*args)
    assert info.value.kind is ErrorKind.INVALID_INPUT
    return info.value.message


# -- container names -------------------------------------------------------------------------
@pytest.mark.parametrize("name, bare", [
    ("web", "web"), ("/web", "web"), ("geonwooPractice", "geonwooPractice"), ("a1", "a1"),
    ("my_app.v2-1", "my_app.v2-1"), ("9x", "9x"),
])
def test_container_name_valid(name, bare):
    assert validate_container_name(name) == bare


@pytest.mark.parametrize("name, words", [
    ("", ["empty", "at least two characters"]),
    ("   ", ["empty"]),
    ("a", ["'a' is too short", "at least two characters"]),
    ("/a", ["too short"]),
    ("-web", ["starts with '-'", "letter or digit"]),
    ("_web", ["starts with '_'"]),
    (".web", ["starts with '.'"]),
    (" web", ["starts with a space"]),
    ("my web", ["contains a space", "only letters, digits"]),
    ("web/1", ["contains '/'"]),
    ("wéb", ["contains 'é'"]),
    ("web:1", ["contains ':'"]),
])
def test_container_name_invalid(name, words):
    message = error_of(validate_container_name, name)
    for word in words:
        assert word in message


def test_container_name_not_text():
    assert "must be text" in error_of(validate_container_name, None)


# -- image references ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, registry, path, tag, digest, name, canonical", [
    ("httpd", "", "httpd", "latest", "", "httpd", "httpd:latest"),
    ("httpd:2.4", "", "httpd", "2.4", "", "httpd", "httpd:2.4"),
    ("  httpd:2.4 ", "", "httpd", "2.4", "", "httpd", "httpd:2.4"),
    ("docker/whalesay:latest", "", "docker/whalesay", "latest", "", "docker/whalesay", "docker/whalesay:latest"),
    ("library/httpd", "", "httpd", "latest", "", "httpd", "httpd:latest"),
    ("docker.io/library/httpd:1", "", "httpd", "1", "", "httpd", "httpd:1"),
    ("index.docker.io/docker/whalesay", "", "docker/whalesay", "latest", "", "docker/whalesay",
     "docker/whalesay:latest"),
    ("127.0.0.1:5000/team/app:1.0", "127.0.0.1:5000", "team/app", "1.0", "", "127.0.0.1:5000/team/app",
     "127.0.0.1:5000/team/app:1.0"),
    ("localhost/app", "localhost", "app", "latest", "", "localhost/app", "localhost/app:latest"),
    ("localhost:5000/app:v_1", "localhost:5000", "app", "v_1", "", "localhost:5000/app", "localhost:5000/app:v_1"),
    ("registry.example.com/a/b/c", "registry.example.com", "a/b/c", "latest", "", "registry.example.com/a/b/c",
     "registry.example.com/a/b/c:latest"),
    ("[::1]:5000/app", "[::1]:5000", "app", "latest", "", "[::1]:5000/app", "[::1]:5000/app:latest"),
    ("my-app__x.y_z", "", "my-app__x.y_z", "latest", "", "my-app__x.y_z", "my-app__x.y_z:latest"),
    ("localhost:5000", "", "localhost", "5000", "", "localhost", "localhost:5000"),
    (f"httpd@{DIGEST}", "", "httpd", "", DIGEST, "httpd", f"httpd@{DIGEST}"),
    (f"httpd:2@{DIGEST}", "", "httpd", "2", DIGEST, "httpd", f"httpd:2@{DIGEST}"),
])
def test_image_reference_valid(text, registry, path, tag, digest, name, canonical):
    ref = parse_image_reference(text)
    assert (ref.registry, ref.path, ref.tag, ref.digest) == (registry, path, tag, digest)
    assert ref.name == name
    assert str(ref) == canonical
    assert parse_image_reference(str(ref)) == ref


@pytest.mark.parametrize("text, words", [
    ("", ["image name is empty", "httpd:2.4"]),
    ("   ", ["empty"]),
    ("my image", ["contains a space"]),
    ("Httpd", ["uppercase", "must be lowercase", "as httpd"]),
    ("team/MyApp:1", ["uppercase", "team/myapp"]),
    ("httpd:", ["tag after ':' is empty"]),
    ("httpd:-x", ["tag '-x' is not valid", "does not start with '.' or '-'"]),
    ("httpd:.x", ["tag '.x' is not valid"]),
    ("httpd:a/b", ["registry 'httpd:a' is not a valid host name"]),
    ("httpd:" + "a" * 129, ["longer than 128"]),
    ("httpd@sha256:abc", ["digest 'sha256:abc' is not valid", "64"]),
    ("httpd@md5:" + "0" * 32, ["is not valid"]),
    (f"@{DIGEST}", ["no image name before '@'"]),
    (":tag", ["no name before the tag"]),
    ("a//b", ["empty part", "doubled or trailing '/'"]),
    ("a/", ["empty part"]),
    ("/a", ["empty part"]),
    ("a..b", ["part 'a..b' is not valid", "separated by single"]),
    ("-a", ["part '-a' is not valid"]),
    ("a_", ["part 'a_' is not valid"]),
    ("reg.io/", ["registry but no image path"]),
    ("-reg.io/app", ["registry '-reg.io' is not a valid host name"]),
    ("reg.io:x5/app", ["registry 'reg.io:x5' is not a valid host name"]),
    ("0123456789abcdef" * 4, ["64-digit hexadecimal", "image ID"]),
    ("a" * 256, ["256 characters long", "at most 255"]),
    ("héllo", ["not valid"]),
])
def test_image_reference_invalid(text, words):
    message = error_of(parse_image_reference, text)
    for word in words:
        assert word in message, message


def test_familiar_reference_keeps_missing_tag():
    assert familiar_reference("docker.io/library/httpd") == ImageRef("", "httpd", "", "")
    assert familiar_reference("Not Valid") is None


# -- ports ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("spec, expected", [
    ("80", [PortMapping(80)]),
    ("818:80", [PortMapping(80, "tcp", "", "818")]),
    ("127.0.0.1:8080:80/tcp", [PortMapping(80, "tcp", "127.0.0.1", "8080")]),
    ("127.0.0.1::80", [PortMapping(80, "tcp", "127.0.0.1", "")]),
    ("0.0.0.0:80:80", [PortMapping(80, "tcp", "0.0.0.0", "80")]),
    ("8000-8002:80-82", [PortMapping(80, "tcp", "", "8000"), PortMapping(81, "tcp", "", "8001"),
                         PortMapping(82, "tcp", "", "8002")]),
    ("8000-8010:80", [PortMapping(80, "tcp", "", "8000-8010")]),
    ("8000-8000:80", [PortMapping(80, "tcp", "", "8000")]),
    ("80-81", [PortMapping(80), PortMapping(81)]),
    ("[::1]:80:80", [PortMapping(80, "tcp", "::1", "80")]),
    ("[::]::53/udp", [PortMapping(53, "udp", "::", "")]),
    ("53/udp", [PortMapping(53, "udp")]),
    ("53/UDP", [PortMapping(53, "udp")]),
    ("9/sctp", [PortMapping(9, "sctp")]),
    ("65535:1", [PortMapping(1, "tcp", "", "65535")]),
    ("0080:00080", [PortMapping(80, "tcp", "", "80")]),
])
def test_port_valid(spec, expected):
    assert parse_port(spec) == tuple(expected)
    assert parse_ports(spec) == tuple(expected)


def test_ports_several_specs():
    assert parse_ports(" 818:80,\n53/udp  127.0.0.1::443 ,, ") == (
        PortMapping(80, "tcp", "", "818"), PortMapping(53, "udp"), PortMapping(443, "tcp", "127.0.0.1", ""))
    assert parse_ports("") == ()
    assert parse_ports(" , \n") == ()


@pytest.mark.parametrize("spec, words", [
    ("", ["port mapping is empty"]),
    ("http", ["container port 'http' is not a number", "1 to 65535"]),
    ("a:80", ["host port 'a' is not a number"]),
    ("80:", ["has no container port"]),
    ("0", ["container port 0 is out of range"]),
    ("65536", ["container port 65536 is out of range", "1 to 65535"]),
    ("99999999999999:80", ["out of range"]),
    ("0:80", ["host port 0 is not allowed", "leave the host port out"]),
    ("80/foo", ["protocol 'foo'", "/tcp, /udp or /sctp"]),
    ("80/", ["protocol ''"]),
    ("8000-8002:80-81", ["different lengths", "same size"]),
    ("8000:80-82", ["different lengths"]),
    ("90-80", ["range 90-80 ends before it starts", "80-90"]),
    ("80-:80", ["host port '' is not a number"]),
    ("1.2.3:80:80", ["'1.2.3' is not an IP address"]),
    ("localhost:80:80", ["'localhost' is not an IP address"]),
    (":80:80", ["gives no IP address"]),
    ("::1:80:80", ["write the IPv6 address in brackets", "[::1]:80:80"]),
    ("a:b:c:d", ["too many ':' parts"]),
    ("[::1:80:80", ["opens '[' without closing it"]),
    ("[::1]80", ["must be followed by ':HOSTPORT:CONTAINERPORT'"]),
    ("[::1]:80", ["does not read as [IP]:HOSTPORT:CONTAINERPORT"]),
    ("[127.0.0.1]:80:80", ["brackets are for IPv6 addresses only"]),
    ("٣:80", ["is not a number"]),
    ("8_0", ["is not a number"]),
])
def test_port_invalid(spec, words):
    message = error_of(parse_port, spec)
    for word in words:
        assert word in message, message


def test_ports_error_names_the_spec():
    assert "'x:80'" in error_of(parse_ports, "818:80, x:80")


@pytest.mark.parametrize("mapping, text", [
    (PortMapping(80), "80"),
    (PortMapping(80, "tcp", "", "818"), "818:80"),
    (PortMapping(80, "udp", "127.0.0.1", "8080"), "127.0.0.1:8080:80/udp"),
    (PortMapping(80, "tcp", "127.0.0.1", ""), "127.0.0.1::80"),
    (PortMapping(80, "tcp", "::1", "80"), "[::1]:80:80"),
    (PortMapping(80, "sctp", "", "8000-8010"), "8000-8010:80/sctp"),
])
def test_format_port(mapping, text):
    assert format_port(mapping) == text


# -- env ----------------------------------------------------------------------------------------------
def test_env_lines():
    text = "A=1\n\n# a comment\n   B=two words \nC=\nD=x=y\r\n  # indented comment\nPATH=/bin:/usr/bin"
    assert parse_env(text) == (("A", "1"), ("B", "two words "), ("C", ""), ("D", "x=y"), ("PATH", "/bin:/usr/bin"))
    assert parse_env("") == ()


@pytest.mark.parametrize("text, words", [
    ("A=1\nDEBUG", ["Line 2", "('DEBUG') has no '='", "DEBUG=VALUE"]),
    ("=1", ["Line 1", "no variable name before '='", "KEY=VALUE"]),
    ("MY VAR=1", ["variable name 'MY VAR' contains a space"]),
    ("A\tB=1", ["contains a space"]),
])
def test_env_invalid(text, words):
    message = error_of(parse_env, text)
    for word in words:
        assert word in message, message


# -- volumes --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("spec, mount", [
    ("/srv/site:/usr/local/apache2/htdocs", Mount("/srv/site", "/usr/local/apache2/htdocs")),
    ("/srv/site:/usr/local/apache2/htdocs:ro", Mount("/srv/site", "/usr/local/apache2/htdocs", True)),
    ("/srv/site:/data:rw", Mount("/srv/site", "/data")),
    ("data:/var/lib/data", Mount("data", "/var/lib/data")),
    ("my_vol.1:/x:ro", Mount("my_vol.1", "/x", True)),
    ("/cache", Mount("", "/cache")),
    ("  /cache  ", Mount("", "/cache")),
])
def test_volume_valid(spec, mount):
    assert parse_volume(spec) == mount


@pytest.mark.parametrize("spec, words", [
    ("", ["volume is empty"]),
    ("cache", ["container path 'cache' is not absolute", "starts with '/'"]),
    ("/a:b", ["container path 'b' is not absolute"]),
    ("/a:", ["has no container path"]),
    ("/cache:ro", ["has a mode but no container path"]),
    ("/a:/b:z", ["mode 'z'", ":ro for read-only"]),
    ("/a:/b:c:ro", ["too many ':' parts"]),
    ("/a:/", ["container path cannot be '/'"]),
    (":/b", ["nothing before ':'"]),
    ("./site:/b", ["host path './site' is relative", "absolute path"]),
    ("~/site:/b", ["is relative"]),
    ("v:/b", ["'v' is neither an absolute host path nor a volume name"]),
    ("my vol:/b", ["neither an absolute host path nor a volume name"]),
])
def test_volume_invalid(spec, words):
    message = error_of(parse_volume, spec)
    for word in words:
        assert word in message, message


def test_volumes_lines():
    assert parse_volumes("/a:/b\n\n# comment\ndata:/d:ro\n/c\n") == (
        Mount("/a", "/b"), Mount("data", "/d", True), Mount("", "/c"))
    assert "'cache'" in error_of(parse_volumes, "/a:/b\ncache")


# -- commands --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, words", [
    ("cowsay boo", ("cowsay", "boo")),
    ("  sh -c 'echo hello world'  ", ("sh", "-c", "echo hello world")),
    ('echo "a b" c\\ d', ("echo", "a b", "c d")),
    ("echo ''", ("echo", "")),
    ("echo # not a comment", ("echo", "#", "not", "a", "comment")),
    ("", None),
    ("   \n ", None),
])
def test_command(text, words):
    assert parse_command(text) == words


@pytest.mark.parametrize("text, words", [
    ("echo 'hi", ["quote that is not closed"]),
    ('sh -c "echo', ["quote that is not closed"]),
    ("echo \\", ["lone backslash"]),
])
def test_command_invalid(text, words):
    message = error_of(parse_command, text)
    for word in words:
        assert word in message


# -- docker command line ---------------------------------------------------------------------------------------
def test_command_line_walkthrough():
    spec = RunSpec("httpd:latest", name="web", ports=parse_ports("818:80"))
    assert docker_command_line(spec) == "docker run -d --name web -p 818:80 httpd:latest"
    spec = RunSpec("docker/whalesay:latest", name="geonwooPractice", command=("cowsay", "boo"))
    assert docker_command_line(spec) == "docker run -d --name geonwooPractice docker/whalesay:latest cowsay boo"


def test_command_line_everything():
    spec = RunSpec("httpd:latest", name="site", command=("sh", "-c", "echo it's here"),
                   ports=parse_ports("127.0.0.1:8080:80 [::1]::53/udp"), env=(("GREETING", "hello world"),),
                   mounts=(Mount("/srv/my site", "/data", True), Mount("", "/cache")),
                   restart="on-failure:3", auto_remove=True, start=False)
    assert docker_command_line(spec) == (
        "docker create --name site -p 127.0.0.1:8080:80 -p '[::1]::53/udp' -e 'GREETING=hello world' "
        "-v '/srv/my site:/data:ro' -v /cache --restart on-failure:3 --rm httpd:latest "
        "sh -c 'echo it'\"'\"'s here'")


def test_command_line_restart_no_is_left_out():
    assert docker_command_line(RunSpec("httpd", restart="no")) == "docker run -d httpd"


# -- properties ------------------------------------------------------------------------------------------------
PARSERS = [validate_container_name, parse_image_reference, parse_port, parse_ports, parse_env,
           parse_volume, parse_volumes, parse_command]
# Text made of the characters that matter to the parsers, plus anything at all.
interesting = st.text(alphabet=st.sampled_from(list("0123456789:-/[]@.,_ =#'\"\\\tabcfxzAZé안\n")) , max_size=40)
anything = st.one_of(interesting, st.text(max_size=40))


@pytest.mark.parametrize("parser", PARSERS, ids=lambda f: f.__name__)
@settings(max_examples=400, deadline=None)
@given(text=anything)
def test_parsers_raise_only_invalid_input(parser, text):
    try:
        parser(text)
    except EngineError as exc:
        assert exc.kind is ErrorKind.INVALID_INPUT
        assert exc.message and "\n" not in exc.message


@pytest.mark.parametrize("parser", PARSERS, ids=lambda f: f.__name__)
def test_parsers_reject_non_text(parser):
    assert "must be text" in error_of(parser, 80)


ports = st.integers(1, 65535)
ips = st.one_of(st.just(""), st.ip_addresses().map(str))


@st.composite
def port_mappings(draw) -> PortMapping:
    container = draw(ports)
    host_ip = draw(ips)
    kind = draw(st.sampled_from(["none", "single", "range"]))
    if kind == "single":
        host = str(draw(ports))
    elif kind == "range":
        low = draw(st.integers(1, 65534))
        host = f"{low}-{draw(st.integers(low + 1, 65535))}"
    else:
        host = ""
    return PortMapping(container, draw(st.sampled_from(["tcp", "udp", "sctp"])), host_ip, host)


@settings(max_examples=500, deadline=None)
@given(m=port_mappings())
def test_port_round_trip(m):
    assert parse_ports(format_port(m)) == (m,)


@settings(max_examples=200, deadline=None)
@given(ms=st.lists(port_mappings(), max_size=5), sep=st.sampled_from([",", " ", ", ", "\n", " ,\t"]))
def test_ports_round_trip_several(ms, sep):
    assert parse_ports(sep.join(format_port(m) for m in ms)) == tuple(ms)


alnum = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6)
separators = st.sampled_from([".", "_", "__", "-", "--"])
component = st.builds(lambda first, rest: first + "".join(sep + word for sep, word in rest),
                      alnum, st.lists(st.tuples(separators, alnum), max_size=2))
label = st.builds(lambda a, mid: a + (mid + a if mid else ""), alnum,
                  st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", max_size=4))
domain = st.one_of(
    st.just(""), st.just("localhost"), st.just("localhost:5000"),
    st.builds(lambda labels, port: ".".join(labels) + (f":{port}" if port else ""),
              st.lists(label, min_size=2, max_size=3), st.one_of(st.none(), st.integers(1, 65535))),
    st.ip_addresses(v=4).map(lambda a: f"{a}:5000"),
)
tags = st.one_of(st.just(""), st.builds(lambda a, b: a + b,
                                        st.text(alphabet="ABCxyz019_", min_size=1, max_size=1),
                                        st.text(alphabet="ABCxyz019_.-", max_size=20)))
digests = st.one_of(st.just(""), st.binary(min_size=32, max_size=32).map(lambda b: "sha256:" + b.hex()))


@st.composite
def references(draw) -> str:
    parts = draw(st.lists(component, min_size=1, max_size=3))
    registry = draw(domain)
    # without a registry, a first part with a '.' would be read as one (as docker does)
    assume(registry or len(parts) == 1 or "." not in parts[0])
    path = "/".join(parts)
    text = f"{registry}/{path}" if registry else path
    tag, digest = draw(tags), draw(digests)
    return text + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


@settings(max_examples=500, deadline=None)
@given(text=references())
def test_image_reference_round_trip(text):
    try:
        ref = parse_image_reference(text)
    except EngineError as exc:   # only a 64-hex path or an over-long name may be refused
        assert "64-digit" in exc.message or "at most 255" in exc.message, (text, exc.message)
        return
    assert parse_image_reference(str(ref)) == ref
    assert ref.tag or ref.digest
    assert str(ref).startswith(ref.name)


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=5))
def test_command_round_trip_through_the_command_line(words):
    """The command line shown to the user splits back into the same words."""
    words = [w for w in words if "\x00" not in w]
    if not words:
        return
    line = docker_command_line(RunSpec("httpd", command=tuple(words)))
    assert parse_command(line) == ("docker", "run", "-d", "httpd", *words)


def test_ipv6_addresses_keep_their_text():
    for text in ("::1", "fe80::1", "2001:db8::8:800:200c:417a"):
        ipaddress.ip_address(text)
        assert parse_port(f"[{text}]:80:80") == (PortMapping(80, "tcp", text, "80"),)


# -- engine addresses -------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("unix:///var/run/docker.sock", "unix:///var/run/docker.sock"),
    ("  tcp://127.0.0.1:2375 ", "tcp://127.0.0.1:2375"),
    ("tcp://example.com:2376", "tcp://example.com:2376"),
    ("tcp://[::1]:2375", "tcp://[::1]:2375"),
    ("ssh://me@host", "ssh://me@host"),
    ("ssh://host:2222", "ssh://host:2222"),
    ("npipe:////./pipe/docker_engine", "npipe:////./pipe/docker_engine"),
    ("https://h:2376", "https://h:2376"),
])
def test_engine_urls_that_docker_takes(text, expected):
    from desktop.engine.parsing import parse_engine_url

    assert parse_engine_url(text) == expected


@pytest.mark.parametrize("text, says", [
    ("", "Enter the engine's address"),
    ("bogus url", "no spaces"),
    ("example:2375", "Start the address with tcp://"),
    ("ftp://host:21", "not ftp://"),
    ("unix://var/run/docker.sock", "three slashes"),
    ("tcp://example.com", "Add the engine's port"),
    ("tcp://h:99999", "from 1 to 65535"),
    ("tcp://h:http", "from 1 to 65535"),
    ("tcp://me@h:2375", "Only an ssh address names a user"),
    ("ssh://host/path", "no path"),
    ("tcp://:2375", "Name the engine's host"),
    ("tcp://[nope]:2375", "not an IPv6 address"),
    ("tcp://ho$t:2375", "is not a host name"),
    ("npipe://docker", "npipe:////./pipe/NAME"),
])
def test_engine_urls_with_a_mistake_say_what_to_change(text, says):
    from desktop.engine.parsing import parse_engine_url

    with pytest.raises(EngineError) as info:
        parse_engine_url(text)
    assert info.value.kind is ErrorKind.INVALID_INPUT
    assert says in info.value.message


@pytest.mark.parametrize("text", ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375", "ssh://me@host",
                                  "tcp://[::1]:2375", "https://h:2376"])
def test_engine_urls_accepted_are_accepted_by_docker_py(text):
    """What the check lets through, docker-py's own parser takes too (no late surprise)."""
    from docker.utils import parse_host

    from desktop.engine.parsing import parse_engine_url

    parse_host(parse_engine_url(text), is_win32=False)
