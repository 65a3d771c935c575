"""Sorting by value and filtering by text for the tables.

The filter text is split into words; every word must match. ``key:value`` words match
one field (``status:running``, ``name:web``, ``image:httpd``, ``id:3f2a``,
``port:8080``, ``tag:latest``); other words match the name, image, id (containers)
or repository, tag, id (images), case-insensitively.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from desktop.engine.formatting import ImageRow
from desktop.engine.records import Container
from desktop.engine.states import State
from desktop.ui.common.table_model import Role

#: ``status:WORD`` words: every state's own word, and the words ``docker ps`` shows for two
STATE_WORDS: dict[str, str] = {**{s.value: s.value for s in State}, "up": State.RUNNING.value,
                               "stopped": State.EXITED.value}


def _container_fields(c: Container) -> dict[str, list[str]]:
    ports = [str(p.public_port) for p in c.ports if p.public_port] + [str(p.private_port) for p in c.ports]
    return {
        "name": [n.lstrip("/") for n in c.names],
        "image": [c.image],
        "id": [c.id],
        "status": [c.state, c.status],
        "state": [c.state],
        "port": ports,
        "command": [c.command],
    }


def _image_fields(r: ImageRow) -> dict[str, list[str]]:
    return {
        "repository": [r.repository], "repo": [r.repository], "name": [r.repository],
        "tag": [r.tag], "id": [r.image.id.split(":", 1)[-1]], "image": [f"{r.repository}:{r.tag}"],
    }


def matcher(text: str) -> Callable[[object], bool]:
    words = text.lower().split()
    if not words:
        return lambda record: True

    def match(record: object) -> bool:
        if isinstance(record, Container):
            fields = _container_fields(record)
            default = ("name", "image", "id")
        elif isinstance(record, ImageRow):
            fields = _image_fields(record)
            default = ("repository", "tag", "id")
        else:
            return True
        for w in words:
            key, sep, value = w.partition(":")
            if sep and key in fields and value:
                if key in ("status", "state"):
                    want = STATE_WORDS.get(value, value)
                    if not any(v.lower().startswith(want) for v in fields[key]):
                        return False
                elif key == "id":
                    if not any(v.lower().startswith(value) for v in fields[key]):
                        return False
                elif not any(value in v.lower() for v in fields[key]):
                    return False
            elif not any(w in v.lower() for k in default for v in fields[k]):
                return False
        return True

    return match


class FilterProxy(QSortFilterProxyModel):
    """Filters rows; sorting is handed to the source model, which sorts itself far
    faster than a proxy calling back into Python for every comparison."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(True)
        self._text = ""
        self._match = matcher("")

    def set_filter_text(self, text: str) -> None:
        if text == self._text:
            return
        if hasattr(self, "endFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            self._text, self._match = text, matcher(text)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._text, self._match = text, matcher(text)
            self.invalidateFilter()

    def filter_text(self) -> str:
        return self._text

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._text:
            return True
        index = self.sourceModel().index(row, 0, parent)
        return self._match(index.data(Role.Record))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)


FILTER_HELP = (
    "Type words to keep the rows that contain them all (name, image or ID).\n"
    "key:value keeps rows whose field matches:\n"
    "  status:running   status:exited   status:paused   status:created\n"
    "  name:web   image:httpd   id:3f2a   port:8080   command:sleep\n"
    "On the Images tab: repository:, tag:latest, id:\n"
    "Esc clears the filter."
)


class FilterEdit(QLineEdit):
    """The filter box: its syntax in its tooltip, Esc clears it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterEdit")
        self.setAccessibleName("Filter")
        self.setAccessibleDescription(FILTER_HELP)
        self.setPlaceholderText("Filter: name, image, status:running")
        self.setToolTip(FILTER_HELP)
        self.setClearButtonEnabled(True)
        hint = self.fontMetrics().horizontalAdvance(self.placeholderText())
        self.setMinimumWidth(hint + 48)  # the whole hint fits, with the clear button
        self.setMaximumWidth(max(380, hint + 48))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)
