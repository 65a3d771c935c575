"""GUI test set-up: asyncio on the Qt loop (qasync), isolated settings, no stray tasks."""

from __future__ import annotations

import asyncio

import pytest


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, qapp):
    """QSettings go to a temporary folder, never the user's."""
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("BerthTest")
    QCoreApplication.setApplicationName("BerthTest")
    path = tmp_path_factory.mktemp("settings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path))
    yield


@pytest.fixture
def qloop(qapp):
    """A qasync loop that counts as running while Qt events are processed, so that
    ``qtbot.waitUntil`` drives both Qt and asyncio."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.events._set_running_loop(loop)
    asyncio.set_event_loop(loop)
    yield loop
    from desktop.ui.common import tasks

    for t in tasks.pending():
        t.cancel()
    # let cancellations run
    deadline = loop.time() + 2
    while tasks.pending() and loop.time() < deadline:
        qapp.processEvents()
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    try:
        loop._QEventLoop__is_running = False  # an already_running loop is never "stopped"
        loop.close()
    except Exception:
        pass


@pytest.fixture
def route(qapp):
    """The error route; its history is cleared for the test."""
    from desktop.ui.common import errors

    r = errors.get_route()
    r.history.clear()
    return r


@pytest.fixture
def engine_qt(qloop):
    """An Engine of its own on the Qt loop (the copy tests)."""
    from desktop.engine.client import Engine

    eng = Engine()
    yield eng
    eng.reset_connection()


@pytest.fixture
def settings(tmp_path):
    """QSettings in a file of the test's own (the copy tests' remembered choices)."""
    from PySide6.QtCore import QSettings

    s = QSettings(str(tmp_path / "berth.ini"), QSettings.Format.IniFormat)
    yield s


def open_window(qtbot, host: str | None = None):
    """Berth's main window on a real engine, shown and following it; connected when returned."""
    from desktop.engine.client import Engine
    from desktop.ui.shell.window import MainWindow

    w = MainWindow(Engine(host=host))
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.live is not None and w.live.is_connected, timeout=15000)
    return w


def close_window(w) -> None:
    if w.live is not None:
        w.live.stop()
    w.engine.reset_connection()


@pytest.fixture
def window(qtbot, qloop, cleanup, route):
    """The main window on the test bed's engine (what the test makes, cleanup removes)."""
    w = open_window(qtbot)
    yield w
    close_window(w)
