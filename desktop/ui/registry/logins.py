"""The registries Berth is logged in to, in the status bar, with Log Out there; and the
warning, before quitting, that logins kept only in memory will be lost."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from desktop.engine.client import Engine
from desktop.engine.credentials import registry_title
from desktop.ui.common.confirm import confirm
from desktop.ui.common.operations import Operations

LAST_REGISTRY_KEY = "login/lastRegistry"


def last_registry() -> str:
    """The registry of the last login the user made ("" for Docker Hub or none)."""
    return str(QSettings().value(LAST_REGISTRY_KEY, "", type=str) or "")


def remember_registry(registry: str) -> None:
    QSettings().setValue(LAST_REGISTRY_KEY, registry)


class LoginsButton(QToolButton):
    """"Logged in: 127.0.0.1:5000" with a menu: each registry's Log Out, and Log In….
    Hidden while there is no login. ``loginRequested(registry)`` asks for the dialog."""

    loginRequested = Signal(str)
    changed = Signal()

    def __init__(self, engine: Callable[[], Engine], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginsButton")
        self.setAutoRaise(True)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._engine = engine
        self._ops = Operations(self)
        self.registries: list[str] = []
        self.setMenu(QMenu(self))
        self.menu().setObjectName("loginsMenu")
        self.hide()

    def refresh(self) -> None:
        """Read the saved logins again (after a login, a logout, or at start)."""
        self._ops.run("list", self._engine().logins, context="Reading the saved logins", serious=False,
                      done=self._show)

    def _show(self, registries: list[str]) -> None:
        self.registries = registries
        self.setVisible(bool(registries))
        titles = [registry_title(r) for r in registries]
        text = "Logged in: " + ", ".join(titles[:2]) + (f" and {len(titles) - 2} more" if len(titles) > 2 else "")
        self.setText(text)
        memory = set(self._engine().credentials.memory_only())
        self.setToolTip("\n".join(f"{registry_title(r)}" + (" (in memory only: lost when Berth quits)"
                                                          if r in memory else "") for r in registries))
        self.setAccessibleName(text)
        menu = self.menu()
        menu.clear()
        for r in registries:
            def log_out(r: str = r) -> None:  # bound now, not when clicked
                self.log_out(r)
            a = menu.addAction(f"Log Out of {registry_title(r)}", log_out)
            a.setObjectName("logoutAction")
        menu.addSeparator()
        menu.addAction("Log In to Another Registry…", lambda: self.loginRequested.emit(""))
        self.changed.emit()

    def log_out(self, registry: str) -> None:
        engine = self._engine()
        self._ops.run("logout", lambda: engine.logout(registry), context=f"Logging out of {registry_title(registry)}",
                      done=lambda _: self.refresh())


def confirm_quit_with_memory_logins(window: QWidget, engine: Engine, quit_anyway: Callable[[], None]) -> bool:
    """If logins would be lost on quitting, ask first (True: asked, do not quit yet)."""
    lost = engine.credentials.memory_only()
    if not lost:
        return False
    confirm(window, "memoryLoginsBox", title="Logins will be lost", warning=True,
            text=f"Berth keeps your login to {', '.join(registry_title(r) for r in lost)} only in memory: "
                 "it is lost when Berth quits.",
            informative="To keep logins, install a credential helper (docker-credential-pass, -secretservice, "
                        "-osxkeychain or -wincred) and name it in ~/.docker/config.json as \"credsStore\", or run "
                        "a keyring service (GNOME Keyring, KWallet). Then log in again.",
            action="Quit Anyway", on_confirm=quit_anyway)
    return True
