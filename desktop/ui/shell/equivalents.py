"""The ``docker`` command a window action stands for, as the command palette shows it
("Stop — docker stop web"), filled in with the current selection.

Every command is built here, in :func:`docker_equivalent`, by the formatters of
:mod:`desktop.engine.commands` that the command log and the run dialog use too, so the
palette, the log and the dialog say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication

from desktop.engine import commands as cmd
from desktop.engine.commands import run_command, shell_line
from desktop.engine.formatting import ImageRow
from desktop.engine.records import Container, RunSpec
from desktop.engine.states import Op, allowed, needs_force

#: container actions that are one ``docker VERB NAME…`` on the containers they apply to
_BULK = {"actionStart": (Op.START, cmd.start_args), "actionStop": (Op.STOP, cmd.stop_args),
         "actionRestart": (Op.RESTART, cmd.restart_args), "actionPause": (Op.PAUSE, cmd.pause_args),
         "actionUnpause": (Op.UNPAUSE, cmd.unpause_args), "actionKill": (Op.KILL, cmd.kill_args)}


def _on_all(words: list[str], more: Sequence[str]) -> list[str]:
    # docker takes more containers (images) after the first: ``docker stop a b``
    return [*words, *more]


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
        op, formatter = _BULK[action]
        targets = [c.name for c in containers if op in allowed(c.state)] or names
        words = _on_all(formatter(targets[0]), targets[1:])
    elif action == "actionRun":
        return run_command(RunSpec(image=_placeholder("IMAGE")))
    elif action == "actionRunImage":
        return run_command(RunSpec(image=refs[0]))
    elif action == "actionRemove":
        force = any(needs_force(c.state) for c in containers)
        words = _on_all(cmd.remove_args(names[0], force=force), names[1:])
    elif action == "actionRename":
        words = cmd.rename_args(name, _placeholder("NEW_NAME"))
    elif action == "actionLogs":
        words = ["docker", "logs", "-f", name]
    elif action in ("actionCopyId", "actionCopyImageId"):
        words = (["docker", "inspect", "--format", "{{.Id}}", *names] if action == "actionCopyId"
                 else ["docker", "image", "inspect", "--format", "{{.Id}}", *refs])
    elif action in ("actionCopyFilesInto", "actionCopyFolderInto"):
        what = _placeholder("FILE") if action == "actionCopyFilesInto" else _placeholder("FOLDER")
        words = cmd.copy_in_args(what, name, _placeholder("PATH"))
    elif action == "actionPull":
        words = cmd.pull_args(_placeholder("IMAGE"))
    elif action == "actionLogin":
        words = ["docker", "login", *([registry] if registry else [])]  # docker asks who
    elif action == "actionRemoveImage":
        words = _on_all(cmd.remove_image_args(refs[0]), refs[1:])
    elif action == "actionTagImage":
        words = cmd.tag_args(refs[0], _placeholder("NEW_TAG"))
    elif action in ("actionRefresh", "actionShowContainers", "actionShowImages"):
        images_listed = action == "actionShowImages" or (action == "actionRefresh" and on_images)
        words = ["docker", "images"] if images_listed else ["docker", "ps", "-a"]
    elif action == "actionUseContext" and isinstance(data, str):
        words = ["docker", "context", "use", data]
    return shell_line(words) if words is not None else None
