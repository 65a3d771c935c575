"""Background work on the asyncio loop, with strong references and one error route.

``spawn(coro, name="refresh")`` starts a task; a new task of the same name cancels the
previous one (a new refresh supersedes the old). Failures go to
:func:`desktop.ui.common.errors.report` unless the caller handles them.

    spawn(engine.stop(cid), context=f"Stopping {name}", on_success=lambda _: ...)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from desktop import log
from desktop.ui.common import errors

_tasks: set[asyncio.Task[Any]] = set()
_named: dict[str, asyncio.Task[Any]] = {}


def spawn(coro: Coroutine[Any, Any, Any], *, name: str | None = None, context: str = "",
          on_success: Callable[[Any], None] | None = None,
          on_error: Callable[[BaseException], None] | None = None,
          serious: bool | None = None) -> asyncio.Task[Any]:
    if name is not None:
        old = _named.get(name)
        if old is not None and not old.done():
            old.cancel()
    task = asyncio.ensure_future(coro)
    _tasks.add(task)
    if name is not None:
        _named[name] = task

    def done(t: asyncio.Task[Any]) -> None:
        _tasks.discard(t)
        if name is not None and _named.get(name) is t:
            del _named[name]
        if t.cancelled():
            return
        exc = t.exception()
        if exc is None:
            if on_success is not None:
                try:
                    on_success(t.result())
                except Exception as cb_exc:  # a bug in a callback still reaches the user
                    errors.report(cb_exc, context=context, serious=True)
            return
        if on_error is not None:
            try:
                on_error(exc)
                return
            except Exception as cb_exc:
                exc = cb_exc
        errors.report(exc, context=context, serious=serious)

    task.add_done_callback(done)
    return task


def running(name: str) -> asyncio.Task[Any] | None:
    t = _named.get(name)
    return t if t is not None and not t.done() else None


def pending() -> list[asyncio.Task[Any]]:
    return [t for t in _tasks if not t.done()]


async def cancel_all(timeout: float = 2.0) -> None:
    """Cancel every background task and wait (briefly) for them to finish."""
    live = pending()
    for t in live:
        t.cancel()
    if live:
        _done, still = await asyncio.wait(live, timeout=timeout)
        if still:
            log.ui.warning("%d background tasks did not stop in time", len(still))


