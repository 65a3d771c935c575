"""Logins a person can see: the registries logged in to in the status bar, Log Out
there, the dialog on the last registry used, and a warning before memory-only logins
are lost."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPushButton

from desktop.engine.client import Engine
from desktop.engine.credentials import CredentialStore
from desktop.ui.shell.window import MainWindow
from tests.conftest import REGISTRY, REGISTRY_PASSWORD, REGISTRY_USER

pytestmark = pytest.mark.registry


def _window(qtbot, config) -> MainWindow:
    w = MainWindow(Engine(credentials=CredentialStore(directory=config)))
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.live is not None and w.live.is_connected and w._loaded_once, timeout=15000)
    return w


def _log_in_through_the_dialog(qtbot, w: MainWindow, registry: str | None = REGISTRY) -> None:
    w.action_login.trigger()
    dlg = w.dialogs.login_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=3000)
    if registry is not None:
        dlg.findChild(QLineEdit, "registryEdit").setText(registry)
    dlg.findChild(QLineEdit, "usernameEdit").setText(REGISTRY_USER)
    dlg.findChild(QLineEdit, "passwordEdit").setText(REGISTRY_PASSWORD)
    with qtbot.waitSignal(dlg.loggedIn, timeout=30000):
        qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)


@pytest.fixture
def window(qtbot, qloop, docker_engine, isolated_credentials, route):
    w = _window(qtbot, isolated_credentials)
    yield w
    w.live.stop()
    w.engine.reset_connection()


def test_the_status_bar_shows_the_logins_with_log_out(window, qtbot):
    button = window.logins
    assert not button.isVisible()  # no login yet
    _log_in_through_the_dialog(qtbot, window)
    qtbot.waitUntil(button.isVisible, timeout=10000)
    assert REGISTRY in button.text()
    logout = [a for a in button.menu().actions() if a.objectName() == "logoutAction"]
    assert [a.text() for a in logout] == [f"Log Out of {REGISTRY}"]
    logout[0].trigger()
    qtbot.waitUntil(lambda: not button.isVisible(), timeout=10000)
    assert window.engine.credentials.get(REGISTRY) is None


def test_the_login_dialog_opens_on_the_last_registry_used(window, qtbot):
    _log_in_through_the_dialog(qtbot, window)
    window.action_login.trigger()
    dlg = window.dialogs.login_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=3000)
    assert dlg.findChild(QLineEdit, "registryEdit").text() == REGISTRY
    dlg.reject()


def test_quitting_warns_that_memory_only_logins_are_lost(qtbot, qloop, docker_engine, isolated_credentials,
                                                        monkeypatch, route):
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # no keyring at all
    keyring.core.init_backend()
    w = _window(qtbot, isolated_credentials)
    try:
        _log_in_through_the_dialog(qtbot, w)
        assert w.engine.credentials.memory_only() == [REGISTRY]
        qtbot.waitUntil(w.logins.isVisible, timeout=10000)
        assert "in memory only" in w.logins.toolTip()
        w.close()
        qtbot.waitUntil(lambda: w.findChild(QMessageBox, "memoryLoginsBox") is not None, timeout=3000)
        box = w.findChild(QMessageBox, "memoryLoginsBox")
        assert w.isVisible()  # not closed yet
        assert "credential helper" in box.informativeText() and "keyring" in box.informativeText()
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
        box.findChild(QPushButton, "memoryLoginsBoxButton").click()
        qtbot.waitUntil(lambda: not w.isVisible(), timeout=3000)
    finally:
        w.live.stop()
        w.engine.reset_connection()
