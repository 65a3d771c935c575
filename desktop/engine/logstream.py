"""Container logs read straight off the connection and demultiplexed in bulk.

The engine frames a non-TTY log as ``[stream, 0, 0, 0, size(4, big endian)] payload``.
Reading a frame at a time (two reads per line) is what makes log viewers slow; here
the connection is read in large slices as data arrives, frames are cut out of the
buffer, and consecutive frames of the same stream are joined. The items are
``(stream, bytes)`` chunks with 1 = stdout, 2 = stderr; a chunk may end in the middle
of a line (the reader of the chunks assembles lines).
"""

from __future__ import annotations

import struct
from typing import Any, Iterator

from desktop.engine.streams import _shutdown_response

STDOUT, STDERR = 1, 2
READ_SIZE = 256 * 1024
_HEADER = struct.Struct(">BxxxL")


def demux(buffer: bytearray) -> tuple[list[tuple[int, bytes]], int]:
    """Cut the complete frames out of ``buffer``.

    Returns ``(chunks, consumed)``: the frames' payloads with consecutive frames of the
    same stream joined, and how many bytes of ``buffer`` they used.
    """
    out: list[tuple[int, bytes]] = []
    pos, end = 0, len(buffer)
    view = memoryview(buffer)
    cur_stream = -1
    parts: list[bytes] = []
    unpack = _HEADER.unpack_from
    try:
        while end - pos >= 8:
            stream, size = unpack(buffer, pos)
            if end - pos - 8 < size:
                break
            if stream != cur_stream:
                if parts:
                    out.append((cur_stream if cur_stream in (STDOUT, STDERR) else STDOUT, b"".join(parts)))
                    parts = []
                cur_stream = stream
            parts.append(bytes(view[pos + 8:pos + 8 + size]))
            pos += 8 + size
        if parts:
            out.append((cur_stream if cur_stream in (STDOUT, STDERR) else STDOUT, b"".join(parts)))
    finally:
        view.release()
    return out, pos


class LogFrames:
    """Iterate a log response as ``(stream, bytes)`` chunks; ``close()`` drops the socket."""

    def __init__(self, response: Any, tty: bool) -> None:
        self._response = response
        self._tty = tty

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        raw = self._response.raw
        read1 = raw.read1
        try:
            if self._tty:
                while True:
                    data = read1(READ_SIZE)
                    if not data:
                        return
                    yield STDOUT, data
            buf = bytearray()
            while True:
                data = read1(READ_SIZE)
                if not data:
                    return
                buf += data
                chunks, used = demux(buf)
                if used:
                    del buf[:used]
                yield from chunks
        except (OSError, ValueError, AttributeError):
            # The socket was shut by close(), or the engine went away: the stream ends.
            return

    def close(self) -> None:
        _shutdown_response(self._response)


def open_log_frames(api: Any, ident: str, *, follow: bool, tail: int | str, since: float | int | None,
                    timestamps: bool) -> LogFrames:
    tty = bool(api.inspect_container(ident)["Config"].get("Tty"))
    params: dict[str, Any] = {
        "stdout": 1, "stderr": 1, "follow": int(follow), "timestamps": int(timestamps),
        "tail": "all" if tail in ("all", None, -1) else int(tail),
    }
    if since is not None:
        params["since"] = since
    response = api._get(api._url("/containers/{0}/logs", ident), params=params, stream=True, timeout=None)
    api._raise_for_status(response)
    return LogFrames(response, tty)
