"""The main window on the real engine: live tables, actions, rename, removal."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.engine.client import Engine
from desktop.ui.main_window import MainWindow
from desktop.ui.models.base import Role
from desktop.ui.models.containers import Column
from tests.conftest import docker


@pytest.fixture
def window(qtbot, qloop, cleanup, route):
    engine = Engine()
    w = MainWindow(engine)
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.live is not None and w.live.is_connected, timeout=15000)
    qtbot.waitSignal  # noqa: B018 - keep the import of qtbot helpers obvious
    yield w
    w.live.stop()
    engine.reset_connection()


def row_of(w: MainWindow, name: str) -> int:
    for r in range(w.containers_model.rowCount()):
        if w.containers_model.record(r).name == name:
            return r
    return -1


def cell(w: MainWindow, name: str, col: Column) -> str:
    r = row_of(w, name)
    return w.containers_model.index(r, col).data() if r >= 0 else None


def ps_field(name: str, field: str) -> str:
    return docker("ps", "-a", "--filter", f"name=^/{name}$", "--format", "{{." + field + "}}").strip()


def test_container_created_by_cli_appears_and_status_follows(window, qtbot, cleanup):
    name = cleanup.name("live")
    cleanup.run("--name", name, "docker/whalesay:latest", "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    assert cell(window, name, Column.STATUS).startswith("Up")
    assert cell(window, name, Column.IMAGE) == "docker/whalesay:latest"
    docker("stop", "-t", "0", name)
    qtbot.waitUntil(lambda: cell(window, name, Column.STATUS).startswith("Exited"), timeout=5000)
    # the cell equals what docker ps -a says (taken back to back; the age may tick once)
    for _ in range(3):
        if cell(window, name, Column.STATUS) == ps_field(name, "Status"):
            break
        time.sleep(0.3)
        window.containers_model.tick()
    assert cell(window, name, Column.STATUS) == ps_field(name, "Status")
    docker("rm", name)
    qtbot.waitUntil(lambda: row_of(window, name) < 0, timeout=5000)
