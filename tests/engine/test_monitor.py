"""The monitor on the real engine: one list, then events; rows that contradict their
event are asked for again; an engine that goes away and comes back is re-listed."""

from __future__ import annotations

import asyncio

from desktop.engine.client import Engine
from desktop.engine.monitor import RECHECK_DELAYS, Monitor
from desktop.engine.states import State
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
        await until(lambda: (len(rec.lists) >= 2 and any(c.name == "later" for c in rec.lists[-1].values()))
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


# -- requests for news only ---------------------------------------------------------
def container_event(cid: str, action: str, **attributes: str) -> dict:
    return {"Type": "container", "Action": action, "Actor": {"ID": cid, "Attributes": attributes}}


def asked_about(engine: Engine, cid: str) -> int:
    """One-container list requests sent about ``cid`` so far."""
    return sum(1 for m, p, q in list(engine.request_log) if p == "/containers/json" and cid in q)


async def test_a_kill_costs_no_request(engine: Engine, cleanup):
    """A signal changes no row; if the process dies of it, a ``die`` follows."""
    rec = Recorder()
    mon = Monitor(engine, rec)
    cid = await asyncio.to_thread(cleanup.run, "--name", cleanup.name("kill"), WHALESAY, "sleep", "300")
    engine.request_log.clear()
    await mon._apply([container_event(cid, "kill", signal="15")])
    assert asked_about(engine, cid) == 0 and not rec.changes
    assert rec.events and rec.events[-1]["Action"] == "kill"  # still passed on


async def test_a_stop_right_after_an_agreeing_die_costs_nothing(engine: Engine, cleanup):
    rec = Recorder()
    mon = Monitor(engine, rec)
    name = cleanup.name("stop")
    cid = await asyncio.to_thread(cleanup.run, "--name", name, WHALESAY, "sleep", "300")
    await asyncio.to_thread(docker, "stop", "-t", "0", name)
    engine.request_log.clear()
    await mon._apply([container_event(cid, "die", exitCode="137")])
    assert asked_about(engine, cid) == 1 and rec.changes[-1][1].state is State.EXITED
    await mon._apply([container_event(cid, "stop")])
    assert asked_about(engine, cid) == 1, "the stop asked for the row the die had brought"
    # only right after a die: a stop after anything else is asked about
    await mon._apply([container_event(cid, "update")])
    await mon._apply([container_event(cid, "stop")])
    assert asked_about(engine, cid) == 3


async def test_events_that_come_while_a_row_is_fetched_cost_one_more_fetch(engine: Engine, cleanup):
    rec = Recorder()
    mon = Monitor(engine, rec)
    name = cleanup.name("burst")
    cid = await asyncio.to_thread(cleanup.run, "--name", name, WHALESAY, "sleep", "300")
    engine.request_log.clear()
    async with asyncio.TaskGroup() as tasks:
        mon._tasks = tasks
        mon._dispatch([container_event(cid, "start")])
        await asyncio.sleep(0)  # its fetch is on its way
        for action in ("update", "health_status: healthy", "update"):
            mon._dispatch([container_event(cid, action)])
    assert asked_about(engine, cid) == 2
    assert [c.name for i, c in rec.changes if i == cid] == [name, name]


async def test_a_docker_stop_asks_for_news_only(engine: Engine, cleanup):
    """``docker stop`` sends kill (SIGTERM), a second later kill (SIGKILL) and die, then
    stop. The kills and the stop cost nothing; the die costs its fetch and the
    rechecks until the engine's list shows the exit (it lags the event)."""
    counts: dict[str, int] = {}

    class Counting(Recorder):
        def event(self, event):
            super().event(event)
            if (event.get("Actor") or {}).get("ID") == cid:
                counts.setdefault(event["Action"], asked_about(engine, cid))

        def container_changed(self, ident, container):
            super().container_changed(ident, container)
            if ident == cid and container is not None and container.state is State.EXITED:
                counts.setdefault("exited row", asked_about(engine, cid))

    rec = Counting()
    name = cleanup.name("dstop")
    cid = await asyncio.to_thread(cleanup.run, "--name", name, WHALESAY, "sleep", "300")
    task = asyncio.create_task(Monitor(engine, rec).run())
    try:
        await until(lambda: rec.lists)
        engine.request_log.clear()
        await asyncio.to_thread(docker, "stop", "-t", "1", name)
        await until(lambda: "exited row" in counts)
        await asyncio.sleep(1.0)  # anything still to come
        assert {"kill", "die", "stop"} <= set(counts), counts
        assert counts["die"] == counts["kill"] == 0, f"a kill was asked about: {counts}"
        assert asked_about(engine, cid) == counts["exited row"], f"asked again after the exit showed: {counts}"
        assert asked_about(engine, cid) <= 1 + len(RECHECK_DELAYS)
    finally:
        task.cancel()


async def test_a_burst_is_one_full_list(engine: Engine, cleanup, monkeypatch):
    """Above RELIST_THRESHOLD containers in one batch, one full list answers them all;
    a row of the list that contradicts its event is asked for again on its own."""
    from desktop.engine import monitor

    monkeypatch.setattr(monitor, "RELIST_THRESHOLD", 2)
    names = [cleanup.name("many") for _ in range(3)]
    ids = [docker("create", *cleanup.label_args(), "--name", n, WHALESAY).strip() for n in names]
    rec = Recorder()
    mon = Monitor(engine, rec)
    engine.request_log.clear()
    # a created container that no pause will ever make paused: its row contradicts the event
    await mon._apply([container_event(ids[0], "update"), container_event(ids[1], "update"),
                      container_event(ids[2], "pause")])
    full = [q for m, p, q in engine.request_log if p == "/containers/json" and "filters" not in q]
    assert len(full) == 1 and len(rec.lists) == 1 and set(ids) <= set(rec.lists[0])
    assert asked_about(engine, ids[0]) == asked_about(engine, ids[1]) == 0
    assert asked_about(engine, ids[2]) == len(RECHECK_DELAYS)


async def test_a_list_that_events_overtook_keeps_their_rows(engine: Engine, cleanup):
    """Refresh's list is held back on its way (as over a slow link) while a container is
    paused: the row the pause fetched is newer than the list's and stays."""
    rec = Recorder()
    mon = Monitor(engine, rec)
    name = cleanup.name("overtaken")
    cid = await asyncio.to_thread(cleanup.run, "--name", name, WHALESAY, "sleep", "300")
    task = asyncio.create_task(mon.run())
    try:
        await until(lambda: rec.lists and cid in rec.lists[-1])
        listed = asyncio.Event()
        real = engine.containers

        async def held_back():
            rows = await real()
            listed.set()
            await asyncio.sleep(1.0)
            return rows
        engine.containers = held_back
        mon.relist()
        await asyncio.wait_for(listed.wait(), 10)
        await asyncio.to_thread(docker, "pause", name)
        await until(lambda: any(i == cid and c is not None and c.paused for i, c in rec.changes))
        assert len(rec.lists) == 1, "the list came back too soon for this test"
        await until(lambda: len(rec.lists) == 2)
        assert rec.lists[-1][cid].state is State.PAUSED
    finally:
        task.cancel()
        await asyncio.to_thread(docker, "unpause", name, check=False)


async def test_a_destroy_while_its_row_is_fetched_is_the_last_word(engine: Engine, cleanup):
    """The row a fetch brings back after the container's destroy came must not bring the
    container back."""
    rec = Recorder()
    mon = Monitor(engine, rec)
    cid = await asyncio.to_thread(cleanup.run, "--name", cleanup.name("gone"), WHALESAY, "sleep", "300")
    async with asyncio.TaskGroup() as tasks:
        mon._tasks = tasks
        mon._dispatch([container_event(cid, "update")])
        await asyncio.sleep(0)  # its fetch is on its way (the container is still there)
        mon._dispatch([container_event(cid, "destroy")])
    assert [c for i, c in rec.changes if i == cid] == [None]
    assert asked_about(engine, cid) == 1


def test_what_a_pause_or_an_unpause_makes_certain_in_docker_ps_words():
    """The row shown before the engine's list has the change, in docker ps's own text;
    nothing is predicted for events whose words come from the engine."""
    from desktop.engine.monitor import predicted_row
    from desktop.engine.records import Container
    from desktop.engine.states import State

    up = Container("c1", ("/web",), "httpd", "sha256:1", "httpd", 0, State.RUNNING, "Up 5 minutes (healthy)")
    paused = predicted_row(up, {"Type": "container", "Action": "pause", "Actor": {"ID": "c1"}})
    assert paused is not None and paused.state is State.PAUSED and paused.status == "Up 5 minutes (Paused)"
    again = predicted_row(paused, {"Type": "container", "Action": "unpause", "Actor": {"ID": "c1"}})
    assert again is not None and again.state is State.RUNNING and again.status == "Up 5 minutes"
    for action in ("die", "start", "stop", "kill", "rename", "pause"):
        row = paused if action == "pause" else up  # a pause of a paused container says nothing new
        if action in ("die", "start", "stop", "kill", "rename") or row is paused:
            assert predicted_row(row, {"Type": "container", "Action": action, "Actor": {"ID": "c1"}}) is None


class Knowing(Recorder):
    """A Recorder that answers ``known`` as the store does: the last row it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict = {}

    def containers_listed(self, containers):
        super().containers_listed(containers)
        self.rows = {c.id: c for c in containers}

    def container_changed(self, ident, container):
        super().container_changed(ident, container)
        self.rows[ident] = container

    def known(self, ident):
        return self.rows.get(ident)


async def test_events_that_come_while_a_burst_is_gathered_show_at_once(engine: Engine, cleanup):
    """A pause and an unpause inside one gathering wait each show their row before the
    burst is dispatched (the listener hears of the events only at dispatch)."""
    rec = Knowing()
    name = cleanup.name("gather")
    cid = await asyncio.to_thread(cleanup.run, "--name", name, WHALESAY, "sleep", "300")
    task = asyncio.create_task(Monitor(engine, rec, coalesce=30.0).run())
    try:
        await until(lambda: cid in rec.rows)
        await asyncio.to_thread(docker, "pause", name)
        await until(lambda: rec.rows[cid].state is State.PAUSED)
        await asyncio.to_thread(docker, "unpause", name)
        await until(lambda: rec.rows[cid].state is State.RUNNING)
        assert not [e for e in rec.events if e.get("Actor", {}).get("ID") == cid], \
            "the rows came from the gathered events' dispatch, not from the events themselves"
        assert [c.state for i, c in rec.changes if i == cid][-2:] == [State.PAUSED, State.RUNNING]
    finally:
        task.cancel()


async def test_a_row_asked_for_before_an_event_does_not_replace_the_row_it_gave(engine: Engine, cleanup):
    """A pause's fetch is on its way when an unpause comes and shows its row: the
    fetched row is older than that one and is not handed on."""
    rec = Knowing()
    mon = Monitor(engine, rec)
    name = cleanup.name("stale")
    cid = await asyncio.to_thread(cleanup.run, "--name", name, WHALESAY, "sleep", "300")
    await asyncio.to_thread(docker, "pause", name)
    rec.rows[cid] = await engine.container(cid)
    async with asyncio.TaskGroup() as tasks:
        mon._tasks = tasks
        mon._dispatch([container_event(cid, "pause")])
        await asyncio.sleep(0)  # its fetch is on its way
        mon._predict_all([container_event(cid, "unpause")])
    states = [c.state for i, c in rec.changes if i == cid]
    assert states == [State.RUNNING], "the paused row fetched before the unpause replaced its row"
    await asyncio.to_thread(docker, "unpause", name)
