"""The frozen app's entry point: what the ``berth`` gui-script runs (``desktop.app:run``)."""

import sys

from desktop.app import run

sys.exit(run())
