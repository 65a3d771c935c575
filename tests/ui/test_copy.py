"""Dropping files on a container row copies them in (desktop.ui.files.copy), on the real engine."""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView

from desktop.engine.records import Container
from desktop.ui.files.copy import ContainerDropTarget, CopyDialog, settings_key
from tests.conftest import HTTPD, WHALESAY, docker
from tests.engine.test_archive import OLD, make_site

HTDOCS = "/usr/local/apache2/htdocs"
# PySide6 offers drag event constructors only with the QPoint form it marks deprecated.
pytestmark = pytest.mark.filterwarnings("ignore:Function.*QDrag.*deprecated:DeprecationWarning")


def record(cid: str) -> Container:
    d = json.loads(docker("inspect", cid))[0]
    return Container(id=d["Id"], names=(d["Name"],), image=d["Config"]["Image"], image_id=d["Image"],
                     command="", created=0, state=d["State"]["Status"], status=d["State"]["Status"])


class Table(QTableView):
    """A plain table with one container per row (the record under Qt.UserRole)."""

    def __init__(self, containers: list[Container]) -> None:
        super().__init__()
        self.model_ = QStandardItemModel(0, 2)
        for c in containers:
            name, image = QStandardItem(c.name), QStandardItem(c.image)
            name.setData(c, Qt.ItemDataRole.UserRole)
            self.model_.appendRow([name, image])
        self.setModel(self.model_)
        self.resize(600, 300)

    def container_at(self, pos: QPoint) -> Container | None:
        index = self.indexAt(pos)
        return self.model_.index(index.row(), 0).data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def row_center(self, row: int) -> QPoint:
        return self.visualRect(self.model_.index(row, 1)).center()


def simulate_drop(view: QTableView, pos: QPoint, paths: list[Path]) -> bool:
    """What a file manager's drag does: enter, move, drop, on the viewport."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    vp = view.viewport()
    action, button, mods = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, action, mime, button, mods)  # QPoint: the only form PySide6 offers
    QApplication.sendEvent(vp, enter)
    move = QDragMoveEvent(pos, action, mime, button, mods)
    QApplication.sendEvent(vp, move)
    if not move.isAccepted():
        return False
    drop = QDropEvent(QPointF(pos), action, mime, button, mods)
    QApplication.sendEvent(vp, drop)
    return drop.isAccepted()


def make_table(qtbot, engine, settings, *cids: str):
    table = Table([record(c) for c in cids])
    qtbot.addWidget(table)
    table.show()
    target = ContainerDropTarget(table, engine, table.container_at, settings=settings)
    return table, target


def drop_and_get_dialog(qtbot, table, target, row: int, paths) -> CopyDialog:
    opened = []
    target.dialogOpened.connect(opened.append)
    assert simulate_drop(table, table.row_center(row), paths)
    assert opened, "the drop opened no dialog"
    dialog = opened[0]
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_drop_on_a_row_copies_a_nested_folder(qtbot, engine_qt, settings, cleanup, tmp_path, route):
    other = cleanup.run("--name", cleanup.name("other"), "--network", "none", WHALESAY, "sleep", "300")
    cid = cleanup.run("--name", cleanup.name("drop"), "--network", "none", WHALESAY, "sleep", "300")
    site = make_site(tmp_path)
    table, target = make_table(qtbot, engine_qt, settings, other, cid)
    dropped = []
    target.dropped.connect(lambda c, p: dropped.append((c.id, p)))
    dialog = drop_and_get_dialog(qtbot, table, target, 1, [site])
    assert dropped == [(cid, [str(site)])]
    assert dialog.objectName() == "copyDialog" and dialog.container.id == cid
    qtbot.waitUntil(lambda: dialog.destEdit.text() == "/")    # the image has no working directory
    dialog.destEdit.setText("/srv/www")
    assert "/srv/www/my site" in dialog.previewLabel.text()
    qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state in ("done", "failed"), timeout=30000)
    assert dialog.state == "done", dialog.statusLabel.text()
    assert "Copied 9 items" in dialog.statusLabel.text()
    base = "/srv/www/my site"
    out = docker("exec", cid, "ls", "-la", base, f"{base}/하위 폴더", f"{base}/empty folder")
    assert "link to index -> index.html" in out
    assert "-rwxr-xr-x" in next(line for line in out.splitlines() if line.endswith("run.sh"))
    names = docker("exec", cid, "find", base).splitlines()       # busybox ls hides non-ASCII names
    assert f"{base}/하위 폴더/파일 이름.txt" in names and f"{base}/하위 폴더/깊은 곳/data.bin" in names
    assert f"{base}/empty folder" in names
    assert docker("exec", cid, "stat", "-c", "%Y", f"{base}/index.html").strip() == str(OLD)
    assert docker("exec", cid, "cat", f"{base}/하위 폴더/파일 이름.txt") == "한국어 내용\n"
    got = docker("exec", cid, "sha256sum", f"{base}/하위 폴더/깊은 곳/data.bin").split()[0]
    assert got == sha((site / "하위 폴더/깊은 곳/data.bin").read_bytes())
    assert docker("exec", other, "ls", "/srv", check=False).strip() == ""   # the other row got nothing
    dialog.grab().save(str(tmp_path / "done.png"))
    qtbot.mouseClick(dialog.cancelButton, Qt.MouseButton.LeftButton)     # "Close"
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_deploy_a_site_to_httpd_and_fetch_it(qtbot, engine_qt, settings, cleanup, tmp_path, route):
    cid = cleanup.run("--name", cleanup.name("web"), "-p", "127.0.0.1::80", HTTPD)
    port = docker("port", cid, "80/tcp").splitlines()[0].rsplit(":", 1)[1]
    site = tmp_path / "site"
    site.mkdir()
    page = "<!doctype html><title>배포</title><h1>Deployed by drag and drop</h1>\n".encode()
    (site / "index.html").write_bytes(page)
    (site / "style sheet.css").write_text("h1 { color: teal }\n")
    table, target = make_table(qtbot, engine_qt, settings, cid)
    dialog = drop_and_get_dialog(qtbot, table, target, 0, [site])
    # the web server's document root is proposed, and a dropped site folder's contents go there
    qtbot.waitUntil(lambda: dialog.destEdit.text() == HTDOCS, timeout=10000)
    assert dialog.contentsCheck.isChecked()
    assert dialog.previewLabel.text().startswith(f"The contents will go into {HTDOCS}")
    qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
    # the image's own index.html is there: asked before it is replaced
    qtbot.waitUntil(lambda: dialog.state in ("confirm", "failed", "done"), timeout=20000)
    assert dialog.state == "confirm"
    assert [dialog.conflictList.item(i).text() for i in range(dialog.conflictList.count())] == [f"{HTDOCS}/index.html"]
    assert dialog.copyButton.text() == "Replace 1 File"
    dialog.grab().save(str(tmp_path / "confirm.png"))
    qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state in ("done", "failed"), timeout=30000)
    assert dialog.state == "done", dialog.statusLabel.text()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as res:
        assert res.read() == page
    # the destination is remembered for the image
    assert settings.value(settings_key(HTTPD)) == HTDOCS
    dialog.close()
    again = CopyDialog(engine_qt, record(cid), [str(site)], settings=settings)
    qtbot.addWidget(again)
    assert again.destEdit.text() == HTDOCS


def test_declining_the_overwrite_leaves_the_old_file(qtbot, engine_qt, settings, cleanup, tmp_path, route):
    cid = docker("create", *cleanup.label_args(), "--name", cleanup.name("stopped"), HTTPD).strip()
    before = docker("cp", f"{cid}:{HTDOCS}/index.html", "-")      # a tar of the file: contents and time
    (tmp_path / "index.html").write_text("replacement")
    table, target = make_table(qtbot, engine_qt, settings, cid)
    dialog = drop_and_get_dialog(qtbot, table, target, 0, [tmp_path / "index.html"])
    dialog.destEdit.setText(HTDOCS)
    dialog.destEdit.setModified(True)
    qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state in ("confirm", "failed", "done"), timeout=20000)
    assert dialog.state == "confirm"
    assert dialog.conflictBox.isVisible() and "1 file already exists" in dialog.conflictLabel.text()
    qtbot.mouseClick(dialog.cancelButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert docker("cp", f"{cid}:{HTDOCS}/index.html", "-") == before


def test_keep_existing_copies_the_rest_into_a_stopped_container(qtbot, engine_qt, settings, cleanup, tmp_path, route):
    cid = docker("create", *cleanup.label_args(), "--name", cleanup.name("stopped"), HTTPD).strip()
    before = docker("cp", f"{cid}:{HTDOCS}/index.html", "-")      # a tar of the file: contents and time
    (tmp_path / "index.html").write_text("replacement")
    (tmp_path / "new page.html").write_text("new")
    dialog = CopyDialog(engine_qt, record(cid), [str(tmp_path / "index.html"), str(tmp_path / "new page.html")],
                        settings=settings, dest=HTDOCS)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state == "confirm", timeout=20000)
    qtbot.mouseClick(dialog.skipButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state in ("done", "failed"), timeout=20000)
    assert dialog.state == "done", dialog.statusLabel.text()
    assert dialog.statusLabel.text().endswith("1 existing file was kept as it was.")
    assert docker("cp", f"{cid}:{HTDOCS}/index.html", "-") == before
    assert "new page.html" in docker("cp", f"{cid}:{HTDOCS}/new page.html", "-")


def test_errors_are_shown_in_the_dialog_and_reported(qtbot, engine_qt, settings, cleanup, tmp_path, route):
    cid = cleanup.run("--name", cleanup.name("err"), "--network", "none", WHALESAY, "sleep", "300")
    (tmp_path / "a.txt").write_text("a")
    dialog = CopyDialog(engine_qt, record(cid), [str(tmp_path / "a.txt")], settings=settings, dest="/bin/sh")
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.destEdit.setText("not/absolute")
    qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
    assert dialog.state == "ready" and "absolute path" in dialog.statusLabel.text()
    dialog.destEdit.setText("/etc/passwd")
    qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state == "failed", timeout=20000)
    assert dialog.statusLabel.text() == ("/etc/passwd in the container is a file, not a folder: "
                                         "choose a folder to copy into.")
    assert route.last().message.endswith(dialog.statusLabel.text())
    assert dialog.copyButton.text() == "Try Again" and dialog.copyButton.isEnabled()


def test_cancel_says_what_was_completed_and_the_dialog_stays_usable(qtbot, engine_qt, settings, cleanup, tmp_path,
                                                                     route):
    cid = cleanup.run("--name", cleanup.name("cancel"), "--network", "none", WHALESAY, "sleep", "300")
    src = tmp_path / "payload"
    src.mkdir()
    (src / "a first.txt").write_text("first")
    with open(src / "b big.bin", "wb") as f:
        f.truncate(2 << 30)
    dialog = CopyDialog(engine_qt, record(cid), [str(src)], settings=settings, dest="/tmp")
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress is not None and dialog.progress.bytes_done > (32 << 20), timeout=30000)
    qtbot.waitUntil(lambda: "/s" in dialog.rateLabel.text(), timeout=5000)
    assert dialog.copyProgress.isVisible() and dialog.state == "copying"
    dialog.grab().save(str(tmp_path / "copying.png"))
    qtbot.mouseClick(dialog.cancelButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state == "cancelled", timeout=30000)
    text = dialog.statusLabel.text()
    assert text.startswith("The copy was cancelled. Completed: 2 of 3 items")
    assert "payload/b big.bin was being copied and may be incomplete" in text
    assert docker("exec", cid, "cat", "/tmp/payload/a first.txt") == "first"
    assert dialog.isVisible() and dialog.copyButton.text() == "Copy Again"
    assert route.last().kind.name == "CANCELLED" and not route.last().serious


def test_a_finished_copy_shows_the_average_speed_of_the_whole_copy(qtbot, engine_qt, settings, cleanup, tmp_path,
                                                                   route):
    """The speed shown while copying is that of the last moments; once the copy is over
    it said "0 bytes/s" (nothing moves any more, or the copy was over before a speed
    could be measured). It says what the whole copy averaged."""
    from desktop.engine.formatting import progress_size

    cid = cleanup.run("--name", cleanup.name("speed"), "--network", "none", WHALESAY, "sleep", "300")
    src = tmp_path / "data.bin"
    src.write_bytes(os.urandom(4 << 20))
    dialog = CopyDialog(engine_qt, record(cid), [str(src)], settings=settings, dest="/tmp")
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state in ("done", "failed"), timeout=30000)
    assert dialog.state == "done", dialog.statusLabel.text()
    result = dialog.result
    assert result.bytes == 4 << 20 and result.seconds > 0
    average = f"{progress_size(result.bytes / result.seconds)}/s"
    assert dialog.rateLabel.isVisible()
    assert dialog.rateLabel.text() == f"4.2 MB of 4.2 MB · {average} · 1 of 1 items", dialog.rateLabel.text()
    assert docker("exec", cid, "stat", "-c", "%s", "/tmp/data.bin").strip() == str(4 << 20)


def test_drops_of_non_files_or_outside_rows_are_ignored(qtbot, engine_qt, settings, cleanup, tmp_path):
    cid = cleanup.run("--name", cleanup.name("ign"), "--network", "none", WHALESAY, "sleep", "300")
    table, target = make_table(qtbot, engine_qt, settings, cid)
    (tmp_path / "f").write_text("x")
    below = QPoint(10, table.viewport().height() - 5)
    assert not simulate_drop(table, below, [tmp_path / "f"])
    mime = QMimeData()
    mime.setText("just text")
    ev = QDragEnterEvent(table.row_center(0), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(table.viewport(), ev)
    assert target.dialog is None
    # hovering a row with files highlights it
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "f"))])
    move = QDragMoveEvent(table.row_center(0), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(table.viewport(), move)
    assert move.isAccepted() and target.highlight.isVisible()


def test_a_finished_copy_into_a_web_server_offers_its_page(qtbot, engine_qt, settings, cleanup, tmp_path, route):
    from PySide6.QtGui import QDesktopServices

    from desktop.engine.records import Port
    from tests.ui.test_main_window import UrlCatcher

    cid = cleanup.run("--name", cleanup.name("page"), "-p", "127.0.0.1::80", HTTPD)
    port = int(docker("port", cid, "80/tcp").splitlines()[0].rsplit(":", 1)[1])
    c = record(cid)
    web = Container(**{**{f: getattr(c, f) for f in c.__dataclass_fields__},
                       "ports": (Port(80, "tcp", "127.0.0.1", port),)})
    site = tmp_path / "blog"
    site.mkdir()
    (site / "index.html").write_text("<h1>blog</h1>")
    dialog = CopyDialog(engine_qt, web, [str(site)], settings=settings, dest=f"{HTDOCS}/posts")
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitUntil(lambda: dialog.destEdit.text() == f"{HTDOCS}/posts", timeout=5000)
    dialog.contentsCheck.setChecked(True)
    assert not dialog.browserButton.isVisible()
    qtbot.mouseClick(dialog.copyButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state in ("done", "failed"), timeout=30000)
    assert dialog.state == "done", dialog.statusLabel.text()
    assert dialog.browserButton.isVisible()
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("http", catcher.receiver, "open")
    try:
        qtbot.mouseClick(dialog.browserButton, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(catcher.urls), timeout=3000)
    finally:
        QDesktopServices.unsetUrlHandler("http")
    assert catcher.urls == [f"http://127.0.0.1:{port}/posts/"]
    with urllib.request.urlopen(catcher.urls[0], timeout=10) as res:
        assert b"<h1>blog</h1>" in res.read()
    dialog.close()
