"""Engine-layer benchmarks: listing containers and images.

Berth's :meth:`Engine.containers` / :meth:`Engine.images` against the same request
made raw (``http.client`` on the unix socket, a kept-alive connection, plus JSON
decoding: the least work any client must do), measured best-of-N, interleaved, in
the same run. docker-py's ``containers.list(all=True)``, which inspects every
container, is shown for information. The benchmark makes its own containers and
images (labelled) and removes them at the end, whatever happens.

    python -m tests.benchmarks.run engine
"""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import os
import socket
import tarfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from tests.benchmarks.common import Result

LABEL = "io.berth.bench.engine"
IMAGE = "docker/whalesay:latest"
CONTAINERS = 1000
IMAGES = 200
REPEAT = 25


def _socket_path() -> str:
    host = os.environ.get("DOCKER_HOST", "")
    return host.removeprefix("unix://") if host.startswith("unix://") else "/var/run/docker.sock"


class UnixHTTP(http.client.HTTPConnection):
    """HTTP/1.1 over the engine's unix socket (kept alive between requests)."""

    def __init__(self, path: str | None = None) -> None:
        super().__init__("localhost", timeout=300)
        self._path = path or _socket_path()

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self._path)

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        self.request(method, path, body=body, headers=headers or {})
        res = self.getresponse()
        return res.status, res.read()


def _parallel(fn: Callable, items, workers: int = 16) -> list:
    local = __import__("threading").local()

    def run(item):
        if not hasattr(local, "conn"):
            local.conn = UnixHTTP()
        return fn(local.conn, item)

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, items))


# -- fixtures the benchmark makes and removes ----------------------------------------------
def make_containers(tag: str, n: int) -> list[str]:
    def one(conn: UnixHTTP, i: int) -> str:
        body = json.dumps({"Image": IMAGE, "Cmd": ["true"], "Labels": {LABEL: tag},
                           "HostConfig": {"NetworkMode": "none"}}).encode()
        status, data = conn.call("POST", f"/containers/create?name=berth-bench-{tag}-{i}", body,
                                 {"Content-Type": "application/json"})
        if status != 201:
            raise RuntimeError(f"creating a container failed ({status}): {data[:200]!r}")
        return json.loads(data)["Id"]
    return _parallel(one, range(n))


def make_images(tag: str, n: int) -> list[str]:
    """``n`` distinct small images (``docker import`` of a one-file tar), one tag each."""
    def one(conn: UnixHTTP, i: int) -> str:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            data = f"{tag}-{i}".encode()
            info = tarfile.TarInfo("marker")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        ref = f"berth-bench/{tag}:{i}"
        changes = quote(f"LABEL {LABEL}={tag}")
        status, data = conn.call("POST", f"/images/create?fromSrc=-&repo=berth-bench/{tag}&tag={i}"
                                         f"&changes={changes}", buf.getvalue(),
                                 {"Content-Type": "application/x-tar"})
        if status != 200 or b'"error"' in data:
            raise RuntimeError(f"importing an image failed ({status}): {data[:200]!r}")
        return ref
    return _parallel(one, range(n), workers=8)


def remove_everything(tag: str) -> None:
    conn = UnixHTTP()
    filters = quote(json.dumps({"label": [f"{LABEL}={tag}"]}))
    _, data = conn.call("GET", f"/containers/json?all=1&filters={filters}")
    ids = [c["Id"] for c in json.loads(data)]
    _parallel(lambda c, cid: c.call("DELETE", f"/containers/{cid}?force=1&v=1"), ids)
    _, data = conn.call("GET", f"/images/json?filters={filters}")
    images = [i["Id"] for i in json.loads(data)]
    _parallel(lambda c, iid: c.call("DELETE", f"/images/{iid}?force=1"), images, workers=8)
    conn.close()


# -- measuring ------------------------------------------------------------------------------
def interleaved_best(fns: dict[str, Callable[[], object]], repeat: int = REPEAT) -> dict[str, float]:
    """The best time of each function, run in turns (in alternating order) so that they
    share the disturbances of a busy machine."""
    best = {name: float("inf") for name in fns}
    for fn in fns.values():  # warm up: connections, imports, caches
        fn()
    items = list(fns.items())
    for i in range(repeat):
        for name, fn in (items if i % 2 == 0 else items[::-1]):
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def _raw_list(conn: UnixHTTP, path: str) -> Callable[[], list]:
    def run() -> list:
        status, body = conn.call("GET", path)
        assert status == 200, body[:200]
        return json.loads(body)
    return run


def _listing(kind: str, count_check: Callable[[list], bool]) -> tuple[float, float, int]:
    from desktop.engine.client import Engine

    loop = asyncio.new_event_loop()
    engine = Engine()
    conn = UnixHTTP()
    try:
        method = engine.containers if kind == "containers" else engine.images
        raw = _raw_list(conn, "/containers/json?all=1" if kind == "containers" else "/images/json")

        def berth() -> list:
            return loop.run_until_complete(method())

        rows = berth()
        assert count_check(rows), "the listing lacks the benchmark's own objects"
        assert abs(len(rows) - len(raw())) < 50  # the same listing, give or take others' work meanwhile
        engine.requests.clear()
        best = interleaved_best({"berth": berth, "raw": raw})
        requests = sum(engine.requests.values()) // (REPEAT + 1)
        return best["berth"], best["raw"], requests
    finally:
        loop.run_until_complete(engine.close())
        loop.close()
        conn.close()


def _docker_py_list() -> tuple[float, int]:
    import docker

    client = docker.DockerClient(version="auto", timeout=300)
    counted = [0]
    client.api.hooks["response"].append(lambda r, *a, **k: counted.__setitem__(0, counted[0] + 1))
    try:
        client.containers.list(all=True, ignore_removed=True)  # warm up
        counted[0] = 0
        t = time.perf_counter()
        client.containers.list(all=True, ignore_removed=True)
        return time.perf_counter() - t, counted[0]
    finally:
        client.close()


# -- the benchmarks ---------------------------------------------------------------------------
def bench_list_containers() -> list[Result]:
    tag = uuid.uuid4().hex[:8]
    try:
        made = make_containers(tag, CONTAINERS)
        total = len(made)

        def enough(rows: list) -> bool:
            return len([r for r in rows if r.labels.get(LABEL) == tag]) == CONTAINERS

        berth, raw, requests = _listing("containers", enough)
        dpy, dpy_requests = _docker_py_list()
    finally:
        remove_everything(tag)
    n = f"{total} containers"
    return [
        Result(f"list {n}", berth, raw, "s", "ratio <= 1.3", "raw GET /containers/json?all=1 + JSON",
               berth / raw <= 1.3, note=f"best of {REPEAT}"),
        Result(f"list {n}: requests", requests, 1, "requests", "1", "the one list request",
               requests == 1),
        Result(f"list {n} vs docker-py", berth, dpy, "s", "informative",
               f"docker-py containers.list(all=True), {dpy_requests} requests", None,
               note="docker-py inspects every container"),
    ]


def bench_list_images() -> list[Result]:
    tag = uuid.uuid4().hex[:8]
    try:
        make_images(tag, IMAGES)

        def enough(rows: list) -> bool:
            return len([r for r in rows if r.labels.get(LABEL) == tag]) == IMAGES

        berth, raw, requests = _listing("images", enough)
    finally:
        remove_everything(tag)
    return [
        Result(f"list images (>= {IMAGES})", berth, raw, "s", "ratio <= 1.3", "raw GET /images/json + JSON",
               berth / raw <= 1.3, note=f"best of {REPEAT}"),
        Result("list images: requests", requests, 1, "requests", "1", "the one list request", requests == 1),
    ]


BENCHMARKS = [bench_list_containers, bench_list_images]
