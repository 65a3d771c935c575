"""Streams against the real engine: events, logs, pull progress, archives; closing a
stream really closes its connection (the reader thread, blocked on the socket, ends)."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.logstream import READ_SIZE, STDERR, STDOUT, frame_weight
from desktop.engine.records import RunSpec
from desktop.engine.streams import StreamPump
from tests.conftest import RUN_ID, TEST_LABEL, WHALESAY, docker

from .conftest import collect

TS = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z ")


async def wait_open(pump: StreamPump, limit: float = 5) -> None:
    """Until the pump's connection is open (its response is there to be read)."""
    if pump._thread is None:
        pump.start()
    deadline = time.monotonic() + limit
    while pump._stream is None:
        assert time.monotonic() < deadline, "the stream did not open"
        await asyncio.sleep(0.01)


async def assert_closes(pump: StreamPump, within: float = 1.0) -> None:
    """Close the pump; its reader thread must end within ``within`` seconds."""
    t = time.monotonic()
    pump.close()
    thread = pump._thread
    assert thread is not None
    while thread.is_alive() and time.monotonic() - t < within:
        await asyncio.sleep(0.01)
    assert not thread.is_alive(), f"the reader thread still runs {within} s after close()"


async def assert_closed_soon(pump: StreamPump, within: float = 1.0) -> None:
    """Leaving an ``async for`` closes the pump once the loop finalizes the generator."""
    t = time.monotonic()
    while (not pump.closed or pump._thread.is_alive()) and time.monotonic() - t < within:
        await asyncio.sleep(0.01)
    assert pump.closed and not pump._thread.is_alive()


def split_streams(chunks: list[tuple[int, bytes]]) -> tuple[bytes, bytes]:
    out = b"".join(d for s, d in chunks if s == STDOUT)
    err = b"".join(d for s, d in chunks if s == STDERR)
    return out, err


async def run_to_end(engine: Engine, cleanup, labels, script: str, tty: bool = False) -> str:
    cid = await engine.create(RunSpec(image=WHALESAY, name=cleanup.name("logs"), command=("sh", "-c", script),
                                      labels=labels, tty=tty))
    assert await engine.wait(cid, timeout=30) == 0
    return cid


# -- events ---------------------------------------------------------------------------
async def test_events_see_a_container_start(engine: Engine, cleanup, labels):
    pump = engine.events()
    await wait_open(pump)
    cid = await engine.create(RunSpec(image=WHALESAY, name=cleanup.name("ev"), command=("true",), labels=labels))
    seen: list[str] = []

    async def watch() -> None:
        async for ev in pump.items():
            if ev.get("Type") == "container" and ev.get("id") == cid:
                seen.append(ev["Action"])
                if ev["Action"] == "start":
                    assert ev["Actor"]["Attributes"][TEST_LABEL] == RUN_ID
                    return

    await asyncio.wait_for(watch(), 15)
    assert seen[:2] == ["create", "start"]
    await assert_closed_soon(pump)  # leaving the loop closes the stream


async def test_events_since_replays_past_events(engine: Engine, cleanup, labels):
    since = int(time.time()) - 1
    cid = await engine.create(RunSpec(image=WHALESAY, name=cleanup.name("since"), command=("true",),
                                      start=False, labels=labels))
    pump = engine.events(since=since)

    async def first_create() -> dict:
        async for ev in pump.items():
            if ev.get("id") == cid and ev.get("Action") == "create":
                return ev
        raise AssertionError("stream ended")

    ev = await asyncio.wait_for(first_create(), 15)
    assert ev["Type"] == "container"
    await assert_closes(pump)


async def test_closing_an_idle_event_stream_closes_the_connection(engine: Engine):
    pump = engine.events()
    await wait_open(pump)
    await asyncio.sleep(0.2)  # the reader is now blocked on the socket
    assert pump._thread.is_alive()
    await assert_closes(pump)


async def test_cancelling_the_consuming_task_closes_the_stream(engine: Engine):
    pump = engine.events()

    async def consume() -> None:
        async for _ in pump.items():
            pass

    task = asyncio.create_task(consume())
    await wait_open(pump)
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert pump.closed
    pump._thread.join(1.0)
    assert not pump._thread.is_alive()


# -- logs ---------------------------------------------------------------------------------
async def test_logs_keep_stdout_and_stderr_apart(engine: Engine, cleanup, labels):
    cid = await run_to_end(engine, cleanup, labels,
                           "echo out1; echo err1 >&2; echo out2; echo err2 >&2; printf 'no newline'")
    chunks = await collect(engine.logs(cid, follow=False))
    out, err = split_streams(chunks)
    assert out == b"out1\nout2\nno newline"
    assert err == b"err1\nerr2\n"
    # the same as the CLI
    assert out.decode() == docker("logs", cid)


async def test_logs_of_a_tty_container_are_all_stdout(engine: Engine, cleanup, labels):
    cid = await run_to_end(engine, cleanup, labels, "echo out; echo err >&2", tty=True)
    chunks = await collect(engine.logs(cid, follow=False))
    assert {s for s, _ in chunks} == {STDOUT}
    assert b"".join(d for _, d in chunks).replace(b"\r\n", b"\n") == b"out\nerr\n"


async def test_logs_tail(engine: Engine, cleanup, labels):
    cid = await run_to_end(engine, cleanup, labels, "for i in $(seq 1 50); do echo line$i; done")
    out, _ = split_streams(await collect(engine.logs(cid, follow=False, tail=3)))
    assert out == b"line48\nline49\nline50\n"
    out, _ = split_streams(await collect(engine.logs(cid, follow=False, tail="all")))
    assert out.splitlines() == [f"line{i}".encode() for i in range(1, 51)]
    out, _ = split_streams(await collect(engine.logs(cid, follow=False, tail=0)))
    assert out == b""


async def test_logs_timestamps_and_since(engine: Engine, cleanup, labels):
    cid = await run_to_end(engine, cleanup, labels, "echo one; sleep 1.2; echo two; sleep 1.2; echo three")
    out, _ = split_streams(await collect(engine.logs(cid, follow=False, timestamps=True)))
    lines = out.splitlines()
    assert len(lines) == 3 and all(TS.match(line) for line in lines), lines
    assert [line.split(b" ", 1)[1] for line in lines] == [b"one", b"two", b"three"]

    def unix(line: bytes) -> float:
        from datetime import datetime

        stamp = line.split(b" ", 1)[0].decode()
        whole, frac = stamp.rstrip("Z").split(".")
        return datetime.fromisoformat(whole + "+00:00").timestamp() + float("0." + frac)

    # since a moment between "one" and "two", in whole seconds and with a fraction
    between = (unix(lines[0]) + unix(lines[1])) / 2
    out, _ = split_streams(await collect(engine.logs(cid, follow=False, since=between)))
    assert out == b"two\nthree\n"
    out, _ = split_streams(await collect(engine.logs(cid, follow=False, since=int(unix(lines[2])) + 1)))
    assert out == b""


async def test_follow_picks_up_new_lines_and_close_ends_it(engine: Engine, cleanup, labels):
    cid = await engine.create(RunSpec(image=WHALESAY, name=cleanup.name("follow"), labels=labels,
                                      command=("sh", "-c", "echo ready; exec sleep 300")))
    for _ in range(100):
        if docker("logs", cid) == "ready\n":
            break
        await asyncio.sleep(0.05)
    pump = engine.logs(cid, follow=True, tail="all")
    await wait_open(pump)
    # lines written after the stream opened arrive while following, each on its stream
    for word in ("alpha", "beta"):
        await engine.exec_output(cid, ["sh", "-c", f"echo {word} > /proc/1/fd/1"])
    await engine.exec_output(cid, ["sh", "-c", "echo gamma > /proc/1/fd/2"])

    chunks: list[tuple[int, bytes]] = []

    async def follow() -> None:
        async for batch in pump.batches():
            chunks.extend(batch)
            if split_streams(chunks) == (b"ready\nalpha\nbeta\n", b"gamma\n"):
                return

    await asyncio.wait_for(follow(), 10)
    await assert_closed_soon(pump)

    # the container still runs, so a follow stream ends only when it is closed
    assert (await engine.container(cid)).running
    pump = engine.logs(cid, follow=True, tail=0)
    await wait_open(pump)
    await asyncio.sleep(0.2)
    assert pump._thread.is_alive()
    await assert_closes(pump)


async def test_follow_ends_by_itself_when_the_container_exits(engine: Engine, cleanup, labels):
    cid = await engine.create(RunSpec(image=WHALESAY, name=cleanup.name("exits"), labels=labels,
                                      command=("sh", "-c", "echo start; sleep 1; echo end")))
    out, _ = split_streams(await collect(engine.logs(cid, follow=True), limit=15))
    assert out == b"start\nend\n"


async def test_logs_of_a_missing_container(engine: Engine):
    with pytest.raises(EngineError) as info:
        await collect(engine.logs(f"berth-none-{RUN_ID}", follow=False))
    assert info.value.kind is ErrorKind.NOT_FOUND


async def test_items_that_arrive_while_the_consumer_is_busy_come_in_one_batch(engine: Engine, cleanup, labels):
    cid = await run_to_end(engine, cleanup, labels, "seq 1 20000")
    pump = engine.logs(cid, follow=False, tail="all").start()
    for _ in range(400):  # busy elsewhere while everything arrives
        if not pump._thread.is_alive():
            break
        await asyncio.sleep(0.05)
    batches = [batch async for batch in pump.batches()]
    assert len(batches) == 1
    assert b"".join(d for _, d in batches[0]) == b"".join(f"{i}\n".encode() for i in range(1, 20001))


async def test_a_slow_consumer_holds_the_reader_at_high_water(engine: Engine, cleanup, labels):
    # stdout and stderr taking turns: a frame per line, 2 x 5000 small frames (a limit
    # counted in frames would hold very few bytes of them)
    cid = await run_to_end(engine, cleanup, labels, "for i in $(seq 1 5000); do echo $i; echo $i >&2; done")
    pump = engine.logs(cid, follow=False, tail="all", high_water=4096).start()
    await asyncio.sleep(0.5)
    # the reader waits instead of buffering everything: it stops once 4 KiB (bytes and a
    # little for each frame) wait to be taken
    held = sum(frame_weight(f) for f in pump._items)
    assert pump._thread.is_alive()
    assert 4096 <= held < 4096 + READ_SIZE
    out = {STDOUT: [], STDERR: []}
    for stream, data in [f async for f in pump.items()]:
        out[stream].append(data)
    want = b"".join(f"{i}\n".encode() for i in range(1, 5001))
    assert b"".join(out[STDOUT]) == want
    assert b"".join(out[STDERR]) == want


async def test_a_pump_waits_by_count_or_by_weight():
    """Without ``weigh`` every item counts one; with it, what the items weigh."""
    items = [b"x" * 100] * 50

    async def held(pump: StreamPump) -> int:
        pump.start()
        await asyncio.sleep(0.3)
        n = len(pump._items)
        assert [i async for i in pump.items()] == items
        return n

    assert await held(StreamPump(lambda: iter(items), high_water=10)) == 10
    assert await held(StreamPump(lambda: iter(items), high_water=1000, weigh=len)) == 10
    assert await held(StreamPump(lambda: iter(items), high_water=1001, weigh=len)) == 11


async def test_an_item_over_the_limit_alone_still_reaches_the_consumer():
    items = [b"x" * 2000, b"y"]
    pump = StreamPump(lambda: iter(items), high_water=1000, weigh=len)

    async def everything() -> list:
        return [i async for i in pump.items()]
    assert await asyncio.wait_for(everything(), timeout=10) == items


# -- archives --------------------------------------------------------------------------
async def container_with_big_file(engine: Engine, cleanup, labels, hint: str) -> str:
    """A running container holding /tmp/big, 64 MiB, once the file is complete."""
    cid = await engine.create(RunSpec(image=WHALESAY, name=cleanup.name(hint), labels=labels,
                                      command=("sh", "-c", "head -c 67108864 /dev/zero > /tmp/big; exec sleep 300")))
    for _ in range(100):
        stat = await engine.stat_path(cid, "/tmp/big")
        if stat and stat["size"] == 64 << 20:
            break
        await asyncio.sleep(0.1)
    return cid


async def test_closing_an_archive_stream_midway(engine: Engine, cleanup, labels):
    cid = await container_with_big_file(engine, cleanup, labels, "arch")
    pump = engine.get_archive(cid, "/tmp/big", chunk_size=64 * 1024)
    received = 0
    async for batch in pump.batches():
        received += sum(len(b) for b in batch)
        if received > 1 << 20:
            break
    await assert_closed_soon(pump)
    assert received < 64 << 20


async def test_closing_an_archive_stream_frees_the_container_at_once(engine: Engine, cleanup, labels):
    """The engine holds the container's lock until the archive is read or the connection
    closes: after close() the next call on the container must not wait for it."""
    cid = await container_with_big_file(engine, cleanup, labels, "lock")
    # closed while the reader is held at high water, and while it is in a read
    pump = engine.get_archive(cid, "/tmp/big", chunk_size=64 * 1024).start()
    while len(pump._items) < 64:
        await asyncio.sleep(0.01)
    await assert_closes(pump)
    assert (await asyncio.wait_for(engine.stat_path(cid, "/tmp/big"), 10))["size"] == 64 << 20
    for _ in range(3):
        pump = engine.get_archive(cid, "/tmp/big", chunk_size=64 * 1024)
        received = 0
        async for batch in pump.batches():
            received += sum(len(b) for b in batch)
            if received > 4 << 20:
                pump.close()
        assert received < 64 << 20
    t = time.monotonic()
    assert (await asyncio.wait_for(engine.stat_path(cid, "/tmp/big"), 10))["size"] == 64 << 20
    code, _ = await asyncio.wait_for(engine.exec_output(cid, ["true"]), 10)
    assert code == 0
    assert time.monotonic() - t < 5


async def test_archive_of_a_missing_path(engine: Engine, cleanup, labels):
    cid = await engine.create(RunSpec(image=WHALESAY, name=cleanup.name("nopath"), labels=labels, start=False))
    with pytest.raises(EngineError) as info:
        await collect(engine.get_archive(cid, "/no/such/path"))
    assert info.value.kind is ErrorKind.NOT_FOUND
    assert "/no/such/path" in info.value.message


async def test_finished_streams_are_not_kept(engine: Engine, cleanup, labels):
    cid = await run_to_end(engine, cleanup, labels, "echo one")
    for _ in range(5):
        assert split_streams(await collect(engine.logs(cid, follow=False)))[0] == b"one\n"
    engine.logs(cid, follow=False)
    assert len(engine._streams) == 1  # only the one not yet finished
