"""Switching engines: an address is checked as it is typed, and a new engine is tried
before the one in use is let go."""

from __future__ import annotations

import socket

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from tests.conftest import WHALESAY


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_engine_that_does_not_answer_leaves_the_working_one(window, qtbot, cleanup, route):
    name = cleanup.name("stay")
    cleanup.run("--name", name, WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: any(c.name == name for c in window.containers_model.records()), timeout=5000)
    old = window.engine
    rows = window.containers_model.rowCount()
    window.connect_to(host=f"tcp://127.0.0.1:{closed_port()}")
    qtbot.waitUntil(lambda: bool(route.history), timeout=15000)
    assert "Still connected to" in route.history[-1].message
    assert window.engine is old
    assert window.live is not None and window.live.is_connected
    assert window.containers_model.rowCount() == rows  # the tables were not emptied


def test_the_host_dialog_checks_the_address_as_it_is_typed(window, qtbot):
    window.engine_switcher.ask_host()
    dlg = window.engine_switcher.host_dialog
    edit = dlg.findChild(QLineEdit, "hostUrlEdit")
    edit.setText("bogus url")
    assert not dlg.ok_button.isEnabled()
    assert "no spaces" in dlg.url_message.text() and dlg.url_message.isVisible()
    edit.setText("tcp://example.com")
    assert "Add the engine's port" in dlg.url_message.text()
    edit.setText("unix:///var/run/docker.sock")
    assert dlg.ok_button.isEnabled() and not dlg.url_message.isVisible()
    dlg.reject()


def test_the_host_dialog_stays_open_and_says_why_when_the_engine_does_not_answer(window, qtbot):
    old = window.engine
    window.engine_switcher.ask_host()
    dlg = window.engine_switcher.host_dialog
    dlg.findChild(QLineEdit, "hostUrlEdit").setText(f"tcp://127.0.0.1:{closed_port()}")
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "stays connected to" in dlg.message.text(), timeout=15000)
    assert dlg.isVisible()
    assert window.engine is old and window.live.is_connected
    assert dlg.ok_button.isEnabled()  # another try is one click away
    dlg.reject()


def test_the_host_dialog_switches_once_the_engine_answers(window, qtbot, private_engine):
    private_engine.docker("create", "--name", "berth-private-one", WHALESAY, "true")
    window.engine_switcher.ask_host()
    dlg = window.engine_switcher.host_dialog
    dlg.findChild(QLineEdit, "hostUrlEdit").setText(private_engine.host)
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.engine.host == private_engine.host, timeout=15000)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dlg) or not dlg.isVisible(), timeout=5000)  # closed
    qtbot.waitUntil(lambda: [c.name for c in window.containers_model.records()] == ["berth-private-one"],
                    timeout=15000)


def test_the_host_dialog_starts_in_the_address_field(window, qtbot):
    window.activateWindow()
    window.engine_switcher.ask_host()
    dlg = window.engine_switcher.host_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=3000)
    assert dlg.focusWidget() is dlg.findChild(QLineEdit, "hostUrlEdit")
    dlg.reject()
