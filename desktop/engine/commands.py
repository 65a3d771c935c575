"""The ``docker`` command that does what Berth does: one formatter for every place that
shows one (the run dialog now; the command log and every other action to come).

Each command is what a person would type to get the same result — including ``-d``
where Berth runs a container detached — and tests run the printed commands against a
real engine and compare what they made with what Berth made.
"""

from __future__ import annotations

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
