"""A live picture of an engine: one list of each kind, then the event stream.

:class:`Monitor` lists containers and images once, then follows the engine's events:
an event about a container fetches that one container's list row (one filtered list
request, never an inspect), so a container that stops changes one row; a burst of
events is coalesced; image events relist images (one request). With nothing
happening it sends nothing. When the engine goes away it says so, retries with
backoff, and on return lists everything again (the receiver diffs).

The receiver is any object with the methods of :class:`Listener`; the Qt layer turns
them into signals.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from desktop import log
from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.records import Container, EngineInfo, Image

#: container actions that change what ``docker ps -a`` shows
CONTAINER_ACTIONS = frozenset({
    "create", "start", "restart", "stop", "die", "kill", "pause", "unpause", "rename",
    "destroy", "oom", "update", "health_status", "health_status: healthy",
    "health_status: unhealthy", "health_status: starting",
})
IMAGE_ACTIONS = frozenset({"pull", "push", "tag", "untag", "delete", "import", "load", "save", "build", "prune"})
#: above this many containers touched in one burst, one full list is cheaper
RELIST_THRESHOLD = 24


class Listener(Protocol):
    def connected(self, info: EngineInfo) -> None: ...
    def disconnected(self, error: EngineError, retry_in: float) -> None: ...
    def containers_listed(self, containers: list[Container]) -> None: ...
    def container_changed(self, ident: str, container: Container | None) -> None: ...
    def images_listed(self, images: list[Image]) -> None: ...
    def event(self, event: dict) -> None: ...


class Monitor:
    def __init__(self, engine: Engine, listener: Listener, *, coalesce: float = 0.03,
                 backoff: tuple[float, float] = (0.5, 8.0)) -> None:
        self.engine = engine
        self.listener = listener
        self.coalesce = coalesce
        self.backoff_min, self.backoff_max = backoff
        self.connected = False
        self._wake = asyncio.Event()

    def retry_now(self) -> None:
        """Cut the current back-off wait short (the user pressed Refresh)."""
        self._wake.set()

    async def run(self) -> None:
        delay = self.backoff_min
        while True:
            try:
                await self._session()
                err = EngineError(ErrorKind.UNREACHABLE, "The Docker engine closed the connection.")
            except EngineError as exc:
                err = exc
            except asyncio.CancelledError:
                raise
            if self.connected:
                delay = self.backoff_min
            self.connected = False
            self.engine.reset_connection()
            log.engine.info("engine unavailable (%s); retrying in %.1fs", err.message, delay)
            self.listener.disconnected(err, delay)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass
            delay = min(delay * 2, self.backoff_max)

    async def _session(self) -> None:
        info = await self.engine.connect()
        # Subscribe before listing, so nothing that happens during the list is missed.
        pump = self.engine.events(since=None)
        pump.start()
        try:
            await pump.opened()
            containers, images = await asyncio.gather(self.engine.containers(), self.engine.images())
            self.connected = True
            self.listener.connected(info)
            self.listener.containers_listed(containers)
            self.listener.images_listed(images)
            async for batch in pump.batches():
                if self.coalesce:
                    await asyncio.sleep(self.coalesce)  # let the rest of a burst arrive
                    batch = batch + pump.take_nowait()
                await self._apply(batch)
        finally:
            pump.close()

    async def _apply(self, events: list[dict]) -> None:
        touched: dict[str, dict] = {}  # id -> its last event
        images = False
        for ev in events:
            kind = ev.get("Type")
            action = _action(ev)
            try:
                self.listener.event(ev)
            except Exception:  # a listener bug must not stop the monitor
                log.engine.exception("event listener failed")
            if kind == "container" and (action in CONTAINER_ACTIONS or action.startswith("health_status")):
                ident = (ev.get("Actor") or {}).get("ID") or ev.get("id")
                if ident:
                    touched.pop(ident, None)  # keep the order of the last action
                    touched[ident] = ev
            elif kind == "image" and action in IMAGE_ACTIONS:
                images = True
        gone = {i for i, ev in touched.items() if _action(ev) == "destroy"}
        if len(touched) > RELIST_THRESHOLD:
            listed = [c for c in await self.engine.containers() if c.id not in gone]
            self.listener.containers_listed(listed)
            rows = {c.id: c for c in listed}
            stale = {i: ev for i, ev in touched.items() if i not in gone and not _agrees(ev, rows.get(i))}
        else:
            stale = {}
            for ident, ev in touched.items():
                if ident in gone:  # the event is the news: nothing to ask
                    self.listener.container_changed(ident, None)
                    continue
                row = await self.engine.container(ident)
                self.listener.container_changed(ident, row)
                if not _agrees(ev, row):
                    stale[ident] = ev
        await self._recheck(stale)
        if images:
            self.listener.images_listed(await self.engine.images())

    async def _recheck(self, stale: dict[str, dict]) -> None:
        """The engine sends some events (``die`` above all) a moment before its list
        shows the change. Ask again, briefly, for the rows that still contradict their
        event; a later event for the same container settles it anyway."""
        for delay in RECHECK_DELAYS:
            if not stale:
                return
            await asyncio.sleep(delay)
            for ident, ev in list(stale.items()):
                row = await self.engine.container(ident)
                self.listener.container_changed(ident, row)
                if _agrees(ev, row):
                    del stale[ident]
        if stale:
            log.engine.debug("rows still differ from their last event: %s", sorted(stale))


#: waits before asking the engine again about a row that contradicts its event
RECHECK_DELAYS = (0.05, 0.1, 0.2, 0.4)


def _action(ev: dict) -> str:
    return (ev.get("Action") or ev.get("status") or "").split(":")[0].strip()


def _agrees(ev: dict, row: Container | None) -> bool:
    """Whether a container's list row can be the state its last event describes."""
    action = _action(ev)
    if row is None:
        return action == "destroy"
    if action in ("die", "stop", "oom"):
        return row.state != "running" or row.status.startswith("Restarting")
    if action in ("start", "restart", "unpause"):
        return row.state != "created" and row.state != "paused"
    if action == "pause":
        return row.state == "paused"
    if action == "rename":
        name = (ev.get("Actor") or {}).get("Attributes", {}).get("name", "")
        return not name or row.name == name.lstrip("/")
    return True
