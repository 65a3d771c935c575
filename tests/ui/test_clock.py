"""CREATED and STATUS change when their own text changes, as ``docker ps -a`` would show
them, and a table whose texts are far from changing is left alone."""

from __future__ import annotations

import itertools
import time
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from desktop.engine.aging import duration_span
from desktop.engine.formatting import human_duration
from desktop.engine.records import Image
from desktop.ui.common.clock import LONGEST_WAIT, RESOLUTION, ChangeFinder, TableClock
from desktop.ui.containers.model import Column
from desktop.ui.images.model import ImagesModel
from tests.conftest import WHALESAY
from tests.ui.conftest import close_window, open_window

#: How late the clock may be on a change, on this busy shared machine: the timer and
#: the turn of the loop that waits for it (measured 2-7 ms late on a quiet machine).
LATE = 0.1
YEAR = 365 * 86400


@pytest.fixture
def window(qtbot, qloop, route, private_engine):
    """A window on an engine of its own. On the shared engine, other people's bursts of
    containers make Berth list them all again, and STATUS then ages from that list's
    answer, by then up to a second after the start (0.4-0.7 s late, measured)."""
    w = open_window(qtbot, private_engine.host)
    yield w
    close_window(w)
    route.attach(None)  # the route would otherwise show later tests' errors on a deleted window


def _engine_time(stamp: str) -> float:
    """An RFC 3339 time with nanoseconds, as the engine writes it, in seconds."""
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole + "+00:00").timestamp() + float(f"0.{fraction or 0}")


def test_status_and_created_change_on_the_second_docker_changes_them(window, qtbot, private_engine):
    name = "clock"
    model = window.containers_model
    seen: list[tuple[float, str, str]] = []

    def row() -> int:
        return next((r for r in range(model.rowCount()) if model.record(r).name == name), -1)

    def look(*_args) -> None:
        r = row()
        if r >= 0:
            created, status = model.index(r, Column.CREATED).data(), model.index(r, Column.STATUS).data()
            if not seen or seen[-1][1:] != (created, status):
                seen.append((time.time(), created, status))

    model.dataChanged.connect(look)
    model.rowsInserted.connect(look)
    private_engine.docker("run", "-d", "--name", name, WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: row() >= 0 and model.index(row(), Column.STATUS).data().startswith("Up"),
                    timeout=10000)
    qtbot.wait(3800)
    started = _engine_time(private_engine.docker("inspect", "-f", "{{.State.StartedAt}}", name).strip())
    created = model.record(row()).created

    # The engine's STATUS counts from the start; Berth ages it from when the engine's
    # list answered, which is at the latest when the row first read "Up" (measured 40-60 ms).
    answered = next(t for t, _c, s in seen if s.startswith("Up ")) - started
    status_changes = [(t, s) for prev, (t, _c, s) in itertools.pairwise(seen) if s != prev[2] and s.startswith("Up ")
                      and prev[2].startswith("Up ")]
    assert len(status_changes) >= 3, seen
    for t, status in status_changes:
        assert status == "Up " + human_duration(t - started), (t - started, status)  # never ahead of docker
        shown = int(status.split()[1]) if status[3].isdigit() else 1
        assert t - (started + shown) <= answered + LATE, (t - started, status, answered)  # nor behind it

    created_changes = [(t, c) for prev, (t, c, _s) in itertools.pairwise(seen) if c != prev[1]]
    assert len(created_changes) >= 3, seen
    for t, text in created_changes:  # CREATED counts from the whole second docker keeps
        assert text == human_duration(t - created) + " ago"
        assert (t - created) % 1 <= LATE, (t - created, text)


def _image(n: int, created: float) -> Image:
    return Image(id=f"sha256:{n:064x}", repo_tags=(f"clock/test{n}:latest",), repo_digests=(),
                 created=int(created), size=1000)


@pytest.fixture
def images_table(qtbot):
    model = ImagesModel()
    view = QTableView()
    view.setModel(model)
    view.resize(500, 200)  # some rows, not all, on screen
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    clock = TableClock(model, [view])
    return model, view, clock


def test_an_idle_table_is_looked_at_only_when_a_text_on_screen_changes(qtbot, images_table):
    model, view, clock = images_table
    now = time.time()
    old = [_image(i, now - 3 * 3600 - 300 - 7 * i) for i in range(30)]  # "3 hours ago" for 25 minutes more
    young = _image(99, now - 6)  # "6 seconds ago" on the last row: off the screen
    model.sync_images([*old, young])
    model.sort(3, Qt.SortOrder.AscendingOrder)  # oldest first: the young row last, out of sight
    assert view.rowAt(view.viewport().height() - 1) < model.rowCount() - 1
    changed: list[int] = []
    model.dataChanged.connect(lambda tl, br, *_: changed.extend(range(tl.row(), br.row() + 1)))
    qtbot.wait(50)
    # nothing on screen changes for 25 minutes: no timer fires within the minute
    assert not clock.timer.isActive() or clock.timer.remainingTime() > 55_000
    qtbot.wait(1500)
    assert changed == []

    view.scrollToBottom()  # the young row comes on screen: its next second is when to look
    qtbot.wait(10)
    assert clock.timer.isActive() and clock.timer.remainingTime() <= 1000
    qtbot.waitUntil(lambda: bool(changed), timeout=1500)
    qtbot.wait(100)
    assert set(changed) == {model.rowCount() - 1}  # only the row whose text changed
    assert model.index(model.rowCount() - 1, 3).data() == human_duration(time.time() - int(now - 6)) + " ago"


def test_the_timer_waits_for_the_earliest_change_on_screen(qtbot, images_table):
    model, _view, clock = images_table
    now = time.time()
    model.sync_images([_image(1, now - 3 * 3600), _image(2, now - 90), _image(3, now - 5 * 86400)])
    qtbot.wait(50)
    # "About a minute ago" becomes "2 minutes ago" when the age reaches 120 s
    expected = (int(now - 90) + 120 - time.time()) * 1000
    assert clock.timer.isActive() and abs(clock.timer.remainingTime() - expected) < 60


@pytest.mark.parametrize("seed", range(5))
def test_the_change_found_is_the_change_of_the_text(seed):
    """Against the formatter: for texts counting from anchors of a few shared fractions
    of a second (and from any fraction), the moment found is where the text changes,
    within the resolution; a text that changes later than the wait is looked at then."""
    import random

    rng = random.Random(seed)
    finder = ChangeFinder()
    fractions = [0.0, rng.random(), rng.random()]
    now = 1_800_000_000.0 + rng.random()
    calls = []
    for i in range(300):
        anchor = now - rng.choice([rng.uniform(1, 120), rng.uniform(1, 3 * 86400), rng.uniform(1, 5 * YEAR)])
        anchor = int(anchor) + (rng.choice(fractions) if i % 10 else rng.random())

        def text(t: float, anchor: float = anchor) -> str:
            return human_duration(t - anchor)

        held = text(now)
        asked: list[float] = []

        def same_at(t: float, text=text, held: str = held, asked: list[float] = asked) -> bool:
            asked.append(t)
            return text(t) == held

        wait = finder.find(same_at, now, duration_span(held), LONGEST_WAIT)
        calls.append(len(asked))
        if text(now + wait) == held:  # not within the wait: looked at again then
            assert wait == LONGEST_WAIT
            continue
        assert text(now + wait) != held and text(now + wait - RESOLUTION) == held, (now - anchor, wait)
    assert sorted(calls)[len(calls) // 2] <= 4  # most found by a fraction seen before
