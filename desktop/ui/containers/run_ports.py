"""The run dialog's Ports field: mappings in ``docker run -p`` syntax and as the rows of
a table, each following the other, with a warning when a host port is already taken —
published by a container of the engine (from the store), or, on a local engine, held by
something on this machine.
"""

from __future__ import annotations

import errno
import socket
import sys
from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.engine.client import Engine
from desktop.engine.errors import EngineError
from desktop.engine.parsing import parse_ports
from desktop.engine.records import Container, PortMapping
from desktop.ui.common.widgets import FieldMessage

_WILDCARDS = ("", "0.0.0.0", "::")
_COLUMNS = 4  # host address, host port, container port, protocol


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
                    out[port] = QCoreApplication.translate(
                        "PortsEditor", "Host port {port} is already published by the container {name}.",
                    ).format(port=port, name=c.name)
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
    return sys.platform == "win32"


def engine_is_local(engine: Engine) -> bool:
    return engine.host.startswith(("unix://", "npipe://")) or engine.host.startswith(("tcp://127.", "tcp://localhost"))


# -- the port table ---------------------------------------------------------------------------
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


class PortsEditor(QWidget):
    """The Ports field: a line of ``-p`` specs (``edit``), its message, and a table of the
    same mappings with + and − buttons. Editing either one rewrites the other; the text
    is what :meth:`check` reads."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._syncing = False  # the text and the table are being made to agree: no echo
        self.edit = QLineEdit(self)
        self.edit.setObjectName("portsEdit")
        self.edit.setAccessibleName(self.tr("Port mappings"))
        self.edit.setPlaceholderText("818:80, 127.0.0.1:8443:443/tcp")
        self.edit.setToolTip(self.tr("Publish container ports on this machine, as docker run -p: "
                                     "HOSTPORT:CONTAINERPORT, several separated by commas or spaces"))
        self.message = FieldMessage("portsMessage", self.edit, self)
        self.table = self._make_table()
        self.add_button = self._tool_button("addPortButton", "+", self.tr("Add a port mapping"))
        self.add_button.clicked.connect(self._add_row)
        self.remove_button = self._tool_button("removePortButton", "−", self.tr("Remove the selected port mapping"))
        self.remove_button.clicked.connect(self._remove_rows)
        table_buttons = QVBoxLayout()
        table_buttons.setContentsMargins(0, 0, 0, 0)
        table_buttons.addWidget(self.add_button)
        table_buttons.addWidget(self.remove_button)
        table_buttons.addStretch(1)
        table_row = QHBoxLayout()
        table_row.setContentsMargins(0, 0, 0, 0)
        table_row.addWidget(self.table, 1)
        table_row.addLayout(table_buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.edit)
        layout.addWidget(self.message)
        layout.addLayout(table_row)

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(0, _COLUMNS, self)
        table.setObjectName("portsTable")
        table.setAccessibleName(self.tr("Port mappings table"))
        table.setHorizontalHeaderLabels([self.tr("Host address"), self.tr("Host port"), self.tr("Container port"),
                                         self.tr("Protocol")])
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        row_height = table.verticalHeader().defaultSectionSize()
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + 3 * row_height + 4)
        table.itemChanged.connect(self._table_edited)
        return table

    def _tool_button(self, name: str, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        return button

    def set_editable(self, on: bool) -> None:
        """The text, the table and its buttons (not the message) take input or not."""
        for w in (self.edit, self.table, self.add_button, self.remove_button):
            w.setEnabled(on)

    # ------------------------------------------------------------------ checking
    def check(self, containers: Iterable[Container], *, local: bool) -> tuple[tuple[PortMapping, ...], str]:
        """The mappings the text says and ``""``, or ``()`` and the parser's sentence
        (shown beside the field). The table follows the text; a host port that a
        container publishes, or (``local``) that this machine holds, is warned about."""
        try:
            mappings = parse_ports(self.edit.text())
        except EngineError as exc:
            self.message.error(exc.message)
            if not self._syncing:  # no row may stay for a mapping the text no longer says
                self._fill_table(())
            return (), exc.message
        self.message.clear()
        if not self._syncing:
            self._fill_table(mappings)
        warnings = published_conflicts(mappings, containers)
        if local:
            for m in mappings:
                port = _single_port(m)
                if port is not None and port not in warnings and host_port_taken(m):
                    warnings[port] = self.tr("Host port {port} is already in use on this machine.").format(port=port)
        if warnings:
            self.message.warning(self.tr("{warnings} Choose another host port.").format(
                warnings=" ".join(warnings.values())))
        return mappings, ""

    # ------------------------------------------------------------------ the table
    def _fill_table(self, mappings: Iterable[PortMapping]) -> None:
        self._syncing = True
        try:
            rows = list(mappings)
            self.table.setRowCount(len(rows))
            for r, m in enumerate(rows):
                for c, text in enumerate((m.host_ip, m.host_port, str(m.container_port), m.protocol)):
                    self.table.setItem(r, c, QTableWidgetItem(text))
        finally:
            self._syncing = False

    def _table_text(self) -> str:
        specs = []
        for r in range(self.table.rowCount()):
            cells = [item.text() if (item := self.table.item(r, c)) is not None else "" for c in range(_COLUMNS)]
            spec = _row_spec(*cells)
            if spec:
                specs.append(spec)
        return ", ".join(specs)

    def _text_from_table(self) -> None:
        self._syncing = True
        try:
            self.edit.setText(self._table_text())
        finally:
            self._syncing = False

    def _table_edited(self, _item: QTableWidgetItem) -> None:
        if not self._syncing:
            self._text_from_table()

    def _add_row(self) -> None:
        self._syncing = True
        try:
            row = self.table.rowCount()
            self.table.insertRow(row)
            for c, text in enumerate(("", "", "", "tcp")):
                self.table.setItem(row, c, QTableWidgetItem(text))
        finally:
            self._syncing = False
        self.table.setCurrentCell(row, 1)
        host_port = self.table.item(row, 1)
        if host_port is not None:  # set just above
            self.table.editItem(host_port)

    def _remove_rows(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for r in rows:
            self.table.removeRow(r)
        self._text_from_table()
