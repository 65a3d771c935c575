"""Blocking SDK streams turned into cancellable async iterators.

A stream (events, logs, pull progress) is read by a thread of its own, never by the
engine's executor, so that a long-lived stream cannot starve short calls. Items are
handed to the event loop in batches: one loop wake-up for however many items arrived
since the consumer last looked. When the consumer falls behind by ``high_water``
items the reader waits, so memory stays bounded.

Cancelling (``aclose()``, task cancellation, or leaving an ``async for``) closes the
HTTP response, which closes the socket and ends the reader thread.
"""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator
from typing import Generic, TypeVar, cast

import requests

from desktop import log
from desktop.engine.errors import translate
from desktop.engine.transport import shutdown_response

T = TypeVar("T")


class _End:
    """The marker after a stream's last item."""


_END = _End()


class StreamPump(Generic[T]):
    """A stream of ``T`` (events, log frames, pull progress, tar chunks) read by a thread
    of its own and handed to the event loop in batches."""

    def __init__(self, opener: Callable[[], Iterable[T]], *, what: str = "",
                 high_water: int = 50_000, weigh: Callable[[T], int] | None = None,
                 name: str = "berth-stream") -> None:
        self._opener = opener
        self._what = what
        # The reader waits once the items not yet taken weigh ``high_water`` (each item
        # weighs 1, or what ``weigh`` says: bytes, say).
        self._high_water = high_water
        self._weigh = weigh
        self._weight = 0
        self._name = name
        self._items: collections.deque[T | _End] = collections.deque()
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stream: Iterable[T] | None = None
        self._closed = False
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._opened: asyncio.Future[None] | None = None

    # -- reader thread -------------------------------------------------------------
    def _run(self) -> None:
        try:
            stream = self._opener()
            with self._lock:
                self._stream = stream
                closed = self._closed
            self._signal_opened()
            if closed:
                _close(stream)
                return
            weigh = self._weigh
            for item in stream:
                weight = weigh(item) if weigh is not None else 1
                with self._lock:
                    if self._closed:
                        break
                    was_empty = not self._items
                    self._items.append(item)
                    self._weight += weight
                    full = self._weight >= self._high_water
                # The consumer is woken before the reader waits for room (one item may
                # reach the limit alone), and outside the lock, which it takes at once.
                if was_empty:
                    self._notify()
                if full:
                    with self._lock:
                        while self._weight >= self._high_water and not self._closed:
                            self._room.wait(0.5)
        except BaseException as exc:  # handed to the consumer
            if not self._closed:
                self._error = exc
        finally:
            with self._lock:
                self._items.append(_END)
            self._signal_opened()
            self._notify()

    def _signal_opened(self) -> None:
        loop, fut = self._loop, self._opened
        if loop is None or fut is None or loop.is_closed():
            return

        def done() -> None:
            if not fut.done():
                fut.set_result(None)
        try:
            loop.call_soon_threadsafe(done)
        except RuntimeError:  # loop closed meanwhile
            pass

    def _notify(self) -> None:
        loop, wake = self._loop, self._wakeup
        if loop is not None and wake is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # loop closed meanwhile
                pass

    # -- consumer side ---------------------------------------------------------
    def start(self) -> StreamPump[T]:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self._opened = self._loop.create_future()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        return self

    async def batches(self) -> AsyncGenerator[list[T], None]:
        """Yield lists of items as they arrive; raise EngineError if the stream failed."""
        if self._thread is None:
            self.start()
        assert self._wakeup is not None
        try:
            while True:
                await self._wakeup.wait()
                with self._lock:
                    self._wakeup.clear()
                    taken = list(self._items)
                    self._items.clear()
                    self._weight = 0
                    self._room.notify_all()
                ended = bool(taken) and taken[-1] is _END
                if ended:
                    taken.pop()
                # The end marker is appended once, last, by the reader: what is left is items.
                batch = cast("list[T]", taken)
                if batch:
                    yield batch
                if ended:
                    if self._error is not None:
                        raise translate(self._error, what=self._what)
                    return
        finally:
            self.close()

    async def opened(self) -> None:
        """Wait until the request is answered and the stream flows (or has failed:
        the failure is then raised by :meth:`batches`)."""
        if self._thread is None:
            self.start()
        assert self._opened is not None
        await self._opened

    async def items(self) -> AsyncGenerator[T, None]:
        async for batch in self.batches():
            for item in batch:
                yield item

    def close(self) -> None:
        """Close the connection; safe to call from any thread, more than once."""
        with self._lock:
            self._closed = True
            stream = self._stream
            self._room.notify_all()
        if stream is not None:
            _close(stream)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def source(self) -> Iterable[T] | None:
        """What the opener returned (None until the request is answered)."""
        return self._stream


def _close(stream: object) -> None:
    try:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    except Exception as exc:  # closing a dead socket may complain; nothing to do
        log.engine.debug("closing stream: %r", exc)


class ClosingIterable(Generic[T]):
    """Items read from a streamed response; ``close()`` shuts the response's socket, so
    that a reader blocked in the middle of an item wakes at once."""

    def __init__(self, items: Iterator[T], response: requests.Response) -> None:
        self._items = items
        self._response = response

    def __iter__(self) -> Iterator[T]:
        return self._items

    def close(self) -> None:
        shutdown_response(self._response)


def iter_with_close(items: Iterator[T], response: requests.Response) -> ClosingIterable[T]:
    """Wrap an iterator reading ``response`` so that ``close()`` shuts the socket."""
    return ClosingIterable(items, response)
