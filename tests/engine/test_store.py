"""The store, fed by a real Monitor on the real engine: notifications as containers
come, change and go; the questions dialogs ask; Refresh through the Monitor; a reset
when the engine comes back. The diffing itself is tested on records made by hand."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from desktop.engine.client import Engine
from desktop.engine.records import Container, Image, Port
from desktop.engine.states import State
from desktop.engine.store import Containers, EngineStore, Images, engine_key
from tests.conftest import WHALESAY, docker
from tests.engine.conftest import free_port


async def until(pred, timeout=10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not pred():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


class Seen:
    """What a subscriber of one record store is told, in order."""

    def __init__(self, records) -> None:
        self.calls: list[tuple[str, list]] = []
        records.subscribe(added=lambda rs: self.calls.append(("added", list(rs))),
                          changed=lambda rs: self.calls.append(("changed", list(rs))),
                          removed=lambda ids: self.calls.append(("removed", list(ids))),
                          reset=lambda rs: self.calls.append(("reset", list(rs))))

    def about(self, ident: str) -> list[tuple[str, object]]:
        """(kind, record or id) of every notification that named ``ident``."""
        out = []
        for kind, items in self.calls:
            for item in items:
                if item == ident or getattr(item, "id", None) == ident:
                    out.append((kind, item))
        return out

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.calls]


async def test_a_container_s_life_in_the_store(engine: Engine, cleanup):
    store = EngineStore(engine)
    seen = Seen(store.containers)
    task = asyncio.create_task(store.follow())
    try:
        await until(lambda: store.is_connected and "reset" in seen.kinds())
        assert store.containers.engine == store.key == engine_key(engine) == engine.host
        name, port = cleanup.name("life"), free_port()
        assert not store.containers.name_in_use(name)
        cid = (await asyncio.to_thread(docker, "create", *cleanup.label_args(), "--name", name,
                                       "-p", f"127.0.0.1:{port}:80", WHALESAY, "sleep", "300")).strip()
        await until(lambda: cid in store.containers)
        assert seen.about(cid)[0][0] == "added"
        c = store.containers.get(cid)
        assert c is not None and c.state is State.CREATED
        assert store.containers.name_in_use(name) and store.containers.name_in_use("/" + name)
        assert store.containers.find(name) is c and store.containers.find(cid[:12]) is c
        assert not store.containers.is_running(name) and (port, "tcp") not in store.containers.published_ports()

        await asyncio.to_thread(docker, "start", name)
        await until(lambda: store.containers.is_running(cid))
        assert seen.about(cid)[-1][0] == "changed" and seen.about(cid)[-1][1].state is State.RUNNING
        assert [u.id for u in store.containers.published_ports()[(port, "tcp")]] == [cid]

        new = cleanup.name("renamed")
        await asyncio.to_thread(docker, "rename", name, new)
        await until(lambda: store.containers.name_in_use(new))
        assert not store.containers.name_in_use(name) and store.containers.find(new).id == cid

        await asyncio.to_thread(docker, "stop", "-t", "0", new)
        await until(lambda: store.containers.get(cid).state is State.EXITED)
        assert not store.containers.is_running(new) and (port, "tcp") not in store.containers.published_ports()

        await asyncio.to_thread(docker, "rm", new)
        await until(lambda: cid not in store.containers)
        assert seen.about(cid)[-1] == ("removed", cid)
        assert store.containers.find(new) is None and not store.containers.name_in_use(new)
        assert "reset" not in seen.kinds()[1:], "one container's changes reset the store"
    finally:
        task.cancel()


async def test_images_in_the_store(engine: Engine, cleanup, private_image):
    store = EngineStore(engine)
    seen = Seen(store.images)
    task = asyncio.create_task(store.follow())
    try:
        await until(lambda: "reset" in seen.kinds())
        assert WHALESAY in store.images.references() and private_image in store.images.references()
        mine = next(i for i in store.images if private_image in i.repo_tags)
        assert store.images.engine == store.key
        extra = cleanup.image(private_image.rsplit(":", 1)[0] + ":another")
        await asyncio.to_thread(docker, "tag", private_image, extra)
        await until(lambda: extra in store.images.references())
        assert seen.about(mine.id)[-1][0] == "changed"  # the same image, with one tag more
        assert set(store.images.get(mine.id).repo_tags) == {private_image, extra}
        await asyncio.to_thread(docker, "rmi", private_image, extra)
        await until(lambda: mine.id not in store.images)
        assert seen.about(mine.id)[-1] == ("removed", mine.id)
        assert private_image not in store.images.references()
    finally:
        task.cancel()


async def test_refresh_lists_again_through_the_monitor(engine: Engine, cleanup):
    store = EngineStore(engine)
    lists: list[int] = []
    store.containers.subscribe(reset=lambda rs: lists.append(len(rs)))
    task = asyncio.create_task(store.follow())
    try:
        await until(lambda: lists and store.monitor._tasks is not None)
        engine.request_log.clear()
        store.relist()
        store.relist()  # asked for twice before it is sent: that one list answers both
        await asyncio.sleep(0)  # on its way
        store.relist()  # asked for again meanwhile: one more list after it, not two
        store.relist()
        await until(lambda: sum(1 for m, p, q in list(engine.request_log) if p == "/images/json") >= 2)
        await asyncio.sleep(0.3)
        sent = [(p, parse_qs(q)) for m, p, q in list(engine.request_log)]
        full = [p for p, q in sent if p == "/containers/json" and "filters" not in q]
        assert len(full) == 2
        assert lists == [lists[0]], "a relist reset the store instead of diffing into it"
    finally:
        task.cancel()


async def test_the_store_starts_over_when_the_engine_comes_back(private_engine):
    eng = private_engine
    engine = Engine(host=eng.host)
    store = EngineStore(engine)
    store.monitor.backoff_min = store.monitor.backoff_max = 30.0  # only a relist retries soon
    seen = Seen(store.containers)
    task = asyncio.create_task(store.follow())
    try:
        cid = (await asyncio.to_thread(eng.docker, "create", "--name", "before", WHALESAY)).strip()
        await until(lambda: cid in store.containers)
        await asyncio.to_thread(eng.stop)
        await until(lambda: not store.is_connected, timeout=15)
        assert cid in store.containers, "what the engine last showed is kept while it is away"
        await asyncio.to_thread(eng.start)
        later = (await asyncio.to_thread(eng.docker, "create", "--name", "later", WHALESAY)).strip()
        store.relist()  # while away: try again now, not after the back-off
        await until(lambda: store.is_connected and later in store.containers, timeout=10)
        assert seen.kinds().count("reset") == 2 and seen.kinds()[-1] == "reset"
        assert {c.id for c in seen.calls[-1][1]} >= {cid, later}
    finally:
        task.cancel()
        await engine.close()


# -- the store's own rules, on records made by hand ---------------------------------------
def row(ident: str, name: str, state: str = "running", status: str = "Up 1 second",
        ports: tuple[Port, ...] = ()) -> Container:
    return Container(id=ident, names=("/" + name,), image="x", image_id="", command="", created=0,
                     state=State.of(state), status=status, ports=ports)


def test_a_list_is_diffed_into_added_changed_removed():
    cs = Containers("unix:///test.sock")
    seen = Seen(cs)
    a, b, c = row("a" * 64, "a"), row("b" * 64, "b"), row("c" * 64, "c")
    cs._reset([a, b])
    cs._replace([row("a" * 64, "a", "exited", "Exited (0)"), b, c])
    cs._replace([row("a" * 64, "a", "exited", "Exited (0)"), b, c])  # nothing new: nothing said
    cs._set(b.id, None)
    cs._set(b.id, None)
    assert seen.kinds() == ["reset", "changed", "added", "removed"]
    assert [r.id for r in seen.calls[1][1]] == [a.id] and seen.calls[2][1] == [c] and seen.calls[3][1] == [b.id]
    assert cs.version == 3 and len(cs) == 2 and cs.engine == "unix:///test.sock"


def test_a_failing_subscriber_does_not_keep_the_others_stale():
    cs = Containers("k")

    def broken(_records) -> None:
        raise RuntimeError("a view's bug")
    cs.subscribe(added=broken)
    seen = Seen(cs)
    calls: list[object] = []
    stop = cs.subscribe(added=calls.append)
    cs._set("a" * 64, row("a" * 64, "a"))
    stop()
    cs._set("b" * 64, row("b" * 64, "b"))
    assert seen.kinds() == ["added", "added"] and len(calls) == 1 and len(cs) == 2


def test_lookups_follow_the_docker_cli():
    cs = Containers("k")
    web = row("ab" + "0" * 62, "web", ports=(Port(80, "tcp", "0.0.0.0", 8080), Port(80, "tcp", "::", 8080)))
    db = row("ac" + "0" * 62, "ab", "exited", "Exited (0)")
    cs._reset([web, db])
    assert cs.find(web.id) is web and cs.find("web") is web and cs.find("/web") is web
    assert cs.find("ab") is db, "a name wins over an id prefix"
    assert cs.find("a") is None, "an id prefix of two containers names neither"
    assert cs.find("ac0") is db and cs.find("") is None
    assert cs.published_ports() == {(8080, "tcp"): (web,)}
    assert cs.is_running("web") and not cs.is_running("ab") and not cs.is_running("nothing")


def test_image_references():
    images = Images("k")
    images._reset([Image("sha256:1", ("b:1", "a:2"), (), 0, 0), Image("sha256:2", (), ("c@sha256:f",), 0, 0)])
    assert images.references() == ["a:2", "b:1"]
