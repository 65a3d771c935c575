"""A container's files (``filesPanel``): browse its folders, drag files out or save
them ("Save As…"), drop files in.

Listing works on running and stopped containers (see
:func:`desktop.engine.archive.list_folder`). Dragging out first streams the selection
into a temporary folder, then starts the drag with those files' URLs; a drop of local
files on the panel opens the copy dialog with the folder shown (or the folder under
the cursor) as the destination.
"""

from __future__ import annotations

import datetime
import posixpath
import shutil
import tempfile
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDrag, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.engine import archive
from desktop.engine.archive import Progress, RemoteEntry
from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.formatting import progress_size
from desktop.engine.records import Container
from desktop.ui.common import errors, tasks
from desktop.ui.common.actions import copy_into_menu
from desktop.ui.files.copy import ContainerDropTarget, CopyDialog, choose_and_copy

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
T = TypeVar("T")


class _FileView(QTreeView):
    def __init__(self, panel: FilesPanel) -> None:
        super().__init__(panel)
        self._panel = panel

    def startDrag(self, actions: Any) -> None:
        self._panel.begin_drag()


class FilesPanel(QWidget):
    """The files of one container. ``listed(path)`` fires after each listing,
    ``saved(CopyOutResult list)`` after a save."""

    listed = Signal(str)
    saved = Signal(list)

    def __init__(self, engine: Engine, container: Container, parent: QWidget | None = None, *,
                 path: str = "/", settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.container = container
        self.path = path
        self.entries: list[RemoteEntry] = []
        self.progress: Progress | None = None
        self._stage_root = tempfile.mkdtemp(prefix="berth-drag-")
        self._staged: dict[tuple[str, ...], list[str]] = {}
        self.setObjectName("filesPanel")
        self.setAccessibleName(f"Files of {container.name}")

        st = self.style()
        self.upButton = QToolButton(self)
        self.upButton.setObjectName("upButton")
        self.upButton.setIcon(st.standardIcon(QStyle.StandardPixmap.SP_FileDialogToParent))
        self.upButton.setToolTip("Parent folder")
        self.upButton.clicked.connect(lambda: self.navigate(posixpath.dirname(self.path.rstrip("/")) or "/"))
        self.pathEdit = QLineEdit(self)
        self.pathEdit.setObjectName("pathEdit")
        self.pathEdit.setAccessibleName("Folder in the container")
        self.pathEdit.returnPressed.connect(lambda: self.navigate(self.pathEdit.text()))
        self.refreshButton = QToolButton(self)
        self.refreshButton.setObjectName("refreshButton")
        self.refreshButton.setIcon(st.standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.refreshButton.setToolTip("Refresh")
        self.refreshButton.clicked.connect(lambda: self.navigate(self.path))
        self.saveButton = QPushButton("Save As…", self)
        self.saveButton.setObjectName("saveButton")
        self.saveButton.setToolTip("Copy the selected files and folders to a folder on this computer")
        self.saveButton.clicked.connect(self.ask_save)
        self.copyInButton = QPushButton("Copy &In", self)
        self.copyInButton.setObjectName("copyInButton")
        self.copyInButton.setToolTip("Copy files or a folder from this computer into the folder shown "
                                     "(or drop them on the list)")
        self.copyInButton.setMenu(copy_into_menu(self, self.copy_in))
        bar = QHBoxLayout()
        bar.setSpacing(4)
        bar.addWidget(self.upButton)
        bar.addWidget(self.pathEdit, 1)
        bar.addWidget(self.refreshButton)
        bar.addWidget(self.copyInButton)
        bar.addWidget(self.saveButton)

        self.model = QStandardItemModel(0, 4, self)
        self.model.setHorizontalHeaderLabels(["Name", "Size", "Modified", "Mode"])
        self.fileList = _FileView(self)
        self.fileList.setObjectName("fileList")
        self.fileList.setAccessibleName("Files")
        self.fileList.setModel(self.model)
        self.fileList.setRootIsDecorated(False)
        self.fileList.setUniformRowHeights(True)
        self.fileList.setAlternatingRowColors(True)
        self.fileList.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.fileList.setDragEnabled(True)
        self.fileList.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.fileList.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.fileList.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        self.setMinimumWidth(360)
        self.fileList.doubleClicked.connect(self._open_index)
        self.dropTarget = ContainerDropTarget(self.fileList, engine, lambda pos: self.container,
                                              dest_at=self._dest_at, settings=settings)
        # what a copy brought shows at once (the list is re-read when a copy ends)
        self.dropTarget.dialogOpened.connect(self.follow_copy)

        self.filesProgress = QProgressBar(self)
        self.filesProgress.setObjectName("filesProgress")
        self.filesProgress.setRange(0, 1000)
        self.filesProgress.setTextVisible(False)
        self.filesProgress.setMaximumHeight(10)
        self.statusLabel = QLabel(self)
        self.statusLabel.setObjectName("filesStatus")
        self.statusLabel.setWordWrap(True)
        self.cancelButton = QPushButton("Cancel", self)
        self.cancelButton.setObjectName("filesCancel")
        self.cancelButton.clicked.connect(self.cancel)
        foot = QHBoxLayout()
        foot.addWidget(self.statusLabel, 1)
        foot.addWidget(self.filesProgress)
        foot.addWidget(self.cancelButton)
        self.filesProgress.hide()
        self.cancelButton.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.fileList, 1)
        layout.addLayout(foot)

        self._timer = QTimer(self)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._show_progress)
        self.destroyed.connect(lambda: shutil.rmtree(self._stage_root, ignore_errors=True))
        self.navigate(path)

    def follow_copy(self, dialog: CopyDialog) -> None:
        """List the folder shown again once ``dialog``'s copy into this container ends."""
        if dialog.container.id == self.container.id:
            dialog.copied.connect(lambda _result: self.navigate(self.path))

    def copy_in(self, folder: bool) -> QFileDialog:
        """Copy files (or a folder) chosen in the file dialog into the folder shown."""
        return choose_and_copy(self.dropTarget, self.container, folder=folder, dest=self.path)

    # -- listing -----------------------------------------------------------------------
    def navigate(self, path: str) -> None:
        try:
            path = archive.normalize_dest(path)
        except EngineError as exc:
            self.statusLabel.setText(exc.message)
            return
        self.pathEdit.setText(path)
        self.statusLabel.setText("Reading the folder…")

        def shown(entries: list[RemoteEntry]) -> None:
            self.path = path
            self._fill(entries)
            n = len(entries)
            self.statusLabel.setText(f"{n} {'item' if n == 1 else 'items'}")
            self.listed.emit(path)

        def failed(exc: BaseException) -> None:
            self.pathEdit.setText(self.path)
            self.statusLabel.setText(getattr(exc, "message", str(exc)))
            errors.report(exc, context=f"Listing {path} in {self.container.name}", serious=False, parent=self)

        tasks.spawn(archive.list_folder(self.engine, self.container.id, path, running=self.container.running),
                    name=f"files-list-{id(self):x}", on_success=shown, on_error=failed)

    def _fill(self, entries: list[RemoteEntry]) -> None:
        self.entries = entries
        self.model.removeRows(0, self.model.rowCount())
        st = self.style()
        icons = {"dir": st.standardIcon(QStyle.StandardPixmap.SP_DirIcon),
                 "symlink": st.standardIcon(QStyle.StandardPixmap.SP_FileLinkIcon)}
        file_icon = st.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for e in entries:
            name = QStandardItem(icons.get(e.kind, file_icon), e.name + (f" → {e.link}" if e.link else ""))
            name.setData(e, ENTRY_ROLE)
            name.setToolTip(posixpath.join(self.path, e.name))
            size = QStandardItem("" if e.kind != "file" else progress_size(e.size))
            size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            when = QStandardItem(datetime.datetime.fromtimestamp(e.mtime).strftime("%Y-%m-%d %H:%M") if e.mtime else "")
            mode = QStandardItem(_mode_text(e))
            self.model.appendRow([name, size, when, mode])
        self.fileList.resizeColumnToContents(1)
        self.fileList.resizeColumnToContents(2)

    def _open_index(self, index: QModelIndex) -> None:
        e = self.model.index(index.row(), 0).data(ENTRY_ROLE)
        if e is not None and e.is_dir:
            self.navigate(posixpath.join(self.path, e.name))

    def _dest_at(self, pos: QPoint) -> str:
        index = self.fileList.indexAt(pos)
        e = self.model.index(index.row(), 0).data(ENTRY_ROLE) if index.isValid() else None
        return posixpath.join(self.path, e.name) if e is not None and e.is_dir else self.path

    def selected_paths(self) -> list[str]:
        rows = sorted({i.row() for i in self.fileList.selectionModel().selectedRows()})
        return [posixpath.join(self.path, self.model.index(r, 0).data(ENTRY_ROLE).name) for r in rows]

    def select(self, *names: str) -> None:
        sel = self.fileList.selectionModel()
        sel.clearSelection()
        for r in range(self.model.rowCount()):
            if self.model.index(r, 0).data(ENTRY_ROLE).name in names:
                sel.select(self.model.index(r, 0), sel.SelectionFlag.Select | sel.SelectionFlag.Rows)

    # -- copying out ----------------------------------------------------------------------
    async def save(self, paths: list[str], local_dir: str) -> list[archive.CopyOutResult]:
        """Copy container ``paths`` into ``local_dir``, one after the other."""
        self.progress = Progress()
        results = []
        for p in paths:
            results.append(await archive.copy_out(self.engine, self.container.id, p, local_dir, self.progress))
        return results

    def _run(self, what: str, coro: Coroutine[Any, Any, T], on_success: Callable[[T], None]) -> None:
        self.filesProgress.setValue(0)
        self.filesProgress.show()
        self.cancelButton.show()
        self.saveButton.setEnabled(False)
        self.statusLabel.setText(what)
        self._timer.start()

        def finish() -> None:
            self._timer.stop()
            self.filesProgress.hide()
            self.cancelButton.hide()
            self.saveButton.setEnabled(True)

        def ok(value: T) -> None:
            finish()
            on_success(value)

        def failed(exc: BaseException) -> None:
            finish()
            self.statusLabel.setText(getattr(exc, "message", str(exc)))
            cancelled = isinstance(exc, EngineError) and exc.kind is ErrorKind.CANCELLED
            errors.report(exc, context=f"Copying out of {self.container.name}", serious=not cancelled, parent=self)

        tasks.spawn(coro, name=f"files-copy-{id(self):x}", on_success=ok, on_error=failed)

    def shutdown(self) -> None:
        """Stop what the panel is doing (its listing, a copy out) before it goes."""
        if self.progress is not None:
            self.progress.cancel()
        for kind in ("list", "copy"):
            task = tasks.running(f"files-{kind}-{id(self):x}")
            if task is not None:
                task.cancel()
        self._timer.stop()

    def _show_progress(self) -> None:
        p = self.progress
        if p is None:
            return
        if p.total_bytes:
            self.filesProgress.setValue(int(min(1.0, p.bytes_done / p.total_bytes) * 1000))
        else:
            self.filesProgress.setRange(0, 0)
        rate = p.bytes_done / p.elapsed if p.elapsed > 0.2 else 0
        self.statusLabel.setText(f"{progress_size(p.bytes_done)} · {progress_size(rate)}/s · {p.files_done} items")

    def cancel(self) -> None:
        if self.progress is not None:
            self.progress.cancel()

    def ask_save(self) -> None:
        paths = self.selected_paths()
        if not paths:
            self.statusLabel.setText("Select the files or folders to save first.")
            return
        dialog = QFileDialog(self, f"Save {len(paths)} {'item' if len(paths) == 1 else 'items'} to a folder")
        dialog.setObjectName("saveDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda local: self.save_to(paths, local))
        dialog.open()

    def save_to(self, paths: list[str], local_dir: str) -> None:
        def done(results: list[archive.CopyOutResult]) -> None:
            prog = self.progress          # one Progress for all of them: its totals are the sums
            n = prog.files_done if prog else 0
            size = prog.bytes_done if prog else 0
            items = "item" if n == 1 else "items"
            self.statusLabel.setText(f"Saved {n} {items} ({progress_size(size)}) to {local_dir}.")
            self.saved.emit(results)

        self._run(f"Saving to {local_dir}…", self.save(paths, local_dir), done)

    # -- dragging out -------------------------------------------------------------------------
    async def stage(self, paths: list[str]) -> list[str]:
        """Stream ``paths`` into a fresh temporary folder; return the local paths."""
        key = tuple(paths)
        if key in self._staged:
            return self._staged[key]
        folder = tempfile.mkdtemp(dir=self._stage_root)
        results = await self.save(paths, folder)
        local = [p for r in results for p in r.paths]
        self._staged[key] = local
        return local

    @staticmethod
    def mime_for(local: list[str]) -> QMimeData:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(p) for p in local])
        return mime

    def begin_drag(self) -> None:
        paths = self.selected_paths()
        if not paths:
            return
        staged = self._staged.get(tuple(paths))
        if staged is not None:
            QTimer.singleShot(0, lambda: self._exec_drag(staged))
            return

        def ready(local: list[str]) -> None:
            if QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
                QTimer.singleShot(0, lambda: self._exec_drag(local))
            else:
                self.statusLabel.setText("Ready: drag the selection again to drop it.")

        self._run("Preparing the files for dragging…", self.stage(paths), ready)

    def _exec_drag(self, local: list[str]) -> None:
        drag = QDrag(self.fileList)
        drag.setMimeData(self.mime_for(local))
        drag.exec(Qt.DropAction.CopyAction)   # a plain Qt handler, not a coroutine: no loop is nested in a task


def _mode_text(e: RemoteEntry) -> str:
    kind = {"dir": "d", "symlink": "l", "file": "-"}.get(e.kind, "?")
    bits = "".join(ch if e.mode & (1 << (8 - i)) else "-" for i, ch in enumerate("rwxrwxrwx"))
    return kind + bits
