"""Opening the run, pull and login dialogs, and what the window does with their results."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow

from desktop.engine.formatting import NONE
from desktop.ui.common import operations
from desktop.ui.images.model import ImagesModel
from desktop.ui.registry.logins import last_registry, remember_registry
from desktop.ui.shell.connection import Connection

if TYPE_CHECKING:  # imported on first use: the window starts without them
    from desktop.ui.containers.run_dialog import RunDialog
    from desktop.ui.images.pull_dialog import PullDialog
    from desktop.ui.registry.login_dialog import LoginDialog


class Dialogs(QObject):
    """One of each dialog at a time, on the window's engine. ``created`` is called with
    a new container's id (what it returns is not used), ``pulled`` with a pulled reference; ``loginsChanged`` fires
    after a login or a logout."""

    loginsChanged = Signal()

    def __init__(self, window: QMainWindow, connection: Connection, images: ImagesModel, *,
                 created: Callable[[str], object], pulled: Callable[[str], None]) -> None:
        super().__init__(window)
        self.window = window
        self.connection = connection
        self.images = images
        self._created = created
        self._pulled = pulled
        self.run_dialog: RunDialog | None = None
        self.pull_dialog: PullDialog | None = None
        self.login_dialog: LoginDialog | None = None

    def open_run(self, image: str = "") -> RunDialog:
        from desktop.ui.containers.run_dialog import RunDialog

        local = sorted({r.reference for r in self.images.records() if r.tag != NONE})
        dlg = RunDialog(self.connection.engine, self.connection.store, self.window, image=image, images=local)
        dlg.created.connect(lambda cid, _started: self._created(cid))
        dlg.loginRequested.connect(self.open_login)
        dlg.open()
        self.run_dialog = dlg
        return dlg

    def open_pull(self, reference: str = "") -> PullDialog:
        from desktop.ui.images.pull_dialog import PullDialog

        dlg = PullDialog(self.connection.engine, self.window, reference=reference)
        dlg.loginRequested.connect(self.open_login)
        dlg.pulled.connect(self._pulled)
        dlg.open()
        self.pull_dialog = dlg
        return dlg

    def open_login(self, registry: str = "") -> LoginDialog:
        """The login dialog, on ``registry`` or else on the registry of the last login."""
        from desktop.ui.registry.login_dialog import LoginDialog

        dlg = LoginDialog(self.connection.engine, self.window, registry=registry or last_registry())
        dlg.loggedIn.connect(self._logged_in)
        dlg.loggedOut.connect(lambda _registry: self.loginsChanged.emit())
        dlg.open()
        self.login_dialog = dlg
        return dlg

    def _logged_in(self, registry: str) -> None:
        self.window.statusBar().showMessage(f"Logged in to {registry or 'Docker Hub'}", 8000)
        remember_registry(registry)
        self.loginsChanged.emit()
        operations.logged_in(registry)  # what waited for this login goes on
