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


# -- light and dark ---------------------------------------------------------------------
def fusion_palette(dark: bool):
    """The palette Qt gives a Fusion application for a light or a dark system scheme
    (``qt_fusionPalette`` in qtbase's qplatformtheme.cpp, value for value). Offscreen,
    Qt gives the light one and has no way to the dark one."""
    from PySide6.QtGui import QColor, QPalette

    window_text = QColor(240, 240, 240) if dark else QColor(0, 0, 0)
    window = QColor(50, 50, 50) if dark else QColor(239, 239, 239)
    mid = window.darker(130)
    base = window.darker(140) if dark else QColor(255, 255, 255)
    dark_role = window.darker(150)
    text = window_text if dark else QColor(0, 0, 0)
    highlight = QColor(48, 140, 198)
    disabled_text = QColor(130, 130, 130) if dark else QColor(190, 190, 190)
    shadow = dark_role.darker(135)
    placeholder = QColor(text)
    placeholder.setAlpha(128)
    pal = QPalette(window_text, window, window.lighter(150), dark_role, mid, text, base)
    g, r = QPalette.ColorGroup, QPalette.ColorRole
    pal.setColor(r.Midlight, mid.lighter(110))
    pal.setColor(r.Button, window)
    pal.setColor(r.Shadow, shadow)
    pal.setColor(r.HighlightedText, window_text if dark else QColor(255, 255, 255))
    for role in (r.Text, r.WindowText, r.ButtonText):
        pal.setColor(g.Disabled, role, disabled_text)
    pal.setColor(g.Disabled, r.Base, window)
    pal.setColor(g.Disabled, r.Dark, QColor(209, 209, 209).darker(110))
    pal.setColor(g.Disabled, r.Shadow, shadow.lighter(150))
    pal.setColor(g.Active, r.Highlight, highlight)
    pal.setColor(g.Inactive, r.Highlight, highlight)
    pal.setColor(g.Disabled, r.Highlight, QColor(145, 145, 145))
    pal.setColor(r.PlaceholderText, placeholder)
    if dark:  # a legible light blue on dark backgrounds
        pal.setColor(r.Link, highlight)
    return pal


def switch_scheme(app, dark: bool) -> str:
    """Switch the system to dark (or light) the way Berth is told of it; returns how.

    ``styleHints().setColorScheme`` asks the platform to switch, and on a desktop that is
    all it takes. The offscreen platform ignores it (its theme has no colour scheme: it
    stays ``Unknown``, measured with PySide6 6.11), so there the switch is done as a
    platform does it when the system switches: the application is given the scheme's
    palette, and the style hints emit ``colorSchemeChanged``.
    """
    from PySide6.QtCore import Qt

    wanted = Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light
    hints = app.styleHints()
    hints.setColorScheme(wanted)
    app.processEvents()
    if hints.colorScheme() == wanted:
        return "setColorScheme"
    app.setPalette(fusion_palette(dark))
    hints.colorSchemeChanged.emit(wanted)
    app.processEvents()  # the widgets' palettes follow the application's through posted events
    return "palette and colorSchemeChanged"


@pytest.fixture
def system_scheme(qapp):
    """``system_scheme(dark)`` switches light and dark; the system's own is back afterwards."""
    from PySide6.QtGui import QPalette

    before = QPalette(qapp.palette())
    yield lambda dark: switch_scheme(qapp, dark)
    qapp.styleHints().unsetColorScheme()
    qapp.setPalette(before)
    qapp.styleHints().colorSchemeChanged.emit(qapp.styleHints().colorScheme())
    assert qapp.palette().color(QPalette.ColorRole.Window) == before.color(QPalette.ColorRole.Window)
