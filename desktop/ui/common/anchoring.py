"""Rows that stay put under the pointer while a list changes."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QEvent, QObject, QPersistentModelIndex, QPoint
from PySide6.QtGui import QSinglePointEvent
from PySide6.QtWidgets import QAbstractItemView, QTableView


class PointerAnchor(QObject):
    """Keeps the row under the pointer where it is while rows come and go above it.

    A list that changes while the user points at it (containers created in a burst,
    newest first) moves the row about to be clicked. While the pointer is over the
    view, the view scrolls by as many rows as were added or removed above that row, so
    it stays under the pointer; the new rows are a scroll away. With the pointer
    elsewhere the view behaves as before (at the top, new rows show at once). A list
    that fits in the view has nowhere to scroll: its rows still move.
    """

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self._pointer: QPoint | None = None
        self._anchor: QPersistentModelIndex | None = None
        self._anchor_y = 0
        view.viewport().setMouseTracking(True)
        view.viewport().installEventFilter(self)
        model = view.model()
        for about in (model.rowsAboutToBeInserted, model.rowsAboutToBeRemoved, model.rowsAboutToBeMoved,
                      model.layoutAboutToBeChanged):
            about.connect(self._remember)
        for done in (model.rowsInserted, model.rowsRemoved, model.rowsMoved, model.layoutChanged):
            done.connect(self._restore)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.MouseMove, QEvent.Type.Enter):
            self._pointer = cast(QSinglePointEvent, event).position().toPoint()  # QMouseEvent, QEnterEvent
        elif kind == QEvent.Type.Leave:
            self._pointer = None
        return False

    def _remember(self, *_args: object) -> None:
        if self._pointer is None or self._anchor is not None:
            return
        view = self.view
        row = view.rowAt(self._pointer.y())
        if row < 0:
            return
        self._anchor = QPersistentModelIndex(view.model().index(row, 0))
        self._anchor_y = view.rowViewportPosition(row)

    def _restore(self, *_args: object) -> None:
        anchor, self._anchor = self._anchor, None
        if anchor is None or not anchor.isValid():
            return
        view = self.view
        moved = view.rowViewportPosition(anchor.row()) - self._anchor_y
        if not moved:
            return
        view.updateGeometries()  # the scroll range must include the rows just added
        bar = view.verticalScrollBar()
        if view.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerItem:
            step = view.rowHeight(anchor.row()) or 1
            bar.setValue(bar.value() + round(moved / step))
        else:
            bar.setValue(bar.value() + moved)
