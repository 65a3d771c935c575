"""The command log panel: the table, Copy, and Save as Script.

Copy puts the selected commands (the newest one when none is selected) on the
clipboard, one a line. Save as Script writes :func:`desktop.engine.script.write_script`
of the whole log to a file, executable, that ``sh`` runs to replay the session.
"""

from __future__ import annotations

import os
import stat

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.engine.commandlog import CommandLog, Entry
from desktop.engine.script import write_script
from desktop.ui.commandlog.model import Column, CommandLogModel
from desktop.ui.common import errors


class CommandLogPanel(QWidget):
    def __init__(self, log: CommandLog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("commandLogPanel")
        self.log = log
        self.model = CommandLogModel(log, self)
        self.table = QTableView(self)
        self.table.setObjectName("commandLogTable")
        self.table.setAccessibleName(self.tr("Commands Berth ran"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.TIME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.COMMAND, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(Column.RESULT, 220)
        self.model.rowsInserted.connect(self._follow)
        self.table.doubleClicked.connect(lambda _index: self.copy())

        self.copy_button = QPushButton(self.tr("&Copy"), self)
        self.copy_button.setObjectName("copyCommandLogButton")
        self.copy_button.setToolTip(self.tr("Copy the selected commands (or the newest) to the clipboard"))
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton(self.tr("&Save as Script…"), self)
        self.save_button.setObjectName("saveCommandLogButton")
        self.save_button.setToolTip(self.tr("Save the commands as a shell script that replays them"))
        self.save_button.clicked.connect(self.ask_where_to_save)
        self.save_dialog: QFileDialog | None = None

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()
        self.model.rowsInserted.connect(self._update_buttons)
        self.model.rowsRemoved.connect(self._update_buttons)

    def _update_buttons(self, *args: object) -> None:
        has = self.model.rowCount() > 0
        self.copy_button.setEnabled(has)
        self.save_button.setEnabled(has)

    def _follow(self, _parent: QModelIndex, _first: int, last: int) -> None:
        """Newest at the bottom: a new command scrolls into view unless the user scrolled up."""
        bar = self.table.verticalScrollBar()
        if bar.value() >= bar.maximum() - 1 or not self.table.isVisible():
            self.table.scrollTo(self.model.index(last, 0), QAbstractItemView.ScrollHint.PositionAtBottom)

    # -- copy ------------------------------------------------------------------------------
    def chosen(self) -> list[Entry]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        if not rows and self.model.rowCount():
            rows = [self.model.rowCount() - 1]
        return [self.model.entry(r) for r in rows]

    def copy(self) -> str:
        text = "\n".join(e.command for e in self.chosen())
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    # -- save -------------------------------------------------------------------------------
    def ask_where_to_save(self) -> None:
        dialog = QFileDialog(self, self.tr("Save the Commands as a Script"))
        dialog.setObjectName("saveCommandLogDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("Shell scripts (*.sh)"))
        dialog.setDefaultSuffix("sh")
        dialog.selectFile("berth-session.sh")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.save_to)
        self.save_dialog = dialog
        dialog.open()  # not exec(): no nested event loop under qasync

    def save_to(self, path: str) -> bool:
        """Write the script to ``path`` (made executable); a failure goes the one error route."""
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(write_script(self.log))
            mode = stat.S_IMODE(os.stat(path).st_mode)
            os.chmod(path, mode | (mode & 0o444) >> 2)  # executable by whoever may read it
        except OSError as exc:
            errors.report(exc, context=self.tr("Saving the commands to {path}").format(path=path), serious=True)
            return False
        return True
