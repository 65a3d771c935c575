"""Log viewer benchmarks: ingest rate against ``docker logs``, memory for a million
lines, and the longest GUI stall while following a container that prints as fast as it
can.

Run with ``python -m tests.benchmarks.bench_logs`` (or through the benchmark runner).
Every container is created here, labelled, and removed at the end.
"""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import time
import uuid

from tests.benchmarks.common import Result

IMAGE = "docker/whalesay:latest"
LABEL = "io.berth.bench"
INGEST_LINES = 200_000
MEMORY_LINES = 1_000_000
FOLLOW_SECONDS = 6.0
# A line of a typical size (about 60 characters).
LINE_SCRIPT = "seq 1 {n} | sed 's/$/ INFO worker-3 handled GET \\/api\\/items 200 in 12ms/'"


def _docker(*args: str, check: bool = True) -> str:
    res = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=600)
    if check and res.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)}: {res.stderr.strip()}")
    return res.stdout


def _container(tag: str, script: str, *, wait: bool = True) -> str:
    name = f"berth-bench-logs-{tag}-{uuid.uuid4().hex[:6]}"
    _docker("run", "-d", "--name", name, "--label", f"{LABEL}=logs", "--network", "none", IMAGE, "sh", "-c", script)
    if wait:
        _docker("wait", name)
    return name


def _remove(*names: str) -> None:
    if names:
        _docker("rm", "-f", *names, check=False)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class _Gui:
    """An offscreen application with asyncio on the Qt loop."""

    def __init__(self) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        import qasync
        from PySide6.QtWidgets import QApplication

        self.app = QApplication.instance() or QApplication(["berth-bench"])
        self.loop = qasync.QEventLoop(self.app)
        asyncio.set_event_loop(self.loop)
        # As in the app once its window has loaded: the viewer's modules imported, and
        # what exists kept out of the garbage collector's full passes.
        from desktop import app

        app.preload(app.LATER_MODULES, lambda _ms, step: step())
        app.settle()

    def run(self, coro):
        return self.loop.run_until_complete(coro)


_gui: _Gui | None = None


def gui() -> _Gui:
    global _gui
    if _gui is None:
        _gui = _Gui()
    return _gui


async def _until(pred, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError("the viewer did not get there in time")
        await asyncio.sleep(0.005)


def _open_viewer(engine, name: str, **kw):
    from desktop.ui.logviewer import LogViewer

    async def make():
        c = await engine.container(name)
        v = LogViewer(engine, c, None, **kw)
        v.resize(1000, 600)
        v.show()
        return v
    return make()


def _heartbeat(interval_ms: int = 5):
    """A timer that records when it fires; the longest gap is the longest GUI stall."""
    from PySide6.QtCore import QTimer

    beats: list[float] = []
    timer = QTimer()
    timer.setInterval(interval_ms)
    timer.timeout.connect(lambda: beats.append(time.perf_counter()))
    return timer, beats


def _p99_gap_ms(beats: list[float]) -> float:
    gaps = sorted(b - a for a, b in zip(beats, beats[1:]))
    return gaps[int(len(gaps) * 0.99)] * 1000 if gaps else 0.0


def _longest_gap_ms(beats: list[float]) -> float:
    return max((b - a for a, b in zip(beats, beats[1:])), default=0.0) * 1000


# -- ingest -----------------------------------------------------------------------------
# Every other line on stderr, flushed line by line so that the two streams take turns.
INTERLEAVED_SCRIPT = ("seq 1 {n} | awk '{{ if (NR % 2) print $0 \" INFO worker-3 handled GET /api/items 200\"; "
                      "else print $0 \" WARN worker-3 slow answer from /api/items\" > \"/dev/stderr\"; fflush() }}'")


def bench_ingest() -> list[Result]:
    return [_ingest("log ingest, 200k lines into the viewer", LINE_SCRIPT.format(n=INGEST_LINES)),
            _ingest("log ingest, 200k lines, stdout and stderr taking turns",
                    INTERLEAVED_SCRIPT.format(n=INGEST_LINES))]


def _ingest(metric: str, script: str) -> Result:
    from desktop.engine.client import Engine

    g = gui()
    name = _container("ingest", script)
    engine = Engine()
    try:
        def cli() -> None:
            with open(os.devnull, "wb") as null:
                subprocess.run(["docker", "logs", name], stdout=null, stderr=null, check=True)

        async def berth() -> tuple[float, float]:
            beats_timer, beats = _heartbeat()
            beats_timer.start()
            t = time.perf_counter()
            v = await _open_viewer(engine, name, tail="all")
            await _until(lambda: v.model.store.next_seq >= INGEST_LINES, 120)
            elapsed = time.perf_counter() - t
            beats_timer.stop()
            # every line came (the two streams may arrive a little out of step)
            assert v.model.store.next_seq == INGEST_LINES
            assert any(t.startswith(f"{INGEST_LINES} ") for t in v.model.store.texts())
            v.shutdown()
            v.deleteLater()
            return elapsed, _longest_gap_ms(beats)

        cli()  # warm the engine's page cache for both
        cli_times, berth_times, stalls = [], [], []
        for _ in range(3):  # interleaved, best of three each
            t = time.perf_counter()
            cli()
            cli_times.append(time.perf_counter() - t)
            elapsed, stall = g.run(berth())
            berth_times.append(elapsed)
            stalls.append(stall)
        berth_rate = INGEST_LINES / min(berth_times)
        cli_rate = INGEST_LINES / min(cli_times)
        return Result(
            metric, berth_rate, cli_rate, "lines/s", ">= 0.8x",
            baseline_name="docker logs > /dev/null", met=berth_rate >= 0.8 * cli_rate,
            note=f"best of 3: Berth {min(berth_times):.2f} s, CLI {min(cli_times):.2f} s; "
                 f"longest GUI stall meanwhile {min(stalls):.0f}-{max(stalls):.0f} ms")
    finally:
        g.run(engine.close())
        _remove(name)


# -- memory -------------------------------------------------------------------------------
def bench_memory() -> list[Result]:
    from PySide6.QtCore import QTimer

    from desktop.engine.client import Engine

    g = gui()
    name = _container("memory", LINE_SCRIPT.format(n=MEMORY_LINES))
    engine = Engine()
    try:
        import gc
        gc.collect()
        samples: list[float] = []
        sampler = QTimer()
        sampler.setInterval(10)
        sampler.timeout.connect(lambda: samples.append(_rss_mb()))

        async def berth() -> tuple[float, int]:
            before = _rss_mb()
            sampler.start()
            v = await _open_viewer(engine, name, tail="all")
            await _until(lambda: v.model.store.next_seq >= MEMORY_LINES, 300)
            sampler.stop()
            samples.append(_rss_mb())
            kept = len(v.model.store)
            v.shutdown()
            v.deleteLater()
            return max(samples) - before, kept

        growth, kept = g.run(berth())
        before_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        with open(os.devnull, "wb") as null:
            subprocess.run(["docker", "logs", name], stdout=null, stderr=null, check=True)
        cli_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        note = f"{kept:,} lines kept (the cap); "
        if cli_peak > before_children / 1024:
            note += f"docker logs peak RSS {cli_peak:.0f} MB (whole process)"
        return [Result("log memory growth, 1M lines", growth, None, "MB", "<= 150 MB",
                       met=growth <= 150, note=note)]
    finally:
        g.run(engine.close())
        _remove(name)


# -- following a flood ------------------------------------------------------------------------
def bench_follow_stall() -> list[Result]:
    from desktop.engine.client import Engine

    g = gui()
    name = _container("flood", "yes 'INFO flood: the quick brown fox jumps over the lazy dog 0123456789'",
                      wait=False)
    engine = Engine()
    try:
        async def berth() -> tuple[float, int, float]:
            v = await _open_viewer(engine, name, tail=1000)
            await _until(lambda: len(v.model.store) > 0, 30)
            timer, beats = _heartbeat()
            timer.start()
            start_seq = v.model.store.next_seq
            t = time.perf_counter()
            await asyncio.sleep(FOLLOW_SECONDS)
            timer.stop()
            rate = (v.model.store.next_seq - start_seq) / (time.perf_counter() - t)
            frame = v.max_frame_ms
            v.shutdown()
            v.deleteLater()
            return beats, int(rate), frame

        async def heartbeat() -> list[float]:
            timer, beats = _heartbeat()
            timer.start()
            await asyncio.sleep(FOLLOW_SECONDS)
            timer.stop()
            return beats

        def cli_following() -> tuple[list[float], int]:
            # The same heartbeat, no viewer, while `docker logs -f` follows the flood:
            # what the engine serving a follower costs the machine (and the window).
            script = f"timeout {FOLLOW_SECONDS} docker logs -f --tail 0 {name} | wc -l"
            proc = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, text=True)
            beats = g.run(heartbeat())
            out, _ = proc.communicate(timeout=60)
            return beats, int(out.strip() or 0)

        # With the flood running and nothing reading it: what the machine itself (the
        # container, the engine, other work) costs the thread.
        machine = g.run(heartbeat())
        cli_beats, cli_lines = cli_following()
        beats, rate, frame = g.run(berth())
        stall, cli_stall = _longest_gap_ms(beats), _longest_gap_ms(cli_beats)
        return [Result("longest GUI stall following a flood", stall, cli_stall, "ms", "<= 50 ms",
                       baseline_name="same heartbeat, no viewer, docker logs -f following", met=stall <= 50,
                       note=f"heartbeat every 5 ms for {FOLLOW_SECONDS:.0f} s; {rate:,} lines/s shown "
                            f"(docker logs -f: {cli_lines / FOLLOW_SECONDS:,.0f} lines/s); 99th percentile "
                            f"gap {_p99_gap_ms(beats):.0f} ms (CLI following {_p99_gap_ms(cli_beats):.0f} ms); "
                            f"longest frame hand-over {frame:.1f} ms; with no follower at all "
                            f"{_longest_gap_ms(machine):.0f} ms")]
    finally:
        g.run(engine.close())
        _remove(name)


BENCHMARKS = [bench_ingest, bench_memory, bench_follow_stall]


if __name__ == "__main__":
    for fn in BENCHMARKS:
        for r in fn():
            ratio = f"  ({r.ratio:.2f}x {r.baseline_name})" if r.ratio is not None else ""
            base = f"{r.baseline:,.1f}" if r.baseline is not None else "-"
            print(f"{r.metric}: {r.berth:,.1f} {r.unit} vs {base}{ratio}; target {r.target}; "
                  f"met={r.met}; {r.note}", flush=True)
