"""The window's side panels: the logs (a tab per container), a container's files, and
the command log (every operation as the docker command that does the same)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from desktop.engine.records import Container
from desktop.ui.commandlog.panel import CommandLogPanel
from desktop.ui.shell.connection import Connection

if TYPE_CHECKING:  # imported on first use: the window starts without them
    from desktop.ui.files.copy import CopyDialog
    from desktop.ui.files.panel import FilesPanel
    from desktop.ui.logs.tabs import LogTabs


class Docks(QObject):
    """Creates the docks hidden (their places are kept in the window state, not their
    contents: they open with a container) and fills them on demand."""

    def __init__(self, window: QMainWindow, connection: Connection, view_menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.connection = connection
        self.log_dock = QDockWidget("Logs", window)
        self.log_dock.setObjectName("logDock")
        self.log_dock.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_dock)
        self.files_dock = QDockWidget("Files", window)
        self.files_dock.setObjectName("filesDock")
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.files_dock)
        self.log_tabs: LogTabs | None = None
        self.files_panel: FilesPanel | None = None
        # the command log is there from the start: it lists the session, engine after engine
        self.commands_dock = QDockWidget(self.tr("Command Log"), window)
        self.commands_dock.setObjectName("commandLogDock")
        self.command_log = CommandLogPanel(connection.engine.commands, self.commands_dock)
        self.commands_dock.setWidget(self.command_log)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.commands_dock)
        for dock in (self.log_dock, self.files_dock, self.commands_dock):
            dock.hide()
            view_menu.addAction(dock.toggleViewAction())
        toggle = self.commands_dock.toggleViewAction()
        toggle.setObjectName("actionCommandLog")
        toggle.setText(self.tr("&Command Log"))
        toggle.setToolTip(self.tr("Show every operation as the docker command that does the same"))
        toggle.setShortcut("Ctrl+Shift+H")
        window.addAction(toggle)  # listed with the window's shortcuts
        connection.switching.connect(self.reset)

    def hide_all(self) -> None:
        """Hide the panels that open with a container (the command log keeps its place)."""
        self.log_dock.hide()
        self.files_dock.hide()

    def open_logs(self, c: Container) -> None:
        from desktop.ui.logs.tabs import LogTabs

        if self.log_tabs is None:
            self.log_tabs = LogTabs(self.connection.engine, self.connection.live, self.log_dock)
            self.log_tabs.emptied.connect(self.log_dock.hide)  # no empty panel left behind
            self.log_dock.setWidget(self.log_tabs)
        self.log_tabs.open(c)
        self.log_dock.show()
        self.log_dock.raise_()

    def open_files(self, c: Container) -> None:
        from desktop.ui.files.panel import FilesPanel

        if self.files_panel is not None:
            self.files_panel.shutdown()
            self.files_panel.deleteLater()
        self.files_panel = FilesPanel(self.connection.engine, c, self.files_dock)
        self.files_dock.setWidget(self.files_panel)
        self.files_dock.setWindowTitle(f"Files of {c.name}")
        self.files_dock.show()
        self.window.resizeDocks([self.files_dock], [max(440, self.window.width() // 3)], Qt.Orientation.Horizontal)
        self.files_dock.raise_()

    def follow_copy(self, dialog: CopyDialog) -> None:
        """A copy into a container: the files panel, if it shows that container, re-reads
        its folder when the copy ends."""
        if self.files_panel is not None:
            self.files_panel.follow_copy(dialog)

    def reset(self) -> None:
        """Another engine: the panels' streams on the old one stop, and the panels go."""
        if self.log_tabs is not None:
            self.log_tabs.clear()
            self.log_tabs.deleteLater()
            self.log_tabs = None
            self.log_dock.hide()
        if self.files_panel is not None:
            self.files_panel.shutdown()
            self.files_panel.deleteLater()
            self.files_panel = None
            self.files_dock.hide()
