"""File ▸ Engine: the Docker contexts, and connecting to an engine by URL."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMenu, QWidget

from desktop import log
from desktop.engine.client import list_contexts
from desktop.ui.common.actions import make_action
from desktop.ui.shell.connection import Connection


class EngineMenu(QObject):
    """Fills ``menu`` with the contexts each time it opens; choosing one switches ``connection``."""

    def __init__(self, menu: QMenu, connection: Connection, window: QWidget) -> None:
        super().__init__(menu)
        self.menu = menu
        self.connection = connection
        self._window = window
        menu.setObjectName("engineMenu")
        self.connect_action = make_action(window, "actionConnect", "Connect to &Host…", self.ask_host,
                                          tip="Connect to a Docker engine by URL (tcp://, ssh://, unix://)")
        menu.aboutToShow.connect(self.fill)

    def fill(self) -> None:
        m = self.menu
        m.clear()
        try:
            contexts = list_contexts()
        except Exception as exc:  # a broken context store must not break the menu
            contexts = []
            log.ui.warning("cannot list contexts: %s", exc)
        engine = self.connection.engine
        for ctx in contexts:
            a = m.addAction(f"{ctx.name}  —  {ctx.host or 'default socket'}")
            a.setCheckable(True)
            a.setData(ctx.name)  # the command palette says docker context use NAME
            a.setChecked(ctx.name == (engine.context or "default") and not engine.explicit_host)
            a.triggered.connect(lambda _c=False, name=ctx.name: self.connection.connect_to(context=name))
        m.addSeparator()
        m.addAction(self.connect_action)

    def ask_host(self) -> None:
        from desktop.ui.shell.host_dialog import HostDialog

        dlg = HostDialog(self.connection, self._window)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.host_dialog = dlg
