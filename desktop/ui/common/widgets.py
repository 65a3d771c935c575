"""Pieces the run, pull and login dialogs share.

- :class:`FieldMessage`: the message beside a field (an error in a red tone, a
  warning in amber, a note in the normal text colour); hidden when there is none.
- :func:`field_row`: a field with its message under it, for a form layout row.
- :class:`Collapsible`: a "more options" part that opens and closes.
- :class:`CopyableLine`: a read-only line in a fixed-width font with a Copy button.
- :class:`GiveBackHeight`: a dialog shrinks again when its content does.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QGuiApplication, QPalette, QResizeEvent, QTextOption
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.common import palette as colors
from desktop.ui.common.palette import Tone as Tone  # the dialogs import it from here


def fixed_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class FieldMessage(QLabel):
    """What is wrong (or worth knowing) about one field, shown beside it.

    The message is also put in the field's accessible description, so that a screen
    reader reads it with the field.
    """

    def __init__(self, object_name: str, field: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._field = field
        self.tone: Tone | None = None
        if field is not None:
            self.setAccessibleName(f"{field.accessibleName() or 'Field'} message")
        colors.scheme().changed.connect(self._recolour)
        self.hide()

    def show_message(self, tone: Tone, text: str) -> None:
        self.tone = tone
        self._recolour()
        self.setText(text)
        self.setVisible(bool(text))
        if self._field is not None:
            self._field.setAccessibleDescription(text)

    def _recolour(self) -> None:
        """The tone's colour on the application's palette: this label's own was
        recoloured by the last message (a note after an error was red), and is the old
        scheme's until the new one reaches it."""
        if self.tone is None:
            return
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colors.tone(self.tone, QApplication.palette(self)))
        self.setPalette(palette)

    def error(self, text: str) -> None:
        self.show_message(Tone.ERROR, text)

    def warning(self, text: str) -> None:
        self.show_message(Tone.WARNING, text)

    def note(self, text: str) -> None:
        self.show_message(Tone.NOTE, text)

    def clear(self) -> None:  # QLabel.clear, and forget the tone
        self.tone = None
        super().clear()
        self.hide()
        if self._field is not None:
            self._field.setAccessibleDescription("")


def field_row(field: QWidget, message: FieldMessage, *extra: QWidget) -> QWidget:
    """``field`` (with ``extra`` widgets to its right) above its message, as one form row."""
    box = QWidget()
    outer = QVBoxLayout(box)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.setSpacing(3)
    if extra:
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(field, 1)
        for w in extra:
            line.addWidget(w)
        outer.addLayout(line)
    else:
        outer.addWidget(field)
    outer.addWidget(message)
    return box


def dialog_buttons(dialog: QDialog, ok_text: str,
                   *extra: QPushButton) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """The OK/Cancel row every dialog has (``okButton``, ``cancelButton``), with
    ``extra`` buttons (action role) between them."""
    box = QDialogButtonBox(dialog)
    ok = box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setObjectName("okButton")
    ok.setDefault(True)
    for button in extra:
        box.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
    cancel = box.addButton(QDialogButtonBox.StandardButton.Cancel)
    cancel.setObjectName("cancelButton")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box, ok, cancel


class Collapsible(QWidget):
    """A header button with an arrow that shows and hides ``content``."""

    def __init__(self, title: str, content: QWidget, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        self.toggle = QToolButton(self)
        self.toggle.setObjectName(object_name)
        self.toggle.setText(title)
        self.toggle.setAccessibleName(title.replace("&", ""))
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self.set_expanded)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(content)
        self.set_expanded(False)

    def set_expanded(self, expanded: bool) -> None:
        if self.toggle.isChecked() != expanded:
            self.toggle.setChecked(expanded)  # comes back here through toggled
            return
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.content.setVisible(expanded)

    @property
    def expanded(self) -> bool:
        return self.toggle.isChecked()


class CopyableLine(QWidget):
    """A read-only command line in a fixed-width font, wrapped to show all of it, with a
    Copy button."""

    def __init__(self, object_name: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName(object_name)
        self.edit.setReadOnly(True)
        self.edit.setFont(fixed_font())
        self.edit.setAccessibleName(accessible_name)
        self.edit.setTabChangesFocus(True)
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.edit.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.edit.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        lines = QFontMetrics(self.edit.font()).lineSpacing()
        self.edit.setFixedHeight(lines * 3 + 2 * self.edit.frameWidth() + 8)
        self.copy_button = QPushButton("Cop&y", self)
        self.copy_button.setObjectName("copyCommandButton")
        self.copy_button.setToolTip("Copy the command line to the clipboard")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)

    def set_text(self, text: str, placeholder: str = "") -> None:
        if text != self.edit.toPlainText():
            self.edit.setPlainText(text)
        self.edit.setPlaceholderText(placeholder)
        self.copy_button.setEnabled(bool(text))

    def text(self) -> str:
        return self.edit.toPlainText()

    def copy(self) -> None:
        if self.text():
            QGuiApplication.clipboard().setText(self.text())


class GiveBackHeight(QObject):
    """A dialog grows when its content does (Qt does that); this makes it shrink again
    when its content shrinks — a closed "more options", a message gone — to what the
    content needs plus whatever height the user gave it by hand."""

    def __init__(self, dialog: QWidget) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._extra = 0         # height the user added by resizing
        self._fitting = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)  # once the layout has settled
        self._timer.timeout.connect(self._fit)
        dialog.installEventFilter(self)

    def _needed(self) -> int:
        """The height the content needs at the dialog's width (wrapped text counted)."""
        d, lay = self._dialog, self._dialog.layout()
        if lay is not None and lay.hasHeightForWidth():
            return max(int(lay.totalHeightForWidth(d.width())), d.minimumHeight())
        return max(int(d.sizeHint().height()), d.minimumHeight())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.LayoutRequest:
            self._timer.start()
        elif kind == QEvent.Type.Resize and self._dialog.isVisible() and not self._fitting:
            assert isinstance(event, QResizeEvent)
            over = event.size().height() - self._needed()
            # Growing to just what the content needs is Qt's doing (the user's extra stays);
            # any other change of height is the user's (resize events of a window come late,
            # so when they come says nothing).
            if event.size().height() < event.oldSize().height() or over > 1:
                self._extra = max(0, over)
        return False

    def _fit(self) -> None:
        d = self._dialog
        want = self._needed() + self._extra
        if d.height() > want:
            self._fitting = True
            try:
                d.resize(d.width(), want)
            finally:
                self._fitting = False
