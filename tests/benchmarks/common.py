"""What every benchmark module shares.

A module ``tests/benchmarks/bench_<area>.py`` defines ``BENCHMARKS``, a list of
functions taking no arguments and returning a list of :class:`Result`. Each result
compares Berth with a baseline measured in the same run (the raw Engine API, the
docker CLI) and states its target; ``python -m tests.benchmarks.run`` prints them all.
Benchmarks are never collected by pytest and assert nothing about time.
"""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Result:
    metric: str
    berth: float
    baseline: float | None
    unit: str
    target: str              # e.g. "ratio <= 1.3", "<= 100 ms", ">= 0.8x"
    baseline_name: str = ""  # what the baseline is ("GET /containers/json", "docker cp")
    met: bool | None = None  # whether the target was met, judged by the benchmark
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.berth / self.baseline


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs of ``fn``, in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def median_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def qt_app() -> Any:
    """The QApplication benchmarks run in (offscreen unless told otherwise), its settings
    in a temporary folder: a benchmark never writes the user's."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName("BerthBench")
        QCoreApplication.setApplicationName("BerthBench")
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        folder = tempfile.mkdtemp(prefix="berth-bench-settings-")
        atexit.register(shutil.rmtree, folder, True)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
        app = QApplication(["berth-bench"])
    return app
