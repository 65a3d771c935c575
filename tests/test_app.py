"""The entry point as a user starts it: ``python -m desktop`` in a process of its own,
against the real engine, with settings and Docker config kept in temporary folders."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from desktop import app
from tests.conftest import WHALESAY, docker


@pytest.fixture
def user_env(tmp_path):
    """The environment of a user whose settings and Docker config are fresh."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "DOCKER_CONFIG": str(tmp_path / "docker"), "PYTHONUNBUFFERED": "1"}
    env.pop("DOCKER_HOST", None)
    (tmp_path / "docker").mkdir()
    return env


def berth(*args: str, env: dict, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "desktop", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_version(user_env):
    res = subprocess.run([sys.executable, "-m", "desktop", "--version"], env=user_env, check=False, capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0 and re.fullmatch(r"Berth \d+\.\d+\.\d+\S*\n", res.stdout)


def test_starts_lists_every_container_and_exits_when_loaded(user_env, docker_engine, cleanup):
    cleanup.run("--name", cleanup.name("app"), WHALESAY, "true")
    before = len(docker("ps", "-aq").split())
    proc = berth("--exit-when-loaded", env=user_env)
    out, err = proc.communicate(timeout=90)
    after = len(docker("ps", "-aq").split())
    assert proc.returncode == 0, err
    loaded = re.fullmatch(r"berth: loaded (\d+) containers from unix://\S+\n", out)
    assert loaded, (out, err)
    assert int(loaded.group(1)) in (before, after) and before >= 1  # as many as docker ps -a
    assert "Traceback" not in err


def test_an_engine_that_does_not_answer_is_said_in_plain_words(user_env, tmp_path):
    env = {**user_env, "DOCKER_HOST": f"unix://{tmp_path}/nothing.sock"}
    proc = berth("--exit-when-loaded", "--load-timeout", "3", env=env)
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 1  # never loaded, and said so without a traceback
    assert "Traceback" not in err and "loaded" not in out


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "term"])
def test_a_signal_ends_berth_at_once_and_keeps_its_settings(user_env, docker_engine, tmp_path, sig, status):
    """Ctrl+C in the terminal, or the session ending (SIGTERM): Berth shuts down as when
    its window closes, settings saved, at once."""
    proc = berth("--debug", env=user_env)
    try:
        # wait for the window to have loaded (the debug log says so)
        deadline = time.monotonic() + 60
        seen = ""
        fd = proc.stderr.fileno()  # read unbuffered: select() must see what is still to come
        while not re.search(r"berth\.ui: loaded \d+ containers from", seen):
            left = deadline - time.monotonic()
            assert left > 0 and select.select([fd], [], [], left)[0], f"not loaded: {seen}"
            data = os.read(fd, 65536)
            assert data, f"berth ended early: {seen}"
            seen += data.decode(errors="replace")
        time.sleep(1.0)  # idle: nothing but the signal can wake the loop now
        t = time.monotonic()
        proc.send_signal(sig)
        proc.wait(timeout=20)
        took = time.monotonic() - t
        rest = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == status
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest
    assert took < 10, took  # generous: a busy machine; an unwoken loop would wait forever
    saved = list((tmp_path / "config").rglob("*.conf"))
    assert saved and "geometry" in saved[0].read_text(), saved


def test_modules_first_used_later_are_imported_one_per_turn_then_settled(caplog, monkeypatch):
    modules = ("colorsys", "desktop.no_such_module", "graphlib")
    for name in modules:
        monkeypatch.delitem(sys.modules, name, raising=False)
    done: list[str] = []
    steps: list = []
    app.preload(modules, lambda _ms, step: steps.append(step), lambda: done.append("done"))
    imported = []
    while steps:
        assert not done
        steps.pop(0)()
        imported.append([m for m in modules if m in sys.modules])
    # one module per turn of the loop; the one that fails is logged and the rest go on
    assert imported == [["colorsys"], ["colorsys"], ["colorsys", "graphlib"], ["colorsys", "graphlib"]]
    assert done == ["done"]
    assert "desktop.no_such_module" in caplog.text


def test_the_modules_imported_later_exist():
    import importlib.util

    assert all(importlib.util.find_spec(name) is not None for name in app.LATER_MODULES)


#: Run in a process of its own: Berth's main(), and QApplication.quit() called from a
#: timer once the window has loaded, as the macOS Dock or a session manager would ask.
#: Anything the error route shows is written to stderr, where the test looks for it.
QUIT_FROM_OUTSIDE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop import app
from desktop.ui.common import errors
from desktop.ui.shell.window import MainWindow

qapp = QApplication(sys.argv)
errors.get_route().shown.connect(lambda shown: print("error route:", shown, file=sys.stderr))
start = MainWindow.start

def start_then_quit(window):
    window.loaded.connect(lambda: QTimer.singleShot(500, QApplication.quit))
    start(window)

MainWindow.start = start_then_quit
sys.exit(app.main(["berth"]))
"""

#: What Qt's offscreen platform (the tests' display) writes for every window; not Berth's.
OFFSCREEN_NOTE = "This plugin does not support propagateSizeHints()"


def test_quit_asked_from_outside_the_window_shuts_down_as_closing_it(user_env, docker_engine, tmp_path):
    """``QApplication.quit()`` (the Dock's Quit, a session manager) stops Qt's loop under
    Berth's shutdown unless Berth takes the request: then settings were lost and the
    shutdown raised "no running event loop"."""
    proc = subprocess.run([sys.executable, "-c", QUIT_FROM_OUTSIDE], env=user_env, check=False, capture_output=True,
                          text=True, timeout=90)
    err = [line for line in proc.stderr.splitlines() if line.strip() != OFFSCREEN_NOTE]
    assert proc.returncode == 0 and not err, proc.stderr
    saved = list((tmp_path / "config").rglob("*.conf"))
    assert saved and "geometry" in saved[0].read_text(), saved


#: What the docker SDK imports for an ssh transport Berth does not use.
SSH_LIBRARIES = ("paramiko", "cryptography", "nacl", "bcrypt", "invoke")


def run_python(code: str, env: dict, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, check=False, capture_output=True,
                          text=True, timeout=timeout)


def test_berth_loads_its_window_without_the_ssh_library(user_env, docker_engine):
    res = run_python(f"""
        import sys
        from desktop import app
        status = app.main(["berth", "--exit-when-loaded"])
        print(status, sorted(m for m in sys.modules if m.split(".")[0] in {SSH_LIBRARIES!r}
                             and type(sys.modules[m]).__name__ != "DeferredModule"))
    """, user_env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1] == "0 []", res.stdout


def test_an_ssh_engine_goes_through_the_ssh_client_without_the_ssh_library(user_env, docker_engine):
    """As the app starts: the ssh library put off, PySide imported, then the engine."""
    res = run_python(f"""
        import asyncio, sys
        from desktop import app
        from desktop.engine import platform
        platform.defer_import("paramiko")
        import PySide6.QtCore
        app.keep_no_module_sources()
        from desktop.engine.client import Engine
        from desktop.engine.errors import EngineError

        async def connect():
            engine = Engine(host="ssh://nobody@127.0.0.1:1")
            try:
                await engine.connect()
            except EngineError as exc:
                return f"{{exc.kind.name}} {{exc.message}}"
            finally:
                await engine.close()
            return "connected to nothing"
        print(asyncio.run(connect()))
        print(sorted(m for m in sys.modules if m.split(".")[0] in {SSH_LIBRARIES!r}
                     and type(sys.modules[m]).__name__ != "DeferredModule"))
    """, user_env)
    assert res.returncode == 0, res.stderr
    said, loaded = res.stdout.splitlines()[-2:]
    assert said.startswith("UNREACHABLE ") and "ssh://nobody@127.0.0.1:1" in said, said
    assert loaded == "[]"


@pytest.mark.parametrize("berths_check", [True, False], ids=["berths-check", "pysides-own"])
def test_pyside_tells_which_modules_use_it_without_keeping_their_source(user_env, tmp_path, berths_check):
    """PySide asks each module imported after it whether its source mentions PySide6;
    with Berth's check the answers are the same and no source stays in memory."""
    (tmp_path / "mentions_qt.py").write_text("# built on PySide6\nVALUE = 1\n")
    (tmp_path / "plain.py").write_text("VALUE = 2\n")
    res = run_python(f"""
        import linecache, sys
        sys.path.insert(0, {str(tmp_path)!r})
        from desktop import app
        import PySide6.QtCore
        if {berths_check!r}:
            app.keep_no_module_sources()
        import mentions_qt, plain
        answers = sys.modules["__feature__"].pyside_feature_dict
        print(answers["mentions_qt"], answers["plain"])
        print(sorted(name for name in linecache.cache if name.startswith({str(tmp_path)!r})))
    """, user_env)
    assert res.returncode == 0, res.stderr
    answers, sources = res.stdout.splitlines()[-2:]
    assert answers == "0 -1"  # uses PySide: features apply; does not: ignored
    # PySide's own check keeps the source of both; Berth's keeps none
    expected = [] if berths_check else [str(tmp_path / "mentions_qt.py"), str(tmp_path / "plain.py")]
    assert sources == repr(expected)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heap")
def test_settling_gives_back_the_heap_that_start_up_freed(user_env):
    res = run_python("""
        from desktop import app

        def rss():
            with open("/proc/self/status") as f:
                return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        # 80 MB of blocks from the C heap (above the small-object allocator's 512 bytes),
        # all freed but the last, which keeps the heap from shrinking by itself
        blocks = [bytes(4000) for _ in range(20_000)]
        last = blocks[-1]
        del blocks
        before = rss()
        app.settle()
        print(before - rss())
    """, user_env)
    assert res.returncode == 0, res.stderr
    assert int(res.stdout.split()[-1]) > 50_000  # KiB given back
