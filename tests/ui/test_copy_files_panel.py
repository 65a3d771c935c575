"""The files panel (desktop.ui.files.panel) on the real engine: listing, saving, dragging out."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.ui.files.panel import FilesPanel
from tests.conftest import HTTPD, WHALESAY, docker
from tests.ui.test_copy import record, simulate_drop


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def container_sha(cid: str, path: str) -> str:
    """The checksum of a file in the container, read with ``docker cp`` (a tar stream)."""
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(docker_bytes("cp", f"{cid}:{path}", "-"))) as tar:
        member = tar.next()
        return hashlib.sha256(tar.extractfile(member).read()).hexdigest()


def docker_bytes(*args: str) -> bytes:
    import subprocess
    return subprocess.run(["docker", *args], capture_output=True, check=True).stdout


@pytest.fixture
def web(cleanup):
    cid = cleanup.run("--name", cleanup.name("files"), "--network", "none", HTTPD)
    docker("exec", cid, "sh", "-c", "mkdir -p '/data/폴더 하나/empty'"
           " && head -c 3000000 /dev/urandom > '/data/폴더 하나/big file.bin'"
           " && echo hello > /data/a.txt && chmod 750 /data/a.txt && ln -s a.txt /data/link")
    return cid


def open_panel(qtbot, engine, cid, settings, path):
    panel = FilesPanel(engine, record(cid), path=path, settings=settings)
    qtbot.addWidget(panel)
    panel.resize(640, 400)
    panel.show()
    qtbot.waitUntil(lambda: panel.path == path and panel.model.rowCount() > 0, timeout=15000)
    return panel


@pytest.mark.parametrize("stopped", [False, True])
def test_lists_navigates_and_saves_with_checksums(qtbot, engine_qt, settings, web, tmp_path, route, stopped):
    if stopped:
        docker("stop", "-t", "0", web)
    panel = open_panel(qtbot, engine_qt, web, settings, "/data")
    assert panel.objectName() == "filesPanel"
    names = [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())]
    assert names == ["폴더 하나", "a.txt", "link → a.txt"]
    assert panel.model.index(1, 3).data() == "-rwxr-x---"
    panel.fileList.doubleClicked.emit(panel.model.index(0, 0))
    qtbot.waitUntil(lambda: panel.path == "/data/폴더 하나", timeout=15000)
    assert [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())] == ["empty", "big file.bin"]
    qtbot.mouseClick(panel.upButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.path == "/data", timeout=15000)
    panel.select("폴더 하나", "a.txt", "link")
    saved = []
    panel.saved.connect(saved.append)
    out = tmp_path / "out"
    out.mkdir()
    panel.save_to(panel.selected_paths(), str(out))
    qtbot.waitUntil(lambda: bool(saved), timeout=30000)
    assert sha(out / "폴더 하나" / "big file.bin") == container_sha(web, "/data/폴더 하나/big file.bin")
    assert (out / "a.txt").read_text() == "hello\n" and (out / "a.txt").stat().st_mode & 0o777 == 0o750
    assert os.readlink(out / "link") == "a.txt"
    assert (out / "폴더 하나" / "empty").is_dir()
    assert panel.statusLabel.text().startswith("Saved 5 items (3.0 MB) to ")
    panel.grab().save(str(tmp_path / "panel.png"))


def test_drag_out_stages_the_files_first(qtbot, engine_qt, settings, web, tmp_path):
    panel = open_panel(qtbot, engine_qt, web, settings, "/data/폴더 하나")
    panel.select("big file.bin")
    staged = []
    from desktop.ui.common import tasks
    tasks.spawn(panel.stage(panel.selected_paths()), on_success=staged.append)
    qtbot.waitUntil(lambda: bool(staged), timeout=30000)
    mime = panel.mime_for(staged[0])
    [url] = mime.urls()
    local = Path(url.toLocalFile())
    assert local.name == "big file.bin" and sha(local) == container_sha(web, "/data/폴더 하나/big file.bin")


def test_dropping_on_the_panel_proposes_the_folder_shown(qtbot, engine_qt, settings, web, tmp_path):
    panel = open_panel(qtbot, engine_qt, web, settings, "/data")
    (tmp_path / "new.txt").write_text("new")
    opened = []
    panel.dropTarget.dialogOpened.connect(opened.append)
    folder_row = panel.fileList.visualRect(panel.model.index(0, 0)).center()
    assert simulate_drop(panel.fileList, folder_row, [tmp_path / "new.txt"])
    assert opened and opened[0].destEdit.text() == "/data/폴더 하나"
    opened[0].close()


def _choose_in_file_dialog(qtbot, parent, paths: list[Path]) -> None:
    """Pick ``paths`` in the open "Copy Into" file dialog, as a person would, and accept."""
    from PySide6.QtWidgets import QFileDialog

    qtbot.waitUntil(lambda: any(d.isVisible() for d in parent.window().findChildren(QFileDialog, "copyIntoFileDialog")),
                    timeout=5000)
    dlg = next(d for d in parent.window().findChildren(QFileDialog, "copyIntoFileDialog") if d.isVisible())
    dlg.setDirectory(str(paths[0].parent))
    for p in paths:
        dlg.selectFile(str(p))
    if len(paths) > 1:
        dlg.selectFile(" ".join(f'"{p.name}"' for p in paths))
    dlg.accept()


def test_copy_in_without_dragging_and_the_list_shows_it(qtbot, engine_qt, settings, web, tmp_path, route):
    """Copy In ▸ Files… in the panel: the system's file dialog, the copy dialog into the
    folder shown, and the list read again when the copy ends."""
    panel = open_panel(qtbot, engine_qt, web, settings, "/data")
    (tmp_path / "one.txt").write_text("first")
    (tmp_path / "two.txt").write_text("second")
    opened = []
    panel.dropTarget.dialogOpened.connect(opened.append)
    menu = panel.copyInButton.menu()
    next(a for a in menu.actions() if a.objectName() == "actionCopyFilesInto").trigger()
    _choose_in_file_dialog(qtbot, panel, [tmp_path / "one.txt", tmp_path / "two.txt"])
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    dialog = opened[0]
    assert dialog.destEdit.text() == "/data"
    listed = []
    panel.listed.connect(listed.append)
    qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state in ("done", "failed"), timeout=30000)
    assert dialog.state == "done", dialog.statusLabel.text()
    assert docker("exec", web, "cat", "/data/one.txt", "/data/two.txt") == "firstsecond"
    qtbot.waitUntil(lambda: bool(listed), timeout=10000)  # the panel read its folder again
    names = {panel.model.item(r, 0).text() for r in range(panel.model.rowCount())}
    assert {"one.txt", "two.txt"} <= names
    dialog.close()


def test_copy_a_folder_into_a_container_from_its_menu(qtbot, qloop, cleanup, tmp_path, route):
    """Container ▸ Copy Into ▸ A Folder…: the same copy dialog as a drop, with no drag."""
    from desktop.engine.client import Engine
    from desktop.ui.shell.window import MainWindow

    cid = cleanup.run("--name", cleanup.name("into"), "--network", "none", WHALESAY, "sleep", "300")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>hi</h1>")
    w = MainWindow(Engine())
    qtbot.addWidget(w)
    w.show()
    w.start()
    try:
        qtbot.waitUntil(lambda: w.select_container(cid), timeout=15000)
        menu = w.container_actions.copy_into_menu
        assert menu.isEnabled()
        next(a for a in menu.actions() if a.objectName() == "actionCopyFolderInto").trigger()
        _choose_in_file_dialog(qtbot, w.containers_table, [site])
        qtbot.waitUntil(lambda: w.drop_target.dialog is not None and w.drop_target.dialog.isVisible(), timeout=5000)
        dialog = w.drop_target.dialog
        assert dialog.container.id == cid
        qtbot.waitUntil(lambda: bool(dialog.destEdit.text()), timeout=5000)
        dialog.destEdit.setText("/srv")
        qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.state in ("done", "failed"), timeout=30000)
        assert dialog.state == "done", dialog.statusLabel.text()
        assert docker("exec", cid, "cat", "/srv/site/index.html") == "<h1>hi</h1>"
        dialog.close()
    finally:
        w.live.stop()
        w.engine.reset_connection()
