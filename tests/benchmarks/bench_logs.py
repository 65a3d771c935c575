"""Log viewer benchmarks: ingest rate against ``docker logs``, memory for a million
lines, and the longest GUI stall while following a container that prints as fast as it
can.

Run with ``python -m tests.benchmarks.bench_logs`` (or through the benchmark runner).
Every container is created here, labelled, and removed at the end.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from tests.benchmarks.common import Result, qt_app

ROOT = Path(__file__).resolve().parents[2]

IMAGE = "docker/whalesay:latest"
LABEL = "io.berth.bench"
INGEST_LINES = 200_000
MEMORY_LINES = 1_000_000
FOLLOW_SECONDS = 6.0
# A line of a typical size (about 60 characters).
LINE_SCRIPT = "seq 1 {n} | sed 's/$/ INFO worker-3 handled GET \\/api\\/items 200 in 12ms/'"


def _docker(*args: str, check: bool = True) -> str:
    res = subprocess.run(["docker", *args], check=False, capture_output=True, text=True, timeout=600)
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
        import qasync

        self.app = qt_app()
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
    from desktop.ui.logs.viewer import LogViewer

    async def make():
        c = await engine.container(name)
        v = LogViewer(engine, c, None, **kw)
        v.resize(1000, 600)
        v.show()
        return v
    return make()


# A beat: (perf_counter, the thread's CPU time so far, its wait for a CPU so far), in
# seconds. A plain tuple of floats, which the garbage collector stops tracking: the
# heartbeat must not add to the full collections of the process it measures.
_Beat = tuple[float, float, float]


def _schedstat() -> tuple[float, float]:
    """This thread's time on a CPU and time waiting runnable for one (Linux), seconds."""
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat") as f:
            ran, queued, _ = f.read().split()
        return int(ran) / 1e9, int(queued) / 1e9
    except (OSError, ValueError):  # not Linux: the split is not known
        return time.thread_time(), 0.0


def _heartbeat(interval_ms: int = 5):
    """A timer that records when it fires; the longest gap is the longest GUI stall.

    Each beat also records the thread's CPU time and run-queue wait, so that a gap can
    be split into the thread's own work, waiting for a CPU the machine did not give it,
    and the rest (the timer's own interval, the interpreter lock)."""
    from PySide6.QtCore import QTimer

    beats: list[_Beat] = []
    timer = QTimer()
    timer.setInterval(interval_ms)
    timer.timeout.connect(lambda: beats.append((time.perf_counter(), *_schedstat())))
    return timer, beats


def _gaps(beats: list[_Beat]) -> list[tuple[float, float, float]]:
    """(gap, work, waited for a CPU) in ms between successive beats."""
    return [((t1 - t0) * 1000, (r1 - r0) * 1000, (q1 - q0) * 1000)
            for (t0, r0, q0), (t1, r1, q1) in itertools.pairwise(beats)]


def _p99_gap_ms(beats: list[_Beat]) -> float:
    gaps = sorted(g for g, _, _ in _gaps(beats))
    return gaps[int(len(gaps) * 0.99)] if gaps else 0.0


def _longest_gap_ms(beats: list[_Beat]) -> float:
    return max((g for g, _, _ in _gaps(beats)), default=0.0)


def _longest_work_ms(beats: list[_Beat]) -> float:
    """The most CPU time the thread spent between two beats: its own work at a stretch."""
    return max((w for _, w, _ in _gaps(beats)), default=0.0)


def _longest_idle_ms(beats: list[_Beat]) -> float:
    """The longest gap neither working nor waiting for a CPU (the interpreter lock, a
    late wake-up, the machine's hypervisor)."""
    return max((g - min(w + q, g) for g, w, q in _gaps(beats)), default=0.0)


def _queued_share(beats: list[_Beat], over_ms: float = 20) -> float:
    """Of the gaps over ``over_ms``, the share spent waiting for a CPU."""
    big = [(g, q) for g, _, q in _gaps(beats) if g > over_ms]
    total = sum(g for g, _ in big)
    return sum(min(q, g) for g, q in big) / total if total else 0.0


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
    name = _container("memory", LINE_SCRIPT.format(n=MEMORY_LINES))
    try:
        # In a process of its own: one that has held other viewers reuses the memory
        # they freed, and its growth says nothing.
        child = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_logs", "--memory-of", name],
                               cwd=ROOT, check=False, capture_output=True, text=True, timeout=600)
        if child.returncode != 0:
            raise RuntimeError(f"the measuring process failed: {child.stderr.strip()[-2000:]}")
        growth, kept = json.loads(child.stdout.strip().splitlines()[-1])
        with open(os.devnull, "wb") as null:
            cli = subprocess.Popen(["docker", "logs", name], stdout=null, stderr=null)
            _, status, usage = os.wait4(cli.pid, 0)  # this child's own peak, not the largest child's
            cli.returncode = os.waitstatus_to_exitcode(status)
        note = (f"{kept:,} lines kept (the cap); measured in a fresh process; docker logs peak RSS "
                f"{usage.ru_maxrss / 1024:.0f} MB (whole process)")
        return [Result("log memory growth, 1M lines", growth, None, "MB", "<= 150 MB",
                       met=growth <= 150, note=note)]
    finally:
        _remove(name)


def _memory_growth(name: str) -> tuple[float, int]:
    """Peak RSS growth while a viewer reads the whole log of ``name`` (in this process,
    set up as the app is), and how many lines it kept."""
    import gc

    from PySide6.QtCore import QTimer

    from desktop.engine.client import Engine

    g = gui()
    engine = Engine()
    try:
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

        return g.run(berth())
    finally:
        g.run(engine.close())


# -- following a flood ------------------------------------------------------------------------
FLOOD_ROUNDS = 3


def bench_follow_stall() -> list[Result]:
    """The longest GUI stall while a viewer follows a container printing as fast as it
    can, against the same heartbeat with no viewer while ``docker logs -f`` follows.

    On a small machine the flood (the container, the engine logging it and serving the
    follower) takes more CPU than there is, and a thread that is ready to run can wait
    tens of milliseconds for a CPU. So each gap is also split (from the thread's
    schedstat): the second row is the most work the GUI thread did between two beats,
    and its note says how much of the long gaps was spent waiting for a CPU. Three
    rounds, taking turns, each 6 s.
    """
    from desktop.engine.client import Engine

    g = gui()
    name = _container("flood", "yes 'INFO flood: the quick brown fox jumps over the lazy dog 0123456789'",
                      wait=False)
    engine = Engine()
    try:
        async def berth() -> tuple[list[_Beat], int, float]:
            v = await _open_viewer(engine, name, tail=1000)
            await _until(lambda: len(v.model.store) > 0, 30)
            timer, beats = _heartbeat()
            timer.start()
            start_seq = v.model.store.next_seq
            t = time.perf_counter()
            await asyncio.sleep(FOLLOW_SECONDS)
            timer.stop()
            rate = (v.model.store.next_seq - start_seq) / (time.perf_counter() - t)
            frame = v.stream.max_frame_ms
            v.shutdown()
            v.deleteLater()
            return beats, int(rate), frame

        async def heartbeat() -> list[_Beat]:
            timer, beats = _heartbeat()
            timer.start()
            await asyncio.sleep(FOLLOW_SECONDS)
            timer.stop()
            return beats

        def cli_following() -> tuple[list[_Beat], int]:
            # The same heartbeat, no viewer, while `docker logs -f` follows the flood:
            # what the engine serving a follower costs the machine (and the window).
            script = f"timeout {FOLLOW_SECONDS} docker logs -f --tail 0 {name} | wc -l"
            proc = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, text=True)
            beats = g.run(heartbeat())
            out, _ = proc.communicate(timeout=60)
            return beats, int(out.strip() or 0)

        machine, cli, ours, cli_rates, rates, frames = [], [], [], [], [], []
        for _ in range(FLOOD_ROUNDS):
            # With the flood running and nothing reading it: what the machine itself
            # (the container, the engine, other work) costs the thread.
            machine.append(g.run(heartbeat()))
            beats, lines = cli_following()
            cli.append(beats)
            cli_rates.append(lines / FOLLOW_SECONDS)
            beats, rate, frame = g.run(berth())
            ours.append(beats)
            rates.append(rate)
            frames.append(frame)

        def each(fn, rounds) -> str:
            return "/".join(f"{fn(b):.0f}" for b in rounds)

        stall = max(map(_longest_gap_ms, ours))
        cli_stall = max(map(_longest_gap_ms, cli))
        work = max(map(_longest_work_ms, ours))
        cli_work = max(map(_longest_work_ms, cli))
        return [
            Result("longest GUI stall following a flood", stall, cli_stall, "ms", "<= 50 ms",
                   baseline_name="same heartbeat, no viewer, docker logs -f following", met=stall <= 50,
                   note=f"heartbeat every 5 ms, {FLOOD_ROUNDS} rounds of {FOLLOW_SECONDS:.0f} s taking turns; "
                        f"per round Berth {each(_longest_gap_ms, ours)} ms, CLI following "
                        f"{each(_longest_gap_ms, cli)} ms, no follower {each(_longest_gap_ms, machine)} ms; "
                        f"99th percentile gap Berth {each(_p99_gap_ms, ours)} ms, CLI following "
                        f"{each(_p99_gap_ms, cli)} ms; {statistics.median(rates):,.0f} lines/s shown "
                        f"(docker logs -f: {statistics.median(cli_rates):,.0f} lines/s)"),
            Result("longest GUI work between two heartbeats, following a flood", work, cli_work, "ms",
                   "<= 50 ms", baseline_name="the same, CLI following", met=work <= 50,
                   note=f"the thread's CPU time (schedstat) between two beats; in gaps over 20 ms the thread "
                        f"waited runnable for a CPU {each(lambda b: 100 * _queued_share(b), ours)} % of the "
                        f"time (CLI following {each(lambda b: 100 * _queued_share(b), cli)} %); longest gap "
                        f"neither working nor waiting for a CPU: Berth {each(_longest_idle_ms, ours)} ms, "
                        f"CLI following {each(_longest_idle_ms, cli)} ms; longest frame hand-over "
                        f"{max(frames):.1f} ms"),
        ]
    finally:
        g.run(engine.close())
        _remove(name)


BENCHMARKS = [bench_ingest, bench_memory, bench_follow_stall]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--memory-of"]:
        print(json.dumps(_memory_growth(sys.argv[2])), flush=True)
        sys.exit(0)
    for fn in BENCHMARKS:
        for r in fn():
            ratio = f"  ({r.ratio:.2f}x {r.baseline_name})" if r.ratio is not None else ""
            base = f"{r.baseline:,.1f}" if r.baseline is not None else "-"
            print(f"{r.metric}: {r.berth:,.1f} {r.unit} vs {base}{ratio}; target {r.target}; "
                  f"met={r.met}; {r.note}", flush=True)
