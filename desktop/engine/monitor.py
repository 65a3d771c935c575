"""A live picture of an engine: one list of each kind, then the event stream.

:class:`Monitor` lists containers and images once, then follows the engine's events:
an event about a container fetches that one container's list row (one filtered list
request, never an inspect), so a container that stops changes one row; image events
relist images (one request). With nothing happening it sends nothing. When the engine
goes away it says so, retries with backoff, and on return lists everything again.

Requests are spent on news only. A container's row is fetched at once on its first
event; events for it that come while that fetch (or a recheck, below) is under way cost
one more fetch when it returns, however many they are. Events that cannot change a row
cost nothing. Measured on Docker 20.10 (``python -m tests.benchmarks.run monitor``, means
of ten runs): one ``docker stop -t 1`` sent 3.9 one-container list requests (``kill``;
``kill`` and ``die``; rechecks; ``stop``), now 2.6 (``die`` and its rechecks while the
engine's list lags the event); ``docker restart -t 0`` 3.7, now 3.2.

Every request is numbered when it is sent, and what it brings is handed on only if
nothing newer about the same rows was handed on meanwhile: a full list (Refresh) that
events overtook while it was on its way keeps the rows those events fetched.

The receiver is any object with the methods of :class:`Listener`; the store
(:mod:`desktop.engine.store`) is one, and the Qt layer turns its calls into signals.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Literal, Protocol

from desktop import log
from desktop.engine import i18n
from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.payloads import EngineEvent
from desktop.engine.records import Container, EngineInfo, Image
from desktop.engine.states import State

#: one message of the engine's event stream
Event = EngineEvent

#: container actions that change what ``docker ps -a`` shows. ``kill`` is not one: it
#: sends a signal, and if the process dies of it a ``die`` follows (measured: every
#: ``docker stop`` sends a ``kill`` whose row is the row before it).
CONTAINER_ACTIONS = frozenset({
    "create", "start", "restart", "stop", "die", "pause", "unpause", "rename",
    "destroy", "oom", "update", "health_status", "health_status: healthy",
    "health_status: unhealthy", "health_status: starting",
})
#: an action that, right after one of these whose row already agreed with it, brings
#: nothing new: ``docker stop`` sends ``die`` and, about 85 ms later, ``stop``; the row
#: the ``die`` settled is the row the ``stop`` would fetch.
CONFIRMS: Mapping[str, frozenset[str]] = {"stop": frozenset({"die"})}
IMAGE_ACTIONS = frozenset({"pull", "push", "tag", "untag", "delete", "import", "load", "save", "build", "prune"})
#: above this many containers touched in one burst, one full list is cheaper
RELIST_THRESHOLD = 24
#: waits before asking the engine again about a row that contradicts its event
RECHECK_DELAYS = (0.05, 0.1, 0.2, 0.4)


class Listener(Protocol):
    def connected(self, info: EngineInfo) -> None: ...
    def disconnected(self, error: EngineError, retry_in: float) -> None: ...
    def containers_listed(self, containers: list[Container]) -> None: ...
    def container_changed(self, ident: str, container: Container | None) -> None: ...
    def images_listed(self, images: list[Image]) -> None: ...
    def event(self, event: Event) -> None: ...


class _Row(enum.Enum):
    UNKNOWN = 0  # not fetched yet


class _Track:
    """What the monitor knows of one container between its events."""

    __slots__ = ("_wake", "busy", "gone", "pending", "predicted", "predicted_at", "settled_by")

    def __init__(self) -> None:
        self.busy = False              # a fetch, a recheck or a full list is under way for it
        self.pending: Event | None = None  # the last event that came meanwhile
        self.settled_by = ""           # the action whose row agreed, with no event since
        self.gone = False              # destroyed: nothing more to ask
        self.predicted = False         # the row shown is what the event said, not yet the engine's list
        self.predicted_at = 0          # the number of the last row an event gave
        self._wake = asyncio.Event()

    def news(self, ev: Event | None = None) -> None:
        """An event (or the end) came: a recheck that waits asks at once."""
        if ev is not None:
            self.pending = ev
        self._wake.set()

    async def sleep(self, delay: float) -> None:
        """Wait ``delay`` seconds, or until :meth:`news`."""
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), delay)
        except TimeoutError:
            pass


class _Coalesced:
    """A job run at once when asked; asked again while it runs, it runs once more after
    (however many times it was asked)."""

    def __init__(self, job: Callable[[], Awaitable[None]]) -> None:
        self._job = job
        self.running = False
        self._again = False

    def ask(self, tasks: asyncio.TaskGroup) -> None:
        if self.running:
            self._again = True
            return
        self.running = True
        tasks.create_task(self._run())

    async def _run(self) -> None:
        try:
            while True:
                self._again = False
                await self._job()
                if not self._again:
                    return
        finally:
            self.running = False


class Monitor:
    def __init__(self, engine: Engine, listener: Listener, *, coalesce: float = 0.03,
                 backoff: tuple[float, float] = (0.5, 8.0)) -> None:
        self.engine = engine
        self.listener = listener
        self.coalesce = coalesce
        self.backoff_min, self.backoff_max = backoff
        self.connected = False
        self._wake = asyncio.Event()
        self._tasks: asyncio.TaskGroup | None = None  # the session's fetches
        self._stamp = 0     # requests are numbered in the order they are sent
        self._listed = 0    # the number of the full container list handed on last
        self._images_listed = 0
        #: rows handed on one at a time while a full list is on its way, for it to keep:
        #: (number, row or None if gone)
        self._rows: dict[str, tuple[int, Container | None]] = {}
        self._tracks: dict[str, _Track] = {}
        #: containers of a burst left to the next full list: (number when seen, event)
        self._after_list: dict[str, tuple[int, Event]] = {}
        self._containers_job = _Coalesced(self._list_containers)
        self._images_job = _Coalesced(self._list_images)

    def retry_now(self) -> None:
        """Cut the current back-off wait short."""
        self._wake.set()

    def relist(self) -> None:
        """List containers and images again (Refresh); when not connected, try to
        connect at once. A relist asked for while one is on its way runs once after it."""
        tasks = self._tasks
        if tasks is None or not self.connected:
            self.retry_now()
            return
        self._containers_job.ask(tasks)
        self._images_job.ask(tasks)

    async def run(self) -> None:
        delay = self.backoff_min
        while True:
            try:
                await self._session()
                err = EngineError(ErrorKind.UNREACHABLE, i18n.translate(
                    "Engine", "The Docker engine closed the connection."))
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
            except TimeoutError:
                pass
            delay = min(delay * 2, self.backoff_max)

    async def _session(self) -> None:
        info = await self.engine.connect()
        # Subscribe before listing, so nothing that happens during the list is missed.
        pump = self.engine.events(since=None)
        pump.start()
        try:
            await pump.opened()
            self._forget()
            stamp = self._next()
            containers, images = await asyncio.gather(self.engine.containers(), self.engine.images())
            self.connected = True
            self.listener.connected(info)
            self._hand_list(stamp, containers)
            self._hand_images(stamp, images)
            try:
                async with asyncio.TaskGroup() as tasks:
                    self._tasks = tasks
                    gathering: list[Event] = []  # a burst on its way, dispatched together
                    async for batch in pump.batches():
                        # What the events make certain shows at once, also for those that
                        # arrive while a burst is being gathered.
                        self._predict_all(batch)
                        if not self.coalesce:
                            self._dispatch(batch)
                        elif gathering:
                            gathering.extend(batch)
                        else:
                            gathering.extend(batch)
                            tasks.create_task(self._dispatch_later(gathering))
            except BaseExceptionGroup as group:  # a fetch failed: the engine went away
                raise _first(group) from None
            finally:
                self._tasks = None
        finally:
            pump.close()

    async def _dispatch_later(self, gathering: list[Event]) -> None:
        """Let the rest of a burst arrive, then dispatch it as one (the list is the
        session's, emptied here for the next burst)."""
        await asyncio.sleep(self.coalesce)
        burst = gathering[:]
        gathering.clear()
        self._dispatch(burst)

    async def _apply(self, events: Sequence[Event]) -> None:
        """Dispatch one batch and wait for all it leads to, rechecks included (the
        session does not wait: its fetches run side by side)."""
        async with asyncio.TaskGroup() as tasks:
            self._tasks = tasks
            self._dispatch(events)
        self._tasks = None

    def _forget(self) -> None:
        """A new session: what was known of the last one is not news any more."""
        for track in self._tracks.values():
            track.gone = True
        self._tracks.clear()
        self._rows.clear()
        self._after_list.clear()
        self._containers_job = _Coalesced(self._list_containers)
        self._images_job = _Coalesced(self._list_images)

    def _next(self) -> int:
        self._stamp += 1
        return self._stamp

    # -- events ---------------------------------------------------------------------
    def _dispatch(self, events: Sequence[Event]) -> None:
        tasks = self._tasks
        assert tasks is not None
        touched: dict[str, Event] = {}  # id -> its last event
        images = False
        for ev in events:
            try:
                self.listener.event(ev)
            except Exception:  # a listener bug must not stop the monitor
                log.engine.exception("event listener failed")
            kind, action = ev.get("Type"), _action(ev)
            if kind == "container" and (action in CONTAINER_ACTIONS or action.startswith("health_status")):
                ident = actor_id(ev)
                if ident:
                    touched.pop(ident, None)  # keep the order of the last action
                    touched[ident] = ev
            elif kind == "image" and action in IMAGE_ACTIONS:
                images = True
        burst = len(touched) > RELIST_THRESHOLD
        for ident, ev in touched.items():
            if _action(ev) == "destroy":
                self._destroyed(ident)
            elif burst:
                self._leave_to_list(ident, ev)
            else:
                self._touch(tasks, ident, ev)
        if burst:
            self._containers_job.ask(tasks)
        if images:
            self._images_job.ask(tasks)

    def _destroyed(self, ident: str) -> None:
        """The event is the news: nothing to ask."""
        track = self._tracks.pop(ident, None)
        if track is not None:
            track.gone = True
            track.news()
        self._after_list.pop(ident, None)
        self._hand_row(self._next(), ident, None)

    def _touch(self, tasks: asyncio.TaskGroup, ident: str, ev: Event) -> None:
        track = self._tracks.get(ident)
        if track is None:
            track = self._tracks[ident] = _Track()
        if track.busy:
            track.news(ev)
        elif track.settled_by not in CONFIRMS.get(_action(ev), ()):
            track.busy = True
            tasks.create_task(self._follow(ident, track, ev))

    def _predict_all(self, events: Sequence[Event]) -> None:
        """Show at once what an event itself says of a row, where that is certain
        (:func:`predicted_row`), before the wait that gathers a burst: the engine's list
        says the same a few milliseconds later, and its row then takes this one's place."""
        known = getattr(self.listener, "known", None)
        if known is None:
            return
        for ev in events:
            ident = actor_id(ev) if ev.get("Type") == "container" else ""
            row = known(ident) if ident else None
            predicted = predicted_row(row, ev) if row is not None else None
            if predicted is not None:
                track = self._tracks.get(ident)
                if track is None:
                    track = self._tracks[ident] = _Track()
                track.predicted = True
                track.predicted_at = self._next()
                self._hand_row(track.predicted_at, ident, predicted)

    def _leave_to_list(self, ident: str, ev: Event) -> None:
        track = self._tracks.get(ident)
        if track is None:
            track = self._tracks[ident] = _Track()
        if track.busy:
            track.news(ev)
        else:
            track.busy = True
            self._after_list[ident] = (self._stamp, ev)

    async def _follow(self, ident: str, track: _Track, ev: Event,
                      row: Container | Literal[_Row.UNKNOWN] | None = _Row.UNKNOWN) -> None:
        """Fetch the row now; one more fetch if events came meanwhile. The engine sends
        some events (``die`` above all) a moment before its list shows the change: a row
        that contradicts its event is asked for again after :data:`RECHECK_DELAYS`,
        at once if another event comes."""
        tries = 0
        try:
            while not track.gone:
                if track.pending is not None:
                    ev, track.pending, tries, row = track.pending, None, 0, _Row.UNKNOWN
                track.settled_by = ""
                if row is _Row.UNKNOWN:
                    row = await self._fetch(ident, track, ev, last=tries == len(RECHECK_DELAYS))
                    if track.pending is not None and _confirms(track.pending, ev, row):
                        track.pending = None  # a stop that came while a die's row was fetched
                    continue
                if _agrees(ev, row):
                    track.settled_by = _action(ev)
                    return
                if tries == len(RECHECK_DELAYS):
                    log.engine.debug("the row of %s still differs from its last event (%s)",
                                     ident[:12], _action(ev))
                    return
                await track.sleep(RECHECK_DELAYS[tries])
                tries += 1
                row = _Row.UNKNOWN
        finally:
            track.busy = False

    # -- requests and what they bring ------------------------------------------------
    async def _fetch(self, ident: str, track: _Track, ev: Event | None = None, last: bool = False) -> Container | None:
        stamp = self._next()
        row = await self.engine.container(ident)
        if track.gone:  # a destroy that came meanwhile was the news
            return row
        if track.predicted and stamp < track.predicted_at:
            return row  # asked for before an event whose row is shown: older than that row
        if track.predicted and ev is not None and not last and not _agrees(ev, row):
            return row  # the list lags the event: the row the event gave stays until it agrees
        track.predicted = False
        self._hand_row(stamp, ident, row)
        return row

    def _hand_row(self, stamp: int, ident: str, row: Container | None) -> None:
        """Hand a row on, unless something newer about it was: a row asked for later, or
        a full list sent after it."""
        known = self._rows.get(ident)
        if stamp < self._listed or (known is not None and stamp < known[0]):
            return
        if self._containers_job.running:  # only a list on its way needs to know
            self._rows[ident] = (stamp, row)
        self.listener.container_changed(ident, row)

    async def _list_containers(self) -> None:
        stamp = self._next()
        rows = self._hand_list(stamp, await self.engine.containers())
        tasks = self._tasks
        assert tasks is not None
        for ident, (seen, ev) in list(self._after_list.items()):
            if seen >= stamp:  # came after the list was sent: the next one answers it
                continue
            del self._after_list[ident]
            track = self._tracks.get(ident)
            if track is not None:
                tasks.create_task(self._follow(ident, track, ev, rows.get(ident)))

    def _hand_list(self, stamp: int, listed: list[Container]) -> dict[str, Container]:
        """Hand a full list on, with the rows that were asked for after it was sent in
        place of its own (older) ones."""
        rows = {c.id: c for c in listed}
        for ident, (when, row) in self._rows.items():
            if when > stamp:
                if row is None:
                    rows.pop(ident, None)
                else:
                    rows[ident] = row
        self._rows = {i: known for i, known in self._rows.items() if known[0] > stamp}
        self._listed = max(self._listed, stamp)
        self.listener.containers_listed(list(rows.values()))
        return rows

    async def _list_images(self) -> None:
        stamp = self._next()
        self._hand_images(stamp, await self.engine.images())

    def _hand_images(self, stamp: int, images: list[Image]) -> None:
        if stamp > self._images_listed:
            self._images_listed = stamp
            self.listener.images_listed(images)


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The engine's error among a session's failures, else the first failure."""
    errors = group.subgroup(EngineError)
    found: BaseException = errors if errors is not None else group
    while isinstance(found, BaseExceptionGroup):
        found = found.exceptions[0]
    return found


def actor_id(ev: Event) -> str:
    """The id of what an event is about ("" if it has none)."""
    return (ev.get("Actor") or {}).get("ID") or ev.get("id") or ""


def _attribute(ev: Event, key: str) -> str:
    return ((ev.get("Actor") or {}).get("Attributes") or {}).get(key, "")


def _action(ev: Event) -> str:
    return (ev.get("Action") or ev.get("status") or "").split(":")[0].strip()


def _confirms(later: Event, ev: Event, row: Container | None) -> bool:
    """Whether ``later`` brings nothing that ``row``, fetched after ``ev``, does not show."""
    return _action(ev) in CONFIRMS.get(_action(later), ()) and _agrees(ev, row) and _agrees(later, row)


def predicted_row(row: Container, ev: Event) -> Container | None:
    """The row a container's event makes certain before the engine's list shows it, in
    ``docker ps``'s own words: a pause adds " (Paused)" to the status, an unpause takes
    it off. None for every other event (their words — an exit code's age, a new start
    time — come from the engine)."""
    action = _action(ev)
    if action == "pause" and row.state is State.RUNNING and row.status.startswith("Up "):
        # "Up 5 minutes (healthy)" paused is "Up 5 minutes (Paused)": the health is not shown
        return replace(row, state=State.PAUSED, status=f"{row.status.split(' (')[0]} (Paused)")
    if action == "unpause" and row.state is State.PAUSED:
        return replace(row, state=State.RUNNING, status=row.status.removesuffix(" (Paused)"))
    return None


def _agrees(ev: Event, row: Container | None) -> bool:
    """Whether a container's list row can be the state its last event describes."""
    action = _action(ev)
    if row is None:
        return action == "destroy"
    if action in ("die", "stop", "oom"):
        return row.state is not State.RUNNING or row.status.startswith("Restarting")
    if action in ("start", "restart", "unpause"):
        return row.state not in (State.CREATED, State.PAUSED)
    if action == "pause":
        return row.state is State.PAUSED
    if action == "rename":
        name = _attribute(ev, "name")
        return not name or row.name == name.lstrip("/")
    return True

