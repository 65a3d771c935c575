"""The log viewer's toolbar: Follow, Timestamps, the tail and since to load, Find,
Copy, Save, Clear, and on the right the line count and the stream's status.

The toolbar only holds the controls; the :class:`~desktop.ui.logs.viewer.LogViewer`
connects them to what they do.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from desktop.ui.common import palette

TAIL_CHOICES = ("100", "1000", "10000", "All")
SINCE_CHOICES = (("Any time", None), ("Last 5 minutes", 300), ("Last 30 minutes", 1800),
                 ("Last hour", 3600), ("Last 24 hours", 86400))


def tool_button(parent: QWidget, name: str, text: str, tip: str, checkable: bool = False) -> QToolButton:
    """A flat text button; its accessible name is the tip without the shortcut."""
    b = QToolButton(parent)
    b.setObjectName(name)
    b.setText(text)
    b.setToolTip(tip)
    b.setAccessibleName(tip.split(" (")[0])
    b.setCheckable(checkable)
    b.setAutoRaise(True)
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return b


def separator(parent: QWidget) -> QWidget:
    line = QWidget(parent)
    line.setFixedSize(1, 18)
    line.setAutoFillBackground(True)  # in the palette's Mid, light or dark as it changes
    line.setBackgroundRole(QPalette.ColorRole.Mid)
    return line


class LogToolbar(QWidget):
    """The controls above a log; ``tail`` is the tail chosen to begin with."""

    def __init__(self, tail: int | str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logToolbar")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(6)
        self.follow_btn = tool_button(self, "logFollow", "⤓ Follow", "Keep the newest line in view", checkable=True)
        self.follow_btn.setChecked(True)
        self.ts_btn = tool_button(self, "logTimestamps", "Timestamps", "Show when each line was written (UTC)",
                                  checkable=True)
        self.tail_box = QComboBox(self)
        self.tail_box.setObjectName("logTail")
        self.tail_box.setAccessibleName("Lines to load")
        self.tail_box.setToolTip("How many of the last lines to load")
        self.tail_box.setEditable(True)
        self.tail_box.addItems(TAIL_CHOICES)
        self.tail_box.setCurrentText("All" if tail in ("all", "All") else str(tail))
        self.tail_box.setMaximumWidth(90)
        self.since_box = QComboBox(self)
        self.since_box.setObjectName("logSince")
        self.since_box.setAccessibleName("Since")
        self.since_box.setToolTip("Only lines written since")
        for label, secs in SINCE_CHOICES:
            self.since_box.addItem(label, secs)
        self.find_btn = tool_button(self, "logFind", "Find…", "Find in the log (Ctrl+F)")
        self.save_btn = tool_button(self, "logSave", "Save…", "Save the lines to a file")
        self.copy_btn = tool_button(self, "logCopy", "Copy", "Copy the selected lines (Ctrl+C)")
        self.clear_btn = tool_button(self, "logClear", "Clear", "Clear the view (new lines still arrive)")
        self.status = QLabel("", self)
        self.status.setObjectName("logStatus")
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("logCount")
        self._dim_count()
        palette.scheme().changed.connect(self._dim_count)
        tail_label = QLabel("Tail", self)
        since_label = QLabel("Since", self)
        for w in (self.follow_btn, self.ts_btn, separator(self), tail_label, self.tail_box, since_label,
                  self.since_box, separator(self), self.find_btn, self.copy_btn, self.save_btn, self.clear_btn):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.count_label)
        lay.addWidget(self.status)

    def _dim_count(self) -> None:
        colour = palette.muted(QApplication.palette(self.count_label))
        self.count_label.setStyleSheet(f"color: {colour.name()};")

    def tail(self) -> int | str:
        """The tail chosen: a number of lines, or ``"all"`` (1000 for what is neither)."""
        text = self.tail_box.currentText().strip().lower()
        return "all" if text in ("all", "") else (int(text) if text.isdigit() else 1000)

    def since(self) -> float | None:
        """The time (epoch seconds) lines were chosen to be written since, if one was."""
        secs = self.since_box.currentData()
        return None if secs is None else time.time() - secs
