"""The run dialog's command preview: the ``docker run -d`` / ``docker create`` line that
does what the fields say, to copy — or what to do before there is one."""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.engine.commands import run_command
from desktop.engine.records import RunSpec
from desktop.ui.common.widgets import CopyableLine


class CommandPreview(QWidget):
    """A caption and the command line (``commandLineView``) with its Copy button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = CopyableLine("commandLineView", self.tr("Equivalent docker command"), self)
        caption = QLabel(self.tr("The same with the docker command line:"), self)
        caption.setBuddy(self.line.edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(caption)
        layout.addWidget(self.line)

    def show_spec(self, spec: RunSpec | None, wrong: Collection[str], *, image_given: bool) -> None:
        """The command line of ``spec``; with none (``wrong`` names the fields in error),
        a hint: choose an image when that is all that is missing, else correct the fields."""
        if spec is not None:
            self.line.set_text(run_command(spec))
        elif set(wrong) == {"image"} and not image_given:
            self.line.set_text("", self.tr("Choose an image to see the command line."))
        else:
            self.line.set_text("", self.tr("Correct the fields marked in red to see the command line."))

    def text(self) -> str:
        return self.line.text()
