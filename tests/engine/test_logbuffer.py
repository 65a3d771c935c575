"""The log text core: lines from chunks that end anywhere, ANSI styles, invalid UTF-8,
long lines, the bounded store, search and the resume bookkeeping (no engine needed)."""

from __future__ import annotations

import asyncio
import random
import re
import time

import pytest

from desktop.engine.logbuffer import (
    PARTIAL_SIZE,
    PLAIN,
    STDERR,
    STDOUT,
    TRUECOLOR,
    Line,
    LineAssembler,
    LineStore,
    LogReader,
    Matcher,
    parse_ansi,
    rgb_of,
    since_param,
)

TS = "2024-05-01T12:34:56.123456789Z"


def named(lines) -> list[Line]:
    """The pipeline's plain tuples, with field names."""
    return [Line(*t) for t in lines]


def stamped(*lines: str, ts: str = TS) -> bytes:
    return "".join(f"{ts} {ln}\n" for ln in lines).encode()


# -- assembly --------------------------------------------------------------------------
def test_lines_are_assembled_across_every_chunk_boundary():
    data = stamped("alpha", "beta", "", "gamma délta")
    for cut in range(1, len(data)):
        a = LineAssembler()
        got = named(a.feed([(STDOUT, data[:cut])]) + a.feed([(STDOUT, data[cut:])]))
        assert [ln.text for ln in got] == ["alpha", "beta", "", "gamma délta"], cut
        assert all(ln.ts == TS for ln in got)
        assert a.flush() == []


def test_random_chunking_gives_the_same_lines():
    rng = random.Random(7)
    lines = [f"line {i} " + "x" * rng.randint(0, 300) for i in range(500)]
    data = stamped(*lines)
    a = LineAssembler()
    got: list[Line] = []
    pos = 0
    while pos < len(data):
        n = rng.randint(1, 2000)
        got += a.feed([(STDOUT, data[pos:pos + n])])
        pos += n
    assert [ln.text for ln in named(got)] == lines


def test_streams_are_assembled_apart():
    out = stamped("out one", "out two")
    err = stamped("err one")
    a = LineAssembler()
    got = named(a.feed([(STDOUT, out[:40]), (STDERR, err[:35]), (STDOUT, out[40:]), (STDERR, err[35:])]))
    assert [(ln.stream, ln.text) for ln in got] == [(STDOUT, "out one"), (STDOUT, "out two"), (STDERR, "err one")]


def test_an_unfinished_line_comes_out_at_the_end():
    a = LineAssembler()
    assert a.feed([(STDOUT, f"{TS} no newline".encode())]) == []
    assert [ln.text for ln in named(a.flush())] == ["no newline"]


def test_without_timestamps():
    a = LineAssembler(timestamps=False)
    got = named(a.feed([(STDOUT, b"one\ntw"), (STDOUT, b"o\n")]))
    assert [(ln.text, ln.ts) for ln in got] == [("one", ""), ("two", "")]


def test_invalid_utf8_becomes_replacement_characters():
    a = LineAssembler()
    got = named(a.feed([(STDOUT, TS.encode() + b" bad \xff\xfe end\n" + TS.encode() + b" half \xe2\x82\n")]))
    assert got[0].text == "bad \ufffd\ufffd end"
    assert got[1].text == "half \ufffd"


def test_a_multibyte_character_split_between_chunks_survives():
    data = stamped("€uro")
    i = data.index("€".encode()) + 1
    a = LineAssembler()
    got = named(a.feed([(STDOUT, data[:i])]) + a.feed([(STDOUT, data[i:])]))
    assert got[0].text == "€uro"


def test_the_engines_inner_timestamps_of_a_long_line_are_removed():
    body = (b"0123456789" * 10_000)[:40_000]
    raw = (TS.encode() + b" " + body[:PARTIAL_SIZE] + TS.encode() + b" " + body[PARTIAL_SIZE:2 * PARTIAL_SIZE]
           + TS.encode() + b" " + body[2 * PARTIAL_SIZE:] + b"\n")
    got = named(LineAssembler().feed([(STDOUT, raw)]))
    assert got[0].text == body.decode()


def test_a_one_megabyte_line_in_small_chunks_is_linear():
    line = b"y" * 1_000_000
    data = TS.encode() + b" " + line + b"\n"
    a = LineAssembler()
    t = time.perf_counter()
    got: list[Line] = []
    for i in range(0, len(data), 4096):
        got += a.feed([(STDOUT, data[i:i + 4096])])
    elapsed = time.perf_counter() - t
    assert len(got) == 1 and len(Line(*got[0]).text) == 1_000_000
    assert elapsed < 2.0  # joining the pieces once, not on every chunk


def test_carriage_returns_tabs_and_controls():
    a = LineAssembler()
    got = named(a.feed([(STDOUT, stamped("crlf\r", "10%\r50%\r100%", "a\tb", "bell\x07 here"))]))
    assert [ln.text for ln in got] == ["crlf", "100%", "a       b", "bell here"]


# -- ANSI -------------------------------------------------------------------------------
def test_plain_text_has_no_spans():
    assert parse_ansi("nothing special") == ("nothing special", ())


def test_sixteen_colours_bold_underline():
    text, spans = parse_ansi("\x1b[1;31mred\x1b[0m mid \x1b[4;94mblue\x1b[24m rest\x1b[m")
    assert text == "red mid blue rest"
    assert [(s.start, s.end) for s in spans] == [(0, 3), (8, 12), (12, 17)]
    assert spans[0].style.fg == 1 and spans[0].style.bold
    assert spans[1].style.fg == 12 and spans[1].style.underline
    assert spans[2].style.fg == 12 and not spans[2].style.underline


def test_256_and_true_colour():
    text, spans = parse_ansi("\x1b[38;5;208morange\x1b[48;2;10;20;30mbg\x1b[38:2::1:2:3mcolon\x1b[0m")
    assert text == "orangebgcolon"
    assert spans[0].style.fg == 208
    assert rgb_of(spans[1].style.bg) == (10, 20, 30)
    assert spans[1].style.bg >= TRUECOLOR
    assert rgb_of(spans[2].style.fg) == (1, 2, 3)


def test_other_attributes_and_resets():
    _, spans = parse_ansi("\x1b[2;3;7;9mx\x1b[22;23;27;29my\x1b[39;49mz")
    s = spans[0].style
    assert s.dim and s.italic and s.inverse and s.strike
    assert len(spans) == 1  # y and z are plain


def test_other_escape_sequences_are_stripped():
    raw = "\x1b]0;window title\x07\x1b[2K\x1b[1G\x1b[?25lvisible\x1b(B\x1b[Htext\x1b"
    text, spans = parse_ansi(raw)
    assert text == "visibletext"
    assert spans == ()


def test_ansi_through_the_assembler_keeps_styles():
    got = named(LineAssembler().feed([(STDERR, stamped("\x1b[31mERROR\x1b[0m boom"))]))
    assert got[0].text == "ERROR boom" and got[0].stream == STDERR
    assert got[0].spans[0].style.fg == 1 and (got[0].spans[0].start, got[0].spans[0].end) == (0, 5)


def test_garbage_parameters_do_not_raise():
    for raw in ("\x1b[38;5m", "\x1b[38;2;1m", "\x1b[;;;m", "\x1b[999999m", "\x1b[38;5;999mx", "\x1b[48:5:mx"):
        parse_ansi(raw + "text")


def test_plain_style_is_shared():
    _, spans = parse_ansi("\x1b[31ma\x1b[0mb")
    assert len(spans) == 1 and PLAIN.plain


# -- the store ----------------------------------------------------------------------------
def line(i: int, stream: int = STDOUT) -> Line:
    return Line(f"line {i}", stream, TS, ())


def test_the_cap_holds_and_keeps_the_newest():
    store = LineStore(1000)
    for start in range(0, 5000, 37):
        store.extend([line(i) for i in range(start, min(start + 37, 5000))])
        assert len(store) <= 1000
    assert len(store) == 1000
    assert store[0].text == "line 4000" and store[-1].text == "line 4999"
    assert store.first_seq == 4000 and store.next_seq == 5000


def test_a_batch_larger_than_the_cap():
    store = LineStore(10)
    store.extend([line(i) for i in range(5)])
    dropped = store.extend([line(i) for i in range(5, 30)])
    assert dropped == 20
    assert [ln.text for ln in store] == [f"line {i}" for i in range(20, 30)]
    assert store.first_seq == 20


def test_clear_keeps_counting_and_capacity_can_shrink():
    store = LineStore(100)
    store.extend([line(i) for i in range(50)])
    store.clear()
    assert len(store) == 0 and store.first_seq == 50
    store.extend([line(i) for i in range(80)])
    assert store.set_capacity(30) == 50
    assert store[0].text == "line 50"
    assert store.index_of_seq(store.first_seq) == 0 and store.index_of_seq(49) is None


def test_store_text_with_and_without_timestamps():
    store = LineStore(10)
    store.extend([line(1), line(2)])
    assert store.text() == "line 1\nline 2\n"
    assert store.text(timestamps=True) == f"{TS} line 1\n{TS} line 2\n"


# -- search -----------------------------------------------------------------------------
def test_plain_search_ignores_case_unless_asked():
    m = Matcher("error")
    assert m.hit("An ERROR here") and not m.hit("fine")
    assert not Matcher("error", case=True).hit("An ERROR here")
    assert Matcher("a.b").hit("a.b") and not Matcher("a.b").hit("axb")


def test_regex_search_and_spans():
    m = Matcher(r"\d+ms", regex=True)
    assert m.spans("took 12ms then 7ms") == [(5, 9), (15, 18)]
    assert Matcher("").empty and not Matcher("").hit("x")
    with pytest.raises(re.error):
        Matcher("(", regex=True)


def test_find_forwards_backwards_and_wrapping():
    store = LineStore(100)
    store.extend([Line(t, STDOUT, TS, ()) for t in ("a", "hit 1", "b", "hit 2", "c")])
    m = Matcher("hit")
    assert store.find(m, 0) == 1
    assert store.find(m, 2) == 3
    assert store.find(m, 4) == 1  # wraps
    assert store.find(m, 2, backwards=True) == 1
    assert store.find(m, 0, backwards=True) == 3
    assert store.find(Matcher("zzz"), 0) is None


# -- resuming -------------------------------------------------------------------------------
def test_since_param_is_seconds_and_nanoseconds():
    assert since_param("1970-01-01T00:00:10.000000001Z") == "10.000000001"
    assert since_param("2024-05-01T12:34:56.5Z") == "1714566896.500000000"
    assert since_param("2024-05-01T14:34:56.5+02:00") == "1714566896.500000000"


class _FakePump:
    """Chunks as an engine stream would hand them over (a stand-in for the engine's
    stream object, not for the Docker API)."""

    def __init__(self, batches):
        self._batches = batches

    async def batches(self):
        for b in self._batches:
            yield b

    def close(self):
        pass


class _Source:
    def __init__(self, *streams):
        self.streams = list(streams)
        self.calls = []

    def logs(self, ident, **kw):
        self.calls.append(kw)
        return _FakePump(self.streams.pop(0))


async def test_resume_drops_what_was_delivered_at_the_boundary_timestamp():
    t1, t2, t3 = "2024-05-01T00:00:01.000000000Z", "2024-05-01T00:00:02.000000000Z", "2024-05-01T00:00:03.000000000Z"
    first = [[(STDOUT, stamped("a", ts=t1) + stamped("b", "same", ts=t2))]]
    # On resume the engine sends everything at t2 again (since is inclusive), then new lines.
    second = [[(STDOUT, stamped("b", "same", ts=t2)), (STDOUT, stamped("same", ts=t2) + stamped("c", ts=t3))]]
    src = _Source(first, second)
    reader = LogReader(tail=10)
    got: list[Line] = []
    await reader.read(src, "x", got.extend)
    await reader.read(src, "x", got.extend)
    assert [ln.text for ln in named(got)] == ["a", "b", "same", "same", "c"]
    assert src.calls[0]["tail"] == 10 and src.calls[0]["timestamps"] is True
    assert src.calls[1]["since"] == since_param(t2) and src.calls[1]["tail"] == "all"
    assert reader.dropped_duplicates == 2


async def test_resume_twice_without_new_lines_repeats_nothing():
    t1 = "2024-05-01T00:00:01.000000000Z"
    src = _Source([[(STDOUT, stamped("x", "y", ts=t1))]], [[(STDOUT, stamped("x", "y", ts=t1))]],
                  [[(STDOUT, stamped("x", "y", ts=t1))]])
    reader = LogReader()
    got: list[Line] = []
    for _ in range(3):
        await reader.read(src, "c", got.extend)
    assert [ln.text for ln in named(got)] == ["x", "y"]


async def test_hand_overs_are_paced_but_a_backlog_is_not(monkeypatch):
    from desktop.engine import logbuffer

    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(s):
        waits.append(s)
        await real_sleep(0)
    monkeypatch.setattr(logbuffer.asyncio, "sleep", sleep)
    t1 = "2024-05-01T00:00:01.000000000Z"
    big = stamped(*(f"line {i}" for i in range(9000)), ts=t1)
    assert len(big) >= LogReader.slice_bytes
    src = _Source([[(STDOUT, stamped("a", ts=t1))], [(STDOUT, big)], [(STDOUT, stamped("b", ts=t1))]])
    reader = LogReader(batch_interval=0.025)
    got: list[Line] = []
    await reader.read(src, "x", got.extend)
    assert len(got) == 9002
    # after a small batch the next hand-over waits; after a backlog's it does not (the
    # zero-second waits let the window paint between the backlog's slices)
    assert [w for w in waits if w] == [0.025, 0.025]
    assert waits[0] == 0.025 and waits[-1] == 0.025


def test_engine_times_are_read_with_any_digits_and_offset():
    from desktop.engine.logbuffer import epoch

    base = 1714566896.0  # 2024-05-01T12:34:56Z
    assert epoch("2024-05-01T12:34:56.123456789Z") == pytest.approx(base + 0.123456789)
    assert epoch("2024-05-01T12:34:56.5Z") == pytest.approx(base + 0.5)
    assert epoch("2024-05-01T12:34:56Z") == base
    assert epoch("2024-05-01T14:34:56.25+02:00") == pytest.approx(base + 0.25)
    assert epoch("2024-05-01T05:34:56.123456789-07:00") == pytest.approx(base + 0.123456789)
    with pytest.raises(ValueError):
        epoch("not a time")
    # the same reading gives the engine's "since"
    assert since_param("2024-05-01T14:34:56+02:00") == "1714566896.000000000"


# -- the chunked body under the frames (desktop.engine.logstream) ------------------------------
def _reads(body: bytes, size: int):
    pieces = iter([body[i:i + size] for i in range(0, len(body), size)])
    return lambda _n: next(pieces, b"")


def _chunk(payload: bytes) -> bytes:
    return b"%x\r\n" % len(payload) + payload + b"\r\n"


def test_a_tty_log_over_chunked_http_is_cut_right_wherever_the_reads_end():
    from desktop.engine.logstream import _chunked_frames

    payloads = [b"a" * n for n in (1, 15, 16, 255, 4096)] + [b"line\n", b"\r\n in payload \r\n"]
    body = b"".join(map(_chunk, payloads))
    body += b"3;name=value\r\next\r\n" + b"0\r\n\r\n"  # a chunk extension, then the end
    want = b"".join(payloads) + b"ext"
    for size in (1, 2, 3, 7, 64, len(body)):
        got = [item for chunks in _chunked_frames(_reads(body, size), framed=False) for item in chunks]
        assert {stream for stream, _ in got} == {STDOUT}
        assert b"".join(data for _, data in got) == want, size


def test_log_frames_over_chunked_http_are_cut_right_however_they_are_packed():
    """One frame per chunk (what dockerd sends), several frames in a chunk, a frame over
    several chunks; stdout and stderr interleaved; the body cut by reads of any size."""
    import random
    import struct

    from desktop.engine.logstream import _chunked_frames

    rnd = random.Random(7)
    frames = [(rnd.choice((STDOUT, STDOUT, STDERR)), b"line %d %s\n" % (i, b"x" * rnd.randrange(0, 40)))
              for i in range(300)]
    frames.append((0, b"stdin is shown as stdout\n"))
    raw = b"".join(struct.pack(">BxxxL", s, len(p)) + p for s, p in frames)
    want_out = b"".join(p for s, p in frames if s != STDERR)
    want_err = b"".join(p for s, p in frames if s == STDERR)
    packings = {
        "one frame per chunk": [struct.pack(">BxxxL", s, len(p)) + p for s, p in frames],
        "chunks of 100 bytes": [raw[i:i + 100] for i in range(0, len(raw), 100)],
        "mixed": [],
    }
    pos = 0
    while pos < len(raw):  # runs of whole frames, then a frame in odd pieces
        n = rnd.randrange(1, 30)
        packings["mixed"].append(raw[pos:pos + n])
        pos += n
    for how, chunks in packings.items():
        body = b"".join(map(_chunk, chunks)) + b"0\r\n\r\n"
        for size in (1, 5, 13, 256, 4096, len(body)):
            got = [item for out in _chunked_frames(_reads(body, size)) for item in out]
            assert b"".join(d for s, d in got if s == STDOUT) == want_out, (how, size)
            assert b"".join(d for s, d in got if s == STDERR) == want_err, (how, size)
            # the order across the two streams is kept: stdout/stderr runs as sent
            assert b"".join(d for _, d in got) == b"".join(p for _, p in frames), (how, size)


def test_a_malformed_chunked_body_is_an_error_not_a_silent_end():
    from desktop.engine.errors import EngineError
    from desktop.engine.logstream import ChunkedFrames

    frame = b"\x01\x00\x00\x00\x00\x00\x00\x03ok\n"
    good = _chunk(frame)
    for bad in (b"\r\n" + good,                      # an empty size line
                b"zz\r\n" + frame + b"\r\n",          # not hexadecimal
                b"-b\r\n" + frame + b"\r\n",          # negative
                b"b\r\n" + frame + b"XY" + good):      # no CRLF where the chunk should end
        with pytest.raises(EngineError) as err:
            ChunkedFrames().feed(good + bad)
        assert "could not be read" in err.value.message


def test_dropped_lines_are_freed_a_slice_at_a_time():
    store = LineStore(capacity=100_000)
    most = 0
    for i in range(60):
        store.extend([(f"line {i}-{j}", STDOUT, "", ()) for j in range(5_000)])
        most = max(most, len(store._lines))
        assert len(store) == min(100_000, 5_000 * (i + 1))
    assert store[0].text == "line 40-0" and store[-1].text == "line 59-4999"
    # never more than a sixteenth (and at least 4096) of dropped lines held on to
    assert most <= 100_000 + max(4096, 106_250 // 16) + 5_000


def test_a_reader_that_caught_up_lets_the_next_read_gather(monkeypatch):
    from desktop.engine import logstream

    events: list[object] = []
    monkeypatch.setattr(logstream.time, "sleep", lambda s: events.append(("wait", s)))
    sizes = iter([300_000, 100, 100, logstream.GATHER_BELOW, 5, 0])

    def read1(n: int) -> bytes:
        size = next(sizes)
        events.append(size)
        return b"x" * size
    read = logstream._gathering(read1)
    while read(logstream.READ_SIZE):
        pass
    wait = ("wait", logstream.GATHER_S)
    # a backlog is read without pause; after a small read the next one waits first
    assert events == [300_000, 100, wait, 100, wait, logstream.GATHER_BELOW, 5, wait, 0]


def test_a_colour_is_made_readable_only_where_it_lacks_contrast():
    from desktop.engine.logbuffer import MIN_CONTRAST, PALETTE, contrast, readable

    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast((9, 9, 9), (9, 9, 9)) == 1
    selection, red = (0x2c, 0x4a, 0x6e), PALETTE[1]
    assert contrast(red, selection) < MIN_CONTRAST
    better = readable(red, selection)
    assert contrast(better, selection) >= MIN_CONTRAST
    assert better[0] > better[1] and better[0] > better[2]  # still red, lighter
    assert all(b >= r for b, r in zip(better, red, strict=True))
    assert contrast(better, selection) < MIN_CONTRAST + 0.5  # just enough, not washed out
    assert readable((0xd5, 0xd8, 0xde), selection) == (0xd5, 0xd8, 0xde)  # readable already
    # on a light background a pale colour is darkened
    pale = readable((0xf5, 0xf5, 0x43), (250, 250, 250))
    assert contrast(pale, (250, 250, 250)) >= MIN_CONTRAST and pale[0] < 0xf5
    # text the same colour as its background (hidden) comes out readable, not invisible
    assert contrast(readable((40, 40, 40), (40, 40, 40)), (40, 40, 40)) >= MIN_CONTRAST
