"""Shared test set-up: a real Docker engine (from scripts/testbed.sh), clean-up of
everything a test creates on it, and a runner for ``async def`` tests."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import subprocess
import uuid

import pytest

#: One id per test run (kept in the environment so every import of this module agrees).
RUN_ID = os.environ.setdefault("BERTH_TEST_RUN_ID", uuid.uuid4().hex[:8])
#: Label put on every container a test creates; clean-up removes by it.
TEST_LABEL = "io.berth.test"
NAME_PREFIX = f"berth-t{RUN_ID}"

REGISTRY = os.environ.get("BERTH_REGISTRY", "127.0.0.1:5000")
REGISTRY_USER = os.environ.get("BERTH_REGISTRY_USER", "berth")
REGISTRY_PASSWORD = os.environ.get("BERTH_REGISTRY_PASSWORD", "berth-test-password")
WHALESAY = "docker/whalesay:latest"
HTTPD = "httpd:latest"


def docker(*args: str, check: bool = True, input: bytes | None = None, env: dict | None = None,
           timeout: float = 120) -> str:
    """Run the docker CLI; return its stdout (text)."""
    res = subprocess.run(["docker", *args], check=False, capture_output=True, input=input, timeout=timeout,
                         env={**os.environ, **(env or {})})
    if check and res.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed ({res.returncode}): "
                             f"{res.stderr.decode(errors='replace')}")
    return res.stdout.decode("utf-8", errors="replace")


def docker_json(*args: str) -> list | dict:
    return json.loads(docker(*args))


# -- markers -------------------------------------------------------------------------
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures:
            item.add_marker(pytest.mark.gui)
        if {"engine", "cleanup", "docker_engine"} & set(fixtures):
            item.add_marker(pytest.mark.engine)


# -- async tests -----------------------------------------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    """Run ``async def`` tests in a fresh event loop (engine-layer tests have no Qt)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        kwargs = {n: pyfuncitem.funcargs[n] for n in names}
        asyncio.run(pyfuncitem.obj(**kwargs))
        return True
    return None


# -- the engine -------------------------------------------------------------------
_ENGINE_USED = False  # set once a test used the engine; the final check runs only then


@pytest.fixture(scope="session")
def docker_engine() -> None:
    """The real engine must answer: a missing engine fails the tests, it does not skip them."""
    global _ENGINE_USED
    _ENGINE_USED = True
    res = subprocess.run(["docker", "version", "-f", "{{.Server.Version}}"], check=False, capture_output=True,
                         timeout=30)
    if res.returncode != 0:
        pytest.fail("No Docker engine answers; start the test bed with `bash scripts/testbed.sh`:\n"
                    + res.stderr.decode(errors="replace"), pytrace=False)


@pytest.fixture
def isolated_credentials(tmp_path, monkeypatch):
    """The test reads and writes no Docker config or keyring of the user's:
    ``DOCKER_CONFIG`` is an empty folder (returned) and the keyring a plain-text file
    keyring in a temporary data folder, chosen through ``PYTHON_KEYRING_BACKEND`` the way
    a user would choose one."""
    import keyring
    import keyring.core

    home = tmp_path / "credentials"
    (home / "data").mkdir(parents=True)
    cfg = home / "docker"
    cfg.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(cfg))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    previous = keyring.get_keyring()
    keyring.core.init_backend()
    yield cfg
    keyring.set_keyring(previous)


@pytest.fixture
def engine(docker_engine, cleanup):
    """A fresh Engine on the default connection, closed after the test."""
    from desktop.engine.client import Engine

    eng = Engine()
    yield eng
    asyncio.run(eng.close())


class Cleanup:
    """What a test made on the engine; removed after the test whatever happened."""

    def __init__(self) -> None:
        self.containers: list[str] = []
        self.images: list[str] = []
        self.volumes: list[str] = []
        self._n = 0

    def name(self, hint: str = "c") -> str:
        """A unique container name that clean-up will remove."""
        self._n += 1
        name = f"{NAME_PREFIX}-{hint}-{self._n}"
        self.containers.append(name)
        return name

    def container(self, ident: str) -> str:
        self.containers.append(ident)
        return ident

    def image(self, ref: str) -> str:
        self.images.append(ref)
        return ref

    def volume(self, name: str) -> str:
        self.volumes.append(name)
        return name

    def run(self, *args: str) -> str:
        """``docker run -d --label ... ARGS``; returns the new container's id."""
        return docker("run", "-d", *self.label_args(), *args).strip()

    def label_args(self) -> list[str]:
        return ["--label", f"{TEST_LABEL}={RUN_ID}"]

    def sweep(self) -> None:
        ids = docker("ps", "-aq", "--filter", f"label={TEST_LABEL}={RUN_ID}").split()
        ids += docker("ps", "-aq", "--filter", f"name=^/{NAME_PREFIX}").split()
        targets = list(dict.fromkeys(ids + self.containers))
        if targets:
            docker("rm", "-f", "-v", *targets, check=False)
        if self.images:
            docker("rmi", "-f", *self.images, check=False)
        if self.volumes:
            docker("volume", "rm", "-f", *self.volumes, check=False)


@pytest.fixture
def cleanup(docker_engine):
    c = Cleanup()
    yield c
    c.sweep()


@pytest.fixture(scope="session", autouse=True)
def nothing_left_behind(request):
    """After the run, no container of this run may remain on the engine."""
    yield
    if not _ENGINE_USED:
        return
    res = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={TEST_LABEL}={RUN_ID}"],
                         check=False, capture_output=True, text=True)
    left = res.stdout.split()
    res = subprocess.run(["docker", "ps", "-aq", "--filter", f"name=^/{NAME_PREFIX}"],
                         check=False, capture_output=True, text=True)
    left += res.stdout.split()
    if left:
        subprocess.run(["docker", "rm", "-f", *set(left)], check=False, capture_output=True)
        pytest.fail(f"tests left containers behind: {sorted(set(left))}", pytrace=False)


class PrivateEngine:
    """A second, private dockerd on its own socket and data root, for tests that stop
    and restart the engine without disturbing the test bed's engine."""

    def __init__(self, root) -> None:
        self.root = root
        self.sock = root / "docker.sock"
        self.host = f"unix://{self.sock}"
        self.bridge = f"berthp{uuid.uuid4().hex[:8]}"  # at most 15 characters
        self.proc: subprocess.Popen | None = None

    def docker(self, *args: str, check: bool = True) -> str:
        return docker("-H", self.host, *args, check=check)

    def up(self) -> bool:
        return subprocess.run(["docker", "-H", self.host, "version"], check=False, capture_output=True).returncode == 0

    def start(self, timeout: float = 30) -> None:
        import time

        # A bridge of its own: with ``--bridge none`` dockerd deletes the host's docker0,
        # which cuts every new container of the test bed's engine off its network.
        subprocess.run(["ip", "link", "add", self.bridge, "type", "bridge"], check=False, capture_output=True)
        with open(self.root / "dockerd.log", "ab") as out:  # dockerd keeps its own copy
            self.proc = subprocess.Popen(
                ["dockerd", "--host", self.host, "--data-root", str(self.root / "data"),
                 "--exec-root", str(self.root / "exec"), "--pidfile", str(self.root / "docker.pid"),
                 "--bridge", self.bridge, "--iptables=false", "--ip-masq=false"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.up():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the private dockerd did not start:\n"
                                     + (self.root / "dockerd.log").read_text(errors="replace")[-2000:])
            time.sleep(0.2)

    def stop(self, timeout: float = 30) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None
        subprocess.run(["ip", "link", "del", self.bridge], check=False, capture_output=True)


@pytest.fixture
def private_engine(docker_engine, tmp_path_factory):
    """A private dockerd with the whalesay fixture loaded; stopped and deleted afterwards."""
    import shutil

    root = tmp_path_factory.mktemp("dockerd", numbered=True)
    eng = PrivateEngine(root)
    eng.start()
    try:
        saved = subprocess.run(["docker", "save", WHALESAY], capture_output=True, check=True).stdout
        subprocess.run(["docker", "-H", eng.host, "load"], input=saved, capture_output=True, check=True)
        yield eng
    finally:
        try:
            if eng.up():
                ids = eng.docker("ps", "-aq", check=False).split()
                if ids:
                    eng.docker("rm", "-f", *ids, check=False)
        finally:  # a removal that timed out must not leave the engine running
            eng.stop()
            shutil.rmtree(root, ignore_errors=True)
