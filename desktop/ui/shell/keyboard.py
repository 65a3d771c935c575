"""The window without a mouse: the shortcuts the features leave to the window (one
table), every action's tooltip naming its keys, the command palette, the tab order, and
names a screen reader says for what shows only an icon."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QToolButton, QWidget

from desktop.ui.common import accessible
from desktop.ui.common.actions import Shortcut, make_action
from desktop.ui.shell.command_palette import CommandPalette, Entry, plain, window_actions
from desktop.ui.shell.equivalents import docker_equivalent

if TYPE_CHECKING:
    from desktop.ui.shell.docks import Docks
    from desktop.ui.shell.window import MainWindow

#: Shortcuts set here rather than where their action is made: the window's own views
#: and the actions a feature made without one. The frequent actions have theirs where
#: they are made (Run Ctrl+R, Pull Ctrl+Shift+P, Delete, F2, Ctrl+L, F5, Ctrl+F …).
SHORTCUTS: dict[str, Shortcut] = {
    "actionCommandPalette": "Ctrl+K",
    "actionShowContainers": "Ctrl+1",
    "actionShowImages": "Ctrl+2",
    "actionShowLogDock": "Ctrl+3",
    "actionShowFilesDock": "Ctrl+4",
    "actionRunImage": "Ctrl+Return",
    "actionTagImage": "Ctrl+T",
    "actionConnect": "Ctrl+Shift+E",
    "actionShortcuts": "Ctrl+/",
}


#: the focus of a tool bar button, in the palette's highlight (light and dark alike)
FOCUS_FRAME = "QToolButton:focus { border: 2px solid palette(highlight); border-radius: 3px; }"

TAB_BAR_FOCUS = "QTabBar:focus { border-bottom: 2px solid palette(highlight); }"


def keys_of(action: QAction) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def with_keys(action: QAction) -> None:
    """One scheme for every tooltip: "Stop the selected containers (Ctrl+Shift+X)"."""
    keys = keys_of(action)
    what = action.statusTip() or plain(action.text()).rstrip("…")
    if keys:
        action.setToolTip(QCoreApplication.translate("Keyboard", "{action} ({keys})").format(action=what, keys=keys))
    elif what:
        action.setToolTip(what)


class Keyboard(QObject):
    """Installed once on the main window, after its tool bar, menus and docks."""

    def __init__(self, window: MainWindow, docks: Docks) -> None:
        super().__init__(window)
        self.window = window
        self.palette = CommandPalette(window, self.entries)
        w = window
        self.action_palette = make_action(w, "actionCommandPalette", self.tr("&Command Palette…"),
                                          self.palette.open_palette,
                                          tip=self.tr("Find any action by its name and run it"))
        self.action_containers = make_action(w, "actionShowContainers", self.tr("&Containers"),
                                             lambda: w.tabs.setCurrentWidget(w.containers_table),
                                             tip=self.tr("Show the containers (docker ps -a)"))
        self.action_images = make_action(w, "actionShowImages", self.tr("&Images"),
                                         lambda: w.tabs.setCurrentWidget(w.images_table),
                                         tip=self.tr("Show the images (docker images)"))
        for a in (self.action_palette, self.action_containers, self.action_images):
            w.addAction(a)
        first = w.view_menu.actions()[0] if w.view_menu.actions() else None
        w.view_menu.insertActions(first, [self.action_palette, self.action_containers, self.action_images])  # type: ignore[arg-type]
        w.view_menu.insertSeparator(first)  # type: ignore[arg-type]
        self.docks = docks
        for dock, name, tip in ((docks.log_dock, "actionShowLogDock", self.tr("Show or hide the logs panel")),
                                (docks.files_dock, "actionShowFilesDock", self.tr("Show or hide the files panel"))):
            toggle = dock.toggleViewAction()
            toggle.setObjectName(name)
            toggle.setStatusTip(tip)
            w.addAction(toggle)
        self.apply_shortcuts()
        self._name_what_shows_an_icon()
        self._order_tabs()
        self._find_keys = window.action_find.shortcuts()
        QApplication.instance().focusChanged.connect(self._focus_moved)  # type: ignore[union-attr]
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]

    # -- shortcuts ---------------------------------------------------------------------
    def apply_shortcuts(self) -> None:
        for a in self.window.findChildren(QAction):
            keys = SHORTCUTS.get(a.objectName())
            if keys is not None:
                a.setShortcut(QKeySequence(keys))
                a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if a.shortcut().isEmpty() and not a.statusTip():
                continue
            with_keys(a)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A text field takes Ctrl+K for itself (delete to the end of the line); in this
        # window the key opens the palette wherever the focus is.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(watched, QWidget) \
                and watched.window() is self.window:
            assert isinstance(event, QKeyEvent)
            if QKeySequence(event.keyCombination()) == self.action_palette.shortcut():
                event.ignore()
                return True
        return False

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        """In a log, Ctrl+F searches the log (its own shortcut): the window's Filter
        gives the key up meanwhile, or Qt would call the key ambiguous and do nothing."""
        in_log = new is not None and self.docks.log_dock.isAncestorOf(new)
        find = self.window.action_find
        find.setShortcuts([] if in_log else self._find_keys)

    # -- the palette ---------------------------------------------------------------------
    def entries(self) -> list[Entry]:
        w = self.window
        w.engine_switcher.fill()  # the contexts, as File ▸ Engine lists them when it opens
        on_images = w.tabs.currentWidget() is w.images_table
        containers = [] if on_images else w.container_actions.selected()
        images = w.image_actions.selected() if on_images else []
        from desktop.ui.registry.logins import last_registry

        registry = last_registry()
        found = []
        for a, title in window_actions(w):
            if a is self.action_palette:
                continue
            name = a.objectName() or ("actionUseContext" if isinstance(a.data(), str) else "")
            found.append(Entry(a, title, keys_of(a),
                               docker_equivalent(name, containers=containers, images=images, on_images=on_images,
                                                 data=a.data(), registry=registry)))
        return found

    # -- focus and names -------------------------------------------------------------------
    def _name_what_shows_an_icon(self) -> None:
        w = self.window
        w.containers_table.setAccessibleName(self.tr("Containers"))
        w.images_table.setAccessibleName(self.tr("Images"))
        if not w.logins.accessibleName():  # it names itself once there is a login
            w.logins.setAccessibleName(self.tr("Registry logins"))
        w.logins.menu().setTitle(self.tr("Registry logins"))
        accessible.name_all(w)
        # the panels and dialogs made later, as they are shown
        self.icon_names = accessible.IconNames(self)
        QApplication.instance().installEventFilter(self.icon_names)  # type: ignore[union-attr]

    def _order_tabs(self) -> None:
        """Tab goes through the tool bar, the tabs, the filter, the table, the status bar."""
        w = self.window
        chain: list[QWidget] = []
        for a in w.toolbar.actions():
            b = w.toolbar.widgetForAction(a)
            if isinstance(b, QToolButton):  # the tool bar's own buttons take no focus by default
                b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
                chain.append(b)
            elif b is not None:
                chain += [t for t in b.findChildren(QToolButton)]
        chain += [w.tabs.tabBar(), w.filter_edit, w.containers_table, w.images_table, w.logins,
                  self.docks.log_dock, self.docks.files_dock]
        # Tab leaves a table (the arrow keys move in it), and reaches the tabs by their bar
        # alone: the tab widget passes its focus on to the bar, a second stop on the way.
        for table in (w.containers_table, w.images_table):
            table.setTabKeyNavigation(False)
        # (its focus proxy also sends Tab from the table back to the bar: Qt 6.11)
        w.tabs.setFocusProxy(None)  # type: ignore[arg-type]  # None: no proxy
        w.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # which the bar takes over: given back
        w.tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.TabFocus)
        # Fusion draws no focus on a flat tool button: a frame in the highlight colour
        w.toolbar.setStyleSheet(FOCUS_FRAME)
        w.tabs.tabBar().setStyleSheet(TAB_BAR_FOCUS)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)
