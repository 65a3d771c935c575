"""The command log as a table: time, command, result; newest at the bottom, live."""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from desktop.engine.commandlog import CommandLog, Entry, Result
from desktop.ui.common import palette
from desktop.ui.common.widgets import fixed_font

Index = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    TIME = 0
    COMMAND = 1
    RESULT = 2


class Role(enum.IntEnum):
    Entry = Qt.ItemDataRole.UserRole + 1


class CommandLogModel(QAbstractTableModel):
    """Rows are the log's entries, oldest first; a new entry is one inserted row, a
    finished one a changed row, and the oldest go as the log drops them."""

    def __init__(self, log: CommandLog, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log = log
        self._rows: list[Entry] = log.entries()
        self._unsubscribe = log.subscribe(added=self._added, changed=self._changed)
        self.destroyed.connect(self._unsubscribe)

    def detach(self) -> None:
        self._unsubscribe()

    # -- the log's news ------------------------------------------------------------------
    def _added(self, entry: Entry) -> None:
        n = len(self._rows)
        self.beginInsertRows(QModelIndex(), n, n)
        self._rows.append(entry)
        self.endInsertRows()
        over = len(self._rows) - self.log.limit
        if over > 0:
            self.beginRemoveRows(QModelIndex(), 0, over - 1)
            del self._rows[:over]
            self.endRemoveRows()

    def _changed(self, entry: Entry) -> None:
        row = self.row_of(entry)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def row_of(self, entry: Entry) -> int:
        if not self._rows:
            return -1
        row = entry.seq - self._rows[0].seq  # entries come in order and go from the front
        return row if 0 <= row < len(self._rows) and self._rows[row] is entry else -1

    def entry(self, row: int) -> Entry:
        return self._rows[row]

    # -- the model -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("Time"), self.tr("Command"), self.tr("Result"))[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        e = self._rows[index.row()]
        col = index.column()
        if role == Role.Entry:
            return e
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == Column.TIME:
                return e.time.strftime("%H:%M:%S")
            if col == Column.COMMAND:
                return e.command
            return self.result_text(e)
        if role == Qt.ItemDataRole.FontRole and col == Column.COMMAND:
            return fixed_font()
        if role == Qt.ItemDataRole.ForegroundRole and col == Column.RESULT:
            if e.result is Result.FAILED:
                return palette.tone(palette.Tone.ERROR)
            if e.result is not Result.DONE:
                return palette.muted()
        return None

    def result_text(self, e: Entry) -> str:
        if e.result is Result.DONE:
            return self.tr("done")
        if e.result is Result.FAILED:
            return e.error
        if e.result is Result.CANCELLED:
            return self.tr("cancelled")
        return self.tr("running…")
