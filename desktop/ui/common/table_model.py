"""A table model keyed by id that applies changes as diffs, and sorts itself.

A change to one record emits ``dataChanged`` for its row (and moves that one row if
its sort position changed); new records are inserted, gone ones removed;
``beginResetModel`` is used only by :meth:`reset` (another engine). Selection and
scroll position therefore survive updates.

Two choices keep a table of thousands of containers fast:
- the model sorts its own rows with Python's sort on plain keys, instead of a
  ``QSortFilterProxyModel`` calling back into Python for every comparison;
- cell texts are made when a cell is first shown (only the visible rows are ever
  formatted), and the clock (:mod:`desktop.ui.common.clock`) marks stale only the rows
  on screen whose clock-dependent text has just changed.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

R = TypeVar("R")


class Role(enum.IntEnum):
    Record = Qt.ItemDataRole.UserRole + 1   # the domain object behind the row
    Sort = Qt.ItemDataRole.UserRole + 2     # a value that sorts right (numbers for sizes and times)
    Key = Qt.ItemDataRole.UserRole + 3      # the row's id


class RecordTableModel(QAbstractTableModel, Generic[R]):
    HEADERS: Sequence[str] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []
        self._text: list[tuple[str, ...] | None] = []
        self._index: dict[Hashable, int] = {}
        self._now = time.time()
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._answered = frozenset({int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.EditRole),
                                    int(Role.Record), int(Role.Key), int(Role.Sort)}
                                   | {int(r) for r in self.EXTRA_ROLES})

    # -- to be provided by subclasses --------------------------------------------------
    def key(self, record: R) -> Hashable:
        raise NotImplementedError

    def texts(self, record: R, now: float) -> tuple[str, ...]:
        raise NotImplementedError

    def sort_value(self, record: R, column: int) -> Any:
        """A plain value (number or string) that orders ``record`` by ``column``."""
        return self.texts(record, self._now)[column].lower()

    def same(self, old: R, new: R) -> bool:
        """Whether a record is unchanged as far as the table is concerned."""
        return old == new

    def time_columns(self) -> Sequence[int]:
        """Columns whose text depends on the clock (re-rendered by :meth:`refresh`)."""
        return ()

    def extra_data(self, record: R, column: int, role: int) -> Any:
        return None

    # -- Qt model interface -----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    #: roles :meth:`extra_data` answers; a view asks for many more on every paint
    EXTRA_ROLES: frozenset[int] = frozenset({Qt.ItemDataRole.ToolTipRole})

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole and role not in self._answered:
            return None  # the common case while painting: decided without touching the row
        row = index.row()
        if not (0 <= row < len(self._rows)):
            return None
        col = index.column()
        try:
            if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.EditRole:
                return self.cell_texts(row)[col]
            if role == Role.Record:
                return self._rows[row]
            if role == Role.Key:
                return self.key(self._rows[row])
            if role == Role.Sort:
                return self.sort_value(self._rows[row], col)
            return self.extra_data(self._rows[row], col, role)
        except Exception as exc:  # data() never raises: the cell says what is wrong
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"This row could not be shown: {exc}"
            if role == Qt.ItemDataRole.DisplayRole and col == 0:
                return "(unreadable)"
            return None

    def cell_texts(self, row: int) -> tuple[str, ...]:
        """The row's texts, made when first asked for, as of that moment: they hold
        until the clock (:mod:`desktop.ui.common.clock`) finds they have changed."""
        t = self._text[row]
        if t is None:
            t = self._text[row] = self.texts(self._rows[row], time.time())
        return t

    # -- access -----------------------------------------------------------------------
    def record(self, row: int) -> R:
        return self._rows[row]

    def records(self) -> list[R]:
        return list(self._rows)

    def row_of(self, key: Hashable) -> int:
        return self._index.get(key, -1)

    def index_of(self, key: Hashable, column: int = 0) -> QModelIndex:
        row = self._index.get(key, -1)
        return self.index(row, column) if row >= 0 else QModelIndex()

    # -- sorting -----------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        if column < 0 or len(self._rows) < 2:
            return
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_keys = [self.key(self._rows[i.row()]) for i in old_persistent]
        self._sort_rows()
        self.changePersistentIndexList(
            old_persistent,
            [self.index(self._index[k], i.column()) for k, i in zip(old_keys, old_persistent, strict=True)])
        self.layoutChanged.emit()

    def _sort_rows(self) -> None:
        col = self._sort_column
        order = sorted(range(len(self._rows)), key=lambda i: self.sort_value(self._rows[i], col),
                       reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        self._rows = [self._rows[i] for i in order]
        self._text = [self._text[i] for i in order]
        self._reindex()

    def _position_for(self, record: R, skip: int = -1) -> int:
        """Where ``record`` belongs in the current sort order (the end when unsorted)."""
        if self._sort_column < 0:
            return len(self._rows)
        col = self._sort_column
        key = self.sort_value(record, col)
        desc = self._sort_order == Qt.SortOrder.DescendingOrder
        for i, r in enumerate(self._rows):
            if i == skip:
                continue
            other = self.sort_value(r, col)
            if (key > other) if desc else (key < other):
                return i
        return len(self._rows)

    # -- changes ---------------------------------------------------------------------
    def reset(self, records: Iterable[R]) -> None:
        """Replace everything (switching to another engine)."""
        self.beginResetModel()
        self._now = time.time()
        self._rows = list(records)
        self._text = [None] * len(self._rows)
        self._reindex()
        if self._sort_column >= 0:
            self._sort_rows()
        self.endResetModel()

    def sync(self, records: Iterable[R]) -> None:
        """Make the model hold exactly ``records``, by diff."""
        self._now = time.time()
        incoming: dict[Hashable, R] = {}
        for r in records:
            incoming[self.key(r)] = r
        # removals, bottom up, in contiguous runs
        gone = [i for i, r in enumerate(self._rows) if self.key(r) not in incoming]
        while gone:
            last = first = gone.pop()
            while gone and gone[-1] == first - 1:
                first = gone.pop()
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first:last + 1]
            del self._text[first:last + 1]
            self._reindex()
            self.endRemoveRows()
        # changes
        moved = False
        for i, old in enumerate(self._rows):
            new = incoming.pop(self.key(old))
            if not self.same(old, new):
                moved |= self._sort_column >= 0 and \
                    self.sort_value(old, self._sort_column) != self.sort_value(new, self._sort_column)
                self._set_row(i, new)
        # insertions: at the end, sorted among themselves, then one re-sort if needed
        if incoming:
            new_rows = list(incoming.values())
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new_rows) - 1)
            for r in new_rows:
                self._index[self.key(r)] = len(self._rows)
                self._rows.append(r)
                self._text.append(None)
            if start == 0 and self._sort_column >= 0:
                self._sort_rows()
            self.endInsertRows()
            moved |= start > 0
        if moved and self._sort_column >= 0:
            self.sort(self._sort_column, self._sort_order)

    def upsert(self, record: R) -> None:
        key = self.key(record)
        row = self._index.get(key)
        if row is None:
            pos = self._position_for(record)
            self.beginInsertRows(QModelIndex(), pos, pos)
            self._rows.insert(pos, record)
            self._text.insert(pos, None)
            self._reindex()
            self.endInsertRows()
            return
        if self.same(self._rows[row], record):
            return
        self._set_row(row, record)
        if self._sort_column >= 0:
            # the destination counts rows before the move; row and row + 1 mean "stay"
            pos = self._position_for(record, skip=row)
            if pos not in (row, row + 1) and self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), pos):
                r, t = self._rows.pop(row), self._text.pop(row)
                dest = pos if pos < row else pos - 1
                self._rows.insert(dest, r)
                self._text.insert(dest, t)
                self._reindex()
                self.endMoveRows()

    def remove(self, key: Hashable) -> None:
        row = self._index.get(key)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        del self._text[row]
        self._reindex()  # before the signal: its receivers may look rows up
        self.endRemoveRows()

    def refresh(self, rows: Iterable[int]) -> None:
        """The clock-dependent texts of ``rows`` have changed: they are made again when
        next shown, and the views told of these rows only, run by run."""
        cols = self.time_columns()
        ordered = sorted(set(rows))
        if not cols or not ordered:
            return
        for row in ordered:
            self._text[row] = None
        first = last = ordered[0]
        for row in [*ordered[1:], -1]:
            if row == last + 1:
                last = row
                continue
            self.dataChanged.emit(self.index(first, min(cols)), self.index(last, max(cols)),
                                  [Qt.ItemDataRole.DisplayRole])
            first = last = row

    def tick(self, now: float | None = None) -> None:
        """Time moved on: the clock-dependent columns ("5 minutes ago") of every row are
        re-rendered when next shown. Only the visible rows are formatted again."""
        cols = self.time_columns()
        if not self._rows or not cols:
            return
        self._now = time.time() if now is None else now
        self._text = [None] * len(self._rows)
        self.dataChanged.emit(self.index(0, min(cols)), self.index(len(self._rows) - 1, max(cols)),
                              [Qt.ItemDataRole.DisplayRole])

    def _set_row(self, row: int, record: R) -> None:
        self._rows[row] = record
        self._text[row] = None
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def _reindex(self) -> None:
        self._index = {self.key(r): i for i, r in enumerate(self._rows)}
