"""What a container printed: shown after running a command such as ``cowsay boo``."""

from __future__ import annotations

import codecs

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.ui.common.operations import Operations
from desktop.ui.common.widgets import FieldMessage, fixed_font

MAX_LINES = 20_000


class OutputDialog(QDialog):
    """Follows a container's output until it stops, then says how it ended.

    ``exited(code)`` fires when the container has stopped (``-1`` when the code is not
    known, as for a container removed on exit).
    """

    exited = Signal(int)

    def __init__(self, engine: Engine, container_id: str, name: str = "", command: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.container_id = container_id
        self.exit_code: int | None = None
        self._ops = Operations(self)
        self._started = False
        label = name or container_id[:12]
        self.setObjectName("outputDialog")
        self.setWindowTitle(f"Output of {label}")
        self.setAccessibleName(f"Output of {label}")

        heading = QLabel(self)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setText(f"{label}" + (f" — {command}" if command else ""))
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)

        self.view = QPlainTextEdit(self)
        self.view.setObjectName("outputView")
        self.view.setAccessibleName("Container output")
        self.view.setReadOnly(True)
        self.view.setFont(fixed_font())
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setMaximumBlockCount(MAX_LINES)
        self.view.setPlaceholderText("Waiting for output…")

        self.status = FieldMessage("outputStatus", self.view, self)
        self.status.note("Running…")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setObjectName("closeButton")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(640, 400)

    def text(self) -> str:
        return self.view.toPlainText()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._started:
            self._started = True
            self._ops.run("follow", self._follow, context=f"Reading the output of {self.windowTitle()}")

    async def _follow(self) -> None:
        decoders = {1: codecs.getincrementaldecoder("utf-8")("replace"),
                    2: codecs.getincrementaldecoder("utf-8")("replace")}
        try:
            pump = self.engine.logs(self.container_id, follow=True, tail="all")
            async for batch in pump.batches():
                text = "".join(decoders.get(stream, decoders[1]).decode(data) for stream, data in batch)
                self._append(text)
        except EngineError as exc:
            if exc.kind is not ErrorKind.NOT_FOUND:
                self.status.error(f"The output could not be read: {exc.message}")
                return
        self._append("".join(d.decode(b"", final=True) for d in decoders.values()))
        if not self.view.toPlainText():
            self.view.setPlaceholderText("The container printed nothing.")
        await self._ended()

    def _append(self, text: str) -> None:
        if not text:
            return
        bar = self.view.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        cursor = QTextCursor(self.view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        if at_end:
            bar.setValue(bar.maximum())

    async def _ended(self) -> None:
        try:
            code = await self.engine.wait(self.container_id)
        except EngineError as exc:
            if exc.kind is ErrorKind.NOT_FOUND:
                self.exit_code = -1
                self.status.note("The container has exited and was removed.")
                self.exited.emit(-1)
                return
            self.status.error(f"Could not learn how the container ended: {exc.message}")
            return
        self.exit_code = code
        if code == 0:
            self.status.note("The container has exited (code 0).")
        else:
            self.status.error(f"The container has exited with code {code}.")
        self.exited.emit(code)

    def done(self, result: int) -> None:
        self._ops.cancel()
        super().done(result)

