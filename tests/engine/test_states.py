"""Container states as types: the words the engine sends, the one table of what each
state allows, and no state word left as a bare string in the UI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from desktop.engine.records import Container
from desktop.engine.states import Op, State, allowed, needs_force

ENGINE_WORDS = ("created", "running", "paused", "restarting", "removing", "exited", "dead")


@pytest.mark.parametrize("word", ENGINE_WORDS)
def test_every_word_of_the_engine_has_its_state(word):
    state = State.of(word)
    assert state is not State.UNKNOWN and state == word and f"{state}" == word
    assert State.of(word.upper()) is state


@pytest.mark.parametrize("word", ["", "frozen", "Up 3 seconds", "unknown"])
def test_any_other_word_is_unknown(word):
    assert State.of(word) is State.UNKNOWN


def test_a_record_holds_a_state_whichever_way_it_was_made():
    listed = Container.from_api({"Id": "a" * 64, "State": "paused", "Status": "Up 1 second (Paused)"})
    assert listed.state is State.PAUSED and listed.paused and not listed.running
    by_hand = Container(id="b" * 64, names=("/x",), image="", image_id="", command="", created=0,
                        state="restarting", status="Restarting (1) 2 seconds ago")  # type: ignore[arg-type]
    assert by_hand.state is State.RESTARTING and by_hand.running
    odd = Container.from_api({"Id": "c" * 64, "State": "hibernating"})
    assert odd.state is State.UNKNOWN and not odd.running and not odd.paused


EXPECTED = {
    State.CREATED: {Op.START, Op.RESTART, Op.REMOVE, Op.FORCE_REMOVE, Op.RENAME, Op.LOGS},
    State.EXITED: {Op.START, Op.RESTART, Op.REMOVE, Op.FORCE_REMOVE, Op.RENAME, Op.LOGS},
    State.RUNNING: {Op.STOP, Op.RESTART, Op.PAUSE, Op.KILL, Op.FORCE_REMOVE, Op.RENAME, Op.LOGS, Op.EXEC},
    State.PAUSED: {Op.STOP, Op.RESTART, Op.UNPAUSE, Op.KILL, Op.FORCE_REMOVE, Op.RENAME, Op.LOGS},
    State.RESTARTING: {Op.STOP, Op.RESTART, Op.KILL, Op.FORCE_REMOVE, Op.RENAME, Op.LOGS},
    State.DEAD: {Op.REMOVE, Op.FORCE_REMOVE, Op.LOGS},
    State.REMOVING: {Op.LOGS},
    State.UNKNOWN: set(Op),
}


@pytest.mark.parametrize("state", list(State))
def test_what_each_state_allows(state):
    ops = allowed(state)
    assert isinstance(ops, frozenset) and ops == EXPECTED[state]


@pytest.mark.parametrize("state", list(State))
def test_the_rules_agree_with_each_other(state):
    ops = allowed(state)
    assert (Op.START in ops) <= (not state.running)  # start only what does not run
    assert (Op.STOP in ops) <= (state is not State.CREATED and state is not State.EXITED)
    assert (Op.PAUSE in ops) <= (state in (State.RUNNING, State.UNKNOWN))
    assert (Op.UNPAUSE in ops) <= (state in (State.PAUSED, State.UNKNOWN))
    assert (Op.REMOVE in ops) <= (Op.FORCE_REMOVE in ops)  # force removes whatever a plain remove does
    assert needs_force(state) == (state in (State.RUNNING, State.PAUSED, State.RESTARTING))


def test_the_first_ops_are_engine_methods():
    from desktop.engine.client import Engine

    for op in (Op.START, Op.STOP, Op.RESTART, Op.PAUSE, Op.UNPAUSE, Op.KILL, Op.REMOVE):
        assert callable(getattr(Engine, op.value))


# -- the UI holds no state word as a string ------------------------------------------
UI = Path(__file__).resolve().parents[2] / "desktop" / "ui"


def state_literals(source: str) -> list[tuple[int, str]]:
    """(line, word) of every string literal that is exactly a state's word."""
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ENGINE_WORDS]


def test_the_scan_finds_a_state_word():
    assert state_literals('ok = c.state in ("created", "exited")\nx = "status:running"') == [
        (1, "created"), (1, "exited")]


def test_the_ui_compares_no_state_words():
    found = {}
    for path in sorted(UI.rglob("*.py")):
        hits = state_literals(path.read_text(encoding="utf-8"))
        if hits:
            found[str(path.relative_to(UI))] = hits
    assert len(list(UI.rglob("*.py"))) > 10  # the scan saw the UI
    assert not found, f"container states as strings (use desktop.engine.states): {found}"
