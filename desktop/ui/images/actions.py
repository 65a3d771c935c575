"""What can be done to the selected images: run, tag, remove (with its confirmation), and
selecting an image once a pull has brought it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QCheckBox, QInputDialog, QMenu, QMessageBox, QStatusBar, QTableView

from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.formatting import NONE, ImageRow
from desktop.engine.parsing import familiar_reference
from desktop.engine.records import Container
from desktop.engine.states import needs_force
from desktop.ui.common import errors, tasks
from desktop.ui.common.actions import fill_menu, make_action, plural
from desktop.ui.common.confirm import confirm
from desktop.ui.common.filtering import FilterProxy
from desktop.ui.common.table_model import Role
from desktop.ui.images.model import ImagesModel


class ImageActions(QObject):
    """The image actions of a window, acting on the selection of ``table``.

    ``runRequested(reference)`` asks the window for the run dialog.
    """

    runRequested = Signal(str)

    def __init__(self, table: QTableView, model: ImagesModel, proxy: FilterProxy,
                 engine: Callable[[], Engine], status: QStatusBar,
                 users: Callable[[str], list[Container]] = lambda _image_id: []) -> None:
        super().__init__(table)
        self._users = users  # the containers that use an image (by id)
        self.table, self.model, self.proxy = table, model, proxy
        self._engine = engine
        self._status = status
        self._confirm_box: QMessageBox | None = None
        self._pending: str | None = None
        w = table.window()
        # Delete removes images on the images tab, as it removes containers on theirs (the
        # other tab's action is disabled meanwhile, so the key is never ambiguous).
        self.remove = make_action(w, "actionRemoveImage", "Remove &Image…", self.remove_selected,
                                  shortcut="Delete", icon="remove", tip="Remove the selected images")
        self.tag = make_action(w, "actionTagImage", "&Tag Image…", self.tag_selected, icon="tag",
                               tip="Add a tag to the selected image")
        self.run = make_action(w, "actionRunImage", "Run &Image…", self.run_selected, icon="run",
                               tip="Run a container from the selected image")
        self.copy_id = make_action(w, "actionCopyImageId", "&Copy ID", self.copy_ids, shortcut="Ctrl+Shift+C",
                                   icon="copy", tip="Copy the selected IDs")
        for a in self.all():
            w.addAction(a)
        table.customContextMenuRequested.connect(self.context_menu)
        table.doubleClicked.connect(lambda _index: self.run.trigger())
        model.modelReset.connect(self.select_pending)
        model.rowsInserted.connect(self.select_pending)

    def all(self) -> list[QAction]:
        return [self.run, self.tag, self.copy_id, self.remove]

    @property
    def engine(self) -> Engine:
        return self._engine()

    def selected(self) -> list[ImageRow]:
        rows = self.table.selectionModel().selectedRows()
        return [r for r in (i.data(Role.Record) for i in rows) if r is not None]

    def update(self, active: bool) -> None:
        """Enable what the selection allows (nothing while ``active`` is false: another tab)."""
        sel = self.selected() if active else []
        self.remove.setEnabled(bool(sel))
        self.copy_id.setEnabled(bool(sel))
        self.tag.setEnabled(len(sel) == 1)
        self.run.setEnabled(len(sel) == 1)

    # -- operations ----------------------------------------------------------------------
    def remove_selected(self) -> None:
        rows = self.selected()
        if not rows:
            return
        refs = [r.reference for r in rows]
        force = QCheckBox("Force (also untag images that other tags or stopped containers use)")
        force.setObjectName("forceRemoveImageCheck")

        def remove() -> None:
            for row in rows:
                self.remove_image(row, force=force.isChecked())
        self._confirm_box = confirm(
            self.table.window(), "confirmRemoveImage", title="Remove images" if len(refs) > 1 else "Remove image",
            text=f"Remove {plural(len(refs), 'image')}?",
            informative="\n".join(refs[:8]) + ("\n…" if len(refs) > 8 else ""),
            action="Remove", on_confirm=remove, checkbox=force)

    def remove_image(self, row: ImageRow, *, force: bool = False) -> None:
        """Remove the image of ``row`` by its reference; a refusal because containers use
        it names them and offers what can work."""
        ref, engine = row.reference, self.engine

        async def remove() -> None:
            try:
                await engine.remove_image(ref, force=force)
            except EngineError as exc:
                if exc.kind is not ErrorKind.IMAGE_IN_USE or not self._users(row.image.id):
                    raise
                self._in_use(row, exc)
        tasks.spawn(remove(), context=f"Removing {ref}")

    def _in_use(self, row: ImageRow, exc: EngineError) -> None:
        ref, engine = row.reference, self.engine
        users = self._users(row.image.id)
        running = [c for c in users if needs_force(c.state)]
        stopped = [c for c in users if c not in running]

        def said(cs: list[Container]) -> str:
            names = [c.name for c in cs[:4]] + ([f"{len(cs) - 4} more"] if len(cs) > 4 else [])
            return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
        parts = (([f"{said(running)} (running)"] if running else [])
                 + ([f"{said(stopped)} (stopped)"] if stopped else []))
        message = (f"Cannot remove {ref}: the {'container' if len(users) == 1 else 'containers'} "
                   f"{' and '.join(parts)} {'uses' if len(users) == 1 else 'use'} it.")

        async def remove_stopped_then_image() -> None:
            for c in stopped:
                await engine.remove(c.id)
            await engine.remove_image(ref)

        async def stop_remove_then_image() -> None:
            for c in running:
                await engine.stop(c.id)
            for c in users:
                await engine.remove(c.id)
            await engine.remove_image(ref)
        offers = []
        if stopped and not running:
            offers.append(errors.Offer(f"Remove {said(stopped)}, then the image",
                                       lambda: tasks.spawn(remove_stopped_then_image(), context=f"Removing {ref}"),
                                       "removeUsersButton"))
        if running:
            offers.append(errors.Offer(f"Stop and remove {said(users)}, then the image",
                                       lambda: tasks.spawn(stop_remove_then_image(), context=f"Removing {ref}"),
                                       "stopUsersButton"))
        if row.tag != NONE:  # a tag can be taken off whatever uses the image; the image stays
            offers.append(errors.Offer("Only untag it (force)",
                                       lambda: tasks.spawn(engine.remove_image(ref, force=True),
                                                           context=f"Untagging {ref}"),
                                       "forceUntagButton"))
        errors.report(EngineError(exc.kind, message, exc.detail), context="Removing an image", offers=offers)

    def tag_selected(self) -> None:
        rows = self.selected()
        if len(rows) != 1:
            return
        row = rows[0]
        dlg = QInputDialog(self.table.window())
        dlg.setObjectName("tagDialog")
        dlg.setWindowTitle("Tag image")
        dlg.setLabelText(f"New tag for {row.image.short_id} (for example myname/web:1.0):")
        dlg.setTextValue(f"{row.repository}:" if row.repository != NONE else "")
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        engine = self.engine

        def accepted(text: str) -> None:
            text = text.strip()
            if text:
                tasks.spawn(engine.tag_image(row.image.id, text), context=f"Tagging {row.image.short_id}")
        dlg.textValueSelected.connect(accepted)
        dlg.open()

    def run_selected(self) -> None:
        rows = self.selected()
        if len(rows) == 1:
            self.runRequested.emit(rows[0].reference)

    def copy_ids(self) -> None:
        ids = list(dict.fromkeys(r.image.id for r in self.selected()))
        if ids:
            QGuiApplication.clipboard().setText("\n".join(ids))
            self._status.showMessage(f"Copied {plural(len(ids), 'ID')}", 3000)

    # -- selecting a pulled image ----------------------------------------------------
    def select_when_listed(self, reference: str) -> None:
        """Select the image ``reference`` now, or as soon as the images list has it."""
        self._pending = reference
        self.select_pending()

    def select_pending(self) -> None:
        ref = self._pending
        if not ref:
            return
        want = familiar_reference(ref)
        if want is None:
            self._pending = None
            return
        for row in range(self.model.rowCount()):
            r = self.model.record(row)
            if r.repository == want.name and r.tag == (want.tag or "latest"):
                self._pending = None
                idx = self.proxy.mapFromSource(self.model.index(row, 0))
                self.table.selectionModel().select(
                    idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(idx)
                return

    def context_menu(self, pos: QPoint) -> QMenu:
        menu = QMenu(self.table)
        menu.setObjectName("imagesMenu")
        fill_menu(menu, [self.run, self.tag, self.copy_id, None, self.remove])
        menu.popup(self.table.viewport().mapToGlobal(pos))
        return menu
