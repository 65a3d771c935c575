"""The lines of one log as a list model, and the gradual freeing of big lists.

The lines live in a :class:`~desktop.engine.logbuffer.LineStore`; :class:`LogModel`
shows every kept line as a row, or only the lines that match the search. Emptying a
full store hands its 100,000 lines to :func:`free_gradually`, so that freeing them
does not stall the window.
"""

from __future__ import annotations

import bisect
import operator
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractListModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer

from desktop.engine.logbuffer import DEFAULT_CAPACITY, TEXT, Line, LineStore, Matcher, RawLine

#: Characters of one line that are drawn; the rest is kept (copy and save give it all).
DISPLAY_LIMIT = 20_000


class LogModel(QAbstractListModel):
    """Rows over a LineStore: every kept line, or only the lines that match the search."""

    LineRole = Qt.ItemDataRole.UserRole + 1
    StreamRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, capacity: int = DEFAULT_CAPACITY, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = LineStore(capacity)
        self.matcher: Matcher | None = None
        self.hits: list[int] = []      # sequence numbers of the matching lines, ascending
        self.filtering = False
        self.longest = 0               # drawn characters of the longest line seen
        #: Sequence numbers of lines where the log resumed (the container started again,
        #: or the engine came back); the view draws a rule above them.
        self.resumed_at: set[int] = set()
        self._mark_next = False

    # -- Qt interface ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return len(self.hits) if self.filtering else len(self.store)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self.line_at(index.row()) if index.isValid() else None
        if line is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return line.text
        if role == self.LineRole:
            return line
        if role == self.StreamRole:
            return line.stream
        if role == Qt.ItemDataRole.ToolTipRole and self.seq_at(index.row()) in self.resumed_at:
            return "The log resumed here: the container started again, or the engine came back."
        return None

    _FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return self._FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    # -- rows and lines ---------------------------------------------------------------------
    def seq_at(self, row: int) -> int | None:
        if row < 0:
            return None
        if self.filtering:
            return self.hits[row] if row < len(self.hits) else None
        return self.store.first_seq + row if row < len(self.store) else None

    def line_at(self, row: int) -> Line | None:
        seq = self.seq_at(row)
        if seq is None:
            return None
        i = self.store.index_of_seq(seq)
        return self.store[i] if i is not None else None

    def row_of_seq(self, seq: int) -> int | None:
        if self.filtering:
            i = bisect.bisect_left(self.hits, seq)
            return i if i < len(self.hits) and self.hits[i] == seq else None
        return self.store.index_of_seq(seq)

    def lines(self) -> list[Line]:
        """The lines the rows show, in order."""
        if self.filtering:
            return [ln for ln in (self.line_at(r) for r in range(len(self.hits))) if ln is not None]
        return list(self.store)

    # -- changes ----------------------------------------------------------------------------
    def append(self, lines: list[RawLine]) -> int:
        """Add lines at the end; returns how many rows left at the top (cap reached)."""
        if not lines:
            return 0
        store = self.store
        if self._mark_next:
            self._mark_next = False
            first = store.next_seq
            self.resumed_at = {q for q in self.resumed_at if q >= store.first_seq} | {first}
        longest = max(map(len, map(_text_of, lines)))  # C-level loops
        if longest > self.longest:
            self.longest = min(longest, DISPLAY_LIMIT)
        dropped = store.overflow(len(lines))
        if len(lines) >= store.capacity or (dropped and dropped >= len(store)):
            self.beginResetModel()
            store.extend(lines)
            self._recount()
            self.endResetModel()
            return -1
        new_hits: list[int] = []
        matcher = self.matcher
        if matcher is not None and not matcher.empty:
            hit, base = matcher.hit, store.next_seq
            new_hits = [base + i for i, text in enumerate(map(_text_of, lines)) if hit(text)]
        removed_rows = 0
        if dropped:
            cut = store.first_seq + dropped
            k = bisect.bisect_left(self.hits, cut)
            removed_rows = k if self.filtering else dropped
            if removed_rows:
                self.beginRemoveRows(QModelIndex(), 0, removed_rows - 1)
            store.drop_front(dropped)
            del self.hits[:k]
            if removed_rows:
                self.endRemoveRows()
        added = len(new_hits) if self.filtering else len(lines)
        if added:
            first = self.rowCount()
            self.beginInsertRows(QModelIndex(), first, first + added - 1)
        store.extend(lines)
        self.hits.extend(new_hits)
        if added:
            self.endInsertRows()
        return removed_rows

    def mark_next_append(self) -> None:
        """The next lines appended are where the log resumed."""
        self._mark_next = True

    def rows_pushed_out(self, adding: int) -> int:
        """How many rows at the top appending ``adding`` lines would remove (the cap)."""
        dropped = self.store.overflow(adding)
        if not dropped or not self.filtering:
            return dropped
        return bisect.bisect_left(self.hits, self.store.first_seq + dropped)

    def clear(self) -> None:
        self.beginResetModel()
        self.resumed_at = set()
        free_gradually(self.store.clear())
        self.hits = []
        self.longest = 0
        self.endResetModel()

    def set_search(self, matcher: Matcher | None, filtering: bool) -> None:
        changed_rows = filtering or self.filtering
        if changed_rows:
            self.beginResetModel()
        self.matcher = matcher if matcher is not None and not matcher.empty else None
        self.filtering = filtering and self.matcher is not None
        self._recount()
        if changed_rows:
            self.endResetModel()

    def _recount(self) -> None:
        if self.matcher is None:
            self.hits = []
            return
        hit = self.matcher.hit
        base = self.store.first_seq
        self.hits = [base + i for i, text in enumerate(self.store.texts()) if hit(text)]


_text_of = operator.itemgetter(TEXT)
_T = TypeVar("_T")


class _Freeing:
    """Frees big lists a slice at a time between events: a full viewer's 100,000 lines
    take about 20 ms to free at once (on Clear, or whenever the collector gets to a
    closed viewer)."""

    SLICE = 5000

    def __init__(self) -> None:
        self._lists: list[list[Any]] = []  # lists of anything: only their length matters here
        self._timer: QTimer | None = None

    def add(self, items: list[_T]) -> None:
        if len(items) <= self.SLICE or QCoreApplication.instance() is None:
            return  # quick enough to drop at once (or no loop to spread it over)
        self._lists.append(items)
        if self._timer is None:
            self._timer = QTimer()
            self._timer.setInterval(0)
            self._timer.timeout.connect(self._step)
        self._timer.start()

    def _step(self) -> None:
        items = self._lists[-1]
        del items[-self.SLICE:]
        if not items:
            self._lists.pop()
        if not self._lists and self._timer is not None:
            self._timer.stop()

    @property
    def pending(self) -> int:
        return sum(map(len, self._lists))


_freeing = _Freeing()
free_gradually = _freeing.add
