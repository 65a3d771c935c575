"""The pull dialog (``docker image pull``): per-layer and overall progress, cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.engine.client import Engine
from desktop.engine.credentials import registry_title
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.formatting import progress_size
from desktop.engine.parsing import familiar_reference, parse_image_reference, registry_of_reference
from desktop.engine.pulling import PullTracker, follow_pull
from desktop.engine.records import PullProgress
from desktop.ui.common.operations import Operations
from desktop.ui.common.widgets import FieldMessage, GiveBackHeight, dialog_buttons, field_row, fixed_font


class PullDialog(QDialog):
    """Pull an image. ``pulled(reference)`` gives the full reference (``httpd:latest``);
    ``loginRequested(registry)`` asks for the login dialog when the registry wants one."""

    pulled = Signal(str)
    loginRequested = Signal(str)

    def __init__(self, engine: Engine, parent: QWidget | None = None, reference: str = "") -> None:
        super().__init__(parent)
        self.engine = engine
        self._ops = Operations(self)
        self._tracker = PullTracker()
        self._items: dict[str, QTreeWidgetItem] = {}
        self._busy = False
        self._login_registry = ""
        self.setObjectName("pullDialog")
        self.setWindowTitle("Pull an Image")
        self.setAccessibleName("Pull an image")

        intro = QLabel("Download an image from a registry, as <tt>docker image pull</tt> does. "
                       "Without a tag, <tt>latest</tt> is pulled.", self)
        intro.setWordWrap(True)

        self.ref_edit = QLineEdit(reference, self)
        self.ref_edit.setObjectName("imageRefEdit")
        self.ref_edit.setAccessibleName("Image")
        self.ref_edit.setPlaceholderText("docker/whalesay:latest")
        self.ref_edit.setToolTip("[registry[:port]/]repository[:tag], as httpd, docker/whalesay:latest "
                                 "or 127.0.0.1:5000/team/app:1.0")
        self.ref_message = FieldMessage("imageRefMessage", self.ref_edit, self)
        self.login_button = QPushButton("Log &In…", self)
        self.login_button.setObjectName("loginButton")
        self.login_button.setAutoDefault(False)
        self.login_button.hide()
        self.login_button.clicked.connect(lambda: self.loginRequested.emit(self._login_registry))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        label = QLabel("&Image:", self)
        label.setBuddy(self.ref_edit)
        form.addRow(label, field_row(self.ref_edit, self.ref_message))

        self.progress = QProgressBar(self)
        self.progress.setObjectName("pullProgress")
        self.progress.setAccessibleName("Pull progress")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setTextVisible(False)
        self.progress.hide()  # until a pull starts: an empty bar looks like a text field
        self.status_label = QLabel(self)
        self.status_label.setObjectName("pullStatus")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)

        self.layers = QTreeWidget(self)
        self.layers.setObjectName("layersView")
        self.layers.setAccessibleName("Layers")
        self.layers.setHeaderLabels(["Layer", "Status", "Progress"])
        self.layers.setRootIsDecorated(False)
        self.layers.setUniformRowHeights(True)
        self.layers.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.layers.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.layers.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.layers.setMinimumHeight(140)

        self.message = FieldMessage("pullMessage", None, self)

        self.buttons, self.ok_button, self.cancel_button = dialog_buttons(self, "&Pull", self.login_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.layers, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(560, 380)

        self.ref_edit.textChanged.connect(self._check)
        self._check()
        self._give_back_height = GiveBackHeight(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ref_edit.setFocus()  # typing goes to the image name, not to the buttons

    # -- input -------------------------------------------------------------------
    @property
    def reference(self) -> str:
        return self.ref_edit.text().strip()

    def _check(self, _text: str = "") -> bool:
        """Check the reference as typed; True when it can be pulled."""
        self.message.clear()
        self._show_login(None)
        text = self.reference
        if not text:
            self.ref_message.clear()
            return False
        try:
            ref = parse_image_reference(text)
        except EngineError as exc:
            self.ref_message.error(exc.message)
            return False
        given = familiar_reference(text)
        if given is not None and not given.tag and not given.digest:
            self.ref_message.note(f"No tag given: {ref} will be pulled.")
        else:
            self.ref_message.clear()
        return True

    # -- pulling ---------------------------------------------------------------
    def accept(self) -> None:
        if self._busy:
            return
        if not self.reference:
            self.ref_message.error("Enter the image to pull, as docker/whalesay:latest.")
            self.ref_edit.setFocus()
            return
        if not self._check():
            self.ref_edit.setFocus()
            return
        reference = str(parse_image_reference(self.reference))
        self._ops.run("pull", lambda: self._pull(reference), context=f"Pulling {reference}",
                      busy=self._set_busy, refused=lambda exc: self._refused(reference, exc),
                      failed=self._failed, serious=False, done=lambda _: self._pulled(reference))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ref_edit.setReadOnly(busy)
        self.ok_button.setEnabled(not busy)
        self.cancel_button.setToolTip("Stop the pull" if busy else "")
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    async def _pull(self, reference: str) -> None:
        self._items.clear()
        self.layers.clear()
        self.progress.show()
        self.progress.setRange(0, 0)  # busy until the layers are known
        self.progress.setTextVisible(True)
        self.status_label.setText(f"Pulling {reference}…")
        self.message.clear()
        self._show_login(None)
        self._tracker = await follow_pull(self.engine, reference, self._show_batch)

    def _pulled(self, reference: str) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(1000)
        self.status_label.setText(self._tracker.status or f"Pulled {reference}.")
        self.pulled.emit(reference)
        super().accept()

    def _show_batch(self, tracker: PullTracker, batch: list[tuple[PullProgress, str | None]]) -> None:
        self._tracker = tracker
        for p, layer in batch:
            self._show_layer(p, layer)
        self._show_overall()

    def _show_layer(self, p: PullProgress, layer: str | None) -> None:
        if layer is None:
            if p.status:
                self.status_label.setText(p.status)
            return
        item = self._items.get(layer)
        if item is None:
            item = QTreeWidgetItem([layer, "", ""])
            item.setFont(0, fixed_font())
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.layers.addTopLevelItem(item)
            self._items[layer] = item
        item.setText(1, p.status)
        if p.total:
            item.setText(2, f"{progress_size(p.current, byte_unit='B')} / {progress_size(p.total, byte_unit='B')}")
        elif p.status.lower().startswith(("pull complete", "already exists")):
            item.setText(2, "done")

    def _show_overall(self) -> None:
        fraction = self._tracker.fraction
        if fraction is None:
            return
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1000)
        self.progress.setValue(int(fraction * 1000))

    def _refused(self, reference: str, exc: EngineError) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.hide()
        self.status_label.clear()
        registry = registry_of_reference(reference)
        if exc.kind is ErrorKind.UNAUTHORIZED:
            self.message.error(f"{registry_title(registry)} wants a login to pull {reference}. "
                               "Log in, then pull again.")
            self._show_login(registry)
        elif exc.kind is ErrorKind.IMAGE_NOT_FOUND:
            self.message.error(f"{reference} was not found: check the name and the tag. "
                               "A private image needs a login first.")
            self._show_login(registry)
        else:
            self.message.error(exc.message)
        self.ref_edit.setFocus()

    def _show_login(self, registry: str | None) -> None:
        """Offer a login to ``registry`` (None: none); the pull goes on once it is saved."""
        self._login_registry = registry or ""
        self.login_button.setVisible(registry is not None)
        if registry is not None:
            self.login_button.setText(f"Log &In to {registry_title(registry)}…")
            op = self._ops.current("pull")
            if op is not None:
                op.wait_for_login(registry)

    def _failed(self, exc: BaseException) -> None:
        self.message.error(str(exc) or type(exc).__name__)

    # -- closing ---------------------------------------------------------------
    def reject(self) -> None:
        """Cancel: stop a running pull (the dialog stays open), else close."""
        if self._busy:
            self._ops.cancel("pull")
            self.progress.setRange(0, 1000)
            self.progress.setValue(0)
            self.progress.hide()
            self.status_label.setText("The pull was cancelled.")
            return
        super().reject()

    def done(self, result: int) -> None:
        self._ops.cancel()
        super().done(result)
