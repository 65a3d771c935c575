"""Every use of a private part of docker-py, requests, urllib3 or http.client, in one file.

Berth reads some answers off the connection itself: a log in large slices, a pull's
progress as it comes, a copy's tar stream, a wait that may last for hours; and it
cancels them by shutting the socket under the response, which the SDK's public API
does not expose. Each function here says which private name it uses and why. No
other module of Berth may touch these names (``tests/engine/test_transport.py``
checks), so that an upgrade of docker-py or urllib3 is checked here and only here.

Checked against :data:`CHECKED_AGAINST`; the tests that exercise each function are
``tests/engine/test_streams.py`` (streams, cancelling, logs), ``test_client.py`` (wait,
pull, stat) and ``test_archive_engine.py`` (copies).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

import docker
import requests

#: The versions every function here was read against; re-read this file on an upgrade
#: of any of them (the tests named above then show whether it still holds).
CHECKED_AGAINST = "docker 7.2.0, requests 2.34.2, urllib3 2.8.0, CPython 3.11 http.client and socket"


class _SocketLike(Protocol):
    """A socket, or docker-py's named-pipe socket on Windows (``NpipeSocket``)."""

    def close(self) -> None: ...


def _send(api: docker.APIClient, method: str, path_format: str, args: tuple[str, ...],
          params: Mapping[str, object] | None, headers: Mapping[str, str] | None) -> requests.Response:
    # ``APIClient._url`` puts the negotiated API version in front of the path and quotes
    # the arguments; ``_get``/``_post`` add the HttpHeaders of the user's config.json
    # (``update_headers``), as every public call of the SDK does. docker-py has no public
    # way to send a request that is read as a stream and that Berth can cut short.
    url = api._url(path_format, *args)
    kwargs: dict[str, object] = {"stream": True, "timeout": None}  # no read timeout: a stream may idle
    if params is not None:
        kwargs["params"] = params
    if headers is not None:
        kwargs["headers"] = dict(headers)
    send = api._get if method == "GET" else api._post
    response: requests.Response = send(url, **kwargs)
    raise_for_status(api, response)
    return response


def get_stream(api: docker.APIClient, path_format: str, *args: str, params: Mapping[str, object] | None = None,
               headers: Mapping[str, str] | None = None) -> requests.Response:
    """``GET`` an engine path (``"/containers/{0}/logs"``, its arguments quoted in) for
    reading as a stream: no read timeout; an error status raised as docker-py's
    ``APIError`` (translated by the caller)."""
    return _send(api, "GET", path_format, args, params, headers)


def post_stream(api: docker.APIClient, path_format: str, *args: str, params: Mapping[str, object] | None = None,
                headers: Mapping[str, str] | None = None) -> requests.Response:
    """``POST`` to an engine path for reading the answer as a stream (a pull, a wait)."""
    return _send(api, "POST", path_format, args, params, headers)


def head(api: docker.APIClient, path_format: str, *args: str, params: Mapping[str, object]) -> requests.Response:
    """``HEAD`` an engine path with the client's timeout; the status is not checked
    (a 404 may carry an answer: ``HEAD /containers/{id}/archive``)."""
    # ``_url`` as in _send; ``head`` is requests' own, so no HttpHeaders (as before).
    response: requests.Response = api.head(api._url(path_format, *args), params=params, timeout=api.timeout)
    return response


def raise_for_status(api: docker.APIClient, response: requests.Response) -> None:
    """Raise the ``docker.errors`` exception the SDK raises for an error status
    (``NotFound``, ``ImageNotFound``, ``APIError``...), which :func:`translate` knows."""
    # ``APIClient._raise_for_status``: the SDK's one mapping of a status to its errors.
    api._raise_for_status(response)


def json_messages(api: docker.APIClient, response: requests.Response) -> Iterator[dict[str, object]]:
    """The JSON objects of a streamed answer (a pull's progress), each as it arrives."""
    # ``APIClient._stream_helper(decode=True)``: the SDK's reader of the engine's
    # chunked JSON stream, which copes with an object split over chunks and with a
    # non-chunked error answer. ``pull(stream=True)`` would use it too but hides the
    # response, which Berth needs to cancel the pull.
    messages: Iterator[dict[str, object]] = api._stream_helper(response, decode=True)
    return messages


def response_socket(response: requests.Response) -> _SocketLike | None:
    """The socket a streamed response is read from, or None (already closed)."""
    # requests' ``raw`` is urllib3's HTTPResponse; its ``_fp`` is the http.client
    # HTTPResponse, whose ``fp`` is a buffered file over a ``socket.SocketIO``, which
    # keeps the socket in ``_sock`` (docker-py's ``_get_raw_response_socket`` walks the
    # same path). A Windows named pipe's file keeps its ``NpipeSocket`` in ``sock``.
    try:
        fp = response.raw._fp.fp
    except AttributeError:
        return None
    raw = getattr(fp, "raw", fp)
    sock: _SocketLike | None = getattr(raw, "_sock", None) or getattr(raw, "sock", None)
    return sock


def shutdown_response(response: requests.Response) -> None:
    """Shut the socket under ``response``, then close it: a thread blocked reading it
    wakes at once. ``response.close()`` alone waits for the read to return, which for
    a quiet log or a wait may be never."""
    sock = response_socket(response)
    if sock is not None:
        try:
            shutdown: Callable[[int], None] | None = getattr(sock, "shutdown", None)
            if shutdown is not None:
                shutdown(socket.SHUT_RDWR)
            else:
                sock.close()
        except OSError:
            pass
    try:
        response.close()
    except Exception:
        pass


def chunked_reader(response: requests.Response) -> Callable[[int], bytes] | None:
    """``read1`` of the socket's file under a chunked response none of whose body has
    been read yet, or None (not chunked, or reading has begun): the caller then cuts
    the HTTP chunks itself (:class:`desktop.engine.logstream.ChunkedFrames`).

    urllib3 and http.client return one HTTP chunk per read, and the engine sends every
    log line as a chunk of its own: reading the socket's buffered file in large slices
    is what makes a long log fast (``tests/benchmarks/bench_logs.py``).
    """
    # urllib3's ``HTTPResponse._fp`` is the http.client HTTPResponse. Its ``chunked`` and
    # ``chunk_left`` (None until a chunk-size line is read) are undocumented attributes:
    # when ``chunk_left`` is None the socket's file is at the first chunk-size line.
    http_response = getattr(response.raw, "_fp", None)
    fp = getattr(http_response, "fp", None)
    read1: Callable[[int], bytes] | None = getattr(fp, "read1", None)
    if getattr(http_response, "chunked", False) and read1 is not None \
            and getattr(http_response, "chunk_left", None) is None:
        return read1
    return None
