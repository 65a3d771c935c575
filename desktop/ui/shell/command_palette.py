"""The command palette (Ctrl+K): every action of the window in a small popup with a
filter field — its place in the menus, its shortcut and the ``docker`` command it stands
for. Enter runs the chosen one on the current selection, Esc closes, the arrow keys move.

The list is read from the window's menus and actions each time it opens (never a list
kept by hand), so an action added to a menu is in the palette too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

ARROW = " ▸ "


def plain(text: str) -> str:
    """A menu text without its mnemonic: "Re&move…" → "Remove…", "&&" → "&"."""
    return re.sub(r"&(.)", r"\1", text)


@dataclass(frozen=True, slots=True)
class Entry:
    action: QAction
    title: str          # "Container ▸ Stop"
    keys: str           # "Ctrl+Shift+X", as the platform writes it
    docker: str | None  # "docker stop web"


def window_actions(window: QMainWindow) -> list[tuple[QAction, str]]:
    """Every action of ``window`` with its menu path, in menu order, then the window's
    actions that no menu has."""
    found: list[tuple[QAction, str]] = []
    seen: set[int] = set()

    def walk(menu: QMenu, path: str) -> None:
        for a in menu.actions():
            if a.isSeparator() or isinstance(a, QWidgetAction) or not a.text():
                continue
            sub = a.menu()
            if isinstance(sub, QMenu):
                walk(sub, path + plain(a.text()) + ARROW)
            elif id(a) not in seen:
                seen.add(id(a))
                found.append((a, path + plain(a.text())))
    for top in window.menuBar().actions():
        sub = top.menu()
        if isinstance(sub, QMenu):
            walk(sub, plain(top.text()) + ARROW)
    for a in window.actions():
        if id(a) not in seen and a.text() and not a.isSeparator() and a.menu() is None:
            seen.add(id(a))
            found.append((a, plain(a.text())))
    return found


class CommandPalette(QFrame):
    """A popup over ``window``. ``entries()`` gives what to list when it opens."""

    def __init__(self, window: QMainWindow, entries: Callable[[], list[Entry]]) -> None:
        super().__init__(window, Qt.WindowType.Popup)
        self.setObjectName("commandPalette")
        self.setAccessibleName(self.tr("Command palette"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._window = window
        self._entries = entries
        self._return_to: QWidget | None = None
        self.field = QLineEdit(self)
        self.field.setObjectName("paletteFilter")
        self.field.setAccessibleName(self.tr("Find an action"))
        self.field.setPlaceholderText(self.tr("Type to find an action, a shortcut or a docker command"))
        self.field.setClearButtonEnabled(True)
        self.list = QTreeWidget(self)
        self.list.setObjectName("paletteList")
        self.list.setAccessibleName(self.tr("Actions"))
        self.list.setColumnCount(3)
        self.list.setHeaderLabels([self.tr("Action"), self.tr("Shortcut"), self.tr("docker equivalent")])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAllColumnsShowFocus(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the field; arrows move the list
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.itemActivated.connect(lambda item, _col: self.run(item))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.field)
        lay.addWidget(self.list)
        self.field.textChanged.connect(self.filter)
        self.field.installEventFilter(self)

    # -- opening --------------------------------------------------------------------
    def open_palette(self) -> None:
        self._return_to = self._window.focusWidget()
        self.list.clear()
        for e in self._entries():
            item = QTreeWidgetItem([e.title, e.keys, e.docker or ""])
            item.setData(0, Qt.ItemDataRole.UserRole, e.action)
            tip = e.action.statusTip() or e.title
            if not e.action.isEnabled():
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                tip = self.tr("{action} (not available for the current selection)").format(action=tip)
            item.setToolTip(0, tip)
            self.list.addTopLevelItem(item)
        w = self._window
        width = min(max(560, w.width() // 2), w.width())
        self.resize(width, min(420, max(240, w.height() * 2 // 3)))
        for col, share in ((0, 0.42), (1, 0.2)):
            self.list.setColumnWidth(col, int(width * share))
        top = w.mapToGlobal(w.rect().topLeft())
        self.move(top.x() + (w.width() - width) // 2, top.y() + max(0, w.menuBar().height()))
        self.field.clear()
        self.filter("")
        self.show()
        self.raise_()
        self.activateWindow()
        self.field.setFocus(Qt.FocusReason.PopupFocusReason)

    def items(self) -> list[QTreeWidgetItem]:
        return [i for i in map(self.list.topLevelItem, range(self.list.topLevelItemCount())) if i is not None]

    def shown(self) -> list[QTreeWidgetItem]:
        return [i for i in self.items() if not i.isHidden()]

    def filter(self, text: str) -> None:
        """Keep the entries that contain every word typed (in title, keys or command)."""
        words = text.lower().split()
        for item in self.items():
            hay = " ".join(item.text(c) for c in range(3)).lower()
            item.setHidden(not all(w in hay for w in words))
        current = self.list.currentItem()
        if current is None or current.isHidden() or not self._usable(current):
            self._set_current(next((i for i in self.shown() if self._usable(i)), None))

    # -- moving and choosing ------------------------------------------------------------
    @staticmethod
    def _usable(item: QTreeWidgetItem) -> bool:
        return bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)

    def _set_current(self, item: QTreeWidgetItem | None) -> None:
        self.list.setCurrentItem(item)  # type: ignore[arg-type]  # None clears it
        if item is not None:
            self.list.scrollToItem(item)

    def move_by(self, step: int) -> None:
        """The next (``step`` > 0) or previous entry that can run, ``abs(step)`` of them on."""
        usable = [i for i in self.shown() if self._usable(i)]
        if not usable:
            return
        current = self.list.currentItem()
        at = usable.index(current) if current in usable else (-1 if step > 0 else len(usable))
        self._set_current(usable[max(0, min(len(usable) - 1, at + step))])

    def run(self, item: QTreeWidgetItem | None = None) -> QAction | None:
        """Close, give the focus back where it was, and trigger the chosen action."""
        item = item if item is not None else self.list.currentItem()
        if item is None or item.isHidden() or not self._usable(item):
            return None
        action: QAction = item.data(0, Qt.ItemDataRole.UserRole)
        self.close()
        if action.isEnabled():
            action.trigger()
            return action
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            page = max(1, self.list.viewport().height() // max(1, self.list.sizeHintForRow(0)) - 1)
            steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: page, Qt.Key.Key_PageUp: -page}
            if event.key() in steps:
                self.move_by(steps[Qt.Key(event.key())])
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.run()
                return True
            if event.matches(QKeySequence.StandardKey.Cancel):
                self.close()
                return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().closeEvent(event)
        back = self._return_to
        self._return_to = None
        if back is not None and back.isVisible():
            back.setFocus(Qt.FocusReason.PopupFocusReason)
