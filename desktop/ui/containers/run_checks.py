"""The run dialog's fields checked as they are typed, with the engine layer's parsers
and against the engine's live picture (the store: a name in use, a host port taken,
whether the image is here — read from memory, never asked of the engine). A message
goes beside the field; the engine's own refusal of a run goes there too, and stays
until the field is edited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QStringListModel, Signal
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPushButton, QWidget

from desktop.engine.client import Engine
from desktop.engine.credentials import registry_title
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.parsing import (
    parse_command,
    parse_env,
    parse_image_reference,
    parse_volumes,
    registry_of_reference,
    validate_container_name,
)
from desktop.engine.records import Container, Image, RunSpec
from desktop.engine.store import EngineStore
from desktop.ui.common.widgets import FieldMessage, Tone
from desktop.ui.containers.run_options import RunOptions
from desktop.ui.containers.run_ports import PortsEditor, engine_is_local


@dataclass(frozen=True)
class RunFields:
    """The run dialog's fields that are checked, with the message beside each."""

    image: QLineEdit
    image_message: FieldMessage
    image_pull_button: QPushButton
    name: QLineEdit
    name_message: FieldMessage
    command: QLineEdit
    command_message: FieldMessage
    ports: PortsEditor
    options: RunOptions
    start: QCheckBox


class RunChecks(QObject):
    """What the fields say (``spec()``) and what is wrong with them, kept as they change.

    ``changed`` fires after every check (the command preview follows it). ``names``
    is the model of the image names the engine has, for the image field's completer.
    """

    changed = Signal()

    def __init__(self, fields: RunFields, engine: Engine, store: EngineStore, images: Iterable[str] = (),
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.f = fields
        self.engine = engine
        self.store = store
        self.names = QStringListModel(self)
        self._image_names: set[str] = set(images)
        self._images: list[Image] = []
        self._containers: list[Container] = []
        self._values: dict[str, Any] = {}
        self._errors: dict[str, str] = {}
        self._refused_message: FieldMessage | None = None  # where the engine's last refusal is shown
        self._unsubscribe: list[Callable[[], None]] = []
        for edit in (fields.image, fields.name, fields.ports.edit):  # edited: the refusal is old news
            edit.textChanged.connect(self._forget_refusal)
        fields.name.textChanged.connect(lambda _: self.check_name())
        fields.command.textChanged.connect(lambda _: self.check_command())
        fields.ports.edit.textChanged.connect(lambda _: self.check_ports())
        fields.options.env_edit.textChanged.connect(self.check_env)
        fields.options.volumes_edit.textChanged.connect(self.check_volumes)

    # ------------------------------------------------------------------ the engine's picture
    def follow_store(self) -> None:
        """Read the store now and again on each of its changes, until :meth:`close`."""
        self.read_store()
        follow = lambda _what: self.read_store()  # noqa: E731 - any change: read again
        self._unsubscribe = [
            self.store.containers.subscribe(added=follow, changed=follow, removed=follow, reset=follow),
            self.store.images.subscribe(added=follow, changed=follow, removed=follow, reset=follow)]

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    def read_store(self) -> None:
        """Take the containers and images from the store (memory, no request) and check
        the fields against them again — except one that shows the engine's refusal (a
        port in use, a name taken): that stays until the field is edited, though the
        refused create's own events change the store."""
        f = self.f
        self._images = list(self.store.images)
        self._image_names |= {t for i in self._images for t in i.repo_tags}
        self._containers = list(self.store.containers)
        self._refresh_names()
        refused = {m for m in (f.image_message, f.name_message, f.ports.message)
                   if m.tone is Tone.ERROR and m is self._refused_message}
        checks = ((f.image_message, self.check_image), (f.name_message, self.check_name),
                  (f.ports.message, self.check_ports))
        for message, check in checks:
            if message not in refused:
                check()

    def add_image_name(self, reference: str) -> None:
        """An image the engine has now (just pulled), before the store says so."""
        self._image_names.add(reference)
        self._refresh_names()

    def _refresh_names(self) -> None:
        self.names.setStringList(sorted(self._image_names))

    def _forget_refusal(self, _text: str = "") -> None:
        self._refused_message = None

    # ------------------------------------------------------------------ the image
    def image_id(self, text: str) -> str | None:
        """The id of the local image ``text`` names by id (full or a prefix of 12 or more)."""
        bare = text.removeprefix("sha256:").lower()
        if len(bare) < 12 or any(ch not in "0123456789abcdef" for ch in bare):
            return None
        for image in self._images:
            if image.id.removeprefix("sha256:").startswith(bare):
                return image.id
        return None

    def is_local(self, text: str) -> bool | None:
        """Whether the engine has the image (None when that is not known yet)."""
        if self.image_id(text):
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
        return None if not self.store.is_connected else False

    # ------------------------------------------------------------------ checking
    def _record(self, key: str, value: Any, error: str = "") -> None:
        self._values[key] = value
        if error:
            self._errors[key] = error
        else:
            self._errors.pop(key, None)

    def _set(self, key: str, value: Any, message: FieldMessage, error: str = "", *, show: bool = True) -> None:
        self._record(key, value, error)
        if error and show:
            message.error(error)
        else:
            message.clear()

    def validate_all(self) -> None:
        self.check_image()
        self.check_name()
        self.check_command()
        self.check_ports()
        self.check_env()
        self.check_volumes()

    def check_image(self) -> None:
        f = self.f
        text = f.image.text().strip()
        f.image_pull_button.hide()
        if not text:
            self._set("image", "", f.image_message, self.tr("Choose the image to run, as docker/whalesay:latest."),
                      show=False)
        elif self.image_id(text):
            self._set("image", text, f.image_message)
        else:
            try:
                ref = parse_image_reference(text)
            except EngineError as exc:
                self._set("image", text, f.image_message, exc.message)
            else:
                self._set("image", text, f.image_message)
                if self.is_local(text) is False:
                    f.image_message.note(
                        (self.tr("{image} is not on this engine yet: it will be pulled when you press Run.")
                         if f.start.isChecked() else
                         self.tr("{image} is not on this engine yet: it will be pulled when you press Create."))
                        .format(image=ref))
                    f.image_pull_button.show()
        self.changed.emit()

    def check_name(self) -> None:
        f = self.f
        text = f.name.text().strip()
        if not text:
            self._set("name", "", f.name_message)
            self.changed.emit()
            return
        try:
            name = validate_container_name(text)
        except EngineError as exc:
            self._set("name", text, f.name_message, exc.message)
            self.changed.emit()
            return
        self._set("name", name, f.name_message)
        for c in self._containers:
            if any(n.lstrip("/") == name for n in c.names):
                f.name_message.warning(self.tr("A container named {name} already exists ({state}). "
                                               "Choose another name, or remove that container first.")
                                       .format(name=name, state=c.state or c.status))
                break
        self.changed.emit()

    def check_command(self) -> None:
        try:
            self._set("command", parse_command(self.f.command.text()), self.f.command_message)
        except EngineError as exc:
            self._set("command", None, self.f.command_message, exc.message)
        self.changed.emit()

    def check_ports(self) -> None:
        mappings, error = self.f.ports.check(self._containers, local=engine_is_local(self.engine))
        self._record("ports", mappings, error)
        self.changed.emit()

    def check_env(self) -> None:
        options = self.f.options
        try:
            self._set("env", parse_env(options.env_edit.toPlainText()), options.env_message)
        except EngineError as exc:
            self._set("env", (), options.env_message, exc.message)
        self.changed.emit()

    def check_volumes(self) -> None:
        options = self.f.options
        try:
            self._set("mounts", parse_volumes(options.volumes_edit.toPlainText()), options.volumes_message)
        except EngineError as exc:
            self._set("mounts", (), options.volumes_message, exc.message)
        self.changed.emit()

    # ------------------------------------------------------------------ the result
    @property
    def wrong(self) -> list[str]:
        """The fields in error, in the order of the form."""
        return [k for k in ("image", "name", "command", "ports", "env", "mounts") if k in self._errors]

    @property
    def image_given(self) -> bool:
        return bool(self._values.get("image"))

    def is_wrong(self, key: str) -> bool:
        return key in self._errors

    def value(self, key: str) -> Any:
        return self._values[key]

    def spec(self) -> RunSpec | None:
        """What the fields say, or None while one of them is wrong."""
        if self._errors:
            return None
        v = self._values
        return RunSpec(
            image=v.get("image", ""), name=v.get("name", ""), command=v.get("command"),
            ports=v.get("ports", ()), env=v.get("env", ()), mounts=v.get("mounts", ()),
            restart=self.f.options.restart(), auto_remove=self.f.options.auto_remove(),
            start=self.f.start.isChecked(),
        )

    def show_errors(self) -> QWidget | None:
        """Put every field's error beside it (also those not shown while typing); the
        first field in error, or None."""
        f = self.f
        first = None
        for key, field, message in (("image", f.image, f.image_message), ("name", f.name, f.name_message),
                                    ("command", f.command, f.command_message),
                                    ("ports", f.ports.edit, f.ports.message),
                                    ("env", f.options.env_edit, f.options.env_message),
                                    ("mounts", f.options.volumes_edit, f.options.volumes_message)):
            if key in self._errors:
                message.error(self._errors[key])
                first = first or field
        return first

    def show_refusal(self, exc: EngineError, image: str) -> bool:
        """The engine's refusal of a run beside the field it is about (a name or host port
        in use, an image it cannot pull), focused; False when it is about none of them."""
        f = self.f
        kind = exc.kind
        self._refused_message = {ErrorKind.NAME_IN_USE: f.name_message, ErrorKind.PORT_IN_USE: f.ports.message,
                                 ErrorKind.UNAUTHORIZED: f.image_message,
                                 ErrorKind.IMAGE_NOT_FOUND: f.image_message}.get(kind)
        if kind is ErrorKind.NAME_IN_USE:
            f.name_message.error(self.tr("{message} Choose another name.").format(message=exc.message))
            f.name.selectAll()
            f.name.setFocus()
        elif kind is ErrorKind.PORT_IN_USE:
            f.ports.message.error(self.tr("{message} Choose another host port.").format(message=exc.message))
            f.ports.edit.setFocus()
        elif kind is ErrorKind.UNAUTHORIZED:
            registry = registry_of_reference(image)
            f.image_message.error(self.tr("{registry} wants a login to pull {image}. Log in, then try again.")
                                  .format(registry=registry_title(registry), image=image))
            f.image.setFocus()
        elif kind is ErrorKind.IMAGE_NOT_FOUND:
            f.image_message.error(exc.message)
            f.image.setFocus()
        return self._refused_message is not None
