"""The log panel: one :class:`~desktop.ui.logs.viewer.LogViewer` per container, in
closable tabs; the main window calls ``open(container)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QWidget

from desktop.engine.logbuffer import DEFAULT_CAPACITY
from desktop.engine.records import Container
from desktop.ui.logs.stream import StreamState
from desktop.ui.logs.viewer import LogViewer

if TYPE_CHECKING:
    from desktop.engine.client import Engine
    from desktop.ui.common.live import LiveEngine


class LogTabs(QTabWidget):
    """One log viewer per container, in closable tabs (Ctrl+W closes the current one)."""

    emptied = Signal()  # the last tab was closed

    def __init__(self, engine: Engine, live: LiveEngine | None = None, parent: QWidget | None = None, *,
                 capacity: int = DEFAULT_CAPACITY) -> None:
        super().__init__(parent)
        self.setObjectName("logTabs")
        self.engine = engine
        self.live = live
        self.capacity = capacity
        self.setTabsClosable(True)
        self.setMovable(True)
        self.setDocumentMode(True)
        self.setUsesScrollButtons(True)
        self.tabCloseRequested.connect(self.close_tab)
        QShortcut(QKeySequence.StandardKey.Close, self, lambda: self.close_tab(self.currentIndex())).setContext(
            Qt.ShortcutContext.WidgetWithChildrenShortcut)  # set apart: PySide6 drops context= with a callable
        if live is not None:  # a renamed container's tab takes its new name
            live.containerChanged.connect(self._container_changed)

    def viewers(self) -> list[LogViewer]:
        return [w for w in (self.widget(i) for i in range(self.count())) if isinstance(w, LogViewer)]

    def viewer(self, ident: str) -> LogViewer | None:
        for v in self.viewers():
            if v.cid == ident or v.cid.startswith(ident):
                return v
        return None

    def open(self, container: Container) -> LogViewer:
        """Show the log of ``container``: its tab if open, a new tab otherwise."""
        v = self.viewer(container.id)
        if v is None:
            v = LogViewer(self.engine, container, self.live, self, capacity=self.capacity)
            self.addTab(v, container.name or container.short_id)
            self._title(v)
            v.stateChanged.connect(lambda state, viewer=v: self._mark(viewer, state))
        self.setCurrentWidget(v)
        v.view.setFocus()
        return v

    def _mark(self, viewer: LogViewer, state: str) -> None:
        self._title(viewer, stopped=state == StreamState.STOPPED)

    def _title(self, viewer: LogViewer, *, stopped: bool | None = None) -> None:
        i = self.indexOf(viewer)
        if i < 0:
            return
        c = viewer.container
        name = c.name or c.short_id
        if stopped is None:
            stopped = self.tabText(i).endswith(" (stopped)")
        self.setTabText(i, f"{name} (stopped)" if stopped else name)
        self.setTabToolTip(i, f"{c.name}  ·  {c.image}  ·  {c.short_id}")

    def _container_changed(self, ident: str, container: Container | None) -> None:
        v = self.viewer(ident) if container is not None else None
        if v is not None and container is not None and container.id == v.cid:
            v.stream.container = container
            self._title(v)

    def close_tab(self, index: int) -> None:
        w = self.widget(index)
        if w is None:
            return
        self.removeTab(index)
        if isinstance(w, LogViewer):
            w.shutdown()
            w.deleteLater()
        if not self.count():
            self.emptied.emit()

    def clear(self) -> None:
        """Close every tab (another engine was chosen)."""
        while self.count():
            self.close_tab(0)
