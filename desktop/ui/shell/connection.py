"""The engine a window shows and its live picture, and switching to another engine."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.records import Container, EngineInfo
from desktop.engine.store import EngineStore
from desktop.ui.common import errors, tasks
from desktop.ui.common.live import LiveEngine
from desktop.ui.common.operations import Operations

#: more rows changed at once than this are applied as one diff of the whole list
BURST = 24


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
        self._ops = Operations(self)

    def start(self) -> None:
        """Follow the engine: the first list, then events. What the tables show comes
        from the engine's store (``live.store``), the one picture every view reads."""
        live = LiveEngine(self.engine, self)
        live.connected.connect(self.connected)
        live.disconnected.connect(self.disconnected)
        store = live.store
        # Rows that events changed come from the store's notifications; after each full
        # list (the first, a reconnection's, Refresh) every view is diffed against the
        # whole store, so a view that missed anything is whole again.
        self._unsubscribe = [store.containers.subscribe(added=self._containers_came, changed=self._containers_came,
                                                        removed=self._containers_gone)]
        live.containersListed.connect(lambda _listed: self.containersListed.emit(list(store.containers)))
        live.imagesListed.connect(lambda _listed: self.imagesListed.emit(list(store.images)))
        self.live = live
        live.start()

    def _containers_came(self, containers: Sequence[Container]) -> None:
        if len(containers) > BURST:  # a relist's many changes: one diff of the whole list
            self.containersListed.emit(list(self.store.containers))
            return
        for c in containers:
            self.containerChanged.emit(c.id, c)

    def _containers_gone(self, idents: Sequence[str]) -> None:
        for ident in idents:
            self.containerChanged.emit(ident, None)

    @property
    def store(self) -> EngineStore:
        """The live picture of the engine shown (a store that stays empty before start)."""
        if self.live is None:
            raise RuntimeError("the connection is not started")
        return self.live.store

    @property
    def label(self) -> str:
        """How the status bar names the engine."""
        e = self.engine
        if e.context and e.context != "default":
            return f"{e.context} ({e.host})"
        return e.host

    def make_engine(self, *, host: str | None = None, context: str | None = None) -> Engine:
        """An engine for ``host`` or ``context`` with this one's logins; EngineError if it
        cannot even be set up (an address docker-py refuses, TLS files that are missing)."""
        try:
            return Engine(host=host, context=context, credentials=self.engine.credentials,
                          commands=self.engine.commands)
        except EngineError:
            raise
        except Exception as exc:  # docker-py's own refusal of an address
            raise EngineError(ErrorKind.INVALID_INPUT, f"Cannot connect to {host or context}: {exc}") from exc

    async def trial(self, engine: Engine) -> EngineInfo:
        """Reach ``engine`` while the current one stays shown; switch to it only once it
        answers. On a failure (or a cancel) the new engine is closed and nothing changes."""
        try:
            info = await engine.connect()
        except BaseException:
            tasks.spawn(engine.close(), context="Closing the engine that did not answer")
            raise
        self.switch(engine)
        return info

    def connect_to(self, *, host: str | None = None, context: str | None = None) -> None:
        """Switch to the engine at ``host`` or of ``context`` once it answers; if it does
        not, stay where we are and say why."""
        label = self.label
        try:
            engine = self.make_engine(host=host, context=context)
        except EngineError as exc:
            errors.report(exc, context="Connecting", serious=True)
            return

        def refused(exc: EngineError) -> None:
            errors.report(EngineError(exc.kind, f"{exc.message} Still connected to {label}.", exc.detail),
                          context=f"Connecting to {host or context}", serious=True)
        self._ops.run("connect", lambda: self.trial(engine), context=f"Connecting to {host or context}",
                      refused=refused)

    def switch(self, engine: Engine) -> None:
        """Follow another engine: every view starts over."""
        old_live, old_engine = self.live, self.engine
        for unsubscribe in getattr(self, "_unsubscribe", ()):
            unsubscribe()
        if old_live is not None:
            old_live.stop()
            old_live.deleteLater()
        self.live = None
        self.switching.emit()
        if old_engine is not engine:
            tasks.spawn(old_engine.close(), context="Closing the old connection")
        engine.commands = old_engine.commands  # one command log for the window's session
        self.engine = engine
        self.start()
        self.switched.emit(engine)

    def refresh(self) -> None:
        """List everything again (or cut a reconnection's wait short). The monitor lists,
        keeping the rows that events fetched while its list was on its way; the lists
        come as ``containersListed`` and ``imagesListed``."""
        if self.live is not None:
            self.live.relist()

    async def shutdown(self) -> None:
        if self.live is not None:
            self.live.stop()
        await tasks.cancel_all()
        await self.engine.close()
