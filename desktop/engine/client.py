"""The asyncio API over the docker SDK.

Every blocking SDK call runs on an executor that the :class:`Engine` owns and shuts
down in :meth:`Engine.close`; streams run on threads of their own (see
:mod:`desktop.engine.streams`). Lists come from the list endpoints only: one request
lists every container, and no container is inspected to build a list.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import re
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
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
from desktop.engine import commands as cmd
from desktop.engine import i18n, transport
from desktop.engine.commandlog import CommandLog, Entry, Kind
from desktop.engine.credentials import Credential, CredentialStore, registry_of_image
from desktop.engine.errors import EngineError, ErrorKind, invalid, translate
from desktop.engine.payloads import (
    ContainerInspect,
    EngineEvent,
    HistoryEntry,
    ImageInspect,
    PathStat,
    WaitAnswer,
)
from desktop.engine.records import (
    Container,
    Context,
    EngineInfo,
    Image,
    PullProgress,
    RunSpec,
)
from desktop.engine.streams import ClosingIterable, StreamPump, iter_with_close

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


def _ports_config(spec: RunSpec) -> tuple[list[tuple[int, str]], dict[str, list[tuple[str, str]]]]:
    """docker-py's ``ports`` and ``port_bindings`` for ``create_container``."""
    exposed: list[tuple[int, str]] = []
    bindings: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for p in spec.ports:
        key = p.key
        if (p.container_port, p.protocol) not in exposed:
            exposed.append((p.container_port, p.protocol))
        bindings[key].append((p.host_ip, p.host_port or ""))
    return exposed, dict(bindings)


def _restart_policy(text: str) -> dict[str, str | int] | None:
    if not text or text == "no":
        return None
    name, _, count = text.partition(":")
    if name not in ("always", "unless-stopped", "on-failure"):
        raise invalid(i18n.translate(
            "Engine", "Unknown restart policy {text}: use no, always, unless-stopped or on-failure[:N].").format(
                    text=repr(text)))
    policy: dict[str, str | int] = {"Name": name}
    if count:
        if name != "on-failure" or not count.isdigit():
            raise invalid(i18n.translate(
                "Engine", "Only on-failure takes a retry count, as on-failure:3 (got {text}).").format(text=repr(text)))
        policy["MaximumRetryCount"] = int(count)
    return policy


class Engine:
    """One connection to one Docker engine."""

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

    # -- containers -----------------------------------------------------------------
    async def create(self, spec: RunSpec) -> str:
        """Create (and with ``spec.start``, start) a container; return its id.

        If the start fails (a host port taken, say), the container is removed again:
        nothing half-made is left behind.
        """
        if not spec.image.strip():
            raise invalid(i18n.translate(
                "Engine", "Choose an image to run."))
        restart = _restart_policy(spec.restart)
        if restart and spec.auto_remove:
            raise invalid(i18n.translate(
                "Engine", "A container cannot both restart automatically and remove itself when it stops."))

        def run() -> str:
            api = self._client()
            exposed, bindings = _ports_config(spec)
            binds = [m.spec for m in spec.mounts]
            host_config = api.create_host_config(
                port_bindings=bindings or None, binds=binds or None,
                restart_policy=restart, auto_remove=spec.auto_remove)
            labels = dict(spec.labels)
            try:
                created = api.create_container(
                    spec.image, command=list(spec.command) if spec.command is not None else None,
                    name=spec.name or None, ports=exposed or None,
                    environment=[f"{k}={v}" for k, v in spec.env] or None,
                    host_config=host_config, labels=labels or None,
                    working_dir=spec.workdir or None, tty=spec.tty,
                    # as `docker run -d` (started) or `docker create` makes it: nothing attached
                    # to a container Berth starts; its output is read through the engine
                    detach=spec.start)
            except docker.errors.ImageNotFound as exc:
                raise EngineError(ErrorKind.IMAGE_NOT_FOUND,
                                  i18n.translate(
                                      "Engine", "The image {image} is not on this engine. Pull it first.").format(
                                              image=spec.image),
                                  str(exc.explanation)) from None
            except docker.errors.APIError as exc:
                raise translate(exc, what=f"image {spec.image}") from None
            cid: str = created["Id"]
            if spec.start:
                try:
                    api.start(cid)
                except Exception as exc:
                    err = translate(exc, what=f"container {spec.name or cid[:12]}")
                    try:
                        api.remove_container(cid, force=True, v=True)
                    except Exception as cleanup:
                        log.engine.warning("could not remove %s after a failed start: %r", cid[:12], cleanup)
                    raise err from None
            return cid
        # where a replay writes the name the engine gave (later commands use it):
        # after "docker run -d" or "docker create"
        name_at = 0 if spec.name else 3 if spec.start else 2
        cid = await self.logged(cmd.run_args(spec), self._call(run), kind=Kind.RUN, name_at=name_at)
        if spec.name:
            self.commands.saw([(cid, spec.name)])
        return cid

    async def start(self, ident: str) -> None:
        await self.logged(cmd.start_args(self._name(ident)),
                           self._api_call("start", ident, what=f"container {ident}"))

    async def stop(self, ident: str, timeout: int | None = None) -> None:
        kwargs: dict[str, int] = {"timeout": timeout} if timeout is not None else {}
        await self.logged(cmd.stop_args(self._name(ident), timeout),
                           self._api_call("stop", ident, what=f"container {ident}", slow=True, **kwargs))

    async def restart(self, ident: str, timeout: int | None = None) -> None:
        kwargs: dict[str, int] = {"timeout": timeout} if timeout is not None else {}
        await self.logged(cmd.restart_args(self._name(ident), timeout),
                           self._api_call("restart", ident, what=f"container {ident}", slow=True, **kwargs))

    async def pause(self, ident: str) -> None:
        await self.logged(cmd.pause_args(self._name(ident)),
                           self._api_call("pause", ident, what=f"container {ident}"))

    async def unpause(self, ident: str) -> None:
        await self.logged(cmd.unpause_args(self._name(ident)),
                           self._api_call("unpause", ident, what=f"container {ident}"))

    async def kill(self, ident: str, signal: str | None = None) -> None:
        # docker-py sends no signal (SIGKILL) for None, as for the "" the window may pass
        await self.logged(cmd.kill_args(self._name(ident), signal),
                           self._api_call("kill", ident, signal=signal or None, what=f"container {ident}"))

    async def rename(self, ident: str, new_name: str) -> None:
        from desktop.engine.parsing import validate_container_name

        async def run() -> None:
            validate_container_name(new_name)
            await self._api_call("rename", ident, new_name, what=f"container {ident}")
        await self.logged(cmd.rename_args(self._name(ident), new_name), run())
        self.commands.renamed(ident, new_name)

    async def remove(self, ident: str, *, force: bool = False, volumes: bool = False) -> None:
        await self.logged(cmd.remove_args(self._name(ident), force=force, volumes=volumes),
                           self._api_call("remove_container", ident, force=force, v=volumes,
                                          what=f"container {ident}", slow=True))

    async def inspect(self, ident: str) -> ContainerInspect:
        info: ContainerInspect = await self._api_call("inspect_container", ident, what=f"container {ident}")
        return info

    async def wait(self, ident: str, timeout: float | None = None) -> int:
        """The container's exit code, once it stops. ``timeout`` (seconds) bounds the
        wait (None: no bound); running out of time raises EngineError(TIMEOUT).

        The engine answers only when the container stops, so the request is read like
        a stream, on a thread of its own: cancelling closes its connection at once and
        no worker is held.
        """
        def opener(api: docker.APIClient) -> ClosingIterable[WaitAnswer]:
            res = transport.post_stream(api, "/containers/{0}/wait", ident)

            def body() -> Iterator[WaitAnswer]:
                answer: WaitAnswer = json.loads(res.content or b"{}")
                yield answer
            return iter_with_close(body(), res)

        pump = self._stream(opener, what=f"container {ident}", name="berth-wait")

        async def answer() -> int:
            async for item in pump.items():
                error = item.get("Error")
                if error:
                    raise EngineError(ErrorKind.INTERNAL, i18n.translate(
                        "Engine", "Waiting for container {ident} failed: {reason}").format(
                                ident=ident, reason=error.get('Message', error)))
                return int(item["StatusCode"])
            raise EngineError(ErrorKind.UNREACHABLE, i18n.translate(
                "Engine", "The engine stopped answering while waiting for {ident}.").format(ident=ident))

        try:
            return await asyncio.wait_for(answer(), timeout)
        except TimeoutError:
            raise EngineError(ErrorKind.TIMEOUT,
                              i18n.translate(
                                  "Engine", "Container {ident} did not stop within {timeout:g} seconds.").format(
                                          ident=ident, timeout=timeout)) from None
        finally:
            pump.close()

    # -- images -------------------------------------------------------------------
    def pull(self, reference: str) -> StreamPump[PullProgress]:
        """Pull ``reference``; iterate ``.items()`` for :class:`PullProgress` messages.

        Uses the saved login for the image's registry. Closing the pump cancels the
        pull. A failure reported inside the stream is raised as EngineError.
        """
        from desktop.engine.parsing import parse_image_reference

        ref = parse_image_reference(reference)
        tag_or_digest = ref.digest or ref.tag
        ended = self._stream_end(self.commands.begin(cmd.pull_args(reference), host=self.host))

        def opener(api: docker.APIClient) -> _PullMessages:
            # On the stream's thread: a credential helper may take a while (a keychain
            # prompt), and must not hold up the window.
            cred = self.credentials.get(registry_of_image(ref.name))
            auth = cred.auth_config() if cred else None
            headers = {"X-Registry-Auth": docker.auth.encode_header(auth)} if auth else {}
            try:
                response = transport.post_stream(api, "/images/create",
                                                 params={"fromImage": ref.name, "tag": tag_or_digest}, headers=headers)
            except Exception as exc:
                ended(translate(exc, what=f"image {reference}"))
                raise
            return _PullMessages(transport.json_messages(api, response), response, reference, ended)

        return self._stream(opener, what=f"image {reference}", name="berth-pull")

    @staticmethod
    def _stream_end(record: Entry) -> Callable[[BaseException | None], None]:
        """How a stream's thread finishes ``record``: on the event loop's thread (None:
        done; CANCELLED: cancelled; any other error: failed). The first end counts."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # made outside the loop (a script): told on the stream's thread
            loop = None

        def finish(error: BaseException | None) -> None:
            if error is None:
                record.done()
            elif isinstance(error, EngineError) and error.kind is ErrorKind.CANCELLED:
                record.cancelled()
            else:
                record.failed(_sentence(error))

        def ended(error: BaseException | None) -> None:
            if loop is None:
                finish(error)
                return
            try:
                loop.call_soon_threadsafe(finish, error)
            except RuntimeError:  # the loop closed meanwhile: nobody is left to tell
                pass
        return ended

    async def pull_all(self, reference: str, progress: Callable[[PullProgress], None] | None = None) -> None:
        pump = self.pull(reference)
        async for item in pump.items():
            if progress is not None:
                progress(item)

    async def remove_image(self, ident: str, *, force: bool = False) -> None:
        await self.logged(cmd.remove_image_args(ident, force=force),
                           self._api_call("remove_image", ident, force=force, what=f"image {ident}"))

    async def tag_image(self, ident: str, reference: str) -> None:
        from desktop.engine.parsing import parse_image_reference

        async def run() -> None:
            ref = parse_image_reference(reference)
            if ref.digest:
                raise invalid(i18n.translate("Engine", "A tag cannot contain a digest (@sha256:...)."))
            ok = await self._api_call("tag", ident, ref.name, ref.tag, what=f"image {ident}")
            if not ok:
                raise EngineError(ErrorKind.INTERNAL, i18n.translate(
                    "Engine", "The engine did not tag {ident} as {reference}.").format(
                        ident=ident, reference=reference))
        await self.logged(cmd.tag_args(ident, reference), run())

    async def inspect_image(self, ident: str) -> ImageInspect:
        info: ImageInspect = await self._api_call("inspect_image", ident, what=f"image {ident}")
        return info

    async def image_history(self, ident: str) -> list[HistoryEntry]:
        history: list[HistoryEntry] = await self._api_call("history", ident, what=f"image {ident}")
        return history

    # -- registry -------------------------------------------------------------------
    async def login(self, registry: str, username: str, password: str) -> str:
        """Check the login with the registry and save it; return where it was kept.

        A refused login stores nothing. The password appears in no message.
        """
        from desktop.engine.credentials import registry_key

        def check() -> None:
            if not username.strip():
                raise invalid(i18n.translate("Engine", "Enter a user name."))
            if not password:
                raise invalid(i18n.translate("Engine", "Enter a password."))
        key = registry_key(registry)

        def run() -> str:
            check()
            api = self._client()
            try:
                api.login(username=username, password=password, registry=key, reauth=True)
            except docker.errors.APIError as exc:
                text = _explanation_scrubbed(exc, password)
                low = text.lower()
                if exc.status_code in (401, 403) or "unauthorized" in low or "incorrect" in low or "denied" in low:
                    raise EngineError(ErrorKind.UNAUTHORIZED,
                                      i18n.translate(
                                          "Engine",
                                          "{registry} refused the login: wrong user name or password.").format(
                                                  registry=registry or 'Docker Hub'),
                                      text) from None
                raise EngineError(ErrorKind.UNREACHABLE if "connection refused" in low or "no such host" in low
                                  else ErrorKind.INTERNAL,
                                  i18n.translate(
                                      "Engine", "Could not log in to {registry}: {reason}").format(
                                              registry=registry or 'Docker Hub',
                                              reason=text.splitlines()[0] if text else ''),
                                  text) from None
            return self.credentials.save(Credential(key, username, password))
        # the command names the user; docker asks for the password, which is recorded nowhere
        return await self.logged(cmd.login_args(registry, username), self._call(run), kind=Kind.LOGIN,
                                  login=(registry, username))

    async def credential(self, registry: str) -> Credential | None:
        """The saved login for ``registry``, or None. Looked up on the workers for slow
        calls: a credential helper is a program to run, and a keychain may wait for the
        user to allow it, which must hold up no list or event."""
        return await self._call(self.credentials.get, registry, slow=True)

    async def logins(self) -> list[str]:
        """The registries with a saved login (config.json, the keyring, memory), read on
        the workers for slow calls: the keyring may be a service to ask."""
        return await self._call(self.credentials.logged_in, slow=True)

    async def logout(self, registry: str) -> None:
        await self.logged(cmd.logout_args(registry), self._call(self.credentials.erase, registry))

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

    async def put_archive(self, ident: str, path: str, data: Iterable[bytes], *,
                          commands: Sequence[Sequence[str]] = ()) -> None:
        """Send a tar stream to ``path`` in the container (``docker cp - C:path``).

        ``data`` is consumed as it is sent; nothing is buffered whole. To cancel, make
        ``data`` raise; the connection is then dropped and the engine discards the rest.
        ``commands`` are the docker commands the stream stands for (``docker cp ./site
        web:/usr/local/apache2/htdocs/``), each recorded with the copy's result; with
        none it is recorded as ``docker cp - C:path``.
        """
        # requests streams an iterator but would form-encode a list or tuple of chunks
        body = data if isinstance(data, (bytes, bytearray)) else iter(data)

        def run() -> None:
            ok = self._client().put_archive(ident, path, body)
            if not ok:
                raise EngineError(ErrorKind.INTERNAL, i18n.translate(
                    "Engine", "The engine refused the copy into {path}.").format(path=path))
        shown = [list(c) for c in commands] or [cmd.copy_stream_args(self._name(ident), path)]
        await self.logged(shown[0], self._call(run, what=f"container {ident}"), also=shown[1:])

    def get_archive(self, ident: str, path: str, chunk_size: int = 1 << 20) -> StreamPump[bytes]:
        """A tar stream of ``path`` in the container, as byte chunks (``docker cp C:path -``)."""
        def opener(api: docker.APIClient) -> ClosingIterable[bytes]:
            res = transport.get_stream(api, "/containers/{0}/archive", ident, params={"path": path},
                                       headers={"Accept-Encoding": "identity"})
            return iter_with_close(res.iter_content(chunk_size, False), res)
        return self._stream(opener, what=f"{path} in container {ident}", high_water=64, name="berth-archive")

    async def stat_path(self, ident: str, path: str) -> PathStat | None:
        """``{"name", "size", "mode", "mtime", "linkTarget"}`` of a path in a container, or None."""
        def run() -> PathStat | None:
            api = self._client()
            res = transport.head(api, "/containers/{0}/archive", ident, params={"path": path})
            if res.status_code == 404:
                body = res.headers.get("X-Docker-Container-Path-Stat")
                if not body:
                    # 404 with no stat: either the container or the path is missing.
                    api.inspect_container(ident)  # raises NotFound for a missing container
                    return None
            transport.raise_for_status(api, res)
            import base64 as b64
            raw = res.headers.get("X-Docker-Container-Path-Stat")
            if not raw:
                return None
            stat: PathStat = json.loads(b64.b64decode(raw))
            return stat
        return await self._call(run, what=f"container {ident}")

    async def exec_output(self, ident: str, cmd: list[str]) -> tuple[int, bytes]:
        """Run ``cmd`` in a running container; return (exit code, combined output)."""
        def run() -> tuple[int, bytes]:
            api = self._client()
            ex = api.exec_create(ident, cmd)
            out: bytes = api.exec_start(ex["Id"])
            code = api.exec_inspect(ex["Id"]).get("ExitCode")
            return int(code if code is not None else -1), out
        return await self._call(run, what=f"container {ident}")


class _PullMessages:
    """Pull progress messages; an ``error`` message in the stream becomes EngineError."""

    def __init__(self, stream: Iterator[dict[str, object]], response: requests.Response, reference: str,
                 ended: Callable[[BaseException | None], None]) -> None:
        self._stream = stream
        self._response = response
        self._reference = reference
        self._ended = ended  # told how the pull ended, for the command log

    def __iter__(self) -> Iterator[PullProgress]:
        try:
            yield from self._messages()
        except BaseException as exc:
            self._ended(exc)
            raise
        self._ended(None)

    def _messages(self) -> Iterator[PullProgress]:
        for msg in self._stream:
            if "error" in msg:
                text = str(msg.get("error") or "")
                exc = docker.errors.APIError(text, explanation=text)
                err = translate(exc, what=self._reference)
                if err.kind is ErrorKind.INTERNAL and ("not found" in text.lower() or "does not exist" in text.lower()):
                    err = EngineError(ErrorKind.IMAGE_NOT_FOUND, i18n.translate(
                        "Engine", "The image {reference} was not found.").format(reference=self._reference), text)
                raise err
            yield PullProgress.from_api(msg)

    def close(self) -> None:
        self._ended(EngineError(ErrorKind.CANCELLED, "The pull was cancelled."))
        transport.shutdown_response(self._response)


def _sentence(exc: BaseException) -> str:
    """What the command log says of a failure: the EngineError's sentence."""
    if isinstance(exc, EngineError):
        return exc.message
    return translate(exc).message if isinstance(exc, Exception) else type(exc).__name__


def _explanation_scrubbed(exc: docker.errors.APIError, secret: str) -> str:
    text: str | bytes = exc.explanation or str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text).replace(secret, "********") if secret else str(text)
