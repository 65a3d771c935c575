"""Berth's main window: live containers and images tables, actions, engine status."""

from __future__ import annotations

import asyncio
from typing import Callable, Iterable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QDockWidget, QHeaderView, QInputDialog, QLabel, QLineEdit,
    QMainWindow, QMenu, QMessageBox, QSizePolicy, QStyle, QTableView, QTabWidget, QToolBar,
    QVBoxLayout, QWidget,
)

from desktop import __version__, log, resources
from desktop.engine.client import Engine, list_contexts
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.formatting import NONE, ImageRow
from desktop.engine.parsing import validate_container_name
from desktop.engine.records import Container, EngineInfo
from desktop.ui.common import errors, tasks
from desktop.ui.common.anchoring import PointerAnchor
from desktop.ui.common.clock import TableClock
from desktop.ui.common.filtering import FilterProxy
from desktop.ui.common.live import LiveEngine
from desktop.ui.common.table_model import Role
from desktop.ui.containers.model import Column as CColumn
from desktop.ui.containers.model import ContainersModel
from desktop.ui.images.model import ImagesModel


def browser_host(engine_host: str, ip: str) -> str:
    """The host name to open a published port on."""
    if engine_host.startswith(("tcp://", "ssh://", "http://", "https://")):
        rest = engine_host.split("://", 1)[1]
        host = rest.split("@")[-1].split("/")[0]
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if ip in ("", "0.0.0.0", "::"):
            return host
    if ip in ("", "0.0.0.0", "::", "127.0.0.1"):
        return "localhost" if ip != "127.0.0.1" else "127.0.0.1"
    return f"[{ip}]" if ":" in ip else ip


def plural(n: int, noun: str) -> str:
    """ "1 container", "3 containers" (the nouns Berth uses take an s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def icon_for(name: str) -> QIcon:
    """An icon from resources/icons (SVG)."""
    return QIcon(str(resources.path(f"icons/{name}.svg")))


class MainWindow(QMainWindow):
    """``engineChanged`` fires after connecting to another engine."""

    engineChanged = Signal(object)
    loaded = Signal()  # the first container list is in the table

    def __init__(self, engine: Engine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Berth")
        self.engine = engine
        self.live: LiveEngine | None = None
        self._loaded_once = False
        self._pending_select: str | None = None
        self._events_seen = 0

        self.containers_model = ContainersModel(self)
        self.containers_model.rename_handler = self._rename_from_model
        self.images_model = ImagesModel(self)
        self.containers_proxy = FilterProxy(self)
        self.containers_proxy.setSourceModel(self.containers_model)
        self.images_proxy = FilterProxy(self)
        self.images_proxy.setSourceModel(self.images_model)

        self._anchors: list[PointerAnchor] = []
        self._build_tables()
        self._build_actions()
        self._build_toolbar_and_menus()
        self._build_status_bar()
        self._build_docks()
        errors.get_route().attach(self)

        self._actions_timer = QTimer(self)
        self._actions_timer.setSingleShot(True)
        self._actions_timer.setInterval(0)
        self._actions_timer.timeout.connect(self._update_actions)
        self._actions_timer.timeout.connect(self._update_counts)

        # CREATED and STATUS change on screen when their text does
        self.containers_clock = TableClock(self.containers_model, [self.containers_table], self)
        self.images_clock = TableClock(self.images_model, [self.images_table], self)

        self._restore_settings()
        self._update_actions()
        self._update_counts()

    # ------------------------------------------------------------------ layout
    def _make_table(self, name: str, proxy: FilterProxy) -> QTableView:
        view = QTableView(self)
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
        self._anchors.append(PointerAnchor(view))  # the row pointed at stays put
        return view

    def _build_tables(self) -> None:
        self.containers_table = self._make_table("containersTable", self.containers_proxy)
        self.images_table = self._make_table("imagesTable", self.images_proxy)
        widths = {CColumn.ID: 110, CColumn.IMAGE: 170, CColumn.COMMAND: 160, CColumn.CREATED: 150,
                  CColumn.STATUS: 230, CColumn.PORTS: 170}
        for col, w in widths.items():
            self.containers_table.setColumnWidth(col, w)
        for col, w in enumerate((260, 120, 120, 130, 90)):
            self.images_table.setColumnWidth(col, w)
        self.containers_table.sortByColumn(CColumn.CREATED, Qt.SortOrder.DescendingOrder)
        self.images_table.sortByColumn(3, Qt.SortOrder.DescendingOrder)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("resourceTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.containers_table, "Containers")
        self.tabs.addTab(self.images_table, "Images")
        self.tabs.currentChanged.connect(self._tab_changed)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("filterEdit")
        self.filter_edit.setAccessibleName("Filter")
        self.filter_edit.setPlaceholderText("Filter  (name, image, id — or status:running, port:8080)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMaximumWidth(380)
        self.filter_edit.textChanged.connect(self._filter_changed)

        central = QWidget(self)
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        self.setCentralWidget(central)

        cs = self.containers_table.selectionModel()
        cs.selectionChanged.connect(self._update_actions)
        self.images_table.selectionModel().selectionChanged.connect(self._update_actions)
        self.containers_table.doubleClicked.connect(self._container_double_clicked)
        self.containers_table.customContextMenuRequested.connect(self._containers_menu)
        self.images_table.customContextMenuRequested.connect(self._images_menu)
        self.images_table.doubleClicked.connect(lambda _i: self.action_run_image.trigger())
        for m in (self.containers_model, self.images_model):
            m.rowsInserted.connect(self._update_counts)
            m.rowsRemoved.connect(self._update_counts)
            m.modelReset.connect(self._update_counts)
            m.dataChanged.connect(self._model_data_changed)

    def _act(self, name: str, text: str, slot: Callable, *, shortcut=None, icon: str | None = None,
             tip: str = "") -> QAction:
        a = QAction(text, self)
        a.setObjectName(name)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if icon is not None:
            a.setIcon(icon_for(icon))
        if tip:
            a.setToolTip(f"{tip} ({a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                         if shortcut else tip)
            a.setStatusTip(tip)
        a.triggered.connect(lambda _checked=False: slot())
        self.addAction(a)
        return a

    def _build_actions(self) -> None:
        self.action_run = self._act("actionRun", "&Run…", self.open_run_dialog, shortcut="Ctrl+R",
                                    icon="run", tip="Run a new container")
        self.action_pull = self._act("actionPull", "&Pull…", self.open_pull_dialog, shortcut="Ctrl+Shift+P",
                                     icon="pull", tip="Pull an image from a registry")
        self.action_login = self._act("actionLogin", "&Log In…", self.open_login_dialog, shortcut="Ctrl+Shift+L",
                                      icon="login", tip="Log in to a registry")
        self.action_start = self._act("actionStart", "&Start", lambda: self._bulk("start"), shortcut="Ctrl+Shift+S",
                                      icon="start", tip="Start the selected containers")
        self.action_stop = self._act("actionStop", "S&top", lambda: self._bulk("stop"), shortcut="Ctrl+Shift+X",
                                     icon="stop", tip="Stop the selected containers")
        self.action_restart = self._act("actionRestart", "R&estart", lambda: self._bulk("restart"),
                                        shortcut="Ctrl+Shift+R", icon="restart",
                                        tip="Restart the selected containers")
        self.action_pause = self._act("actionPause", "&Pause", lambda: self._bulk("pause"), shortcut="Ctrl+Shift+U",
                                      icon="pause", tip="Pause the selected containers")
        self.action_unpause = self._act("actionUnpause", "&Unpause", lambda: self._bulk("unpause"),
                                        shortcut="Ctrl+Shift+N", icon="unpause",
                                        tip="Unpause the selected containers")
        self.action_kill = self._act("actionKill", "&Kill", lambda: self._bulk("kill"), shortcut="Ctrl+Shift+K",
                                     icon="kill", tip="Kill the selected containers")
        self.action_remove = self._act("actionRemove", "Re&move…", self.remove_selected, shortcut="Delete",
                                       icon="remove", tip="Remove the selected containers")
        self.action_rename = self._act("actionRename", "Re&name", self.rename_selected, shortcut="F2",
                                       icon="rename", tip="Rename the container")
        self.action_copy_id = self._act("actionCopyId", "&Copy ID", self.copy_ids, shortcut="Ctrl+Shift+C",
                                        icon="copy", tip="Copy the selected IDs")
        self.action_logs = self._act("actionLogs", "&Logs", self.open_logs_selected, shortcut="Ctrl+L",
                                     icon="logs", tip="Show the container's log")
        self.action_files = self._act("actionFiles", "&Files…", self.open_files_selected, shortcut="Ctrl+Shift+F",
                                      icon="files",
                                      tip="Browse the container's files; drop files here to copy them in")
        self.action_remove_image = self._act("actionRemoveImage", "Remove &Image…", self.remove_images_selected,
                                             icon="remove", tip="Remove the selected images")
        self.action_tag_image = self._act("actionTagImage", "&Tag Image…", self.tag_image_selected,
                                          icon="tag", tip="Add a tag to the selected image")
        self.action_run_image = self._act("actionRunImage", "Run &Image…", self.run_image_selected,
                                          icon="run", tip="Run a container from the selected image")
        self.action_refresh = self._act("actionRefresh", "Re&fresh", self.refresh, shortcut=QKeySequence.StandardKey.Refresh,
                                        icon="refresh", tip="List everything again")
        self.action_connect = self._act("actionConnect", "Connect to &Host…", self.ask_host,
                                        tip="Connect to a Docker engine by URL (tcp://, ssh://, unix://)")
        self.action_quit = self._act("actionQuit", "&Quit", self.close, shortcut=QKeySequence.StandardKey.Quit)
        self.action_about = self._act("actionAbout", "&About Berth", self.about)
        # The Delete key removes images on the images tab.
        self.action_remove_image.setShortcut(QKeySequence("Shift+Delete"))

    def _build_toolbar_and_menus(self) -> None:
        tb = QToolBar("Main", self)
        tb.setObjectName("mainToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.action_run, self.action_pull, self.action_login):
            tb.addAction(a)
        tb.addSeparator()
        for a in (self.action_start, self.action_stop, self.action_restart, self.action_pause,
                  self.action_unpause, self.action_kill, self.action_remove, self.action_logs):
            tb.addAction(a)
        spacer = QWidget(tb)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tb.addWidget(spacer)
        tb.addWidget(self.filter_edit)
        tb.addAction(self.action_refresh)
        self.addToolBar(tb)
        # text only for the less used actions, to keep the bar short
        for a in (self.action_pause, self.action_unpause, self.action_kill, self.action_restart):
            w = tb.widgetForAction(a)
            if w is not None:
                w.setProperty("toolButtonStyle", Qt.ToolButtonStyle.ToolButtonIconOnly)

        mb = self.menuBar()
        m = mb.addMenu("&File")
        self.engine_menu = m.addMenu("&Engine")
        self.engine_menu.setObjectName("engineMenu")
        self.engine_menu.aboutToShow.connect(self._fill_engine_menu)
        m.addAction(self.action_login)
        m.addSeparator()
        m.addAction(self.action_quit)
        m = mb.addMenu("&Container")
        for a in (self.action_run, None, self.action_start, self.action_stop, self.action_restart,
                  self.action_pause, self.action_unpause, self.action_kill, None, self.action_rename,
                  self.action_remove, None, self.action_logs, self.action_files, self.action_copy_id):
            m.addSeparator() if a is None else m.addAction(a)
        m = mb.addMenu("&Image")
        for a in (self.action_pull, self.action_run_image, self.action_tag_image, self.action_remove_image):
            m.addAction(a)
        m = mb.addMenu("&View")
        m.addAction(self.action_refresh)
        self.view_menu = m
        m = mb.addMenu("&Help")
        m.addAction(self.action_about)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        sb.setObjectName("statusBar")
        self.engine_status = QLabel("Connecting…", self)
        self.engine_status.setObjectName("engineStatus")
        self.engine_status.setAccessibleName("Engine status")
        self.engine_status.setTextFormat(Qt.TextFormat.RichText)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("countLabel")
        sb.addPermanentWidget(self.count_label)
        sb.addPermanentWidget(self.engine_status)

    def _build_docks(self) -> None:
        self.log_dock = QDockWidget("Logs", self)
        self.log_dock.setObjectName("logDock")
        self.log_dock.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.log_tabs = None
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_dock)
        self.log_dock.hide()
        self.view_menu.addAction(self.log_dock.toggleViewAction())
        self.files_dock = QDockWidget("Files", self)
        self.files_dock.setObjectName("filesDock")
        self.files_panel = None
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.files_dock)
        self.files_dock.hide()
        self.view_menu.addAction(self.files_dock.toggleViewAction())
        # Drop files from the file manager on a container row to copy them in.
        from desktop.ui.files.copy import ContainerDropTarget

        self.drop_target = ContainerDropTarget(self.containers_table, self.engine, self._container_at)

    def _container_at(self, pos) -> Container | None:
        index = self.containers_table.indexAt(pos)
        return index.data(Role.Record) if index.isValid() else None

    # ------------------------------------------------------------------ engine
    def start(self) -> None:
        """Connect and follow the engine (the first list, then events)."""
        self._attach(self.engine)

    def _attach(self, engine: Engine) -> None:
        self.engine = engine
        self.drop_target.engine = engine
        live = LiveEngine(engine, self)
        live.connected.connect(self._on_connected)
        live.disconnected.connect(self._on_disconnected)
        live.containersListed.connect(self._on_containers_listed)
        live.containerChanged.connect(self._on_container_changed)
        live.imagesListed.connect(self.images_model.sync_images)
        live.imagesListed.connect(lambda _images: self._select_pending_image())
        live.engineEvent.connect(self._count_event)
        self.live = live
        self._set_status(f"Connecting to {self._engine_label()}…", "#8a8f98")
        live.start()

    def _count_event(self, _event: dict) -> None:
        self._events_seen += 1

    def switch_engine(self, engine: Engine) -> None:
        """Follow another engine: the tables start over."""
        old_live, old_engine = self.live, self.engine
        if old_live is not None:
            old_live.stop()
            old_live.deleteLater()
        self.live = None
        self._loaded_once = False
        self.containers_model.reset([])
        self.images_model.reset([])
        if self.log_tabs is not None:
            self.log_tabs.clear()  # stops their streams on the old engine
            self.log_tabs.deleteLater()
            self.log_tabs = None
            self.log_dock.hide()
        if self.files_panel is not None:
            self.files_panel.shutdown()
            self.files_panel.deleteLater()
            self.files_panel = None
            self.files_dock.hide()
        if old_engine is not engine:
            tasks.spawn(old_engine.close(), context="Closing the old connection")
        self._attach(engine)
        self.engineChanged.emit(engine)

    async def shutdown(self) -> None:
        if self.live is not None:
            self.live.stop()
        await tasks.cancel_all()
        await self.engine.close()

    def _engine_label(self) -> str:
        e = self.engine
        if e.context and e.context != "default":
            return f"{e.context} ({e.host})"
        return e.host

    def _set_status(self, text: str, color: str) -> None:
        self.engine_status.setText(f'<span style="color:{color}">●</span> {text}')
        self.engine_status.setToolTip(text)

    def _on_connected(self, info: EngineInfo) -> None:
        self._set_status(f"{self._engine_label()} · Docker {info.version} (API {info.api_version})", "#2e9d57")
        self.statusBar().showMessage("Connected to the engine", 3000)

    def _on_disconnected(self, error: EngineError, retry_in: float) -> None:
        self._set_status(f"Not connected: {error.message} Retrying in {retry_in:.0f} s…", "#c0392b")
        self.engine_status.setToolTip(f"{self._engine_label()}\n{error.detail or error.message}")
        self._update_actions()

    def _on_containers_listed(self, containers: list[Container]) -> None:
        self.containers_model.sync(containers)
        if not self._loaded_once:
            self._loaded_once = True
            self.loaded.emit()
        self._select_pending()

    def _on_container_changed(self, ident: str, container: Container | None) -> None:
        if container is None:
            self.containers_model.remove(ident)
        else:
            self.containers_model.upsert(container)
        self._select_pending()
        self._update_actions()

    def _model_data_changed(self, *args) -> None:
        # a container's state changed under the selection: the actions follow
        self._update_actions_soon()

    def _update_actions_soon(self) -> None:
        """Update the actions once the current burst of changes is through."""
        self._actions_timer.start()

    # ------------------------------------------------------------------ selection
    def selected_containers(self) -> list[Container]:
        rows = self.containers_table.selectionModel().selectedRows()
        return [i.data(Role.Record) for i in rows if i.data(Role.Record) is not None]

    def selected_images(self) -> list[ImageRow]:
        rows = self.images_table.selectionModel().selectedRows()
        return [i.data(Role.Record) for i in rows if i.data(Role.Record) is not None]

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

    def _update_actions(self, *args) -> None:
        on_containers = self.tabs.currentWidget() is self.containers_table
        sel = self.selected_containers() if on_containers else []
        states = {c.state for c in sel}
        self.action_start.setEnabled(bool(states & {"created", "exited", "dead"}))
        self.action_stop.setEnabled(bool(states & {"running", "paused", "restarting"}))
        self.action_restart.setEnabled(bool(sel))
        self.action_pause.setEnabled("running" in states)
        self.action_unpause.setEnabled("paused" in states)
        self.action_kill.setEnabled(bool(states & {"running", "restarting", "paused"}))
        self.action_remove.setEnabled(bool(sel) or (not on_containers and bool(self.selected_images())))
        self.action_rename.setEnabled(len(sel) == 1)
        self.action_logs.setEnabled(len(sel) >= 1)
        self.action_files.setEnabled(len(sel) == 1)
        self.action_copy_id.setEnabled(bool(sel) or bool(not on_containers and self.selected_images()))
        imgs = self.selected_images() if not on_containers else []
        self.action_remove_image.setEnabled(bool(imgs))
        self.action_tag_image.setEnabled(len(imgs) == 1)
        self.action_run_image.setEnabled(len(imgs) == 1)

    def _update_counts(self, *args) -> None:
        cs = self.containers_model.records()
        running = sum(1 for c in cs if c.running)
        self.tabs.setTabText(0, f"Containers ({running} running, {len(cs)} in all)" if cs else "Containers")
        n_img = self.images_model.rowCount()
        self.tabs.setTabText(1, f"Images ({n_img})" if n_img else "Images")
        proxy = self.containers_proxy if self.tabs.currentIndex() == 0 else self.images_proxy
        shown, total = proxy.rowCount(), proxy.sourceModel().rowCount()
        self.count_label.setText(f"showing {shown} of {total}" if proxy.filter_text() else "")

    def _tab_changed(self, _index: int) -> None:
        proxy = self.containers_proxy if self.tabs.currentIndex() == 0 else self.images_proxy
        self.filter_edit.blockSignals(True)
        self.filter_edit.setText(proxy.filter_text())
        self.filter_edit.blockSignals(False)
        self._update_actions()
        self._update_counts()

    def _filter_changed(self, text: str) -> None:
        proxy = self.containers_proxy if self.tabs.currentIndex() == 0 else self.images_proxy
        proxy.set_filter_text(text)
        self._update_counts()

    # ------------------------------------------------------------------ container actions
    def _bulk(self, op: str) -> None:
        verbs = {"start": "Starting", "stop": "Stopping", "restart": "Restarting", "pause": "Pausing",
                 "unpause": "Unpausing", "kill": "Killing"}
        applies = {
            "start": lambda c: c.state in ("created", "exited", "dead"),
            "stop": lambda c: c.state in ("running", "paused", "restarting"),
            "restart": lambda c: True,
            "pause": lambda c: c.state == "running",
            "unpause": lambda c: c.state == "paused",
            "kill": lambda c: c.state in ("running", "paused", "restarting"),
        }[op]
        chosen = [c for c in self.selected_containers() if applies(c)]
        if not chosen:
            return
        what = chosen[0].name if len(chosen) == 1 else plural(len(chosen), "container")
        wait = ""
        if op in ("stop", "restart"):
            # A process that ignores SIGTERM (a shell as PID 1) is killed only after the
            # container's stop timeout: say why nothing seems to happen meanwhile.
            wait = " (one that ignores the signal to stop is killed after its stop timeout, 10 s by default)"
        self.statusBar().showMessage(f"{verbs[op]} {what}…{wait}")
        left, failed = [len(chosen)], [0]
        done = {"start": "Started", "stop": "Stopped", "restart": "Restarted", "pause": "Paused",
                "unpause": "Unpaused", "kill": "Killed"}[op]

        async def one(c: Container) -> None:
            try:
                await getattr(self.engine, op)(c.id)
            except Exception as exc:
                failed[0] += 1
                errors.report(exc, context=f"{verbs[op]} {c.name}")  # says what failed
            left[0] -= 1
            if not left[0]:  # the summary last, after any failure was reported
                ok = len(chosen) - failed[0]
                self.statusBar().showMessage(
                    f"{done} {what}" if not failed[0] else f"{done} {ok} of {len(chosen)}; {failed[0]} failed",
                    15_000 if failed[0] else 5000)
        for c in chosen:
            tasks.spawn(one(c), context=f"{verbs[op]} {c.name}")

    def remove_selected(self) -> None:
        if self.tabs.currentWidget() is self.images_table:
            self.remove_images_selected()
            return
        sel = self.selected_containers()
        if not sel:
            return
        running = [c for c in sel if c.running or c.paused]
        names = ", ".join(c.name for c in sel[:5]) + (f" and {len(sel) - 5} more" if len(sel) > 5 else "")
        box = QMessageBox(self)
        box.setObjectName("confirmRemove")
        box.setIcon(QMessageBox.Icon.Warning if running else QMessageBox.Icon.Question)
        one = len(sel) == 1
        box.setWindowTitle("Remove container" if one else "Remove containers")
        if running and one:
            box.setText(f"Force-remove the running container {sel[0].name}? It will be killed.")
        elif running:
            box.setText(f"Force-remove {len(sel)} containers? {len(running)} of them "
                        f"{'is' if len(running) == 1 else 'are'} running and will be killed.")
        else:
            box.setText(f"Remove {plural(len(sel), 'container')}?")
        their = "Its file system is" if one else "Their file systems are"
        box.setInformativeText(f"{names}\n\n{their} deleted; this cannot be undone.")
        volumes = QCheckBox("Also remove its anonymous volumes" if one else "Also remove their anonymous volumes", box)
        volumes.setObjectName("removeVolumesCheck")
        box.setCheckBox(volumes)
        ok = box.addButton("Force Remove" if running else "Remove", QMessageBox.ButtonRole.DestructiveRole)
        ok.setObjectName("confirmRemoveButton")
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done(_result: int) -> None:
            if box.clickedButton() is not ok:
                return
            force = bool(running)
            for c in sel:
                tasks.spawn(self.engine.remove(c.id, force=force, volumes=volumes.isChecked()),
                            context=f"Removing {c.name}")
        box.finished.connect(done)
        self._confirm_box = box
        box.open()

    def rename_selected(self) -> None:
        sel = self.containers_table.selectionModel()
        rows = sel.selectedRows(CColumn.NAMES)
        if len(rows) != 1:
            return
        self.containers_table.setCurrentIndex(rows[0])
        self.containers_table.edit(rows[0])

    def _rename_from_model(self, c: Container, new_name: str) -> bool:
        try:
            new_name = validate_container_name(new_name)
        except EngineError as exc:
            errors.report(exc, context=f"Renaming {c.name}", serious=True)
            return False
        tasks.spawn(self.engine.rename(c.id, new_name), context=f"Renaming {c.name} to {new_name}")
        return True

    def copy_ids(self) -> None:
        if self.tabs.currentWidget() is self.containers_table:
            ids = [c.id for c in self.selected_containers()]
        else:
            ids = list(dict.fromkeys(r.image.id for r in self.selected_images()))
        if ids:
            QGuiApplication.clipboard().setText("\n".join(ids))
            self.statusBar().showMessage(f"Copied {plural(len(ids), 'ID')}", 3000)

    def _container_double_clicked(self, index: QModelIndex) -> None:
        c: Container = index.data(Role.Record)
        if c is None:
            return
        if index.column() == CColumn.PORTS and any(p.public_port for p in c.ports):
            self.open_port(c, next(p for p in c.ports if p.public_port))
            return
        self.open_logs(c)

    def open_port(self, c: Container, port) -> QUrl:
        scheme = "https" if port.private_port in (443, 8443) else "http"
        url = QUrl(f"{scheme}://{browser_host(self.engine.host, port.ip)}:{port.public_port}/")
        if QDesktopServices.openUrl(url):
            self.statusBar().showMessage(f"Opening {url.toString()}", 3000)
        else:
            QGuiApplication.clipboard().setText(url.toString())
            errors.report(f"No web browser could be started to open {url.toString()}. "
                          "The address was copied to the clipboard.", context="Opening the page", serious=True)
        return url

    def _containers_menu(self, pos) -> None:
        index = self.containers_table.indexAt(pos)
        menu = QMenu(self)
        menu.setObjectName("containersMenu")
        for a in (self.action_start, self.action_stop, self.action_restart, self.action_pause,
                  self.action_unpause, self.action_kill, None, self.action_logs, self.action_files, self.action_rename,
                  self.action_copy_id, None, self.action_remove):
            menu.addSeparator() if a is None else menu.addAction(a)
        c: Container | None = index.data(Role.Record) if index.isValid() else None
        published = [p for p in (c.ports if c else ()) if p.public_port]
        if published:
            sub = menu.addMenu("Open in &Browser")
            for p in published:
                sub.addAction(f"{browser_host(self.engine.host, p.ip)}:{p.public_port} → {p.private_port}/{p.type}",
                              lambda p=p, c=c: self.open_port(c, p))
        self._extend_container_menu(menu, c)
        menu.popup(self.containers_table.viewport().mapToGlobal(pos))

    def _extend_container_menu(self, menu: QMenu, c: Container | None) -> None:
        """Hook for features that add to the containers' context menu."""

    def _images_menu(self, pos) -> None:
        menu = QMenu(self)
        menu.setObjectName("imagesMenu")
        for a in (self.action_run_image, self.action_tag_image, self.action_copy_id, None, self.action_remove_image):
            menu.addSeparator() if a is None else menu.addAction(a)
        menu.popup(self.images_table.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------------ image actions
    def remove_images_selected(self) -> None:
        rows = self.selected_images()
        if not rows:
            return
        refs = [r.reference for r in rows]
        box = QMessageBox(self)
        box.setObjectName("confirmRemoveImage")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Remove images")
        box.setText(f"Remove {plural(len(refs), 'image')}?")
        box.setInformativeText("\n".join(refs[:8]) + ("\n…" if len(refs) > 8 else ""))
        force = QCheckBox("Force (also untag images that other tags or stopped containers use)", box)
        force.setObjectName("forceRemoveImageCheck")
        box.setCheckBox(force)
        ok = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        ok.setObjectName("confirmRemoveImageButton")
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done(_r: int) -> None:
            if box.clickedButton() is not ok:
                return
            for ref in refs:
                tasks.spawn(self.engine.remove_image(ref, force=force.isChecked()), context=f"Removing {ref}")
        box.finished.connect(done)
        self._confirm_box = box
        box.open()

    def tag_image_selected(self) -> None:
        rows = self.selected_images()
        if len(rows) != 1:
            return
        row = rows[0]
        dlg = QInputDialog(self)
        dlg.setObjectName("tagDialog")
        dlg.setWindowTitle("Tag image")
        dlg.setLabelText(f"New tag for {row.image.short_id} (for example myname/web:1.0):")
        dlg.setTextValue(f"{row.repository}:" if row.repository != NONE else "")
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted(text: str) -> None:
            text = text.strip()
            if text:
                tasks.spawn(self.engine.tag_image(row.image.id, text), context=f"Tagging {row.image.short_id}")
        dlg.textValueSelected.connect(accepted)
        dlg.open()

    def run_image_selected(self) -> None:
        rows = self.selected_images()
        if len(rows) == 1:
            r = rows[0]
            self.open_run_dialog(r.reference)

    # ------------------------------------------------------------------ dialogs (filled in by features)
    def open_run_dialog(self, image: str = "") -> None:
        from desktop.ui.containers.run_dialog import RunDialog

        local = sorted({r.reference for r in self.images_model.records() if r.tag != NONE})
        dlg = RunDialog(self.engine, self, image=image, images=local)
        dlg.created.connect(lambda cid, _started: self.select_container(cid))
        dlg.loginRequested.connect(self.open_login_dialog)
        dlg.open()
        self._run_dialog = dlg

    def open_pull_dialog(self, reference: str = "") -> None:
        from desktop.ui.images.pull_dialog import PullDialog

        dlg = PullDialog(self.engine, self, reference=reference)
        dlg.loginRequested.connect(self.open_login_dialog)
        dlg.pulled.connect(self._pulled)
        dlg.open()
        self._pull_dialog = dlg

    def _pulled(self, reference: str) -> None:
        self.statusBar().showMessage(f"Pulled {reference}", 8000)
        self.tabs.setCurrentWidget(self.images_table)
        self._pending_image = reference
        self._select_pending_image()

    def _select_pending_image(self) -> None:
        ref = getattr(self, "_pending_image", None)
        if not ref:
            return
        from desktop.engine.parsing import familiar_reference

        want = familiar_reference(ref)
        for row in range(self.images_model.rowCount()):
            r = self.images_model.record(row)
            if want is not None and r.repository == want.name and r.tag == (want.tag or "latest"):
                self._pending_image = None
                idx = self.images_proxy.mapFromSource(self.images_model.index(row, 0))
                sm = self.images_table.selectionModel()
                sm.select(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.images_table.scrollTo(idx)
                return

    def _logged_in(self, registry: str) -> None:
        self.statusBar().showMessage(f"Logged in to {registry or 'Docker Hub'}", 8000)
        pull = getattr(self, "_pull_dialog", None)
        try:
            if pull is not None and pull.isVisible():
                pull.logged_in(registry)  # the pull that asked for the login goes on
        except RuntimeError:  # that dialog is gone
            self._pull_dialog = None

    def open_login_dialog(self, registry: str = "") -> None:
        from desktop.ui.registry.login_dialog import LoginDialog

        dlg = LoginDialog(self.engine, self, registry=registry or "")
        dlg.loggedIn.connect(self._logged_in)
        dlg.open()
        self._login_dialog = dlg

    def open_logs_selected(self) -> None:
        for c in self.selected_containers()[:8]:
            self.open_logs(c)

    def open_logs(self, c: Container) -> None:
        from desktop.ui.logs.viewer import LogTabs

        if self.log_tabs is None:
            self.log_tabs = LogTabs(self.engine, self.live, self.log_dock)
            self.log_tabs.emptied.connect(self.log_dock.hide)  # no empty panel left behind
            self.log_dock.setWidget(self.log_tabs)
        self.log_tabs.open(c)
        self.log_dock.show()
        self.log_dock.raise_()

    def open_files_selected(self) -> None:
        sel = self.selected_containers()
        if len(sel) == 1:
            self.open_files(sel[0])

    def open_files(self, c: Container) -> None:
        from desktop.ui.files.panel import FilesPanel

        if self.files_panel is not None:
            self.files_panel.shutdown()
            self.files_panel.deleteLater()
        self.files_panel = FilesPanel(self.engine, c, self.files_dock)
        self.files_dock.setWidget(self.files_panel)
        self.files_dock.setWindowTitle(f"Files of {c.name}")
        self.files_dock.show()
        self.resizeDocks([self.files_dock], [max(440, self.width() // 3)], Qt.Orientation.Horizontal)
        self.files_dock.raise_()

    # ------------------------------------------------------------------ engine choice
    def _fill_engine_menu(self) -> None:
        m = self.engine_menu
        m.clear()
        try:
            contexts = list_contexts()
        except Exception as exc:  # a broken context store must not break the menu
            contexts = []
            log.ui.warning("cannot list contexts: %s", exc)
        for ctx in contexts:
            a = m.addAction(f"{ctx.name}  —  {ctx.host or 'default socket'}")
            a.setCheckable(True)
            a.setChecked(ctx.name == (self.engine.context or "default") and not self.engine.explicit_host)
            a.triggered.connect(lambda _c=False, name=ctx.name: self.connect_to(context=name))
        m.addSeparator()
        m.addAction(self.action_connect)

    def connect_to(self, *, host: str | None = None, context: str | None = None) -> None:
        try:
            engine = Engine(host=host, context=context, credentials=self.engine.credentials)
        except EngineError as exc:
            errors.report(exc, context="Connecting", serious=True)
            return
        except Exception as exc:  # a malformed URL
            errors.report(EngineError(ErrorKind.INVALID_INPUT, f"Cannot connect to {host or context}: {exc}"),
                          context="Connecting", serious=True)
            return
        self.switch_engine(engine)

    def ask_host(self) -> None:
        dlg = QInputDialog(self)
        dlg.setObjectName("hostDialog")
        dlg.setWindowTitle("Connect to a Docker engine")
        dlg.setLabelText("Engine URL (tcp://host:2375, ssh://user@host, unix:///path/docker.sock):")
        dlg.setTextValue(self.engine.host)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.textValueSelected.connect(lambda text: self.connect_to(host=text.strip()) if text.strip() else None)
        dlg.open()

    def refresh(self) -> None:
        if self.live is None:
            return
        if not self.live.is_connected:
            self.live.retry_now()
            return

        async def relist() -> None:
            # A list that events overtook while it was on its way is older than the
            # table: take another.
            for _ in range(5):
                seen = self._events_seen
                cs, ims = await asyncio.gather(self.engine.containers(), self.engine.images())
                if seen == self._events_seen:
                    break
            self.containers_model.sync(cs)
            self.images_model.sync_images(ims)
        tasks.spawn(relist(), name="refresh", context="Refreshing")

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
        # the docks' places are kept, not their contents: they open with a container
        self.log_dock.hide()
        self.files_dock.hide()
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

    def closeEvent(self, event) -> None:
        self.save_settings()
        super().closeEvent(event)
