"""A line in an empty table that says why it is empty and what to do: nothing matches the
filter, or there is nothing yet (run a container, pull an image)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel

from desktop.ui.common.filtering import FilterProxy


class EmptyNote(QLabel):
    """Shown over ``view``'s viewport while ``proxy`` has no rows. ``nothing_yet()`` gives
    the text for an empty source (None: stay hidden, e.g. before the first list came);
    a filter that hides every row gets "No … matches “text”."."""

    def __init__(self, view: QAbstractItemView, proxy: FilterProxy, noun: str,
                 nothing_yet: Callable[[], str | None]) -> None:
        super().__init__(view.viewport())
        self.setObjectName(f"{view.objectName()}Empty")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.view, self.proxy, self.noun = view, proxy, noun
        self._nothing_yet = nothing_yet
        for signal in (proxy.rowsInserted, proxy.rowsRemoved, proxy.modelReset, proxy.layoutChanged):
            signal.connect(self.update_note)
        view.viewport().installEventFilter(self)
        self.update_note()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        vp = self.view.viewport()
        self.setGeometry(24, 0, max(0, vp.width() - 48), min(vp.height(), 120))

    def update_note(self, *args: object) -> None:
        text: str | None = None
        if self.proxy.rowCount() == 0:
            if self.proxy.sourceModel().rowCount() > 0 and self.proxy.filter_text():
                text = f"No {self.noun} matches “{self.proxy.filter_text()}”. Esc clears the filter."
            else:
                text = self._nothing_yet()
        self.setVisible(bool(text))
        if text:
            self.setText(text)
            self.setAccessibleName(text)
            self._place()
            self.raise_()
