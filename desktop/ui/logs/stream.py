"""One container's log, read and handed to the view a frame at a time.

:class:`LogStream` runs the reader (the tail, then following), resumes it (``since``
the last line seen, nothing repeated, nothing lost) when the container starts again
or the engine comes back, and keeps its :class:`StreamState`. Lines that arrive are
queued and handed to the model once per frame by a timer: every ``FRAME_MS``, every
``FLOOD_FRAME_MS`` while each frame brings a screenful or more. While the user reads
higher up and the cap would push out the rows in view, the lines wait ("held").
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.logbuffer import TS, LogReader, RawLine, epoch
from desktop.engine.records import Container
from desktop.ui.common import errors, tasks
from desktop.ui.common.palette import Status
from desktop.ui.logs.model import LogModel, free_gradually
from desktop.ui.logs.view import LogView

if TYPE_CHECKING:
    from desktop.engine.client import Engine
    from desktop.ui.common.live import LiveEngine

FRAME_MS = 25  # 40 frames a second: smooth, and half the painting of 60
#: While a frame brings a screenful of new lines or more (a flood nobody reads line by
#: line), 20 frames a second: painting is then most of the window's work.
FLOOD_FRAME_MS = 50
#: Lines more than this many seconds old arriving one frame after another: the view is
#: catching up with a backlog (after a flood, or loading a long tail), not live.
CATCHING_UP_S = 5.0
#: how long an ended log waits for the engine's word on why (its die event's row)
NEWS_WAIT = 2.0


class StreamState(enum.StrEnum):
    """Where the stream is. A string enum: the viewer's ``stateChanged`` carries the value."""

    STARTING = "starting"        # made, not read yet
    FOLLOWING = "following"      # live: lines are shown as they come
    CATCHING_UP = "catching up"  # the lines coming are well behind the engine's clock
    HELD = "held"                # the user reads higher up; new lines wait
    STOPPED = "stopped"          # the container stopped; resumes when it starts
    REMOVED = "removed"          # the container is gone
    UNREACHABLE = "unreachable"  # the engine went away; resumes when it is back
    FAILED = "failed"            # reading failed (reported)

    def status(self, behind: float = 0.0) -> tuple[str, Status]:
        """What the toolbar says in this state, and what kind of news it is (``behind``:
        how many seconds the lines shown are behind, while catching up)."""
        if self is StreamState.CATCHING_UP:
            return f"● Catching up — {_duration(behind)} behind", Status.WAITING
        return _STATUS[self]


_STATUS: dict[StreamState, tuple[str, Status]] = {
    StreamState.FOLLOWING: ("● Live", Status.OK),
    StreamState.HELD: ("‖ New lines wait while you read", Status.WAITING),
    StreamState.STOPPED: ("■ Stopped — resumes when it starts", Status.WAITING),
    StreamState.REMOVED: ("Container removed", Status.NEUTRAL),
    StreamState.UNREACHABLE: ("Engine unavailable — resumes when it is back", Status.ERROR),
    StreamState.FAILED: ("Could not read the log", Status.ERROR),
    StreamState.STARTING: ("", Status.NEUTRAL),
}
#: The states in which lines flow to the view (and may lag behind).
_LIVE = (StreamState.FOLLOWING, StreamState.CATCHING_UP, StreamState.HELD)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


class LogStream(QObject):
    """Reads the log of ``container`` into ``model``, shown in ``view``, for the viewer
    ``parent``; ``following()`` says whether the view keeps the newest line in view."""

    #: The state changed (its value).
    stateChanged = Signal(str)
    #: The state was set (again, or anew): while catching up, how far behind changes.
    statusChanged = Signal()
    #: What the toolbar counts changed: the lines kept, let go, or waiting.
    counted = Signal()

    def __init__(self, engine: Engine, container: Container, live: LiveEngine | None, model: LogModel,
                 view: LogView, following: Callable[[], bool], parent: QWidget, *, tail: int | str = 1000) -> None:
        super().__init__(parent)
        self.engine = engine
        self.container = container
        self.cid = container.id
        self.live = live
        self.model = model
        self.view = view
        self._owner = parent  # errors are shown over it
        self._following = following
        self.reader = self._new_reader(tail)
        self.pending: list[RawLine] = []  # lines that came since the last frame
        self.task: asyncio.Task[None] | None = None
        self._resume_wanted = False
        self.closed = False
        self.state = StreamState.STARTING
        self.behind = 0.0        # while catching up: seconds the lines shown are behind
        self.max_frame_ms = 0.0  # the longest time one frame's hand-over took
        self.held = 0            # lines waiting while the user reads higher up
        self._lines_at = 0.0     # when lines were last handed to the view (monotonic)
        self._old_since: float | None = None  # since when the lines coming are old (monotonic)
        self.cleared_at = 0      # the sequence number the view was last cleared at
        self.skipped = 0         # lines let go before they reached the store (over the cap)
        self.frame = QTimer(self)
        self.frame.setInterval(FRAME_MS)
        self.frame.timeout.connect(self._drain)
        if live is not None:
            live.containerEvent.connect(self._on_container_event)
            live.reconnected.connect(self._on_reconnected)

    @property
    def dropped(self) -> int:
        """Lines let go since the view was last cleared (the cap)."""
        return self.model.store.first_seq - self.cleared_at + self.skipped

    # -- reading --------------------------------------------------------------------------
    def start(self) -> None:
        """Read the log (the tail, or the lines since the last one seen) and follow it."""
        if self.closed:
            return
        if self.task is not None and not self.task.done():
            self._resume_wanted = True
            return
        self._resume_wanted = False
        self.task = tasks.spawn(self._run(), name=f"logs-{id(self)}",
                                context=f"Reading the log of {self.container.name or self.cid[:12]}",
                                on_error=self._on_error)
        self.frame.start()

    async def _run(self) -> None:
        while True:
            self._set_state(StreamState.FOLLOWING)
            started = time.monotonic()
            if self.reader.resuming:
                self._drain()  # what came before goes in first...
                if not self.pending:
                    self.model.mark_next_append()  # ...so the rule goes where the new run starts
            await self.reader.read(self.engine, self.cid, self.on_lines)
            # The stream ended: the container stopped (or is restarting).
            if time.monotonic() - started < 0.5:
                await asyncio.sleep(0.3)
            current = await self._current()
            if current is None:
                self._set_state(StreamState.REMOVED)
                return
            self.container = current
            if self._resume_wanted or current.running:
                self._resume_wanted = False
                continue
            self._set_state(StreamState.STOPPED)
            return

    async def _current(self) -> Container | None:
        """The container as the engine's live picture has it now, once it has heard why
        the log ended (the log can end a moment before the engine's event comes). A viewer
        shown without the window's live picture asks the engine."""
        if self.live is None:
            return await self.engine.container(self.cid)
        store = self.live.store.containers
        current = store.get(self.cid)
        if current is not None and current.running and not self._resume_wanted:
            news = asyncio.Event()

            def rows(records: Sequence[Container]) -> None:
                if any(r.id == self.cid for r in records):
                    news.set()

            def gone(idents: Sequence[str]) -> None:
                if self.cid in idents:
                    news.set()
            unsubscribe = store.subscribe(changed=rows, reset=rows, removed=gone)
            try:
                await asyncio.wait_for(news.wait(), NEWS_WAIT)
            except TimeoutError:
                pass  # still running as far as the engine said: read on
            finally:
                unsubscribe()
            current = store.get(self.cid)
        return current

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, EngineError) and exc.kind is ErrorKind.NOT_FOUND:
            self._set_state(StreamState.REMOVED)
            return
        if isinstance(exc, EngineError) and exc.kind is ErrorKind.UNREACHABLE:
            self._set_state(StreamState.UNREACHABLE)
            return
        self._set_state(StreamState.FAILED)
        errors.report(exc, context=f"Reading the log of {self.container.name or self.cid[:12]}",
                      serious=False, parent=self._owner)

    def on_lines(self, lines: list[RawLine]) -> None:
        """The reader's lines: queued for the next frame."""
        pending = self.pending
        pending.extend(lines)
        cap = self.model.store.capacity
        if len(pending) > cap:  # more than can be kept arrived within one frame
            self.skipped += len(pending) - cap
            del pending[:len(pending) - cap]
        if not self.frame.isActive() and not self.closed:
            self.frame.start()

    def _on_container_event(self, ident: str, action: str) -> None:
        if ident != self.cid and not ident.startswith(self.cid) and not self.cid.startswith(ident or "-"):
            return
        if action in ("start", "restart", "unpause"):
            self.start()
        elif action == "destroy":
            self._set_state(StreamState.REMOVED)

    def _on_reconnected(self) -> None:
        self.start()

    def restart(self, tail: int | str, since: float | None) -> None:
        """Start over with ``tail`` and ``since`` (the view is emptied), unless that is
        what is being read already."""
        if tail == self.reader.tail and since is None and self.reader.since is None and self.reader.resuming:
            return
        self.stop()
        self.empty()
        self.reader = self._new_reader(tail, since)
        self.start()

    @staticmethod
    def _new_reader(tail: int | str, since: float | None = None) -> LogReader:
        # lines are shown once a frame: the reader hands them over as often, no more
        return LogReader(tail=tail, since=since, batch_interval=FRAME_MS / 1000)

    def empty(self) -> None:
        """Drop every line, shown and waiting; the lines are freed a slice at a time."""
        free_gradually(self.pending)
        self.pending = []
        self.held = 0
        self.model.clear()
        self.cleared_at = self.model.store.first_seq
        self.skipped = 0

    def stop(self) -> None:
        """Stop reading (closes the connection)."""
        self.reader.close()
        if self.task is not None:
            self.task.cancel()
            self.task = None

    def shutdown(self) -> None:
        """Stop for good (the tab closes); again is harmless."""
        if self.closed:
            return
        self.closed = True
        self.stop()
        self.frame.stop()
        self.empty()  # now, not all at once whenever the collector gets to this viewer
        if self.live is not None:
            try:
                self.live.containerEvent.disconnect(self._on_container_event)
                self.live.reconnected.disconnect(self._on_reconnected)
            except (RuntimeError, TypeError):
                pass

    def _set_state(self, state: StreamState, *, behind: float = 0.0) -> None:
        changed = state != self.state
        self.state = state
        self.behind = behind
        self.statusChanged.emit()
        if changed:
            self.stateChanged.emit(state.value)

    # -- frames ---------------------------------------------------------------------------
    def _drain(self) -> None:
        if not self.pending:
            # Nothing came for a while after a backlog: the view is live again. The
            # frame timer runs only while there is something to do (no idle wake-ups).
            if self.state is StreamState.CATCHING_UP and time.monotonic() - self._lines_at > 0.5:
                self._old_since = None
                self._set_state(StreamState.FOLLOWING)
            if self.state is not StreamState.CATCHING_UP:
                self.frame.stop()
            return
        t0 = time.perf_counter()
        view, model = self.view, self.model
        sb = view.verticalScrollBar()
        follow = self._following()
        if not follow and sb.maximum() > 0:
            # Scrolled up to read: the lines on screen must not vanish under the reader.
            # Once the cap would push out a row in view, new lines wait (at most the cap
            # of them, the newest) until the view follows again or is scrolled down;
            # meanwhile no frames are needed (scrolling and Follow look again).
            top = view.rowAt(0)
            if top >= 0 and model.rows_pushed_out(len(self.pending)) > top:
                if self.held != len(self.pending):
                    self.held = len(self.pending)
                    self.counted.emit()
                if self.state in (StreamState.FOLLOWING, StreamState.CATCHING_UP):
                    self._set_state(StreamState.HELD)
                self.frame.stop()
                return
        self.held = 0
        if self.state is StreamState.HELD:
            self._set_state(StreamState.FOLLOWING)
        self._lines_at = time.monotonic()
        lines, self.pending = self.pending, []
        old_longest = model.longest
        view.adjusting = True
        rows_before = model.rowCount()
        try:
            removed = model.append(lines)
            if model.longest != old_longest:
                view.relayout()
            if follow:
                view.scrollToBottom()
            elif removed > 0:
                sb.setValue(max(0, sb.value() - removed * view.delegate.row_h))
        finally:
            view.adjusting = False
        self.counted.emit()
        self._note_lag(lines[-1][TS])
        added = len(lines) if not model.filtering else model.rowCount() - rows_before + max(removed, 0)
        flood = added * view.delegate.row_h >= view.viewport().height()
        interval = FLOOD_FRAME_MS if flood else FRAME_MS
        if self.frame.interval() != interval:
            self.frame.setInterval(interval)
        self.max_frame_ms = max(self.max_frame_ms, (time.perf_counter() - t0) * 1000)

    def flush(self) -> None:
        """Hand the queued lines to the view now."""
        self._drain()

    def _note_lag(self, ts: str) -> None:
        """Say "catching up" while the lines shown are well behind the engine's clock
        (a backlog after a flood, or an old tail loading), "Live" once they are not."""
        if self.state not in _LIVE or not ts:
            return
        try:
            behind = time.time() + self.reader.clock_offset - epoch(ts)
        except ValueError:  # not the engine's timestamp: nothing to tell
            return
        now = time.monotonic()
        if behind <= CATCHING_UP_S:
            self._old_since = None
        elif self._old_since is None:
            self._old_since = now
        # old lines for a while (a tail that fits in a frame or two is no backlog)
        old = self._old_since is not None and now - self._old_since >= 0.1
        state = StreamState.CATCHING_UP if old else StreamState.FOLLOWING
        if state != self.state or state is StreamState.CATCHING_UP:
            self._set_state(state, behind=behind)

    def wake(self) -> None:
        """Lines wait (held): the view moved, so the next frame looks again."""
        if self.pending and not self.frame.isActive() and not self.closed:
            self.frame.start()
