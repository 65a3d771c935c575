"""Files in a container, for the :class:`~desktop.engine.client.Engine`: copy in (a tar stream),
copy out, a path's stat, a command's output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import docker
import docker.auth
import docker.errors

from desktop.engine import commands as cmd
from desktop.engine import i18n, transport
from desktop.engine.core import EngineCore
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.payloads import PathStat
from desktop.engine.streams import ClosingIterable, StreamPump, iter_with_close


class FileCalls(EngineCore):
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
