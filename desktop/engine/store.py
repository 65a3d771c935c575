"""One engine's containers and images in memory, kept by its Monitor alone.

:class:`EngineStore` is the Monitor's :class:`~desktop.engine.monitor.Listener`: the
first list of a session replaces what it holds (``reset``), later lists are diffed
into ``added``/``changed``/``removed``, and one container's row is put in place. Every
call is then passed on to the ``forward`` listener, so the store can sit between the
Monitor and today's Qt bridge. Views subscribe with plain callbacks; dialogs ask it
questions (is this name taken, which host ports are published, which images are here)
from memory, without a request.

Keyed by engine. The key (:func:`engine_key`, the engine's host address) lives on each
:class:`RecordStore`, not in each record: the records are the engine's answers, made
by :class:`~desktop.engine.client.Engine`, which knows nothing of stores; a record
compared with its predecessor (the diff) compares what the engine said, nothing more;
and a view of two engines subscribes to two stores, each notification coming from a
store that says which engine it is. Volumes, networks or a second engine are one
more :class:`RecordStore` or one more :class:`EngineStore`, not a new mechanism.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from desktop import log
from desktop.engine.client import Engine
from desktop.engine.errors import EngineError
from desktop.engine.monitor import Event, Listener, Monitor
from desktop.engine.records import Container, EngineInfo, Image

R = TypeVar("R")
T = TypeVar("T")

#: which engine a store's records came from
EngineKey = str


def engine_key(engine: Engine) -> EngineKey:
    """The engine's host address: two contexts naming one host are one engine."""
    return engine.host


@dataclass(frozen=True, slots=True, eq=False)
class _Subscriber(Generic[R]):
    added: Callable[[Sequence[R]], None] | None
    changed: Callable[[Sequence[R]], None] | None
    removed: Callable[[Sequence[str]], None] | None
    reset: Callable[[Sequence[R]], None] | None


class RecordStore(Generic[R]):
    """One kind of record of one engine, by id.

    Notifications come after the store has changed, in batches (a relist of a thousand
    containers is one ``changed`` call, not a thousand): ``added(records)``,
    ``changed(records)`` (the new ones), ``removed(ids)``, ``reset(records)`` (all of
    them: forget what you had). A subscriber that fails is logged; the others are
    still told.
    """

    def __init__(self, engine: EngineKey, ident: Callable[[R], str]) -> None:
        self.engine = engine
        #: counts the changes; a cache of the store is current while it is unchanged
        self.version = 0
        self._ident = ident
        self._by_id: dict[str, R] = {}
        self._subscribers: list[_Subscriber[R]] = []

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[R]:
        return iter(list(self._by_id.values()))

    def __contains__(self, ident: object) -> bool:
        return ident in self._by_id

    def get(self, ident: str) -> R | None:
        return self._by_id.get(ident)

    def subscribe(self, *, added: Callable[[Sequence[R]], None] | None = None,
                  changed: Callable[[Sequence[R]], None] | None = None,
                  removed: Callable[[Sequence[str]], None] | None = None,
                  reset: Callable[[Sequence[R]], None] | None = None) -> Callable[[], None]:
        """Be told of changes; returns the function that stops it."""
        sub = _Subscriber(added, changed, removed, reset)
        self._subscribers.append(sub)

        def unsubscribe() -> None:
            if sub in self._subscribers:
                self._subscribers.remove(sub)
        return unsubscribe

    # -- fed by EngineStore --------------------------------------------------------
    def _reset(self, records: Sequence[R]) -> None:
        self._by_id = {self._ident(r): r for r in records}
        self.version += 1
        self._emit(lambda s: s.reset, list(self._by_id.values()))

    def _replace(self, records: Sequence[R]) -> None:
        old, new = self._by_id, {self._ident(r): r for r in records}
        removed = [i for i in old if i not in new]
        added: list[R] = []
        changed: list[R] = []
        for i, r in new.items():
            before = old.get(i)
            if before is None:
                added.append(r)
            elif before != r:
                changed.append(r)
        if not (removed or added or changed):
            return
        self._by_id = new
        self.version += 1
        if removed:
            self._emit(lambda s: s.removed, removed)
        if changed:
            self._emit(lambda s: s.changed, changed)
        if added:
            self._emit(lambda s: s.added, added)

    def _set(self, ident: str, record: R | None) -> None:
        if record is None:
            if ident in self._by_id:
                del self._by_id[ident]
                self.version += 1
                self._emit(lambda s: s.removed, [ident])
            return
        ident = self._ident(record)
        before = self._by_id.get(ident)
        if before == record:
            return
        self._by_id[ident] = record
        self.version += 1
        if before is None:
            self._emit(lambda s: s.added, [record])
        else:
            self._emit(lambda s: s.changed, [record])

    def _emit(self, pick: Callable[[_Subscriber[R]], Callable[[T], None] | None], arg: T) -> None:
        for sub in list(self._subscribers):
            fn = pick(sub)
            if fn is None:
                continue
            try:
                fn(arg)
            except Exception:  # one view's bug must not keep the others stale
                log.engine.exception("a store subscriber failed")


def _container_id(c: Container) -> str:
    return c.id


def _image_id(i: Image) -> str:
    return i.id


class Containers(RecordStore[Container]):
    """``docker ps -a``, with the questions a dialog asks of it."""

    def __init__(self, engine: EngineKey) -> None:
        super().__init__(engine, _container_id)
        self._names: dict[str, str] = {}
        self._names_version = -1

    def find(self, ident: str) -> Container | None:
        """A container by full id, else by name, else by an id prefix that only one
        container has (the docker CLI's order)."""
        found = self._by_id.get(ident)
        if found is not None:
            return found
        by_name = self._name_index().get(ident.removeprefix("/"))
        if by_name is not None:
            return self._by_id[by_name]
        if not ident:
            return None
        matches = [c for i, c in self._by_id.items() if i.startswith(ident)]
        return matches[0] if len(matches) == 1 else None

    def name_in_use(self, name: str) -> bool:
        """Whether a container has this name (with or without the leading slash)."""
        return name.removeprefix("/") in self._name_index()

    def is_running(self, ident: str) -> bool:
        """Whether the container (id, name or prefix) runs or is restarting."""
        c = self.find(ident)
        return c is not None and c.running

    def published_ports(self) -> dict[tuple[int, str], tuple[Container, ...]]:
        """Host ports containers publish, as ``(port, protocol)`` to the containers
        publishing it (a port bound on both 0.0.0.0 and :: is one entry). The engine
        lists ports of running containers only: a stopped container's are not here."""
        found: dict[tuple[int, str], dict[str, Container]] = {}
        for c in self._by_id.values():
            for p in c.ports:
                if p.public_port:
                    found.setdefault((p.public_port, p.type), {})[c.id] = c
        return {key: tuple(users.values()) for key, users in found.items()}

    def _name_index(self) -> dict[str, str]:
        if self._names_version != self.version:
            self._names = {c.name: c.id for c in self._by_id.values() if c.name}
            self._names_version = self.version
        return self._names


class Images(RecordStore[Image]):
    """``docker images``, with the questions a dialog asks of it."""

    def __init__(self, engine: EngineKey) -> None:
        super().__init__(engine, _image_id)

    def references(self) -> list[str]:
        """The local ``repository:tag`` references, sorted (dangling images have none)."""
        return sorted({tag for image in self._by_id.values() for tag in image.repo_tags})


class EngineStore:
    """One engine's records, fed only by its own :class:`Monitor` (``self.monitor``),
    whose Listener it is. While the engine is away the records stay as they were last
    seen (``is_connected`` says so); the first lists after it is back are a ``reset``."""

    def __init__(self, engine: Engine, *, forward: Listener | None = None) -> None:
        self.key = engine_key(engine)
        self.containers = Containers(self.key)
        self.images = Images(self.key)
        self.info: EngineInfo | None = None
        self.is_connected = False
        self.monitor = Monitor(engine, self)
        self._forward = forward
        self._fresh_containers = self._fresh_images = True

    async def follow(self) -> None:
        """Follow the engine until cancelled (the Monitor's run)."""
        await self.monitor.run()

    def relist(self) -> None:
        """Ask the Monitor to list everything again (Refresh); when the engine is away,
        to try it again at once."""
        self.monitor.relist()

    # -- the Monitor's Listener ------------------------------------------------------
    def connected(self, info: EngineInfo) -> None:
        self.info = info
        self.is_connected = True
        self._fresh_containers = self._fresh_images = True
        if self._forward is not None:
            self._forward.connected(info)

    def disconnected(self, error: EngineError, retry_in: float) -> None:
        self.is_connected = False
        if self._forward is not None:
            self._forward.disconnected(error, retry_in)

    def containers_listed(self, containers: list[Container]) -> None:
        if self._fresh_containers:
            self._fresh_containers = False
            self.containers._reset(containers)
        else:
            self.containers._replace(containers)
        if self._forward is not None:
            self._forward.containers_listed(containers)

    def known(self, ident: str) -> Container | None:
        """The row the store holds for ``ident`` (the Monitor shows what an event makes
        certain on top of it)."""
        return self.containers.get(ident)

    def container_changed(self, ident: str, container: Container | None) -> None:
        self.containers._set(ident, container)
        if self._forward is not None:
            self._forward.container_changed(ident, container)

    def images_listed(self, images: list[Image]) -> None:
        if self._fresh_images:
            self._fresh_images = False
            self.images._reset(images)
        else:
            self.images._replace(images)
        if self._forward is not None:
            self._forward.images_listed(images)

    def event(self, event: Event) -> None:
        if self._forward is not None:
            self._forward.event(event)
