"""The monitor on the real engine: one list, then events; rows that contradict their
event are asked for again; an engine that goes away and comes back is re-listed."""

from __future__ import annotations

import asyncio

from desktop.engine.client import Engine
from desktop.engine.monitor import Monitor
from tests.conftest import WHALESAY, docker


class Recorder:
    """A Listener that keeps what it is told."""

    def __init__(self) -> None:
        self.infos, self.errors, self.lists, self.changes, self.images, self.events = [], [], [], [], [], []

    def connected(self, info):
        self.infos.append(info)

    def disconnected(self, error, retry_in):
        self.errors.append((error, retry_in))

    def containers_listed(self, containers):
        self.lists.append({c.id: c for c in containers})

    def container_changed(self, ident, container):
        self.changes.append((ident, container))

    def images_listed(self, images):
        self.images.append(images)

    def event(self, event):
        self.events.append(event)


async def until(pred, timeout=10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not pred():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_list_then_events_then_one_row(engine: Engine, cleanup):
    rec = Recorder()
    task = asyncio.create_task(Monitor(engine, rec).run())
    try:
        await until(lambda: rec.lists)
        name = cleanup.name("mon")
        cid = (await asyncio.to_thread(cleanup.run, "--name", name, WHALESAY, "sleep", "300"))
        await until(lambda: any(i == cid and c is not None and c.state == "running" for i, c in rec.changes))
        assert len(rec.lists) == 1, "an event about one container relisted everything"
        await asyncio.to_thread(docker, "rm", "-f", name)
        await until(lambda: (cid, None) in rec.changes)
    finally:
        task.cancel()


async def test_a_row_that_contradicts_its_event_is_asked_for_again(engine: Engine, cleanup):
    """The engine's list lags its ``die`` event by up to a few hundred milliseconds; the
    monitor asks again until the row agrees (here it never will: the event is made
    up for a container that keeps running), a bounded number of times."""
    rec = Recorder()
    mon = Monitor(engine, rec)
    name = cleanup.name("lag")
    cid = await asyncio.to_thread(cleanup.run, "--name", name, WHALESAY, "sleep", "300")
    die = {"Type": "container", "Action": "die", "Actor": {"ID": cid, "Attributes": {"name": name}}}
    engine.request_log.clear()
    await mon._apply([die])
    asked = [q for m, p, q in engine.request_log if p == "/containers/json" and cid in q]
    from desktop.engine.monitor import RECHECK_DELAYS

    assert len(asked) == 1 + len(RECHECK_DELAYS)
    assert all(c.state == "running" for i, c in rec.changes)
    # a row that agrees is asked for once
    await asyncio.to_thread(docker, "stop", "-t", "0", name)
    engine.request_log.clear()
    await mon._apply([die])
    asked = [q for m, p, q in engine.request_log if p == "/containers/json" and cid in q]
    assert len(asked) == 1 and rec.changes[-1][1].state == "exited"


async def test_engine_going_away_and_back_is_relisted(private_engine):
    eng = private_engine
    engine = Engine(host=eng.host)
    rec = Recorder()
    task = asyncio.create_task(Monitor(engine, rec, backoff=(0.2, 1.0)).run())
    try:
        await until(lambda: rec.lists)
        await asyncio.to_thread(eng.stop)
        await until(lambda: rec.errors, timeout=15)
        assert rec.errors[0][0].kind.name == "UNREACHABLE"
        await asyncio.to_thread(eng.start)
        await asyncio.to_thread(eng.docker, "create", "--name", "later", WHALESAY)
        await until(lambda: len(rec.lists) >= 2 and any(c.name == "later" for c in rec.lists[-1].values())
                    or any(c is not None and c.name == "later" for _, c in rec.changes), timeout=30)
        assert len(rec.infos) >= 2
    finally:
        task.cancel()
        await engine.close()


async def test_an_ssh_engine_that_does_not_answer_says_so(docker_engine):
    """ssh:// engines go through the system's ssh client, as with the docker CLI."""
    from desktop.engine.errors import EngineError, ErrorKind

    engine = Engine(host="ssh://nobody@127.0.0.1:1")
    try:
        try:
            await engine.connect()
        except EngineError as exc:
            assert exc.kind is ErrorKind.UNREACHABLE
            assert "ssh://nobody@127.0.0.1:1" in exc.message
        else:
            raise AssertionError("connected to nothing")
    finally:
        await engine.close()
