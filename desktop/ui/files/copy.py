"""Drag-and-drop copying into containers (``docker cp ./ NAME:/dest/``).

- :class:`ContainerDropTarget`: an event filter for any item view's viewport. It
  accepts drags that carry local files, highlights the row under the cursor and, on a
  drop, opens the copy dialog for the container of that row::

      target = ContainerDropTarget(table, engine, container_at=lambda pos: ...)

- :func:`choose_and_copy`: the same without dragging ("Copy Into…"), through the
  system's file dialog.

- :class:`CopyDialog` (``copyDialog``): the destination (``destEdit``), the "copy the
  contents" option, the files that would be overwritten (asked before any is), and the
  progress of the copy (``copyProgress``) with its speed and a cancel button.

No nested event loops: the dialog is shown with ``open()``, the work runs as tasks.
"""

from __future__ import annotations

import asyncio
import os
import posixpath
import time
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import quote

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, QRect, QSettings, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop import log
from desktop.engine import archive
from desktop.engine.addresses import port_url, web_ports
from desktop.engine.archive import CopyPlan, CopyResult, Progress
from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.formatting import progress_size
from desktop.engine.records import Container
from desktop.ui.common import errors, palette, tasks
from desktop.ui.common.actions import open_in_browser
from desktop.ui.common.palette import Tone

SETTINGS_KEY = "copy/lastDestination"
#: where common web server images serve files from (httpd, nginx, php/apache, caddy, arch)
WEB_ROOTS = ("/usr/local/apache2/htdocs", "/usr/share/nginx/html", "/var/www/html", "/usr/share/caddy",
             "/srv/http")


def local_paths(mime: QMimeData | None) -> list[str]:
    """The local files and folders a drag carries (none if it carries anything else)."""
    if mime is None or not mime.hasUrls():
        return []
    urls = mime.urls()
    paths = [u.toLocalFile() for u in urls if u.isLocalFile()]
    return paths if len(paths) == len(urls) else []


def settings_key(image: str) -> str:
    return f"{SETTINGS_KEY}/{image.replace('/', '|') or '-'}"


# -- the drop target --------------------------------------------------------------------
class ContainerDropTarget(QObject):
    """Drops of local files onto the rows of ``view`` open the copy dialog.

    ``container_at(pos)`` gives the container under a viewport position (or None);
    ``dest_at(pos)``, if given, a destination folder to propose instead of the
    remembered one (a file panel proposes the folder it shows).
    """

    dropped = Signal(object, list)       # Container, local paths
    dialogOpened = Signal(object)        # the CopyDialog

    def __init__(self, view: QAbstractItemView, engine: Engine,
                 container_at: Callable[[QPoint], Container | None], *,
                 dest_at: Callable[[QPoint], str | None] | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__(view)
        self.view = view
        self.engine = engine
        self.container_at = container_at
        self.dest_at = dest_at
        self.settings = settings
        self.dialog: CopyDialog | None = None
        viewport = view.viewport()
        view.setAcceptDrops(True)
        viewport.setAcceptDrops(True)
        self.highlight = QFrame(viewport)
        self.highlight.setObjectName("dropHighlight")
        self.highlight.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._recolour()
        palette.scheme().changed.connect(self._recolour)
        self.highlight.hide()
        viewport.installEventFilter(self)

    def _recolour(self) -> None:
        """The drop highlight in the list's selection colour (again when light and dark switch)."""
        hl = QApplication.palette(self.view).color(QPalette.ColorRole.Highlight)
        self.highlight.setStyleSheet(
            f"#dropHighlight {{ border: 2px solid {hl.name()}; border-radius: 4px;"
            f" background: rgba({hl.red()},{hl.green()},{hl.blue()},40); }}")

    def _row_rect(self, pos: QPoint) -> QRect | None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return None
        r = self.view.visualRect(index)
        return QRect(0, r.top(), self.view.viewport().width(), r.height())

    def _hover(self, event: QDragMoveEvent | QDragEnterEvent) -> None:
        pos = event.position().toPoint()
        container = self.container_at(pos) if local_paths(event.mimeData()) else None
        if container is None:
            self.highlight.hide()
            event.ignore()
            return
        rect = self._row_rect(pos)
        if rect is not None:
            self.highlight.setGeometry(rect.adjusted(1, 0, -1, 0))
            self.highlight.show()
            self.highlight.raise_()
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        t = event.type()
        if t in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            drag = cast(QDragMoveEvent, event)  # QDragEnterEvent is a QDragMoveEvent
            if not local_paths(drag.mimeData()):
                return False
            if t == QEvent.Type.DragEnter:
                drag.setDropAction(Qt.DropAction.CopyAction)
                drag.accept()   # keep receiving moves even between rows
            self._hover(drag)
            if t == QEvent.Type.DragEnter:
                event.accept()
            return True
        if t == QEvent.Type.DragLeave:
            self.highlight.hide()
            return False
        if t == QEvent.Type.Drop:
            self.highlight.hide()
            drop = cast(QDropEvent, event)
            paths = local_paths(drop.mimeData())
            if not paths:
                return False
            pos = drop.position().toPoint()
            container = self.container_at(pos)
            if container is None:
                drop.ignore()
                return True
            drop.setDropAction(Qt.DropAction.CopyAction)
            drop.accept()
            dest = self.dest_at(pos) if self.dest_at is not None else None
            self.dropped.emit(container, paths)
            self.open_dialog(container, paths, dest)
            return True
        return False

    def open_dialog(self, container: Container, paths: list[str], dest: str | None = None) -> CopyDialog:
        dialog = CopyDialog(self.engine, container, paths, parent=self.view.window(), dest=dest,
                            settings=self.settings)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        self.dialogOpened.emit(dialog)
        return dialog


def choose_and_copy(target: ContainerDropTarget, container: Container, *, folder: bool,
                    dest: str | None = None) -> QFileDialog:
    """Copy into ``container`` without dragging: the system's file dialog chooses files
    (or, with ``folder``, one folder), then the copy dialog opens as after a drop.

    The file dialog is opened, not run (a nested event loop under asyncio is a trap);
    it is returned so that its owner can see it.
    """
    parent = target.view.window()
    title = f"Copy a Folder Into {container.name}" if folder else f"Copy Files Into {container.name}"
    dlg = QFileDialog(parent, title, QStandardPaths.writableLocation(QStandardPaths.StandardLocation.HomeLocation))
    dlg.setObjectName("copyIntoFileDialog")
    dlg.setFileMode(QFileDialog.FileMode.Directory if folder else QFileDialog.FileMode.ExistingFiles)
    if folder:
        dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
    dlg.setLabelText(QFileDialog.DialogLabel.Accept, "Copy In…")
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def chosen(paths: list[str]) -> None:
        if paths:
            target.open_dialog(container, [os.path.normpath(p) for p in paths], dest)
    dlg.filesSelected.connect(chosen)
    dlg.open()
    return dlg


# -- the copy dialog ---------------------------------------------------------------------
class ConflictBox(QFrame):
    """The files a copy would overwrite, under a warning, for the user to confirm."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictBox")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.label.setObjectName("conflictLabel")
        self.label.setWordWrap(True)
        warn_icon = QLabel(self)
        warn_icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(24, 24))
        warn_icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.files = QListWidget(self)
        self.files.setObjectName("conflictList")
        self.files.setAccessibleName(self.tr("Files that will be overwritten"))
        self.files.setMaximumHeight(130)
        self.files.setAlternatingRowColors(True)
        top = QHBoxLayout()
        top.addWidget(warn_icon)
        top.addWidget(self.label, 1)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.files)


class CopyDialog(QDialog):
    """Copy local files and folders into one container.

    States: ``ready`` (choose the destination), ``checking`` (scan, destination,
    conflicts), ``confirm`` (overwrites listed, waiting for the user), ``copying``,
    then ``done``, ``cancelled`` or ``failed``. ``copied(CopyResult)`` fires on success.
    """

    copied = Signal(object)
    stateChanged = Signal(str)

    def __init__(self, engine: Engine, container: Container, paths: list[str], *,
                 parent: QWidget | None = None, dest: str | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.container = container
        self.paths = [os.path.abspath(p) for p in paths]
        self.settings = settings if settings is not None else QSettings()
        self.state = ""
        self.plan: CopyPlan | None = None
        self.progress: Progress | None = None
        # the copy's outcome; QDialog.result() (the exit code) is not used by this dialog
        self.result: CopyResult | None = None  # type: ignore[assignment]
        self.error: EngineError | None = None
        self._task: asyncio.Task[Any] | None = None
        self._samples: list[tuple[float, int]] = []
        self.setObjectName("copyDialog")
        self.setWindowTitle(f"Copy to {container.name}")
        self.setAccessibleName("Copy files into a container")
        self.setMinimumWidth(520)

        folders = [p for p in self.paths if os.path.isdir(p) and not os.path.islink(p)]
        self._folders = folders

        head = self._header(container, folders)

        # destination
        self.destEdit = QLineEdit(self)
        self.destEdit.setObjectName("destEdit")
        self.destEdit.setAccessibleName("Destination folder in the container")
        self.destEdit.setPlaceholderText("/path/in/the/container")
        self.destEdit.setClearButtonEnabled(True)
        self.destEdit.textChanged.connect(self._update_preview)
        self.contentsCheck = QCheckBox(self)
        self.contentsCheck.setObjectName("contentsCheck")
        if len(folders) == 1:
            self.contentsCheck.setText(f"Copy the contents of “{os.path.basename(folders[0])}”, not the folder itself")
        else:
            self.contentsCheck.setText("Copy the contents of the folders, not the folders themselves")
        self.contentsCheck.setToolTip("Like docker cp ./ NAME:/destination/ — the folder's files land directly "
                                      "in the destination.")
        self.contentsCheck.setVisible(bool(folders))
        self.contentsCheck.toggled.connect(self._update_preview)
        self.previewLabel = QLabel(self)
        self.previewLabel.setObjectName("previewLabel")
        self.previewLabel.setWordWrap(True)
        self.previewLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        small = QFont(self.previewLabel.font())
        small.setPointSizeF(small.pointSizeF() * 0.92)
        self.previewLabel.setFont(small)

        field = QWidget(self)
        field_box = QVBoxLayout(field)
        field_box.setContentsMargins(0, 0, 0, 0)
        field_box.setSpacing(4)
        field_box.addWidget(self.destEdit)
        field_box.addWidget(self.previewLabel)
        if folders:
            field_box.addSpacing(6)
            field_box.addWidget(self.contentsCheck)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        dest_label = QLabel("&Destination:", self)
        dest_label.setBuddy(self.destEdit)
        form.addRow(dest_label, field)

        # overwrites
        self.conflictBox = ConflictBox(self)
        self.conflictLabel = self.conflictBox.label
        self.conflictList = self.conflictBox.files
        self.conflictBox.hide()

        # progress
        self.copyProgress = QProgressBar(self)
        self.copyProgress.setObjectName("copyProgress")
        self.copyProgress.setAccessibleName("Copy progress")
        self.copyProgress.setRange(0, 1000)
        self.copyProgress.setTextVisible(False)
        self.copyProgress.hide()
        self.rateLabel = QLabel(self)
        self.rateLabel.setObjectName("rateLabel")
        self.rateLabel.hide()

        # status (result, error)
        self.statusLabel = QLabel(self)
        self.statusLabel.setObjectName("copyStatus")
        self.statusLabel.setWordWrap(True)
        self.statusLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusLabel.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.statusLabel.hide()
        self._tone = Tone.NOTE
        self._recolour()
        palette.scheme().changed.connect(self._recolour)

        # buttons
        self.buttons = QDialogButtonBox(self)
        self.copyButton = QPushButton("Copy", self)
        self.copyButton.setObjectName("copyButton")
        self.copyButton.setDefault(True)
        self.skipButton = QPushButton("Keep Existing Files", self)
        self.skipButton.setObjectName("skipButton")
        self.skipButton.setToolTip("Copy everything else; the files listed stay as they are.")
        self.skipButton.hide()
        self.cancelButton = QPushButton("Cancel", self)
        self.cancelButton.setObjectName("cancelButton")
        self.browserButton = QPushButton("Open in &Browser", self)
        self.browserButton.setObjectName("openInBrowserButton")
        self.browserButton.clicked.connect(self.open_page)
        self.buttons.addButton(self.browserButton, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.copyButton, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.skipButton, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancelButton, QDialogButtonBox.ButtonRole.RejectRole)
        self.browserButton.hide()  # until a copy into a web server is done (adding it showed it)
        self.copyButton.clicked.connect(self._on_copy)
        self.skipButton.clicked.connect(self._on_skip)
        self.cancelButton.clicked.connect(self._on_cancel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(12)
        layout.addLayout(head)
        layout.addLayout(form)
        layout.addWidget(self.conflictBox)
        layout.addWidget(self.copyProgress)
        layout.addWidget(self.rateLabel)
        layout.addWidget(self.statusLabel)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._show_progress)

        self._set_state("ready")
        if dest:
            self.destEdit.setText(dest)
        else:
            self._prefill()

    def _header(self, container: Container, folders: list[str]) -> QHBoxLayout:
        """An icon, the title (what is copied) and the container it goes into."""
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_DirIcon if folders else QStyle.StandardPixmap.SP_FileIcon).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = QLabel(self)
        title.setObjectName("copyTitle")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        title.setText(self._what())
        title.setWordWrap(True)
        subtitle = QLabel(self.tr("into the container <b>{name}</b>").format(name=_esc(container.name)), self)
        subtitle.setToolTip(f"{container.image} · {container.state or '?'} · {container.short_id}")
        subtitle.setObjectName("copySubtitle")
        subtitle.setWordWrap(True)
        head_text = QVBoxLayout()
        head_text.setSpacing(2)
        head_text.addWidget(title)
        head_text.addWidget(subtitle)
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(icon)
        head.addLayout(head_text, 1)
        return head

    # -- small helpers ----------------------------------------------------------------
    def _what(self) -> str:
        names = [os.path.basename(p.rstrip(os.sep)) or p for p in self.paths]
        if len(names) == 1:
            return f"Copy “{names[0]}”"
        return f"Copy {len(names)} items (“{names[0]}”, …)"

    def _recolour(self) -> None:
        """The preview dimmed and the status in its tone, on the application's palette
        (a label's own keeps the last tone, and the old scheme's colours until the new
        one reaches it); again when light and dark switch."""
        for label, colour in ((self.previewLabel, palette.muted(QApplication.palette(self.previewLabel))),
                              (self.statusLabel, palette.tone(self._tone, QApplication.palette(self.statusLabel)))):
            pal = label.palette()
            pal.setColor(QPalette.ColorRole.WindowText, colour)
            label.setPalette(pal)

    def _status(self, text: str, tone: Tone = Tone.NOTE) -> None:
        self._tone = tone
        self._recolour()
        self.statusLabel.setText(text)
        self.statusLabel.setVisible(bool(text))

    def _set_state(self, state: str) -> None:
        self.state = state
        editable = state in ("ready", "failed", "cancelled", "confirm")
        self.destEdit.setReadOnly(not editable or state == "confirm")
        self.contentsCheck.setEnabled(state in ("ready", "failed", "cancelled"))
        self.copyButton.setVisible(state != "done")
        self.copyButton.setEnabled(state in ("ready", "confirm", "failed", "cancelled"))
        self.skipButton.setVisible(state == "confirm")
        self.cancelButton.setText("Close" if state in ("done",) else "Cancel")
        self.cancelButton.setToolTip("Stop the copy" if state == "copying" else "")
        if state != "confirm":
            self.conflictBox.setVisible(False)
            self.copyButton.setText({"failed": "Try Again", "cancelled": "Copy Again"}.get(state, "Copy"))
        copying = state in ("copying", "done", "cancelled", "failed") and self.progress is not None
        self.copyProgress.setVisible(copying)
        self.rateLabel.setVisible(copying)
        self.stateChanged.emit(state)

    def _update_preview(self) -> None:
        text = self.destEdit.text().strip()
        try:
            dest = archive.normalize_dest(text)
        except EngineError as exc:
            self.previewLabel.setText(exc.message if text else "Choose a folder in the container.")
            return
        if self.contentsCheck.isChecked() and len(self._folders) == len(self.paths):
            where = f"The contents will go into {dest}"
        else:
            names = [os.path.basename(p.rstrip(os.sep)) for p in self.paths]
            first = posixpath.join(dest, names[0])
            where = f"Will be copied as {first}" + (f" and {len(names) - 1} more" if len(names) > 1 else "")
        self.previewLabel.setText(where + " (missing folders are created).")

    # -- the destination proposed ------------------------------------------------------
    def _prefill(self) -> None:
        last = self.settings.value(settings_key(self.container.image), "", type=str)
        if isinstance(last, str) and last:
            self.destEdit.setText(last)
            if last in WEB_ROOTS and len(self._folders) == len(self.paths) == 1:
                self.contentsCheck.setChecked(True)  # a site dropped again replaces the site
            return
        self.destEdit.setText("/")

        async def propose() -> tuple[str, bool]:
            """A web server's document root if the container has one (drop your site on
            the web server: its contents go there), else the image's working directory."""
            for root in WEB_ROOTS:
                try:
                    st = await self.engine.stat_path(self.container.id, root)
                except EngineError:
                    st = None
                if st and int(st.get("mode", 0)) & (1 << 31):  # Go's os.ModeDir
                    return root, True
            info = await self.engine.inspect_image(self.container.image or self.container.image_id)
            return ((info.get("Config") or {}).get("WorkingDir") or "").strip(), False

        def done(found: tuple[str, bool]) -> None:
            path, web_root = found
            if path and not self.destEdit.isModified() and self.state == "ready":
                self.destEdit.setText(path)
                if web_root and len(self._folders) == len(self.paths) == 1:
                    self.contentsCheck.setChecked(True)

        tasks.spawn(propose(), name=f"copy-prefill-{id(self):x}", on_success=done,
                    on_error=lambda exc: log.ui.info("no destination to propose for %s: %s",
                                                     self.container.image, exc))

    # -- steps ---------------------------------------------------------------------------
    def _on_copy(self) -> None:
        if self.state == "confirm":
            self._start(overwrite=True)
            return
        try:
            dest = archive.normalize_dest(self.destEdit.text())
        except EngineError as exc:
            self._status(exc.message, Tone.ERROR)
            self.destEdit.setFocus()
            return
        self._set_state("checking")
        self._status("Checking the destination…")
        contents = self.contentsCheck.isChecked()

        async def prepare() -> CopyPlan:
            selection = await archive.run_in_thread(lambda: archive.scan(self.paths, contents=contents), "berth-scan")
            plan = await archive.plan_copy(self.engine, self.container.id, dest, selection)
            await archive.find_conflicts(self.engine, plan)
            return plan

        self._task = tasks.spawn(prepare(), name=f"copy-{id(self):x}", on_success=self._prepared,
                                 on_error=self._failed)

    def _prepared(self, plan: CopyPlan) -> None:
        self.plan = plan
        if plan.selection.skipped:
            log.ui.info("not copied (not files or folders): %s", plan.selection.skipped)
        if not plan.conflicts:
            self._start(overwrite=False)
            return
        n = len(plan.conflicts)
        self.conflictLabel.setText(
            f"<b>{n} {'file already exists' if n == 1 else 'files already exist'}</b> in the container "
            f"and would be replaced. Replace {'it' if n == 1 else 'them'}?")
        self.conflictList.clear()
        self.conflictList.addItems(plan.conflicts)
        self.copyButton.setText(f"Replace {n} {'File' if n == 1 else 'Files'}")
        self.copyButton.setDefault(False)
        self.copyButton.setAutoDefault(False)  # Enter must not replace files: Cancel has it
        self.cancelButton.setDefault(True)
        self.cancelButton.setFocus()
        self._set_state("confirm")
        self.conflictBox.show()
        self._status("")

    def _on_skip(self) -> None:
        if self.state == "confirm" and self.plan is not None:
            self._start(overwrite=False, skip=list(self.plan.conflicts))

    def _start(self, *, overwrite: bool, skip: list[str] | None = None) -> None:
        assert self.plan is not None
        self.progress = Progress()
        self._samples = []
        self.copyProgress.setValue(0)
        self._set_state("copying")
        self._status("")
        self._show_progress()
        self._timer.start()
        self._task = tasks.spawn(archive.copy_in(self.engine, self.plan, self.progress, overwrite=overwrite,
                                                 skip=skip or ()),
                                 name=f"copy-{id(self):x}", on_success=self._copied, on_error=self._failed)

    def _show_progress(self) -> None:
        prog = self.progress
        if prog is None:
            return
        now = time.monotonic()
        self._samples.append((now, prog.bytes_done))
        while len(self._samples) > 2 and now - self._samples[0][0] > 1.5:
            self._samples.pop(0)
        t0, b0 = self._samples[0]
        if prog.finished is not None:
            # over: the whole copy's average. The last 1.5 s gave "0 bytes/s" for a copy
            # over before a speed could be measured (4 MB here), and would for one whose
            # last moments were spent waiting for the engine's answer.
            rate = prog.bytes_done / prog.elapsed if prog.elapsed > 0 else 0.0
        else:
            rate = (prog.bytes_done - b0) / (now - t0) if now - t0 > 0.2 else 0.0
        if prog.total_bytes:
            frac = prog.bytes_done / prog.total_bytes
        else:
            frac = prog.files_done / prog.total_files if prog.total_files else 0.0
        self.copyProgress.setValue(int(min(1.0, frac) * 1000))
        parts = [f"{progress_size(prog.bytes_done)} of {progress_size(prog.total_bytes)}"]
        if self.state == "copying":
            parts.append(f"{progress_size(rate)}/s")
        parts.append(f"{prog.files_done} of {prog.total_files} items")
        self.rateLabel.setText(" · ".join(parts))

    def _copied(self, result: CopyResult) -> None:
        self._timer.stop()
        self.result = result
        self._show_progress()
        self.copyProgress.setValue(1000)
        self.settings.setValue(settings_key(self.container.image), self.plan.dest if self.plan else result.dest)
        self.settings.sync()
        self._set_state("done")
        self._status(result.summary(), Tone.OK)
        self.cancelButton.setDefault(True)
        self.cancelButton.setFocus()
        page = self.page_url()
        if page:  # a web server: the page the files went to is a click away
            self.browserButton.setToolTip(page)
            self.browserButton.show()
        self.copied.emit(result)

    def page_url(self) -> str:
        """Where the copied files are served, for a container with a published web port:
        its address, and the folder under the server's web root the files went to."""
        ports = web_ports(self.container.ports)
        if not ports:
            return ""
        url = port_url(self.engine.host, ports[0])
        dest = (self.plan.dest if self.plan else "") or ""
        for root in WEB_ROOTS:
            if dest == root or dest.startswith(root + "/"):
                sub = dest[len(root):].strip("/")
                return url + (f"{quote(sub)}/" if sub else "")
        return url

    def open_page(self) -> None:
        page = self.page_url()
        if page:
            open_in_browser(page)

    def _failed(self, exc: BaseException) -> None:
        self._timer.stop()
        self._show_progress()
        err = exc if isinstance(exc, EngineError) else EngineError(ErrorKind.INTERNAL, str(exc) or repr(exc))
        self.error = err
        cancelled = err.kind is ErrorKind.CANCELLED
        self._set_state("cancelled" if cancelled else "failed")
        self._status(err.message, Tone.WARNING if cancelled else Tone.ERROR)
        # The one route: logged, in the status bar; the dialog already shows it.
        errors.report(err, context=f"Copy to {self.container.name}", serious=False, parent=self)

    def _on_cancel(self) -> None:
        if self.state == "copying" and self.progress is not None:
            self.progress.cancel()
            self.cancelButton.setEnabled(False)
            self._status("Cancelling…", Tone.WARNING)
            QTimer.singleShot(0, lambda: self.cancelButton.setEnabled(True))
            return
        if self.state == "checking" and self._task is not None:
            self._task.cancel()
        self.reject()

    def reject(self) -> None:
        if self.state == "copying":          # Escape or the window's close button: stop first
            self._on_cancel()
            return
        super().reject()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
