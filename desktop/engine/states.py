"""Container states as types, and the one table of what a container in a state allows.

The engine reports a container's state as a word (``docker ps`` ``.State``). :class:`State`
names the words it has; anything else becomes :attr:`State.UNKNOWN` rather than a
string that no comparison expects. :func:`allowed` is the only place that says which
operations a state permits: the window's buttons, its bulk actions and the removal
confirmation all ask it, so a rule changes in one line.

The rules follow what the engine answers (checked against Docker Engine 20+):

* ``start`` of a running container is a no-op, of a paused one refused ("try unpause"),
  of a dead one refused ("marked for removal");
* ``stop`` of a created or exited container is a no-op (HTTP 304); of a paused one it
  works (the engine thaws it first);
* ``kill`` and ``pause`` of a container that is not running are refused ("is not
  running"); ``pause`` of a restarting one too;
* ``rm`` without force is refused for a running, paused or restarting container;
* ``exec`` into a paused container is refused ("unpause the container before exec");
* a container being removed takes nothing but a look at its log.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping


class State(enum.StrEnum):
    """A container's state. A ``StrEnum``: ``State.RUNNING == "running"``, so the word the
    engine sent and the member compare equal, and formatting shows the word."""

    CREATED = "created"
    RUNNING = "running"
    PAUSED = "paused"
    RESTARTING = "restarting"
    REMOVING = "removing"
    EXITED = "exited"
    DEAD = "dead"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, word: str) -> State:
        """The state the engine's word names; :attr:`UNKNOWN` for a word it has no member for."""
        return _BY_WORD.get(word.lower(), cls.UNKNOWN)

    @property
    def running(self) -> bool:
        """Whether a process runs or is about to run again (``docker ps`` without ``-a``
        lists these)."""
        return self in _RUNNING


_BY_WORD: Mapping[str, State] = {s.value: s for s in State}
_RUNNING = frozenset({State.RUNNING, State.RESTARTING})


class Op(enum.StrEnum):
    """What a user can do to a container. The values of the first six are the names of
    the :class:`~desktop.engine.client.Engine` methods that do it."""

    START = "start"
    STOP = "stop"
    RESTART = "restart"
    PAUSE = "pause"
    UNPAUSE = "unpause"
    KILL = "kill"
    REMOVE = "remove"              # without force
    FORCE_REMOVE = "force-remove"  # killed first if it runs
    RENAME = "rename"
    LOGS = "logs"
    EXEC = "exec"                  # a command inside it (not offered yet)


_STOPPED = frozenset({Op.START, Op.RESTART, Op.REMOVE, Op.FORCE_REMOVE, Op.RENAME, Op.LOGS})
_ALLOWED: Mapping[State, frozenset[Op]] = {
    State.CREATED: _STOPPED,
    State.EXITED: _STOPPED,
    State.RUNNING: frozenset({Op.STOP, Op.RESTART, Op.PAUSE, Op.KILL, Op.FORCE_REMOVE, Op.RENAME,
                              Op.LOGS, Op.EXEC}),
    State.PAUSED: frozenset({Op.STOP, Op.RESTART, Op.UNPAUSE, Op.KILL, Op.FORCE_REMOVE, Op.RENAME,
                             Op.LOGS}),
    State.RESTARTING: frozenset({Op.STOP, Op.RESTART, Op.KILL, Op.FORCE_REMOVE, Op.RENAME, Op.LOGS}),
    State.DEAD: frozenset({Op.REMOVE, Op.FORCE_REMOVE, Op.LOGS}),
    State.REMOVING: frozenset({Op.LOGS}),
    # A state this table does not know locks nothing: the engine's answer says what it refuses.
    State.UNKNOWN: frozenset(Op),
}


def allowed(state: State) -> frozenset[Op]:
    """The operations a container in ``state`` allows."""
    return _ALLOWED[state]


def needs_force(state: State) -> bool:
    """Whether removing a container in ``state`` takes force (it is killed first)."""
    ops = _ALLOWED[state]
    return Op.REMOVE not in ops and Op.FORCE_REMOVE in ops
