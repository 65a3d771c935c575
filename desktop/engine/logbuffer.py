"""Container log text: lines out of raw chunks, ANSI styles, a bounded store, search.

Everything here is Qt-free and fast enough to keep up with a container printing as
fast as it can:

* :class:`LineAssembler` turns the engine's ``(stream, bytes)`` chunks, which end
  anywhere, into :class:`Line` records, one stream at a time. Timestamps (always
  requested, see :class:`LogReader`) are cut off the front of each line and kept.
  Invalid UTF-8 becomes U+FFFD. A line of any length costs time linear in its length.
* :func:`parse_ansi` reads SGR sequences (16, 256 and true colour, bold, dim, italic,
  underline, inverse, strike) into styled spans and drops every other escape sequence.
* :class:`LineStore` keeps the newest ``capacity`` lines (default 100,000) with O(1)
  access by position and amortised O(1) trimming.
* :class:`Matcher` is a search: plain or regular expression, with or without case.
* :class:`LogReader` follows one container and resumes after the stream ends (the
  container stopped, the engine went away) with ``since`` = the last timestamp seen,
  dropping the lines at that timestamp it already delivered.
"""

from __future__ import annotations

import asyncio
import calendar
import collections
import functools
import itertools
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import TYPE_CHECKING, Final, NamedTuple, cast

if TYPE_CHECKING:
    from desktop.engine.client import Engine
    from desktop.engine.streams import StreamPump

STDOUT, STDERR = 1, 2
DEFAULT_CAPACITY = 100_000

#: The engine's log driver cuts a line into messages of this many bytes; with
#: timestamps on, every message of a long line carries its own timestamp prefix.
PARTIAL_SIZE = 16 * 1024
_TS_LEN = len("2006-01-02T15:04:05.000000000Z")


# -- styles --------------------------------------------------------------------------
#: Colours are ``int``: 0-255 index the xterm palette, ``TRUECOLOR | 0xRRGGBB`` is RGB.
TRUECOLOR = 1 << 24


@dataclass(frozen=True, slots=True)
class Style:
    fg: int | None = None
    bg: int | None = None
    bold: bool = False
    dim: bool = False
    italic: bool = False
    underline: bool = False
    inverse: bool = False
    strike: bool = False

    @property
    def plain(self) -> bool:
        return self == PLAIN


PLAIN = Style()
#: A Style's fields, in order: (fg, bg, bold, dim, italic, underline, inverse, strike).
_StyleKey = tuple[int | None, int | None, bool, bool, bool, bool, bool, bool]
_styles: dict[_StyleKey, Style] = {(None, None, False, False, False, False, False, False): PLAIN}


def _style(fg: int | None, bg: int | None, bold: bool, dim: bool, italic: bool, underline: bool,
           inverse: bool, strike: bool) -> Style:
    key: _StyleKey = (fg, bg, bold, dim, italic, underline, inverse, strike)
    s = _styles.get(key)
    if s is None:
        if len(_styles) > 4096:  # a pathological stream of true colours: stop interning
            return Style(*key)
        s = _styles[key] = Style(*key)
    return s


def rgb_of(color: int) -> tuple[int, int, int]:
    """The RGB of a colour value (palette index or true colour)."""
    if color >= TRUECOLOR:
        c = color & 0xFFFFFF
        return (c >> 16) & 255, (c >> 8) & 255, c & 255
    return PALETTE[color]


def _xterm_palette() -> list[tuple[int, int, int]]:
    base = [
        (0x1e, 0x1e, 0x1e), (0xcd, 0x31, 0x31), (0x0d, 0xbc, 0x79), (0xe5, 0xe5, 0x10),
        (0x24, 0x72, 0xc8), (0xbc, 0x3f, 0xbc), (0x11, 0xa8, 0xcd), (0xcc, 0xcc, 0xcc),
        (0x66, 0x66, 0x66), (0xf1, 0x4c, 0x4c), (0x23, 0xd1, 0x8b), (0xf5, 0xf5, 0x43),
        (0x3b, 0x8e, 0xea), (0xd6, 0x70, 0xd6), (0x29, 0xb8, 0xdb), (0xf2, 0xf2, 0xf2),
    ]
    levels = (0, 95, 135, 175, 215, 255)
    cube = [(levels[i // 36], levels[(i // 6) % 6], levels[i % 6]) for i in range(216)]
    grey = [(8 + 10 * i, 8 + 10 * i, 8 + 10 * i) for i in range(24)]
    return base + cube + grey


PALETTE: list[tuple[int, int, int]] = _xterm_palette()

#: The least contrast (WCAG 2) a coloured run keeps against what it is drawn on.
MIN_CONTRAST = 3.0


def _luminance(rgb: tuple[int, int, int]) -> float:
    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(fg: tuple[int, int, int], bg: tuple[int, int, int],
             ratio: float = MIN_CONTRAST) -> tuple[int, int, int]:
    """``fg``, or as little lighter (on a dark ``bg``; darker on a light one) as it takes
    to reach ``ratio`` against ``bg``: red stays red, and readable on a selected row."""
    if contrast(fg, bg) >= ratio:
        return fg
    target = (255, 255, 255) if _luminance(bg) < 0.18 else (0, 0, 0)
    for step in range(1, 21):
        t = step / 20
        mixed = (round(fg[0] + (target[0] - fg[0]) * t), round(fg[1] + (target[1] - fg[1]) * t),
                 round(fg[2] + (target[2] - fg[2]) * t))
        if contrast(mixed, bg) >= ratio:
            return mixed
    return target


class Span(NamedTuple):
    start: int
    end: int
    style: Style


# Every escape sequence: CSI (SGR among them), OSC, DCS/SOS/PM/APC strings, and the
# two- and three-byte escapes. Group 1/2 are a CSI's parameters and final byte.
_ESCAPE = re.compile(
    r"\x1b\[([0-?]*)[ -/]*([@-~])"          # CSI
    r"|\x9b([0-?]*)[ -/]*([@-~])"           # 8-bit CSI
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|$)"    # OSC, DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]"                     # other escapes (charset, keypad, ...)
    r"|\x1b",                               # a lone ESC at the end
    re.S,
)
# C0 controls other than tab, and DEL: not printable, dropped.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _SGR:
    __slots__ = ("bg", "bold", "dim", "fg", "inverse", "italic", "strike", "underline")
    fg: int | None
    bg: int | None
    bold: bool
    dim: bool
    italic: bool
    underline: bool
    inverse: bool
    strike: bool

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.fg = self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.inverse = self.strike = False

    def style(self) -> Style:
        return _style(self.fg, self.bg, self.bold, self.dim, self.italic, self.underline,
                      self.inverse, self.strike)

    def apply(self, params: str) -> None:
        codes = [p for p in params.replace(":", ";").split(";")] if params else ["0"]
        i, n = 0, len(codes)
        while i < n:
            try:
                c = int(codes[i] or 0)
            except ValueError:
                i += 1
                continue
            i += 1
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 3:
                self.italic = True
            elif c in (4, 21):
                self.underline = True
            elif c == 7:
                self.inverse = True
            elif c == 9:
                self.strike = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.inverse = False
            elif c == 29:
                self.strike = False
            elif 30 <= c <= 37:
                self.fg = c - 30
            elif 90 <= c <= 97:
                self.fg = c - 90 + 8
            elif c == 39:
                self.fg = None
            elif 40 <= c <= 47:
                self.bg = c - 40
            elif 100 <= c <= 107:
                self.bg = c - 100 + 8
            elif c == 49:
                self.bg = None
            elif c in (38, 48):
                color, i = _extended_color(codes, i)
                if color is not None:
                    if c == 38:
                        self.fg = color
                    else:
                        self.bg = color


def _extended_color(codes: list[str], i: int) -> tuple[int | None, int]:
    """``5;N`` (palette) or ``2;R;G;B`` (true colour) after a 38/48."""
    try:
        kind = int(codes[i] or 0)
        if kind == 5:
            return max(0, min(255, int(codes[i + 1] or 0))), i + 2
        if kind == 2:
            # "38:2::R:G:B" (with a colour-space id) has one field more than "38;2;R;G;B".
            rest = codes[i + 1:i + 5]
            if len(rest) == 4 and rest[0] == "" and all(x != "" for x in rest[1:]):
                rest = rest[1:]
                step = 5
            else:
                rest = rest[:3]
                step = 4
            r, g, b = (max(0, min(255, int(x or 0))) for x in rest)
            return TRUECOLOR | (r << 16) | (g << 8) | b, i + step
    except (IndexError, ValueError):
        pass
    return None, len(codes)


def parse_ansi(text: str) -> tuple[str, tuple[Span, ...]]:
    """The text without escape sequences, and the styled spans in it (plain text has none)."""
    if "\x1b" not in text and "\x9b" not in text:
        return text, ()
    sgr = _SGR()
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    style = PLAIN
    for m in _ESCAPE.finditer(text):
        if m.start() > pos:
            piece = text[pos:m.start()]
            out.append(piece)
            if style is not PLAIN:
                spans.append(Span(length, length + len(piece), style))
            length += len(piece)
        pos = m.end()
        final = m.group(2) or m.group(4)
        if final == "m":
            sgr.apply(m.group(1) if m.group(2) else m.group(3))
            style = sgr.style()
    if pos < len(text):
        piece = text[pos:]
        out.append(piece)
        if style is not PLAIN:
            spans.append(Span(length, length + len(piece), style))
    return "".join(out), tuple(_merge(spans))


def _merge(spans: list[Span]) -> Iterator[Span]:
    prev: Span | None = None
    for s in spans:
        if prev is not None and prev.end == s.start and prev.style == s.style:
            prev = Span(prev.start, s.end, s.style)
            continue
        if prev is not None:
            yield prev
        prev = s
    if prev is not None:
        yield prev


# -- lines ---------------------------------------------------------------------------
class Line(NamedTuple):
    """One line. The pipeline passes lines as plain tuples in this order (see
    :class:`LineStore` for why); ``Line(*t)`` names the fields, and the store hands
    out Lines."""

    text: str                      # what is shown, escapes removed
    stream: int                    # STDOUT or STDERR
    ts: str = ""                   # the engine's RFC 3339 timestamp ("" when not requested)
    spans: tuple[Span, ...] = ()   # styled parts of ``text``; empty for plain text


#: Positions of the fields in a line tuple.
TEXT: Final = 0
STREAM: Final = 1
TS: Final = 2
SPANS: Final = 3
#: A line as the pipeline passes it: ``(text, stream, ts, spans)``.
RawLine = tuple[str, int, str, tuple[Span, ...]]


def _clean(text: str) -> tuple[str, tuple[Span, ...]]:
    """A decoded line made displayable: carriage returns, tabs, escapes, controls."""
    if "\r" in text:
        text = text.rstrip("\r")
        cut = text.rfind("\r")
        if cut >= 0:  # a progress bar redrawn in place: what a terminal shows last
            text = text[cut + 1:]
    spans: tuple[Span, ...] = ()
    if "\x1b" in text or "\x9b" in text:
        text, spans = parse_ansi(text)
    if "\t" in text and not spans:
        text = text.expandtabs(8)
    if _CONTROLS.search(text) is not None:
        if spans:
            text, spans = _drop_controls(text, spans)
        else:
            text = _CONTROLS.sub("", text)
    return text, spans


def _drop_controls(text: str, spans: tuple[Span, ...]) -> tuple[str, tuple[Span, ...]]:
    keep = [i for i, ch in enumerate(text) if not _CONTROLS.match(ch)]
    new_pos = {old: new for new, old in enumerate(keep)}
    new_pos[len(text)] = len(keep)

    def moved(i: int) -> int:
        while i not in new_pos:
            i += 1
        return new_pos[i]

    out = [Span(moved(s.start), moved(s.end), s.style) for s in spans]
    return "".join(text[i] for i in keep), tuple(s for s in out if s.end > s.start)


# Lines longer than this (in characters) may hold the inner timestamps of a line the
# engine cut into 16 KiB messages (a UTF-8 character is at most 4 bytes).
_LONG = PARTIAL_SIZE // 4
# The engine's fixed-width UTC timestamp (RFC 3339 with nanoseconds) and a space.
_FIXED_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ")
_SEP_PART = operator.itemgetter(slice(_TS_LEN, _TS_LEN + 1))
_TS_PART = operator.itemgetter(slice(0, _TS_LEN))
_BODY_PART = operator.itemgetter(slice(_TS_LEN + 1, None))
# What the fast path cannot show as it is: controls (tab, CR, ESC, ...) and C1 CSI.
_SPECIAL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\x9b]")
_CONTROL_BYTES = bytes(b for b in range(32) if b != 10) + b"\x7f"


def _fixed_width_ts(rows: list[str]) -> bool:
    """Whether every row starts with a fixed-width timestamp and a space (checked cheaply:
    the first and last in full, every other by the space after it)."""
    return (_FIXED_TS.match(rows[0]) is not None and _FIXED_TS.match(rows[-1]) is not None
            and set(map(_SEP_PART, rows)) == {" "})


#: ``_new_line((text, stream, ts, spans))``: a Line made at C speed (no keyword handling).
_new_line = functools.partial(tuple.__new__, Line)
_FIRST = operator.itemgetter(0)
#: ``tuple`` itself, typed: the plain tuple of a Line's fields (a Line is a NamedTuple),
#: made at C speed; the store keeps plain tuples.
_as_tuple = cast("Callable[[RawLine], RawLine]", tuple)


class LineAssembler:
    """Assemble lines from chunks that end anywhere, each stream on its own.

    ``timestamps`` says whether each line starts with the engine's timestamp and a
    space (``docker logs -t``); it is cut off and kept in :attr:`Line.ts`.
    """

    def __init__(self, timestamps: bool = True) -> None:
        self.timestamps = timestamps
        self._pending: dict[int, list[bytes]] = {}

    def feed(self, chunks: Iterable[tuple[int, bytes]]) -> list[RawLine]:
        out: list[RawLine] = []
        for stream, data in chunks:
            self._feed(stream, data, out)
        return out

    def _feed(self, stream: int, data: bytes, out: list[RawLine]) -> None:
        nl = data.rfind(b"\n")
        if nl < 0:
            if data:
                self._pending.setdefault(stream, []).append(data)
            return
        head = self._pending.pop(stream, None)
        if head:
            head.append(data[:nl])
            complete = b"".join(head)
        else:
            complete = data[:nl]
        if nl + 1 < len(data):
            self._pending[stream] = [data[nl + 1:]]
        self._lines(stream, complete, out)

    def _lines(self, stream: int, complete: bytes, out: list[RawLine]) -> None:
        """Turn ``complete`` (whole lines, without the last newline) into Lines.

        The common case (fixed-width UTC timestamps, nothing but printable text) is
        done a block at a time by C-level loops; lines with escapes, controls or a
        long line's inner timestamps take the per-line path.
        """
        text = complete.decode("utf-8", "replace")
        rows = text.split("\n")
        if self.timestamps:
            if _fixed_width_ts(rows):
                tss = list(map(_TS_PART, rows))
                texts = list(map(_BODY_PART, rows))
            else:
                tss, texts = [], []
                for row in rows:
                    ts, sep, body = row.partition(" ")
                    if not sep or len(ts) > 40:  # no timestamp in front (should not happen)
                        ts, body = "", row
                    tss.append(ts)
                    texts.append(body)
            if len(text) > _LONG and max(map(len, texts)) > _LONG:
                for i, body in enumerate(texts):
                    if len(body) > _LONG and tss[i]:
                        texts[i] = body.replace(tss[i] + " ", "")
        else:
            tss = [""] * len(rows)
            texts = rows
        if len(complete.translate(None, _CONTROL_BYTES)) == len(complete) and "\x9b" not in text:
            out.extend(zip(texts, repeat(stream), tss, repeat(())))
            return
        append = out.append
        for body, ts in zip(texts, tss, strict=True):
            if _SPECIAL.search(body) is None:
                append((body, stream, ts, ()))
            else:
                body, spans = _clean(body)
                append((body, stream, ts, spans))

    def flush(self) -> list[RawLine]:
        """The unfinished lines (the stream ended without a final newline)."""
        out: list[RawLine] = []
        pending, self._pending = self._pending, {}
        for stream, parts in pending.items():
            self._lines(stream, b"".join(parts), out)
        return out

    def reset(self) -> None:
        self._pending.clear()


# -- the store -----------------------------------------------------------------------
class LineStore:
    """The newest ``capacity`` lines, addressable by position (0 = oldest kept) and by
    sequence number (every line ever added gets the next one; a cleared store goes on
    counting).

    The lines are kept as plain tuples and handed out as :class:`Line`: the garbage
    collector stops tracking a plain tuple of strings, but never a tuple subclass, and
    a full collection walking 100,000 tracked lines stalls the window for tens of ms.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._lines: list[RawLine] = []
        self._start = 0          # index in _lines of the oldest kept line
        self.first_seq = 0       # sequence number of the oldest kept line

    def __len__(self) -> int:
        return len(self._lines) - self._start

    def __getitem__(self, i: int) -> Line:
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return _new_line(self._lines[self._start + i])

    def __iter__(self) -> Iterator[Line]:
        return map(_new_line, itertools.islice(self._lines, self._start, None))

    def texts(self) -> Iterator[str]:
        """The kept lines' texts, oldest first."""
        return map(_FIRST, itertools.islice(self._lines, self._start, None))

    @property
    def next_seq(self) -> int:
        return self.first_seq + len(self)

    def overflow(self, adding: int) -> int:
        """How many of the oldest lines adding ``adding`` lines will push out."""
        return max(0, len(self) + adding - self.capacity)

    def extend(self, lines: Sequence[RawLine]) -> int:
        """Add lines; return how many of the oldest were dropped to stay within capacity."""
        if len(lines) >= self.capacity:
            dropped = len(self) + len(lines) - self.capacity
            self.first_seq += dropped
            self._lines = list(map(_as_tuple, lines[len(lines) - self.capacity:]))
            self._start = 0
            return dropped
        self._lines.extend(map(_as_tuple, lines))
        dropped = self.overflow(0)
        if dropped:
            self.drop_front(dropped)
        return dropped

    def drop_front(self, n: int) -> None:
        n = min(n, len(self))
        self._start += n
        self.first_seq += n
        # Dropped lines are freed in slices of a few thousand: freeing half of a full
        # store at once (50,000 lines) held the window for 15 ms.
        if self._start >= max(4096, len(self._lines) // 16):
            del self._lines[:self._start]
            self._start = 0

    def clear(self) -> list[RawLine]:
        """Empty the store (it goes on counting); returns the list that held the lines,
        for the caller to free when it suits (freeing 100,000 lines takes ~20 ms)."""
        lines = self._lines
        self.first_seq = self.next_seq
        self._lines = []
        self._start = 0
        return lines

    def set_capacity(self, capacity: int) -> int:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        dropped = self.overflow(0)
        if dropped:
            self.drop_front(dropped)
        return dropped

    def index_of_seq(self, seq: int) -> int | None:
        i = seq - self.first_seq
        return i if 0 <= i < len(self) else None

    def text(self, timestamps: bool = False) -> str:
        """Every kept line, newline-terminated (what "Save" writes)."""
        rows = itertools.islice(self._lines, self._start, None)
        if timestamps:
            return "".join(f"{ts} {text}\n" if ts else text + "\n" for text, _stream, ts, _spans in rows)
        return "".join(text + "\n" for text in self.texts())

    def find(self, matcher: Matcher, start: int, backwards: bool = False, wrap: bool = True) -> int | None:
        """The position of the next line (from ``start``, inclusive) that matches."""
        n = len(self)
        if n == 0:
            return None
        start = max(0, min(start, n - 1))
        order: Iterable[int]
        if backwards:
            order = list(range(start, -1, -1)) + (list(range(n - 1, start, -1)) if wrap else [])
        else:
            order = list(range(start, n)) + (list(range(0, start)) if wrap else [])
        lines, base = self._lines, self._start
        hit = matcher.hit
        for i in order:
            if hit(lines[base + i][0]):
                return i
        return None


# -- search --------------------------------------------------------------------------
class Matcher:
    """A search in line texts. ``Matcher("")`` matches nothing. An invalid regular
    expression raises ``re.error`` (shown to the user next to the search field)."""

    def __init__(self, pattern: str, *, case: bool = False, regex: bool = False) -> None:
        self.pattern = pattern
        self.case = case
        self.regex = regex
        flags = 0 if case else re.IGNORECASE
        self._re = re.compile(pattern if regex else re.escape(pattern), flags) if pattern else None
        self._needle = pattern if case else pattern.lower()
        self._plain = bool(pattern) and not regex

    @property
    def empty(self) -> bool:
        return self._re is None

    def hit(self, text: str) -> bool:
        if self._re is None:
            return False
        if self._plain:
            return self._needle in (text if self.case else text.lower())
        return self._re.search(text) is not None

    def spans(self, text: str, limit: int = 1000) -> list[tuple[int, int]]:
        """Where the matches are in ``text`` (empty matches skipped), at most ``limit``."""
        if self._re is None:
            return []
        out = []
        for m in self._re.finditer(text):
            if m.end() > m.start():
                out.append((m.start(), m.end()))
                if len(out) >= limit:
                    break
        return out

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Matcher) and (self.pattern, self.case, self.regex)
                == (other.pattern, other.case, other.regex))

    def __hash__(self) -> int:
        return hash((self.pattern, self.case, self.regex))


# -- timestamps and resuming ---------------------------------------------------------
_RFC3339 = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")


def rfc3339(ts: str) -> tuple[int, int]:
    """``(seconds, nanoseconds)`` since the epoch of an RFC 3339 time such as the
    engine's ``2024-05-01T12:34:56.123456789Z`` (any number of digits, ``Z`` or an
    offset). Raises ValueError for anything else."""
    m = _RFC3339.match(ts)
    if m is None:
        raise ValueError(f"not an RFC 3339 time: {ts!r}")
    seconds = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))
    nanos = int((m.group(2) or "").ljust(9, "0")[:9])
    zone = m.group(3)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[-2:]) * 60)
    return seconds, nanos


def since_param(ts: str) -> str:
    """An RFC 3339 timestamp as the engine's ``since`` (``seconds.nanoseconds``, UTC)."""
    seconds, nanos = rfc3339(ts)
    return f"{seconds}.{nanos:09d}"


def epoch(ts: str) -> float:
    """An RFC 3339 timestamp as seconds since the epoch."""
    seconds, nanos = rfc3339(ts)
    return seconds + nanos / 1e9


_ts_of = operator.itemgetter(2)


def _groups(batch: list[tuple[int, bytes]], budget: int) -> Iterator[list[tuple[int, bytes]]]:
    """The batch in consecutive groups of about ``budget`` bytes."""
    total = 0
    for _, data in batch:
        total += len(data)
    if total <= budget:
        yield batch
        return
    group: list[tuple[int, bytes]] = []
    size = 0
    for item in batch:
        group.append(item)
        size += len(item[1])
        if size >= budget:
            yield group
            group, size = [], 0
    if group:
        yield group


class LogReader:
    """One container's log, followed across the ends of its stream.

    ``await reader.read(engine, ident, on_lines)`` opens the log (the last ``tail``
    lines and then everything new, or everything since :attr:`since` the first time)
    and calls ``on_lines(list[RawLine])`` once per batch until the stream ends. Call it
    again to resume: it asks for the lines since the last timestamp it delivered and
    drops those of that very timestamp it has already delivered, so nothing is
    repeated and nothing is lost.
    """

    #: Bytes of chunks turned into lines before the loop gets control back.
    slice_bytes = 256 * 1024

    def __init__(self, *, tail: int | str = 1000, since: float | None = None,
                 high_water: int = 8 << 20, batch_interval: float = 0.0) -> None:
        self.tail = tail
        self.since = since
        self.high_water = high_water  # bytes read ahead at most
        #: Seconds between two hand-overs at least: what comes meanwhile gathers in the
        #: read-ahead, and a window that shows lines once a frame is not woken for each
        #: read. A line after a quiet spell is handed over at once, and a backlog (a
        #: batch of ``slice_bytes`` or more) without pause.
        self.batch_interval = batch_interval
        self.last_ts = ""
        self._at_last: collections.Counter[tuple[int, str]] = collections.Counter()
        self.pump: StreamPump[tuple[int, bytes]] | None = None
        self.dropped_duplicates = 0
        #: The engine's clock less this computer's, in seconds (from the log answer's
        #: Date header; 0 when unknown): lines' timestamps are the engine's.
        self.clock_offset = 0.0

    @property
    def resuming(self) -> bool:
        return bool(self.last_ts)

    def reset(self) -> None:
        """Start over: the next read loads the tail again."""
        self.last_ts = ""
        self._at_last.clear()

    async def read(self, engine: Engine, ident: str, on_lines: Callable[[list[RawLine]], None],
                   follow: bool = True) -> None:
        if self.last_ts:
            pump = engine.logs(ident, follow=follow, tail="all", since=since_param(self.last_ts),
                               timestamps=True, high_water=self.high_water)
        else:
            pump = engine.logs(ident, follow=follow, tail=self.tail, since=self.since,
                               timestamps=True, high_water=self.high_water)
        self.pump = pump
        assembler = LineAssembler(timestamps=True)
        boundary = self.last_ts
        # The lines delivered at the boundary timestamp that the engine will send again.
        repeats = collections.Counter(self._at_last)
        try:
            async for batch in pump.batches():
                self.clock_offset = getattr(getattr(pump, "source", None), "clock_offset", self.clock_offset)
                for group in _groups(batch, self.slice_bytes):
                    lines = assembler.feed(group)
                    if lines:
                        if boundary:
                            lines = self._drop_seen(lines, boundary, repeats)
                            if lines and lines[-1][TS] > boundary:
                                boundary = ""
                        self._deliver(lines, on_lines)
                    if len(group) != len(batch):
                        await asyncio.sleep(0)  # let the window paint between slices
                if self.batch_interval and sum(len(item[1]) for item in batch) < self.slice_bytes:
                    await asyncio.sleep(self.batch_interval)  # (a backlog goes on at once)
            rest = assembler.flush()
            if boundary:
                rest = self._drop_seen(rest, boundary, repeats)
            self._deliver(rest, on_lines)
        finally:
            pump.close()
            self.pump = None

    def close(self) -> None:
        if self.pump is not None:
            self.pump.close()

    def _drop_seen(self, lines: list[RawLine], boundary: str,
                   repeats: collections.Counter[tuple[int, str]]) -> list[RawLine]:
        out = []
        for ln in lines:
            ts = ln[TS]
            if ts and ts < boundary:
                self.dropped_duplicates += 1
                continue
            if ts == boundary:
                key = (ln[STREAM], ln[TEXT])
                if repeats[key] > 0:
                    repeats[key] -= 1
                    self.dropped_duplicates += 1
                    continue
            out.append(ln)
        return out

    def _deliver(self, lines: list[RawLine], on_lines: Callable[[list[RawLine]], None]) -> None:
        if not lines:
            return
        top = max(map(_ts_of, lines))
        if top and top >= self.last_ts:
            # Remember the lines at the newest timestamp: a resume asks for "since" it
            # and the engine sends them again. (They are at the end: the engine sends
            # a stream's lines in time order, and streams interleave only slightly.)
            if top != self.last_ts:
                self._at_last = collections.Counter()
                self.last_ts = top
            seen = self._at_last
            i = len(lines) - 1
            while i >= 0 and lines[i][TS] >= top:
                i -= 1
            for ln in lines[i + 1:]:
                if ln[TS] == top:
                    seen[(ln[STREAM], ln[TEXT])] += 1
        on_lines(lines)
