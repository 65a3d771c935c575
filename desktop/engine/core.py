"""The core of the asyncio API over the docker SDK: one connection and its calls.

Every blocking SDK call runs on an executor that the :class:`Engine` owns and shuts
down in :meth:`Engine.close`; streams run on threads of their own (see
:mod:`desktop.engine.streams`). Lists come from the list endpoints only: one request
lists every container, and no container is inspected to build a list.
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit

import docker
import docker.auth
import docker.errors
import requests
from docker.context import ContextAPI
from docker.context.config import get_current_context_name

from desktop import log
from desktop.engine import i18n
from desktop.engine.commandlog import CommandLog, Kind
from desktop.engine.credentials import CredentialStore
from desktop.engine.errors import EngineError, ErrorKind, translate
from desktop.engine.payloads import (
    EngineEvent,
)
from desktop.engine.records import (
    Container,
    Context,
    EngineInfo,
    Image,
)
from desktop.engine.streams import StreamPump

T = TypeVar("T")

_VERSION_PREFIX = re.compile(r"^/v\d+\.\d+")
_FULL_ID = re.compile(r"[0-9a-f]{64}")


def list_contexts() -> list[Context]:
    """The Docker CLI contexts, the current one marked (``docker context ls``)."""
    current = os.environ.get("DOCKER_CONTEXT") or get_current_context_name()
    out = []
    for ctx in ContextAPI.contexts():
        out.append(Context(ctx.Name, ctx.Host or "", ctx.Name == current,
                           (ctx.Metadata or {}).get("Description", "") if isinstance(ctx.Metadata, dict) else ""))
    return out


def resolve_host(host: str | None = None, context: str | None = None,
                 environment: Mapping[str, str] | None = None) -> tuple[str, str, dict[str, object]]:
    """Where to connect: ``(url, context name, client kwargs)``.

    An explicit ``host`` wins, then an explicit ``context``, then the
    ``docker.from_env()`` rules: ``DOCKER_HOST`` (with ``DOCKER_TLS_VERIFY`` and
    ``DOCKER_CERT_PATH``), then ``DOCKER_CONTEXT``, then the current context of the
    CLI config, then the platform's default socket.
    """
    env = os.environ if environment is None else environment
    if host:
        return host, "", {"base_url": host}
    if context:
        try:
            params = ContextAPI.kwargs_from_context(name=context, environment=env)
        except docker.errors.ContextNotFound:
            raise EngineError(ErrorKind.INVALID_INPUT, i18n.translate(
                "Engine", "There is no Docker context named {context}.").format(context=repr(context))) from None
        if ContextAPI.get_context(context) is None:
            raise EngineError(ErrorKind.INVALID_INPUT, i18n.translate(
                "Engine", "There is no Docker context named {context}.").format(context=repr(context)))
        return str(params.get("base_url") or _default_socket()), context, params
    params = docker.utils.kwargs_from_env(environment=env)
    name = ""
    if "base_url" not in params:
        name = env.get("DOCKER_CONTEXT") or get_current_context_name() or "default"
        try:
            for k, v in ContextAPI.kwargs_from_context(environment=env).items():
                params.setdefault(k, v)
        except docker.errors.ContextException as exc:
            log.engine.warning("ignoring the current context: %s", exc)
    params.setdefault("base_url", _default_socket())
    return str(params["base_url"]), name, params


def _default_socket() -> str:
    if os.name == "nt":
        return "npipe:////./pipe/docker_engine"
    if not os.path.exists("/var/run/docker.sock"):
        # Docker Desktop on macOS (and Linux) puts the socket in the user's home.
        desktop = os.path.expanduser("~/.docker/run/docker.sock")
        if os.path.exists(desktop):
            return "unix://" + desktop
    return "unix:///var/run/docker.sock"


class EngineCore:
    """One connection to one Docker engine: the calls, streams and command log every
    kind of operation uses (:class:`~desktop.engine.client.Engine` adds the operations)."""

    def __init__(self, *, host: str | None = None, context: str | None = None,
                 credentials: CredentialStore | None = None, timeout: int = 60,
                 workers: int = 4, commands: CommandLog | None = None) -> None:
        self._host_arg = host
        self._timeout = timeout
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="berth-engine")
        self._slow_executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="berth-engine-slow")
        self._api: docker.APIClient | None = None
        self._api_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._closed = False
        self._streams: set[StreamPump[Any]] = set()  # of every kind of item
        self.credentials = credentials or CredentialStore()
        #: every operation on the engine as the docker command that does the same
        self.commands = commands if commands is not None else CommandLog()
        self.info: EngineInfo | None = None
        #: requests sent, by "METHOD /path" (diagnostics, tests and benchmarks)
        self.requests: collections.Counter[str] = collections.Counter()
        #: the last requests sent, as (method, path, query string)
        self.request_log: collections.deque[tuple[str, str, str]] = collections.deque(maxlen=2000)
        self.host, self.context, self._params = resolve_host(host, context)

    @property
    def explicit_host(self) -> bool:
        """Whether this connection was made to a host given by address (``--host`` or
        "Connect to host…"), not through a context or DOCKER_HOST."""
        return bool(self._host_arg)

    # -- plumbing -----------------------------------------------------------------
    def _count(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        """A requests response hook: count the request ``response`` answers."""
        req = response.request
        url = urlsplit(str(req.url))
        path = _VERSION_PREFIX.sub("", url.path)
        with self._count_lock:  # worker and stream threads answer at once
            self.requests[f"{req.method} {path}"] += 1
            self.request_log.append((str(req.method), path, url.query))

    def _client(self) -> docker.APIClient:
        api = self._api
        if api is not None:
            return api
        if self._closed:
            raise EngineError(ErrorKind.CANCELLED, i18n.translate(
                "Engine", "This connection to the engine was closed."))
        # Made outside the lock: it asks the engine for its version, which may take
        # the whole timeout on a host that does not answer.
        try:
            # ssh:// through the system's ssh client (its config, keys and agent), as the
            # docker CLI does; docker-py's own ssh transport would need paramiko.
            ssh = str(self._params.get("base_url", "")).startswith("ssh://")
            new = docker.APIClient(timeout=self._timeout, version="auto", use_ssh_client=ssh, **self._params)
        except Exception as exc:
            raise self._where(translate(exc)) from None
        new.hooks["response"].append(self._count)
        if self.host.startswith(("unix://", "npipe://")):
            # No proxy or .netrc applies to a local socket; looking them up costs a
            # quarter of a millisecond on every request.
            new.trust_env = False
        with self._api_lock:
            if self._api is None and not self._closed:
                self._api = new
                return new
            current = self._api
        new.close()
        if current is None:
            raise EngineError(ErrorKind.CANCELLED, i18n.translate(
                "Engine", "This connection to the engine was closed."))
        return current

    async def _call(self, fn: Callable[..., T], *args: Any, what: str = "", slow: bool = False, **kwargs: Any) -> T:
        """Run ``fn`` on a worker thread. ``slow`` calls (stop, restart, copy: seconds
        each) have workers of their own, so that they never hold up lists and events."""
        if self._closed:
            raise EngineError(ErrorKind.CANCELLED, i18n.translate(
                "Engine", "This connection to the engine was closed."))
        loop = asyncio.get_running_loop()

        def run() -> T:
            try:
                return fn(*args, **kwargs)
            except EngineError as err:
                raise self._where(err) from None
            except Exception as exc:
                raise self._where(translate(exc, what=what)) from None

        return await loop.run_in_executor(self._slow_executor if slow else self._executor, run)

    def _where(self, err: EngineError) -> EngineError:
        """Name the engine in an "unreachable" message: which one does not answer."""
        if err.kind is ErrorKind.UNREACHABLE and self.host not in err.message:
            err.message = f"The Docker engine at {self.host} does not answer. Is it running?"
            err.args = (err.message,)
        return err

    async def _api_call(self, method: str, *args: Any, what: str = "", slow: bool = False, **kwargs: Any) -> Any:
        def run() -> Any:
            return getattr(self._client(), method)(*args, **kwargs)
        return await self._call(run, what=what, slow=slow)

    async def logged(self, argv: Sequence[str], work: Awaitable[T], *, also: Sequence[Sequence[str]] = (),
                      **entry: Any) -> T:
        """Await ``work``, recorded in the command log as ``argv`` (and the commands
        ``also``, when it takes more than one) with its result."""
        records = [self.commands.begin(words, host=self.host, **entry) for words in (argv, *also)]
        try:
            result = await work
        except asyncio.CancelledError:
            for r in records:
                r.cancelled()
            raise
        except BaseException as exc:
            for r in records:
                r.failed(_sentence(exc))
            raise
        made = result if isinstance(result, str) and entry.get("kind") is Kind.RUN else ""
        for r in records:
            r.done(container=made)
        return result

    def _name(self, ident: str) -> str:
        """The container ``ident`` as a command names it: by name where one is known."""
        return self.commands.name_of(ident)

    def _stream(self, opener: Callable[[docker.APIClient], Iterable[T]], what: str = "",
                high_water: int = 50_000, weigh: Callable[[T], int] | None = None,
                name: str = "berth-stream") -> StreamPump[T]:
        def open_stream() -> Iterable[T]:
            try:
                return opener(self._client())
            except EngineError as err:
                raise self._where(err) from None
            except Exception as exc:
                raise self._where(translate(exc, what=what)) from None

        if self._closed:
            raise EngineError(ErrorKind.CANCELLED, i18n.translate(
                "Engine", "This connection to the engine was closed."))
        pump = StreamPump(open_stream, what=what, high_water=high_water, weigh=weigh, name=name)
        self._streams = {p for p in self._streams if not p.closed}  # forget the finished ones
        self._streams.add(pump)
        return pump

    async def close(self) -> None:
        """Close every stream and the connection; shut the executor down."""
        for pump in list(self._streams):
            pump.close()
        self._streams.clear()
        self._closed = True
        self.reset_connection()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._slow_executor.shutdown(wait=False, cancel_futures=True)

    def reset_connection(self) -> None:
        """Forget the connection (after the engine went away); the next call reconnects."""
        with self._api_lock:
            api, self._api = self._api, None
        if api is not None:
            try:
                api.close()
            except Exception:
                pass

    # -- engine ---------------------------------------------------------------------
    async def connect(self) -> EngineInfo:
        """Ping the engine and read its version. Raises EngineError(UNREACHABLE)."""
        def run() -> EngineInfo:
            api = self._client()
            api.ping()
            v = api.version()
            return EngineInfo(self.host, self.context, v.get("Version", "?"), v.get("ApiVersion", "?"),
                              v.get("Os", ""), v.get("Arch", ""))
        try:
            self.info = await self._call(run)
        except EngineError:
            self.reset_connection()
            raise
        return self.info

    async def ping(self) -> bool:
        try:
            await self._api_call("ping")
            return True
        except EngineError:
            return False

    # -- lists --------------------------------------------------------------------
    async def containers(self) -> list[Container]:
        """Every container (``docker ps -a``): one ``GET /containers/json?all=1``."""
        raw = await self._api_call("containers", all=True)
        listed = [Container.from_api(d) for d in raw]
        self.commands.saw((c.id, c.name) for c in listed)
        return listed

    async def container(self, ident: str) -> Container | None:
        """One container's list row (one filtered list request), or None if it is gone.

        ``ident`` is an id (full or a prefix) or a name.
        """
        # The engine's id and name filters are unanchored patterns: check what came back.
        raw = await self._api_call("containers", all=True, filters={"id": [ident]})
        for d in raw:
            if d["Id"].startswith(ident):
                return self._seen(Container.from_api(d))
        if _FULL_ID.fullmatch(ident):  # a full id that matched nothing: gone
            return None
        raw = await self._api_call("containers", all=True, filters={"name": [f"^/{re.escape(ident)}$"]})
        for d in raw:
            if f"/{ident}" in (d.get("Names") or ()):
                return self._seen(Container.from_api(d))
        return None

    def _seen(self, c: Container) -> Container:
        self.commands.saw([(c.id, c.name)])
        return c

    async def images(self) -> list[Image]:
        """Every image (``docker images``): one ``GET /images/json``."""
        raw = await self._api_call("images")
        return [Image.from_api(d) for d in raw]


    # -- streams ---------------------------------------------------------------------
    def events(self, since: int | None = None) -> StreamPump[EngineEvent]:
        """The engine's event stream, each event as the engine wrote it."""
        def opener(api: docker.APIClient) -> Iterable[EngineEvent]:
            events: Iterable[EngineEvent] = api.events(decode=True, since=since)
            return events
        return self._stream(opener, what="the event stream", name="berth-events")

    def logs(self, ident: str, *, follow: bool = True, tail: int | str = 1000, since: float | str | None = None,
             timestamps: bool = False, high_water: int = 8 << 20) -> StreamPump[tuple[int, bytes]]:
        """A container's log as ``(stream, bytes)`` frames (1 = stdout, 2 = stderr).

        With a TTY the engine does not keep the two apart; every frame is then stdout.
        ``since`` is seconds since the epoch, or the engine's text for it
        (``"1700000000.123456789"``: a float would lose the nanoseconds).
        The reader waits once ``high_water`` bytes are read and not yet taken.
        """
        from desktop.engine.logstream import frame_weight, open_log_frames

        return self._stream(lambda api: open_log_frames(api, ident, follow=follow, tail=tail, since=since,
                                                        timestamps=timestamps),
                            what=f"container {ident}", high_water=high_water, weigh=frame_weight,
                            name="berth-logs")


def _sentence(exc: BaseException) -> str:
    """What the command log says of a failure: the EngineError's sentence."""
    if isinstance(exc, EngineError):
        return exc.message
    return translate(exc).message if isinstance(exc, Exception) else type(exc).__name__


