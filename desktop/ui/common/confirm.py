"""Confirmations, all by one rule: the button that destroys is never the default, so
Enter (and Esc) in a confirmation always means Cancel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget


def confirm(parent: QWidget, name: str, *, title: str, text: str, informative: str, action: str,
            on_confirm: Callable[[], None], warning: bool = False,
            checkbox: QCheckBox | None = None) -> QMessageBox:
    """Open (window-modal, not blocking) a confirmation named ``name`` whose button
    ``action`` (object name ``name + "Button"``) calls ``on_confirm``."""
    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setIcon(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(informative)
    if checkbox is not None:
        checkbox.setParent(box)
        box.setCheckBox(checkbox)
    ok = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    ok.setObjectName(f"{name}Button")
    ok.setAutoDefault(False)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda _result: on_confirm() if box.clickedButton() is ok else None)
    box.open()
    return box
