"""The log viewer on the real engine: tail then follow, resume after a restart without
duplicates or gaps, stderr told apart, ANSI styles, search and filter, the cap, a 1 MB
line, tabs, save and copy."""

from __future__ import annotations

import itertools
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QTableView

from desktop.engine.client import Engine
from desktop.engine.logbuffer import STDERR, STDOUT, LineAssembler, Matcher, rgb_of
from desktop.ui.common.live import LiveEngine
from desktop.ui.common.palette import log_colors
from desktop.ui.logs import model as logmodel
from desktop.ui.logs import stream as logstream
from desktop.ui.logs import view as logview
from desktop.ui.logs.model import LogModel
from desktop.ui.logs.tabs import LogTabs
from desktop.ui.logs.view import LogView
from desktop.ui.logs.viewer import LogViewer
from tests.conftest import WHALESAY, docker
from tests.ui.conftest import fusion_palette

#: The dark pane: where a program's colours (written for a dark terminal) fall short on
#: the selection and on a match, the tests that use it switch the system to dark.
LOG = log_colors(fusion_palette(True))


@pytest.fixture
def bed(qtbot, qloop, cleanup, route):
    """An engine, a live monitor on it, and a way to start containers and open viewers."""

    class Bed:
        def __init__(self) -> None:
            self.engine = Engine()
            self.live = LiveEngine(self.engine)
            self.viewers: list[LogViewer] = []

        def run(self, script: str, *extra: str, hint: str = "log") -> str:
            name = cleanup.name(hint)
            docker("run", "-d", "--name", name, *cleanup.label_args(), *extra, WHALESAY, "sh", "-c", script)
            return name

        def open(self, name: str, **kw) -> LogViewer:
            box: list = []

            async def find() -> None:
                box.append(await self.engine.container(name))
            qloop.create_task(find())
            qtbot.waitUntil(lambda: bool(box), timeout=10_000)
            v = LogViewer(self.engine, box[0], self.live, **kw)
            qtbot.addWidget(v)
            v.resize(900, 500)
            v.show()
            self.viewers.append(v)
            return v

    b = Bed()
    b.live.start()
    qtbot.waitUntil(lambda: b.live.is_connected, timeout=15_000)
    yield b
    for v in b.viewers:
        v.shutdown()
    b.live.stop()
    b.engine.reset_connection()


def texts(v: LogViewer) -> list[str]:
    v.flush()
    t = v.view.toPlainText()
    return t.split("\n") if t else []


def wait_lines(qtbot, v: LogViewer, pred, timeout: int = 20_000) -> None:
    qtbot.waitUntil(lambda: pred(texts(v)), timeout=timeout)


def test_tail_then_follow_picks_up_new_lines(bed, qtbot):
    name = bed.run("for i in $(seq 1 20); do echo pre-$i; done; "
                   "while [ ! -f /tmp/go ]; do sleep 0.1; done; for i in $(seq 1 5); do echo post-$i; done; sleep 600")
    qtbot.waitUntil(lambda: "pre-20" in docker("logs", name), timeout=10_000)
    v = bed.open(name, tail=5)
    wait_lines(qtbot, v, lambda t: t == [f"pre-{i}" for i in range(16, 21)])
    assert v.view.objectName() == "logView" and v.objectName() == "logViewer"
    docker("exec", name, "touch", "/tmp/go")
    wait_lines(qtbot, v, lambda t: t[-1:] == ["post-5"])
    assert texts(v) == [f"pre-{i}" for i in range(16, 21)] + [f"post-{i}" for i in range(1, 6)]
    assert v.state == "following"
    assert v.following  # stuck to the bottom
    sb = v.view.verticalScrollBar()
    assert sb.value() == sb.maximum()


COUNTER = ("n=$(cat /n 2>/dev/null || echo 0); trap 'exit 0' TERM; "
           "while true; do n=$((n+1)); echo \"count $n\"; echo $n > /n; sleep 0.01; done")


def test_restart_resumes_without_duplicates_or_gaps(bed, qtbot):
    name = bed.run(COUNTER)
    v = bed.open(name, tail="all")
    wait_lines(qtbot, v, lambda t: len(t) >= 30)
    docker("restart", "-t", "5", name)
    before = len(texts(v))
    wait_lines(qtbot, v, lambda t: len(t) >= before + 60, timeout=30_000)
    docker("restart", "-t", "5", name)  # and once more
    before = len(texts(v))
    wait_lines(qtbot, v, lambda t: len(t) >= before + 60, timeout=30_000)
    docker("stop", "-t", "5", name)
    qtbot.waitUntil(lambda: v.state == "stopped", timeout=20_000)
    expected = docker("logs", name).splitlines()
    got = texts(v)
    assert got == expected
    numbers = [int(t.split()[1]) for t in got]
    assert len(numbers) == len(set(numbers))  # no line twice
    assert v.stream.reader.dropped_duplicates >= 1   # the boundary line really came again and was dropped


def test_started_again_after_a_stop_resumes(bed, qtbot):
    name = bed.run("echo first; echo $(date +%s%N) once-$(cat /r 2>/dev/null || echo 0); "
                   "echo 1 > /r; sleep 0.3; echo last")
    v = bed.open(name, tail="all")
    qtbot.waitUntil(lambda: v.state == "stopped", timeout=20_000)
    assert texts(v)[-1] == "last"
    docker("start", name)  # the live monitor's "start" event resumes the viewer
    wait_lines(qtbot, v, lambda t: len(t) == 6 and t[-1] == "last", timeout=20_000)
    qtbot.waitUntil(lambda: v.state == "stopped", timeout=20_000)
    assert texts(v) == docker("logs", name).splitlines()
    # a rule marks where the second run starts (and says why when hovered)
    assert v.model.resumed_at == {v.model.store.first_seq + 3}
    assert "resumed here" in v.model.index(3).data(Qt.ItemDataRole.ToolTipRole)
    assert v.model.index(2).data(Qt.ItemDataRole.ToolTipRole) is None


def test_stderr_is_told_apart_and_ansi_styles_are_kept(bed, qtbot):
    name = bed.run(r'printf "\033[1;32mok\033[0m out\n"; printf "\033[31mbad\033[0m err\n" >&2; '
                   r'printf "\033[38;5;208mx\033[38;2;1;2;3my\033[0m\n"; sleep 600')
    v = bed.open(name)
    wait_lines(qtbot, v, lambda t: len(t) == 3)
    lines = {ln.text: ln for ln in v.model.lines()}
    assert set(lines) == {"ok out", "bad err", "xy"}
    assert lines["ok out"].stream == STDOUT and lines["bad err"].stream == STDERR
    assert lines["ok out"].spans[0].style.fg == 2 and lines["ok out"].spans[0].style.bold
    assert lines["bad err"].spans[0].style.fg == 1
    assert lines["xy"].spans[0].style.fg == 208
    row = next(r for r in range(v.model.rowCount()) if v.model.line_at(r).text == "bad err")
    assert v.model.index(row).data(v.model.StreamRole) == STDERR
    # The stderr row is painted differently from a stdout row (tint and gutter mark).
    img = v.view.viewport().grab().toImage()
    rect_err = v.view.visualRect(v.model.index(row))
    rect_out = v.view.visualRect(v.model.index(0 if row else 1))
    x = v.view.viewport().width() - 20
    assert img.pixelColor(x, rect_err.center().y()) != img.pixelColor(x, rect_out.center().y())
    assert img.pixelColor(2, rect_err.center().y()) != img.pixelColor(2, rect_out.center().y())


def test_search_highlight_next_previous_and_only_matching(bed, qtbot):
    name = bed.run("for i in $(seq 1 50); do echo \"request $i\"; if [ $((i % 10)) -eq 0 ]; then "
                   "echo \"ERROR at $i\" >&2; fi; done; sleep 600")
    v = bed.open(name, tail="all")
    wait_lines(qtbot, v, lambda t: len(t) == 55)
    v.set_search("error")
    assert len(v.model.hits) == 5
    assert v.model.rowCount() == 55  # everything still shown
    first = v.find_match()
    assert v.model.line_at(v.view.currentIndex().row()).text == "ERROR at 10"
    assert not v.following  # jumping to a match lets go of the bottom
    v.find_match()
    assert v.model.line_at(v.view.currentIndex().row()).text == "ERROR at 20"
    v.find_match(backwards=True)
    assert v.model.line_at(v.view.currentIndex().row()).text == "ERROR at 10"
    v.find_match(backwards=True)  # wraps to the last
    assert v.model.line_at(v.view.currentIndex().row()).text == "ERROR at 50"
    assert v.search.count.text() == "5 of 5"
    v._update_count()  # as every frame does: the position stays counted
    assert v.search.count.text() == "5 of 5"
    assert first is not None
    v.set_search("error", case=True)
    assert v.model.hits == []
    v.set_search(r"request [1-3]$", regex=True, only_matching=True)
    assert texts(v) == ["request 1", "request 2", "request 3"]
    v.set_search(r"(", regex=True, only_matching=True)  # invalid: said so, nothing changes
    assert v.search.count.text() == "invalid pattern"
    v.set_search("")
    assert len(texts(v)) == 55


def test_enter_and_shift_enter_in_find_move_between_matches_selecting_one(bed, qtbot):
    from PySide6.QtTest import QTest

    name = bed.run("for i in $(seq 1 30); do echo \"line $i\"; done; sleep 600")
    v = bed.open(name, tail="all")
    wait_lines(qtbot, v, lambda t: len(t) == 30)
    v.show_search()
    field = v.search.field
    QTest.keyClicks(field, "line 1")
    qtbot.waitUntil(lambda: len(v.model.hits) == 11, timeout=5000)  # line 1, 10-19

    def selected() -> list[str]:
        rows = sorted(i.row() for i in v.view.selectionModel().selectedRows())
        return [v.model.line_at(r).text for r in rows]
    QTest.keyClick(field, Qt.Key.Key_Return)
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert selected() == ["line 10"]
    shift = Qt.KeyboardModifier.ShiftModifier
    QTest.keyPress(field, Qt.Key.Key_Shift, shift)  # held, as a hand holds it
    QTest.keyClick(field, Qt.Key.Key_Return, shift)
    QTest.keyRelease(field, Qt.Key.Key_Shift)
    assert selected() == ["line 1"]  # back one, and only that one
    assert v.search.count.text() == "1 of 11"


def test_filter_keeps_up_with_new_lines(bed, qtbot):
    name = bed.run("while [ ! -f /tmp/go ]; do sleep 0.1; done; "
                   "for i in $(seq 1 30); do echo \"n $i\"; done; sleep 600")
    v = bed.open(name)
    v.set_search("n 2", only_matching=True)
    docker("exec", name, "touch", "/tmp/go")
    wait_lines(qtbot, v, lambda t: t == ["n 2"] + [f"n {i}" for i in range(20, 30)])


def test_the_cap_holds(bed, qtbot):
    name = bed.run("seq 1 3000; sleep 600")
    v = bed.open(name, tail="all", capacity=500)
    wait_lines(qtbot, v, lambda t: t[-1:] == ["3000"])
    got = texts(v)
    assert len(got) == 500 and got[0] == "2501"
    assert len(v.model.store) == 500
    # "All" loaded more than is kept: the count says so
    assert v.toolbar.count_label.text() == "500 lines · 2,500 older not kept"
    assert "newest 500 lines are kept" in v.toolbar.count_label.toolTip()


def test_a_one_megabyte_line_does_not_freeze_the_window(bed, qtbot):
    name = bed.run("echo before; head -c 1000000 /dev/zero | tr '\\0' x; echo; echo after; sleep 600")
    beats: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: beats.append(time.perf_counter()))
    timer.start()
    v = bed.open(name, tail="all")
    wait_lines(qtbot, v, lambda t: t[-1:] == ["after"])
    # Scroll to the far right of the long line and paint it.
    v.view.horizontalScrollBar().setValue(v.view.horizontalScrollBar().maximum())
    v.view.viewport().repaint()
    timer.stop()
    got = texts(v)
    assert got[0] == "before" and got[2] == "after"
    assert len(got[1]) == 1_000_000 and set(got[1]) == {"x"}
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    assert max(gaps) < 0.5, f"the GUI thread stalled {max(gaps) * 1000:.0f} ms"


def test_timestamps_toggle_save_copy_and_clear(bed, qtbot, tmp_path):
    name = bed.run("echo one; echo two >&2; echo three; sleep 600")
    v = bed.open(name)
    wait_lines(qtbot, v, lambda t: len(t) == 3)
    out_lines = docker("logs", "-t", name).splitlines()  # the CLI prints stderr lines on its stderr
    v.set_timestamps(True)
    path = tmp_path / "saved.log"
    v.save_to(str(path))
    saved = path.read_text(encoding="utf-8").splitlines()
    assert [s for s in saved if not s.endswith(" two")] == out_lines
    assert len(saved) == 3 and all(s[:4].isdigit() and s[30:31] == " " for s in saved)
    v.set_timestamps(False)
    v.save_to(str(path))
    assert sorted(path.read_text(encoding="utf-8").splitlines()) == ["one", "three", "two"]
    v.view.clearSelection()
    assert sorted(v.copy_selection().splitlines()) == ["one", "three", "two"]  # nothing selected: all
    assert v.toolbar.count_label.text() == "Copied 3 lines (every line shown)."
    v.view.selectRow(0)
    first = v.view.toPlainText().splitlines()[0]
    assert v.copy_selection() == first and QGuiApplication.clipboard().text() == first
    v.view.selectAll()
    assert sorted(v.copy_selection().splitlines()) == ["one", "three", "two"]
    assert sorted(QGuiApplication.clipboard().text().splitlines()) == ["one", "three", "two"]
    v.clear()
    assert texts(v) == []
    docker("exec", name, "sh", "-c", "echo four > /proc/1/fd/1")
    wait_lines(qtbot, v, lambda t: t == ["four"])  # still following after a clear


def test_scrolling_up_lets_go_and_the_bottom_catches_again(bed, qtbot):
    name = bed.run("seq 1 400; while true; do echo tick; sleep 0.05; done")
    v = bed.open(name, tail="all")
    wait_lines(qtbot, v, lambda t: len(t) > 410)
    sb = v.view.verticalScrollBar()
    assert v.following
    sb.setValue(0)  # the user scrolls up
    assert not v.following
    n = len(texts(v))
    wait_lines(qtbot, v, lambda t: len(t) > n + 5)
    assert sb.value() == 0  # stays where the user left it
    sb.setValue(sb.maximum())  # back at the bottom
    assert v.following
    n = len(texts(v))
    wait_lines(qtbot, v, lambda t: len(t) > n + 5)
    qtbot.waitUntil(lambda: sb.value() == sb.maximum(), timeout=5000)


def test_tabs_open_focus_and_close(bed, qtbot, qtmodeltester):
    a = bed.run("echo from-a; sleep 600", hint="a")
    b = bed.run("echo from-b; sleep 600", hint="b")
    tabs = LogTabs(bed.engine, bed.live)
    qtbot.addWidget(tabs)
    tabs.show()
    box: list = []

    async def find() -> None:
        box.extend([await bed.engine.container(a), await bed.engine.container(b)])
    import asyncio
    asyncio.get_event_loop().create_task(find())
    qtbot.waitUntil(lambda: len(box) == 2, timeout=10_000)
    va = tabs.open(box[0])
    vb = tabs.open(box[1])
    assert tabs.objectName() == "logTabs" and tabs.count() == 2
    assert tabs.open(box[0]) is va and tabs.count() == 2 and tabs.currentWidget() is va
    wait_lines(qtbot, va, lambda t: t == ["from-a"])
    wait_lines(qtbot, vb, lambda t: t == ["from-b"])
    qtmodeltester.check(va.model)
    tabs.close_tab(tabs.indexOf(vb))
    assert tabs.count() == 1
    emptied: list[bool] = []
    tabs.emptied.connect(lambda: emptied.append(True))
    va.view.setFocus()
    qtbot.waitUntil(lambda: va.view.hasFocus() or not tabs.isActiveWindow(), timeout=2000)
    qtbot.keyClick(va.view, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # closes the current tab
    assert tabs.count() == 0 and emptied == [True]
    tabs.clear()
    assert tabs.count() == 0


def test_changing_the_tail_reloads(bed, qtbot):
    name = bed.run("seq 1 50; sleep 600")
    v = bed.open(name, tail=10)
    wait_lines(qtbot, v, lambda t: t == [str(i) for i in range(41, 51)])
    v.toolbar.tail_box.setCurrentText("3")
    v.reload()
    wait_lines(qtbot, v, lambda t: t == ["48", "49", "50"])
    v.toolbar.tail_box.setCurrentText("All")
    v.reload()
    wait_lines(qtbot, v, lambda t: t == [str(i) for i in range(1, 51)])
    v.shutdown()  # a closing tab whose tail box reports an edit late starts nothing
    v.toolbar.tail_box.setCurrentText("5")
    v.reload()
    assert v.stream.task is None and not v.stream.frame.isActive()
    assert v.stream.reader.pump is None or v.stream.reader.pump.closed


class TableView(LogView):
    """The log view painted by the table's own per-cell painting."""

    def paintEvent(self, event) -> None:
        QTableView.paintEvent(self, event)


def test_the_view_paints_exactly_what_the_table_would(qtbot):
    """LogView paints its rows itself; the picture must be the table's own, cell by
    cell through the delegate: selection, search matches, stderr, ANSI, timestamps,
    scrolled both ways."""
    ts = b"2024-05-01T12:34:56.123456789Z "
    model = LogModel()
    feed = LineAssembler(timestamps=True).feed
    model.append(feed([(STDOUT, b"".join(ts + b"line %d \x1b[1;31mred\x1b[0m and \x1b[4mplain\x1b[0m %s\n"
                                        % (i, b"wide " * (i % 40)) for i in range(400)))]))
    model.append(feed([(STDERR, ts + b"an error on stderr\n" * 5)]))
    model.set_search(Matcher("plain"), filtering=False)

    pictures = []
    for cls in (LogView, TableView):
        view = cls(model)
        qtbot.addWidget(view)
        view.delegate.show_timestamps = True
        view.delegate.current_seq = 37
        view.relayout()
        view.resize(640, 420)
        view.show()
        qtbot.waitExposed(view)
        view.selectRow(39)
        view.verticalScrollBar().setValue(30 * view.delegate.row_h + 5)
        view.horizontalScrollBar().setValue(40)
        shots = [view.viewport().grab().toImage()]
        view.scrollToBottom()
        shots.append(view.viewport().grab().toImage())
        pictures.append(shots)
    ours, table = pictures
    assert ours[0] == table[0] and ours[1] == table[1]
    assert ours[0] != ours[1]  # the two positions show different rows


def test_right_to_left_the_view_paints_what_the_table_would(qtbot):
    model = LogModel()
    model.append(LineAssembler(timestamps=False).feed([(STDOUT, b"".join(
        b"line %d \x1b[32mgreen\x1b[0m %s\n" % (i, b"wide " * (i % 30)) for i in range(100)))]))
    shots = []
    for cls in (LogView, TableView):
        view = cls(model)
        qtbot.addWidget(view)
        view.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        view.relayout()
        view.resize(500, 300)
        view.show()
        qtbot.waitExposed(view)
        view.selectRow(3)
        view.horizontalScrollBar().setValue(30)
        shots.append(view.viewport().grab().toImage())
    assert shots[0] == shots[1]


def test_a_flood_is_drawn_at_half_the_frame_rate(bed, qtbot):
    name = bed.run("echo ready; sleep 600", hint="flood")
    v = bed.open(name)
    wait_lines(qtbot, v, lambda t: t == ["ready"])
    assert v.stream.frame.interval() == logstream.FRAME_MS
    screen = v.view.viewport().height() // v.view.delegate.row_h + 1
    v.stream.on_lines([(f"flood {i}", STDOUT, "", ()) for i in range(screen)])
    v.flush()
    assert v.stream.frame.interval() == logstream.FLOOD_FRAME_MS
    v.stream.on_lines([("calm again", STDOUT, "", ())])
    v.flush()
    assert v.stream.frame.interval() == logstream.FRAME_MS
    assert texts(v)[-1] == "calm again" and len(texts(v)) == screen + 2
    # showing only matching lines, what counts is the rows that appear, not the lines
    v.set_search("match me", only_matching=True)
    v.stream.on_lines([(f"other {i}", STDOUT, "", ()) for i in range(screen)] + [("match me", STDOUT, "", ())])
    v.flush()
    assert v.stream.frame.interval() == logstream.FRAME_MS and texts(v) == ["match me"]


def test_lines_being_read_never_vanish_under_the_reader(bed, qtbot):
    """Scrolled up with the store at its cap: new lines would push out the ones on
    screen, so they wait (counted) until the view follows again."""
    name = bed.run("echo ready; sleep 600", hint="hold")
    v = bed.open(name, capacity=300)
    wait_lines(qtbot, v, lambda t: t == ["ready"])
    v.stream.on_lines([(f"old {i}", STDOUT, "", ()) for i in range(299)])
    v.flush()
    v.view.verticalScrollBar().setValue(0)  # the user scrolls to the top to read
    assert not v.following
    top = v.view.toPlainText().splitlines()[0]
    v.stream.on_lines([(f"new {i}", STDOUT, "", ()) for i in range(50)])
    v.flush()
    assert v.view.toPlainText().splitlines()[0] == top == "ready"  # still there
    assert v.stream.held == 50 and "50 new waiting" in v.toolbar.count_label.text()
    assert v.state == "held" and "wait" in v.toolbar.status.text()
    assert not v.stream.frame.isActive()  # nothing to do until the view moves
    sb = v.view.verticalScrollBar()
    sb.setValue(sb.maximum())  # scrolled down to the bottom: it follows, the lines come in
    assert v.following
    qtbot.waitUntil(lambda: v.stream.held == 0, timeout=2000)
    shown = v.view.toPlainText().splitlines()
    assert shown[-1] == "new 49" and len(shown) == 300
    assert "waiting" not in v.toolbar.count_label.text() and v.state == "following"


def test_a_backlog_of_old_lines_is_said_to_be_catching_up(bed, qtbot):
    name = bed.run("echo ready; sleep 600", hint="lag")
    v = bed.open(name)
    wait_lines(qtbot, v, lambda t: t == ["ready"])
    qtbot.waitUntil(lambda: v.state == "following", timeout=5000)
    old = "2024-05-01T12:00:00.000000000Z"
    for i in range(6):  # old lines, frame after frame, with now and then a frame without
        v.stream.on_lines([(f"backlog {i}", STDOUT, old, ())])
        v.flush()
        qtbot.wait(40)
        v.flush()  # an empty frame does not make it live again
        assert v.state == ("catching up" if i >= 3 else v.state)
    assert v.state == "catching up" and "Catching up" in v.toolbar.status.text() and "behind" in v.toolbar.status.text()
    qtbot.waitUntil(lambda: v.state == "following", timeout=5000)  # nothing more came: live again
    assert "Live" in v.toolbar.status.text()
    qtbot.waitUntil(lambda: not v.stream.frame.isActive(), timeout=2000)  # no idle frame timer


def test_the_engine_clock_comes_from_the_date_header():
    from email.utils import formatdate

    from desktop.engine.logstream import _clock_offset

    assert abs(_clock_offset(formatdate(time.time(), usegmt=True))) < 2
    assert _clock_offset(formatdate(time.time() + 3600, usegmt=True)) == pytest.approx(3600, abs=2)
    assert _clock_offset(None) == 0.0 and _clock_offset("garbage") == 0.0


def test_a_closed_viewers_lines_are_freed_a_slice_at_a_time(bed, qtbot):
    name = bed.run("seq 1 12000; sleep 600")
    v = bed.open(name, tail="all")
    wait_lines(qtbot, v, lambda t: t[-1:] == ["12000"])
    lines = v.model.store._lines
    v.flush()
    waiting = v.stream.pending
    waiting.extend(v.model.store._lines[:6000])  # as if lines had come since the last frame
    v.shutdown()
    # emptied at once, but not freed at once: between events, a slice each time
    assert v.model.rowCount() == 0 and len(v.model.store) == 0
    assert len(lines) == 12000 and len(waiting) == 6000 and logmodel._freeing.pending == 18000
    qtbot.waitUntil(lambda: not lines and not waiting, timeout=5_000)
    assert logmodel._freeing.pending == 0 and not logmodel._freeing._timer.isActive()


def test_without_an_application_a_list_is_left_to_the_caller(monkeypatch):
    monkeypatch.setattr(logmodel.QCoreApplication, "instance", staticmethod(lambda: None))
    freeing = logmodel._Freeing()
    big = list(range(20_000))
    freeing.add(big)  # no loop to spread it over: nothing is kept back
    assert freeing.pending == 0 and freeing._timer is None


def test_freeing_goes_a_slice_at_a_time(qtbot):
    freeing = logmodel._Freeing()
    short = list(range(logmodel._Freeing.SLICE))
    freeing.add(short)  # quick enough to free at once: left to the caller
    assert freeing.pending == 0 and freeing._timer is None and len(short) == logmodel._Freeing.SLICE
    a, b = list(range(12_000)), list(range(6_000))
    freeing.add(a)
    freeing.add(b)
    assert freeing.pending == 18_000 and freeing._timer.isActive()
    seen = []
    while freeing.pending:
        freeing._step()
        seen.append((len(a), len(b)))
    assert seen == [(12_000, 1_000), (12_000, 0), (7_000, 0), (2_000, 0), (0, 0)]
    assert not freeing._timer.isActive()


def test_coloured_text_stays_readable_on_a_selected_row(qtbot, system_scheme):
    """ANSI red on the selection's blue was hard to read: a coloured run is drawn
    lighter where it lacks contrast, and only there."""
    system_scheme(True)
    from desktop.engine.logbuffer import MIN_CONTRAST, contrast

    model = LogModel()
    model.append(LineAssembler(timestamps=False).feed(
        [(STDOUT, b"\x1b[31mRRRRRRRRRRRRRRRRRRRR\x1b[0m\n" * 2)]))
    view = LogView(model)
    qtbot.addWidget(view)
    view.resize(400, 120)
    view.show()
    qtbot.waitExposed(view)
    view.selectRow(0)
    h = view.delegate.row_h
    shot = view.viewport().grab().toImage()

    def best_contrast(row: int, bg: QColor) -> float:
        # the glyphs' cores: the pixel of the row that stands out most from the row's colour
        x0 = int(view.delegate.text_x())
        pixels = {shot.pixelColor(x, y).getRgb()[:3] for y in range(row * h, row * h + h)
                  for x in range(x0, x0 + int(view.delegate.char_w * 20))}
        return max(contrast(p, bg.getRgb()[:3]) for p in pixels)

    red = rgb_of(1)
    assert contrast(red, LOG.selection.getRgb()[:3]) < MIN_CONTRAST  # as it was
    # selected: made readable; not selected: the red as it is, already readable on the base
    assert best_contrast(0, LOG.selection) >= MIN_CONTRAST - 0.1
    assert contrast(red, LOG.base.getRgb()[:3]) >= MIN_CONTRAST
    unselected = {shot.pixelColor(x, h + h // 2).getRgb()[:3] for x in range(0, 300)}
    assert red in unselected


def test_on_the_light_pane_a_programs_light_colours_are_drawn_darker(qtbot):
    """xterm's bright yellow, written for a dark terminal, all but vanishes on white: on
    the light pane it is drawn darker, as far as 3:1 takes it; blue is readable already."""
    from desktop.engine.logbuffer import MIN_CONTRAST, contrast

    light = log_colors(fusion_palette(False))
    model = LogModel()
    model.append(LineAssembler(timestamps=False).feed(
        [(STDOUT, b"\x1b[93mYYYYYYYYYYYYYYYYYYYY\x1b[0m\n\x1b[34mBBBBBBBBBBBBBBBBBBBB\x1b[0m\n")]))
    view = LogView(model)
    qtbot.addWidget(view)
    view.resize(400, 120)
    view.show()
    qtbot.waitExposed(view)
    assert view.delegate.colors == light  # the tests' system is light
    h, x0 = view.delegate.row_h, int(view.delegate.text_x())
    shot = view.viewport().grab().toImage()

    def colours(row: int) -> set[tuple[int, int, int]]:
        return {shot.pixelColor(x, y).getRgb()[:3] for y in range(row * h, row * h + h)
                for x in range(x0, x0 + int(view.delegate.char_w * 20))}
    yellow, blue = rgb_of(11), rgb_of(4)
    assert contrast(yellow, light.base.getRgb()[:3]) < MIN_CONTRAST  # as a program wrote it
    assert yellow not in colours(0)
    assert max(contrast(p, light.base.getRgb()[:3]) for p in colours(0)) >= MIN_CONTRAST - 0.1
    assert contrast(blue, light.base.getRgb()[:3]) >= MIN_CONTRAST and blue in colours(1)


def test_runs_are_cut_where_matches_begin_and_end():
    pieces = [(0, 4, None), (4, 10, "red"), (10, 12, None)]
    got = list(logview._on_matches(pieces, [(2, 6), (9, 11)]))
    assert got == [(0, 2, None, False), (2, 4, None, True), (4, 6, "red", True), (6, 9, "red", False),
                   (9, 10, "red", True), (10, 11, None, True), (11, 12, None, False)]
    assert list(logview._on_matches(pieces, [])) == [(s, e, st, False) for s, e, st in pieces]


def test_text_on_a_search_match_stays_readable(qtbot, system_scheme):
    """Light text, and red, on the current match's orange were hard to read."""
    system_scheme(True)
    from desktop.engine.logbuffer import MIN_CONTRAST, contrast

    model = LogModel()
    model.append(LineAssembler(timestamps=False).feed(
        [(STDOUT, b"plainplainplain \x1b[31mREDREDREDRED\x1b[0m\n")]))
    model.set_search(Matcher("plainplainplain REDREDREDRED"), filtering=False)
    view = LogView(model)
    qtbot.addWidget(view)
    view.resize(500, 80)
    view.show()
    qtbot.waitExposed(view)
    view.delegate.current_seq = model.seq_at(0)
    view.viewport().update()
    shot = view.viewport().grab().toImage()
    orange = LOG.match_current_bg
    assert contrast(LOG.text.getRgb()[:3], orange.getRgb()[:3]) < MIN_CONTRAST  # as it was
    cw, x0, h = view.delegate.char_w, int(view.delegate.text_x()), view.delegate.row_h

    def best_contrast(a: int, b: int) -> float:  # of the characters a to b, against the orange
        pixels = {shot.pixelColor(x, y).getRgb()[:3] for y in range(1, h - 1)
                  for x in range(int(x0 + a * cw), int(x0 + b * cw))}
        return max(contrast(p, orange.getRgb()[:3]) for p in pixels)
    assert best_contrast(0, 15) >= MIN_CONTRAST - 0.1   # the plain text
    assert best_contrast(16, 28) >= MIN_CONTRAST - 0.1  # the red


def test_the_panes_own_text_keeps_4_5_to_1_on_every_row(qtbot, system_scheme):
    """Timestamps on a selected row or on the match gone to, and plain text on that
    match's orange, were drawn under 4.5:1: the pane's own text colours are made
    readable where they are drawn (a program's colours keep the 3:1 above)."""
    system_scheme(True)
    from desktop.ui.common.palette import TEXT_CONTRAST, contrast_of

    ts = b"2024-05-01T12:34:56.123456789Z "
    model = LogModel()
    model.append(LineAssembler(timestamps=True).feed(
        [(STDOUT, ts + b"selected\n" + ts + b"plainplainplain\n" + ts + b"resting\n")]))
    model.set_search(Matcher("plainplainplain"), filtering=False)
    view = LogView(model)
    qtbot.addWidget(view)
    view.delegate.show_timestamps = True
    view.relayout()
    view.resize(600, 100)
    view.show()
    qtbot.waitExposed(view)
    view.selectRow(0)
    view.delegate.current_seq = model.seq_at(1)
    view.viewport().update()
    shot = view.viewport().grab().toImage()
    assert contrast_of(LOG.dim, LOG.selection) < TEXT_CONTRAST  # as it was
    assert contrast_of(LOG.dim, LOG.current) < TEXT_CONTRAST
    assert contrast_of(LOG.text, LOG.match_current_bg) < TEXT_CONTRAST
    d = view.delegate
    cw, h = d.char_w, d.row_h
    stamp = (d.GUTTER + d.PAD, int(d.GUTTER + d.PAD + 23 * cw))
    text = (int(d.text_x()), int(d.text_x() + 15 * cw))

    def pixels(row: int, xs: tuple[int, int]) -> list[QColor]:
        return [shot.pixelColor(x, y) for y in range(row * h + 1, row * h + h - 1) for x in range(*xs)]

    def best_contrast(row: int, xs: tuple[int, int], bg: QColor) -> float:
        return max(contrast_of(p, bg) for p in pixels(row, xs))
    assert best_contrast(0, stamp, LOG.selection) >= TEXT_CONTRAST - 0.1
    assert best_contrast(1, stamp, LOG.current) >= TEXT_CONTRAST - 0.1
    assert best_contrast(1, text, LOG.match_current_bg) >= TEXT_CONTRAST - 0.1
    # where the dim colour reads already (a resting row), it is drawn as it is
    assert LOG.dim.rgb() in {p.rgb() for p in pixels(2, stamp)}
