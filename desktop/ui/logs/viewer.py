"""The log viewer: one container's log, followed live, searchable, bounded in memory.

The lines live in a :class:`~desktop.engine.logbuffer.LineStore` behind a list model;
the view (a one-column ``QTableView`` with fixed-height rows) paints only the rows on
screen, and of a long line only the characters on screen, so neither a fast container
nor a 1 MB line can stall the window. Lines that arrive are queued and handed to the model once per
frame by a timer.

``LogTabs`` holds one viewer per container; the main window calls ``open(container)``.
"""

from __future__ import annotations

import asyncio
import bisect
import operator
import os
import re
import time
from typing import Any, Callable, Iterable, Iterator

from PySide6.QtCore import (
    QAbstractListModel, QCoreApplication, QEvent, QItemSelectionModel, QModelIndex, QObject,
    QPersistentModelIndex, QRect, QSize, Qt, QTimer, Signal,
)
from PySide6.QtGui import (
    QColor, QFont, QFontDatabase, QFontMetricsF, QGuiApplication, QKeySequence, QPainter, QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QTabWidget, QToolButton, QVBoxLayout,
    QWidget,
)

from desktop import log
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.logbuffer import (
    DEFAULT_CAPACITY, STDERR, TEXT, TS, Line, LineStore, LogReader, Matcher, RawLine, Style, epoch, readable,
    rgb_of,
)
from desktop.engine.records import Container
from desktop.ui.common import errors, tasks


#: Characters of one line that are drawn; the rest is kept (copy and save give it all).
DISPLAY_LIMIT = 20_000
FRAME_MS = 25  # 40 frames a second: smooth, and half the painting of 60
#: While a frame brings a screenful of new lines or more (a flood nobody reads line by
#: line), 20 frames a second: painting is then most of the window's work.
FLOOD_FRAME_MS = 50
#: Lines more than this many seconds old arriving one frame after another: the view is
#: catching up with a backlog (after a flood, or loading a long tail), not live.
CATCHING_UP_S = 5.0
TAIL_CHOICES = ("100", "1000", "10000", "All")
SINCE_CHOICES = (("Any time", None), ("Last 5 minutes", 300), ("Last 30 minutes", 1800),
                 ("Last hour", 3600), ("Last 24 hours", 86400))


def _over(top: QColor, under: QColor) -> QColor:
    """``top`` (translucent) painted over ``under``."""
    a = top.alphaF()
    return QColor(*(round(t + (u - t) * (1 - a)) for t, u in
                    zip(top.getRgb()[:3], under.getRgb()[:3])))


class Colors:
    """The log surface: a dark terminal-like pane, whatever the window's theme."""
    base = QColor("#1b1d21")
    text = QColor("#d5d8de")
    dim = QColor("#7d828c")
    selection = QColor("#2c4a6e")
    current = QColor("#3a3f4a")
    stderr_bg = QColor(220, 60, 60, 28)
    stderr_row = _over(stderr_bg, base)  # what a stderr row's text is drawn on
    stderr_mark = QColor("#e0565b")
    stdout_mark = QColor("#3d424b")
    stderr_text = QColor("#f0b4b4")
    match_bg = QColor("#6b5a17")
    match_current_bg = QColor("#d99a1e")


# -- model -----------------------------------------------------------------------------
class LogModel(QAbstractListModel):
    """Rows over a LineStore: every kept line, or only the lines that match the search."""

    LineRole = Qt.ItemDataRole.UserRole + 1
    StreamRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, capacity: int = DEFAULT_CAPACITY, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = LineStore(capacity)
        self.matcher: Matcher | None = None
        self.hits: list[int] = []      # sequence numbers of the matching lines, ascending
        self.filtering = False
        self.longest = 0               # drawn characters of the longest line seen
        #: Sequence numbers of lines where the log resumed (the container started again,
        #: or the engine came back); the view draws a rule above them.
        self.resumed_at: set[int] = set()
        self._mark_next = False

    # -- Qt interface ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return len(self.hits) if self.filtering else len(self.store)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self.line_at(index.row()) if index.isValid() else None
        if line is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return line.text
        if role == self.LineRole:
            return line
        if role == self.StreamRole:
            return line.stream
        if role == Qt.ItemDataRole.ToolTipRole and self.seq_at(index.row()) in self.resumed_at:
            return "The log resumed here: the container started again, or the engine came back."
        return None

    _FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return self._FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    # -- rows and lines ---------------------------------------------------------------------
    def seq_at(self, row: int) -> int | None:
        if row < 0:
            return None
        if self.filtering:
            return self.hits[row] if row < len(self.hits) else None
        return self.store.first_seq + row if row < len(self.store) else None

    def line_at(self, row: int) -> Line | None:
        seq = self.seq_at(row)
        if seq is None:
            return None
        i = self.store.index_of_seq(seq)
        return self.store[i] if i is not None else None

    def row_of_seq(self, seq: int) -> int | None:
        if self.filtering:
            i = bisect.bisect_left(self.hits, seq)
            return i if i < len(self.hits) and self.hits[i] == seq else None
        return self.store.index_of_seq(seq)

    def lines(self) -> list[Line]:
        """The lines the rows show, in order."""
        if self.filtering:
            return [ln for ln in (self.line_at(r) for r in range(len(self.hits))) if ln is not None]
        return list(self.store)

    # -- changes ----------------------------------------------------------------------------
    def append(self, lines: list[RawLine]) -> int:
        """Add lines at the end; returns how many rows left at the top (cap reached)."""
        if not lines:
            return 0
        store = self.store
        if self._mark_next:
            self._mark_next = False
            first = store.next_seq
            self.resumed_at = {q for q in self.resumed_at if q >= store.first_seq} | {first}
        longest = max(map(len, map(_text_of, lines)))  # C-level loops
        if longest > self.longest:
            self.longest = min(longest, DISPLAY_LIMIT)
        dropped = store.overflow(len(lines))
        if len(lines) >= store.capacity or (dropped and dropped >= len(store)):
            self.beginResetModel()
            store.extend(lines)
            self._recount()
            self.endResetModel()
            return -1
        new_hits: list[int] = []
        matcher = self.matcher
        if matcher is not None and not matcher.empty:
            hit, base = matcher.hit, store.next_seq
            new_hits = [base + i for i, text in enumerate(map(_text_of, lines)) if hit(text)]
        removed_rows = 0
        if dropped:
            cut = store.first_seq + dropped
            k = bisect.bisect_left(self.hits, cut)
            removed_rows = k if self.filtering else dropped
            if removed_rows:
                self.beginRemoveRows(QModelIndex(), 0, removed_rows - 1)
            store.drop_front(dropped)
            del self.hits[:k]
            if removed_rows:
                self.endRemoveRows()
        added = len(new_hits) if self.filtering else len(lines)
        if added:
            first = self.rowCount()
            self.beginInsertRows(QModelIndex(), first, first + added - 1)
        store.extend(lines)
        self.hits.extend(new_hits)
        if added:
            self.endInsertRows()
        return removed_rows

    def mark_next_append(self) -> None:
        """The next lines appended are where the log resumed."""
        self._mark_next = True

    def rows_pushed_out(self, adding: int) -> int:
        """How many rows at the top appending ``adding`` lines would remove (the cap)."""
        dropped = self.store.overflow(adding)
        if not dropped or not self.filtering:
            return dropped
        return bisect.bisect_left(self.hits, self.store.first_seq + dropped)

    def clear(self) -> None:
        self.beginResetModel()
        self.resumed_at = set()
        free_gradually(self.store.clear())
        self.hits = []
        self.longest = 0
        self.endResetModel()

    def set_search(self, matcher: Matcher | None, filtering: bool) -> None:
        changed_rows = filtering or self.filtering
        if changed_rows:
            self.beginResetModel()
        self.matcher = matcher if matcher is not None and not matcher.empty else None
        self.filtering = filtering and self.matcher is not None
        self._recount()
        if changed_rows:
            self.endResetModel()

    def _recount(self) -> None:
        if self.matcher is None:
            self.hits = []
            return
        hit = self.matcher.hit
        base = self.store.first_seq
        self.hits = [base + i for i, text in enumerate(self.store.texts()) if hit(text)]


_text_of = operator.itemgetter(TEXT)


class _Freeing:
    """Frees big lists a slice at a time between events: a full viewer's 100,000 lines
    take about 20 ms to free at once (on Clear, or whenever the collector gets to a
    closed viewer)."""

    SLICE = 5000

    def __init__(self) -> None:
        self._lists: list[list[Any]] = []
        self._timer: QTimer | None = None

    def add(self, items: list[Any]) -> None:
        if len(items) <= self.SLICE or QCoreApplication.instance() is None:
            return  # quick enough to drop at once (or no loop to spread it over)
        self._lists.append(items)
        if self._timer is None:
            self._timer = QTimer()
            self._timer.setInterval(0)
            self._timer.timeout.connect(self._step)
        self._timer.start()

    def _step(self) -> None:
        items = self._lists[-1]
        del items[-self.SLICE:]
        if not items:
            self._lists.pop()
        if not self._lists and self._timer is not None:
            self._timer.stop()

    @property
    def pending(self) -> int:
        return sum(map(len, self._lists))


_freeing = _Freeing()
free_gradually = _freeing.add


# -- painting -----------------------------------------------------------------------------
class LogDelegate(QStyledItemDelegate):
    """Paints a line: stream mark, optional timestamp, styled runs, search matches.

    Only the characters inside the visible part of the row are laid out, so the cost of
    a row does not depend on the length of its line.
    """

    GUTTER = 6
    PAD = 8

    def __init__(self, view: "LogView") -> None:
        super().__init__(view)
        self.view = view
        self.show_timestamps = False
        self.current_seq: int | None = None
        self.set_font(view.font())
        self._qcolors: dict[int, QColor] = {}
        self._readable: dict[tuple[int, int], QColor] = {}

    def set_font(self, font: QFont) -> None:
        self.font = QFont(font)
        self.bold = QFont(font)
        self.bold.setBold(True)
        fm = QFontMetricsF(self.font)
        self.char_w = fm.horizontalAdvance("M")
        self.ascent = fm.ascent()
        self.row_h = int(fm.height() + 3)

    def text_x(self) -> float:
        x = self.GUTTER + self.PAD
        if self.show_timestamps:
            x += self.char_w * 24
        return x

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        model: LogModel = self.view.log_model
        width = self.text_x() + self.char_w * (model.longest + 2)
        return QSize(int(width), self.row_h)

    def color(self, value: int) -> QColor:
        c = self._qcolors.get(value)
        if c is None:
            c = self._qcolors[value] = QColor(*rgb_of(value))
        return c

    def pen_on(self, fg: QColor, bg: QColor) -> QColor:
        """``fg``, made readable on ``bg`` if it is not (red text on a selected row)."""
        key = (fg.rgb(), bg.rgb())
        c = self._readable.get(key)
        if c is None:
            rgb = fg.getRgb()[:3]
            better = readable(rgb, bg.getRgb()[:3])
            c = self._readable[key] = fg if better == rgb else QColor(*better)
        return c

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        rect: QRect = option.rect
        self.paint_row(painter, index.row(), rect.x(), rect.y(), rect.height())

    def paint_row(self, painter: QPainter, row: int, x: int, y: int, h: int) -> None:
        """Paint ``row`` with its left edge at ``x`` and its top at ``y``.

        Called for every visible row on every frame while following: kept lean (few
        calls into Qt, no temporary objects where an overload takes plain numbers).
        """
        view = self.view
        model = view.log_model
        seq = model.seq_at(row)
        line = model.line_at(row)
        if line is None:
            return
        viewport_w = view.viewport_width
        err = line.stream == STDERR
        current = seq == self.current_seq
        # Backgrounds: the row across the whole viewport, whatever the horizontal scroll.
        row_bg = Colors.base
        if view.is_selected(row):
            painter.fillRect(0, y, viewport_w, h, row_bg := Colors.selection)
        elif current:
            painter.fillRect(0, y, viewport_w, h, row_bg := Colors.current)
        elif err:
            painter.fillRect(0, y, viewport_w, h, Colors.stderr_bg)
            row_bg = Colors.stderr_row
        painter.fillRect(x + 1, y, 3, h, Colors.stderr_mark if err else Colors.stdout_mark)
        if seq in model.resumed_at:  # where the log resumed: a rule across the top
            painter.fillRect(0, y, viewport_w, 1, Colors.dim)

        baseline = int(y + (h - (self.row_h - 3)) / 2 + self.ascent)
        cw = self.char_w
        painter.setFont(self.font)
        if self.show_timestamps and line.ts:
            painter.setPen(Colors.dim)
            painter.drawText(x + self.GUTTER + self.PAD, baseline, _short_ts(line.ts))

        text = line.text
        x0 = x + self.text_x()
        # The characters that fall inside the viewport (a margin either side).
        first = max(0, int((-x0) / cw) - 4) if x0 < 0 else 0
        last = min(len(text), first + int(viewport_w / cw) + 8, DISPLAY_LIMIT)
        if first >= last:
            if len(text) > DISPLAY_LIMIT and first >= DISPLAY_LIMIT:
                self._more(painter, x0 + DISPLAY_LIMIT * cw, baseline, len(text))
            return
        # Search matches under the text.
        matcher = model.matcher
        matches: list[tuple[int, int]] = []
        match_bg = Colors.match_current_bg if current else Colors.match_bg
        if matcher is not None:
            lo = max(0, first - 256)
            piece = text[lo:min(len(text), last + 256)]
            for s, e in matcher.spans(piece, limit=200):
                s += lo
                e += lo
                if e <= first or s >= last:
                    continue
                s, e = max(s, first), min(e, last)
                painter.fillRect(int(x0 + s * cw), y + 1, max(1, int((e - s) * cw)), h - 2, match_bg)
                matches.append((s, e))
        # The text, in styled runs; where it lies on a match, readable on the match's colour.
        default_pen = Colors.stderr_text if err else Colors.text
        if not line.spans and not matches:
            painter.setPen(default_pen)
            painter.drawText(int(x0 + first * cw), baseline, text[first:last])
        else:
            for s, e, style, on_match in _on_matches(_styled_pieces(line.spans, first, last), matches):
                self._run(painter, text[s:e], x0 + s * cw, baseline, style, default_pen,
                          match_bg if on_match else row_bg)
        if len(text) > DISPLAY_LIMIT and last >= DISPLAY_LIMIT:
            self._more(painter, x0 + DISPLAY_LIMIT * cw, baseline, len(text))

    def _more(self, painter: QPainter, x: float, baseline: float, length: int) -> None:
        painter.setPen(Colors.dim)
        painter.setFont(self.font)
        painter.drawText(int(x + self.char_w), int(baseline),
                         f"… {length - DISPLAY_LIMIT:,} more characters (Copy or Save for the whole line)")

    def _run(self, painter: QPainter, piece: str, x: float, baseline: float, style: Style | None,
             default_pen: QColor, row_bg: QColor) -> None:
        if not piece:
            return
        fg = default_pen
        if style is None:
            painter.setFont(self.font)
            painter.setPen(self.pen_on(fg, row_bg))
            painter.drawText(int(x), int(baseline), piece)
            return
        bg = None
        if style.fg is not None:
            fg = self.color(style.fg + 8 if style.bold and style.fg < 8 else style.fg)
        if style.bg is not None:
            bg = self.color(style.bg)
        if style.inverse:
            fg, bg = (bg or Colors.base), fg
        fg = self.pen_on(fg, bg or row_bg)
        if style.dim:
            fg = QColor(fg)
            fg.setAlpha(150)
        w = len(piece) * self.char_w
        if bg is not None:
            painter.fillRect(QRect(int(x), int(baseline - self.ascent - 1), int(w + 0.5), self.row_h - 1), bg)
        font = self.bold if style.bold else self.font
        if style.italic or style.underline or style.strike:
            font = QFont(font)
            font.setItalic(style.italic)
            font.setUnderline(style.underline)
            font.setStrikeOut(style.strike)
        painter.setFont(font)
        painter.setPen(fg)
        painter.drawText(int(x), int(baseline), piece)


def _styled_pieces(spans: tuple[Any, ...], first: int, last: int) -> Iterator[tuple[int, int, Style | None]]:
    """The characters ``first`` to ``last`` as (start, end, style) runs (None: plain)."""
    pos = first
    for span in spans:
        if span.end <= first:
            continue
        if span.start >= last:
            break
        s, e = max(span.start, first), min(span.end, last)
        if s > pos:
            yield pos, s, None
        yield s, e, span.style
        pos = e
    if pos < last:
        yield pos, last, None


def _on_matches(pieces: Iterable[tuple[int, int, Style | None]], matches: list[tuple[int, int]]
                ) -> Iterator[tuple[int, int, Style | None, bool]]:
    """The runs cut where search matches (sorted, apart) begin and end, each saying
    whether it lies on a match."""
    for s, e, style in pieces:
        pos = s
        for ms, me in matches:
            if me <= pos or ms >= e:
                continue
            if ms > pos:
                yield pos, ms, style, False
            end = min(me, e)
            yield max(ms, pos), end, style, True
            pos = end
        if pos < e:
            yield pos, e, style, False


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def _short_ts(ts: str) -> str:
    """``2024-05-01T12:34:56.123456789Z`` as ``2024-05-01 12:34:56.123`` (UTC)."""
    return ts[:10] + " " + ts[11:23] if len(ts) >= 23 else ts


# -- the view -------------------------------------------------------------------------------
class LogView(QTableView):
    """The line view: one column, no headers, rows of one height. ``toPlainText()``
    gives the lines it shows (tests, screen readers); ``model()`` is the LogModel.

    A table rather than a list view: QListView lays every row out again (asking the
    model for its row count per row) whenever rows are added, which costs a second per
    frame at 100,000 lines; a table's fixed-size rows cost nothing to add.
    """

    def __init__(self, model: LogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logView")
        self.setAccessibleName("Log lines")
        self.log_model = model
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setModel(model)
        self.delegate = LogDelegate(self)
        self.setItemDelegate(self.delegate)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.hide()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setMinimumSectionSize(1)
        self.verticalHeader().setDefaultSectionSize(self.delegate.row_h)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setTabKeyNavigation(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setFrameShape(QFrame.Shape.NoFrame)
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Base, Colors.base)
        pal.setColor(QPalette.ColorRole.Text, Colors.text)
        pal.setColor(QPalette.ColorRole.Highlight, Colors.selection)
        self.setPalette(pal)
        self.verticalScrollBar().setSingleStep(self.delegate.row_h * 3)
        self.horizontalScrollBar().setSingleStep(int(self.delegate.char_w * 4))
        self.viewport_width = self.viewport().width()
        self._selection = self.selectionModel()
        self._any_selected = False
        self._selection.selectionChanged.connect(self._selection_changed)
        model.modelReset.connect(self._selection_changed)
        self.relayout()

    def paintEvent(self, event) -> None:
        """Paint the rows in the exposed area straight through the delegate.

        The table's own painting asks the model for flags and data and builds a style
        option for every cell before calling the delegate; for a view that follows a
        flood, that was most of the cost of a frame. (Right to left, the table's own
        painting places the cells.)
        """
        if self.isRightToLeft():
            super().paintEvent(event)
            return
        n = self.log_model.rowCount()
        if not n:
            return
        area = event.rect()
        h = self.delegate.row_h
        top = self.verticalOffset()
        first = max(0, (area.top() + top) // h)
        last = min(n - 1, (area.bottom() + top) // h)
        if first > last:
            return
        painter = QPainter(self.viewport())
        try:
            paint_row = self.delegate.paint_row
            x = -self.horizontalOffset()
            for row in range(first, last + 1):
                paint_row(painter, row, x, row * h - top, h)
        finally:
            painter.end()

    def relayout(self) -> None:
        """The row width changed (a longer line, timestamps shown)."""
        d = self.delegate
        width = int(d.text_x() + d.char_w * (self.log_model.longest + 2))
        width = max(width, self.viewport().width())
        if self.columnWidth(0) != width:
            self.setColumnWidth(0, width)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.viewport_width = self.viewport().width()
        self.relayout()

    def is_selected(self, row: int) -> bool:
        return self._selection.isRowSelected(row) if self._any_selected else False

    def _selection_changed(self) -> None:
        self._any_selected = self._selection.hasSelection()

    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        # Only vertically: a row is as wide as the longest line, and jumping to its
        # start would throw away the user's horizontal position.
        h = self.horizontalScrollBar().value()
        super().scrollTo(index, hint)
        self.horizontalScrollBar().setValue(h)

    def toPlainText(self) -> str:
        if not self.log_model.filtering:
            return "\n".join(self.log_model.store.texts())
        return "\n".join(ln.text for ln in self.log_model.lines())

    def selected_text(self) -> str:
        rows = sorted(i.row() for i in self.selectionModel().selectedRows())
        if not rows:
            cur = self.currentIndex()
            rows = [cur.row()] if cur.isValid() else []
        out = []
        for r in rows:
            ln = self.log_model.line_at(r)
            if ln is not None:
                out.append(ln.text)
        return "\n".join(out)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            text = self.selected_text()
            if text:
                QGuiApplication.clipboard().setText(text)
            event.accept()
            return
        super().keyPressEvent(event)


# -- the search bar ------------------------------------------------------------------------
class SearchBar(QWidget):
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
        self.prev_btn = _tool(self, "logSearchPrevious", "▲", "Previous match (Shift+Enter)")
        self.next_btn = _tool(self, "logSearchNext", "▼", "Next match (Enter)")
        self.count = QLabel("", self)
        self.count.setObjectName("logSearchCount")
        self.count.setMinimumWidth(90)
        close = _tool(self, "logSearchClose", "✕", "Close the search bar (Esc)")
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
        if obj is self.field and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
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


def _tool(parent: QWidget, name: str, text: str, tip: str, checkable: bool = False) -> QToolButton:
    b = QToolButton(parent)
    b.setObjectName(name)
    b.setText(text)
    b.setToolTip(tip)
    b.setAccessibleName(tip.split(" (")[0])
    b.setCheckable(checkable)
    b.setAutoRaise(True)
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return b


# -- the viewer ---------------------------------------------------------------------------
class LogViewer(QWidget):
    """One container's log, followed live. Resumes (``since`` the last line) when the
    container starts again or the engine comes back, without repeating or losing lines."""

    stateChanged = Signal(str)
    _save_dir = ""  # where the last log was saved (for the next Save)

    def __init__(self, engine: Any, container: Container, live: Any = None, parent: QWidget | None = None,
                 *, capacity: int = DEFAULT_CAPACITY, tail: int | str = 1000) -> None:
        super().__init__(parent)
        self.setObjectName("logViewer")
        self.engine = engine
        self.container = container
        self.cid = container.id
        self.live = live
        self.model = LogModel(capacity, self)
        self.reader = self._new_reader(tail)
        self._pending: list[RawLine] = []
        self._task: asyncio.Task | None = None
        self._resume_wanted = False
        self._closed = False
        self._adjusting = False
        self.state = "starting"
        self.max_frame_ms = 0.0  # the longest time one frame's hand-over took
        self.held = 0            # lines waiting while the user reads higher up
        self._lines_at = 0.0     # when lines were last handed to the view (monotonic)
        self._old_since: float | None = None  # since when the lines coming are old (monotonic)
        self._flash_until = 0.0  # a confirmation shows in the count label until then
        self._cleared_at = 0     # the sequence number the view was last cleared at
        self._skipped = 0        # lines let go before they reached the store (over the cap)

        self.view = LogView(self.model, self)
        self._build_toolbar(tail)
        self.search = SearchBar(self)
        self.search.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.toolbar)
        lay.addWidget(self.search)
        lay.addWidget(self.view, 1)

        self._frame = QTimer(self)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._drain)
        sb = self.view.verticalScrollBar()
        sb.valueChanged.connect(self._on_scrolled)
        sb.rangeChanged.connect(self._on_range)
        self.search.changed.connect(self._apply_search)
        self.search.next.connect(lambda: self.find(False))
        self.search.previous.connect(lambda: self.find(True))
        self.search.closed.connect(self.hide_search)
        QShortcut(QKeySequence.StandardKey.Find, self, self.show_search,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence.StandardKey.FindNext, self, lambda: self.find(False),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence.StandardKey.FindPrevious, self, lambda: self.find(True),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if live is not None:
            live.containerEvent.connect(self._on_container_event)
            live.reconnected.connect(self._on_reconnected)
        self.start()

    # -- toolbar ------------------------------------------------------------------------------
    def _build_toolbar(self, tail: int | str) -> None:
        bar = QWidget(self)
        bar.setObjectName("logToolbar")
        lay = QHBoxLayout(bar)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(6)
        self.follow_btn = _tool(bar, "logFollow", "⤓ Follow", "Keep the newest line in view", checkable=True)
        self.follow_btn.setChecked(True)
        self.follow_btn.toggled.connect(self._on_follow_toggled)
        self.ts_btn = _tool(bar, "logTimestamps", "Timestamps", "Show when each line was written (UTC)",
                            checkable=True)
        self.ts_btn.toggled.connect(self.set_timestamps)
        self.tail_box = QComboBox(bar)
        self.tail_box.setObjectName("logTail")
        self.tail_box.setAccessibleName("Lines to load")
        self.tail_box.setToolTip("How many of the last lines to load")
        self.tail_box.setEditable(True)
        self.tail_box.addItems(TAIL_CHOICES)
        self.tail_box.setCurrentText("All" if tail in ("all", "All") else str(tail))
        self.tail_box.setMaximumWidth(90)
        self.tail_box.activated.connect(lambda _i: self.reload())
        self.tail_box.lineEdit().editingFinished.connect(self.reload)
        self.since_box = QComboBox(bar)
        self.since_box.setObjectName("logSince")
        self.since_box.setAccessibleName("Since")
        self.since_box.setToolTip("Only lines written since")
        for label, secs in SINCE_CHOICES:
            self.since_box.addItem(label, secs)
        self.since_box.activated.connect(lambda _i: self.reload())
        self.find_btn = _tool(bar, "logFind", "Find…", "Find in the log (Ctrl+F)")
        self.find_btn.clicked.connect(self.show_search)
        self.save_btn = _tool(bar, "logSave", "Save…", "Save the lines to a file")
        self.save_btn.clicked.connect(self.ask_save)
        self.copy_btn = _tool(bar, "logCopy", "Copy", "Copy the selected lines (Ctrl+C)")
        self.copy_btn.clicked.connect(self.copy_selection)
        self.clear_btn = _tool(bar, "logClear", "Clear", "Clear the view (new lines still arrive)")
        self.clear_btn.clicked.connect(self.clear)
        self.status = QLabel("", bar)
        self.status.setObjectName("logStatus")
        self.count_label = QLabel("", bar)
        self.count_label.setObjectName("logCount")
        self.count_label.setStyleSheet("color: palette(placeholder-text);")
        tail_label = QLabel("Tail", bar)
        since_label = QLabel("Since", bar)
        for w in (self.follow_btn, self.ts_btn, _separator(bar), tail_label, self.tail_box, since_label,
                  self.since_box, _separator(bar), self.find_btn, self.copy_btn, self.save_btn, self.clear_btn):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.count_label)
        lay.addWidget(self.status)
        self.toolbar = bar

    # -- the stream ---------------------------------------------------------------------------
    def start(self) -> None:
        """Read the log (the tail, or the lines since the last one seen) and follow it."""
        if self._closed:
            return
        if self._task is not None and not self._task.done():
            self._resume_wanted = True
            return
        self._resume_wanted = False
        self._task = tasks.spawn(self._run(), name=f"logs-{id(self)}",
                                 context=f"Reading the log of {self.container.name or self.cid[:12]}",
                                 on_error=self._on_error)
        self._frame.start()

    async def _run(self) -> None:
        while True:
            self._set_state("following")
            started = time.monotonic()
            if self.reader.resuming:
                self._drain()  # what came before goes in first...
                if not self._pending:
                    self.model.mark_next_append()  # ...so the rule goes where the new run starts
            await self.reader.read(self.engine, self.cid, self._on_lines)
            # The stream ended: the container stopped (or is restarting).
            if time.monotonic() - started < 0.5:
                await asyncio.sleep(0.3)
            current = await self.engine.container(self.cid)
            if current is None:
                self._set_state("removed")
                return
            self.container = current
            if self._resume_wanted or current.running:
                self._resume_wanted = False
                continue
            self._set_state("stopped")
            return

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, EngineError) and exc.kind is ErrorKind.NOT_FOUND:
            self._set_state("removed")
            return
        if isinstance(exc, EngineError) and exc.kind is ErrorKind.UNREACHABLE:
            self._set_state("unreachable")
            return
        self._set_state("failed")
        errors.report(exc, context=f"Reading the log of {self.container.name or self.cid[:12]}",
                      serious=False, parent=self)

    def _on_lines(self, lines: list[RawLine]) -> None:
        pending = self._pending
        pending.extend(lines)
        cap = self.model.store.capacity
        if len(pending) > cap:  # more than can be kept arrived within one frame
            self._skipped += len(pending) - cap
            del pending[:len(pending) - cap]
        if not self._frame.isActive() and not self._closed:
            self._frame.start()

    def _on_container_event(self, ident: str, action: str) -> None:
        if ident != self.cid and not ident.startswith(self.cid) and not self.cid.startswith(ident or "-"):
            return
        if action in ("start", "restart", "unpause"):
            self.start()
        elif action == "destroy":
            self._set_state("removed")

    def _on_reconnected(self) -> None:
        self.start()

    def reload(self) -> None:
        """Start over with the chosen tail and since (the view is cleared)."""
        if self._closed:  # the tab is closing (its tail box may still report an edit)
            return
        text = self.tail_box.currentText().strip().lower()
        tail: int | str = "all" if text in ("all", "") else (int(text) if text.isdigit() else 1000)
        secs = self.since_box.currentData()
        since = None if secs is None else time.time() - secs
        if tail == self.reader.tail and since is None and self.reader.since is None and self.reader.resuming:
            return
        self.stop()
        self._empty()
        self.reader = self._new_reader(tail, since)
        self.start()

    @staticmethod
    def _new_reader(tail: int | str, since: float | None = None) -> LogReader:
        # lines are shown once a frame: the reader hands them over as often, no more
        return LogReader(tail=tail, since=since, batch_interval=FRAME_MS / 1000)

    def _empty(self) -> None:
        """Drop every line, shown and waiting; the lines are freed a slice at a time."""
        free_gradually(self._pending)
        self._pending = []
        self.held = 0
        self.model.clear()
        self._cleared_at = self.model.store.first_seq
        self._skipped = 0

    def stop(self) -> None:
        """Stop reading (closes the connection)."""
        self.reader.close()
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def shutdown(self) -> None:
        """Stop for good (the tab closes); again is harmless."""
        if self._closed:
            return
        self._closed = True
        self.stop()
        self._frame.stop()
        self._empty()  # now, not all at once whenever the collector gets to this viewer
        if self.live is not None:
            try:
                self.live.containerEvent.disconnect(self._on_container_event)
                self.live.reconnected.disconnect(self._on_reconnected)
            except (RuntimeError, TypeError):
                pass

    def _set_state(self, state: str, *, behind: float = 0.0) -> None:
        changed = state != self.state
        self.state = state
        texts = {
            "following": ("● Live", "#2fb36b"),
            "catching up": (f"● Catching up — {_duration(behind)} behind", "#c9a227"),
            "held": ("‖ New lines wait while you read", "#c9a227"),
            "stopped": ("■ Stopped — resumes when it starts", "#c9a227"),
            "removed": ("Container removed", "#9aa0a6"),
            "unreachable": ("Engine unavailable — resumes when it is back", "#e0565b"),
            "failed": ("Could not read the log", "#e0565b"),
            "starting": ("", "#9aa0a6"),
        }
        text, color = texts.get(state, (state, "#9aa0a6"))
        self.status.setText(f"<span style='color:{color}'>{text}</span>")
        if changed:
            self.stateChanged.emit(state)

    # -- frames ---------------------------------------------------------------------------
    def _drain(self) -> None:
        if not self._pending:
            # Nothing came for a while after a backlog: the view is live again. The
            # frame timer runs only while there is something to do (no idle wake-ups).
            if self.state == "catching up" and time.monotonic() - self._lines_at > 0.5:
                self._old_since = None
                self._set_state("following")
            if self.state != "catching up":
                self._frame.stop()
            return
        t0 = time.perf_counter()
        sb = self.view.verticalScrollBar()
        follow = self.follow_btn.isChecked()
        if not follow and sb.maximum() > 0:
            # Scrolled up to read: the lines on screen must not vanish under the reader.
            # Once the cap would push out a row in view, new lines wait (at most the cap
            # of them, the newest) until the view follows again or is scrolled down;
            # meanwhile no frames are needed (scrolling and Follow look again).
            top = self.view.rowAt(0)
            if top >= 0 and self.model.rows_pushed_out(len(self._pending)) > top:
                if self.held != len(self._pending):
                    self.held = len(self._pending)
                    self._update_count()
                if self.state in ("following", "catching up"):
                    self._set_state("held")
                self._frame.stop()
                return
        self.held = 0
        if self.state == "held":
            self._set_state("following")
        self._lines_at = time.monotonic()
        lines, self._pending = self._pending, []
        old_longest = self.model.longest
        self._adjusting = True
        rows_before = self.model.rowCount()
        try:
            removed = self.model.append(lines)
            if self.model.longest != old_longest:
                self.view.relayout()
            if follow:
                self.view.scrollToBottom()
            elif removed > 0:
                sb.setValue(max(0, sb.value() - removed * self.view.delegate.row_h))
        finally:
            self._adjusting = False
        self._update_count()
        self._note_lag(lines[-1][TS])
        added = len(lines) if not self.model.filtering else self.model.rowCount() - rows_before + max(removed, 0)
        flood = added * self.view.delegate.row_h >= self.view.viewport().height()
        interval = FLOOD_FRAME_MS if flood else FRAME_MS
        if self._frame.interval() != interval:
            self._frame.setInterval(interval)
        self.max_frame_ms = max(self.max_frame_ms, (time.perf_counter() - t0) * 1000)

    def flush(self) -> None:
        """Hand the queued lines to the view now."""
        self._drain()

    def _note_lag(self, ts: str) -> None:
        """Say "catching up" while the lines shown are well behind the engine's clock
        (a backlog after a flood, or an old tail loading), "Live" once they are not."""
        if self.state not in ("following", "catching up", "held") or not ts:
            return
        try:
            behind = time.time() + self.reader.clock_offset - epoch(ts)
        except ValueError:  # not the engine's timestamp: nothing to tell
            return
        now = time.monotonic()
        if behind <= CATCHING_UP_S:
            self._old_since = None
        elif self._old_since is None:
            self._old_since = now
        # old lines for a while (a tail that fits in a frame or two is no backlog)
        old = self._old_since is not None and now - self._old_since >= 0.1
        state = "catching up" if old else "following"
        if state != self.state or state == "catching up":
            self._set_state(state, behind=behind)

    def _update_count(self) -> None:
        if time.monotonic() < self._flash_until:
            return
        store = self.model.store
        n = len(store)
        text = f"{n:,} lines"
        if self.model.matcher is not None:
            hits = self.model.hits
            text = f"{len(hits):,} of {n:,} lines match"
            cur = self.view.delegate.current_seq
            i = bisect.bisect_left(hits, cur) if cur is not None else len(hits)
            if i < len(hits) and hits[i] == cur:  # the match gone to stays counted
                self.search.count.setText(f"{i + 1:,} of {len(hits):,}")
            else:
                self.search.count.setText(f"{len(hits):,} matches")
        tips = []
        dropped = store.first_seq - self._cleared_at + self._skipped
        if dropped > 0:
            text += f" · {dropped:,} older not kept"
            tips.append(f"Only the newest {store.capacity:,} lines are kept; {dropped:,} older ones were let go. "
                        "Save keeps what is shown; docker logs has them all.")
        if self.held:
            text += f" · {self.held:,} new waiting"
            tips.append("You scrolled up: new lines wait so that the ones you read stay in place. "
                        "Follow (or scroll to the bottom) shows them.")
        self.count_label.setText(text)
        self.count_label.setToolTip("\n".join(tips))

    # -- follow -----------------------------------------------------------------------------
    def _on_scrolled(self, value: int) -> None:
        if self._adjusting:
            return
        sb = self.view.verticalScrollBar()
        at_bottom = value >= sb.maximum() - 2
        if at_bottom != self.follow_btn.isChecked():
            self.follow_btn.blockSignals(True)
            self.follow_btn.setChecked(at_bottom)
            self.follow_btn.blockSignals(False)
        self._wake()

    def _on_range(self, _lo: int, hi: int) -> None:
        if self.follow_btn.isChecked():
            self._adjusting = True
            try:
                self.view.verticalScrollBar().setValue(hi)
            finally:
                self._adjusting = False

    def _on_follow_toggled(self, on: bool) -> None:
        if on:
            self._adjusting = True
            try:
                self.view.scrollToBottom()
            finally:
                self._adjusting = False
        self._wake()

    def _wake(self) -> None:
        """Lines wait (held): the view moved, so the next frame looks again."""
        if self._pending and not self._frame.isActive() and not self._closed:
            self._frame.start()

    @property
    def following(self) -> bool:
        return self.follow_btn.isChecked()

    def set_timestamps(self, on: bool) -> None:
        if self.ts_btn.isChecked() != on:
            self.ts_btn.setChecked(on)
            return
        self.view.delegate.show_timestamps = on
        self.view.relayout()
        self.view.viewport().update()

    # -- search -----------------------------------------------------------------------------
    def show_search(self) -> None:
        self.search.show()
        self.search.field.setFocus()
        self.search.field.selectAll()

    def hide_search(self) -> None:
        self.search.hide()
        self.search.field.clear()
        self.search.flush()
        self.view.setFocus()

    def set_search(self, text: str, *, case: bool = False, regex: bool = False, only_matching: bool = False) -> None:
        """Search for ``text`` (what the search bar does; for tests and callers)."""
        self.search.show()
        for box, value in ((self.search.case, case), (self.search.regex, regex), (self.search.only, only_matching)):
            box.blockSignals(True)
            box.setChecked(value)
            box.blockSignals(False)
        self.search.field.setText(text)
        self.search.flush()
        self._apply_search()

    def _apply_search(self) -> None:
        self._drain()
        try:
            matcher = self.search.matcher()
        except re.error as exc:
            self.search.count.setText("invalid pattern")
            self.search.field.setToolTip(f"Not a valid regular expression: {exc}")
            self.search.field.setStyleSheet("QLineEdit { border: 1px solid #e0565b; }")
            return
        self.search.field.setToolTip("")
        self.search.field.setStyleSheet("")
        filtering = self.search.only.isChecked()
        if matcher == self.model.matcher and filtering == self.model.filtering:
            return
        current = self.view.delegate.current_seq
        self.model.set_search(matcher, filtering)
        if self.model.matcher is None:
            self.view.delegate.current_seq = None
            self.search.count.setText("")
        self._update_count()
        if current is not None and self.model.row_of_seq(current) is not None:
            self.view.scrollTo(self.model.index(self.model.row_of_seq(current)))
        elif self.follow_btn.isChecked():
            self.view.scrollToBottom()
        self.view.viewport().update()

    def find(self, backwards: bool = False) -> int | None:
        """Go to the next (or previous) matching line; returns its sequence number."""
        hits = self.model.hits
        if not hits:
            return None
        cur = self.view.delegate.current_seq
        if cur is None:
            idx = self.view.currentIndex()
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
        self.view.delegate.current_seq = seq
        row = self.model.row_of_seq(seq)
        if row is not None:
            self.follow_btn.setChecked(False)
            index = self.model.index(row)
            self._adjusting = True
            try:
                # The match alone is selected, whatever keys are held (setCurrentIndex
                # would extend the selection under Shift, as Shift+Enter holds it).
                self.view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
            finally:
                self._adjusting = False
        self.search.count.setText(f"{i + 1:,} of {len(hits):,}")
        self.view.viewport().update()
        return seq

    # -- save, copy, clear ----------------------------------------------------------------------
    def text(self) -> str:
        """The kept lines (with timestamps when they are shown)."""
        self._drain()
        return self.model.store.text(timestamps=self.ts_btn.isChecked())

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
        self._drain()
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
        self.count_label.setText(text)
        QTimer.singleShot(2600, self, self._update_count)

    def clear(self) -> None:
        """Empty the view; following goes on."""
        self._empty()
        self.view.delegate.current_seq = None
        self._update_count()
        self.follow_btn.setChecked(True)  # an empty view follows what comes next


def _separator(parent: QWidget) -> QWidget:
    line = QWidget(parent)
    line.setFixedSize(1, 18)
    line.setStyleSheet("background: palette(mid);")
    return line


# -- tabs -----------------------------------------------------------------------------------
class LogTabs(QTabWidget):
    """One log viewer per container, in closable tabs (Ctrl+W closes the current one)."""

    emptied = Signal()  # the last tab was closed

    def __init__(self, engine: Any, live: Any = None, parent: QWidget | None = None, *,
                 capacity: int = DEFAULT_CAPACITY) -> None:
        super().__init__(parent)
        self.setObjectName("logTabs")
        self.engine = engine
        self.live = live
        self.capacity = capacity
        self.setTabsClosable(True)
        self.setMovable(True)
        self.setDocumentMode(True)
        self.setUsesScrollButtons(True)
        self.tabCloseRequested.connect(self.close_tab)
        QShortcut(QKeySequence.StandardKey.Close, self, lambda: self.close_tab(self.currentIndex()),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def viewers(self) -> list[LogViewer]:
        return [w for w in (self.widget(i) for i in range(self.count())) if isinstance(w, LogViewer)]

    def viewer(self, ident: str) -> LogViewer | None:
        for v in self.viewers():
            if v.cid == ident or v.cid.startswith(ident):
                return v
        return None

    def open(self, container: Container) -> LogViewer:
        """Show the log of ``container``: its tab if open, a new tab otherwise."""
        v = self.viewer(container.id)
        if v is None:
            v = LogViewer(self.engine, container, self.live, self, capacity=self.capacity)
            i = self.addTab(v, container.name or container.short_id)
            self.setTabToolTip(i, f"{container.name}  ·  {container.image}  ·  {container.short_id}")
            v.stateChanged.connect(lambda state, viewer=v: self._mark(viewer, state))
        self.setCurrentWidget(v)
        v.view.setFocus()
        return v

    def _mark(self, viewer: LogViewer, state: str) -> None:
        i = self.indexOf(viewer)
        if i >= 0:
            name = viewer.container.name or viewer.container.short_id
            self.setTabText(i, name if state == "following" else f"{name} (stopped)" if state == "stopped" else name)

    def close_tab(self, index: int) -> None:
        w = self.widget(index)
        if w is None:
            return
        self.removeTab(index)
        if isinstance(w, LogViewer):
            w.shutdown()
            w.deleteLater()
        if not self.count():
            self.emptied.emit()

    def clear(self) -> None:
        """Close every tab (another engine was chosen)."""
        while self.count():
            self.close_tab(0)
