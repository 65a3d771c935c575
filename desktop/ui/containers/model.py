"""The containers table: ``docker ps -a`` as a live model."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap

from desktop.engine import formatting
from desktop.engine.aging import aged_status
from desktop.engine.records import Container
from desktop.engine.states import State
from desktop.ui.common import palette
from desktop.ui.common.table_model import RecordTableModel


class Column(enum.IntEnum):
    ID = 0
    IMAGE = 1
    COMMAND = 2
    CREATED = 3
    STATUS = 4
    PORTS = 5
    NAMES = 6


_ICONS: dict[int, QIcon] = {}  # by the dot's colour (a state's differs by scheme)


def state_icon(state: State) -> QIcon:
    """A small dot in the colour of a container state on the application's palette."""
    colour = palette.state_color(state)
    icon = _ICONS.get(colour.rgb())
    if icon is None:
        pm = QPixmap(16, 16)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawEllipse(3, 3, 10, 10)
        p.end()
        icon = _ICONS[colour.rgb()] = QIcon(pm)
    return icon


#: STATUS sorts the live first: running, restarting, paused, created, exited, dead, removing
_STATE_ORDER = {s: i for i, s in enumerate((State.RUNNING, State.RESTARTING, State.PAUSED, State.CREATED,
                                            State.EXITED, State.DEAD, State.REMOVING))}


class ContainersModel(RecordTableModel[Container]):
    HEADERS = ("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES")
    EXTRA_ROLES = frozenset({Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole,
                             Qt.ItemDataRole.AccessibleTextRole})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._listed_at: dict[str, float] = {}
        #: called by setData on the NAMES column: (container, new name) -> accepted
        self.rename_handler: Callable[[Container, str], bool] | None = None
        palette.scheme().changed.connect(self._recolour)

    def _recolour(self) -> None:
        """Light and dark switched: the STATUS column's dots are drawn again."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0, Column.STATUS), self.index(self.rowCount() - 1, Column.STATUS),
                                  [Qt.ItemDataRole.DecorationRole])

    def key(self, record: Container) -> Hashable:
        return record.id

    def texts(self, c: Container, now: float) -> tuple[str, ...]:
        cols = list(formatting.container_columns(c, now))
        listed = self._listed_at.get(c.id)
        if listed is not None:
            cols[Column.STATUS] = aged_status(c.status, now - listed)
        return tuple(cols)

    def time_columns(self) -> Sequence[int]:
        return (Column.CREATED, Column.STATUS)

    def sort_value(self, c: Container, column: int) -> Any:
        if column == Column.ID:
            return c.id
        if column == Column.IMAGE:
            return c.image.lower()
        if column == Column.COMMAND:
            return c.command.lower()
        if column == Column.CREATED:
            return c.created
        if column == Column.STATUS:
            return f"{_STATE_ORDER.get(c.state, 9)}{c.status.lower()}"
        if column == Column.PORTS:
            return min((p.public_port or p.private_port for p in c.ports), default=0)
        return c.name.lower()

    def extra_data(self, c: Container, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.ID:
                return c.id
            if column == Column.COMMAND:
                return c.command
            if column == Column.IMAGE:
                return f"{c.image}\n{c.image_id}"
            if column == Column.PORTS and c.ports:
                return "Click to open the published port in the browser"
            if column == Column.NAMES:
                return "F2 renames the container"
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == Column.STATUS:
            return state_icon(c.state)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{c.name}, {c.status}"
        return None

    # -- changes keep the time each row was listed (for ageing STATUS) -----------------------
    def sync(self, records: Iterable[Container]) -> None:
        records = list(records)
        now = time.time()
        for c in records:
            self._listed_at[c.id] = now
        live = {c.id for c in records}
        for gone in set(self._listed_at) - live:
            del self._listed_at[gone]
        super().sync(records)

    def reset(self, records: Iterable[Container]) -> None:
        records = list(records)
        now = time.time()
        self._listed_at = {c.id: now for c in records}
        super().reset(records)

    def upsert(self, record: Container) -> None:
        self._listed_at[record.id] = time.time()
        super().upsert(record)
        row = self.row_of(record.id)
        if row >= 0:  # the status is aged from the new list time
            self._text[row] = None

    def remove(self, key: Hashable) -> None:
        if isinstance(key, str):  # a container's key is its id
            self._listed_at.pop(key, None)
        super().remove(key)

    # -- rename in place ---------------------------------------------------------------
    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        f = super().flags(index)
        if index.isValid() and index.column() == Column.NAMES:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != Column.NAMES:
            return False
        c = self.record(index.row())
        new = str(value).strip()
        if new == c.name or self.rename_handler is None:
            return False
        return bool(self.rename_handler(c, new))
