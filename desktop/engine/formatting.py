"""Text of the containers and images tables, identical to the docker CLI's.

``docker ps -a`` and ``docker images`` print these columns; the functions here give the
same text for the same list response (docker/cli ``cli/command/formatter`` and
``docker/go-units``), and the rows keep the numeric values for sorting. Sizes anywhere
else in the window (copies, pulls, the files panel) come from :func:`progress_size`,
the same units in a steadier form: this module is the one place sizes are written.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from desktop.engine.parsing import familiar_reference
from desktop.engine.records import Container, Image, Port

__all__ = [
    "CONTAINER_HEADERS",
    "IMAGE_HEADERS",
    "ImageRow",
    "container_columns",
    "container_command",
    "container_image",
    "container_names",
    "ellipsis",
    "format_ports",
    "go_quote",
    "human_duration",
    "human_size",
    "image_rows",
    "progress_size",
    "since",
    "truncate_id",
]

CONTAINER_HEADERS = ("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES")
IMAGE_HEADERS = ("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE")
NONE = "<none>"
_SHORT_ID = 12


def truncate_id(ident: str) -> str:
    """The 12-character short form of an id, without its ``sha256:`` algorithm."""
    return ident.split(":", 1)[-1][:_SHORT_ID]


# -- durations and sizes (go-units) -----------------------------------------------------
def human_duration(seconds: float) -> str:
    """go-units ``HumanDuration``: "Less than a second", "About a minute", "3 hours", ..."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = int(seconds / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def since(timestamp: float, now: float) -> str:
    """``docker ps`` CREATED / ``docker images`` CREATED: "5 minutes ago"."""
    return human_duration(now - timestamp) + " ago"


_DECIMAL_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")


def human_size(size: float, precision: int = 3) -> str:
    """go-units ``HumanSizeWithPrecision(size, 3)``: "1.98MB", "7.4kB", "0B"."""
    value = float(size)
    i = 0
    while value >= 1000.0 and i < len(_DECIMAL_UNITS) - 1:
        value /= 1000.0
        i += 1
    # Go's %.*g and Python's %.*g agree (trailing zeros dropped, e+NN exponents).
    return f"{value:.{precision}g}{_DECIMAL_UNITS[i]}"


def progress_size(size: float, *, byte_unit: str = "bytes") -> str:
    """A size in progress and summary text: "512 bytes", "7.4 kB", "3.0 MB", "1.2 GB".

    The units are :func:`human_size`'s (decimal, 1 kB = 1000 bytes, as docker's own
    sizes), so a copy's or a pull's figures and the SIZE column speak alike; but one
    decimal, fixed, and a space, so that a figure counting up does not change width
    with every digit ("1.98MB" is docker's text, kept for the tables only). Under 1 kB
    the whole number of bytes, followed by ``byte_unit``: "bytes" in a sentence ("1
    byte"), "B" where room is short (a pull's layer column). A value that would round up to 1000
    of one unit is given in the next ("1.0 MB", not "1000.0 kB").
    """
    value = float(size)
    whole = round(value)
    if whole < 1000:
        return f"{whole} {'byte' if whole == 1 and byte_unit == 'bytes' else byte_unit}"
    units = _DECIMAL_UNITS[1:]
    for unit in units:
        value /= 1000.0
        if round(value, 1) < 1000 or unit == units[-1]:
            break
    return f"{value:.1f} {unit}"


# -- text -------------------------------------------------------------------------------
def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def ellipsis(text: str, width: int) -> str:
    """docker/cli ``Ellipsis``: cut ``text`` to ``width`` columns ending in "…";
    East Asian wide and full-width characters take two columns."""
    if width <= 0:
        return ""
    if width == 1:
        return text[:1]
    if text.isascii():
        return text if len(text) <= width else text[: width - 1] + "…"
    display = []
    total = 0
    for ch in text:
        total += _char_width(ch)
        display.append(total)
    if total <= width:
        return text
    for i in range(len(display) - 1):
        if display[i] <= width - 1 < display[i + 1]:
            return text[: i + 1] + "…"
    return text


_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v",
            '"': r'\"', "\\": r"\\"}


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote``: double quotes, backslash escapes for what is not printable."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:   # a lone surrogate: Go would hold U+FFFD
            ch, code = "\ufffd", 0xFFFD
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch == " " or ch.isprintable():
            out.append(ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


# -- ports --------------------------------------------------------------------------------
def _join_host_port(host: str, port: str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def format_ports(ports: Iterable[Port]) -> str:
    """docker/cli ``DisplayablePorts``: sorted, consecutive ports grouped into ranges,
    ``0.0.0.0:8000-8002->8000-8002/tcp, [::1]:8080->80/tcp, 443/tcp``."""
    ordered = sorted(ports, key=lambda p: (p.private_port, p.ip, p.public_port or 0, p.type))
    groups: dict[tuple[str, str], list[int]] = {}   # (ip, type) -> [first, last], in creation order
    result: list[str] = []
    host_mappings: list[str] = []
    for p in ordered:
        current = p.private_port
        if p.ip and (p.public_port or 0) != current:
            host_mappings.append(f"{_join_host_port(p.ip, str(p.public_port or 0))}->{current}/{p.type}")
            continue
        key = (p.ip, p.type)
        group = groups.get(key)
        if group is None:
            groups[key] = [current, current]
            continue
        if current == group[1] + 1:
            group[1] = current
            continue
        result.append(_form_group(key, group))
        # the new group keeps the key's original place in the order
        groups[key] = [current, current]
    for key, group in groups.items():
        result.append(_form_group(key, group))
    result.extend(host_mappings)
    return ", ".join(result)


def _form_group(key: tuple[str, str], group: list[int]) -> str:
    ip, proto = key
    first, last = group
    text = str(first) if first == last else f"{first}-{last}"
    if ip:
        text = f"{_join_host_port(ip, text)}->{text}"
    return f"{text}/{proto}"


# -- containers ----------------------------------------------------------------------------
def container_image(c: Container) -> str:
    """IMAGE: the image as created, familiar and without digest; a short id when the
    image was given by id or its tag has moved to another image."""
    if not c.image:
        return "<no image>"
    if truncate_id(c.image_id) == truncate_id(c.image):
        return truncate_id(c.image)
    ref = familiar_reference(c.image)
    if ref is None:
        return c.image
    return f"{ref.name}:{ref.tag}" if ref.tag else ref.name


def container_command(c: Container) -> str:
    """COMMAND: quoted, cut to 20 columns."""
    return go_quote(ellipsis(c.command, 20))


def container_names(c: Container) -> str:
    """NAMES: the first name that is not a legacy link name (``/other/alias``)."""
    for n in c.names:
        name = n[1:] if n.startswith("/") else n
        if "/" not in name:
            return name
    return ""


def container_columns(c: Container, now: float) -> tuple[str, ...]:
    """The ``docker ps`` columns, in :data:`CONTAINER_HEADERS` order."""
    return (truncate_id(c.id), container_image(c), container_command(c), since(c.created, now),
            c.status, format_ports(c.ports), container_names(c))


# -- images ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ImageRow:
    """One row of ``docker images``: one image under one tag (or ``<none>``)."""

    image: Image
    repository: str
    tag: str
    id_text: str
    created_text: str
    size_text: str
    created: int
    size: int

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.repository, self.tag, self.id_text, self.created_text, self.size_text)

    @property
    def reference(self) -> str:
        """``repository:tag`` for a tagged row, else the image id."""
        if self.repository != NONE and self.tag != NONE:
            return f"{self.repository}:{self.tag}"
        return self.image.id


def _repositories(img: Image) -> list[tuple[str, str]]:
    """(repository, tag) pairs as the CLI lists them: every tag, then repositories
    known only by digest with tag ``<none>``."""
    tags: dict[str, list[str]] = {}
    for text in img.repo_tags:
        ref = familiar_reference(text)
        if ref is not None and ref.tag:
            tags.setdefault(ref.name, []).append(ref.tag)
    digest_only: dict[str, None] = {}
    for text in img.repo_digests:
        ref = familiar_reference(text)
        if ref is not None and ref.digest and ref.name not in tags:
            digest_only[ref.name] = None
    pairs = [(repo, tag) for repo, repo_tags in tags.items() for tag in repo_tags]
    pairs += [(repo, NONE) for repo in digest_only]
    return pairs


def image_rows(images: Iterable[Image], now: float) -> list[ImageRow]:
    """The ``docker images`` rows, one per tag; ``<none>`` for dangling images."""
    rows = []
    for img in images:
        pairs = [(NONE, NONE)] if not img.repo_tags and not img.repo_digests else _repositories(img)
        id_text = truncate_id(img.id)
        created_text = since(img.created, now)
        size_text = human_size(img.size)
        for repo, tag in pairs:
            rows.append(ImageRow(img, repo, tag, id_text, created_text, size_text, img.created, img.size))
    return rows


# -- when a duration's text changes ------------------------------------------------------------
def next_change(age: float) -> float:
    """Seconds until :func:`human_duration` of an ``age`` that keeps growing reads
    differently: "5 seconds" at the next whole second, "5 minutes" at the next whole
    minute, "5 hours" at the next half hour (go-units rounds hours), "5 days" when the
    rounded hours reach the next day... A table re-renders a cell then, not on a tick."""
    boundary = _next_boundary(age)
    wait = boundary - age
    while age + wait < boundary:  # the subtraction rounded down: be at the boundary, not before
        wait = math.nextafter(wait, math.inf)
    return wait


def _next_boundary(age: float) -> float:
    """The least age above ``age`` whose text differs, by :func:`human_duration`'s own rules."""
    if age < 60:
        return max(float(int(age)), 0.0) + 1.0
    if age < 3600:
        return (int(age / 60) + 1) * 60.0
    hours = int(age / 3600 + 0.5)
    if hours < 48:
        return (hours + 0.5) * 3600
    if hours < 24 * 7 * 2:
        next_hours = (hours // 24 + 1) * 24
    elif hours < 24 * 30 * 2:
        next_hours = min((hours // (24 * 7) + 1) * 24 * 7, 24 * 30 * 2)
    elif hours < 24 * 365 * 2:
        next_hours = min((hours // (24 * 30) + 1) * 24 * 30, 24 * 365 * 2)
    else:  # years count whole hours, not rounded ones
        return (int(age / 3600) // (24 * 365) + 1) * 24 * 365 * 3600.0
    return (next_hours - 0.5) * 3600
