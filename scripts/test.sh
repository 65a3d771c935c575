#!/usr/bin/env bash
# Run Berth's tests on Debian (as root): install what they need, start the test bed
# (a real Docker engine and a password-protected registry), check the code with ruff
# and mypy, then run pytest. A ruff or mypy finding fails the run before any test.
# Extra arguments go to pytest, e.g.  bash scripts/test.sh -m "not gui"
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/testbed.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
.venv/bin/ruff check desktop tests
.venv/bin/python -m mypy desktop
eval "$(bash scripts/testbed.sh --env)"
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
