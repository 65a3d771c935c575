"""Berth's main window. It arranges: the containers and images tables, the tool bar and
menus of the feature's actions, the status bar and the docks. What the actions do lives
with each feature (``containers/actions.py``, ``images/actions.py``), the engine and its
switching in :class:`~desktop.ui.shell.connection.Connection`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.engine.client import Engine
from desktop.engine.errors import EngineError
from desktop.engine.records import Container, EngineInfo
from desktop.ui.common import errors
from desktop.ui.common.actions import button_group, fill_menu, make_action, make_table
from desktop.ui.common.clock import TableClock
from desktop.ui.common.empty import EmptyNote
from desktop.ui.common.filtering import FilterEdit, FilterProxy
from desktop.ui.common.live import LiveEngine
from desktop.ui.containers.actions import ContainerActions
from desktop.ui.containers.model import Column as CColumn
from desktop.ui.containers.model import ContainersModel
from desktop.ui.images.actions import ImageActions
from desktop.ui.images.model import ImagesModel
from desktop.ui.registry.logins import LoginsButton, confirm_quit_with_memory_logins
from desktop.ui.shell.connection import Connection
from desktop.ui.shell.dialogs import Dialogs
from desktop.ui.shell.docks import Docks
from desktop.ui.shell.engine_menu import EngineMenu
from desktop.ui.shell.keyboard import Keyboard
from desktop.ui.shell.status import build_status_bar

CONTAINER_WIDTHS = {CColumn.ID: 110, CColumn.IMAGE: 170, CColumn.COMMAND: 160, CColumn.CREATED: 150,
                    CColumn.STATUS: 230, CColumn.PORTS: 170}
IMAGE_WIDTHS = (260, 120, 120, 130, 90)


class MainWindow(QMainWindow):
    """``engineChanged`` fires after connecting to another engine."""

    engineChanged = Signal(object)
    loaded = Signal()  # the first container list is in the table

    def __init__(self, engine: Engine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Berth")
        self.setMinimumSize(640, 400)  # the tables, the tool bar and the filter stay usable
        self.connection = Connection(engine, self)
        self._loaded_once = False
        self._pending_select: str | None = None

        self.containers_model = ContainersModel(self)
        self.images_model = ImagesModel(self)
        self.containers_proxy = FilterProxy(self)
        self.containers_proxy.setSourceModel(self.containers_model)
        self.images_proxy = FilterProxy(self)
        self.images_proxy.setSourceModel(self.images_model)
        self._build_tables()
        self.engine_status, self.count_label = build_status_bar(self.statusBar())
        engine_of = lambda: self.connection.engine  # noqa: E731 - the engine at the time of the call
        self.container_actions = ContainerActions(
            self.containers_table, engine_of, self.statusBar(),
            # the store of the engine shown at the time (another engine, another store)
            name_in_use=lambda name: self.connection.store.containers.name_in_use(name))  # noqa: PLW0108
        self.image_actions = ImageActions(
            self.images_table, self.images_model, self.images_proxy, engine_of, self.statusBar(),
            users=lambda image_id: [c for c in self.connection.store.containers if c.image_id == image_id])
        self.containers_model.rename_handler = self.container_actions.rename_to
        self.dialogs = Dialogs(self, self.connection, self.images_model, created=self.select_container,
                               pulled=self._pulled)
        self.logins = LoginsButton(engine_of, self.statusBar())
        self.statusBar().insertPermanentWidget(0, self.logins)
        self.logins.loginRequested.connect(self.dialogs.open_login)
        self.dialogs.loginsChanged.connect(self.logins.refresh)
        self._quit_confirmed = False
        self._build_window_actions()
        self._build_toolbar()
        self._build_menus()
        self.docks = Docks(self, self.connection, self.view_menu)
        self.container_actions.logsRequested.connect(self.docks.open_logs)
        self.container_actions.filesRequested.connect(self.docks.open_files)
        self.image_actions.runRequested.connect(self.dialogs.open_run)
        # Drop files from the file manager on a container row to copy them in.
        from desktop.ui.files.copy import ContainerDropTarget, choose_and_copy

        self.drop_target = ContainerDropTarget(self.containers_table, engine, self._container_at)
        self.drop_target.dialogOpened.connect(self.docks.follow_copy)
        self.container_actions.copyIntoRequested.connect(
            lambda c, folder: choose_and_copy(self.drop_target, c, folder=folder))
        self._follow_connection()
        errors.get_route().attach(self)

        self._actions_timer = QTimer(self)
        self._actions_timer.setSingleShot(True)
        self._actions_timer.setInterval(0)
        self._actions_timer.timeout.connect(self._update_actions)
        self._actions_timer.timeout.connect(self._update_counts)

        # CREATED and STATUS change on screen when their text does
        self.containers_clock = TableClock(self.containers_model, [self.containers_table], self)
        self.images_clock = TableClock(self.images_model, [self.images_table], self)

        self.keyboard = Keyboard(self, self.docks)  # shortcuts, tab order, the command palette
        self._restore_settings()
        self._update_actions()
        self._update_counts()

    # ------------------------------------------------------------------ what the window shows
    @property
    def engine(self) -> Engine:
        return self.connection.engine

    @property
    def live(self) -> LiveEngine | None:
        return self.connection.live

    def _build_tables(self) -> None:
        self.containers_table = make_table(self, "containersTable", self.containers_proxy)
        self.images_table = make_table(self, "imagesTable", self.images_proxy)
        for col, w in CONTAINER_WIDTHS.items():
            self.containers_table.setColumnWidth(col, w)
        for image_col, w in enumerate(IMAGE_WIDTHS):
            self.images_table.setColumnWidth(image_col, w)
        self.containers_table.sortByColumn(CColumn.CREATED, Qt.SortOrder.DescendingOrder)
        self.images_table.sortByColumn(3, Qt.SortOrder.DescendingOrder)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("resourceTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.containers_table, "Containers")
        self.tabs.addTab(self.images_table, "Images")
        self.tabs.currentChanged.connect(self._tab_changed)

        # the filter sits in the tab bar's corner, where a narrow window cannot push it
        # into the tool bar's overflow menu
        self.filter_edit = FilterEdit(self)
        self.filter_edit.textChanged.connect(self._filter_changed)
        corner = QWidget(self)
        corner_lay = QHBoxLayout(corner)
        corner_lay.setContentsMargins(4, 2, 4, 2)
        corner_lay.addWidget(self.filter_edit)
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self.empty_notes = (
            EmptyNote(self.containers_table, self.containers_proxy, "container", lambda: self._nothing_yet(
                "No containers yet. Run one with Run… (Ctrl+R): pick an image, give it a name, and OK.")),
            EmptyNote(self.images_table, self.images_proxy, "image", lambda: self._nothing_yet(
                "No images yet. Pull one with Pull… (Ctrl+Shift+P), as httpd:latest.")),
        )

        central = QWidget(self)
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        self.setCentralWidget(central)

        for view in (self.containers_table, self.images_table):
            view.selectionModel().selectionChanged.connect(self._update_actions)
        for m in (self.containers_model, self.images_model):
            m.rowsInserted.connect(self._update_counts)
            m.rowsRemoved.connect(self._update_counts)
            m.modelReset.connect(self._update_counts)
            m.dataChanged.connect(self._update_actions_soon)  # a state changed under the selection

    def _build_window_actions(self) -> None:
        def act(name: str, text: str, slot: Callable[[], object], **kw: Any) -> QAction:
            a = make_action(self, name, text, slot, **kw)
            self.addAction(a)
            return a
        self.action_run = act("actionRun", "&Run…", self.dialogs.open_run, shortcut="Ctrl+R", icon="run",
                              tip="Run a new container")
        self.action_pull = act("actionPull", "&Pull…", self.dialogs.open_pull, shortcut="Ctrl+Shift+P",
                               icon="pull", tip="Pull an image from a registry")
        self.action_login = act("actionLogin", "&Log In…", self.dialogs.open_login, shortcut="Ctrl+Shift+L",
                                icon="login", tip="Log in to a registry")
        self.action_refresh = act("actionRefresh", "Re&fresh", self.refresh, shortcut=QKeySequence.StandardKey.Refresh,
                                  icon="refresh", tip="List everything again")
        self.action_find = act("actionFind", "&Filter", self._focus_filter, shortcut=QKeySequence.StandardKey.Find,
                               tip="Filter the list")
        self.action_quit = act("actionQuit", "&Quit", self.close, shortcut=QKeySequence.StandardKey.Quit)
        self.action_getting_started = act("actionGettingStarted", "&Getting Started", self.getting_started,
                                          shortcut=QKeySequence.StandardKey.HelpContents,
                                          tip="The first steps: log in, pull, run, rename, remove, copy")
        self.action_shortcuts = act("actionShortcuts", "&Keyboard Shortcuts", self.shortcuts,
                                    tip="Every shortcut of the window")
        self.action_about = act("actionAbout", "&About Berth", self.about)

    def _build_toolbar(self) -> None:
        tb = QToolBar("Main", self)
        tb.setObjectName("mainToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.action_run, self.action_pull, self.action_login):
            tb.addAction(a)
        tb.addSeparator()
        # each tab's own actions: the containers' on the containers tab, the images' on theirs
        ca, ia = self.container_actions, self.image_actions
        self._tab_bars = [
            tb.addWidget(button_group(tb, "containerButtons",
                                      [ca.start, ca.stop, ca.restart, ca.pause, ca.unpause, ca.kill, ca.remove,
                                       ca.logs], icon_only=[ca.pause, ca.unpause, ca.kill, ca.restart])),
            tb.addWidget(button_group(tb, "imageButtons", [ia.run, ia.tag, ia.remove])),
        ]
        spacer = QWidget(tb)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tb.addWidget(spacer)
        tb.addAction(self.action_refresh)
        self.addToolBar(tb)
        self.toolbar = tb

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        self.engine_menu = m.addMenu("&Engine")
        self.engine_switcher = EngineMenu(self.engine_menu, self.connection, self)
        fill_menu(m, [self.action_login, None, self.action_quit])
        ca, ia = self.container_actions, self.image_actions
        fill_menu(mb.addMenu("&Container"),
                  [self.action_run, None, ca.start, ca.stop, ca.restart, ca.pause, ca.unpause, ca.kill, None,
                   ca.rename, ca.remove, None, ca.logs, ca.files, ca.copy_into_menu.menuAction(), ca.copy_id])
        fill_menu(mb.addMenu("&Image"), [self.action_pull, ia.run, ia.tag, ia.copy_id, ia.remove])
        self.view_menu = fill_menu(mb.addMenu("&View"), [self.action_find, self.action_refresh, None])
        fill_menu(mb.addMenu("&Help"), [self.action_getting_started, self.action_shortcuts, None, self.action_about])

    def _container_at(self, pos) -> Container | None:  # type: ignore[no-untyped-def]
        from desktop.ui.common.table_model import Role

        index = self.containers_table.indexAt(pos)
        return index.data(Role.Record) if index.isValid() else None

    # ------------------------------------------------------------------ the engine
    def _follow_connection(self) -> None:
        c = self.connection
        c.connected.connect(self._on_connected)
        c.disconnected.connect(self._on_disconnected)
        c.containersListed.connect(self._on_containers_listed)
        c.containerChanged.connect(self._on_container_changed)
        c.imagesListed.connect(self.images_model.sync_images)
        c.switching.connect(self._on_switching)
        c.switched.connect(self._on_switched)

    def start(self) -> None:
        """Connect and follow the engine (the first list, then events)."""
        self.engine_status.connecting(self.connection.label)
        self.connection.start()

    def connect_to(self, *, host: str | None = None, context: str | None = None) -> None:
        self.connection.connect_to(host=host, context=context)

    def switch_engine(self, engine: Engine) -> None:
        """Follow another engine: the tables start over."""
        self.connection.switch(engine)

    def _on_switching(self) -> None:
        self._loaded_once = False
        self.containers_model.reset([])
        self.images_model.reset([])

    def _on_switched(self, engine: Engine) -> None:
        self.drop_target.engine = engine
        self.engine_status.connecting(self.connection.label)
        self.engineChanged.emit(engine)

    def refresh(self) -> None:
        self.connection.refresh()

    async def shutdown(self) -> None:
        await self.connection.shutdown()

    def _on_connected(self, info: EngineInfo) -> None:
        self.engine_status.connected(self.connection.label, info)
        self.statusBar().showMessage("Connected to the engine", 3000)

    def _on_disconnected(self, error: EngineError, retry_in: float) -> None:
        self.engine_status.disconnected(self.connection.label, error, retry_in)
        self._update_actions()

    def _on_containers_listed(self, containers: list[Container]) -> None:
        self.containers_model.sync(containers)
        if not self._loaded_once:
            self._loaded_once = True
            for note in self.empty_notes:
                note.update_note()
            self.logins.refresh()
            self.loaded.emit()
        self._select_pending()

    def _on_container_changed(self, ident: str, container: Container | None) -> None:
        if container is None:
            self.containers_model.remove(ident)
        else:
            self.containers_model.upsert(container)
        self._select_pending()
        self._update_actions()

    def _update_actions_soon(self, *args: object) -> None:
        """Update the actions once the current burst of changes is through."""
        self._actions_timer.start()

    # ------------------------------------------------------------------ selection
    def selected_containers(self) -> list[Container]:
        return self.container_actions.selected()

    def select_container(self, ident: str) -> bool:
        """Select (and show) the container with this id; later if it's not listed yet."""
        src = self.containers_model.index_of(ident)
        if not src.isValid():
            self._pending_select = ident
            return False
        self._pending_select = None
        self.tabs.setCurrentWidget(self.containers_table)
        idx = self.containers_proxy.mapFromSource(src)
        if not idx.isValid():  # filtered out: clear the filter so the user sees it
            self.filter_edit.clear()
            idx = self.containers_proxy.mapFromSource(src)
        sel = self.containers_table.selectionModel()
        sel.select(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        sel.setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.NoUpdate)
        self.containers_table.scrollTo(idx)
        return True

    def _select_pending(self) -> None:
        if self._pending_select:
            self.select_container(self._pending_select)

    def _pulled(self, reference: str) -> None:
        self.statusBar().showMessage(f"Pulled {reference}", 8000)
        self.tabs.setCurrentWidget(self.images_table)
        self.image_actions.select_when_listed(reference)

    def _update_actions(self, *args: object) -> None:
        on_containers = self.tabs.currentWidget() is self.containers_table
        self.container_actions.update(on_containers)
        self.image_actions.update(not on_containers)
        for bar, shown in zip(self._tab_bars, (on_containers, not on_containers), strict=True):
            bar.setVisible(shown)

    def _update_counts(self, *args: object) -> None:
        cs = self.containers_model.records()
        running = sum(1 for c in cs if c.running)
        self.tabs.setTabText(0, f"Containers ({running} running, {len(cs)} in all)" if cs else "Containers")
        n_img = self.images_model.rowCount()
        self.tabs.setTabText(1, f"Images ({n_img})" if n_img else "Images")
        proxy = self._current_proxy()
        shown, total = proxy.rowCount(), proxy.sourceModel().rowCount()
        self.count_label.setText(f"showing {shown} of {total}" if proxy.filter_text() else "")

    def _current_proxy(self) -> FilterProxy:
        return self.containers_proxy if self.tabs.currentIndex() == 0 else self.images_proxy

    def _tab_changed(self, _index: int) -> None:
        self.filter_edit.blockSignals(True)
        self.filter_edit.setText(self._current_proxy().filter_text())
        self.filter_edit.blockSignals(False)
        self._update_actions()
        self._update_counts()

    def _focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _nothing_yet(self, text: str) -> str | None:
        """What an empty table says once the engine's list came (nothing before it)."""
        return text if self._loaded_once else None

    def _filter_changed(self, text: str) -> None:
        self._current_proxy().set_filter_text(text)
        for note in self.empty_notes:  # "No container matches …" names the whole text typed
            note.update_note()
        self._update_counts()

    def getting_started(self) -> None:
        from desktop.ui.shell.help import show_getting_started

        self.help_dialog = show_getting_started(self)

    def shortcuts(self) -> None:
        from desktop.ui.shell.help import show_shortcuts

        self.help_dialog = show_shortcuts(self)

    def about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, "About Berth",
                          f"<h3>Berth {__version__}</h3><p>A desktop app for Docker: containers, images, "
                          "logs and drag-and-drop deployment.</p>", QMessageBox.StandardButton.Ok, self)
        box.setObjectName("aboutBox")
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # ------------------------------------------------------------------ settings
    def _restore_settings(self) -> None:
        s = QSettings()
        geo = s.value("window/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1180, 680)
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.docks.hide_all()  # the docks' places are kept, not their contents: they open with a container
        for key, view in (("containers", self.containers_table), ("images", self.images_table)):
            hs = s.value(f"tables/{key}/header")
            if hs is not None:
                view.horizontalHeader().restoreState(hs)

    def save_settings(self) -> None:
        s = QSettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("tables/containers/header", self.containers_table.horizontalHeader().saveState())
        s.setValue("tables/images/header", self.images_table.horizontalHeader().saveState())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._quit_confirmed and confirm_quit_with_memory_logins(self, self.engine, self._quit_anyway):
            event.ignore()  # asked first: logins kept only in memory would be lost
            return
        self.save_settings()
        super().closeEvent(event)

    def _quit_anyway(self) -> None:
        self._quit_confirmed = True
        self.close()
