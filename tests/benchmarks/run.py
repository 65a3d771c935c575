"""Run Berth's benchmarks and print one table.

    python -m tests.benchmarks.run              # every area
    python -m tests.benchmarks.run engine ui    # some areas (bench_engine.py, bench_ui.py)
    python -m tests.benchmarks.run --list       # the areas there are
    python -m tests.benchmarks.run --json out.json engine

Each ``bench_<area>.py`` in this folder defines ``BENCHMARKS``, a list of functions
returning :class:`~tests.benchmarks.common.Result` lists (see ``common.py``). A
benchmark that fails is reported in the table and the run goes on; the exit status
is 1 if any failed. Whether targets are met does not change the exit status.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import math
import pkgutil
import platform
import sys
import time
import traceback
from pathlib import Path

from tests.benchmarks.common import Result

HERE = Path(__file__).parent
HEADERS = ("metric", "Berth", "baseline (what it is)", "ratio", "target", "met")


def areas() -> list[str]:
    return sorted(m.name.removeprefix("bench_") for m in pkgutil.iter_modules([str(HERE)])
                  if m.name.startswith("bench_"))


def number(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "s" and abs(value) < 1:
        value, unit = value * 1000, "ms"
    if value == int(value) and abs(value) < 1e6:
        text = str(int(value))
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return f"{text} {unit}".strip()


def row(result: Result) -> tuple[str, ...]:
    baseline = number(result.baseline, result.unit)
    if result.baseline_name:
        baseline = f"{baseline} ({result.baseline_name})" if result.baseline is not None else result.baseline_name
    ratio = result.ratio
    met = {True: "yes", False: "NO", None: "-"}[result.met]
    metric = result.metric + (f" [{result.note}]" if result.note else "")
    return (metric, number(result.berth, result.unit), baseline,
            "-" if ratio is None else f"{ratio:.2f}", result.target or "-", met)


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in [HEADERS, *rows]) for i in range(len(HEADERS))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(HEADERS), rule, *(line(r) for r in rows)])


def run(selected: list[str]) -> tuple[list[tuple[str, Result]], list[str]]:
    """Run the benchmarks of the selected areas; return (area, result) pairs and failures."""
    results: list[tuple[str, Result]] = []
    failures: list[str] = []
    for area in selected:
        try:
            module = importlib.import_module(f"tests.benchmarks.bench_{area}")
            benchmarks = list(module.BENCHMARKS)
        except Exception:
            failures.append(f"{area}: cannot load bench_{area}.py\n{traceback.format_exc()}")
            continue
        for fn in benchmarks:
            name = f"{area}.{fn.__name__}"
            print(f"running {name} ...", file=sys.stderr, flush=True)
            t = time.perf_counter()
            try:
                got = fn()
            except Exception:
                failures.append(f"{name} failed:\n{traceback.format_exc()}")
                results.append((area, Result(f"{name} FAILED", math.nan, None, "", "", met=False)))
                continue
            print(f"  done in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
            results.extend((area, r) for r in got)
    return results, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("areas", nargs="*", help=f"areas to run (default: all of {', '.join(areas())})")
    parser.add_argument("--list", action="store_true", help="list the areas and exit")
    parser.add_argument("--json", metavar="PATH", help="also write the results to PATH as JSON")
    args = parser.parse_args(argv)
    known = areas()
    if args.list:
        print("\n".join(known))
        return 0
    unknown = [a for a in args.areas if a not in known]
    if unknown:
        parser.error(f"unknown area(s) {', '.join(unknown)}; there are: {', '.join(known)}")
    selected = args.areas or known

    results, failures = run(selected)
    print(f"Berth benchmarks: {', '.join(selected)} (Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}, {time.strftime('%Y-%m-%d %H:%M:%S')})")
    print(table([row(r) for _, r in results]))
    for failure in failures:
        print("\n" + failure.rstrip(), file=sys.stderr)
    if args.json:
        data = [{"area": area, **dataclasses.asdict(r), "ratio": r.ratio} for area, r in results]
        Path(args.json).write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
