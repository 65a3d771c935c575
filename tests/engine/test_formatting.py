"""Formatting identical to the docker CLI: pure cases at the go-units and docker/cli
boundaries, then the same text as the live ``docker ps -a`` and ``docker images``."""

from __future__ import annotations

import io
import random
import socket
import tarfile
import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.engine.formatting import (
    CONTAINER_HEADERS,
    IMAGE_HEADERS,
    container_columns,
    container_image,
    container_names,
    ellipsis,
    format_ports,
    go_quote,
    human_duration,
    human_size,
    image_rows,
    progress_size,
    since,
    truncate_id,
)
from desktop.engine.records import Container, Image, Port
from tests.conftest import RUN_ID, TEST_LABEL, docker

SECOND, MINUTE, HOUR = 1, 60, 3600
DAY = 24 * HOUR
WEEK, MONTH, YEAR = 7 * DAY, 30 * DAY, 365 * DAY
HEX = "0123456789abcdef" * 4


# -- durations ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seconds, text", [
    (0, "Less than a second"), (0.45, "Less than a second"), (0.999, "Less than a second"),
    (-5, "Less than a second"),
    (1, "1 second"), (1.9, "1 second"), (2, "2 seconds"), (59.99, "59 seconds"),
    (60, "About a minute"), (119, "About a minute"), (120, "2 minutes"), (35 * MINUTE + 40, "35 minutes"),
    (59 * MINUTE + 59, "59 minutes"),
    (HOUR, "About an hour"), (HOUR + 29 * MINUTE, "About an hour"), (HOUR + 30 * MINUTE, "2 hours"),
    (HOUR + 59 * MINUTE, "2 hours"), (3 * HOUR + 29 * MINUTE, "3 hours"), (3 * HOUR + 31 * MINUTE, "4 hours"),
    (DAY, "24 hours"), (DAY + 12 * HOUR, "36 hours"), (47 * HOUR + 29 * MINUTE, "47 hours"),
    (47 * HOUR + 30 * MINUTE, "2 days"), (2 * DAY, "2 days"), (13 * DAY + 5 * HOUR, "13 days"),
    (2 * WEEK, "2 weeks"), (2 * WEEK + 4 * DAY, "2 weeks"), (4 * WEEK + 3 * DAY, "4 weeks"),
    (MONTH, "4 weeks"), (MONTH + 2 * WEEK, "6 weeks"),
    (2 * MONTH, "2 months"), (3 * MONTH + WEEK, "3 months"), (13 * MONTH, "13 months"), (24 * MONTH, "24 months"),
    (24 * MONTH + 2 * WEEK, "2 years"), (3 * YEAR + 2 * MONTH, "3 years"),
])
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


def test_since():
    assert since(1000, 1000.4) == "Less than a second ago"
    assert since(1000, 1000 + 90) == "About a minute ago"
    assert since(1000, 1000 + 2 * HOUR) == "2 hours ago"


# -- sizes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("size, text", [
    (0, "0B"), (1, "1B"), (999, "999B"), (1000, "1kB"), (1001, "1kB"), (1005, "1kB"), (1006, "1.01kB"),
    (7400, "7.4kB"), (12_345, "12.3kB"), (999_000, "999kB"), (999_600, "1e+03kB"), (1_000_000, "1MB"),
    (1_980_000, "1.98MB"), (1_979_999, "1.98MB"), (72_800_000, "72.8MB"), (1_234_567_890, "1.23GB"),
    (5 * 10**12, "5TB"), (10**24, "1YB"), (10**27, "1e+03YB"),
])
def test_human_size(size, text):
    assert human_size(size) == text


@pytest.mark.parametrize("size, text", [
    (0, "0 bytes"), (1, "1 byte"), (2, "2 bytes"), (999, "999 bytes"), (999.4, "999 bytes"), (999.6, "1.0 kB"),
    (1000, "1.0 kB"), (7400, "7.4 kB"), (12_345, "12.3 kB"), (999_940, "999.9 kB"), (999_960, "1.0 MB"),
    (3_000_000, "3.0 MB"), (1_980_000, "2.0 MB"), (1_234_567_890, "1.2 GB"), (1.5e12, "1.5 TB"),
    (2e18, "2.0 EB"), (5e27, "5000.0 YB"),
])
def test_progress_size(size, text):
    # docker's units (kB, not KB) in a steady form; never "1000.0 kB" or docker's "1e+03kB"
    assert progress_size(size) == text


def test_progress_size_names_bytes_as_asked():
    assert progress_size(512, byte_unit="B") == "512 B"
    assert progress_size(1, byte_unit="B") == "1 B"
    assert progress_size(2_500_000, byte_unit="B") == "2.5 MB"  # only bytes take the word


# -- ids, names, images -------------------------------------------------------------------------------
def test_truncate_id():
    assert truncate_id("sha256:" + HEX) == HEX[:12]
    assert truncate_id(HEX) == HEX[:12]
    assert truncate_id("abc") == "abc"


def container(**kw) -> Container:
    base = dict(id=HEX, names=("/web",), image="httpd:latest", image_id="sha256:" + "f" * 64, command="",
                created=0, state="running", status="Up 2 seconds")
    base.update(kw)
    return Container(**base)


@pytest.mark.parametrize("image, image_id, text", [
    ("httpd:latest", "", "httpd:latest"),
    ("httpd", "", "httpd"),
    ("docker.io/library/httpd:latest", "", "httpd:latest"),
    ("docker.io/docker/whalesay", "", "docker/whalesay"),
    (f"httpd@sha256:{HEX}", "", "httpd"),
    (f"httpd:2.4@sha256:{HEX}", "", "httpd:2.4"),
    ("127.0.0.1:5000/team/app:1", "", "127.0.0.1:5000/team/app:1"),
    (f"sha256:{HEX}", f"sha256:{HEX}", HEX[:12]),           # the tag moved away: the id
    (HEX[:12], f"sha256:{HEX}", HEX[:12]),                   # run by short id
    (HEX[:8], f"sha256:{HEX}", HEX[:8]),                     # a shorter id prefix reads as a name
    ("Not/Valid", "", "Not/Valid"),
    ("", "", "<no image>"),
])
def test_container_image(image, image_id, text):
    assert container_image(container(image=image, image_id=image_id)) == text


@pytest.mark.parametrize("names, text", [
    (("/web",), "web"), (("/other/alias", "/web"), "web"), (("/web", "/x/alias"), "web"), (("/a/b",), ""), ((), ""),
])
def test_container_names(names, text):
    assert container_names(container(names=names)) == text


# -- command: ellipsis and quoting -------------------------------------------------------------------
@pytest.mark.parametrize("text, width, cut", [
    ("", 20, ""),
    ("abcdefghijklmnopqrst", 20, "abcdefghijklmnopqrst"),
    ("abcdefghijklmnopqrstu", 20, "abcdefghijklmnopqrs…"),
    ("httpd -f -v -p 80 -h /usr/local/apache2/htdocs", 20, "httpd -f -v -p 80 -…"),
    ("한국어한국어한국어한국어한국어", 20, "한국어한국어한국어…"),                # 9 wide = 18 columns + …
    ("한국어한국어한국어한", 20, "한국어한국어한국어한"),                    # exactly 20 columns
    ("echo 안녕하세요 세계 여러분", 20, "echo 안녕하세요 세…"),            # 계 would end at column 20
    ("echo 안녕하세요 세계", 20, "echo 안녕하세요 세계"),                  # exactly 20 columns fit
    ("ａｂｃｄｅｆｇｈｉｊｋ", 20, "ａｂｃｄｅｆｇｈｉ…"),                    # full-width forms count two
    ("café au lait with milk", 20, "café au lait with m…"),
    ("abc", 1, "a"), ("한국", 1, "한"), ("abc", 0, ""), ("", 1, ""),
    ("한국", 2, "한국"),                                                    # the CLI returns it whole
])
def test_ellipsis(text, width, cut):
    assert ellipsis(text, width) == cut


@pytest.mark.parametrize("text, quoted", [
    ("cowsay boo", '"cowsay boo"'),
    ('sh -c "echo hi"', r'"sh -c \"echo hi\""'),
    ("a\\b", r'"a\\b"'),
    ("a\tb\nc\rd", r'"a\tb\nc\rd"'),
    ("\x07\x08\x0c\x0b", r'"\a\b\f\v"'),
    ("\x01\x1f\x7f", r'"\x01\x1f\x7f"'),
    ("\u00a0\u200b\ue000", r'"\u00a0\u200b\ue000"'),
    ("\U000f0000", r'"\U000f0000"'),
    ("안녕 café 😀 …", '"안녕 café 😀 …"'),
])
def test_go_quote(text, quoted):
    assert go_quote(text) == quoted


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40), width=st.integers(2, 30))
def test_ellipsis_properties(text, width):
    cut = ellipsis(text, width)
    if cut == text:
        return
    assert cut.endswith("…") and text.startswith(cut[:-1])
    assert _columns(cut[:-1]) <= width - 1


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_go_quote_properties(text):
    quoted = go_quote(text)
    assert quoted.startswith('"') and quoted.endswith('"')
    assert all(ch == " " or ch.isprintable() for ch in quoted)
    if all(ch.isascii() and ch.isprintable() for ch in text):
        assert quoted == '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- ports ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ports, text", [
    ([], ""),
    ([Port(80)], "80/tcp"),
    ([Port(53, "udp")], "53/udp"),
    ([Port(80, "tcp", "", 8080)], "80/tcp"),                                 # no IP: shown as exposed
    ([Port(80, "tcp", "0.0.0.0", 8080)], "0.0.0.0:8080->80/tcp"),
    ([Port(80, "tcp", "0.0.0.0", 80)], "0.0.0.0:80->80/tcp"),
    ([Port(80, "tcp", "::", 8080)], "[::]:8080->80/tcp"),
    ([Port(80, "tcp", "::1", 80)], "[::1]:80->80/tcp"),
    ([Port(80, "tcp", "0.0.0.0", 8080), Port(80, "tcp", "::", 8080)], "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp"),
    ([Port(9102, "tcp", "127.0.0.1", 9102), Port(9100, "tcp", "127.0.0.1", 9100),
      Port(9101, "tcp", "127.0.0.1", 9101)], "127.0.0.1:9100-9102->9100-9102/tcp"),
    ([Port(81), Port(80), Port(82), Port(84)], "80-82/tcp, 84/tcp"),
    ([Port(80), Port(80, "udp"), Port(1024), Port(1024, "udp"), Port(5000, "sctp")],
     "80/tcp, 80/udp, 1024/tcp, 1024/udp, 5000/sctp"),
    ([Port(2000, "tcp", "10.0.0.1", 3000), Port(443), Port(80, "udp", "10.0.0.1", 80)],
     "10.0.0.1:80->80/udp, 443/tcp, 10.0.0.1:3000->2000/tcp"),       # groups in order of first port
    ([Port(7000, "tcp", "1.2.3.4", 6000), Port(7000, "udp", "1.2.3.4", 6000), Port(100, "tcp", "4.3.2.1", 200)],
     "4.3.2.1:200->100/tcp, 1.2.3.4:6000->7000/tcp, 1.2.3.4:6000->7000/udp"),
    ([Port(53, "udp", "127.0.0.1", 53), Port(54, "udp", "127.0.0.1", 54), Port(53, "tcp", "127.0.0.1", 53)],
     "127.0.0.1:53->53/tcp, 127.0.0.1:53-54->53-54/udp"),            # tcp sorts before udp
])
def test_format_ports(ports, text):
    assert format_ports(ports) == text
    shuffled = list(ports)
    random.Random(7).shuffle(shuffled)
    assert format_ports(shuffled) == text


# -- images ------------------------------------------------------------------------------------------
def image(**kw) -> Image:
    base = dict(id="sha256:" + HEX, repo_tags=(), repo_digests=(), created=1000, size=1_980_000)
    base.update(kw)
    return Image(**base)


def test_image_rows_one_per_tag():
    img = image(repo_tags=("docker/whalesay:latest", "berth/a:one", "berth/a:two", "docker.io/library/b:1"))
    rows = image_rows([img], now=1000 + 3 * HOUR)
    assert [r.columns for r in rows] == [
        ("docker/whalesay", "latest", HEX[:12], "3 hours ago", "1.98MB"),
        ("berth/a", "one", HEX[:12], "3 hours ago", "1.98MB"),
        ("berth/a", "two", HEX[:12], "3 hours ago", "1.98MB"),
        ("b", "1", HEX[:12], "3 hours ago", "1.98MB"),
    ]
    assert all(r.created == 1000 and r.size == 1_980_000 and r.image is img for r in rows)
    assert rows[1].reference == "berth/a:one"


def test_image_rows_dangling_and_digest_only():
    dangling = image(size=7400)
    by_digest = image(id="sha256:" + "e" * 64, repo_digests=(f"127.0.0.1:5000/app@sha256:{HEX}",), size=0)
    both = image(id="sha256:" + "d" * 64, repo_tags=("httpd:latest",), repo_digests=(f"httpd@sha256:{HEX}",))
    rows = image_rows([dangling, by_digest, both], now=1000.5)
    assert [r.columns for r in rows] == [
        ("<none>", "<none>", HEX[:12], "Less than a second ago", "7.4kB"),
        ("127.0.0.1:5000/app", "<none>", "e" * 12, "Less than a second ago", "0B"),
        ("httpd", "latest", "d" * 12, "Less than a second ago", "1.98MB"),
    ]
    assert rows[0].reference == "sha256:" + HEX


def test_headers():
    assert CONTAINER_HEADERS == ("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES")
    assert IMAGE_HEADERS == ("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE")


# -- against the live docker CLI -----------------------------------------------------------------------
PS_FORMAT = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
IMAGES_FORMAT = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"


def _free(port: int, family: int, kind: int, host: str) -> bool:
    with socket.socket(family, kind) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive ports free on 127.0.0.1 and ::1 (tcp and udp)."""
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(20000, 60000)
        if all(_free(p, fam, kind, host) for p in range(base, base + count)
               for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"))
               for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM)):
            return base
    raise AssertionError("no free ports")


async def _compare(fetch_cli, fetch_ours) -> list[tuple[str, ...]]:
    """The CLI's rows and ours, taken back to back; CREATED and STATUS can tick between
    the two, so a difference is retried a few times but never tolerated."""
    for _ in range(4):
        cli = sorted(fetch_cli())
        ours = sorted(await fetch_ours())
        if cli == ours:
            return ours
        time.sleep(0.3)
    assert ours == cli
    return ours


async def test_containers_match_docker_ps(engine, cleanup):
    label = f"{TEST_LABEL}={RUN_ID}"
    base = free_ports(6)
    moved = cleanup.image(f"berthtest-{RUN_ID}/moved:1")

    created = cleanup.name("created")
    docker("create", "--name", created, *cleanup.label_args(), "-p", f"127.0.0.1:{base}:80", "httpd:latest")
    running = cleanup.name("running")
    docker("run", "-d", "--name", running, *cleanup.label_args(),
           "-p", f"127.0.0.1:{base + 1}-{base + 3}:{base + 1}-{base + 3}",    # a range
           "-p", "127.0.0.1::80",                                             # a port the engine picks
           "-p", f"127.0.0.1:{base + 4}:53/udp",                              # udp
           "-p", f"[::1]:{base + 5}:{base + 5}",                              # IPv6
           "--expose", "443", "docker.io/library/httpd:latest")
    paused = cleanup.name("paused")
    docker("run", "-d", "--name", paused, *cleanup.label_args(), "httpd:latest")
    docker("pause", paused)
    exited = cleanup.name("exited")
    docker("run", "--name", exited, *cleanup.label_args(), "httpd:latest",
           "sh", "-c", "echo 안녕하세요 세계 여러분 반갑습니다; exit 3", check=False)
    quoted = cleanup.name("quoted")
    docker("create", "--name", quoted, *cleanup.label_args(), "httpd:latest", "printf", 'a\tb"c\\')
    linked = cleanup.name("linked")
    docker("create", "--name", linked, *cleanup.label_args(), "--link", f"{running}:alias", "httpd:latest")
    # An image whose tag then moves to another image: docker ps shows the old image's short id.
    docker("tag", "httpd:latest", moved)
    gone = cleanup.name("moved")
    docker("create", "--name", gone, *cleanup.label_args(), moved, "true")
    docker("tag", "docker/whalesay:latest", moved)

    def cli_rows():
        out = docker("ps", "-a", "--no-trunc=false", "--format", PS_FORMAT, "--filter", f"label={label}")
        return [tuple(line.split("\t")) for line in out.splitlines()]

    async def our_rows():
        listed = await engine.containers()
        now = time.time()
        return [container_columns(c, now) for c in listed if c.labels.get(TEST_LABEL) == RUN_ID]

    rows = await _compare(cli_rows, our_rows)
    by_name = {r[6]: r for r in rows}
    assert set(by_name) == {created, running, paused, exited, quoted, linked, gone}
    assert by_name[created][4] == "Created"
    assert by_name[running][4].startswith("Up")
    assert by_name[paused][4].endswith("(Paused)")
    assert by_name[exited][4].startswith("Exited (3)")
    assert by_name[exited][2] == '"sh -c \'echo 안녕하…"'
    assert by_name[quoted][2] == r'"printf a\tb\"c\\"'
    assert by_name[running][1] == "httpd:latest"
    assert f"127.0.0.1:{base + 1}-{base + 3}->{base + 1}-{base + 3}/tcp" in by_name[running][5]
    assert f"[::1]:{base + 5}->{base + 5}/tcp" in by_name[running][5]
    assert f"127.0.0.1:{base + 4}->53/udp" in by_name[running][5]
    assert "443/tcp" in by_name[running][5]
    records = {c.name: c for c in await engine.containers()}
    assert f"/{linked}/alias" in records[running].names      # the link name NAMES leaves out
    assert by_name[gone][1] == truncate_id(docker("image", "inspect", "-f", "{{.Id}}", "httpd:latest").strip())


def _tiny_tar(size: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("data.bin")
        info.size = size
        tar.addfile(info, io.BytesIO(b"x" * size))
    return buf.getvalue()


async def test_images_match_docker_images(engine, cleanup):
    prefix = f"berthtest-{RUN_ID}"
    for ref in (f"{prefix}/a:one", f"{prefix}/a:two", f"{prefix}/b:one", f"127.0.0.1:5000/{prefix}/c:1"):
        docker("tag", "docker/whalesay:latest", cleanup.image(ref))
    # Import twice under one tag: the first import is left dangling (<none> <none>).
    imported = cleanup.image(f"{prefix}/imported:x")
    first = docker("import", "-m", "first", "-", imported, input=_tiny_tar(7400)).strip()
    cleanup.image(first)
    second = docker("import", "-m", "second", "-", imported, input=_tiny_tar(7400)).strip()
    cleanup.image(second)
    assert first != second
    whalesay = docker("image", "inspect", "-f", "{{.Id}}", "docker/whalesay:latest").strip()
    ours_ids = {truncate_id(i) for i in (first, second, whalesay)}

    def cli_rows():
        out = docker("images", "--format", IMAGES_FORMAT)
        return [tuple(line.split("\t")) for line in out.splitlines() if line.split("\t")[2] in ours_ids]

    async def our_rows():
        listed = await engine.images()
        return [r.columns for r in image_rows(listed, time.time()) if r.id_text in ours_ids]

    rows = await _compare(cli_rows, our_rows)
    assert ("<none>", "<none>", truncate_id(first)) in {r[:3] for r in rows}
    assert (f"{prefix}/imported", "x", truncate_id(second)) in {r[:3] for r in rows}
    tags = {(r[0], r[1]) for r in rows if r[2] == truncate_id(whalesay)}
    assert {(f"{prefix}/a", "one"), (f"{prefix}/a", "two"), (f"{prefix}/b", "one"),
            (f"127.0.0.1:5000/{prefix}/c", "1"), ("docker/whalesay", "latest")} <= tags
