"""The run dialog (``docker run`` / ``docker create``).

Every field is checked as it is typed, with the engine layer's parsers; the message
goes beside the field. The equivalent command line is shown live. OK pulls the image
first when the engine does not have it, then creates (and starts) the container; an
engine error goes back beside the field it is about and the dialog stays open.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.engine.client import Engine
from desktop.engine.commands import run_command
from desktop.engine.credentials import registry_title
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.parsing import (
    parse_command,
    parse_env,
    parse_image_reference,
    parse_ports,
    parse_volumes,
    registry_of_reference,
    validate_container_name,
)
from desktop.engine.pulling import PullTracker, follow_pull
from desktop.engine.records import Container, Image, PortMapping, RunSpec
from desktop.engine.states import State
from desktop.engine.store import EngineStore
from desktop.ui.common import errors
from desktop.ui.common.operations import Operations
from desktop.ui.common.widgets import (
    Collapsible,
    CopyableLine,
    FieldMessage,
    GiveBackHeight,
    Tone,
    dialog_buttons,
    field_row,
    fixed_font,
)
from desktop.ui.containers.output_dialog import OutputDialog

RESTART_POLICIES = (
    ("no", "Never"),
    ("on-failure", "When it fails (on-failure)"),
    ("unless-stopped", "Unless stopped by hand (unless-stopped)"),
    ("always", "Always (always)"),
)
#: a container that stops this soon after it started ran a one-off command: show its output
SETTLE_SECONDS = 2.0
_WILDCARDS = ("", "0.0.0.0", "::")


# -- host ports ------------------------------------------------------------------------------
def _single_port(m: PortMapping) -> int | None:
    return int(m.host_port) if m.host_port.isdigit() else None


def published_conflicts(mappings: Iterable[PortMapping], containers: Iterable[Container]) -> dict[int, str]:
    """Host ports of ``mappings`` that a container of the engine already publishes, with
    the sentence that says so."""
    out: dict[int, str] = {}
    for m in mappings:
        port = _single_port(m)
        if port is None:
            continue
        for c in containers:
            for p in c.ports:
                if (p.public_port == port and p.type == m.protocol
                        and (m.host_ip in _WILDCARDS or p.ip in _WILDCARDS or p.ip == m.host_ip)):
                    out[port] = f"Host port {port} is already published by the container {c.name}."
                    break
            else:
                continue
            break
    return out


def host_port_taken(m: PortMapping) -> bool:
    """True when something on this machine already holds the mapping's host port.

    Binds the port for a moment on the mapping's address (every address when it has
    none), as the engine will. A port that is merely privileged is not "taken".
    """
    port = _single_port(m)
    if port is None:
        return False
    ip = m.host_ip or "0.0.0.0"
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    kind = socket.SOCK_DGRAM if m.protocol == "udp" else socket.SOCK_STREAM
    if m.protocol == "sctp":
        return False
    try:
        with socket.socket(family, kind) as s:
            if not _windows():  # as the engine's listeners do; on Windows the option means "steal"
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((ip, port))
            if kind == socket.SOCK_STREAM:
                s.listen(1)
    except OSError as exc:
        return exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1))
    return False


def _windows() -> bool:
    import sys

    return sys.platform == "win32"


def engine_is_local(engine: Engine) -> bool:
    return engine.host.startswith(("unix://", "npipe://")) or engine.host.startswith(("tcp://127.", "tcp://localhost"))


# -- the port table ---------------------------------------------------------------------------
PORT_COLUMNS = ("Host address", "Host port", "Container port", "Protocol")


def _row_spec(ip: str, host: str, container: str, proto: str) -> str:
    """One table row back in ``-p`` syntax (the parser then checks it)."""
    ip, host, container, proto = (s.strip() for s in (ip, host, container, proto))
    if not (ip or host or container):
        return ""
    text = container
    if ip:
        text = f"{'[' + ip + ']' if ':' in ip else ip}:{host}:{container}"
    elif host:
        text = f"{host}:{container}"
    if proto and proto.lower() != "tcp":
        text += f"/{proto}"
    return text


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
        self._image_names: set[str] = set(images)
        self._images: list[Image] = []
        self._containers: list[Container] = []
        self._values: dict[str, Any] = {}
        self._errors: dict[str, str] = {}
        self._busy = False
        self._cancellable = True
        self._syncing_ports = False
        self._login_registry = ""
        self._refused_message: FieldMessage | None = None  # where the engine's last refusal is shown
        self.setObjectName("runDialog")
        self.setWindowTitle("Run a Container")
        self.setAccessibleName("Run a container")
        self._build()
        self._give_back_height = GiveBackHeight(self)
        self.image_edit.setText(image)
        self._read_store()
        follow = lambda _what: self._read_store()  # noqa: E731 - any change: read again
        self._unsubscribe = [store.containers.subscribe(added=follow, changed=follow, removed=follow, reset=follow),
                             store.images.subscribe(added=follow, changed=follow, removed=follow, reset=follow)]
        (self.name_edit if image else self.image_edit).setFocus()

    # ------------------------------------------------------------------ building
    def _line(self, name: str, accessible: str, placeholder: str = "", tip: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        if tip:
            edit.setToolTip(tip)
        return edit

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _build(self) -> None:
        intro = QLabel("Create a container from an image and start it, as <tt>docker run</tt> does.", self)
        self.intro = intro
        intro.setWordWrap(True)

        # image
        self.image_edit = self._line("imageEdit", "Image", "docker/whalesay:latest",
                                     "The image to run: [registry/]repository[:tag] or an image ID. "
                                     "Without a tag, latest is used.")
        self.image_message = FieldMessage("imageMessage", self.image_edit, self)
        self.image_pull_button = QPushButton("Pull &Now", self)
        self.image_pull_button.setObjectName("imagePullButton")
        self.image_pull_button.setToolTip("Download the image now, before running it")
        self.image_pull_button.setAutoDefault(False)
        self.image_pull_button.hide()
        self.image_pull_button.clicked.connect(self.pull_image)
        self.login_button = QPushButton("Log &In…", self)
        self.login_button.setObjectName("loginButton")
        self.login_button.setAutoDefault(False)
        self.login_button.hide()
        self.login_button.clicked.connect(lambda: self.loginRequested.emit(self._login_registry))
        self._completer_model = QStringListModel(self)
        completer = QCompleter(self._completer_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.image_edit.setCompleter(completer)

        # name, command
        self.name_edit = self._line("nameEdit", "Name", "Docker picks a name when this is empty",
                                    "Letters, digits, '_', '.' and '-', starting with a letter or digit")
        self.name_message = FieldMessage("nameMessage", self.name_edit, self)
        self.command_edit = self._line("commandEdit", "Command", "The image's own command",
                                       "The command to run instead of the image's own, with shell quoting: "
                                       "cowsay boo, or sh -c 'echo hi; ls'")
        self.command_edit.setFont(fixed_font())
        self.command_message = FieldMessage("commandMessage", self.command_edit, self)

        # ports
        self.ports_edit = self._line("portsEdit", "Port mappings", "818:80, 127.0.0.1:8443:443/tcp",
                                     "Publish container ports on this machine, as docker run -p: "
                                     "HOSTPORT:CONTAINERPORT, several separated by commas or spaces")
        self.ports_message = FieldMessage("portsMessage", self.ports_edit, self)
        self.ports_table = QTableWidget(0, len(PORT_COLUMNS), self)
        self.ports_table.setObjectName("portsTable")
        self.ports_table.setAccessibleName("Port mappings table")
        self.ports_table.setHorizontalHeaderLabels(PORT_COLUMNS)
        self.ports_table.verticalHeader().hide()
        self.ports_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.ports_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.ports_table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        row_height = self.ports_table.verticalHeader().defaultSectionSize()
        self.ports_table.setFixedHeight(self.ports_table.horizontalHeader().sizeHint().height()
                                        + 3 * row_height + 4)
        self.ports_table.itemChanged.connect(self._table_edited)
        self.add_port_button = QToolButton(self)
        self.add_port_button.setObjectName("addPortButton")
        self.add_port_button.setText("+")
        self.add_port_button.setToolTip("Add a port mapping")
        self.add_port_button.setAccessibleName("Add a port mapping")
        self.add_port_button.clicked.connect(self._add_port_row)
        self.remove_port_button = QToolButton(self)
        self.remove_port_button.setObjectName("removePortButton")
        self.remove_port_button.setText("−")
        self.remove_port_button.setToolTip("Remove the selected port mapping")
        self.remove_port_button.setAccessibleName("Remove the selected port mapping")
        self.remove_port_button.clicked.connect(self._remove_port_rows)
        table_buttons = QVBoxLayout()
        table_buttons.setContentsMargins(0, 0, 0, 0)
        table_buttons.addWidget(self.add_port_button)
        table_buttons.addWidget(self.remove_port_button)
        table_buttons.addStretch(1)
        table_row = QHBoxLayout()
        table_row.setContentsMargins(0, 0, 0, 0)
        table_row.addWidget(self.ports_table, 1)
        table_row.addLayout(table_buttons)
        ports_box = QWidget(self)
        ports_layout = QVBoxLayout(ports_box)
        ports_layout.setContentsMargins(0, 0, 0, 0)
        ports_layout.setSpacing(3)
        ports_layout.addWidget(self.ports_edit)
        ports_layout.addWidget(self.ports_message)
        ports_layout.addLayout(table_row)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self._label("&Image:", self.image_edit),
                    field_row(self.image_edit, self.image_message, self.image_pull_button, self.login_button))
        form.addRow(self._label("&Name:", self.name_edit), field_row(self.name_edit, self.name_message))
        form.addRow(self._label("&Command:", self.command_edit),
                    field_row(self.command_edit, self.command_message))
        form.addRow(self._label("&Ports:", self.ports_edit), ports_box)

        # advanced
        advanced = QWidget(self)
        advanced_form = QFormLayout(advanced)
        advanced_form.setContentsMargins(18, 0, 0, 0)
        advanced_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.env_edit = QPlainTextEdit(self)
        self.env_edit.setObjectName("envEdit")
        self.env_edit.setAccessibleName("Environment variables")
        self.env_edit.setPlaceholderText("KEY=VALUE, one a line")
        self.env_edit.setFont(fixed_font())
        self.env_edit.setTabChangesFocus(True)
        self.env_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.env_message = FieldMessage("envMessage", self.env_edit, self)
        self.volumes_edit = QPlainTextEdit(self)
        self.volumes_edit.setObjectName("volumesEdit")
        self.volumes_edit.setAccessibleName("Volumes and bind mounts")
        self.volumes_edit.setPlaceholderText("/host/folder:/path/in/container[:ro] or volume-name:/path, one a line")
        self.volumes_edit.setFont(fixed_font())
        self.volumes_edit.setTabChangesFocus(True)
        self.volumes_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.volumes_message = FieldMessage("volumesMessage", self.volumes_edit, self)
        self.folder_button = QPushButton("Add &Folder…", self)
        self.folder_button.setObjectName("addFolderButton")
        self.folder_button.setToolTip("Choose a folder of this machine to mount in the container")
        self.folder_button.setAutoDefault(False)
        self.folder_button.clicked.connect(self.choose_folder)
        volumes_box = QWidget(self)
        vb = QVBoxLayout(volumes_box)
        vb.setContentsMargins(0, 0, 0, 0)
        vb.setSpacing(3)
        vrow = QHBoxLayout()
        vrow.setContentsMargins(0, 0, 0, 0)
        vrow.addWidget(self.volumes_edit, 1)
        vrow.addWidget(self.folder_button, 0, Qt.AlignmentFlag.AlignTop)
        vb.addLayout(vrow)
        vb.addWidget(self.volumes_message)
        self.restart_combo = QComboBox(self)
        self.restart_combo.setObjectName("restartCombo")
        self.restart_combo.setAccessibleName("Restart policy")
        for value, text in RESTART_POLICIES:
            self.restart_combo.addItem(text, value)
        self.auto_remove_check = QCheckBox("Remove the container when it e&xits (--rm)", self)
        self.auto_remove_check.setObjectName("autoRemoveCheck")
        self.auto_remove_check.toggled.connect(self._auto_remove_toggled)
        advanced_form.addRow(self._label("&Environment:", self.env_edit), field_row(self.env_edit, self.env_message))
        advanced_form.addRow(self._label("&Volumes:", self.volumes_edit), volumes_box)
        advanced_form.addRow(self._label("&Restart:", self.restart_combo), self.restart_combo)
        advanced_form.addRow("", self.auto_remove_check)
        self.advanced = Collapsible("&Advanced options", advanced, "advancedToggle", self)

        # start, command line
        self.start_check = QCheckBox("&Start the container now (untick to only create it, as docker create)", self)
        self.start_check.setObjectName("startCheck")
        self.start_check.setChecked(True)
        self.command_line = CopyableLine("commandLineView", "Equivalent docker command", self)
        command_line_label = QLabel("The same with the docker command line:", self)
        command_line_label.setBuddy(self.command_line.edit)

        # progress, messages, buttons
        self.progress = QProgressBar(self)
        self.progress.setObjectName("runProgress")
        self.progress.setAccessibleName("Progress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(self.fontMetrics().height())
        self.progress.hide()
        self.message = FieldMessage("runMessage", None, self)
        self.message.setAccessibleName("Message")

        self.buttons, self.ok_button, self.cancel_button = dialog_buttons(self, "&Run")

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.advanced)
        layout.addWidget(self.start_check)
        layout.addSpacing(4)
        layout.addWidget(command_line_label)
        layout.addWidget(self.command_line)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(620)

        for edit in (self.image_edit, self.name_edit, self.ports_edit):  # edited: the refusal is old news
            edit.textChanged.connect(self._forget_refusal)
        self.image_edit.textChanged.connect(self._image_changed)
        self.name_edit.textChanged.connect(lambda _: self._check_name())
        self.command_edit.textChanged.connect(lambda _: self._check_command())
        self.ports_edit.textChanged.connect(lambda _: self._check_ports())
        self.env_edit.textChanged.connect(self._check_env)
        self.volumes_edit.textChanged.connect(self._check_volumes)
        self.restart_combo.currentIndexChanged.connect(lambda _: self._update_command_line())
        self.start_check.toggled.connect(self._start_toggled)

    # ------------------------------------------------------------------ the engine's picture
    def _read_store(self) -> None:
        """Take the containers and images from the store (memory, no request) and check
        the fields against them again — except one that shows the engine's refusal (a
        port in use, a name taken): that stays until the field is edited, though the
        refused create's own events change the store."""
        self._images = list(self.store.images)
        self._image_names |= {t for i in self._images for t in i.repo_tags}
        self._containers = list(self.store.containers)
        self._refresh_completer()
        refused = {m for m in (self.image_message, self.name_message, self.ports_message)
                   if m.tone is Tone.ERROR and m is self._refused_message}
        checks = ((self.image_message, self._check_image), (self.name_message, self._check_name),
                  (self.ports_message, self._check_ports))
        for message, check in checks:
            if message not in refused:
                check()

    def _forget_refusal(self, _text: str = "") -> None:
        self._refused_message = None

    @property
    def is_loaded(self) -> bool:
        """Whether the engine's lists are known (the store has had its first list)."""
        return self.store.is_connected

    def _refresh_completer(self) -> None:
        self._completer_model.setStringList(sorted(self._image_names))

    # ------------------------------------------------------------------ checking
    def _set(self, key: str, value: Any, message: FieldMessage, error: str = "", *, show: bool = True) -> None:
        self._values[key] = value
        if error:
            self._errors[key] = error
            if show:
                message.error(error)
            else:
                message.clear()
        else:
            self._errors.pop(key, None)
            message.clear()

    def _validate_all(self) -> None:
        self._check_image()
        self._check_name()
        self._check_command()
        self._check_ports()
        self._check_env()
        self._check_volumes()

    def _image_id(self, text: str) -> str | None:
        """The id of the local image ``text`` names by id (full or a prefix of 12 or more)."""
        bare = text.removeprefix("sha256:").lower()
        if len(bare) < 12 or any(ch not in "0123456789abcdef" for ch in bare):
            return None
        for image in self._images:
            if image.id.removeprefix("sha256:").startswith(bare):
                return image.id
        return None

    def _is_local(self, text: str) -> bool | None:
        """Whether the engine has the image (None when that is not known yet)."""
        if self._image_id(text):
            return True
        try:
            wanted = str(parse_image_reference(text))
        except EngineError:
            return False
        for name in self._image_names:
            try:
                if str(parse_image_reference(name)) == wanted:
                    return True
            except EngineError:
                continue
        for image in self._images:
            if wanted in image.repo_digests:
                return True
        return None if not self.is_loaded else False

    def _image_changed(self, _text: str = "") -> None:
        self._show_login(None)
        self._check_image()

    def _check_image(self) -> None:
        text = self.image_edit.text().strip()
        self.image_pull_button.hide()
        if not text:
            self._set("image", "", self.image_message, "Choose the image to run, as docker/whalesay:latest.",
                      show=False)
            self._update_command_line()
            return
        if self._image_id(text):
            self._set("image", text, self.image_message)
        else:
            try:
                ref = parse_image_reference(text)
            except EngineError as exc:
                self._set("image", text, self.image_message, exc.message)
                self._update_command_line()
                return
            self._set("image", text, self.image_message)
            if self._is_local(text) is False:
                action = "run" if self.start_check.isChecked() else "create"
                self.image_message.note(f"{ref} is not on this engine yet: it will be pulled when you press "
                                        f"{action.title()}.")
                self.image_pull_button.show()
        self._update_command_line()

    def _check_name(self) -> None:
        text = self.name_edit.text().strip()
        if not text:
            self._set("name", "", self.name_message)
            self._update_command_line()
            return
        try:
            name = validate_container_name(text)
        except EngineError as exc:
            self._set("name", text, self.name_message, exc.message)
            self._update_command_line()
            return
        self._set("name", name, self.name_message)
        for c in self._containers:
            if any(n.lstrip("/") == name for n in c.names):
                self.name_message.warning(f"A container named {name} already exists ({c.state or c.status}). "
                                          "Choose another name, or remove that container first.")
                break
        self._update_command_line()

    def _check_command(self) -> None:
        try:
            self._set("command", parse_command(self.command_edit.text()), self.command_message)
        except EngineError as exc:
            self._set("command", None, self.command_message, exc.message)
        self._update_command_line()

    def _check_ports(self) -> None:
        try:
            mappings = parse_ports(self.ports_edit.text())
        except EngineError as exc:
            self._set("ports", (), self.ports_message, exc.message)
            if not self._syncing_ports:  # no row may stay for a mapping the text no longer says
                self._fill_table(())
            self._update_command_line()
            return
        self._set("ports", mappings, self.ports_message)
        if not self._syncing_ports:
            self._fill_table(mappings)
        warnings = published_conflicts(mappings, self._containers)
        if engine_is_local(self.engine):
            for m in mappings:
                port = _single_port(m)
                if port is not None and port not in warnings and host_port_taken(m):
                    warnings[port] = f"Host port {port} is already in use on this machine."
        if warnings:
            self.ports_message.warning(" ".join(warnings.values()) + " Choose another host port.")
        self._update_command_line()

    def _check_env(self) -> None:
        try:
            self._set("env", parse_env(self.env_edit.toPlainText()), self.env_message)
        except EngineError as exc:
            self._set("env", (), self.env_message, exc.message)
        self._update_command_line()

    def _check_volumes(self) -> None:
        try:
            self._set("mounts", parse_volumes(self.volumes_edit.toPlainText()), self.volumes_message)
        except EngineError as exc:
            self._set("mounts", (), self.volumes_message, exc.message)
        self._update_command_line()

    def spec(self) -> RunSpec | None:
        """What the fields say, or None while one of them is wrong."""
        if self._errors:
            return None
        v = self._values
        return RunSpec(
            image=v.get("image", ""), name=v.get("name", ""), command=v.get("command"),
            ports=v.get("ports", ()), env=v.get("env", ()), mounts=v.get("mounts", ()),
            restart=self.restart_combo.currentData() or "no", auto_remove=self.auto_remove_check.isChecked(),
            start=self.start_check.isChecked(),
        )

    def _update_command_line(self) -> None:
        spec = self.spec()
        if spec is None:
            bad = [k for k in ("image", "name", "command", "ports", "env", "mounts") if k in self._errors]
            hint = ("Choose an image to see the command line." if bad == ["image"] and not self._values.get("image")
                    else "Correct the fields marked in red to see the command line.")
            self.command_line.set_text("", hint)
        else:
            self.command_line.set_text(run_command(spec))

    def _start_toggled(self, start: bool) -> None:
        self.ok_button.setText("&Run" if start else "&Create")
        self.setWindowTitle("Run a Container" if start else "Create a Container")
        self.intro.setText("Create a container from an image and start it, as <tt>docker run</tt> does." if start
                           else "Create a container from an image without starting it, as <tt>docker create</tt>"
                                " does.")
        self._check_image()

    def _auto_remove_toggled(self, on: bool) -> None:
        if on:
            self.restart_combo.setCurrentIndex(0)
        self.restart_combo.setEnabled(not on)
        self.restart_combo.setToolTip("A container that removes itself when it exits is never restarted."
                                      if on else "")
        self._update_command_line()

    # ------------------------------------------------------------------ the port table
    def _fill_table(self, mappings: Iterable[PortMapping]) -> None:
        self._syncing_ports = True
        try:
            rows = list(mappings)
            self.ports_table.setRowCount(len(rows))
            for r, m in enumerate(rows):
                for c, text in enumerate((m.host_ip, m.host_port, str(m.container_port), m.protocol)):
                    self.ports_table.setItem(r, c, QTableWidgetItem(text))
        finally:
            self._syncing_ports = False

    def _table_text(self) -> str:
        specs = []
        for r in range(self.ports_table.rowCount()):
            cells = [item.text() if (item := self.ports_table.item(r, c)) is not None else ""
                     for c in range(len(PORT_COLUMNS))]
            spec = _row_spec(*cells)
            if spec:
                specs.append(spec)
        return ", ".join(specs)

    def _table_edited(self, _item: QTableWidgetItem) -> None:
        if self._syncing_ports:
            return
        self._syncing_ports = True
        try:
            self.ports_edit.setText(self._table_text())
        finally:
            self._syncing_ports = False

    def _add_port_row(self) -> None:
        self._syncing_ports = True
        try:
            row = self.ports_table.rowCount()
            self.ports_table.insertRow(row)
            for c, text in enumerate(("", "", "", "tcp")):
                self.ports_table.setItem(row, c, QTableWidgetItem(text))
        finally:
            self._syncing_ports = False
        self.ports_table.setCurrentCell(row, 1)
        host_port = self.ports_table.item(row, 1)
        if host_port is not None:  # set just above
            self.ports_table.editItem(host_port)

    def _remove_port_rows(self) -> None:
        rows = sorted({i.row() for i in self.ports_table.selectedIndexes()}, reverse=True)
        if not rows and self.ports_table.currentRow() >= 0:
            rows = [self.ports_table.currentRow()]
        for r in rows:
            self.ports_table.removeRow(r)
        self._syncing_ports = True
        try:
            self.ports_edit.setText(self._table_text())
        finally:
            self._syncing_ports = False

    # ------------------------------------------------------------------ folders
    def choose_folder(self) -> None:
        dialog = QFileDialog(self, "Choose a Folder to Mount")
        dialog.setObjectName("folderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.add_folder)
        dialog.open()

    def add_folder(self, path: str, target: str = "/data") -> None:
        """Add a bind mount line for ``path`` and select its container path for editing."""
        if not path:
            return
        self.advanced.set_expanded(True)
        text = self.volumes_edit.toPlainText()
        line = f"{path}:{target}"
        if text and not text.endswith("\n"):
            line = "\n" + line
        cursor = self.volumes_edit.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(line)
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(target))
        self.volumes_edit.setTextCursor(cursor)
        self.volumes_edit.setFocus()

    # ------------------------------------------------------------------ running
    def _fields(self) -> dict[str, tuple[QWidget, FieldMessage]]:
        return {"image": (self.image_edit, self.image_message), "name": (self.name_edit, self.name_message),
                "command": (self.command_edit, self.command_message),
                "ports": (self.ports_edit, self.ports_message), "env": (self.env_edit, self.env_message),
                "mounts": (self.volumes_edit, self.volumes_message)}

    def accept(self) -> None:
        """OK: check everything; pull when needed, create, start. The dialog closes on success."""
        if self._busy:
            return
        self.message.clear()
        self._validate_all()
        spec = self.spec()
        if spec is None:
            first = None
            for key, (field, message) in self._fields().items():
                if key in self._errors:
                    message.error(self._errors[key])
                    first = first or field
            if first in (self.env_edit, self.volumes_edit):
                self.advanced.set_expanded(True)
            if first is not None:
                first.setFocus()
            return
        self._ops.run("run", lambda: self._run(spec), context="Running a container", busy=self._set_busy,
                      refused=lambda exc: self._show_engine_error(exc, spec.image), failed=self._failed,
                      done=lambda cid: self._created(cid, spec))

    def pull_image(self) -> None:
        """Pull the image in the image field now."""
        if self._busy or "image" in self._errors:
            return
        image = self._values["image"]
        self._ops.run("run", lambda: self._pull(image), context="Pulling", busy=self._set_busy,
                      refused=lambda exc: self._show_engine_error(exc, image), failed=self._failed,
                      done=lambda _: self._check_image())

    async def _pull(self, image: str) -> None:
        reference = str(parse_image_reference(image))
        self._show_progress(f"Pulling {reference}…", None)

        def progress(tracker: PullTracker, _batch: object) -> None:
            self._show_progress(f"Pulling {reference}… {tracker.status}".rstrip(), tracker.fraction)
        await follow_pull(self.engine, reference, progress)
        self._image_names.add(reference)
        self._refresh_completer()

    async def _run(self, spec: RunSpec) -> str:
        """Pull when needed, then create (and start); the new container's id."""
        pulled = False
        # pull first when the image is known to be missing; when that is not known
        # yet, the engine's "no such image" below leads to the pull
        if not self._image_id(spec.image) and self._is_local(spec.image) is False:
            await self._pull(spec.image)
            pulled = True
        self._show_progress("Creating the container…" if not spec.start else "Starting the container…", None)
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
                self._ops.run("settle", lambda: self._settle(cid, spec), context="Watching the new container",
                              refused=lambda exc: None)
        super().accept()

    async def _settle(self, cid: str, spec: RunSpec) -> None:
        """Show the output of a container that stops right after it started: watched in
        the store (the engine's events say so), nothing is asked of the engine."""
        ended = asyncio.Event()

        def rows(records: Sequence[Container]) -> None:
            # "created" comes before the start: only a container that ran and stopped ended
            if any(r.id == cid and r.state in (State.EXITED, State.DEAD) for r in records):
                ended.set()

        def gone(idents: Sequence[str]) -> None:
            if cid in idents:
                ended.set()
        unsubscribe = self.store.containers.subscribe(added=rows, changed=rows, reset=rows, removed=gone)
        try:
            rows(list(self.store.containers))
            await asyncio.wait_for(ended.wait(), SETTLE_SECONDS)
        except TimeoutError:
            return  # still running: a server, not a one-off command
        finally:
            unsubscribe()
        if cid in self.store.containers:  # stopped, not removed (a --rm container is gone)
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
        kind = exc.kind
        self._refused_message = {ErrorKind.NAME_IN_USE: self.name_message, ErrorKind.PORT_IN_USE: self.ports_message,
                                 ErrorKind.UNAUTHORIZED: self.image_message,
                                 ErrorKind.IMAGE_NOT_FOUND: self.image_message}.get(kind)
        if kind is ErrorKind.NAME_IN_USE:
            self.name_message.error(exc.message + " Choose another name.")
            self.name_edit.selectAll()
            self.name_edit.setFocus()
        elif kind is ErrorKind.PORT_IN_USE:
            self.ports_message.error(exc.message + " Choose another host port.")
            self.ports_edit.setFocus()
        elif kind is ErrorKind.UNAUTHORIZED:
            registry = registry_of_reference(image)
            self.image_message.error(f"{registry_title(registry)} wants a login to pull {image}. "
                                     "Log in, then try again.")
            self._show_login(registry)
            self.image_edit.setFocus()
        elif kind is ErrorKind.IMAGE_NOT_FOUND:
            self.image_message.error(exc.message)
            self._show_login(registry_of_reference(image))
            self.image_edit.setFocus()
        else:
            self.message.error(exc.message)
            errors.report(exc, context="Running a container", serious=False)

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
        for w in (self.image_edit, self.name_edit, self.command_edit, self.ports_edit, self.ports_table,
                  self.add_port_button, self.remove_port_button, self.advanced, self.start_check,
                  self.ok_button, self.image_pull_button):
            w.setEnabled(not busy)
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
            self.message.note("Cancelled.")
            return
        super().reject()

    def done(self, result: int) -> None:
        self._ops.cancel("run")
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        super().done(result)
