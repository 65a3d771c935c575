"""The run/create, pull and login dialogs, and the output shown after a run."""

from desktop.ui.dialogs.login import LoginDialog
from desktop.ui.dialogs.output import OutputDialog
from desktop.ui.dialogs.pull import PullDialog
from desktop.ui.dialogs.run import RunDialog

__all__ = ["LoginDialog", "OutputDialog", "PullDialog", "RunDialog"]
