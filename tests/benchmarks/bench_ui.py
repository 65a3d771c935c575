"""Main-window benchmarks: filling the table, event-to-row latency, idle cost, GUI stalls,
memory.

Run with ``python -m tests.benchmarks.run ui``. Each metric has a baseline measured
in the same run: the raw Engine API over the unix socket, or for memory a bare PySide6
window.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import math
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from tests.benchmarks.common import Result, qt_app

SOCKET = "/var/run/docker.sock"
#: the benchmark's own threads (qasync's default executor is a QThread pool that must
#: not outlive the application)
_POOL = ThreadPoolExecutor(4, thread_name_prefix="bench")
LABEL = "io.berth.bench"


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path: str = SOCKET) -> None:
        super().__init__("localhost", timeout=120)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self._path)


def raw(method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
    conn = UnixHTTP()
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


def make_containers(n: int, tag: str, *, running: bool = False) -> list[str]:
    """Create ``n`` labelled containers through the API (in parallel)."""
    def one(i: int) -> str:
        body = {"Image": "docker/whalesay:latest", "Cmd": ["sleep", "3600"] if running else ["true"],
                "Labels": {LABEL: tag}, "HostConfig": {"NetworkMode": "none"}}
        status, data = raw("POST", f"/containers/create?name=berth-bench-{tag}-{i}", body)
        assert status == 201, data
        cid = json.loads(data)["Id"]
        if running:
            raw("POST", f"/containers/{cid}/start")
        return cid
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(n)))


def remove_containers(tag: str) -> None:
    ids = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={LABEL}={tag}"],
                         check=False, capture_output=True, text=True).stdout.split()
    for i in range(0, len(ids), 200):
        subprocess.run(["docker", "rm", "-f", *ids[i:i + 200]], check=False, capture_output=True)


def _app():
    import qasync

    app = qt_app()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return app, loop


def _window(host: str | None = None):
    from desktop.engine.client import Engine
    from desktop.ui.shell.window import MainWindow

    w = MainWindow(Engine(host=host))
    w.resize(1200, 700)
    w.show()
    # As the app does once its window is up: what start-up made stays out of the
    # garbage collector's full passes.
    from desktop import app

    app.settle()
    return w


async def _until(pred, timeout: float = 30.0, step: float = 0.001) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(step)


def bench_fill_and_stall() -> list[Result]:
    """1000 containers: from list response to populated model; longest GUI stall."""
    tag = uuid.uuid4().hex[:8]
    _qapp, loop = _app()  # held: the QApplication lives while the benchmark runs
    try:
        make_containers(1000, tag)
        w = _window()

        async def run() -> tuple[float, float, float]:
            w.start()
            await _until(lambda: w.live.is_connected and w.containers_model.rowCount() >= 1000)
            # Berth: list request + records + diff into the model + sorted proxy, best of 5
            from desktop.engine.records import Container
            fills, raws = [], []
            for _ in range(5):
                w.containers_model.reset([])
                t = time.perf_counter()
                cs = await w.engine.containers()
                w.containers_model.sync(cs)
                w.containers_proxy.rowCount()
                fills.append(time.perf_counter() - t)
                t = time.perf_counter()
                _status, data = await loop.run_in_executor(_POOL, raw, "GET", "/containers/json?all=1")
                [Container.from_api(d) for d in json.loads(data)]
                raws.append(time.perf_counter() - t)
            # longest GUI-thread stall during a full refresh (heartbeat every 5 ms)
            stalls = []
            for _ in range(3):
                w.containers_model.reset([])
                gaps: list[float] = []
                last = [time.perf_counter()]

                def beat(gaps: list[float] = gaps, last: list[float] = last) -> None:
                    now = time.perf_counter()
                    gaps.append(now - last[0])
                    last[0] = now
                from PySide6.QtCore import QTimer
                hb = QTimer()
                hb.setInterval(5)
                hb.timeout.connect(beat)
                hb.start()
                await asyncio.sleep(0.05)
                w.refresh()
                await _until(lambda: w.containers_model.rowCount() >= 1000)
                await asyncio.sleep(0.1)
                hb.stop()
                stalls.append(max(gaps))
            return min(fills), min(raws), max(stalls)

        fill, raw_t, stall = loop.run_until_complete(run())
        loop.run_until_complete(w.shutdown())
        w.close()
    finally:
        remove_containers(tag)
    return [
        Result("1000 containers: list to filled table", fill * 1000, raw_t * 1000, "ms", "ratio <= 2",
               "raw GET /containers/json + records", fill / raw_t <= 2),
        Result("longest GUI stall, 1000-container refresh", stall * 1000, None, "ms", "<= 50 ms",
               "", stall <= 0.050),
    ]


def bench_event_latency() -> list[Result]:
    """A container paused/unpaused through the raw API: time until its row changes,
    against the time a raw /events stream takes to see the event. The note splits
    Berth's time into stages (medians, from the action's request): the event reaches
    the Monitor's stream, the Monitor applies it (after its coalescing wait), the row
    is fetched and handed to the table."""
    tag = uuid.uuid4().hex[:8]
    _qapp, loop = _app()  # held: the QApplication lives while the benchmark runs
    try:
        cids = make_containers(100, tag, running=True)
        w = _window()
        marks: dict[str, list[float]] = {"stream": [], "applied": [], "fetched": []}

        async def run() -> tuple[list[float], list[float], dict[str, list[float]], int]:
            w.start()
            _mark_event_stages(w, cids[0], marks)  # before the Monitor's task first runs
            await _until(lambda: w.live.is_connected and w.containers_model.rowCount() >= 100)
            await asyncio.sleep(1)
            lat, base = [], []
            stages: dict[str, list[float]] = {k: [] for k in marks}
            refetched = 0  # rows that still showed the old state and were asked for again
            target = cids[0]
            for i in range(20):
                action = "pause" if i % 2 == 0 else "unpause"
                want = "paused" if action == "pause" else "running"
                # baseline: a raw /events stream sees the event
                ev_conn = UnixHTTP()
                ev_conn.request("GET", "/events?filters=" + quote(json.dumps({"container": [target]})))
                ev_res = ev_conn.getresponse()
                for m in marks.values():
                    m.clear()
                t0 = time.perf_counter()
                await loop.run_in_executor(_POOL, raw, "POST", f"/containers/{target}/{action}")
                await loop.run_in_executor(_POOL, ev_res.readline)
                base.append(time.perf_counter() - t0)
                ev_conn.close()
                model = w.containers_model
                await _until(lambda want=want, model=model: model.record(model.row_of(target)).state == want)
                lat.append(time.perf_counter() - t0)
                for name, m in marks.items():
                    if m:
                        stages[name].append(m[0] - t0)
                refetched += len(marks["fetched"]) > 1
            return lat, base, stages, refetched

        lat, base, stages, refetched = loop.run_until_complete(run())
        loop.run_until_complete(w.shutdown())
        w.close()
    finally:
        remove_containers(tag)
    requests, events, cpu = _idle()
    med, med_base = statistics.median(lat), statistics.median(base)
    at = {k: statistics.median(v) * 1000 for k, v in stages.items() if v}
    note = (f"stream {at.get('stream', math.nan):.0f} ms, applied {at.get('applied', math.nan):.0f}, "
            f"row fetched {at.get('fetched', math.nan):.0f}, in the table {med * 1000:.0f}; "
            f"{refetched}/20 rows fetched again")
    return [
        Result("event to row, median of 20", med * 1000, med_base * 1000, "ms", "ratio <= 1.3",
               "raw /events stream sees it", med / med_base <= 1.3, note=note),
        Result("idle 30 s, 100 containers: requests", requests, None, "requests", "0", "", requests == 0,
               note=f"{events} engine events in that time"),
        Result("idle 30 s, 100 containers: CPU", cpu / 30 * 100, None, "% of a core", "<= 1 %", "", cpu / 30 <= 0.01),
    ]


def _mark_event_stages(w, ident: str, marks: dict[str, list[float]]) -> None:
    """Record when an event about container ``ident`` reaches the window's event
    stream ("stream"), when the Monitor applies it ("applied": its engineEvent signal,
    sent before the row is fetched) and when the fetched row is handed to the table
    ("fetched"). Other containers' events (the engine is shared) are not counted."""
    engine = w.engine
    events = engine.events

    def about(ev: dict) -> bool:
        return ((ev.get("Actor") or {}).get("ID") or ev.get("id")) == ident

    def timed_events(*args, **kwargs):
        pump = events(*args, **kwargs)
        batches = pump.batches

        async def timed():
            async for batch in batches():
                if any(about(ev) for ev in batch):
                    marks["stream"].append(time.perf_counter())
                yield batch
        pump.batches = timed
        return pump
    engine.events = timed_events
    w.live.engineEvent.connect(lambda ev: about(ev) and marks["applied"].append(time.perf_counter()))
    w.live.containerChanged.connect(lambda i, _c: i == ident and marks["fetched"].append(time.perf_counter()))


def _idle(seconds: float = 30.0) -> tuple[int, int, float]:
    """Requests, events and CPU seconds of a window left alone with 100 running
    containers. A private dockerd is used so that nothing else on the machine makes
    events during the measurement."""
    import shutil
    import tempfile
    from pathlib import Path

    from tests.conftest import WHALESAY, PrivateEngine

    root = Path(tempfile.mkdtemp(prefix="berth-idle-"))
    eng = PrivateEngine(root)
    eng.start()
    _qapp, loop = _app()  # held: the QApplication lives while the benchmark runs
    try:
        saved = subprocess.run(["docker", "save", WHALESAY], capture_output=True, check=True).stdout
        subprocess.run(["docker", "-H", eng.host, "load"], input=saved, capture_output=True, check=True)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: eng.docker("run", "-d", "--network", "none", "--name", f"idle-{i}",
                                               WHALESAY, "sleep", "3600"), range(100)))
        made = time.time()
        w = _window(eng.host)

        async def run() -> tuple[int, int, float]:
            w.start()
            await _until(lambda: w.live.is_connected and w.containers_model.rowCount() >= 100)
            events: list[dict] = []
            w.live.engineEvent.connect(events.append)
            # While a container is less than a minute old its CREATED text changes every
            # second and the window repaints it; measure the steady state after that.
            await asyncio.sleep(max(2.0, made + 95 - time.time()))
            before = sum(w.engine.requests.values())
            cpu0 = resource.getrusage(resource.RUSAGE_SELF)
            await asyncio.sleep(seconds)
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
            return sum(w.engine.requests.values()) - before, len(events), cpu

        result = loop.run_until_complete(run())
        loop.run_until_complete(w.shutdown())
        w.close()
        return result
    finally:
        try:
            ids = eng.docker("ps", "-aq", check=False).split()
            if ids:
                eng.docker("rm", "-f", *ids, check=False)
        except subprocess.TimeoutExpired:
            pass  # a slow removal: stopping the engine ends them all the same
        finally:
            eng.stop()
            shutil.rmtree(root, ignore_errors=True)


#: A fresh process with nothing but an empty PySide6 window, shown and settled: what any
#: PySide6 app holds before it does anything.
_BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1200, 700)
window.show()
QTimer.singleShot(0, lambda: print("loaded", flush=True))
app.exec()
"""


def bench_memory() -> list[Result]:
    """Resident memory of Berth as a user starts it (``python -m desktop``, a process of
    its own; offscreen unless QT_QPA_PLATFORM says otherwise) with 100 more containers
    on the engine, once the table is filled and the modules it preloads are in; against
    a bare PySide6 window started the same way."""
    tag = uuid.uuid4().hex[:8]
    try:
        make_containers(100, tag)
        loaded, berth = _settled_rss([sys.executable, "-m", "desktop", "--debug"], "berth.ui: loaded ")
        _, bare = _settled_rss([sys.executable, "-c", _BARE_WINDOW], "loaded")
    finally:
        remove_containers(tag)
    cli = _cli_rss(["docker", "ps", "-a"])
    mib = 1 / 1024
    return [Result("RSS, window with 100 containers", berth * mib, bare * mib, "MiB", "<= 90 MiB",
                   "empty PySide6 window", berth * mib <= 90,
                   note=f"{loaded}; docker ps -a: {cli * mib:.0f} MiB")]


def _settled_rss(argv: list[str], ready: str, timeout: float = 60.0) -> tuple[str, int]:
    """Start ``argv`` (offscreen unless QT_QPA_PLATFORM says otherwise) with settings
    of its own; once a line of its output contains ``ready``, wait for its resident
    size to stop changing (by no more than 256 KiB for 2 s: the app's preloading and
    settling are done) and return that line and the size in KiB. The process is then
    ended as the session would end it (SIGTERM)."""
    folder = tempfile.mkdtemp(prefix="berth-bench-")
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "XDG_CONFIG_HOME": folder}
    output = os.path.join(folder, "output")
    with open(output, "wb") as out:  # a file, not a pipe: its writes never wait for a reader
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        said = None
        while said is None:
            if proc.poll() is not None:
                raise RuntimeError(f"{argv[1:]} ended before saying {ready!r}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{argv[1:]} did not say {ready!r}")
            time.sleep(0.05)
            with open(output, encoding="utf-8", errors="replace") as f:
                said = next((line for line in f if ready in line), None)
        samples: list[int] = []
        while True:
            samples.append(_vm_rss(proc.pid))
            last = samples[-8:]  # 2 s at one sample every 0.25 s
            if len(last) == 8 and max(last) - min(last) <= 256:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{argv[1:]}: its resident size did not settle: {samples[-8:]} KiB")
            time.sleep(0.25)
        said = said.split(": ", 1)[-1].split(" in ")[0].strip()  # "loaded N containers from HOST"
        return said, samples[-1]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _vm_rss(pid: int) -> int:
    """The resident size of process ``pid`` in KiB (Linux)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"process {pid} has no VmRSS")


def _cli_rss(argv: list[str]) -> int:
    """The peak resident size of a command run to its end, in KiB. It is started from a
    small Python of its own: a child's peak counts what it shared with its parent
    before it ran the command, and this process is large by now."""
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    res = subprocess.run([sys.executable, "-S", "-c", code, *argv], capture_output=True, text=True, check=True)
    return int(res.stdout)


BENCHMARKS = [bench_fill_and_stall, bench_event_latency, bench_memory]
