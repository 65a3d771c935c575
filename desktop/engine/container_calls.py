"""Container operations of the :class:`~desktop.engine.client.Engine`: create, start, stop, restart,
pause, unpause, kill, rename, remove, inspect, wait; each recorded in the command log.
"""

from __future__ import annotations

import asyncio
import collections
import json
from collections.abc import Iterator

import docker
import docker.auth
import docker.errors

from desktop import log
from desktop.engine import commands as cmd
from desktop.engine import i18n, transport
from desktop.engine.commandlog import Kind
from desktop.engine.core import EngineCore
from desktop.engine.errors import EngineError, ErrorKind, invalid, translate
from desktop.engine.payloads import (
    ContainerInspect,
    WaitAnswer,
)
from desktop.engine.records import RunSpec
from desktop.engine.streams import ClosingIterable, iter_with_close


class ContainerCalls(EngineCore):
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
