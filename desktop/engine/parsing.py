"""Parsing of what a user types: names, image references, ports, env, volumes, commands.

Pure functions with the docker CLI's syntax and rules. Every invalid input raises
:class:`EngineError` of kind ``INVALID_INPUT`` whose message says what is wrong and
how it should look; nothing else is ever raised.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from dataclasses import dataclass

from desktop.engine import i18n
from desktop.engine.errors import EngineError, invalid
from desktop.engine.records import Mount, PortMapping

__all__ = [
    "PROTOCOLS",
    "ImageRef",
    "familiar_reference",
    "format_port",
    "parse_command",
    "parse_engine_url",
    "parse_env",
    "parse_image_reference",
    "parse_port",
    "parse_ports",
    "parse_volume",
    "parse_volumes",
    "validate_container_name",
]

PROTOCOLS = ("tcp", "udp", "sctp")


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise invalid(i18n.translate(
            "Parsing", "The {what} must be text, not {type}.").format(what=what, type=type(value).__name__))
    return value


def _show(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, shortened when long."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


# -- container names ------------------------------------------------------------------
_NAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+", re.ASCII)
_NAME_CHAR_RE = re.compile(r"[a-zA-Z0-9_.-]", re.ASCII)


def validate_container_name(name: str) -> str:
    """Check a container name by the engine's rule; return it without a leading ``/``."""
    name = _text(name, "container name")
    bare = name[1:] if name.startswith("/") else name
    if _NAME_RE.fullmatch(bare):
        return bare
    if not bare.strip():
        raise invalid(i18n.translate(
            "Parsing", "The container name is empty: a name has at least two characters (letters, digits, "
            "'_', '.' and '-', starting with a letter or digit), as web-1."))
    if bare[0] == " ":
        raise invalid(i18n.translate(
            "Parsing", "The container name {name} starts with a space: a name starts with a letter or digit, "
            "as web-1.").format(name=_show(bare)))
    if not (bare[0].isascii() and bare[0].isalnum()):
        raise invalid(i18n.translate(
            "Parsing", "The container name {name} starts with {char}: a name starts with a letter or digit, "
            "as web-1.").format(name=_show(bare), char=repr(bare[0])))
    for ch in bare:
        if ch == " ":
            raise invalid(i18n.translate(
                "Parsing", "The container name {name} contains a space: use only letters, digits, '_', '.' "
                "and '-', as web-1.").format(name=_show(bare)))
        if not _NAME_CHAR_RE.fullmatch(ch):
            raise invalid(i18n.translate(
                "Parsing", "The container name {name} contains {char}: use only letters, digits, '_', '.' "
                "and '-', as web-1.").format(name=_show(bare), char=repr(ch)))
    raise invalid(i18n.translate(
        "Parsing", "The container name {bare} is too short: a name has at least two characters, as "
        "{bare2}1.").format(bare=_show(bare), bare2=bare))


# -- image references ---------------------------------------------------------------
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_RE = re.compile(
    rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?", re.ASCII)
_PATH_COMPONENT_RE = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*", re.ASCII)
_TAG_RE = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)
_DIGEST_RE = re.compile(r"sha256:[0-9a-f]{64}", re.ASCII)
_HEX64_RE = re.compile(r"[0-9a-f]{64}", re.ASCII)
_HUB_DOMAINS = ("docker.io", "index.docker.io")
_NAME_MAX = 255


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A parsed image reference ``[registry[:port]/]path[:tag][@digest]``.

    ``registry`` is ``""`` for Docker Hub, whose official images have a one-component
    ``path`` (``httpd``, not ``library/httpd``). ``name`` is what the engine takes as
    ``fromImage``. ``tag`` is ``"latest"`` when neither a tag nor a digest was given.
    """

    registry: str
    path: str
    tag: str = "latest"
    digest: str = ""

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.path}" if self.registry else self.path

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_image_reference(text: str) -> ImageRef:
    """Parse an image reference as ``docker pull`` does (``httpd``, ``127.0.0.1:5000/a/b:1``)."""
    return _parse_reference(text, default_tag=True)


def registry_of_reference(reference: str) -> str:
    """The registry to log in to for pulling ``reference`` ("" for Docker Hub, and for a
    reference that does not parse)."""
    try:
        return parse_image_reference(reference).registry
    except EngineError:
        return ""


def familiar_reference(text: str) -> ImageRef | None:
    """``text`` parsed as docker's ``ParseNormalizedNamed`` does, with no default tag;
    ``None`` when it is not a valid reference (the CLI then shows it unchanged)."""
    try:
        return _parse_reference(text, default_tag=False)
    except EngineError:
        return None


def _parse_reference(text: str, *, default_tag: bool) -> ImageRef:
    ref = _text(text, "image reference").strip()
    example = i18n.translate("Parsing", "as httpd, httpd:2.4, docker/whalesay:latest or 127.0.0.1:5000/team/app:1.0")
    if not ref:
        raise invalid(i18n.translate(
            "Parsing", "The image name is empty: enter one, {example}.").format(example=example))
    if any(ch.isspace() for ch in ref):
        raise invalid(i18n.translate(
            "Parsing", "The image reference {ref} contains a space: {example}.").format(
                    ref=_show(ref), example=example))

    digest = ""
    if "@" in ref:
        ref, _, digest = ref.partition("@")
        if not _DIGEST_RE.fullmatch(digest):
            raise invalid(i18n.translate(
                "Parsing", "The digest {digest} is not valid: a digest is sha256: followed by 64 lowercase "
                "hexadecimal digits, as httpd@sha256:0123…cdef.").format(digest=_show(digest)))
        if not ref:
            raise invalid(i18n.translate(
                "Parsing", "The digest has no image name before '@': {example}.").format(example=example))

    tag = ""
    colon = ref.rfind(":")
    if colon > ref.rfind("/"):
        ref, tag = ref[:colon], ref[colon + 1:]
        if not tag:
            raise invalid(i18n.translate(
                "Parsing", "The tag after ':' is empty in {value}: leave out the ':' for the latest tag, or "
                "give one, as httpd:2.4.").format(value=_show(text.strip())))
        if not _TAG_RE.fullmatch(tag):
            if len(tag) > 128:
                raise invalid(i18n.translate(
                    "Parsing", "The tag {tag} is longer than 128 characters.").format(tag=_show(tag)))
            raise invalid(i18n.translate(
                "Parsing", "The tag {tag} is not valid: a tag has letters, digits, '_', '.' and '-', and "
                "does not start with '.' or '-' (as 2.4 or v1_beta).").format(tag=_show(tag)))
    if not ref:
        raise invalid(i18n.translate(
            "Parsing", "The image reference {value} has no name before the tag: {example}.").format(
                    value=_show(text.strip()), example=example))
    if len(ref) > _NAME_MAX:
        raise invalid(i18n.translate(
            "Parsing", "The image name is {length} characters long: it may have at most {_NAME_MAX}.").format(
                    length=len(ref), _NAME_MAX=_NAME_MAX))
    if _HEX64_RE.fullmatch(ref):
        raise invalid(i18n.translate(
            "Parsing", "A 64-digit hexadecimal string is an image ID, not a name: use the ID itself "
            "where an ID is expected, or a name such as httpd:latest."))

    registry = ""
    path = ref
    first, slash, rest = ref.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        registry, path = first, rest
        if not _DOMAIN_RE.fullmatch(registry):
            raise invalid(i18n.translate(
                "Parsing", "The registry {registry} is not a valid host name: a registry is a host with an "
                "optional port, as 127.0.0.1:5000 or registry.example.com.").format(registry=_show(registry)))
    if not path:
        raise invalid(i18n.translate(
            "Parsing", "The image reference {value} has a registry but no image path after it: as "
            "127.0.0.1:5000/team/app.").format(value=_show(text.strip())))
    for component in path.split("/"):
        if not component:
            raise invalid(i18n.translate(
                "Parsing", "The image name {ref} has an empty part (a doubled or trailing '/'): as team/app.").format(
                        ref=_show(ref)))
        if not _PATH_COMPONENT_RE.fullmatch(component):
            if component != component.lower():
                raise invalid(i18n.translate(
                    "Parsing", "The image name {ref} contains uppercase letters: repository names must be "
                    "lowercase, as {value}.").format(ref=_show(ref), value=ref.lower()))
            raise invalid(i18n.translate(
                "Parsing", "The image name part {component} is not valid: parts are lowercase letters and "
                "digits, separated by single '.', '_', '__' or '-' (as my-app or team/app_2).").format(
                        component=_show(component)))
    if registry.lower() in _HUB_DOMAINS:
        registry = ""
    if not registry and path.startswith("library/") and path.count("/") == 1:
        path = path[len("library/"):]
    if not tag and not digest and default_tag:
        tag = "latest"
    return ImageRef(registry, path, tag, digest)


# -- ports ------------------------------------------------------------------------------
_DIGITS_RE = re.compile(r"[0-9]+", re.ASCII)
def _port_examples() -> str:
    return i18n.translate("Parsing", "as 80, 818:80, 127.0.0.1:8080:80/tcp, 8000-8002:80-82 or [::1]:53:53/udp")


def _port_number(text: str, spec: str, role: str) -> int:
    """``text`` as a port number; ``role`` is "host port" or "container port"."""
    host = role == "host port"
    if not _DIGITS_RE.fullmatch(text):
        raise invalid((i18n.translate(
            "Parsing", "In the port mapping {spec}, the host port {text} is not a number: ports are "
            "numbers from 1 to 65535, {examples}.") if host else i18n.translate(
            "Parsing", "In the port mapping {spec}, the container port {text} is not a number: ports are "
            "numbers from 1 to 65535, {examples}.")).format(spec=_show(spec), text=_show(text),
                                                           examples=_port_examples()))
    value = int(text) if len(text) <= 10 else 1 << 40
    if value == 0 and host:
        raise invalid(i18n.translate(
            "Parsing", "In the port mapping {spec}, host port 0 is not allowed: leave the host port out "
            "(as 80, or 127.0.0.1::80) to let Docker pick a free one.").format(spec=_show(spec)))
    if not 1 <= value <= 65535:
        raise invalid((i18n.translate(
            "Parsing", "In the port mapping {spec}, the host port {text} is out of range: ports are "
            "numbers from 1 to 65535.") if host else i18n.translate(
            "Parsing", "In the port mapping {spec}, the container port {text} is out of range: ports are "
            "numbers from 1 to 65535.")).format(spec=_show(spec), text=text))
    return value


def _port_range(text: str, spec: str, role: str) -> tuple[int, int]:
    if not text:
        raise invalid((i18n.translate("Parsing", "The port mapping {spec} has no host port: {examples}.")
                       if role == "host port" else
                       i18n.translate("Parsing", "The port mapping {spec} has no container port: {examples}.")
                       ).format(spec=_show(spec), examples=_port_examples()))
    low, dash, high = text.partition("-")
    start = _port_number(low, spec, role)
    if not dash:
        return start, start
    end = _port_number(high, spec, role)
    if end < start:
        raise invalid((i18n.translate(
            "Parsing", "In the port mapping {spec}, the host port range {text} ends before it starts: "
            "write the lower port first, as {end}-{start}.") if role == "host port" else i18n.translate(
            "Parsing", "In the port mapping {spec}, the container port range {text} ends before it starts: "
            "write the lower port first, as {end}-{start}.")).format(spec=_show(spec), text=text, end=end,
                                                                    start=start))
    return start, end


def parse_port(spec: str) -> tuple[PortMapping, ...]:
    """One ``docker run -p`` spec; a range gives one mapping per port."""
    raw = _text(spec, "port mapping").strip()
    if not raw:
        raise invalid(i18n.translate(
            "Parsing", "The port mapping is empty: enter the container port to publish, "
            "{examples}.").format(examples=_port_examples()))
    body, slash, proto = raw.partition("/")
    if slash:
        proto = proto.lower()
        if proto not in PROTOCOLS:
            raise invalid(i18n.translate(
                "Parsing", "The port mapping {raw} has the protocol {proto}: use /tcp, /udp or /sctp (or "
                "nothing for tcp).").format(raw=_show(raw), proto=_show(proto)))
    else:
        proto = "tcp"

    host_ip = ""
    if body.startswith("["):
        close = body.find("]")
        if close < 0:
            raise invalid(i18n.translate(
                "Parsing", "The port mapping {raw} opens '[' without closing it: write an IPv6 address in "
                "brackets, as [::1]:8080:80.").format(raw=_show(raw)))
        host_ip = body[1:close]
        rest = body[close + 1:]
        if not rest.startswith(":"):
            raise invalid(i18n.translate(
                "Parsing", "In the port mapping {raw}, the IPv6 address must be followed by "
                "':HOSTPORT:CONTAINERPORT', as [::1]:8080:80 or [::1]::80.").format(raw=_show(raw)))
        parts = rest[1:].split(":")
        if len(parts) != 2:
            raise invalid(i18n.translate(
                "Parsing", "The port mapping {raw} does not read as [IP]:HOSTPORT:CONTAINERPORT, as "
                "[::1]:8080:80.").format(raw=_show(raw)))
        host, container = parts
        _check_ip(host_ip, raw, ipv6_only=True)
    else:
        parts = body.split(":")
        if len(parts) == 1:
            host, container = "", parts[0]
        elif len(parts) == 2:
            host, container = parts
        elif len(parts) == 3:
            host_ip, host, container = parts
            if not host_ip:
                raise invalid(i18n.translate(
                    "Parsing", "The port mapping {raw} starts with ':' but gives no IP address: write "
                    "IP:HOSTPORT:CONTAINERPORT, as 127.0.0.1:8080:80, or HOSTPORT:CONTAINERPORT.").format(
                            raw=_show(raw)))
            _check_ip(host_ip, raw)
        else:
            host_ip = ":".join(parts[:-2])
            host, container = parts[-2], parts[-1]
            if ":" in host_ip:
                try:
                    ipaddress.IPv6Address(host_ip)
                except ValueError:
                    raise invalid(i18n.translate(
                        "Parsing", "The port mapping {raw} has too many ':' parts: {examples}.").format(
                                raw=_show(raw), examples=_port_examples())) from None
                raise invalid(i18n.translate(
                    "Parsing", "In the port mapping {raw}, write the IPv6 address in brackets, as "
                    "[{host_ip}]:{value}:{value2}.").format(
                            raw=_show(raw), host_ip=host_ip, value=host or 8080, value2=container or 80))
    if not container:
        raise invalid(i18n.translate(
            "Parsing", "The port mapping {raw} has no container port: the container port comes last, "
            "{examples}.").format(raw=_show(raw), examples=_port_examples()))
    c_start, c_end = _port_range(container, raw, "container port")
    h_start = h_end = 0
    if host:
        h_start, h_end = _port_range(host, raw, "host port")
        if (h_end - h_start) != (c_end - c_start) and c_start != c_end:
            raise invalid(i18n.translate(
                "Parsing", "In the port mapping {raw}, the host range {host} and the container range "
                "{container} have different lengths: give ranges of the same size, as "
                "8000-8002:80-82.").format(raw=_show(raw), host=host, container=container))
    mappings = []
    for i in range(c_end - c_start + 1):
        if not host:
            host_port = ""
        elif c_start == c_end and h_start != h_end:
            host_port = f"{h_start}-{h_end}"
        else:
            host_port = str(h_start + i)
        mappings.append(PortMapping(c_start + i, proto, host_ip, host_port))
    return tuple(mappings)


def _check_ip(text: str, spec: str, *, ipv6_only: bool = False) -> None:
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        raise invalid(i18n.translate(
            "Parsing", "In the port mapping {spec}, {text} is not an IP address: use an address of this "
            "machine, as 127.0.0.1 or [::1].").format(spec=_show(spec), text=_show(text))) from None
    if ipv6_only and addr.version != 6:
        raise invalid(i18n.translate(
            "Parsing", "In the port mapping {spec}, brackets are for IPv6 addresses only: write "
            "{text}:HOSTPORT:CONTAINERPORT.").format(spec=_show(spec), text=text))


def parse_ports(text: str) -> tuple[PortMapping, ...]:
    """Several ``-p`` specs separated by commas and/or whitespace (blank gives none)."""
    text = _text(text, "port mappings")
    result: list[PortMapping] = []
    for spec in re.split(r"[,\s]+", text):
        if spec:
            result.extend(parse_port(spec))
    return tuple(result)


def format_port(m: PortMapping) -> str:
    """A mapping back in ``docker run -p`` syntax (``127.0.0.1:8080:80/udp``)."""
    text = str(m.container_port)
    if m.host_ip:
        ip = f"[{m.host_ip}]" if ":" in m.host_ip else m.host_ip
        text = f"{ip}:{m.host_port}:{text}"
    elif m.host_port:
        text = f"{m.host_port}:{text}"
    if m.protocol and m.protocol != "tcp":
        text += f"/{m.protocol}"
    return text


# -- environment --------------------------------------------------------------------------
def parse_env(text: str) -> tuple[tuple[str, str], ...]:
    """``KEY=VALUE`` lines; blank lines and ``#`` comments are skipped."""
    text = _text(text, "environment")
    result: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.partition("=")
        if not key:
            raise invalid(i18n.translate(
                "Parsing", "Line {number} of the environment ({line}) has no variable name before '=': "
                "write KEY=VALUE.").format(number=number, line=_show(line)))
        if any(ch.isspace() for ch in key):
            raise invalid(i18n.translate(
                "Parsing", "Line {number} of the environment: the variable name {key} contains a space: "
                "names have no spaces, as KEY=VALUE.").format(number=number, key=_show(key)))
        if not eq:
            raise invalid(i18n.translate(
                "Parsing", "Line {number} of the environment ({key}) has no '=': write {name}=VALUE "
                "(or {name}= for an empty value).").format(number=number, key=_show(key), name=key))
        result.append((key, value))
    return tuple(result)


# -- volumes --------------------------------------------------------------------------
_VOLUME_NAME_RE = _NAME_RE
def _volume_examples() -> str:
    return i18n.translate("Parsing", "as /srv/site:/usr/local/apache2/htdocs:ro, data:/var/lib/data or /cache")


def parse_volume(spec: str) -> Mount:
    """A ``-v`` spec: ``/host:/container[:ro|rw]``, ``name:/container[:ro|rw]`` or ``/container``."""
    raw = _text(spec, "volume").strip()
    if not raw:
        raise invalid(i18n.translate(
            "Parsing", "The volume is empty: {examples}.").format(examples=_volume_examples()))
    parts = raw.split(":")
    read_only = False
    if len(parts) > 1 and parts[-1] in ("ro", "rw"):
        read_only = parts.pop() == "ro"
        if len(parts) == 1:
            raise invalid(i18n.translate(
                "Parsing", "The volume {raw} has a mode but no container path: {examples}.").format(
                        raw=_show(raw), examples=_volume_examples()))
    elif len(parts) > 1 and parts[-1] and not parts[-1].startswith("/"):
        last = parts[-1]
        if len(parts) == 2:
            raise invalid(i18n.translate(
                "Parsing", "In the volume {raw}, the container path {last} is not absolute: it starts with "
                "'/', {examples}.").format(raw=_show(raw), last=_show(last), examples=_volume_examples()))
        raise invalid(i18n.translate(
            "Parsing", "The volume {raw} ends with the mode {last}: use :ro for read-only or :rw (the "
            "default) for read-write.").format(raw=_show(raw), last=_show(last)))
    if len(parts) == 1:
        source, target = "", parts[0]
    elif len(parts) == 2:
        source, target = parts
    else:
        raise invalid(i18n.translate(
            "Parsing", "The volume {raw} has too many ':' parts: write SOURCE:TARGET[:ro], "
            "{examples}.").format(raw=_show(raw), examples=_volume_examples()))
    if not target:
        raise invalid(i18n.translate(
            "Parsing", "The volume {raw} has no container path: {examples}.").format(
                    raw=_show(raw), examples=_volume_examples()))
    if not target.startswith("/"):
        raise invalid(i18n.translate(
            "Parsing", "In the volume {raw}, the container path {target} is not absolute: it starts "
            "with '/', {examples}.").format(raw=_show(raw), target=_show(target), examples=_volume_examples()))
    if target.rstrip("/") == "":
        raise invalid(i18n.translate(
            "Parsing", "In the volume {raw}, the container path cannot be '/': mount on a folder, as "
            "/data.").format(raw=_show(raw)))
    if len(parts) == 2:
        if not source:
            raise invalid(i18n.translate(
                "Parsing", "The volume {raw} has nothing before ':': give a host folder or a volume name, "
                "{examples}.").format(raw=_show(raw), examples=_volume_examples()))
        if not source.startswith("/"):
            if source.startswith((".", "~")):
                raise invalid(i18n.translate(
                    "Parsing", "In the volume {raw}, the host path {source} is relative: give the absolute path "
                    "of the host folder, as /home/me/site.").format(raw=_show(raw), source=_show(source)))
            if not _VOLUME_NAME_RE.fullmatch(source):
                raise invalid(i18n.translate(
                    "Parsing", "In the volume {raw}, {source} is neither an absolute host path nor a volume "
                    "name (letters, digits, '_', '.', '-', at least two characters): "
                    "{examples}.").format(raw=_show(raw), source=_show(source), examples=_volume_examples()))
    return Mount(source, target, read_only)


def parse_volumes(text: str) -> tuple[Mount, ...]:
    """One volume spec per line; blank lines and ``#`` comments are skipped."""
    text = _text(text, "volumes")
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            result.append(parse_volume(line))
    return tuple(result)


# -- command ------------------------------------------------------------------------------
def parse_command(text: str) -> tuple[str, ...] | None:
    """Split a command line with shell quoting; an empty command gives ``None`` (the image's own)."""
    text = _text(text, "command")
    if not text.strip():
        return None
    try:
        words = shlex.split(text, posix=True)
    except ValueError as exc:
        reason = str(exc)
        if "quotation" in reason:
            raise invalid(i18n.translate(
                "Parsing", "The command has a quote that is not closed: close every ' and \" (as sh -c 'echo "
                "hi'), or escape a lone quote as \\'.")) from None
        if "escaped" in reason:
            raise invalid(i18n.translate(
                "Parsing", "The command ends with a lone backslash: remove it, "
                "or write \\\\ for a backslash.")) from None
        raise invalid(i18n.translate(
            "Parsing", "The command cannot be split into words: {reason}.").format(reason=reason)) from None
    return tuple(words) or None


# -- docker command line ------------------------------------------------------------------
#: the engine address schemes Berth connects through (as ``docker -H`` takes them)
ENGINE_SCHEMES = ("unix", "tcp", "ssh", "npipe", "http", "https")
_ENGINE_EXAMPLES = "tcp://host:2375, ssh://user@host or unix:///var/run/docker.sock"  # addresses: not translated


def parse_engine_url(text: str) -> str:
    """Check an engine address as ``docker -H`` takes it; return it trimmed.

    Raises EngineError(INVALID_INPUT) with a sentence that says what to change, before
    anything is tried: ``bogus url`` must not cost the engine the user has.
    """
    raw = _text(text, "The engine address").strip()
    if not raw:
        raise invalid(i18n.translate(
            "Parsing", "Enter the engine's address, as {examples}.").format(examples=_ENGINE_EXAMPLES))
    if any(ch.isspace() for ch in raw):
        raise invalid(i18n.translate(
            "Parsing", "An engine address has no spaces: {raw}.").format(raw=_show(raw)))
    scheme, sep, rest = raw.partition("://")
    if not sep:
        raise invalid(i18n.translate(
            "Parsing", "Start the address with tcp://, ssh://, unix:// or npipe://, as "
            "tcp://{raw}{value}.").format(raw=_show(raw), value='' if ':' in raw else ':2375'))
    scheme = scheme.lower()
    if not re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme):
        raise invalid(i18n.translate(
            "Parsing", "Start the address with tcp://, ssh://, unix:// or npipe:// (got {raw}).").format(
                    raw=_show(raw)))
    if scheme not in ENGINE_SCHEMES:
        raise invalid(i18n.translate(
            "Parsing", "Berth connects through tcp://, ssh://, unix:// or npipe://, not {scheme}://.").format(
                    scheme=scheme))
    if scheme == "unix":
        if not rest.startswith("/"):
            raise invalid(i18n.translate(
                "Parsing", "A socket's path is absolute: unix:///{value} (three slashes).").format(
                        value=_show(rest.lstrip('/'))))
        return f"unix://{rest}"
    if scheme == "npipe":
        if not rest.startswith("//./pipe/") or rest == "//./pipe/":
            raise invalid(i18n.translate(
                "Parsing", "A named pipe is written npipe:////./pipe/NAME, as "
                "npipe:////./pipe/docker_engine."))
        return f"npipe://{rest}"
    authority, slash, path = rest.partition("/")
    if scheme == "ssh" and slash and path:
        raise invalid(i18n.translate(
            "Parsing", "An ssh address has no path: ssh://{authority}.").format(authority=_show(authority)))
    user, at, hostport = authority.rpartition("@")
    if at and (scheme != "ssh" or not user):
        raise invalid(i18n.translate(
            "Parsing", "Only an ssh address names a user, as ssh://user@host."))
    if hostport.startswith("["):  # [IPv6]:port
        host, close, port = hostport[1:].partition("]")
        if not close or (port and not port.startswith(":")):
            raise invalid(i18n.translate(
                "Parsing", "Write an IPv6 address in brackets, as tcp://[::1]:2375 (got {raw}).").format(
                        raw=_show(raw)))
        port = port[1:]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise invalid(i18n.translate(
                "Parsing", "{host} in brackets is not an IPv6 address.").format(host=_show(host))) from None
    else:
        host, _, port = hostport.partition(":")
    if not host:
        raise invalid(i18n.translate(
            "Parsing", "Name the engine's host, as {scheme}://example.com{value}.").format(
                    scheme=scheme, value=':2375' if scheme != 'ssh' else ''))
    if not re.fullmatch(r"[A-Za-z0-9._:-]+", host):
        raise invalid(i18n.translate(
            "Parsing", "{host} is not a host name or address.").format(host=_show(host)))
    if port or scheme in ("tcp", "http", "https"):
        if not port:
            raise invalid(i18n.translate(
                "Parsing", "Add the engine's port, as {scheme}://{host}:2375 (2376 with TLS).").format(
                        scheme=scheme, host=host))
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise invalid(i18n.translate(
                "Parsing", "The port must be a number from 1 to 65535 (got {port}).").format(port=_show(port)))
    return f"{scheme}://{rest}"
