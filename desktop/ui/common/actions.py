"""Building blocks for the window's actions, tables and tool bars, shared by every feature."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QStatusBar,
    QTableView,
    QToolButton,
    QWidget,
)

from desktop import resources
from desktop.ui.common.anchoring import PointerAnchor

Shortcut = str | QKeySequence | QKeySequence.StandardKey


def icon_for(name: str) -> QIcon:
    """An icon from resources/icons (SVG)."""
    return QIcon(str(resources.path(f"icons/{name}.svg")))


def plural(n: int, noun: str) -> str:
    """ "1 container", "3 containers" (the nouns Berth uses take an s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def make_action(owner: QObject, name: str, text: str, slot: Callable[[], object], *,
                shortcut: Shortcut | None = None, icon: str | None = None, tip: str = "") -> QAction:
    """A window-wide action with its object name, shortcut (named in its tooltip), icon and
    status tip; triggering it calls ``slot()``."""
    a = QAction(text, owner)
    a.setObjectName(name)
    if shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if icon is not None:
        a.setIcon(icon_for(icon))
    if tip:
        a.setToolTip(f"{tip} ({a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                     if shortcut is not None else tip)
        a.setStatusTip(tip)
    a.triggered.connect(lambda _checked=False: slot())
    return a


def fill_menu(menu: QMenu, actions: Sequence[QAction | None]) -> QMenu:
    """Add ``actions`` to ``menu``; ``None`` is a separator."""
    for a in actions:
        if a is None:
            menu.addSeparator()
        else:
            menu.addAction(a)
    return menu


def copy_into_menu(parent: QWidget, act: Callable[[bool], object]) -> QMenu:
    """"Copy Into ▸ Files… / A Folder…"; choosing calls ``act(folder)``."""
    menu = QMenu("Copy &Into", parent)
    menu.setObjectName("copyIntoMenu")
    files = menu.addAction("&Files…", lambda: act(False))
    files.setObjectName("actionCopyFilesInto")
    folder = menu.addAction("A F&older…", lambda: act(True))
    folder.setObjectName("actionCopyFolderInto")
    return menu


def button_group(parent: QWidget, name: str, actions: Sequence[QAction],
                 icon_only: Sequence[QAction] = ()) -> QWidget:
    """Tool buttons for ``actions`` in one widget, for a part of a tool bar that is shown
    only with one tab (its visibility is its own, not the actions', which menus share)."""
    box = QWidget(parent)
    box.setObjectName(name)
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(0)
    for a in actions:
        b = QToolButton(box)
        b.setObjectName(f"{a.objectName()}Button")
        b.setDefaultAction(a)
        b.setAutoRaise(True)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly if a in icon_only
                             else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        lay.addWidget(b)
    return box


def open_in_browser(address: str, status: QStatusBar | None = None) -> QUrl:
    """Open ``address`` in the user's browser; where none starts, copy it and say so."""
    url = QUrl(address)
    if QDesktopServices.openUrl(url):
        if status is not None:
            status.showMessage(f"Opening {url.toString()}", 3000)
    else:
        from desktop.ui.common import errors

        QGuiApplication.clipboard().setText(url.toString())
        errors.report(f"No web browser could be started to open {url.toString()}. "
                      "The address was copied to the clipboard.", context="Opening the page", serious=True)
    return url


def make_table(parent: QWidget, name: str, proxy: QSortFilterProxyModel) -> QTableView:
    """A resource table as every list in Berth has it: rows selected whole, sortable,
    movable columns, the row under the pointer kept in place while rows come above it."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setAccessibleName(name)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    header.setSectionsMovable(True)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.pointer_anchor = PointerAnchor(view)  # type: ignore[attr-defined]  # kept with the view
    return view
