"""Operations: the one life of an engine call started from the UI (busy, done, refused,
failed, cancelled, superseded, run again after a login)."""

from __future__ import annotations

import asyncio

import pytest

from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.ui.common import operations
from desktop.ui.common.operations import Operations
from tests.conftest import REGISTRY


class Owner:
    """Stands for a dialog: records what its operations told it."""

    def __init__(self) -> None:
        self.ops = Operations(self)
        self.busy: list[bool] = []
        self.done: list[object] = []
        self.refused: list[EngineError] = []
        self.failed: list[BaseException] = []

    def run(self, name: str, work, **kw) -> operations.Operation:
        return self.ops.run(name, work, context="Testing", busy=self.busy.append, done=self.done.append,
                            refused=self.refused.append, failed=self.failed.append, **kw)


@pytest.fixture
def engine(docker_engine):
    eng = Engine()
    yield eng
    eng.reset_connection()


def test_busy_while_running_then_done_with_the_result(qtbot, qloop, route, engine):
    owner = Owner()
    op = owner.run("version", engine.connect)
    assert op.running
    qtbot.waitUntil(lambda: bool(owner.done), timeout=10000)
    assert owner.busy == [True, False]
    assert owner.done[0].api_version  # the engine's answer reached the owner
    assert not owner.refused and not owner.failed and not route.history
    assert not op.running


def test_an_engine_refusal_goes_to_the_owner_not_the_error_route(qtbot, qloop, route, engine):
    owner = Owner()
    owner.run("remove", lambda: engine.remove("berth-no-such-container-here"))
    qtbot.waitUntil(lambda: bool(owner.refused), timeout=10000)
    assert owner.refused[0].kind is ErrorKind.NOT_FOUND
    assert owner.busy == [True, False]
    assert not owner.done and not owner.failed
    assert route.history == []


def test_a_refusal_without_a_handler_reaches_the_error_route(qtbot, qloop, route, engine):
    ops = Operations(object())
    ops.run("remove", lambda: engine.remove("berth-no-such-container-here"), context="Removing it")
    qtbot.waitUntil(lambda: bool(route.history), timeout=10000)
    assert route.history[0].message.startswith("Removing it: ")
    assert route.history[0].kind is ErrorKind.NOT_FOUND


def test_a_failure_is_shown_by_the_owner_and_reported(qtbot, qloop, route):
    owner = Owner()

    async def broken() -> None:
        raise ValueError("the value is wrong")
    owner.run("broken", broken)
    qtbot.waitUntil(lambda: bool(owner.failed), timeout=5000)
    assert isinstance(owner.failed[0], ValueError)
    assert owner.busy == [True, False]
    assert [s.message for s in route.history] == ["Testing: the value is wrong"]


def test_cancel_ends_busy_and_reports_nothing(qtbot, qloop, route):
    owner = Owner()
    op = owner.run("sleep", lambda: asyncio.sleep(30))
    qtbot.waitUntil(lambda: owner.busy == [True], timeout=5000)
    owner.ops.cancel("sleep")
    qtbot.waitUntil(lambda: not op.running, timeout=5000)
    assert owner.busy[-1] is False
    assert not owner.done and not owner.failed and not owner.refused
    assert route.history == []


def test_a_new_run_supersedes_the_old_and_keeps_busy(qtbot, qloop, route):
    owner = Owner()
    first = owner.run("work", lambda: asyncio.sleep(30))
    qtbot.waitUntil(lambda: owner.busy == [True], timeout=5000)
    release = asyncio.Event()

    async def second_work() -> str:
        await release.wait()
        return "second"
    second = owner.run("work", second_work)
    qtbot.waitUntil(lambda: not first.running, timeout=5000)
    qtbot.wait(50)
    assert second.running
    assert owner.busy[-1] is True  # the old run's end did not clear the new run's busy state
    release.set()
    qtbot.waitUntil(lambda: owner.done == ["second"], timeout=5000)
    assert owner.busy[-1] is False
    assert route.history == []


def test_an_operation_waiting_for_a_login_runs_again_after_it(qtbot, qloop, route):
    owner = Owner()
    calls: list[int] = []

    async def work() -> int:
        calls.append(1)
        return len(calls)
    op = owner.run("pull", work)
    qtbot.waitUntil(lambda: owner.done == [1], timeout=5000)
    op.wait_for_login(REGISTRY)
    assert operations.logged_in("other.example:5000") == 0  # another registry: nothing runs
    assert operations.logged_in(REGISTRY) == 1
    qtbot.waitUntil(lambda: owner.done == [1, 2], timeout=5000)
    assert operations.logged_in(REGISTRY) == 0  # once: it waits no longer
