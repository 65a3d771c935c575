#!/usr/bin/env bash
# Install Berth from this checkout into .venv and start it.
#
# On Debian as root it also installs the system libraries Qt needs and, when no
# Docker engine answers, starts the test bed (a local engine with sample images and
# a registry) so that a newcomer sees a working window. Arguments go to berth.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .

engine_answers() {
    .venv/bin/python - <<'PY' >/dev/null 2>&1
import docker
docker.from_env(timeout=5).ping()
PY
}
if ! engine_answers; then
    if [ "$(id -u)" = 0 ] && [ -z "${BERTH_NO_TESTBED:-}" ]; then
        echo "No Docker engine answers; starting a local one with sample images (scripts/testbed.sh)."
        bash scripts/testbed.sh
    else
        echo "No Docker engine answers. Berth will start anyway and connect when one does." >&2
        echo "(Start Docker, or run 'sudo bash scripts/testbed.sh' for a local test engine.)" >&2
    fi
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "No display found: starting Berth on a virtual screen (Xvfb)." >&2
    exec xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/berth "$@"
fi
exec .venv/bin/berth "$@"
