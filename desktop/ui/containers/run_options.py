"""The run dialog's advanced options: environment variables, volumes and bind mounts
(with a folder chosen from this machine), the restart policy and ``--rm``."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.common.widgets import FieldMessage, field_row, fixed_font


class RunOptions(QWidget):
    """The fields under "Advanced options". ``changed`` fires when the restart policy or
    ``--rm`` changes (the text fields' own ``textChanged`` say when they do);
    ``revealRequested`` when a folder is added, so that whoever folds the options opens them."""

    changed = Signal()
    revealRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(18, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.env_edit = self._text_box("envEdit", self.tr("Environment variables"), self.tr("KEY=VALUE, one a line"), 4)
        self.env_message = FieldMessage("envMessage", self.env_edit, self)
        self.volumes_edit = self._text_box(
            "volumesEdit", self.tr("Volumes and bind mounts"),
            self.tr("/host/folder:/path/in/container[:ro] or volume-name:/path, one a line"), 3)
        self.volumes_message = FieldMessage("volumesMessage", self.volumes_edit, self)
        self.folder_button = QPushButton(self.tr("Add &Folder…"), self)
        self.folder_button.setObjectName("addFolderButton")
        self.folder_button.setToolTip(self.tr("Choose a folder of this machine to mount in the container"))
        self.folder_button.setAutoDefault(False)
        self.folder_button.clicked.connect(self.choose_folder)
        self.restart_combo = QComboBox(self)
        self.restart_combo.setObjectName("restartCombo")
        self.restart_combo.setAccessibleName(self.tr("Restart policy"))
        for value, text in (("no", self.tr("Never")), ("on-failure", self.tr("When it fails (on-failure)")),
                            ("unless-stopped", self.tr("Unless stopped by hand (unless-stopped)")),
                            ("always", self.tr("Always (always)"))):
            self.restart_combo.addItem(text, value)
        self.auto_remove_check = QCheckBox(self.tr("Remove the container when it e&xits (--rm)"), self)
        self.auto_remove_check.setObjectName("autoRemoveCheck")
        self.auto_remove_check.toggled.connect(self._auto_remove_toggled)
        form.addRow(self._label(self.tr("&Environment:"), self.env_edit), field_row(self.env_edit, self.env_message))
        form.addRow(self._label(self.tr("&Volumes:"), self.volumes_edit), self._volumes_box())
        form.addRow(self._label(self.tr("&Restart:"), self.restart_combo), self.restart_combo)
        form.addRow("", self.auto_remove_check)
        self.restart_combo.currentIndexChanged.connect(lambda _: self.changed.emit())

    def _text_box(self, name: str, accessible: str, placeholder: str, lines: int) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        edit.setFont(fixed_font())
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 12)
        return edit

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _volumes_box(self) -> QWidget:
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.volumes_edit, 1)
        row.addWidget(self.folder_button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(row)
        column.addWidget(self.volumes_message)
        return box

    def restart(self) -> str:
        return self.restart_combo.currentData() or "no"

    def auto_remove(self) -> bool:
        return self.auto_remove_check.isChecked()

    def _auto_remove_toggled(self, on: bool) -> None:
        if on:
            self.restart_combo.setCurrentIndex(0)
        self.restart_combo.setEnabled(not on)
        self.restart_combo.setToolTip(self.tr("A container that removes itself when it exits is never restarted.")
                                      if on else "")
        self.changed.emit()

    # ------------------------------------------------------------------ folders
    def choose_folder(self) -> None:
        dialog = QFileDialog(self, self.tr("Choose a Folder to Mount"))
        dialog.setObjectName("folderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.add_folder)
        dialog.open()

    def add_folder(self, path: str, target: str = "/data") -> None:
        """Add a bind mount line for ``path`` and select its container path for editing."""
        if not path:
            return
        self.revealRequested.emit()
        text = self.volumes_edit.toPlainText()
        line = f"{path}:{target}"
        if text and not text.endswith("\n"):
            line = "\n" + line
        cursor = self.volumes_edit.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(line)
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(target))
        self.volumes_edit.setTextCursor(cursor)
        self.volumes_edit.setFocus()
