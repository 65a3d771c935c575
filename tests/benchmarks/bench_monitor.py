"""What the Monitor asks the engine for when one container changes.

For each docker command on one running container, the one-container list requests the
Monitor sent about it (counted in ``Engine.request_log``), against the container events
the engine sent (what one request per event would cost), and the time from the
command's return to the row showing the new state. Five runs each, means.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import time

from desktop.engine.client import Engine
from desktop.engine.monitor import Monitor
from desktop.engine.records import Container, EngineInfo, Image
from desktop.engine.states import State
from tests.benchmarks.common import Result

LABEL = "io.berth.bench=monitor"
RUNS = 5
COMMANDS: tuple[tuple[tuple[str, ...], State], ...] = (
    (("stop", "-t", "1"), State.EXITED),
    (("kill",), State.EXITED),
    (("restart", "-t", "0"), State.RUNNING),
    (("pause",), State.PAUSED),
)


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout.strip()


class _Recorder:
    def __init__(self) -> None:
        self.listed = False
        self.changes: list[tuple[float, str, Container | None]] = []
        self.events: list[dict] = []

    def connected(self, info: EngineInfo) -> None: ...
    def disconnected(self, error: object, retry_in: float) -> None: ...

    def containers_listed(self, containers: list[Container]) -> None:
        self.listed = True

    def container_changed(self, ident: str, container: Container | None) -> None:
        self.changes.append((time.perf_counter(), ident, container))

    def images_listed(self, images: list[Image]) -> None: ...

    def event(self, event: dict) -> None:
        self.events.append(event)


async def _measure() -> list[Result]:
    engine, rec = Engine(), _Recorder()
    task = asyncio.create_task(Monitor(engine, rec).run())
    results = []
    try:
        while not rec.listed:
            await asyncio.sleep(0.02)
        for command, want in COMMANDS:
            asked, sent, latency = [], [], []
            for _ in range(RUNS):
                cid = docker("run", "-d", "--label", LABEL, "docker/whalesay:latest", "sleep", "300")
                await asyncio.sleep(0.8)  # its create and start are through
                engine.request_log.clear()
                rec.changes.clear()
                rec.events.clear()
                await asyncio.to_thread(docker, *command, cid)
                returned = time.perf_counter()
                await asyncio.sleep(1.5)
                asked.append(sum(1 for m, p, q in list(engine.request_log) if p == "/containers/json" and cid in q))
                sent.append(sum(1 for ev in rec.events if (ev.get("Actor") or {}).get("ID") == cid))
                shown = [t for t, i, c in rec.changes if i == cid and c is not None and c.state is want]
                latency.append(max(0.0, shown[0] - returned) if shown else float("nan"))
                docker("rm", "-f", cid)
            label = "docker " + " ".join(command)
            mean = statistics.mean(asked)
            results.append(Result(f"{label}: row requests, mean of {RUNS}", mean, statistics.mean(sent), "requests",
                                  "<= events", "container events the engine sent", mean <= statistics.mean(sent),
                                  note=f"each run: {asked}"))
            results.append(Result(f"{label}: command return to row", statistics.median(latency) * 1000, None, "ms",
                                  "<= 100 ms", "", statistics.median(latency) <= 0.1))
    finally:
        task.cancel()
        await engine.close()
        ids = docker("ps", "-aq", "--filter", f"label={LABEL}").split()
        if ids:
            docker("rm", "-f", *ids)
    return results


def bench_requests_per_command() -> list[Result]:
    return asyncio.run(_measure())


BENCHMARKS = [bench_requests_per_command]
