"""The command log: every operation Berth performs on an engine, as the ``docker``
command that does the same (:mod:`desktop.engine.commands`), with its time and result.

The :class:`~desktop.engine.client.Engine` records each of its operations here, so that
no caller can forget to. It also tells the log every container name it sees in a list,
which is how a command names a container by name although Berth passes its id: a
learner reads ``docker rename happy_turing web``, not 64 hex digits.

Everything runs on the event loop's thread (the Engine records before and after its
``await``; a pull, which ends on its stream's thread, hands its end to the loop).
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from desktop import log
from desktop.engine.commands import shell_line

#: entries kept; older ones are dropped (a bulk action on many containers adds one each)
LIMIT = 5000
#: container names remembered (ids of containers seen in lists)
NAMES_LIMIT = 20_000


class Result(Enum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Kind(Enum):
    """What the script does with an entry besides running its words."""

    PLAIN = "plain"
    LOGIN = "login"      # asks for the password
    RUN = "run"          # may need the engine's generated name written out


@dataclass(eq=False)
class Entry:
    """One operation. ``argv`` holds no secret; ``error`` is the sentence of a failure."""

    seq: int
    time: datetime
    argv: tuple[str, ...]
    host: str = ""
    kind: Kind = Kind.PLAIN
    result: Result = Result.RUNNING
    error: str = ""
    #: the container a run made (its id), and where ``--name`` goes in ``argv``
    container: str = ""
    name_at: int = 0
    #: what a login logs in as: (registry, user)
    login: tuple[str, str] = ("", "")
    _log: CommandLog | None = field(default=None, repr=False)

    @property
    def command(self) -> str:
        return shell_line(self.argv)

    def done(self, container: str = "") -> None:
        if self.result is Result.RUNNING:
            self.result = Result.DONE
            self.container = container or self.container
            self._changed()

    def failed(self, error: str) -> None:
        if self.result is Result.RUNNING:
            self.result, self.error = Result.FAILED, error
            self._changed()

    def cancelled(self) -> None:
        if self.result is Result.RUNNING:
            self.result = Result.CANCELLED
            self._changed()

    def _changed(self) -> None:
        if self._log is not None:
            self._log._emit_changed(self)


Listener = Callable[[Entry], None]


class CommandLog:
    """The entries, oldest first, and listeners told of each new and each finished one."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._entries: collections.deque[Entry] = collections.deque(maxlen=limit)
        self._seq = itertools.count(1)
        self._added: list[Listener] = []
        self._changed: list[Listener] = []
        self._names: dict[str, str] = {}       # container id -> its name now
        self._first: dict[str, str] = {}       # container id -> the name it was made with

    # -- entries ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self._entries))

    def entries(self) -> list[Entry]:
        return list(self._entries)

    @property
    def limit(self) -> int:
        return self._entries.maxlen or LIMIT

    @property
    def first_seq(self) -> int:
        """The ``seq`` of the oldest entry kept (one past the last when there is none)."""
        return self._entries[0].seq if self._entries else 0

    def begin(self, argv: Sequence[str], *, host: str = "", kind: Kind = Kind.PLAIN, name_at: int = 0,
              login: tuple[str, str] = ("", "")) -> Entry:
        """A new entry, running until its ``done``, ``failed`` or ``cancelled``."""
        entry = Entry(next(self._seq), datetime.now(), tuple(argv), host, kind, name_at=name_at, login=login,
                      _log=self)
        self._entries.append(entry)
        _tell(self._added, entry)
        return entry

    def subscribe(self, *, added: Listener | None = None, changed: Listener | None = None) -> Callable[[], None]:
        """Be told of each new entry and each that finished; returns the unsubscriber."""
        if added is not None:
            self._added.append(added)
        if changed is not None:
            self._changed.append(changed)

        def unsubscribe() -> None:
            if added in self._added:
                self._added.remove(added)
            if changed in self._changed:
                self._changed.remove(changed)
        return unsubscribe

    def _emit_changed(self, entry: Entry) -> None:
        _tell(self._changed, entry)

    # -- container names --------------------------------------------------------------------
    def saw(self, containers: Iterable[tuple[str, str]]) -> None:
        """Containers seen in a list, as ``(id, name)``."""
        for ident, name in containers:
            if not name:
                continue
            self._names[ident] = name
            self._first.setdefault(ident, name)
        if len(self._names) > NAMES_LIMIT:
            for ident in list(itertools.islice(self._names, len(self._names) - NAMES_LIMIT)):
                del self._names[ident]
                self._first.pop(ident, None)

    def renamed(self, ident: str, name: str) -> None:
        """Berth renamed the container ``ident`` (known before the next list says so)."""
        full = self._full_id(ident)
        if full in self._names:
            self._names[full] = name

    def name_of(self, ident: str) -> str:
        """How a command names the container ``ident`` (an id, a prefix of one, or a name):
        by its name if one was seen, else by the short id."""
        full = self._full_id(ident)
        if full in self._names:
            return self._names[full]
        return ident[:12] if _looks_like_id(ident) else ident

    def made_as(self, ident: str) -> str:
        """The name the container ``ident`` had first ("" if never seen): a generated name
        that a replay must give the container itself."""
        return self._first.get(self._full_id(ident), "")

    def _full_id(self, ident: str) -> str:
        if ident in self._names:
            return ident
        if _looks_like_id(ident):
            for known in self._names:
                if known.startswith(ident):
                    return known
        return ident


def _tell(listeners: list[Listener], entry: Entry) -> None:
    # a listener's failure is its own: the operation it reports on goes on
    for listener in list(listeners):
        try:
            listener(entry)
        except Exception:
            log.engine.exception("a command log listener failed")


def _looks_like_id(ident: str) -> bool:
    return 12 <= len(ident) <= 64 and all(ch in "0123456789abcdef" for ch in ident)
