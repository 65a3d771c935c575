"""The log's line view: one column of fixed-height rows, and the delegate that paints them.

The view paints only the rows on screen, and of a long line only the characters on
screen, so neither a fast container nor a 1 MB line can stall the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop.engine.logbuffer import MIN_CONTRAST, STDERR, Span, Style
from desktop.ui.common import palette
from desktop.ui.common.palette import TEXT_CONTRAST
from desktop.ui.logs.model import DISPLAY_LIMIT, LogModel


# -- painting -----------------------------------------------------------------------------
class LogDelegate(QStyledItemDelegate):
    """Paints a line: stream mark, optional timestamp, styled runs, search matches.

    Only the characters inside the visible part of the row are laid out, so the cost of
    a row does not depend on the length of its line.
    """

    GUTTER = 6
    PAD = 8

    def __init__(self, view: LogView) -> None:
        super().__init__(view)
        self.view = view
        self.show_timestamps = False
        self.current_seq: int | None = None
        self.colors = palette.log_colors()
        self.set_font(view.font())
        self._qcolors: dict[int, QColor] = {}
        self._readable: dict[tuple[int, int, float], QColor] = {}

    def set_font(self, font: QFont) -> None:
        self.font = QFont(font)
        self.bold = QFont(font)
        self.bold.setBold(True)
        fm = QFontMetricsF(self.font)
        self.char_w = fm.horizontalAdvance("M")
        self.ascent = fm.ascent()
        self.row_h = int(fm.height() + 3)

    def text_x(self) -> float:
        x: float = self.GUTTER + self.PAD
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
            c = self._qcolors[value] = palette.ansi(value)
        return c

    def pen_on(self, fg: QColor, bg: QColor, ratio: float = MIN_CONTRAST) -> QColor:
        """``fg``, made readable on ``bg`` if it is not (red text on a selected row).

        The pane's own text colours keep ``TEXT_CONTRAST``; a colour the program chose
        keeps the lesser ``MIN_CONTRAST``, so that it changes only where it must.
        """
        key = (fg.rgb(), bg.rgb(), ratio)
        c = self._readable.get(key)
        if c is None:
            c = self._readable[key] = palette.readable_on(fg, bg, ratio)
        return c

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        rect: QRect = option.rect
        self.paint_row(painter, index.row(), rect.x(), rect.y(), rect.height())

    def paint_row(self, painter: QPainter, row: int, x: int, y: int, h: int) -> None:
        """Paint ``row`` with its left edge at ``x`` and its top at ``y``.

        Called for every visible row on every frame while following: kept lean (few
        calls into Qt, no temporary objects where an overload takes plain numbers).
        """
        view = self.view
        model = view.log_model
        colors = self.colors
        seq = model.seq_at(row)
        line = model.line_at(row)
        if line is None:
            return
        viewport_w = view.viewport_width
        err = line.stream == STDERR
        current = seq == self.current_seq
        # Backgrounds: the row across the whole viewport, whatever the horizontal scroll.
        row_bg = colors.base
        if view.is_selected(row):
            painter.fillRect(0, y, viewport_w, h, row_bg := colors.selection)
        elif current:
            painter.fillRect(0, y, viewport_w, h, row_bg := colors.current)
        elif err:
            painter.fillRect(0, y, viewport_w, h, colors.stderr_bg)
            row_bg = colors.stderr_row
        painter.fillRect(x + 1, y, 3, h, colors.stderr_mark if err else colors.stdout_mark)
        if seq in model.resumed_at:  # where the log resumed: a rule across the top
            painter.fillRect(0, y, viewport_w, 1, colors.dim)

        baseline = int(y + (h - (self.row_h - 3)) / 2 + self.ascent)
        cw = self.char_w
        painter.setFont(self.font)
        if self.show_timestamps and line.ts:
            painter.setPen(self.pen_on(colors.dim, row_bg, TEXT_CONTRAST))
            painter.drawText(x + self.GUTTER + self.PAD, baseline, _short_ts(line.ts))

        text = line.text
        x0 = x + self.text_x()
        # The characters that fall inside the viewport (a margin either side).
        first = max(0, int((-x0) / cw) - 4) if x0 < 0 else 0
        last = min(len(text), first + int(viewport_w / cw) + 8, DISPLAY_LIMIT)
        if first >= last:
            if len(text) > DISPLAY_LIMIT and first >= DISPLAY_LIMIT:
                self._more(painter, x0 + DISPLAY_LIMIT * cw, baseline, len(text), row_bg)
            return
        # Search matches under the text.
        matcher = model.matcher
        matches: list[tuple[int, int]] = []
        match_bg = colors.match_current_bg if current else colors.match_bg
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
        default_pen = colors.stderr_text if err else colors.text
        if not line.spans and not matches:
            painter.setPen(default_pen)
            painter.drawText(int(x0 + first * cw), baseline, text[first:last])
        else:
            for s, e, style, on_match in _on_matches(_styled_pieces(line.spans, first, last), matches):
                self._run(painter, text[s:e], x0 + s * cw, baseline, style, default_pen,
                          match_bg if on_match else row_bg)
        if len(text) > DISPLAY_LIMIT and last >= DISPLAY_LIMIT:
            self._more(painter, x0 + DISPLAY_LIMIT * cw, baseline, len(text), row_bg)

    def _more(self, painter: QPainter, x: float, baseline: float, length: int, row_bg: QColor) -> None:
        painter.setPen(self.pen_on(self.colors.dim, row_bg, TEXT_CONTRAST))
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
            painter.setPen(self.pen_on(fg, row_bg, TEXT_CONTRAST))
            painter.drawText(int(x), int(baseline), piece)
            return
        bg = None
        ratio = TEXT_CONTRAST if style.fg is None and style.bg is None and not style.inverse else MIN_CONTRAST
        if style.fg is not None:
            fg = self.color(style.fg + 8 if style.bold and style.fg < 8 else style.fg)
        if style.bg is not None:
            bg = self.color(style.bg)
        if style.inverse:
            fg, bg = (bg or self.colors.base), fg
        fg = self.pen_on(fg, bg or row_bg, ratio)
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


def _styled_pieces(spans: tuple[Span, ...], first: int, last: int) -> Iterator[tuple[int, int, Style | None]]:
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
        self._recolour()
        palette.scheme().changed.connect(self._recolour)
        self.verticalScrollBar().setSingleStep(self.delegate.row_h * 3)
        self.horizontalScrollBar().setSingleStep(int(self.delegate.char_w * 4))
        self.viewport_width = self.viewport().width()
        #: The program is moving the view (a frame's lines come in, a jump to a match):
        #: scrolling meanwhile is not the user's, and does not let go of the bottom.
        self.adjusting = False
        self._selection = self.selectionModel()
        self._any_selected = False
        self._selection.selectionChanged.connect(self._selection_changed)
        model.modelReset.connect(self._selection_changed)
        self.relayout()

    def _recolour(self) -> None:
        """The pane's colours for the window's scheme (again when light and dark switch)."""
        colors = self.delegate.colors = palette.log_colors(QApplication.palette(self))
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Base, colors.base)
        pal.setColor(QPalette.ColorRole.Text, colors.text)
        pal.setColor(QPalette.ColorRole.Highlight, colors.selection)
        self.setPalette(pal)
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
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

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.viewport_width = self.viewport().width()
        self.relayout()

    def is_selected(self, row: int) -> bool:
        return self._selection.isRowSelected(row) if self._any_selected else False

    def _selection_changed(self) -> None:
        self._any_selected = self._selection.hasSelection()

    def scrollTo(self, index: QModelIndex | QPersistentModelIndex,
                 hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible) -> None:
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

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            text = self.selected_text()
            if text:
                QGuiApplication.clipboard().setText(text)
            event.accept()
            return
        super().keyPressEvent(event)
