"""The clock of a table: CREATED and STATUS change on screen when their own text does.

``docker ps -a`` writes "10 seconds ago" and "Up 4 seconds" as of the moment it runs. A
table that re-rendered them on a one-second tick of its own showed each change up to a
second late, and woke every second for a table of old containers. :class:`TableClock`
instead finds, for the rows on screen only, when each one's text next changes, sleeps
on one single-shot timer until the earliest, and then refreshes just the rows that
changed (:meth:`RecordTableModel.refresh`).

Only the model's :meth:`~RecordTableModel.texts` knows what a text counts from (STATUS
ages from the moment its row was listed, which the containers model keeps to itself),
so the moment is found by asking it for the texts at later times: docker's rules give
the longest a shown text can stay (:func:`duration_span`), and :class:`ChangeFinder`
narrows that down.

    TableClock(containers_model, [containers_table], parent=window)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractProxyModel, QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtWidgets import QTableView

from desktop.engine.aging import duration_span
from desktop.ui.common.table_model import RecordTableModel

#: The longest the timer sleeps. Qt's timers run on the monotonic clock, which stands
#: still while the machine is suspended; waking at least this often keeps the texts
#: at most this far behind the wall clock after a resume.
LONGEST_WAIT = 60.0
#: How closely a change is found; the timer's own grain is a millisecond.
RESOLUTION = 0.001


class ChangeFinder:
    """Finds the moment a text that only ever moves forward changes, from a test of
    whether it still reads the same at a given time (one call of the model's
    ``texts()``, 10-20 µs for a container row).

    Halving the interval alone takes 10 calls for a text in seconds, 35 for one in
    years: 9-30 ms for a screen of 46 container rows, a stall after every list. Two
    things cut that down to 2.3-3.4 ms (measured, texts made included): a text is only
    followed as far as the clock will sleep (``within``); and every boundary of docker's
    durations is a whole number of seconds of age, so a text changes a whole number of
    seconds after its anchor. The anchors of a table share few fractions of a second
    (CREATED counts from whole seconds, STATUS from the moment its list answered), so
    those of the changes found before are tried first: a confirmed guess costs two
    calls and a search over whole seconds."""

    KEPT = 4  # fractions of a second remembered

    def __init__(self) -> None:
        self.phases: list[float] = [0.0]

    def find(self, same_at: Callable[[float], bool], now: float, span: float, within: float) -> float:
        """Seconds from ``now`` (where the text reads as shown) until it changes, or
        ``min(span, within)`` if it still reads the same then: look again at that time."""
        limit = min(span, within)
        if same_at(now + limit):
            return limit
        for phase in self.phases:
            found = self._at_phase(same_at, now, limit, phase)
            if found is not None:
                return found
        low, high = 0.0, limit
        while high - low > RESOLUTION:
            mid = (low + high) / 2
            if same_at(now + mid):
                low = mid
            else:
                high = mid
        self._keep((now + high) % 1.0)
        return high

    def _at_phase(self, same_at: Callable[[float], bool], now: float, limit: float, phase: float) -> float | None:
        """The change, if it falls ``phase`` past a whole second: the first such moment
        where the text differs, confirmed by it reading the same just before."""
        first = now + (phase - now) % 1.0
        if first <= now:
            first += 1.0
        count = int((now + limit - first) // 1.0)  # whole seconds after `first` that are in reach
        if count < 0 or same_at(first + count):
            return None
        low, high = -1, count  # the first moment that differs is after first + low, at most first + high
        while high - low > 1:
            mid = (low + high) // 2
            if same_at(first + mid):
                low = mid
            else:
                high = mid
        moment = first + high
        if moment - RESOLUTION > now and not same_at(moment - RESOLUTION):
            return None
        self._keep(phase)
        return moment - now

    def _keep(self, phase: float) -> None:
        kept = [p for p in self.phases if min(abs(p - phase), 1.0 - abs(p - phase)) > RESOLUTION]
        self.phases = [phase, *kept][: self.KEPT]


class TableClock(QObject):
    """Keeps the clock-dependent cells of ``model`` current in ``views`` (which show it,
    through proxies or not). It owns :attr:`timer` and follows the model and the views
    itself: rows added, changed, sorted, filtered, scrolled into view, a tab shown."""

    def __init__(self, model: RecordTableModel[Any], views: Sequence[QTableView],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.views = list(views)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        # a coarse timer may fire 5% late: 50 ms on a one-second wait
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.plan)
        self._soon = QTimer(self)  # one plan for a burst of changes
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self.plan)
        #: row key -> (the texts shown, when to look at them again): the rows on screen
        self._until: dict[Hashable, tuple[tuple[str, ...], float]] = {}
        self._finder = ChangeFinder()
        self._refreshing = False

        model.dataChanged.connect(self._data_changed)
        for signal in (model.rowsInserted, model.rowsRemoved, model.rowsMoved, model.modelReset,
                       model.layoutChanged):
            signal.connect(self.plan_soon)
        for view in self.views:
            shown = view.model()
            if shown is not model:  # a filter shows other rows without the model changing
                for signal in (shown.rowsInserted, shown.rowsRemoved, shown.modelReset, shown.layoutChanged):
                    signal.connect(self.plan_soon)
            # before the newly shown rows are painted, so none shows a text gone stale
            view.verticalScrollBar().valueChanged.connect(self.plan)
            view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self.plan()  # a tab brought forward: its rows may have aged while hidden
        elif event.type() in (QEvent.Type.Resize, QEvent.Type.Hide):
            self.plan_soon()
        return False

    def _data_changed(self, *_args: object) -> None:
        if not self._refreshing:
            self.plan_soon()

    def plan_soon(self, *_args: object) -> None:
        self._soon.start()

    def plan(self, *_args: object) -> None:
        """Refresh the rows on screen whose text has changed; sleep until the next change."""
        self._soon.stop()
        now = time.time()
        rows = self.visible_rows()
        due = [row for row in rows if self._change_of(row, now) <= now]
        if due:
            self._refreshing = True
            try:
                self.model.refresh(due)
            finally:
                self._refreshing = False
        earliest = min((self._change_of(row, now) for row in rows), default=math.inf)
        if earliest == math.inf:
            self.timer.stop()
            return
        wait = min(max(earliest - now, 0.0), LONGEST_WAIT)
        self.timer.start(math.ceil(wait * 1000))

    def _change_of(self, row: int, now: float) -> float:
        """When to look at the texts ``row`` shows again (a time): when they change, or
        the end of the clock's longest wait; ``now`` or before when they have changed."""
        shown = self.model.cell_texts(row)
        key = self.model.key(self.model.record(row))
        held = self._until.get(key)
        if held is None or held[0] is not shown or held[1] <= now:
            held = self._until[key] = (shown, now + self.next_change(row, now))
        return held[1]

    def next_change(self, row: int, now: float) -> float:
        """Seconds from ``now`` until the clock-dependent texts ``row`` shows read
        differently (0 when they already do), or :data:`LONGEST_WAIT` if not before."""
        model = self.model
        cols = model.time_columns()
        shown = model.cell_texts(row)
        held = [shown[c] for c in cols]
        record = model.record(row)

        def same_at(t: float) -> bool:
            texts = model.texts(record, t)
            return all(texts[c] == h for c, h in zip(cols, held, strict=True))

        if not same_at(now):
            return 0.0
        spans = [span for span in map(duration_span, held) if span is not None]
        if not spans:
            return math.inf
        return self._finder.find(same_at, now, min(spans), LONGEST_WAIT)

    def visible_rows(self) -> list[int]:
        """The model's rows on screen in any of the views, in order; none for a hidden view."""
        rows: set[int] = set()
        for view in self.views:
            shown = view.model()
            if not view.isVisible() or shown is None or shown.rowCount() == 0:
                continue
            first = view.rowAt(0)
            if first < 0:
                continue
            last = view.rowAt(view.viewport().height() - 1)
            if last < 0:
                last = shown.rowCount() - 1
            for r in range(first, last + 1):
                index = self._source(shown.index(r, 0))
                if index.isValid():
                    rows.add(index.row())
        keys = {self.model.key(self.model.record(r)) for r in rows}
        for gone in [k for k in self._until if k not in keys]:
            del self._until[gone]
        return sorted(rows)

    def _source(self, index: QModelIndex) -> QModelIndex:
        """``index`` of a view's model as an index of :attr:`model`, through its proxies."""
        while index.isValid() and index.model() is not self.model:
            proxy = index.model()
            if not isinstance(proxy, QAbstractProxyModel):
                return QModelIndex()
            index = proxy.mapToSource(index)
        return index
