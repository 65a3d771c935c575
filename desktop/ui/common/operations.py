"""Operations: one way to run an engine call from the UI.

An operation is the whole life of one call — busy while it runs, then success, a
refusal (an :class:`EngineError`: the engine said no, and the caller shows why where the
user can mend it), a failure (anything else, through the one error route), or a cancel —
written once instead of in every dialog::

    ops = Operations(self)                         # a dialog's operations, cancelled with it
    ops.run("pull", lambda: self._pull(ref), context=f"Pulling {ref}",
            busy=self._set_busy, refused=self._refused, done=self._pulled)

A new run of the same name supersedes (cancels) the one before. An operation refused for
want of a login can :meth:`Operation.wait_for_login`: once a login to that registry is
saved (:func:`logged_in`), it runs again by itself.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from desktop.engine.credentials import registry_key
from desktop.engine.errors import EngineError
from desktop.ui.common import errors, tasks

T = TypeVar("T")

#: operations refused for want of a login, by registry key; run again by :func:`logged_in`
_waiting: dict[str, weakref.WeakSet[Operation[Any]]] = {}


class Operation(Generic[T]):
    """One named engine call of an owner; see the module's docstring."""

    def __init__(self, owner: Operations, name: str, work: Callable[[], Awaitable[T]], *, context: str,
                 busy: Callable[[bool], None] | None = None, done: Callable[[T], None] | None = None,
                 refused: Callable[[EngineError], None] | None = None,
                 failed: Callable[[BaseException], None] | None = None, serious: bool = True) -> None:
        self.owner = owner
        self.name = name
        self.context = context
        self._work = work
        self._busy = busy
        self._done = done
        self._refused = refused
        self._failed = failed
        self._serious = serious
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> Operation[T]:
        """Run the call (again); a running operation of the same name is cancelled first."""
        self.owner._supersede(self)
        self._task = tasks.spawn(self._life(), name=self.owner.task_name(self.name), context=self.context,
                                 on_error=self._report)
        return self

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._set_busy(False)

    def wait_for_login(self, registry: str) -> None:
        """Run again once a login to ``registry`` is saved (the user logs in, it goes on)."""
        _waiting.setdefault(registry_key(registry), weakref.WeakSet()).add(self)

    # -- the life ------------------------------------------------------------------------
    async def _life(self) -> None:
        self._set_busy(True)
        try:
            result = await self._work()
        except EngineError as exc:
            self._set_busy(False)
            if self._refused is None:
                raise
            self._refused(exc)
            return
        except BaseException:  # a failure (reported by _report) or a cancel
            self._set_busy(False)
            raise
        self._set_busy(False)
        if self._done is not None:
            self._done(result)

    def _set_busy(self, busy: bool) -> None:
        # A superseded run ends after its successor began: it must not clear the new busy state.
        if self._busy is not None and self.owner.current(self.name) is self:
            self._busy(busy)

    def _report(self, exc: BaseException) -> None:
        if self._failed is not None:
            self._failed(exc)
        errors.report(exc, context=self.context, serious=self._serious)


class Operations:
    """The operations of one owner (a dialog, a panel): named after it, cancelled with it."""

    def __init__(self, owner: object) -> None:
        self._prefix = f"{type(owner).__name__}-{id(owner):x}"
        self._current: dict[str, Operation[Any]] = {}

    def task_name(self, name: str) -> str:
        return f"{self._prefix}-{name}"

    def run(self, name: str, work: Callable[[], Awaitable[T]], *, context: str,
            busy: Callable[[bool], None] | None = None, done: Callable[[T], None] | None = None,
            refused: Callable[[EngineError], None] | None = None,
            failed: Callable[[BaseException], None] | None = None, serious: bool = True) -> Operation[T]:
        """Make the operation ``name`` and start it (see :class:`Operation`)."""
        op = Operation(self, name, work, context=context, busy=busy, done=done, refused=refused,
                       failed=failed, serious=serious)
        return op.start()

    def current(self, name: str) -> Operation[Any] | None:
        return self._current.get(name)

    def running(self, name: str) -> bool:
        op = self._current.get(name)
        return op is not None and op.running

    def cancel(self, name: str | None = None) -> None:
        """Cancel the operation ``name``, or all of them."""
        for key, op in list(self._current.items()):
            if name is None or key == name:
                op.cancel()

    def _supersede(self, op: Operation[Any]) -> None:
        old = self._current.get(op.name)
        if old is not None and old is not op and old.running:
            old.cancel()
        self._current[op.name] = op


def logged_in(registry: str) -> int:
    """A login to ``registry`` was saved: the operations that waited for it run again.
    Returns how many did."""
    waiting = _waiting.pop(registry_key(registry), None)
    started = 0
    for op in list(waiting or ()):
        if not op.running:
            op.start()
            started += 1
    return started
