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
import time
from collections.abc import Callable, Iterator

import docker
import requests

from desktop.engine import i18n
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.transport import chunked_reader, get_stream, shutdown_response

STDOUT, STDERR = 1, 2
READ_SIZE = 256 * 1024
#: After a read of fewer bytes than this, wait GATHER_S before the next (see _gathering).
GATHER_BELOW = 64 * 1024
GATHER_S = 0.0005
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

    def __init__(self, response: requests.Response, tty: bool, clock_offset: float = 0.0) -> None:
        self._response = response
        self._tty = tty
        #: The engine's clock less this computer's, in seconds, from the Date header.
        self.clock_offset = clock_offset

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        try:
            response = self._response
            socket_read1 = chunked_reader(response)
            if socket_read1 is not None:
                # Read the socket in large slices and cut the HTTP chunks here: the
                # HTTP client would return one chunk, that is one line, per call.
                for chunks in _chunked_frames(_gathering(socket_read1), framed=not self._tty):
                    yield from chunks
                return
            read1 = _gathering(response.raw.read1)  # urllib3's HTTPResponse.read1 (public since 2.0)
            buf = bytearray()
            while data := read1(READ_SIZE):
                if self._tty:
                    yield STDOUT, data
                    continue
                buf += data
                chunks, used = demux(buf)
                if used:
                    del buf[:used]
                yield from chunks
        except (OSError, ValueError, AttributeError):
            # The socket was shut by close(), or the engine went away: the stream ends.
            return

    def close(self) -> None:
        shutdown_response(self._response)


def frame_weight(frame: tuple[int, bytes]) -> int:
    """What a frame weighs against a stream's read-ahead limit: its bytes, and a little
    for the frame itself (stdout and stderr taking turns make many small ones)."""
    return len(frame[1]) + 64


def _gathering(read1: Callable[[int], bytes]) -> Callable[[int], bytes]:
    """``read1`` that lets a trickle gather: after a read that found little (the reader
    has caught up with the container), the next read waits ``GATHER_S`` first.

    A reader that keeps up with a chatty container would otherwise wake for every few
    hundred bytes (measured: 49,000 reads of 400 bytes for 200,000 lines), and each
    wake costs a system call, the Python around it and a hand-off to the window. A line
    is shown at most ``GATHER_S`` later for it; a large backlog is read without pause.
    """
    small = False

    def read(n: int) -> bytes:
        nonlocal small
        if small and GATHER_S:
            time.sleep(GATHER_S)
        data = read1(n)
        small = len(data) < GATHER_BELOW
        return data
    return read


def _chunked_frames(read1: Callable[[int], bytes], framed: bool = True) -> Iterator[list[tuple[int, bytes]]]:
    """The frames of a chunked HTTP body read with ``read1``, a list per read."""
    cutter = ChunkedFrames(framed)
    while not cutter.finished:
        data = read1(READ_SIZE)
        if not data:
            return
        out = cutter.feed(data)
        if out:
            yield out


class ChunkedFrames:
    """Cut a chunked HTTP body (RFC 9112 7.1) into frames as it arrives, in any pieces.

    The engine writes every frame (and so every log line) as one HTTP chunk: such a
    chunk is taken in one step, its frame header checked and its payload sliced out.
    Anything else (a frame over several chunks, several frames in one chunk, a chunk
    cut by the end of a piece) goes through ``pending`` and :func:`demux`. Without
    ``framed`` (a TTY's log) the payload is the output as it is, all of it stdout.
    """

    def __init__(self, framed: bool = True) -> None:
        self.framed = framed
        self.finished = False      # the last chunk has been seen
        self._rest = b""           # the start of a chunk-size line cut by the end of a piece
        self._need = 0             # payload bytes of the current chunk still to come
        self._skip = 0             # bytes of the CRLF after a chunk's payload still to pass
        self._pending = bytearray()  # payload not yet cut into frames

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        """The frames completed by ``data``: ``[(stream, bytes), ...]``."""
        if self.finished:
            return []
        if self._rest:
            data, self._rest = self._rest + data, b""
        framed, pending, need, skip = self.framed, self._pending, self._need, self._skip
        unpack = _HEADER.unpack_from
        end = len(data)
        pos = 0
        out: list[tuple[int, bytes]] = []
        parts: list[bytes] = []  # payloads of the current run of one stream
        stream = STDOUT
        if need:
            pos = min(need, end)
            pending += data[:pos]
            need -= pos
            if not need:
                skip = 2
        if skip and pos < end:
            n = min(skip, end - pos)
            pos += n
            skip -= n
        find = data.find
        while True:
            if pending and not need:
                if parts:
                    out.append((stream, b"".join(parts)))
                    parts = []
                if framed:
                    chunks, used = demux(pending)
                    del pending[:used]
                    out += chunks
                else:
                    out.append((STDOUT, bytes(pending)))
                    pending.clear()
            if need or skip or self.finished:
                break
            nl = find(b"\r\n", pos)
            if nl < 0:
                self._rest = data[pos:]
                break
            try:
                size = int(data[pos:nl], 16)
            except ValueError:
                size = _chunk_size(data[pos:nl])
            if size <= 0:
                if size < 0:
                    raise _malformed(f"bad chunk size {data[pos:nl]!r}")
                self.finished = True  # the last chunk
                continue
            start = nl + 2
            stop = start + size
            if stop + 2 > end:  # the chunk goes on in the next piece
                pending += data[start:min(stop, end)]
                need = max(0, stop - end)
                skip = 2 if need else stop + 2 - end
                pos = end
                continue
            if data[stop:stop + 2] != b"\r\n":
                raise _malformed("a chunk does not end where its size says")
            pos = stop + 2
            if not framed:
                parts.append(data[start:stop])
                continue
            if not pending and size >= 8:
                kind, length = unpack(data, start)
                if length == size - 8:  # exactly one frame
                    kind = kind if kind == STDERR else STDOUT
                    if kind != stream and parts:
                        out.append((stream, b"".join(parts)))
                        parts = []
                    stream = kind
                    parts.append(data[start + 8:stop])
                    continue
            pending += data[start:stop]
        if parts:
            out.append((stream, b"".join(parts)))
        self._need, self._skip = need, skip
        return out


def _chunk_size(line: bytes) -> int:
    """The size of a chunk whose size line has extensions (``1f;name=value``)."""
    text = line.split(b";", 1)[0].strip()
    try:
        return int(text, 16)
    except ValueError:
        raise _malformed(f"bad chunk size {line!r}") from None


def _malformed(what: str) -> EngineError:
    """The engine's answer is not what the HTTP framing says it must be."""
    return EngineError(ErrorKind.INTERNAL, i18n.translate(
        "Engine", "The engine's answer could not be read (it is not valid HTTP)."), what)


def open_log_frames(api: docker.APIClient, ident: str, *, follow: bool, tail: int | str, since: float | str | None,
                    timestamps: bool) -> LogFrames:
    tty = bool(api.inspect_container(ident)["Config"].get("Tty"))
    params: dict[str, object] = {
        "stdout": 1, "stderr": 1, "follow": int(follow), "timestamps": int(timestamps),
        "tail": "all" if tail in ("all", None, -1) else int(tail),
    }
    if since is not None:
        params["since"] = since
    response = get_stream(api, "/containers/{0}/logs", ident, params=params)
    return LogFrames(response, tty, _clock_offset(response.headers.get("Date")))


def _clock_offset(date: str | None) -> float:
    """The engine's clock less this computer's, from an HTTP Date header (to the
    second; 0 when there is none)."""
    import email.utils

    try:
        return email.utils.parsedate_to_datetime(date).timestamp() - time.time() if date else 0.0
    except (TypeError, ValueError, IndexError):
        return 0.0
