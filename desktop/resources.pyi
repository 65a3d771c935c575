# The types of desktop.resources, for mypy. The package itself is the top-level
# resources/ folder, installed under this name (pyproject.toml's package-dir), a
# mapping mypy does not follow from a checkout. tests/test_resources_stub.py keeps
# this in step with resources/__init__.py.
from pathlib import Path

def read_bytes(name: str) -> bytes: ...
def path(name: str) -> Path: ...
