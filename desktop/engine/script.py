"""The command log as a shell script that replays it (``sh berth-session.sh``).

What makes the script run where the log alone would not:

- a container that the engine named (``docker run`` without ``--name``) is given that
  name in the script, since later commands name it so;
- local paths are absolute (the log writes them so), the script runs from any folder;
- a login asks for its password: on a terminal ``docker login`` asks itself; otherwise
  the password is read as one line of standard input (``--password-stdin``). No password
  is ever written into the script;
- what failed, was cancelled or had not finished is written as a comment: ``set -e``
  would stop the replay at the first command that fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from desktop.engine.commandlog import CommandLog, Entry, Kind, Result
from desktop.engine.commands import shell_line

_LOGIN_FUNCTION = """\
# docker_login REGISTRY USER: on a terminal docker asks for the password; otherwise it is read
# as one line of standard input (sh script.sh < password-file).
docker_login() {
    if [ -t 0 ]; then
        docker login -u "$2" ${1:+"$1"}
    else
        IFS= read -r password
        printf '%s\\n' "$password" | docker login -u "$2" --password-stdin ${1:+"$1"}
        unset password
    fi
}
"""


def script_words(entry: Entry, log: CommandLog) -> list[str]:
    """The words that replay ``entry``: its command, with the name the engine gave a
    container written out, or a call of the script's ``login``."""
    if entry.kind is Kind.LOGIN:
        registry, user = entry.login
        return ["docker_login", registry, user]
    words = list(entry.argv)
    if entry.kind is Kind.RUN and entry.container and entry.name_at:
        generated = log.made_as(entry.container)
        if generated:
            words[entry.name_at:entry.name_at] = ["--name", generated]
    return words


def _comment(entry: Entry) -> str:
    why = {Result.FAILED: f"failed: {entry.error}", Result.CANCELLED: "cancelled",
           Result.RUNNING: "had not finished when the script was saved"}[entry.result]
    return f"# {entry.command}\n#   ({' '.join(why.splitlines())})"


def write_script(log: CommandLog, entries: Iterable[Entry] | None = None, *, now: datetime | None = None) -> str:
    """The text of the script for ``entries`` (all of the log by default)."""
    chosen = list(log.entries() if entries is None else entries)
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    lines = ["#!/bin/sh", f"# The docker commands of a Berth session ({stamp}), to replay it.", "set -e", ""]
    if any(e.kind is Kind.LOGIN and e.result is Result.DONE for e in chosen):
        lines += [_LOGIN_FUNCTION]
    host = chosen[0].host if chosen else ""
    for entry in chosen:
        if entry.host != host:
            host = entry.host
            lines.append(f"# The commands below were run on the engine at {host}.")
        if entry.result is not Result.DONE:
            lines.append(_comment(entry))
            continue
        if entry.kind is Kind.LOGIN:
            lines.append(f"# {entry.command} (asks for the password)")
        lines.append(shell_line(script_words(entry, log)))
    return "\n".join(lines) + "\n"
