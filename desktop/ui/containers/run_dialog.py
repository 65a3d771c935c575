"""The run dialog (``docker run`` / ``docker create``).

Every field is checked as it is typed, with the engine layer's parsers; the message
goes beside the field (:mod:`.run_checks`, the ports in :mod:`.run_ports`, the advanced
options in :mod:`.run_options`). The equivalent command line is shown live
(:mod:`.run_preview`). OK pulls the image first when the engine does not have it, then
creates (and starts) the container; an engine error goes back beside the field it is
about and the dialog stays open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.parsing import parse_image_reference, registry_of_reference
from desktop.engine.pulling import PullTracker, follow_pull
from desktop.engine.records import Container, RunSpec
from desktop.engine.states import State
from desktop.engine.store import EngineStore
from desktop.ui.common import errors
from desktop.ui.common.operations import Operations
from desktop.ui.common.widgets import (
    Collapsible,
    FieldMessage,
    GiveBackHeight,
    Tone,
    dialog_buttons,
    field_row,
    fixed_font,
)
from desktop.ui.containers.output_dialog import OutputDialog
from desktop.ui.containers.run_checks import RunChecks, RunFields
from desktop.ui.containers.run_options import RunOptions
from desktop.ui.containers.run_ports import PortsEditor
from desktop.ui.containers.run_preview import CommandPreview

#: a container that stops this soon after it started ran a one-off command: show its output
SETTLE_SECONDS = 2.0


async def stops_soon(store: EngineStore, cid: str) -> bool:
    """Whether the container ``cid``, just started, stops within :data:`SETTLE_SECONDS`
    and is still there (a ``--rm`` container is gone): watched in the store (the
    engine's events say so), nothing is asked of the engine."""
    ended = asyncio.Event()

    def rows(records: Sequence[Container]) -> None:
        # "created" comes before the start: only a container that ran and stopped ended
        if any(r.id == cid and r.state in (State.EXITED, State.DEAD) for r in records):
            ended.set()

    def gone(idents: Sequence[str]) -> None:
        if cid in idents:
            ended.set()
    unsubscribe = store.containers.subscribe(added=rows, changed=rows, reset=rows, removed=gone)
    try:
        rows(list(store.containers))
        await asyncio.wait_for(ended.wait(), SETTLE_SECONDS)
    except TimeoutError:
        return False  # still running: a server, not a one-off command
    finally:
        unsubscribe()
    return cid in store.containers


def _line(parent: QWidget, name: str, accessible: str, placeholder: str = "", tip: str = "") -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setPlaceholderText(placeholder)
    if tip:
        edit.setToolTip(tip)
    return edit


def _label(parent: QWidget, text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


def _hidden_button(parent: QWidget, name: str, text: str, tip: str = "") -> QPushButton:
    """A button beside a field, shown when it applies."""
    button = QPushButton(text, parent)
    button.setObjectName(name)
    if tip:
        button.setToolTip(tip)
    button.setAutoDefault(False)
    button.hide()
    return button


class RunDialog(QDialog):
    """Run or create a container.

    ``created(container_id, started)`` fires once the container exists. When a started
    container ran a command (or stopped at once), an :class:`OutputDialog` with its output
    opens next to the main window; ``outputShown(dialog)`` fires with it.
    ``loginRequested(registry)`` asks for the login dialog when a pull needs one.
    """

    created = Signal(str, bool)
    outputShown = Signal(object)
    loginRequested = Signal(str)

    def __init__(self, engine: Engine, store: EngineStore, parent: QWidget | None = None, image: str = "",
                 images: Iterable[str] = (), *, show_output: bool = True) -> None:
        """``store`` is the engine's live picture: the checks (a name in use, a host port
        taken, whether the image is here) read it and follow it; the dialog sends no list."""
        super().__init__(parent)
        self.engine = engine
        self.store = store
        self.show_output = show_output
        self.output_dialog: OutputDialog | None = None
        self.container_id = ""
        self._ops = Operations(self)
        self._busy = False
        self._cancellable = True
        self._login_registry = ""
        self.setObjectName("runDialog")
        self.setWindowTitle(self.tr("Run a Container"))
        self.setAccessibleName(self.tr("Run a container"))
        self._build()
        self.checks = RunChecks(RunFields(self.image_edit, self.image_message, self.image_pull_button,
                                          self.name_edit, self.name_message, self.command_edit,
                                          self.command_message, self.ports, self.options, self.start_check),
                                engine, store, images, self)
        self._connect()
        self._give_back_height = GiveBackHeight(self)
        self.image_edit.setText(image)
        self.checks.follow_store()
        (self.name_edit if image else self.image_edit).setFocus()

    # ------------------------------------------------------------------ building
    def _build_fields(self) -> QFormLayout:
        """The image, name, command and ports fields, in a form."""
        self.image_edit = _line(self, "imageEdit", self.tr("Image"), "docker/whalesay:latest",
                                     self.tr("The image to run: [registry/]repository[:tag] or an image ID. "
                                             "Without a tag, latest is used."))
        self.image_message = FieldMessage("imageMessage", self.image_edit, self)
        self.image_pull_button = _hidden_button(self, "imagePullButton", self.tr("Pull &Now"),
                                              self.tr("Download the image now, before running it"))
        self.login_button = _hidden_button(self, "loginButton", self.tr("Log &In…"))
        self.name_edit = _line(self, "nameEdit", self.tr("Name"), self.tr("Docker picks a name when this is empty"),
                                    self.tr("Letters, digits, '_', '.' and '-', starting with a letter or digit"))
        self.name_message = FieldMessage("nameMessage", self.name_edit, self)
        self.command_edit = _line(self, "commandEdit", self.tr("Command"), self.tr("The image's own command"),
                                       self.tr("The command to run instead of the image's own, with shell "
                                               "quoting: cowsay boo, or sh -c 'echo hi; ls'"))
        self.command_edit.setFont(fixed_font())
        self.command_message = FieldMessage("commandMessage", self.command_edit, self)
        self.ports = PortsEditor(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(_label(self, self.tr("&Image:"), self.image_edit),
                    field_row(self.image_edit, self.image_message, self.image_pull_button, self.login_button))
        form.addRow(_label(self, self.tr("&Name:"), self.name_edit), field_row(self.name_edit, self.name_message))
        form.addRow(_label(self, self.tr("&Command:"), self.command_edit),
                    field_row(self.command_edit, self.command_message))
        form.addRow(_label(self, self.tr("&Ports:"), self.ports.edit), self.ports)
        return form

    def _build(self) -> None:
        self.intro = QLabel(self._intro(start=True), self)
        self.intro.setWordWrap(True)
        form = self._build_fields()
        self.options = RunOptions(self)
        self.advanced = Collapsible(self.tr("&Advanced options"), self.options, "advancedToggle", self)
        self.start_check = QCheckBox(self.tr("&Start the container now (untick to only create it, as docker "
                                             "create)"), self)
        self.start_check.setObjectName("startCheck")
        self.start_check.setChecked(True)
        self.preview = CommandPreview(self)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("runProgress")
        self.progress.setAccessibleName(self.tr("Progress"))
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(self.fontMetrics().height())
        self.progress.hide()
        self.message = FieldMessage("runMessage", None, self)
        self.message.setAccessibleName(self.tr("Message"))
        self.buttons, self.ok_button, self.cancel_button = dialog_buttons(self, self.tr("&Run"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.advanced)
        layout.addWidget(self.start_check)
        layout.addSpacing(4)
        layout.addWidget(self.preview)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(620)

    def _connect(self) -> None:
        self.image_pull_button.clicked.connect(self.pull_image)
        self.login_button.clicked.connect(lambda: self.loginRequested.emit(self._login_registry))
        completer = QCompleter(self.checks.names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.image_edit.setCompleter(completer)
        self.image_edit.textChanged.connect(self._image_changed)
        self.checks.changed.connect(self._update_command_line)
        self.options.changed.connect(self._update_command_line)
        self.options.revealRequested.connect(lambda: self.advanced.set_expanded(True))
        self.start_check.toggled.connect(self._start_toggled)

    def _intro(self, *, start: bool) -> str:
        if start:
            return self.tr("Create a container from an image and start it, as <tt>docker run</tt> does.")
        return self.tr("Create a container from an image without starting it, as <tt>docker create</tt> does.")

    # ------------------------------------------------------------------ following the fields
    @property
    def is_loaded(self) -> bool:
        """Whether the engine's lists are known (the store has had its first list)."""
        return self.store.is_connected

    def spec(self) -> RunSpec | None:
        """What the fields say, or None while one of them is wrong."""
        return self.checks.spec()

    def _image_changed(self, _text: str = "") -> None:
        self._show_login(None)
        self.checks.check_image()

    def _update_command_line(self) -> None:
        self.preview.show_spec(self.checks.spec(), self.checks.wrong, image_given=self.checks.image_given)

    def _start_toggled(self, start: bool) -> None:
        self.ok_button.setText(self.tr("&Run") if start else self.tr("&Create"))
        self.setWindowTitle(self.tr("Run a Container") if start else self.tr("Create a Container"))
        self.intro.setText(self._intro(start=start))
        self.checks.check_image()

    def add_folder(self, path: str, target: str = "/data") -> None:
        """Add a bind mount line for ``path`` and select its container path for editing."""
        self.options.add_folder(path, target)

    # ------------------------------------------------------------------ running
    def accept(self) -> None:
        """OK: check everything; pull when needed, create, start. The dialog closes on success."""
        if self._busy:
            return
        self.message.clear()
        self.checks.validate_all()
        spec = self.checks.spec()
        if spec is None:
            first = self.checks.show_errors()
            if first in (self.options.env_edit, self.options.volumes_edit):
                self.advanced.set_expanded(True)
            if first is not None:
                first.setFocus()
            return
        self._ops.run("run", lambda: self._run(spec), context=self.tr("Running a container"), busy=self._set_busy,
                      refused=lambda exc: self._show_engine_error(exc, spec.image), failed=self._failed,
                      done=lambda cid: self._created(cid, spec))

    def pull_image(self) -> None:
        """Pull the image in the image field now."""
        if self._busy or self.checks.is_wrong("image"):
            return
        image = self.checks.value("image")
        self._ops.run("run", lambda: self._pull(image), context=self.tr("Pulling"), busy=self._set_busy,
                      refused=lambda exc: self._show_engine_error(exc, image), failed=self._failed,
                      done=lambda _: self.checks.check_image())

    async def _pull(self, image: str) -> None:
        reference = str(parse_image_reference(image))
        self._show_progress(self.tr("Pulling {reference}…").format(reference=reference), None)

        def progress(tracker: PullTracker, _batch: object) -> None:
            self._show_progress(self.tr("Pulling {reference}… {status}").format(
                reference=reference, status=tracker.status).rstrip(), tracker.fraction)
        await follow_pull(self.engine, reference, progress)
        self.checks.add_image_name(reference)

    async def _run(self, spec: RunSpec) -> str:
        """Pull when needed, then create (and start); the new container's id."""
        pulled = False
        # pull first when the image is known to be missing; when that is not known
        # yet, the engine's "no such image" below leads to the pull
        if not self.checks.image_id(spec.image) and self.checks.is_local(spec.image) is False:
            await self._pull(spec.image)
            pulled = True
        self._show_progress(self.tr("Starting the container…") if spec.start
                            else self.tr("Creating the container…"), None)
        self._set_cancellable(False)
        try:
            return await self.engine.create(spec)
        except EngineError as exc:
            if exc.kind is not ErrorKind.IMAGE_NOT_FOUND or pulled:
                raise
        self._set_cancellable(True)
        await self._pull(spec.image)
        self._set_cancellable(False)
        return await self.engine.create(spec)

    def _set_cancellable(self, on: bool) -> None:
        """While the container is being made, Cancel waits: a create cannot be taken back."""
        self._cancellable = on
        self.cancel_button.setEnabled(on)

    def _created(self, cid: str, spec: RunSpec) -> None:
        self.container_id = cid
        self.created.emit(cid, spec.start)
        if spec.start and self.show_output:
            if spec.command is not None:
                self._open_output(cid, spec)
            else:  # a container gone or refused meanwhile is no news: the table shows it
                self._ops.run("settle", lambda: self._settle(cid, spec),
                              context=self.tr("Watching the new container"), refused=lambda exc: None)
        super().accept()

    async def _settle(self, cid: str, spec: RunSpec) -> None:
        """Show the output of a container that stops right after it started."""
        if await stops_soon(self.store, cid):
            self._open_output(cid, spec)

    def _open_output(self, cid: str, spec: RunSpec) -> None:
        parent = self.parentWidget()
        command = " ".join(spec.command) if spec.command else ""
        dialog = OutputDialog(self.engine, cid, spec.name or cid[:12], command, parent)
        if parent is not None:
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.output_dialog = dialog
        dialog.show()
        self.outputShown.emit(dialog)

    def _show_engine_error(self, exc: EngineError, image: str) -> None:
        if self.checks.show_refusal(exc, image):
            if exc.kind in (ErrorKind.UNAUTHORIZED, ErrorKind.IMAGE_NOT_FOUND):
                self._show_login(registry_of_reference(image))
            return
        self.message.error(exc.message)
        errors.report(exc, context=self.tr("Running a container"), serious=False)

    def _show_login(self, registry: str | None) -> None:
        """Offer a login to ``registry`` (None: none); the run goes on once it is saved."""
        self._login_registry = registry or ""
        self.login_button.setVisible(registry is not None)
        if registry is not None:
            self.image_pull_button.hide()
            op = self._ops.current("run")
            if op is not None:
                op.wait_for_login(registry)

    def _failed(self, exc: BaseException) -> None:
        self.message.error(str(exc) or type(exc).__name__)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for w in (self.image_edit, self.name_edit, self.command_edit, self.advanced, self.start_check,
                  self.ok_button, self.image_pull_button):
            w.setEnabled(not busy)
        self.ports.set_editable(not busy)
        if not busy:
            self._cancellable = True
            self.cancel_button.setEnabled(True)
            self.progress.hide()
            if self.message.tone is Tone.NOTE:  # a progress note
                self.message.clear()
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def _show_progress(self, text: str, fraction: float | None) -> None:
        self.progress.show()
        if fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))
        self.message.note(text)

    # ------------------------------------------------------------------ closing
    def reject(self) -> None:
        """Cancel: stops a pull; while the container is being made, waits for it."""
        if self._busy and not self._cancellable:
            return
        if self._busy:
            self._ops.cancel("run")
            self.message.note(self.tr("Cancelled."))
            return
        super().reject()

    def done(self, result: int) -> None:
        self._ops.cancel("run")
        self.checks.close()
        super().done(result)
