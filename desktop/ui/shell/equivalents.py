"""The ``docker`` command a window action stands for, as the command palette shows it
("Stop — docker stop web"), filled in with the current selection.

Every command is built here, in :func:`docker_equivalent`, from the words of
:mod:`desktop.engine.commands`; when that module has a formatter for each operation,
this is the one function that changes to use them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication

from desktop.engine.commands import run_command, shell_line
from desktop.engine.formatting import ImageRow
from desktop.engine.records import Container, RunSpec
from desktop.engine.states import Op, allowed, needs_force

#: container actions that are one ``docker VERB NAME…`` on the containers they apply to
_BULK = {"actionStart": Op.START, "actionStop": Op.STOP, "actionRestart": Op.RESTART,
         "actionPause": Op.PAUSE, "actionUnpause": Op.UNPAUSE, "actionKill": Op.KILL}


def _placeholder(word: str) -> str:
    # the words docker's own usage lines use (NAME, IMAGE…); a translation may keep them
    return QCoreApplication.translate("Equivalents", word)


def docker_equivalent(action: str, *, containers: Sequence[Container] = (), images: Sequence[ImageRow] = (),
                      on_images: bool = False, data: object = None, registry: str = "") -> str | None:
    """The command line for the action named ``action`` (its object name) on the
    selected ``containers`` or ``images``; None for what has no ``docker`` equivalent
    (Quit, Filter, Help). ``data`` is an action's own data (the context a File ▸ Engine
    entry switches to), ``registry`` the one the login dialog opens on."""
    names = [c.name for c in containers] or [_placeholder("NAME")]
    name = names[0]
    refs = [r.reference for r in images] or [_placeholder("IMAGE")]
    words: list[str] | None = None
    if action in _BULK:
        op = _BULK[action]
        words = ["docker", op.value, *([c.name for c in containers if op in allowed(c.state)] or names)]
    elif action == "actionRun":
        return run_command(RunSpec(image=_placeholder("IMAGE")))
    elif action == "actionRunImage":
        return run_command(RunSpec(image=refs[0]))
    elif action == "actionRemove":
        words = ["docker", "rm", *(["-f"] if any(needs_force(c.state) for c in containers) else []), *names]
    elif action == "actionRename":
        words = ["docker", "rename", name, _placeholder("NEW_NAME")]
    elif action == "actionLogs":
        words = ["docker", "logs", "-f", name]
    elif action in ("actionCopyId", "actionCopyImageId"):
        words = (["docker", "inspect", "--format", "{{.Id}}", *names] if action == "actionCopyId"
                 else ["docker", "image", "inspect", "--format", "{{.Id}}", *refs])
    elif action in ("actionCopyFilesInto", "actionCopyFolderInto"):
        what = _placeholder("FILE") if action == "actionCopyFilesInto" else _placeholder("FOLDER")
        words = ["docker", "cp", what, f"{name}:{_placeholder('PATH')}"]
    elif action == "actionPull":
        words = ["docker", "pull", _placeholder("IMAGE")]
    elif action == "actionLogin":
        words = ["docker", "login", *([registry] if registry else [])]
    elif action == "actionRemoveImage":
        words = ["docker", "rmi", *refs]
    elif action == "actionTagImage":
        words = ["docker", "tag", refs[0], _placeholder("NEW_TAG")]
    elif action in ("actionRefresh", "actionShowContainers", "actionShowImages"):
        images_listed = action == "actionShowImages" or (action == "actionRefresh" and on_images)
        words = ["docker", "images"] if images_listed else ["docker", "ps", "-a"]
    elif action == "actionUseContext" and isinstance(data, str):
        words = ["docker", "context", "use", data]
    return shell_line(words) if words is not None else None
