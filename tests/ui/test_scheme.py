"""Light and dark follow the system live: switching the scheme re-resolves every colour
Berth paints, and the views show the new scheme's values (and the old ones again after
switching back).

How the switch is made (``system_scheme`` in conftest): ``styleHints().setColorScheme``,
which a desktop platform obeys; the offscreen platform ignores it, so there the test
does what a platform does when the system switches — it gives the application the
scheme's palette (Fusion's, Qt's values) and the style hints emit ``colorSchemeChanged``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from desktop.engine.logbuffer import STDERR, STDOUT, LineAssembler
from desktop.engine.records import Container
from desktop.engine.states import State
from desktop.ui.common import palette
from desktop.ui.common.palette import Status, Tone, contrast_of
from desktop.ui.common.widgets import FieldMessage
from desktop.ui.containers.model import Column, ContainersModel
from desktop.ui.logs.model import LogModel
from desktop.ui.logs.view import LogView
from tests.conftest import WHALESAY, docker
from tests.ui.conftest import fusion_palette

LIGHT, DARK = fusion_palette(False), fusion_palette(True)
#: where the screenshots go to be looked at (a test's own folder when not set)
SHOTS = os.environ.get("BERTH_SCREENSHOTS")


def colours_in(image: QImage, x0: int, y0: int, x1: int, y1: int) -> set[int]:
    return {image.pixelColor(x, y).rgb() for y in range(y0, y1) for x in range(x0, x1)}


def test_the_fusion_palettes_are_qts(qapp):
    """The light recipe gives what Qt itself gives offscreen (so the dark one, from the same
    recipe, is Qt's dark Fusion palette); the dark one is dark."""
    from PySide6.QtWidgets import QStyleFactory

    qt = QStyleFactory.create("Fusion").standardPalette()
    roles = ("Window", "WindowText", "Base", "Text", "Button", "ButtonText", "Light", "Midlight", "Mid", "Dark",
             "Shadow", "Highlight", "HighlightedText")
    differ = {r: (LIGHT.color(getattr(QPalette.ColorRole, r)).name(), qt.color(getattr(QPalette.ColorRole, r)).name())
              for r in roles if LIGHT.color(getattr(QPalette.ColorRole, r)) != qt.color(getattr(QPalette.ColorRole, r))}
    assert differ == {}
    assert palette.is_dark(DARK) and not palette.is_dark(LIGHT)
    assert DARK.color(QPalette.ColorRole.Window) == QColor(50, 50, 50)


def test_a_switch_is_told_once_and_the_hints_follow(qtbot, system_scheme):
    scheme = palette.scheme()
    seen: list[bool] = []

    def changed() -> None:
        seen.append(scheme.dark)

    scheme.changed.connect(changed)
    try:
        how = system_scheme(True)
        assert how in ("setColorScheme", "palette and colorSchemeChanged")
        assert seen == [True]  # a palette change and the scheme's signal: one change
        pal = QApplication.palette()
        field = pal.color(QPalette.ColorRole.Base)
        hint = palette.over(pal.color(QPalette.ColorRole.PlaceholderText), field)
        assert contrast_of(hint, field) >= palette.TEXT_CONTRAST
        assert palette.is_dark(pal)
        system_scheme(True)  # told again: nothing changed
        assert seen == [True]
        system_scheme(False)
        assert seen == [True, False]
        field = QApplication.palette().color(QPalette.ColorRole.Base)
        hint = palette.over(QApplication.palette().color(QPalette.ColorRole.PlaceholderText), field)
        assert contrast_of(hint, field) >= palette.TEXT_CONTRAST and field == QColor("#ffffff")
    finally:
        scheme.changed.disconnect(changed)


def _log_view(qtbot) -> LogView:
    model = LogModel()
    feed = LineAssembler().feed
    model.append(feed([(STDOUT, b"GET /index.html 200\n")]))
    model.append(feed([(STDERR, b"ERROR no such file\n")]))
    view = LogView(model)
    qtbot.addWidget(view)
    view.resize(500, 120)
    view.show()
    qtbot.waitExposed(view)
    return view


def _status_table(qtbot) -> tuple[QTableView, ContainersModel]:
    model = ContainersModel()
    model.reset([Container(id="a" * 64, names=("/web",), image="httpd", image_id="sha256:1", command="httpd-foreground",
                           created=0, state=State.RUNNING, status="Up 5 minutes")])
    table = QTableView()
    table.setModel(model)
    qtbot.addWidget(table)
    table.resize(900, 120)
    table.show()
    qtbot.waitExposed(table)
    return table, model


def _field_message(qtbot) -> tuple[QWidget, FieldMessage]:
    box = QWidget()
    field = QLineEdit(box)
    message = FieldMessage("nameMessage", field, box)
    lay = QVBoxLayout(box)
    lay.addWidget(field)
    lay.addWidget(message)
    message.error("That name is already in use.")
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    return box, message


def _painted(view: LogView, table: QTableView, message: FieldMessage) -> dict[str, object]:
    """What the three show now: the log's rows and text, the status dot, the message's text."""
    log = view.viewport().grab().toImage()
    h = view.delegate.row_h
    w = log.width()
    cell = table.visualRect(table.model().index(0, Column.STATUS))
    status = table.viewport().grab().toImage()
    label = message.grab().toImage()
    return {
        "log base": log.pixelColor(w - 5, h // 2).name(),
        "log stderr row": log.pixelColor(w - 5, h + h // 2).name(),
        "log text": colours_in(log, 0, 0, w, h),
        "log stderr text": colours_in(log, 0, h, w, 2 * h),
        "status cell": colours_in(status, cell.left(), cell.top(), cell.left() + 24, cell.bottom()),
        "message": colours_in(label, 0, 0, label.width(), label.height()),
        "message role": message.palette().color(QPalette.ColorRole.WindowText).name(),
    }


def _expect(pal: QPalette, painted: dict[str, object]) -> None:
    log = palette.log_colors(pal)
    assert painted["log base"] == log.base.name()
    # the stderr tint blended by Qt: within a unit of the blend worked out here
    row = QColor(painted["log stderr row"])
    assert max(abs(a - b) for a, b in zip(palette.rgb(row), palette.rgb(log.stderr_row), strict=True)) <= 1
    assert log.text.rgb() in painted["log text"]
    assert log.stderr_text.rgb() in painted["log stderr text"]
    assert palette.state_color(State.RUNNING, pal).rgb() in painted["status cell"]
    red = palette.tone(Tone.ERROR, pal)
    assert painted["message role"] == red.name()
    assert red.rgb() in painted["message"]


def test_a_log_line_a_status_cell_and_a_field_message_switch_live(qtbot, system_scheme):
    view, (table, model), (_box, message) = _log_view(qtbot), _status_table(qtbot), _field_message(qtbot)
    light = _painted(view, table, message)
    _expect(LIGHT, light)

    with qtbot.waitSignal(model.dataChanged) as decorated:
        system_scheme(True)
    assert decorated.args[2] == [Qt.ItemDataRole.DecorationRole]
    assert decorated.args[0].column() == decorated.args[1].column() == Column.STATUS
    dark = _painted(view, table, message)
    _expect(DARK, dark)
    # and none of the light scheme's colours are left
    assert palette.state_color(State.RUNNING, LIGHT).rgb() not in dark["status cell"]
    assert palette.tone(Tone.ERROR, LIGHT).rgb() not in dark["message"]
    assert palette.log_colors(LIGHT).text.rgb() not in dark["log text"]
    assert dark["log base"] != light["log base"]

    system_scheme(False)
    assert _painted(view, table, message) == light


def _status_dot(window) -> str:
    found = re.search(r"color:(#[0-9a-f]{6})", window.engine_status.text())
    assert found, window.engine_status.text()
    return found.group(1)


def test_the_window_and_the_run_dialog_in_both_schemes(window, qtbot, cleanup, system_scheme, tmp_path):
    """The main window (a container, its log, the status bar) and the run dialog (a field
    message), light then dark then light: each colour is the scheme's. Screenshots are
    saved to look at (BERTH_SCREENSHOTS names the folder)."""
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    name = cleanup.name("scheme")
    docker("run", "-d", "--name", name, *cleanup.label_args(), WHALESAY, "sh", "-c",
           "echo 'listening on :80'; echo 'warning: no index.html' >&2; sleep 300")
    model = window.containers_model

    def row() -> int:
        return next((r for r in range(model.rowCount()) if model.record(r).name == name), -1)

    qtbot.waitUntil(lambda: row() >= 0 and model.record(row()).state == State.RUNNING, timeout=10_000)
    window.resize(1200, 720)
    window.containers_table.selectRow(window.containers_proxy.mapFromSource(model.index(row(), 0)).row())
    window.container_actions.logs.trigger()
    viewer = window.docks.log_tabs.currentWidget()
    window.containers_table.clearSelection()  # a selected row's icon is drawn tinted
    qtbot.waitUntil(lambda: viewer.flush() or len(viewer.view.toPlainText().splitlines()) == 2, timeout=10_000)
    window.action_run.trigger()
    dlg = window.dialogs.run_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=3000)
    dlg.findChild(QLineEdit, "imageEdit").setText(WHALESAY)
    dlg.findChild(QLineEdit, "nameEdit").setText(name)
    name_message = dlg.findChild(QLabel, "nameMessage")
    qtbot.waitUntil(name_message.isVisible, timeout=3000)

    def check(pal: QPalette, scheme: str) -> None:
        qtbot.waitUntil(lambda: _status_dot(window) == palette.status(Status.OK, pal).name(), timeout=2000)
        assert name_message.palette().color(QPalette.ColorRole.WindowText) == palette.tone(name_message.tone, pal)
        assert viewer.view.delegate.colors == palette.log_colors(pal)
        table = window.containers_table
        cell = table.visualRect(window.containers_proxy.mapFromSource(model.index(row(), Column.STATUS)))
        shot = table.viewport().grab().toImage()
        dot = palette.state_color(State.RUNNING, pal).rgb()
        assert dot in colours_in(shot, cell.left(), cell.top(), cell.left() + 24, cell.bottom())
        window.grab().save(str(folder / f"window-{scheme}.png"))
        dlg.grab().save(str(folder / f"run-dialog-{scheme}.png"))

    check(LIGHT, "light")
    system_scheme(True)
    check(DARK, "dark")
    system_scheme(False)
    check(LIGHT, "light-again")
    dlg.reject()


def test_style_sheets_and_rich_text_are_made_again(qtbot, system_scheme):
    """What carries its colour in a style sheet or in rich text (the log's count, a search
    pattern that is not one, the engine's dot in the status bar) is set again on a switch."""
    from PySide6.QtWidgets import QCheckBox

    from desktop.engine.records import EngineInfo
    from desktop.ui.logs.search import Finder, SearchBar
    from desktop.ui.logs.toolbar import LogToolbar
    from desktop.ui.shell.status import EngineStatus

    toolbar = LogToolbar(1000)
    bar = SearchBar()
    view = _log_view(qtbot)
    finder = Finder(bar, view.log_model, view, QCheckBox())
    status = EngineStatus()
    for w in (toolbar, bar, status):
        qtbot.addWidget(w)
    bar.regex.setChecked(True)
    bar.field.setText("([")
    finder.apply()
    assert finder.invalid
    info = EngineInfo(host="unix:///var/run/docker.sock", context="default", version="27.0", api_version="1.46")
    status.connected("unix:///var/run/docker.sock", info)

    def shown() -> tuple[str, str, str]:
        return toolbar.count_label.styleSheet(), bar.field.styleSheet(), status.text()

    def expected(pal: QPalette) -> tuple[str, str, str]:
        return (palette.muted(pal).name(), palette.tone(Tone.ERROR, pal).name(), palette.status(Status.OK, pal).name())

    def check(pal: QPalette) -> None:
        for text, colour in zip(shown(), expected(pal), strict=True):
            assert colour in text

    check(LIGHT)
    system_scheme(True)
    check(DARK)
    assert not any(c in t for t, c in zip(shown(), expected(LIGHT), strict=True))
    system_scheme(False)
    check(LIGHT)
    bar.field.setText("fine")
    finder.apply()
    system_scheme(True)
    assert bar.field.styleSheet() == ""  # a valid pattern stays unmarked
