"""The command log panel in the window: an action shows up as its docker command with
its result, live; Copy and Save as Script; no password anywhere."""

from __future__ import annotations

import os
import subprocess

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from desktop.engine.commandlog import CommandLog
from desktop.engine.commands import kill_args, start_args
from desktop.ui.commandlog.model import Column, CommandLogModel
from desktop.ui.common import tasks
from tests.conftest import REGISTRY, REGISTRY_PASSWORD, REGISTRY_USER, WHALESAY


def row_of(w, name: str) -> int:
    for r in range(w.containers_model.rowCount()):
        if w.containers_model.record(r).name == name:
            return r
    return -1


def shown(model: CommandLogModel) -> list[tuple[str, str]]:
    return [(model.index(r, Column.COMMAND).data(), model.index(r, Column.RESULT).data())
            for r in range(model.rowCount())]


def test_the_model_follows_the_log(qtmodeltester, qapp):
    log = CommandLog(limit=3)
    model = CommandLogModel(log)
    first = log.begin(start_args("web"))
    qtmodeltester.check(model)
    assert shown(model) == [("docker start web", "running…")]
    first.failed("No such container: web")
    assert shown(model) == [("docker start web", "No such container: web")]
    for i in range(4):
        log.begin(kill_args(f"c{i}")).done()
    assert shown(model) == [(f"docker kill c{i}", "done") for i in (1, 2, 3)]  # the oldest went with the log's
    assert model.index(0, Column.TIME).data().count(":") == 2
    qtmodeltester.check(model)
    model.detach()


def test_an_action_in_the_window_appears_in_the_command_log(window, qtbot, cleanup, tmp_path, route):
    docks = window.docks
    toggle = window.findChild(type(docks.commands_dock.toggleViewAction()), "actionCommandLog")
    assert toggle is not None and toggle in window.actions()
    toggle.trigger()
    assert docks.commands_dock.isVisible()
    panel = docks.command_log
    before = panel.model.rowCount()

    name = cleanup.name("log")
    cleanup.run("--name", name, WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    window.select_container(window.containers_model.record(row_of(window, name)).id)
    window.container_actions.kill.trigger()
    # named by name, although the window passes the id
    qtbot.waitUntil(lambda: shown(panel.model)[before:] == [(f"docker kill {name}", "done")], timeout=10000)
    qtbot.waitUntil(lambda: window.containers_model.record(row_of(window, name)).state.value == "exited",
                    timeout=10000)

    # an engine's refusal is the result, in the error's words
    other = cleanup.name("taken")
    cleanup.run("--name", other, WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, other) >= 0, timeout=5000)
    assert window.container_actions.rename_to(window.containers_model.record(row_of(window, name)), other)
    qtbot.waitUntil(lambda: panel.model.rowCount() == before + 2
                    and shown(panel.model)[-1][1] not in ("running…", "done"), timeout=10000)
    command, result = shown(panel.model)[-1]
    assert command == f"docker rename {name} {other}" and other in result
    assert route.last() is not None  # the failure was also reported the one way

    # Copy: the newest when nothing is selected; the selected ones otherwise
    assert panel.copy() == f"docker rename {name} {other}"
    assert QGuiApplication.clipboard().text() == f"docker rename {name} {other}"
    panel.table.selectRow(before)
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == f"docker kill {name}"

    # Save as Script: the file dialog, then a script sh can read
    panel.save_button.click()
    dialog = panel.findChild(QFileDialog, "saveCommandLogDialog")
    assert dialog is not None and dialog.isVisible()
    path = tmp_path / "session.sh"
    dialog.fileSelected.emit(str(path))
    dialog.reject()
    text = path.read_text()
    assert text.startswith("#!/bin/sh\n") and "\nset -e\n" in text
    assert f"\ndocker kill {name}\n" in text
    assert f"# docker rename {name} {other}\n" in text  # the failed one, as a comment
    assert os.access(path, os.X_OK)
    assert subprocess.run(["sh", "-n", str(path)], check=False).returncode == 0  # it parses


def test_a_login_shows_without_its_password(window, qtbot, isolated_credentials):
    panel = window.docks.command_log
    before = panel.model.rowCount()
    done = []
    tasks.spawn(window.engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD), context="login",
                on_success=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=15000)
    tasks.spawn(window.engine.logout(REGISTRY), context="logout", on_success=done.append)
    qtbot.waitUntil(lambda: len(done) == 2, timeout=15000)
    assert shown(panel.model)[before:] == [(f"docker login -u {REGISTRY_USER} {REGISTRY}", "done"),
                                           (f"docker logout {REGISTRY}", "done")]
    everything = [panel.model.index(r, c).data(role) for r in range(panel.model.rowCount()) for c in Column
                  for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)]
    assert not any(REGISTRY_PASSWORD in str(v) for v in everything)
    path = os.path.join(str(isolated_credentials), "session.sh")
    assert panel.save_to(path)
    with open(path, encoding="utf-8") as f:
        script = f.read()
    assert REGISTRY_PASSWORD not in script and f"docker_login {REGISTRY} {REGISTRY_USER}" in script
