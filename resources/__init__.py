"""Berth's data files (icons, styles), installed as the package ``desktop.resources``.

Read them with :func:`desktop.resources.path` or ``importlib.resources.files``, so that
a checkout, an installed wheel and a frozen bundle all find them.
"""

from importlib.resources import as_file, files
from pathlib import Path


def read_bytes(name: str) -> bytes:
    return files(__name__).joinpath(name).read_bytes()


def path(name: str) -> Path:
    """A real file path for ``name`` (valid while the process runs)."""
    with as_file(files(__name__).joinpath(name)) as p:
        return Path(p)
