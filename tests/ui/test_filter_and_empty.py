"""The filter explains itself, and an empty table says why it is empty and what to do."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from desktop.engine.client import Engine
from desktop.ui.shell.window import MainWindow
from tests.conftest import WHALESAY


def _window(qtbot, host: str | None = None) -> MainWindow:
    w = MainWindow(Engine(host=host))
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.live is not None and w.live.is_connected, timeout=15000)
    qtbot.waitUntil(lambda: w._loaded_once, timeout=15000)
    return w


@pytest.fixture
def window(qtbot, qloop, cleanup, route):
    w = _window(qtbot)
    yield w
    w.live.stop()
    w.engine.reset_connection()


def note(w: MainWindow, table: str) -> QLabel:
    return w.findChild(QLabel, f"{table}Empty")


def test_the_filter_says_its_syntax_and_its_hint_fits(window):
    edit = window.filter_edit
    assert "status:running" in edit.toolTip() and "port:8080" in edit.toolTip() and "Esc" in edit.toolTip()
    assert edit.width() >= edit.fontMetrics().horizontalAdvance(edit.placeholderText())


def test_esc_clears_the_filter(window, qtbot):
    qtbot.keyClicks(window.filter_edit, "status:running")
    assert window.containers_proxy.filter_text() == "status:running"
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Escape)
    assert window.filter_edit.text() == "" and window.containers_proxy.filter_text() == ""


def test_ctrl_f_goes_to_the_filter(window, qtbot):
    window.containers_table.setFocus()
    window.activateWindow()
    window.action_find.trigger()
    assert window.filter_edit.hasFocus()


def test_a_filter_that_matches_nothing_says_so(window, qtbot, cleanup):
    name = cleanup.name("flt")
    cleanup.run("--name", name, WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: any(c.name == name for c in window.containers_model.records()), timeout=5000)
    assert not note(window, "containersTable").isVisible()
    window.filter_edit.setText("no-such-container-anywhere")
    label = note(window, "containersTable")
    assert label.isVisible()
    assert label.text().startswith("No container matches “no-such-container-anywhere”")
    window.filter_edit.clear()
    assert not label.isVisible()


def test_the_filter_stays_reachable_in_a_narrow_window(window, qtbot):
    window.resize(560, 500)
    qtbot.waitUntil(lambda: window.width() <= 700, timeout=2000)
    qtbot.wait(50)
    assert window.filter_edit.isVisible()
    assert window.filter_edit.geometry().right() <= window.width()


def test_an_engine_with_nothing_yet_says_what_to_do(qtbot, qloop, route, private_engine):
    private_engine.docker("rmi", "-f", WHALESAY)
    w = _window(qtbot, private_engine.host)
    try:
        qtbot.waitUntil(lambda: note(w, "containersTable").isVisible(), timeout=5000)
        assert "Run" in note(w, "containersTable").text()
        w.tabs.setCurrentWidget(w.images_table)
        qtbot.waitUntil(lambda: note(w, "imagesTable").isVisible(), timeout=5000)
        assert "Pull" in note(w, "imagesTable").text()
    finally:
        w.live.stop()
        w.engine.reset_connection()


def test_the_no_match_line_names_all_that_was_typed_and_only_with_a_filter(window, qtbot, cleanup):
    name = cleanup.name("nm")
    cid = cleanup.run("--name", name, WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: any(c.name == name for c in window.containers_model.records()), timeout=5000)
    qtbot.keyClicks(window.filter_edit, "zzznomatch")
    assert note(window, "containersTable").text().startswith("No container matches “zzznomatch”")
    window.filter_edit.clear()
    assert not note(window, "containersTable").isVisible()
    from tests.conftest import docker

    docker("rm", "-f", cid)  # rows going away with no filter never say "No … matches “”"
    qtbot.waitUntil(lambda: all(c.name != name for c in window.containers_model.records()), timeout=5000)
    label = note(window, "containersTable")
    assert "matches" not in label.text() or not label.isVisible()
