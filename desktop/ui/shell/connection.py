"""The engine a window shows and its live picture, and switching to another engine."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject, Signal

from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.ui.common import errors, tasks
from desktop.ui.common.live import LiveEngine


class Connection(QObject):
    """Owns ``engine`` and its :class:`LiveEngine`, and passes on what the live picture
    says, so that views connect once and keep working across a switch of engine.

    ``switching`` fires before the old engine is let go (views empty themselves and stop
    their streams), ``switched`` after the new one is followed.
    """

    connected = Signal(object)              # EngineInfo
    disconnected = Signal(object, float)    # EngineError, seconds until the next try
    containersListed = Signal(list)         # list[Container]
    containerChanged = Signal(str, object)  # id, Container | None
    imagesListed = Signal(list)             # list[Image]
    switching = Signal()
    switched = Signal(object)               # Engine

    def __init__(self, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.live: LiveEngine | None = None
        self._events_seen = 0

    def start(self) -> None:
        """Follow the engine: the first list, then events."""
        live = LiveEngine(self.engine, self)
        live.connected.connect(self.connected)
        live.disconnected.connect(self.disconnected)
        live.containersListed.connect(self.containersListed)
        live.containerChanged.connect(self.containerChanged)
        live.imagesListed.connect(self.imagesListed)
        live.engineEvent.connect(self._count_event)
        self.live = live
        live.start()

    def _count_event(self, _event: dict) -> None:
        self._events_seen += 1

    @property
    def label(self) -> str:
        """How the status bar names the engine."""
        e = self.engine
        if e.context and e.context != "default":
            return f"{e.context} ({e.host})"
        return e.host

    def connect_to(self, *, host: str | None = None, context: str | None = None) -> None:
        """Switch to the engine at ``host`` or of ``context``; a bad one is said, not followed."""
        try:
            engine = Engine(host=host, context=context, credentials=self.engine.credentials)
        except EngineError as exc:
            errors.report(exc, context="Connecting", serious=True)
            return
        except Exception as exc:  # a malformed URL
            errors.report(EngineError(ErrorKind.INVALID_INPUT, f"Cannot connect to {host or context}: {exc}"),
                          context="Connecting", serious=True)
            return
        self.switch(engine)

    def switch(self, engine: Engine) -> None:
        """Follow another engine: every view starts over."""
        old_live, old_engine = self.live, self.engine
        if old_live is not None:
            old_live.stop()
            old_live.deleteLater()
        self.live = None
        self.switching.emit()
        if old_engine is not engine:
            tasks.spawn(old_engine.close(), context="Closing the old connection")
        self.engine = engine
        self.start()
        self.switched.emit(engine)

    def refresh(self, apply_containers, apply_images) -> None:
        """List everything again (or cut a reconnection's wait short)."""
        live = self.live
        if live is None:
            return
        if not live.is_connected:
            live.retry_now()
            return
        engine = self.engine

        async def relist() -> None:
            # A list that events overtook while it was on its way is older than the
            # table: take another.
            for _ in range(5):
                seen = self._events_seen
                cs, ims = await asyncio.gather(engine.containers(), engine.images())
                if seen == self._events_seen:
                    break
            apply_containers(cs)
            apply_images(ims)
        tasks.spawn(relist(), name="refresh", context="Refreshing")

    async def shutdown(self) -> None:
        if self.live is not None:
            self.live.stop()
        await tasks.cancel_all()
        await self.engine.close()
