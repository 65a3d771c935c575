"""The log viewer: one container's log, followed live, searchable, bounded in memory.

The pieces, each in its own module of this package:

- ``model.py``: :class:`LogModel`, the lines as rows over a bounded ``LineStore``, and
  the gradual freeing of big lists;
- ``view.py``: :class:`LogView` and its delegate, painting only the rows (and of a long
  line only the characters) on screen;
- ``stream.py``: :class:`LogStream`, the reader, its :class:`StreamState` and the frame
  pacing that hands queued lines to the model once per frame;
- ``search.py``: the :class:`SearchBar` and the :class:`Finder` that applies it;
- ``toolbar.py``: the controls above the lines;
- ``tabs.py``: :class:`LogTabs`, one viewer per container.

:class:`LogViewer` arranges them and does what the toolbar's buttons say (follow,
timestamps, reload, save, copy, clear).
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QFileDialog, QVBoxLayout, QWidget

from desktop.engine.logbuffer import DEFAULT_CAPACITY
from desktop.engine.records import Container
from desktop.ui.common import errors, palette
from desktop.ui.logs.model import LogModel
from desktop.ui.logs.search import Finder, SearchBar
from desktop.ui.logs.stream import LogStream, StreamState
from desktop.ui.logs.toolbar import LogToolbar
from desktop.ui.logs.view import LogView

if TYPE_CHECKING:
    from desktop.engine.client import Engine
    from desktop.ui.common.live import LiveEngine
    from desktop.ui.logs.tabs import LogTabs


class LogViewer(QWidget):
    """One container's log, followed live. Resumes (``since`` the last line) when the
    container starts again or the engine comes back, without repeating or losing lines."""

    stateChanged = Signal(str)  # a StreamState's value
    _save_dir = ""  # where the last log was saved (for the next Save)

    def __init__(self, engine: Engine, container: Container, live: LiveEngine | None = None,
                 parent: QWidget | None = None, *, capacity: int = DEFAULT_CAPACITY, tail: int | str = 1000) -> None:
        super().__init__(parent)
        self.setObjectName("logViewer")
        self.model = LogModel(capacity, self)
        self._flash_until = 0.0  # a confirmation shows in the count label until then

        self.view = LogView(self.model, self)
        self.toolbar = LogToolbar(tail, self)
        self.search = SearchBar(self)
        self.search.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.toolbar)
        lay.addWidget(self.search)
        lay.addWidget(self.view, 1)

        follow = self.toolbar.follow_btn
        self.finder = Finder(self.search, self.model, self.view, follow, self)
        self.stream = LogStream(engine, container, live, self.model, self.view, follow.isChecked, self, tail=tail)
        self.stream.statusChanged.connect(self._show_status)
        palette.scheme().changed.connect(self._show_status)
        self.stream.stateChanged.connect(self.stateChanged)
        self.stream.counted.connect(self._update_count)
        self.finder.matchesChanged.connect(self._update_count)
        self._connect_toolbar()
        sb = self.view.verticalScrollBar()
        sb.valueChanged.connect(self._on_scrolled)
        sb.rangeChanged.connect(self._on_range)
        self.search.changed.connect(self._apply_search)
        self.search.next.connect(lambda: self.find_match(False))
        self.search.previous.connect(lambda: self.find_match(True))
        self.search.closed.connect(self.hide_search)
        # the context set apart: PySide6 drops a context= given with a callable (the keys
        # were the whole window's, and Ctrl+F there ambiguous)
        for key, slot in ((QKeySequence.StandardKey.Find, self.show_search),
                          (QKeySequence.StandardKey.FindNext, lambda: self.find_match(False)),
                          (QKeySequence.StandardKey.FindPrevious, lambda: self.find_match(True))):
            QShortcut(key, self, slot).setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.stream.start()

    def _connect_toolbar(self) -> None:
        bar = self.toolbar
        bar.follow_btn.toggled.connect(self._on_follow_toggled)
        bar.ts_btn.toggled.connect(self.set_timestamps)
        bar.tail_box.activated.connect(lambda _i: self.reload())
        tail_edit = bar.tail_box.lineEdit()
        assert tail_edit is not None, "the toolbar makes the tail box editable, which gives it a line edit"
        tail_edit.editingFinished.connect(self.reload)
        bar.since_box.activated.connect(lambda _i: self.reload())
        bar.find_btn.clicked.connect(self.show_search)
        bar.save_btn.clicked.connect(self.ask_save)
        bar.copy_btn.clicked.connect(self.copy_selection)
        bar.clear_btn.clicked.connect(self.clear)

    # -- the stream ---------------------------------------------------------------------------
    @property
    def container(self) -> Container:
        """The container, as last listed (the stream looks again when its log ends)."""
        return self.stream.container

    @property
    def cid(self) -> str:
        return self.stream.cid

    @property
    def state(self) -> StreamState:
        return self.stream.state

    def start(self) -> None:
        """Read the log (the tail, or the lines since the last one seen) and follow it."""
        self.stream.start()

    def reload(self) -> None:
        """Start over with the chosen tail and since (the view is cleared)."""
        if self.stream.closed:  # the tab is closing (its tail box may still report an edit)
            return
        self.stream.restart(self.toolbar.tail(), self.toolbar.since())

    def flush(self) -> None:
        """Hand the queued lines to the view now."""
        self.stream.flush()

    def stop(self) -> None:
        """Stop reading (closes the connection)."""
        self.stream.stop()

    def shutdown(self) -> None:
        """Stop for good (the tab closes); again is harmless."""
        self.stream.shutdown()

    def _show_status(self) -> None:
        text, kind = self.stream.state.status(self.stream.behind)
        color = palette.status(kind, QApplication.palette(self.toolbar.status))
        self.toolbar.status.setText(f"<span style='color:{color.name()}'>{text}</span>")

    def _update_count(self) -> None:
        if time.monotonic() < self._flash_until:
            return
        store = self.model.store
        n = len(store)
        text = f"{n:,} lines"
        if self.model.matcher is not None:
            text = f"{len(self.model.hits):,} of {n:,} lines match"
            self.finder.show_position()
        tips = []
        dropped = self.stream.dropped
        if dropped > 0:
            text += f" · {dropped:,} older not kept"
            tips.append(f"Only the newest {store.capacity:,} lines are kept; {dropped:,} older ones were let go. "
                        "Save keeps what is shown; docker logs has them all.")
        held = self.stream.held
        if held:
            text += f" · {held:,} new waiting"
            tips.append("You scrolled up: new lines wait so that the ones you read stay in place. "
                        "Follow (or scroll to the bottom) shows them.")
        self.toolbar.count_label.setText(text)
        self.toolbar.count_label.setToolTip("\n".join(tips))

    # -- follow -----------------------------------------------------------------------------
    def _on_scrolled(self, value: int) -> None:
        if self.view.adjusting:
            return
        sb = self.view.verticalScrollBar()
        at_bottom = value >= sb.maximum() - 2
        follow = self.toolbar.follow_btn
        if at_bottom != follow.isChecked():
            follow.blockSignals(True)
            follow.setChecked(at_bottom)
            follow.blockSignals(False)
        self.stream.wake()

    def _on_range(self, _lo: int, hi: int) -> None:
        if self.toolbar.follow_btn.isChecked():
            self.view.adjusting = True
            try:
                self.view.verticalScrollBar().setValue(hi)
            finally:
                self.view.adjusting = False

    def _on_follow_toggled(self, on: bool) -> None:
        if on:
            self.view.adjusting = True
            try:
                self.view.scrollToBottom()
            finally:
                self.view.adjusting = False
        self.stream.wake()

    @property
    def following(self) -> bool:
        return self.toolbar.follow_btn.isChecked()

    def set_timestamps(self, on: bool) -> None:
        if self.toolbar.ts_btn.isChecked() != on:
            self.toolbar.ts_btn.setChecked(on)
            return
        self.view.delegate.show_timestamps = on
        self.view.relayout()
        self.view.viewport().update()

    # -- search -----------------------------------------------------------------------------
    def show_search(self) -> None:
        self.finder.show()

    def hide_search(self) -> None:
        self.finder.hide()

    def set_search(self, text: str, *, case: bool = False, regex: bool = False, only_matching: bool = False) -> None:
        """Search for ``text`` (what the search bar does; for tests and callers)."""
        self.finder.put(text, case=case, regex=regex, only_matching=only_matching)
        self._apply_search()

    def _apply_search(self) -> None:
        self.stream.flush()
        self.finder.apply()

    def find_match(self, backwards: bool = False) -> int | None:
        """Go to the next (or previous) matching line; returns its sequence number."""
        return self.finder.find(backwards)

    # -- save, copy, clear ----------------------------------------------------------------------
    def text(self) -> str:
        """The kept lines (with timestamps when they are shown)."""
        self.stream.flush()
        return self.model.store.text(timestamps=self.toolbar.ts_btn.isChecked())

    def save_to(self, path: str) -> None:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(self.text())

    def ask_save(self) -> None:
        dlg = QFileDialog(self, "Save Log")
        dlg.setObjectName("logSaveDialog")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setNameFilters(["Log files (*.log *.txt)", "All files (*)"])
        dlg.setDirectory(self._save_dir or os.path.expanduser("~"))
        dlg.selectFile(f"{self.container.name or self.cid[:12]}.log")
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(path: str) -> None:
            try:
                self.save_to(path)
            except OSError as exc:
                errors.report(exc, context=f"Saving the log to {path}", parent=self)
                return
            LogViewer._save_dir = os.path.dirname(path)
            self._flash(f"Saved {len(self.model.store):,} lines to {os.path.basename(path)}.")
        dlg.fileSelected.connect(chosen)
        dlg.open()

    def copy_selection(self) -> str:
        """Copy the selected lines, or every line shown when none is selected."""
        self.stream.flush()
        if self.view.selectionModel().hasSelection():
            text, what = self.view.selected_text(), "the selected lines"
        else:
            text, what = self.view.toPlainText(), "every line shown"
        if text:
            QGuiApplication.clipboard().setText(text)
            n = text.count("\n") + 1
            self._flash(f"Copied {n:,} line{'s' if n != 1 else ''} ({what}).")
        return text

    def _flash(self, text: str) -> None:
        """A short confirmation in the toolbar (a copy, a save), left in place for a
        moment even while lines flow."""
        self._flash_until = time.monotonic() + 2.5
        self.toolbar.count_label.setText(text)
        QTimer.singleShot(2600, self, self._update_count)

    def clear(self) -> None:
        """Empty the view; following goes on."""
        self.stream.empty()
        self.view.delegate.current_seq = None
        self._update_count()
        self.toolbar.follow_btn.setChecked(True)  # an empty view follows what comes next


def __getattr__(name: str) -> type[LogTabs]:
    """``LogTabs`` lives in ``tabs.py`` (which needs this module first); it is also
    found here, where the main window has always imported it from."""
    if name == "LogTabs":
        from desktop.ui.logs.tabs import LogTabs
        return LogTabs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
