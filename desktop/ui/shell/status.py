"""The status bar's permanent parts: the engine's state, and how many rows a filter shows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QStatusBar, QWidget

from desktop.engine.errors import EngineError
from desktop.engine.records import EngineInfo
from desktop.ui.common.palette import Status, scheme, status


class EngineStatus(QLabel):
    """"● engine · Docker 20.10 (API 1.41)", or why it is not connected and when it retries."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Connecting…", parent)
        self.setObjectName("engineStatus")
        self.setAccessibleName("Engine status")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.kind = Status.NEUTRAL
        self._text = ""
        scheme().changed.connect(self._paint)

    def _set(self, text: str, kind: Status) -> None:
        self.kind, self._text = kind, text
        self._paint()
        self.setToolTip(text)

    def _paint(self) -> None:
        """The dot in its status colour, on the application's palette (this label's
        own is the old scheme's until the new one reaches it)."""
        if not self._text:
            return
        color = status(self.kind, QApplication.palette(self)).name()
        self.setText(f'<span style="color:{color}">●</span> {self._text}')

    def connecting(self, label: str) -> None:
        self._set(f"Connecting to {label}…", Status.NEUTRAL)

    def connected(self, label: str, info: EngineInfo) -> None:
        self._set(f"{label} · Docker {info.version} (API {info.api_version})", Status.OK)

    def disconnected(self, label: str, error: EngineError, retry_in: float) -> None:
        self._set(f"Not connected: {error.message} Retrying in {retry_in:.0f} s…", Status.ERROR)
        self.setToolTip(f"{label}\n{error.detail or error.message}")


def build_status_bar(bar: QStatusBar) -> tuple[EngineStatus, QLabel]:
    bar.setObjectName("statusBar")
    status = EngineStatus(bar)
    count = QLabel("", bar)
    count.setObjectName("countLabel")
    bar.addPermanentWidget(count)
    bar.addPermanentWidget(status)
    return status, count
