"""The login dialog (``docker login`` / ``docker logout``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.engine.client import Engine
from desktop.engine.credentials import DOCKER_HUB, registry_key, registry_title
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.parsing import parse_image_reference
from desktop.ui.common.operations import Operations
from desktop.ui.common.widgets import FieldMessage, GiveBackHeight, dialog_buttons, field_row


def check_registry(text: str) -> str:
    """The registry key for ``text``; raises EngineError(INVALID_INPUT) for a bad address."""
    key = registry_key(text)
    if key != DOCKER_HUB:
        if any(ch.isspace() for ch in key):
            raise EngineError(ErrorKind.INVALID_INPUT,
                              f"The registry address {key!r} contains a space: as registry.example.com "
                              "or 127.0.0.1:5000.")
        parse_image_reference(f"{key}/probe")  # the registry part is checked by the reference rules
    return key


class LoginDialog(QDialog):
    """Log in to a registry: the engine checks the password, then the login is saved the
    way the docker CLI saves it. ``loggedIn(registry)`` / ``loggedOut(registry)`` give the
    registry as typed ("" for Docker Hub)."""

    loggedIn = Signal(str)
    loggedOut = Signal(str)

    def __init__(self, engine: Engine, parent: QWidget | None = None, registry: str = "") -> None:
        super().__init__(parent)
        self.engine = engine
        self.stored_in = ""  # where the last successful login was kept
        self._ops = Operations(self)
        self._busy = False
        self.setObjectName("loginDialog")
        self.setWindowTitle("Log In to a Registry")
        self.setAccessibleName("Log in to a registry")

        intro = QLabel("Log in to pull private images and push your own, as <tt>docker login</tt> does.", self)
        intro.setWordWrap(True)

        self.registry_edit = QLineEdit(registry, self)
        self.registry_edit.setObjectName("registryEdit")
        self.registry_edit.setPlaceholderText("Docker Hub (docker.io)")
        self.registry_edit.setAccessibleName("Registry")
        self.registry_edit.setToolTip("The registry's address with its port, as 127.0.0.1:5000. "
                                      "Leave it empty for Docker Hub.")
        self.registry_message = FieldMessage("registryMessage", self.registry_edit, self)

        self.username_edit = QLineEdit(self)
        self.username_edit.setObjectName("usernameEdit")
        self.username_edit.setAccessibleName("User name")
        self.username_message = FieldMessage("usernameMessage", self.username_edit, self)

        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setToolTip("Your password or an access token")
        self.password_message = FieldMessage("passwordMessage", self.password_edit, self)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for text, edit, msg in (("&Registry:", self.registry_edit, self.registry_message),
                                ("&User name:", self.username_edit, self.username_message),
                                ("&Password:", self.password_edit, self.password_message)):
            label = QLabel(text, self)
            label.setBuddy(edit)
            form.addRow(label, field_row(edit, msg))

        self.storage_label = QLabel(self)
        self.storage_label.setObjectName("storageLabel")
        self.storage_label.setWordWrap(True)
        self.storage_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("loginStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message = FieldMessage("loginMessage", None, self)
        self.message.setAccessibleName("Login message")

        self.logout_button = QPushButton("Log &Out", self)
        self.logout_button.setObjectName("logoutButton")
        self.logout_button.setToolTip("Forget the saved login for this registry (docker logout)")
        self.logout_button.setAutoDefault(False)
        self.buttons, self.ok_button, self.cancel_button = dialog_buttons(self, "&Log In", self.logout_button)
        self.logout_button.clicked.connect(self.logout)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.storage_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)
        self._give_back_height = GiveBackHeight(self)

        self.registry_edit.textChanged.connect(self._registry_changed)
        self.username_edit.textChanged.connect(lambda _: self.username_message.clear())
        self.password_edit.textChanged.connect(lambda _: self.password_message.clear())
        self._registry_changed(registry)
        (self.username_edit if registry else self.registry_edit).setFocus()

    # -- state ------------------------------------------------------------------
    @property
    def registry(self) -> str:
        return self.registry_edit.text().strip()

    def _registry_changed(self, _text: str = "") -> None:
        self.message.clear()
        self.logout_button.setEnabled(False)
        self.status_label.clear()
        try:
            check_registry(self.registry)
        except EngineError as exc:
            self.registry_message.error(exc.message)
            self.storage_label.clear()
            return
        self.registry_message.clear()
        try:
            where = self.engine.credentials.where(self.registry)
        except EngineError as exc:
            where = exc.message
        self.storage_label.setText(f"The login will be kept in {where}.")
        if self.isVisible():
            self._refresh_status()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._busy:
            self._refresh_status()

    def _refresh_status(self) -> None:
        """Say whether a login for the registry is saved (the store may run a helper program)."""
        registry = self.registry
        self._ops.run("status", lambda: self._load_status(registry), context="Reading the saved login")

    async def _load_status(self, registry: str) -> None:
        cred = await self.engine.credential(registry)
        if registry != self.registry:
            return
        title = registry_title(registry)
        if cred is None:
            self.status_label.setText(f"Not logged in to {title}.")
            return
        self.status_label.setText(f"Logged in to {title} as {cred.username}.")
        self.logout_button.setEnabled(not self._busy)
        if not self.username_edit.text():
            self.username_edit.setText(cred.username)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for w in (self.registry_edit, self.username_edit, self.password_edit, self.ok_button):
            w.setEnabled(not busy)
        if busy:
            self.logout_button.setEnabled(False)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    # -- log in ----------------------------------------------------------------
    def accept(self) -> None:
        if self._busy:
            return
        self.message.clear()
        first_bad = None
        try:
            check_registry(self.registry)
        except EngineError as exc:
            self.registry_message.error(exc.message)
            first_bad = self.registry_edit
        if not self.username_edit.text().strip():
            self.username_message.error("Enter your user name.")
            first_bad = first_bad or self.username_edit
        if not self.password_edit.text():
            self.password_message.error("Enter your password or access token.")
            first_bad = first_bad or self.password_edit
        if first_bad is not None:
            first_bad.setFocus()
            return
        registry = self.registry
        username, password = self.username_edit.text().strip(), self.password_edit.text()
        self.message.note(f"Checking the login with {registry_title(registry)}…")
        self._ops.run("login", lambda: self._login(registry, username, password),
                      context=f"Logging in to {registry_title(registry)}", busy=self._set_busy,
                      refused=self._refused, failed=self._failed, serious=False,
                      done=lambda _: self._logged_in(registry))

    async def _login(self, registry: str, username: str, password: str) -> None:
        self.stored_in = await self.engine.login(registry, username, password)

    def _logged_in(self, registry: str) -> None:
        self.password_edit.clear()
        self.message.clear()
        self.loggedIn.emit(registry)
        super().accept()

    def _refused(self, exc: EngineError) -> None:
        self.message.error(exc.message)
        if exc.kind is ErrorKind.UNAUTHORIZED:
            self.password_edit.selectAll()
            self.password_edit.setFocus()
        self._refresh_status()

    def _failed(self, exc: BaseException) -> None:
        self.message.error(str(exc) or type(exc).__name__)

    # -- log out ---------------------------------------------------------------
    def logout(self) -> None:
        if self._busy:
            return
        registry = self.registry
        self.message.note(f"Logging out of {registry_title(registry)}…")
        self._ops.run("logout", lambda: self.engine.logout(registry),
                      context=f"Logging out of {registry_title(registry)}", busy=self._set_busy,
                      failed=self._failed, serious=False, done=lambda _: self._logged_out(registry))

    def _logged_out(self, registry: str) -> None:
        self.password_edit.clear()
        self.message.note(f"Logged out of {registry_title(registry)}: the saved login was removed.")
        self.status_label.setText(f"Not logged in to {registry_title(registry)}.")
        self.logout_button.setEnabled(False)
        self.loggedOut.emit(registry)

    # -- closing -----------------------------------------------------------------
    def reject(self) -> None:
        self._ops.cancel()
        self._set_busy(False)
        self.message.clear()
        self.password_edit.clear()
        super().reject()
