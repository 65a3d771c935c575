"""The one error route: a sentence for every failure, one box at a time."""

import shiboken6
from PySide6.QtWidgets import QMainWindow, QMessageBox

from desktop.engine.errors import EngineError, ErrorKind


def test_failures_while_a_box_is_open_join_it(qtbot, route):
    w = QMainWindow()
    qtbot.addWidget(w)
    w.show()
    route.attach(w)
    try:
        route.report(EngineError(ErrorKind.NOT_FOUND, "Container a no longer exists.", "404 a"), context="Removing a")
        route.report(EngineError(ErrorKind.NOT_FOUND, "Container b no longer exists.", "404 b"), context="Removing b")
        boxes = [b for b in w.findChildren(QMessageBox, "errorBox") if b.isVisible()]
        assert len(boxes) == 1
        assert boxes[0].text().splitlines() == ["Removing a: Container a no longer exists.",
                                               "Removing b: Container b no longer exists."]
        assert "404 a" in boxes[0].detailedText() and "404 b" in boxes[0].detailedText()
        assert w.statusBar().currentMessage() == "Removing b: Container b no longer exists."
    finally:
        route.attach(None)


def test_an_unexpected_exception_is_a_sentence_with_the_traceback_as_detail(qtbot, route):
    def broken():
        return {}["missing"]
    try:
        broken()
    except KeyError as exc:
        shown = route.report(exc, context="Something went wrong", serious=False)
    assert shown.message.startswith("Something went wrong: Unexpected error: KeyError")
    assert "Traceback" in shown.detail and "broken" in shown.detail


def test_a_deleted_window_does_not_break_the_route(qtbot, route):
    from PySide6.QtWidgets import QMainWindow

    w = QMainWindow()
    route.attach(w)
    w.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(w), timeout=2000)
    shown = route.report("after the window went", serious=False)
    assert shown.message == "after the window went" and route.last() is shown
