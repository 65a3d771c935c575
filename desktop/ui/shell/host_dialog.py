"""File ▸ Engine ▸ Connect to Host…: an engine address, checked as it is typed, tried
before the engine in use is let go."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.engine.errors import EngineError
from desktop.engine.parsing import parse_engine_url
from desktop.engine.records import EngineInfo
from desktop.ui.common.operations import Operations
from desktop.ui.common.widgets import FieldMessage, GiveBackHeight, dialog_buttons, field_row
from desktop.ui.shell.connection import Connection


class HostDialog(QDialog):
    """OK tries the address; the dialog closes once that engine answers and is shown. If
    it does not answer, the dialog says why and the window keeps the engine it had."""

    def __init__(self, connection: Connection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connection = connection
        self._ops = Operations(self)
        self._busy = False
        self.setObjectName("hostDialog")
        self.setWindowTitle("Connect to a Docker Engine")
        intro = QLabel("The address of a Docker engine, as <tt>docker -H</tt> takes it. Berth keeps showing "
                       f"<b>{connection.label}</b> until the new engine answers.", self)
        intro.setWordWrap(True)
        self.url_edit = QLineEdit(connection.engine.host, self)
        self.url_edit.setObjectName("hostUrlEdit")
        self.url_edit.setAccessibleName("Engine address")
        self.url_edit.setPlaceholderText("tcp://host:2375, ssh://user@host, unix:///var/run/docker.sock")
        self.url_edit.selectAll()
        self.url_message = FieldMessage("hostUrlMessage", self.url_edit, self)
        self.message = FieldMessage("hostMessage", None, self)
        buttons, self.ok_button, self.cancel_button = dialog_buttons(self, "&Connect")
        self.ok_button.setAutoDefault(False)
        form = QFormLayout()
        label = QLabel("&Address:", self)
        label.setBuddy(self.url_edit)
        form.addRow(label, field_row(self.url_edit, self.url_message))
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.setMinimumWidth(520)
        self._give_back_height = GiveBackHeight(self)
        self.url_edit.textChanged.connect(self._check)
        self._check()
        self.url_edit.setFocus()  # typing goes to the address, not to Connect

    @property
    def url(self) -> str:
        return self.url_edit.text().strip()

    def _check(self, _text: str = "") -> str | None:
        """The address as typed, checked; None (and the reason under the field) if it is wrong."""
        self.message.clear()
        try:
            url = parse_engine_url(self.url_edit.text())
        except EngineError as exc:
            self.url_message.error(exc.message)
            self.ok_button.setEnabled(False)
            return None
        self.url_message.clear()
        self.ok_button.setEnabled(not self._busy)
        return url

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.url_edit.setReadOnly(busy)
        self.ok_button.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def accept(self) -> None:
        url = self._check()
        if url is None or self._busy:
            return
        if url == self.connection.engine.host:  # nothing to switch: the panels stay as they are
            super().accept()
            return
        try:
            engine = self.connection.make_engine(host=url)
        except EngineError as exc:
            self.url_message.error(exc.message)
            return
        self.message.note(f"Connecting to {url}…")
        self._ops.run("connect", lambda: self.connection.trial(engine), context=f"Connecting to {url}",
                      busy=self._set_busy, refused=self._refused, done=self._connected)

    def _refused(self, exc: EngineError) -> None:
        self.message.error(f"{exc.message} Berth stays connected to {self.connection.label}.")
        self.url_edit.setFocus()

    def _connected(self, _info: EngineInfo) -> None:
        super().accept()

    def reject(self) -> None:
        """Cancel: stop trying (the engine in use stays), else close."""
        if self._busy:
            self._ops.cancel("connect")
            self.message.note("Cancelled.")
            return
        super().reject()

    def done(self, result: int) -> None:
        self._ops.cancel()
        super().done(result)
