"""Berth's entry point: ``berth`` and ``python -m desktop``."""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys
import time
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desktop import __version__, log

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="berth", description="A desktop app for Docker.")
    p.add_argument("--version", action="version", version=f"Berth {__version__}")
    p.add_argument("--debug", action="store_true", help="log debug messages to the terminal")
    p.add_argument("--host", "-H", help="engine URL (default: DOCKER_HOST, then the current Docker context)")
    p.add_argument("--context", "-c", help="Docker context to use")
    p.add_argument("--exit-when-loaded", action="store_true",
                   help="quit with status 0 once the containers table is filled (for smoke tests)")
    p.add_argument("--load-timeout", type=float, default=30.0, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run Berth; return the exit status. Reuses a QApplication that already exists."""
    started = time.monotonic()
    argv = list(sys.argv if argv is None else argv)
    args = parse_args(argv[1:])
    log.setup(args.debug)

    from desktop.engine import platform as engine_platform
    engine_platform.prepare_environment()
    # The docker SDK imports paramiko for an ssh transport Berth does not use (its
    # ssh:// goes through the ssh client): 15 MiB of cryptography, PyNaCl, bcrypt and
    # invoke, and 90 ms, put off until something uses a name of it.
    engine_platform.defer_import("paramiko")

    from PySide6.QtCore import QCoreApplication, QTimer
    keep_no_module_sources()
    import qasync
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from desktop import resources
    from desktop.engine.client import Engine
    from desktop.engine.errors import EngineError
    from desktop.ui.common import errors
    from desktop.ui.shell.window import MainWindow

    QCoreApplication.setOrganizationName("Berth")
    QCoreApplication.setApplicationName("Berth")
    QCoreApplication.setApplicationVersion(__version__)
    existing = QApplication.instance()  # typed as the QCoreApplication it may be
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    # Berth ends through its own shutdown (close streams, stop the executor), not by Qt
    # quitting the loop under it when the window closes.
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(QIcon(str(resources.path("berth.svg"))))
    from desktop.ui.common.palette import scheme

    scheme()  # light or dark as the system is, and follows it; hints in empty fields at 4.5:1
    if hasattr(app, "setDesktopFileName"):
        app.setDesktopFileName("io.berth.Berth")
    previous_hook = errors.install_excepthook()

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    status = 0
    previous_handlers: dict[signal.Signals, Any] = {}
    quit_filter: QObject | None = None
    try:
        try:
            engine = Engine(host=args.host, context=args.context)
        except EngineError as exc:
            print(f"berth: {exc.message}", file=sys.stderr)
            return 2
        except Exception as exc:  # a malformed URL, TLS files that are not there
            print(f"berth: cannot use that engine: {exc}", file=sys.stderr)
            return 2
        window = MainWindow(engine)
        closed = asyncio.Event()
        result = {"status": 0}

        def finish(code: int) -> None:
            result["status"] = code
            closed.set()

        window.destroyed.connect(lambda *_: closed.set())
        app.lastWindowClosed.connect(closed.set)
        quit_filter = _take_quit_requests(app, lambda: finish(0))
        if args.exit_when_loaded:
            def loaded() -> None:
                print(f"berth: loaded {window.containers_model.rowCount()} containers from {engine.host}",
                      flush=True)
                QTimer.singleShot(0, lambda: finish(0))
            window.loaded.connect(loaded)
            QTimer.singleShot(int(args.load_timeout * 1000), lambda: finish(1))
        # Ctrl+C in a terminal, or the session ending: shut down as when the window closes.
        for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
            previous_handlers[sig] = signal.signal(sig, lambda *_, code=code: finish(code))
        _wake_qt_on_signals(app)
        window.show()
        window.start()
        settle()

        def on_loaded() -> None:
            window.loaded.disconnect(on_loaded)  # once: switching engines loads again
            log.ui.info("loaded %d containers from %s in %.2f s", window.containers_model.rowCount(),
                        engine.host, time.monotonic() - started)
            # steps owned by the window: none runs once it is gone
            preload(LATER_MODULES, lambda ms, step: QTimer.singleShot(ms, window, step), settle)
        window.loaded.connect(on_loaded)

        async def run() -> int:
            await closed.wait()
            window.save_settings()
            await window.shutdown()
            window.hide()
            return result["status"]

        status = int(loop.run_until_complete(run()))  # qasync has no types: the int run() returns
    finally:
        if quit_filter is not None:
            app.removeEventFilter(quit_filter)
            quit_filter.deleteLater()
        sys.excepthook = previous_hook
        signal.set_wakeup_fd(-1)
        for sig, handler in previous_handlers.items():
            signal.signal(sig, handler)
        try:
            loop.close()
        except RuntimeError:
            pass
        asyncio.set_event_loop(None)
    return status


#: Modules first needed when the user opens a log, a dialog or the files panel. They
#: are imported once the window has loaded, one per turn of the loop: an import is a
#: stall of the window, better spent while the user looks at the lists than when they
#: click. With 100 containers, importing them on first use instead would stall the
#: first log opened by 27-45 ms and the first Run dialog by 17-20 ms, to keep 1.5 MiB
#: out of a window that has not opened them yet (the log viewer's import alone takes
#: 3 MiB when it comes).
LATER_MODULES = (
    "desktop.engine.logstream", "desktop.engine.archive", "desktop.ui.logs.model", "desktop.ui.logs.view",
    "desktop.ui.logs.toolbar", "desktop.ui.logs.search", "desktop.ui.logs.stream", "desktop.ui.logs.viewer",
    "desktop.ui.logs.tabs",
    "desktop.ui.containers.run_dialog", "desktop.ui.images.pull_dialog", "desktop.ui.registry.login_dialog",
    "desktop.ui.files.panel",
)


def keep_no_module_sources() -> None:
    """Let PySide tell whether a module uses it without keeping the module's source.

    Once PySide6 is imported, each module that an ``import`` statement names is asked
    whether its source mentions "PySide6" (for ``from __feature__ import ...``), through
    ``inspect.getsource``, which keeps every line of every such module in
    ``linecache``: 257 files, 10 MiB of a window with 100 containers, never given
    back. The same question asked of the file's bytes keeps nothing. Modules that are
    not ``.py`` files get PySide's own answer; a PySide without that check is left
    as it is.
    """
    feature = sys.modules.get("__feature__")
    check: Callable[[types.ModuleType], bool] | None = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or check is None or getattr(check, "keeps_no_source", False):
        return

    def uses_pyside(module: types.ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not (isinstance(path, str) and path.endswith(".py")):
            return check(module)
        try:
            with open(path, "rb") as f:
                return b"PySide6" in f.read()
        except OSError:  # as inspect.getsource: no readable source, no PySide
            return False

    uses_pyside.keeps_no_source = True  # type: ignore[attr-defined]
    vars(feature)["_mod_uses_pyside"] = uses_pyside  # a private name of PySide's, unknown to its stubs


def settle() -> None:
    """Keep what exists now (it lives as long as the window) out of the garbage
    collector's full passes, each of which is a stall of the GUI thread; give back
    what start-up freed."""
    gc.collect()
    gc.freeze()
    trim_heap()


def trim_heap() -> None:
    """Return the C heap's free pages to the system. glibc keeps memory freed in the
    middle of its heap (what imports and the first lists used for a moment): 1.5 MiB
    of a window with 100 containers, given back in 2 ms. Elsewhere (macOS, Windows,
    musl) there is no such call and nothing is done."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        malloc_trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, ImportError):
        return
    malloc_trim(0)


def preload(modules: tuple[str, ...], later: Callable[[int, Callable[[], None]], object],
            done: Callable[[], None] | None = None) -> None:
    """Import ``modules`` one per ``later(0, step)`` call; then call ``done``."""
    import importlib

    pending = [m for m in modules if m not in sys.modules]

    def step() -> None:
        if not pending:
            if done is not None:
                done()
            return
        name = pending.pop(0)
        try:
            importlib.import_module(name)
        except Exception:  # it will fail again, with a message, when it is used
            log.ui.exception("preloading %s", name)
        later(0, step)
    later(0, step)


def _take_quit_requests(app: QCoreApplication, close: Callable[[], None]) -> QObject:
    """Take the application's Quit request (``QApplication.quit()``: the macOS Dock, a
    session manager) and shut down as when the window closes. Left to Qt, Quit closes the
    window and exits the loop under Berth's shutdown, which then ran with no loop
    (``RuntimeError: no running event loop``) and never closed its streams. Returns the
    event filter, installed on ``app``; the caller removes it."""
    from PySide6.QtCore import QEvent, QObject

    class QuitAsClose(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if watched is app and event.type() == QEvent.Type.Quit:
                close()
                return True  # accepted: Berth quits, through its own shutdown
            return False

    quit_filter = QuitAsClose(app)
    app.installEventFilter(quit_filter)
    return quit_filter


def _wake_qt_on_signals(app: QCoreApplication) -> QSocketNotifier:
    """Python runs a signal handler only when Python code runs; an idle Qt loop runs
    none, so Ctrl+C would wait for the next timer. The signal's byte on a socket pair
    wakes the loop at once, at no cost while idle."""
    import socket

    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def drain() -> None:
        try:
            reader.recv(64)
        except OSError:
            pass
    notifier.activated.connect(drain)
    # kept alive with the app; setattr, as its stubs know no such attribute
    setattr(app, "_berth_signal_sockets", (reader, writer, notifier))  # noqa: B010
    return notifier


def run() -> None:
    """Console entry point."""
    sys.exit(main(sys.argv))
