"""Nothing runs on asyncio's default executor: every blocking call goes to the
workers the Engine owns (and shuts down in ``close()``), or to a thread of its own.

The default executor is shared by the whole process, is not shut down with the
connection, and once its few threads are all held (a keychain waiting for the user)
every other ``to_thread`` waits behind them.
"""

from __future__ import annotations

import ast
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import desktop
from desktop.engine.client import Engine
from desktop.engine.credentials import Credential, CredentialStore

DESKTOP_DIR = Path(desktop.__file__).parent
REGISTRY = "127.0.0.1:5999"


class RefusingExecutor(ThreadPoolExecutor):
    """A default executor that fails any work handed to it."""

    def submit(self, fn, /, *args, **kwargs):
        raise AssertionError(f"the default executor was asked to run {fn!r}")


async def test_a_saved_login_is_looked_up_on_the_engines_own_workers(docker_config):
    store = CredentialStore()
    store.save(Credential(REGISTRY, "berth", "s3cret"))  # the test's plain-text keyring
    asyncio.get_running_loop().set_default_executor(RefusingExecutor())
    eng = Engine(credentials=store)
    seen: list[str] = []
    get = store.get

    def recording_get(registry: str) -> Credential | None:
        seen.append(threading.current_thread().name)
        return get(registry)

    store.get = recording_get
    try:
        assert await eng.credential(REGISTRY) == Credential(REGISTRY, "berth", "s3cret")
        assert await eng.credential("127.0.0.1:5998") is None
    finally:
        await eng.close()
    # the workers for slow calls: a keychain prompt holds up no list or event
    assert len(seen) == 2 and all(name.startswith("berth-engine-slow") for name in seen), seen


def default_executor_uses(source: str) -> list[int]:
    """Lines that call ``asyncio.to_thread`` or ``run_in_executor(None, ...)``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        no_executor = not node.args or (isinstance(node.args[0], ast.Constant) and node.args[0].value is None)
        if name == "to_thread" or (name == "run_in_executor" and no_executor):
            lines.append(node.lineno)
    return lines


def test_nothing_in_the_application_uses_the_default_executor():
    files = sorted(DESKTOP_DIR.rglob("*.py"))
    assert len(files) > 20
    offenders = [f"{p.relative_to(DESKTOP_DIR.parent)}:{line}"
                 for p in files for line in default_executor_uses(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_rule_finds_each_way_to_the_default_executor():
    source = """
cred = await asyncio.to_thread(store.get, registry)
out = await loop.run_in_executor(None, work)
ok = await loop.run_in_executor(self._executor, work)
"""
    assert default_executor_uses(source) == [2, 3]
