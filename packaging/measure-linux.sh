#!/usr/bin/env bash
# Size of the Linux bundle and its start time to a filled containers table.
#
#   bash packaging/measure-linux.sh [RUNS]      (default 7 runs of each kind)
#
# Measures dist/berth/ (build it first: bash packaging/build-linux.sh) against the
# running engine, offscreen. Each run is `berth --exit-when-loaded`: from the process
# start until it exits after the first container list is in the table (so it includes
# shutting down). "cold" runs drop the page cache first (root only; otherwise they are
# skipped), "warm" runs follow each other. Prints every run and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
BERTH=dist/berth/berth
[ -x "$BERTH" ] || { echo "no $BERTH (bash packaging/build-linux.sh)" >&2; exit 1; }
timeout 10 docker version >/dev/null 2>&1 || { echo "no Docker engine answers" >&2; exit 1; }

echo "bundle: $(du -sb dist/berth | awk '{ printf "%.1f MB", $1 / 1e6 }') unpacked ($(du -sh dist/berth | cut -f1)iB by du -sh), $(find dist/berth -type f | wc -l) files"
for f in dist/berth_*.deb dist/berth-*-linux-*.tar.gz; do
    [ -f "$f" ] && echo "$(basename "$f"): $(du -b "$f" | awk '{ printf "%.1f MB", $1 / 1e6 }')"
done
echo "containers on the engine: $(docker ps -aq | wc -l); machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$BERTH" "$RUNS" <<'EOF'
import os, statistics, subprocess, sys, tempfile, time

berth, runs = sys.argv[1], int(sys.argv[2])
home = tempfile.mkdtemp(prefix="berth-measure-")
env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": home, "XDG_CONFIG_HOME": home + "/.config"}
can_drop = os.geteuid() == 0 and os.access("/proc/sys/vm/drop_caches", os.W_OK)


def once(cold: bool) -> float:
    if cold:
        subprocess.run(["sync"], check=True)
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    start = time.perf_counter()
    res = subprocess.run([berth, "--exit-when-loaded", "--load-timeout", "60"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    took = time.perf_counter() - start
    if res.returncode != 0:
        sys.exit(f"berth --exit-when-loaded exited with {res.returncode}")
    return took


once(False)  # not counted: the first run after a build also warms the engine's caches
for kind in ("cold", "warm"):
    if kind == "cold" and not can_drop:
        print("cold: skipped (dropping the page cache needs root)")
        continue
    times = [once(kind == "cold") for _ in range(runs)]
    print(f"{kind}: median {statistics.median(times):.2f} s over {runs} runs "
          f"(min {min(times):.2f}, max {max(times):.2f}): {' '.join(f'{t:.2f}' for t in times)}")
EOF
