"""What the operating system gives an app started from a desktop shell, and what it lacks.

A macOS app started from the Finder, the Dock or Spotlight gets launchd's minimal
PATH (``/usr/bin:/bin:/usr/sbin:/sbin``), not the login shell's. The docker SDK
finds credential helpers (``docker-credential-osxkeychain``,
``docker-credential-desktop``) with ``shutil.which`` on that PATH, so logging in to a
registry would fail where the CLI succeeds. :func:`prepare_environment` adds the
directories Homebrew and Docker Desktop install them into; the app calls it once at
start-up, before it creates an engine or a credential store.

A Linux build made with PyInstaller has the opposite problem: its bootloader puts
the bundle's own library folder first on ``LD_LIBRARY_PATH`` (keeping the user's
value in ``LD_LIBRARY_PATH_ORIG``), and every child process would inherit it, so a
credential helper such as ``docker-credential-secretservice`` could load the
bundle's copy of a system library instead of its own. The running process is not
affected by changing the variable (the dynamic loader reads it once, at start), so
:func:`prepare_environment` restores the user's value for the children.

A library the app may never use still costs memory once imported: the docker SDK
imports paramiko for its own ssh transport, and paramiko brings cryptography, PyNaCl,
bcrypt and invoke (with unittest and a YAML parser): 15 MiB of a window with 100
containers, and 90 ms of start-up. :func:`defer_import` puts off such an import until a
name of the module is used.

Qt-free, like the rest of the engine layer.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
import types
from collections.abc import MutableMapping, Sequence

#: Where macOS puts the docker CLI and its credential helpers, in the order searched
#: after the inherited PATH: Docker Desktop's and Homebrew's links (Intel, then Apple
#: silicon), then Docker Desktop's own copies inside the app bundle.
MACOS_TOOL_DIRS = (
    "/usr/local/bin",
    "/opt/homebrew/bin",
    "/Applications/Docker.app/Contents/Resources/bin",
)


def extra_path_dirs(platform: str | None = None) -> tuple[str, ...]:
    """The directories to add to PATH on ``platform`` (default: this one)."""
    platform = sys.platform if platform is None else platform
    if platform == "darwin":
        return MACOS_TOOL_DIRS
    return ()


def extend_path(path: str, dirs: Sequence[str], sep: str = os.pathsep) -> str:
    """``path`` with each of ``dirs`` that it lacks appended, in order.

    Directories already present keep their place, so a user's own PATH order (say
    Homebrew before /usr/local) wins; empty entries are not added.
    """
    entries = path.split(sep) if path else []
    return sep.join(entries + missing_dirs(path, dirs, sep))


def missing_dirs(path: str, dirs: Sequence[str], sep: str = os.pathsep) -> list[str]:
    """The entries of ``dirs`` that ``path`` lacks, each once, in order."""
    present = {os.path.normpath(p) for p in path.split(sep) if p}
    out = []
    for d in dirs:
        if d and os.path.normpath(d) not in present:
            out.append(d)
            present.add(os.path.normpath(d))
    return out


def prepare_environment(environ: MutableMapping[str, str] | None = None,
                        platform: str | None = None, frozen: bool | None = None) -> list[str]:
    """Make ``environ`` (default ``os.environ``) fit for running the docker tools.

    Returns the directories that were added to PATH (empty when nothing changed).
    Directories are added whether or not they exist yet: Docker Desktop may be
    installed while Berth runs. ``frozen`` (default: whether this is a PyInstaller
    bundle) says whether to undo the bootloader's library path for child processes.
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    frozen = is_frozen() if frozen is None else frozen
    if frozen and platform.startswith("linux"):
        restore_library_path(env)
    dirs = extra_path_dirs(platform)
    if not dirs:
        return []
    before = env.get("PATH", "")
    added = missing_dirs(before, dirs)
    if added:
        env["PATH"] = extend_path(before, added)
    return added


def restore_library_path(env: MutableMapping[str, str], key: str = "LD_LIBRARY_PATH") -> None:
    """Give ``env`` back the library path it had before the PyInstaller bootloader ran.

    Idempotent: the bootloader's ``_ORIG`` copy is kept, so a second call changes nothing.
    """
    original = env.get(key + "_ORIG")
    if original is not None:
        env[key] = original
    else:
        env.pop(key, None)


def is_frozen() -> bool:
    """True when running from a PyInstaller bundle rather than from Python."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


#: Dunder names a stand-in answers for the real module (the import system asks a
#: package for its ``__path__``, ``from m import *`` asks for ``__all__``). Every other
#: dunder name is a question about the stand-in itself (``inspect`` asks for
#: ``__wrapped__`` and ``__file__``; PySide asks the source of every module imported
#: after it) and is answered "not there" without importing anything.
_DEFERRED_DUNDERS = frozenset({"__path__", "__all__", "__version__"})
_deferred_lock = threading.RLock()


class DeferredModule(types.ModuleType):
    """Stands in for a module in ``sys.modules`` until one of its names is used; then
    imports the real module, which takes the stand-in's place. It has no names of its
    own (but the dunder names every module has), so none hides one of the real module."""

    def __getattr__(self, name: str) -> object:
        if name.startswith("__") and name.endswith("__") and name not in _DEFERRED_DUNDERS:
            raise AttributeError(name)
        return getattr(_import_for(self), name)


def _import_for(stand_in: DeferredModule) -> types.ModuleType:
    """The real module ``stand_in`` stands for, imported now if it was not yet."""
    with _deferred_lock:  # two threads using it at once import it once
        name = stand_in.__name__
        current = sys.modules.get(name)
        if current is not None and current is not stand_in:
            return current
        sys.modules.pop(name, None)
        try:
            return importlib.import_module(name)
        except BaseException:
            sys.modules.setdefault(name, stand_in)  # the next use fails the same way
            raise


def defer_import(name: str) -> bool:
    """Let ``import name`` give a :class:`DeferredModule` until a name of the module is
    used. Returns whether it did: not when the module is imported already, or is not
    installed (an import then fails as it would have)."""
    if name in sys.modules:
        return False
    try:
        if importlib.util.find_spec(name) is None:
            return False
    except (ImportError, ValueError):
        return False
    sys.modules[name] = DeferredModule(name)
    return True
