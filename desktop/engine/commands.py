"""The ``docker`` command that does what Berth does: one formatter for every place that
shows one (the run dialog, the command log, its saved script).

Each command is what a person would type to get the same result — including ``-d``
where Berth runs a container detached — and tests run the printed commands against a
real engine and compare what they made with what Berth made. Each function returns the
words (``shell_line`` joins them, quoted); containers are named as the caller says (by
name where it is known: a learner reads names, not ids). No password is ever a word:
``login_args`` names the user, and ``docker login`` asks for the password.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Sequence

from desktop.engine.parsing import format_port
from desktop.engine.records import Mount, RunSpec


def shell_line(args: Sequence[str]) -> str:
    """``args`` as one line a POSIX shell splits back into the same words."""
    return " ".join(shlex.quote(a) for a in args)


def _mount_arg(m: Mount) -> str:
    return m.spec if m.source else m.target + (":ro" if m.read_only else "")


def run_args(spec: RunSpec) -> list[str]:
    """The words of ``docker run -d`` (or ``docker create``) for ``spec``.

    Berth never stays attached to a container it starts (its output is read through
    the engine), so a started container is run detached: without ``-d`` the pasted
    command would tie up the terminal.
    """
    args = ["docker", "run", "-d"] if spec.start else ["docker", "create"]
    if spec.name:
        args += ["--name", spec.name]
    for p in spec.ports:
        args += ["-p", format_port(p)]
    for key, value in spec.env:
        args += ["-e", f"{key}={value}"]
    for m in spec.mounts:
        args += ["-v", _mount_arg(m)]
    if spec.restart and spec.restart != "no":
        args += ["--restart", spec.restart]
    if spec.auto_remove:
        args.append("--rm")
    for key, value in spec.labels.items():
        args += ["--label", f"{key}={value}"]
    if spec.workdir:
        args += ["-w", spec.workdir]
    if spec.tty:
        args.append("-t")
    args.append(spec.image)
    if spec.command:
        args.extend(spec.command)
    return args


def run_command(spec: RunSpec) -> str:
    """The ``docker run -d`` / ``docker create`` command line equivalent to ``spec``."""
    return shell_line(run_args(spec))


# -- containers ---------------------------------------------------------------------------
def start_args(container: str) -> list[str]:
    return ["docker", "start", container]


def stop_args(container: str, timeout: int | None = None) -> list[str]:
    return ["docker", "stop", *(["-t", str(timeout)] if timeout is not None else []), container]


def restart_args(container: str, timeout: int | None = None) -> list[str]:
    return ["docker", "restart", *(["-t", str(timeout)] if timeout is not None else []), container]


def pause_args(container: str) -> list[str]:
    return ["docker", "pause", container]


def unpause_args(container: str) -> list[str]:
    return ["docker", "unpause", container]


def kill_args(container: str, signal: str | None = None) -> list[str]:
    return ["docker", "kill", *(["-s", signal] if signal else []), container]


def rename_args(container: str, new_name: str) -> list[str]:
    return ["docker", "rename", container, new_name]


def remove_args(container: str, *, force: bool = False, volumes: bool = False) -> list[str]:
    """``docker container rm``, as the walkthrough's note writes it; ``-f`` removes a
    running container (killing it), ``-v`` its anonymous volumes."""
    return ["docker", "container", "rm", *(["-f"] if force else []), *(["-v"] if volumes else []), container]


def copy_in_args(local: str, container: str, dest: str, *, contents: bool = False) -> list[str]:
    """``docker cp LOCAL CONTAINER:DEST/``: ``local`` (a file, or a folder copied as a
    folder named like it) into the existing folder ``dest``; with ``contents`` what is
    inside the folder ``local`` instead (``LOCAL/.``)."""
    source = local.rstrip("/") + "/." if contents else local
    return ["docker", "cp", source, f"{container}:{dest.rstrip('/')}/"]


def copy_stream_args(container: str, dest: str) -> list[str]:
    """``docker cp - CONTAINER:DEST``: a tar archive on standard input, unpacked into ``dest``."""
    return ["docker", "cp", "-", f"{container}:{dest}"]


def copy_out_args(container: str, path: str, local_dir: str) -> list[str]:
    """``docker cp CONTAINER:PATH LOCAL_DIR``: ``path`` lands in ``local_dir`` under its own name."""
    return ["docker", "cp", f"{container}:{path}", local_dir]


def make_folder_args(container: str, folder: str) -> list[str]:
    """``docker exec CONTAINER mkdir -p FOLDER``: ``docker cp`` makes no missing parents."""
    return ["docker", "exec", container, "mkdir", "-p", posixpath.normpath(folder)]


# -- images ----------------------------------------------------------------------------
def pull_args(reference: str) -> list[str]:
    """``docker image pull``, as the walkthrough's note writes it (``docker pull`` is the same)."""
    return ["docker", "image", "pull", reference]


def remove_image_args(image: str, *, force: bool = False) -> list[str]:
    """``docker image rm`` (``docker rmi``), as the walkthrough's note writes it."""
    return ["docker", "image", "rm", *(["-f"] if force else []), image]


def tag_args(image: str, reference: str) -> list[str]:
    return ["docker", "tag", image, reference]


# -- registries --------------------------------------------------------------------------
def login_args(registry: str, username: str) -> list[str]:
    """``docker login -u USER REGISTRY`` (Docker Hub: no registry). The password is not a
    word of it: docker asks for it (or reads it with ``--password-stdin``)."""
    return ["docker", "login", "-u", username, *([registry] if registry else [])]


def logout_args(registry: str) -> list[str]:
    return ["docker", "logout", *([registry] if registry else [])]
