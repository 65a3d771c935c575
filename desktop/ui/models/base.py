"""A table model keyed by id that applies changes as diffs.

A change to one record emits ``dataChanged`` for its row; new records are inserted,
gone ones removed; ``beginResetModel`` is used only by :meth:`reset` (another engine).
Selection and scroll position therefore survive updates.
"""

from __future__ import annotations

import enum
import time
from typing import Any, Generic, Hashable, Iterable, Sequence, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

R = TypeVar("R")


class Role(enum.IntEnum):
    Record = Qt.ItemDataRole.UserRole + 1   # the domain object behind the row
    Sort = Qt.ItemDataRole.UserRole + 2     # a value that sorts right (numbers for sizes and times)
    Key = Qt.ItemDataRole.UserRole + 3      # the row's id


class RecordTableModel(QAbstractTableModel, Generic[R]):
    HEADERS: Sequence[str] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []
        self._text: list[tuple[str, ...]] = []
        self._index: dict[Hashable, int] = {}
        self._now = time.time()

    # -- to be provided by subclasses --------------------------------------------------
    def key(self, record: R) -> Hashable:
        raise NotImplementedError

    def texts(self, record: R, now: float) -> tuple[str, ...]:
        raise NotImplementedError

    def sort_value(self, record: R, column: int, text: str) -> Any:
        return text.lower()

    def same(self, old: R, new: R) -> bool:
        """Whether a record changed in a way the table shows."""
        return old == new

    def time_columns(self) -> Sequence[int]:
        """Columns whose text depends on the clock (re-rendered by :meth:`tick`)."""
        return ()

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

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row, col = index.row(), index.column()
        try:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
                return self._text[row][col]
            if role == Role.Record:
                return self._rows[row]
            if role == Role.Key:
                return self.key(self._rows[row])
            if role == Role.Sort:
                return self.sort_value(self._rows[row], col, self._text[row][col])
            return self.extra_data(self._rows[row], col, role)
        except Exception as exc:  # data() never raises: the cell says what is wrong
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"This row could not be shown: {exc}"
            return None

    def extra_data(self, record: R, column: int, role: int) -> Any:
        return None

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

    # -- changes ---------------------------------------------------------------------
    def reset(self, records: Iterable[R]) -> None:
        """Replace everything (switching to another engine)."""
        self.beginResetModel()
        self._now = time.time()
        self._rows = list(records)
        self._text = [self.texts(r, self._now) for r in self._rows]
        self._reindex()
        self.endResetModel()

    def sync(self, records: Iterable[R]) -> None:
        """Make the model hold exactly ``records``, by diff."""
        self._now = now = time.time()
        incoming: dict[Hashable, R] = {}
        for r in records:
            incoming[self.key(r)] = r
        # removals, bottom up, in contiguous runs
        gone = sorted((i for i, r in enumerate(self._rows) if self.key(r) not in incoming), reverse=True)
        while gone:
            last = first = gone.pop(0)
            while gone and gone[0] == first - 1:
                first = gone.pop(0)
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first:last + 1]
            del self._text[first:last + 1]
            self.endRemoveRows()
        self._reindex()
        # changes
        for i, old in enumerate(self._rows):
            new = incoming.pop(self.key(old))
            if not self.same(old, new):
                self._set_row(i, new, now)
        # insertions, at the end
        if incoming:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(incoming) - 1)
            for r in incoming.values():
                self._index[self.key(r)] = len(self._rows)
                self._rows.append(r)
                self._text.append(self.texts(r, now))
            self.endInsertRows()

    def upsert(self, record: R) -> None:
        key = self.key(record)
        row = self._index.get(key)
        now = time.time()
        if row is None:
            n = len(self._rows)
            self.beginInsertRows(QModelIndex(), n, n)
            self._rows.append(record)
            self._text.append(self.texts(record, now))
            self._index[key] = n
            self.endInsertRows()
        elif not self.same(self._rows[row], record):
            self._set_row(row, record, now)

    def remove(self, key: Hashable) -> None:
        row = self._index.get(key)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        del self._text[row]
        self.endRemoveRows()
        self._reindex()

    def tick(self, now: float | None = None) -> None:
        """Re-render the clock-dependent columns ("5 minutes ago")."""
        cols = self.time_columns()
        if not self._rows or not cols:
            return
        self._now = now = time.time() if now is None else now
        changed: list[int] = []
        for i, r in enumerate(self._rows):
            text = self.texts(r, now)
            if text != self._text[i]:
                self._text[i] = text
                changed.append(i)
        if changed:
            self.dataChanged.emit(self.index(min(changed), min(cols)), self.index(max(changed), max(cols)),
                                  [Qt.ItemDataRole.DisplayRole])

    def _set_row(self, row: int, record: R, now: float) -> None:
        self._rows[row] = record
        self._text[row] = self.texts(record, now)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def _reindex(self) -> None:
        self._index = {self.key(r): i for i, r in enumerate(self._rows)}
