"""Renaming in place (F2 on NAMES): the name is checked as it is typed, and a name the
engine would refuse keeps the editor open with the reason under it, as the run dialog
does — the typed text is never thrown away by a message box."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.engine.errors import EngineError
from desktop.engine.parsing import validate_container_name
from desktop.engine.records import Container
from desktop.ui.common.table_model import Role
from desktop.ui.common.widgets import FieldMessage


class RenameEditor(QLineEdit):
    """The line edit of a rename, with its message shown under the cell."""

    def __init__(self, parent: QWidget, view: QAbstractItemView, check: Callable[[str], str]) -> None:
        super().__init__(parent)
        self.setObjectName("renameEdit")
        self.setAccessibleName("New name")
        self._view = view
        self._check = check
        self.message = FieldMessage("renameMessage", self, view.viewport())
        self.message.setAutoFillBackground(True)
        self.message.setContentsMargins(4, 2, 4, 2)
        self.textChanged.connect(self.check)
        self.destroyed.connect(self.message.deleteLater)

    def check(self, _text: str = "") -> bool:
        """Say what is wrong with the text as typed; True when it can be the name."""
        reason = self._check(self.text())
        if reason:
            self.message.error(reason)
            self._place_message()
        else:
            self.message.clear()
        return not reason

    def _place_message(self) -> None:
        g = self.geometry()
        width = max(g.width(), 320)
        self.message.setFixedWidth(width)
        self.message.adjustSize()
        self.message.move(max(0, min(g.left(), self._view.viewport().width() - width)), g.bottom() + 2)
        self.message.raise_()

    def moveEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().moveEvent(event)
        if self.message.isVisible():
            self._place_message()


class RenameDelegate(QStyledItemDelegate):
    """The NAMES column's editor. ``taken(name, container)`` says whether another
    container already has ``name`` (read from the live list, no request)."""

    def __init__(self, view: QAbstractItemView, taken: Callable[[str, Container], bool]) -> None:
        super().__init__(view)
        self._view = view
        self._taken = taken

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        container: Container | None = index.data(Role.Record)

        def check(text: str) -> str:
            if container is None or text.strip() == container.name:
                return ""
            try:
                name = validate_container_name(text)
            except EngineError as exc:
                return exc.message
            if self._taken(name, container):
                return f"The name \"{name}\" is already used by another container. Choose another name."
            return ""
        editor = RenameEditor(parent, self._view, check)
        editor.installEventFilter(self)
        return editor

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if isinstance(obj, RenameEditor) and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not obj.check():
                return True  # stays open, the reason under it; Esc gives up
        if isinstance(obj, RenameEditor) and event.type() == QEvent.Type.FocusOut and not obj.check():
            self.closeEditor.emit(obj, QStyledItemDelegate.EndEditHint.RevertModelCache)
            return True  # leaving with a wrong name changes nothing
        return super().eventFilter(obj, event)
