"""What can be done to the selected containers: the actions, when each is enabled, bulk
start/stop/…, the remove confirmation, rename in place, opening a published port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPoint, QUrl, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QCheckBox, QMenu, QMessageBox, QStatusBar, QTableView, QWidget

from desktop.engine.addresses import browser_host, port_url
from desktop.engine.client import Engine
from desktop.engine.errors import EngineError
from desktop.engine.parsing import validate_container_name
from desktop.engine.records import Container, Port
from desktop.engine.states import Op, allowed, needs_force
from desktop.ui.common import errors, tasks
from desktop.ui.common.actions import copy_into_menu, fill_menu, make_action, open_in_browser, plural
from desktop.ui.common.confirm import confirm
from desktop.ui.common.table_model import Role
from desktop.ui.containers.model import Column
from desktop.ui.containers.ports import PortsLink
from desktop.ui.containers.rename import RenameDelegate


def _allows(op: Op) -> Callable[[Container], bool]:
    return lambda c: op in allowed(c.state)


#: bulk operations: (Engine method, "-ing" verb, past tense, which containers it applies to)
BULK: dict[str, tuple[str, str, Callable[[Container], bool]]] = {
    "start": ("Starting", "Started", _allows(Op.START)),
    "stop": ("Stopping", "Stopped", _allows(Op.STOP)),
    "restart": ("Restarting", "Restarted", _allows(Op.RESTART)),
    "pause": ("Pausing", "Paused", _allows(Op.PAUSE)),
    "unpause": ("Unpausing", "Unpaused", _allows(Op.UNPAUSE)),
    "kill": ("Killing", "Killed", _allows(Op.KILL)),
}


class ContainerActions(QObject):
    """The container actions of a window, acting on the selection of ``table``.

    ``logsRequested`` and ``filesRequested`` ask the window to open a panel; everything
    else is done here, through the engine that ``engine()`` gives at the time.
    """

    logsRequested = Signal(object)   # Container
    filesRequested = Signal(object)  # Container
    copyIntoRequested = Signal(object, bool)  # Container, a folder (else files)

    def __init__(self, table: QTableView, engine: Callable[[], Engine], status: QStatusBar,
                 name_in_use: Callable[[str], bool] = lambda _name: False) -> None:
        super().__init__(table)
        self.table = table
        self._engine = engine
        self._status = status
        self._confirm_box: QMessageBox | None = None
        w = table.window()

        def act(name: str, text: str, slot: Callable[[], object], **kw: Any) -> QAction:
            return make_action(w, name, text, slot, **kw)
        self.start = act("actionStart", "&Start", lambda: self.bulk("start"), shortcut="Ctrl+Shift+S",
                         icon="start", tip="Start the selected containers")
        self.stop = act("actionStop", "S&top", lambda: self.bulk("stop"), shortcut="Ctrl+Shift+X",
                        icon="stop", tip="Stop the selected containers")
        self.restart = act("actionRestart", "R&estart", lambda: self.bulk("restart"), shortcut="Ctrl+Shift+R",
                           icon="restart", tip="Restart the selected containers")
        self.pause = act("actionPause", "&Pause", lambda: self.bulk("pause"), shortcut="Ctrl+Shift+U",
                         icon="pause", tip="Pause the selected containers")
        self.unpause = act("actionUnpause", "&Unpause", lambda: self.bulk("unpause"), shortcut="Ctrl+Shift+N",
                           icon="unpause", tip="Unpause the selected containers")
        self.kill = act("actionKill", "&Kill", lambda: self.bulk("kill"), shortcut="Ctrl+Shift+K",
                        icon="kill", tip="Kill the selected containers")
        self.remove = act("actionRemove", "Re&move…", self.remove_selected, shortcut="Delete",
                          icon="remove", tip="Remove the selected containers")
        self.rename = act("actionRename", "Re&name", self.rename_selected, shortcut="F2",
                          icon="rename", tip="Rename the container")
        self.copy_id = act("actionCopyId", "&Copy ID", self.copy_ids, shortcut="Ctrl+Shift+C",
                           icon="copy", tip="Copy the selected IDs")
        self.logs = act("actionLogs", "&Logs", self.open_logs_selected, shortcut="Ctrl+L",
                        icon="logs", tip="Show the container's log")
        self.files = act("actionFiles", "&Files…", self.open_files_selected, shortcut="Ctrl+Shift+F",
                         icon="files", tip="Browse the container's files; drop files here to copy them in")
        for a in self.all():
            w.addAction(a)
        self.copy_into_menu = self.make_copy_into_menu(w)
        table.customContextMenuRequested.connect(self.context_menu)
        table.doubleClicked.connect(self._double_clicked)
        # the live picture knows every name, also of rows a filter hides
        self.rename_delegate = RenameDelegate(table, lambda name, _c: name_in_use(name))
        self.ports_link = PortsLink(table, lambda: self.engine.host, self.open_port)
        table.setItemDelegateForColumn(Column.NAMES, self.rename_delegate)

    def all(self) -> list[QAction]:
        return [self.start, self.stop, self.restart, self.pause, self.unpause, self.kill, self.remove,
                self.rename, self.copy_id, self.logs, self.files]

    @property
    def engine(self) -> Engine:
        return self._engine()

    # -- selection and what it allows --------------------------------------------------
    def selected(self) -> list[Container]:
        rows = self.table.selectionModel().selectedRows()
        return [c for c in (i.data(Role.Record) for i in rows) if c is not None]

    def update(self, active: bool) -> None:
        """Enable what the selection allows (nothing while ``active`` is false: another tab)."""
        sel = self.selected() if active else []
        for op in ("start", "stop", "pause", "unpause", "kill", "restart"):
            getattr(self, op).setEnabled(any(BULK[op][2](c) for c in sel))
        for a in (self.remove, self.logs, self.copy_id):
            a.setEnabled(bool(sel))
        self.rename.setEnabled(len(sel) == 1)
        self.files.setEnabled(len(sel) == 1)
        self.copy_into_menu.setEnabled(len(sel) == 1)

    # -- operations ----------------------------------------------------------------------
    def bulk(self, op: str) -> None:
        """``op`` on every selected container it applies to, with one summary at the end."""
        verb, done, applies = BULK[op]
        chosen = [c for c in self.selected() if applies(c)]
        if not chosen:
            return
        what = chosen[0].name if len(chosen) == 1 else plural(len(chosen), "container")
        wait = ""
        if op in ("stop", "restart"):
            # A process that ignores SIGTERM (a shell as PID 1) is killed only after the
            # container's stop timeout: say why nothing seems to happen meanwhile.
            wait = " (one that ignores the signal to stop is killed after its stop timeout, 10 s by default)"
        self._status.showMessage(f"{verb} {what}…{wait}")
        left, failed = [len(chosen)], [0]
        engine = self.engine

        async def one(c: Container) -> None:
            try:
                await getattr(engine, op)(c.id)
            except Exception as exc:
                failed[0] += 1
                errors.report(exc, context=f"{verb} {c.name}")  # says what failed
            left[0] -= 1
            if not left[0]:  # the summary last, after any failure was reported
                ok = len(chosen) - failed[0]
                self._status.showMessage(
                    f"{done} {what}" if not failed[0] else f"{done} {ok} of {len(chosen)}; {failed[0]} failed",
                    15_000 if failed[0] else 5000)
        for c in chosen:
            tasks.spawn(one(c), context=f"{verb} {c.name}")

    def remove_selected(self) -> None:
        sel = self.selected()
        if not sel:
            return
        running = [c for c in sel if needs_force(c.state)]
        names = ", ".join(c.name for c in sel[:5]) + (f" and {len(sel) - 5} more" if len(sel) > 5 else "")
        one = len(sel) == 1
        if running and one:
            text = f"Force-remove the running container {sel[0].name}? It will be killed."
        elif running:
            text = (f"Force-remove {len(sel)} containers? {len(running)} of them "
                    f"{'is' if len(running) == 1 else 'are'} running and will be killed.")
        else:
            text = f"Remove {plural(len(sel), 'container')}?"
        their = "Its file system is" if one else "Their file systems are"
        volumes = QCheckBox("Also remove its anonymous volumes" if one else "Also remove their anonymous volumes")
        volumes.setObjectName("removeVolumesCheck")
        engine = self.engine

        def remove() -> None:
            for c in sel:
                tasks.spawn(engine.remove(c.id, force=bool(running), volumes=volumes.isChecked()),
                            context=f"Removing {c.name}")
        self._confirm_box = confirm(
            self.table.window(), "confirmRemove", title="Remove container" if one else "Remove containers",
            text=text, informative=f"{names}\n\n{their} deleted; this cannot be undone.",
            action="Force Remove" if running else "Remove", on_confirm=remove, warning=bool(running),
            checkbox=volumes)

    def rename_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows(Column.NAMES)
        if len(rows) != 1:
            return
        self.table.setCurrentIndex(rows[0])
        self.table.edit(rows[0])

    def rename_to(self, c: Container, new_name: str) -> bool:
        """Rename ``c`` (the model's in-place edit); False for a name the engine would refuse."""
        try:
            new_name = validate_container_name(new_name)
        except EngineError as exc:
            errors.report(exc, context=f"Renaming {c.name}", serious=True)
            return False
        tasks.spawn(self.engine.rename(c.id, new_name), context=f"Renaming {c.name} to {new_name}")
        return True

    def copy_ids(self) -> None:
        ids = [c.id for c in self.selected()]
        if ids:
            QGuiApplication.clipboard().setText("\n".join(ids))
            self._status.showMessage(f"Copied {plural(len(ids), 'ID')}", 3000)

    def open_logs_selected(self) -> None:
        for c in self.selected()[:8]:
            self.logsRequested.emit(c)

    def open_files_selected(self) -> None:
        sel = self.selected()
        if len(sel) == 1:
            self.filesRequested.emit(sel[0])

    def make_copy_into_menu(self, parent: QWidget) -> QMenu:
        """Copy Into ▸ Files… / A Folder… for the one selected container (no drag needed)."""
        def act(folder: bool) -> None:
            sel = self.selected()
            if len(sel) == 1:
                self.copyIntoRequested.emit(sel[0], folder)
        menu = copy_into_menu(parent, act)
        menu.menuAction().setObjectName("actionCopyInto")
        menu.menuAction().setStatusTip("Copy files or a folder from this computer into the container")
        return menu

    def open_port(self, c: Container, port: Port) -> QUrl:
        return open_in_browser(port_url(self.engine.host, port), self._status)

    # -- the table ---------------------------------------------------------------------
    def _double_clicked(self, index: QModelIndex) -> None:
        c: Container | None = index.data(Role.Record)
        if c is None:
            return
        if index.column() == Column.PORTS and self.ports_link.open_first(c):
            return
        self.logsRequested.emit(c)

    def context_menu(self, pos: QPoint) -> QMenu:
        index = self.table.indexAt(pos)
        menu = QMenu(self.table)
        menu.setObjectName("containersMenu")
        fill_menu(menu, [self.start, self.stop, self.restart, self.pause, self.unpause, self.kill, None,
                         self.logs, self.files, self.copy_into_menu.menuAction(), self.rename, self.copy_id, None,
                         self.remove])
        c: Container | None = index.data(Role.Record) if index.isValid() else None
        published = [p for p in (c.ports if c else ()) if p.public_port]
        if c is not None and published:
            sub = menu.addMenu("Open in &Browser")
            for p in published:
                def open_this(p: Port = p, c: Container = c) -> None:  # bound now, not when clicked
                    self.open_port(c, p)
                sub.addAction(f"{browser_host(self.engine.host, p.ip)}:{p.public_port} → {p.private_port}/{p.type}",
                              open_this)
        menu.popup(self.table.viewport().mapToGlobal(pos))
        return menu
