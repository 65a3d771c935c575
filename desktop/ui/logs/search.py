"""Find in the log: the search bar, and the search applied to the model and view.

:class:`SearchBar` is the row of controls (the pattern, match case, regular
expression, only matching lines; Enter and Shift+Enter, Esc). :class:`Finder` applies
what it says to the :class:`~desktop.ui.logs.model.LogModel` (matches highlighted, or
only the matching lines shown) and goes from match to match in the view.
"""

from __future__ import annotations

import bisect
import re
from typing import cast

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from desktop.engine.logbuffer import Matcher
from desktop.ui.common import palette
from desktop.ui.common.palette import Tone
from desktop.ui.logs.model import LogModel
from desktop.ui.logs.toolbar import tool_button
from desktop.ui.logs.view import LogView


class SearchBar(QWidget):
    """The search controls above the lines; what they say is applied by a :class:`Finder`."""

    changed = Signal()
    next = Signal()
    previous = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logSearchBar")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 3, 6, 3)
        lay.setSpacing(4)
        self.field = QLineEdit(self)
        self.field.setObjectName("logSearchField")
        self.field.setPlaceholderText("Find in log")
        self.field.setAccessibleName("Find in log")
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(220)
        self.case = QCheckBox("Match case", self)
        self.case.setObjectName("logSearchCase")
        self.regex = QCheckBox("Regular expression", self)
        self.regex.setObjectName("logSearchRegex")
        self.only = QCheckBox("Only matching lines", self)
        self.only.setObjectName("logSearchFilter")
        self.prev_btn = tool_button(self, "logSearchPrevious", "▲", "Previous match (Shift+Enter)")
        self.next_btn = tool_button(self, "logSearchNext", "▼", "Next match (Enter)")
        self.count = QLabel("", self)
        self.count.setObjectName("logSearchCount")
        self.count.setMinimumWidth(90)
        close = tool_button(self, "logSearchClose", "✕", "Close the search bar (Esc)")
        lay.addWidget(self.field, 1)
        lay.addWidget(self.prev_btn)
        lay.addWidget(self.next_btn)
        lay.addWidget(self.count)
        lay.addSpacing(8)
        lay.addWidget(self.case)
        lay.addWidget(self.regex)
        lay.addWidget(self.only)
        lay.addWidget(close)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.changed)
        self.field.textChanged.connect(self._debounce.start)
        self.case.toggled.connect(self.changed)
        self.regex.toggled.connect(self.changed)
        self.only.toggled.connect(self.changed)
        self.prev_btn.clicked.connect(self.previous)
        self.next_btn.clicked.connect(self.next)
        close.clicked.connect(self.closed)
        self.field.returnPressed.connect(self._enter)
        self.field.installEventFilter(self)

    def _enter(self) -> None:
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()
        if QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.previous.emit()
        else:
            self.next.emit()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (obj is self.field and event.type() == QEvent.Type.KeyPress
                and cast(QKeyEvent, event).key() == Qt.Key.Key_Escape):
            self.closed.emit()
            return True
        return super().eventFilter(obj, event)

    def flush(self) -> None:
        """Apply a pending edit now (tests, Enter)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()

    def matcher(self) -> Matcher:
        return Matcher(self.field.text(), case=self.case.isChecked(), regex=self.regex.isChecked())

class Finder(QObject):
    """Applies the search bar's pattern to the model and the view, and goes from match
    to match. ``follow`` is the viewer's Follow button: going to a match lets go of
    the bottom, and a search that changes the rows keeps a following view at it."""

    #: The matches changed (another pattern, or none): the counts are due again.
    matchesChanged = Signal()

    def __init__(self, bar: SearchBar, model: LogModel, view: LogView, follow: QAbstractButton,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.model = model
        self.view = view
        self.follow = follow
        self.invalid = False
        palette.scheme().changed.connect(self._recolour)

    def _mark_invalid(self, invalid: bool) -> None:
        """A pattern that is not one: the field's border in the error tone (again when
        light and dark switch)."""
        self.invalid = invalid
        if invalid:
            red = palette.tone(Tone.ERROR, QApplication.palette(self.bar.field))
            self.bar.field.setStyleSheet(f"QLineEdit {{ border: 1px solid {red.name()}; }}")
        else:
            self.bar.field.setStyleSheet("")

    def _recolour(self) -> None:
        if self.invalid:
            self._mark_invalid(True)

    def show(self) -> None:
        self.bar.show()
        self.bar.field.setFocus()
        self.bar.field.selectAll()

    def hide(self) -> None:
        self.bar.hide()
        self.bar.field.clear()
        self.bar.flush()
        self.view.setFocus()

    def put(self, text: str, *, case: bool, regex: bool, only_matching: bool) -> None:
        """Set the bar to search for ``text`` (applied as the bar's edits are)."""
        bar = self.bar
        bar.show()
        for box, value in ((bar.case, case), (bar.regex, regex), (bar.only, only_matching)):
            box.blockSignals(True)
            box.setChecked(value)
            box.blockSignals(False)
        bar.field.setText(text)
        bar.flush()

    def apply(self) -> None:
        """Search the model for what the bar says (the lines waiting for a frame should
        be in it first)."""
        bar = self.bar
        try:
            matcher = bar.matcher()
        except re.error as exc:
            bar.count.setText("invalid pattern")
            bar.field.setToolTip(f"Not a valid regular expression: {exc}")
            self._mark_invalid(True)
            return
        bar.field.setToolTip("")
        self._mark_invalid(False)
        filtering = bar.only.isChecked()
        if matcher == self.model.matcher and filtering == self.model.filtering:
            return
        current = self.view.delegate.current_seq
        self.model.set_search(matcher, filtering)
        if self.model.matcher is None:
            self.view.delegate.current_seq = None
            bar.count.setText("")
        self.matchesChanged.emit()
        row = self.model.row_of_seq(current) if current is not None else None
        if row is not None:
            self.view.scrollTo(self.model.index(row))
        elif self.follow.isChecked():
            self.view.scrollToBottom()
        self.view.viewport().update()

    def show_position(self) -> None:
        """Say which match the view is at ("3 of 12"), or how many there are."""
        hits = self.model.hits
        cur = self.view.delegate.current_seq
        i = bisect.bisect_left(hits, cur) if cur is not None else len(hits)
        if i < len(hits) and hits[i] == cur:  # the match gone to stays counted
            self.bar.count.setText(f"{i + 1:,} of {len(hits):,}")
        else:
            self.bar.count.setText(f"{len(hits):,} matches")

    def find(self, backwards: bool = False) -> int | None:
        """Go to the next (or previous) matching line; returns its sequence number."""
        view, hits = self.view, self.model.hits
        if not hits:
            return None
        cur = view.delegate.current_seq
        if cur is None:
            idx = view.currentIndex()
            seq = self.model.seq_at(idx.row()) if idx.isValid() else None
            if seq is None:
                i = len(hits) - 1 if backwards else 0
            else:
                i = bisect.bisect_left(hits, seq) - (1 if backwards else 0)
        elif backwards:
            i = bisect.bisect_left(hits, cur) - 1
        else:
            i = bisect.bisect_right(hits, cur)
        i %= len(hits)
        seq = hits[i]
        view.delegate.current_seq = seq
        row = self.model.row_of_seq(seq)
        if row is not None:
            self.follow.setChecked(False)
            index = self.model.index(row)
            view.adjusting = True
            try:
                # The match alone is selected, whatever keys are held (setCurrentIndex
                # would extend the selection under Shift, as Shift+Enter holds it).
                view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
            finally:
                view.adjusting = False
        self.bar.count.setText(f"{i + 1:,} of {len(hits):,}")
        view.viewport().update()
        return seq
