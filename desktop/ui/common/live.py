"""The engine's live state as Qt signals: an engine's store and its :class:`Monitor`, run
on the asyncio loop. The store (``LiveEngine.store``) passes every Monitor call on to
the signals below."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject, Signal

from desktop import log
from desktop.engine.client import Engine
from desktop.engine.errors import EngineError
from desktop.engine.monitor import actor_id
from desktop.engine.payloads import EngineEvent
from desktop.engine.records import Container, EngineInfo, Image
from desktop.engine.store import EngineStore
from desktop.ui.common import tasks


class LiveEngine(QObject):
    """Emits what the monitor sees. ``containerEvent(id, action)`` is raw, for viewers
    that follow one container (a log viewer resumes on ``start``)."""

    connected = Signal(object)             # EngineInfo
    disconnected = Signal(object, float)   # EngineError, seconds until the next try
    containersListed = Signal(list)        # list[Container]
    containerChanged = Signal(str, object)  # id, Container | None (removed)
    imagesListed = Signal(list)            # list[Image]
    containerEvent = Signal(str, str)      # id, action
    reconnected = Signal()                 # the engine came back after going away
    engineEvent = Signal(dict)             # every event, as the engine sent it

    def __init__(self, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.store = EngineStore(engine, forward=_Adapter(self))
        self.monitor = self.store.monitor
        self.info: EngineInfo | None = None
        self.is_connected = False
        self._was_lost = False
        self._task: asyncio.Task[None] | None = None
        self._name = f"monitor-{id(self)}"

    def start(self) -> None:
        self._task = tasks.spawn(self.store.follow(), name=self._name, context="Following the engine")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def retry_now(self) -> None:
        self.monitor.retry_now()

    def relist(self) -> None:
        """List everything again through the monitor (or reconnect at once if the engine
        is away); the lists come as ``containersListed`` and ``imagesListed``."""
        self.store.relist()


class _Adapter:
    """Implements the monitor's Listener protocol on behalf of a LiveEngine."""

    def __init__(self, live: LiveEngine) -> None:
        self.live = live

    def connected(self, info: EngineInfo) -> None:
        live = self.live
        live.info = info
        live.is_connected = True
        live.connected.emit(info)
        if live._was_lost:
            live._was_lost = False
            log.ui.info("engine is back; re-synced")
            live.reconnected.emit()

    def disconnected(self, error: EngineError, retry_in: float) -> None:
        live = self.live
        if live.is_connected:  # lost after having been connected: its return is a reconnection
            live._was_lost = True
        live.is_connected = False
        live.disconnected.emit(error, retry_in)

    def containers_listed(self, containers: list[Container]) -> None:
        self.live.containersListed.emit(containers)

    def container_changed(self, ident: str, container: Container | None) -> None:
        self.live.containerChanged.emit(ident, container)

    def images_listed(self, images: list[Image]) -> None:
        self.live.imagesListed.emit(images)

    def event(self, event: EngineEvent) -> None:
        self.live.engineEvent.emit(event)
        if event.get("Type") == "container":
            self.live.containerEvent.emit(actor_id(event), event.get("Action") or event.get("status") or "")
