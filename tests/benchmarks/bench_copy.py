"""Copy-into-container benchmarks: Berth's streamed copy against ``docker cp``.

Run with ``python -m tests.benchmarks.run copy`` (or ``python -m tests.benchmarks.bench_copy``).
Each Berth copy runs in a child process of its own, which reports its time and its
resident memory growth (peak RSS during the copy minus RSS just before it); the
``docker cp`` of the same files runs in the same benchmark, alternating with it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

from tests.benchmarks.common import Result

LABEL = "io.berth.bench"
IMAGE = "docker/whalesay:latest"
REPEAT = 3


def _docker(*args: str, timeout: float = 600) -> str:
    res = subprocess.run(["docker", *args], check=False, capture_output=True, text=True, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)}: {res.stderr.strip()}")
    return res.stdout


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _rss_kb() -> int:
    return _status_kb("VmRSS")


def child(cid: str, src: str, dest: str) -> None:
    """The Berth side, in its own process: one copy, then a JSON line of figures."""
    import asyncio

    from desktop.engine import archive
    from desktop.engine.client import Engine

    async def main() -> float:
        engine = Engine()
        await engine.connect()
        before = _rss_kb()
        t = time.perf_counter()
        await archive.copy_in_paths(engine, cid, [src], dest, overwrite=True)
        elapsed = time.perf_counter() - t
        await engine.close()
        return elapsed, before

    elapsed, before = asyncio.run(main())
    # VmHWM is this process's own peak. (ru_maxrss is not: Linux carries the parent's
    # peak across fork and exec, so a child of a large process would report that.)
    peak = _status_kb("VmHWM")
    print(json.dumps({"seconds": elapsed, "rss_before_kb": before, "rss_peak_kb": peak}))


def _berth(cid: str, src: str, dest: str) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    res = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_copy", "--child", cid, src, dest],
                         check=False, capture_output=True, text=True, cwd=root, timeout=900)
    if res.returncode != 0:
        raise RuntimeError(res.stderr)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _docker_cp(cid: str, src: str, dest: str) -> float:
    t = time.perf_counter()
    _docker("cp", src, f"{cid}:{dest}")
    return time.perf_counter() - t


def _compare(label: str, src: str, note: str) -> list[Result]:
    name = f"berth-bench-copy-{uuid.uuid4().hex[:8]}"
    cid = _docker("run", "-d", "--network", "none", "--label", f"{LABEL}=1", "--name", name, IMAGE,
                  "sleep", "3600").strip()
    try:
        berth_times, cp_times, growth = [], [], []
        def run_cp() -> None:
            cp_times.append(_docker_cp(cid, src, "/tmp/a/"))
            _docker("exec", cid, "rm", "-rf", "/tmp/a")

        def run_berth() -> None:
            fig = _berth(cid, src, "/tmp/b")
            _docker("exec", cid, "rm", "-rf", "/tmp/b")
            berth_times.append(fig["seconds"])
            growth.append((fig["rss_peak_kb"] - fig["rss_before_kb"]) / 1024)

        # Taking turns, each going first every other round: an extraction right after
        # a large delete in the container is slower, whichever tool does it.
        for i in range(REPEAT * 2):
            _docker("exec", cid, "sh", "-c", "rm -rf /tmp/a /tmp/b && mkdir /tmp/a /tmp/b && sync")
            first, second = (run_cp, run_berth) if i % 2 == 0 else (run_berth, run_cp)
            first()
            second()
        berth, cp = min(berth_times), min(cp_times)
        mem = max(growth)
        return [
            Result(f"{label}: time", berth, cp, "s", "ratio <= 1.25", "docker cp",
                   met=berth / cp <= 1.25, note=f"best of {REPEAT * 2}, taking turns; {note}"),
            Result(f"{label}: memory growth", mem, None, "MB", "<= 64 MB", "",
                   met=mem <= 64, note="peak RSS during the copy minus RSS before it (worst run)"),
        ]
    finally:
        subprocess.run(["docker", "rm", "-f", cid], check=False, capture_output=True)


def bench_one_gib_file() -> list[Result]:
    work = tempfile.mkdtemp(prefix="berth-bench-")
    try:
        path = os.path.join(work, "big.bin")
        block = os.urandom(1 << 20)
        with open(path, "wb") as f:
            for _ in range(1024):
                f.write(block)
        return _compare("copy in 1 GiB file", path, "1 GiB of data")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_ten_thousand_files() -> list[Result]:
    work = tempfile.mkdtemp(prefix="berth-bench-")
    try:
        root = os.path.join(work, "many")
        for d in range(100):
            folder = os.path.join(root, f"folder {d:03}")
            os.makedirs(folder)
            for i in range(100):
                with open(os.path.join(folder, f"file {i:03}.txt"), "wb") as f:
                    f.write(os.urandom(1024))
        return _compare("copy in 10,000 small files", root, "10,000 files of 1 KiB in 100 folders")
    finally:
        shutil.rmtree(work, ignore_errors=True)


BENCHMARKS = [bench_one_gib_file, bench_ten_thousand_files]


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        for fn in BENCHMARKS:
            for r in fn():
                ratio = f" ratio {r.ratio:.2f}" if r.ratio is not None else ""
                base = f" vs {r.baseline:.3f} ({r.baseline_name})" if r.baseline is not None else ""
                print(f"{r.metric}: {r.berth:.3f} {r.unit}{base}{ratio}  target {r.target}  "
                      f"{'met' if r.met else 'NOT met'}  [{r.note}]")
