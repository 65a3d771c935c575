"""The main window on the real engine: live tables, actions, rename, removal."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMenu, QMessageBox, QPushButton, QWidget

from desktop.engine.client import Engine
from desktop.ui.common.table_model import Role
from desktop.ui.containers.model import Column
from desktop.ui.shell.window import MainWindow
from tests.conftest import WHALESAY, docker


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


def test_models_pass_the_model_tester(window, qtbot, qtmodeltester, cleanup):
    name = cleanup.name("mt")
    cleanup.run("--name", name, "-p", "127.0.0.1::80", "httpd:latest")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    qtmodeltester.check(window.containers_model)
    qtmodeltester.check(window.images_model)
    qtmodeltester.check(window.containers_proxy)


def test_one_container_event_sends_one_filtered_list_not_a_relist(window, qtbot, cleanup):
    names = [cleanup.name("ev") for _ in range(3)]
    for n in names:
        cleanup.run("--name", n, "docker/whalesay:latest", "sleep", "300")
    qtbot.waitUntil(lambda: all(row_of(window, n) >= 0 for n in names), timeout=8000)
    qtbot.wait(300)
    cid = window.containers_model.record(row_of(window, names[1])).id
    window.engine.request_log.clear()
    resets = []
    window.containers_model.modelReset.connect(lambda: resets.append(1))
    changed = []
    window.containers_model.dataChanged.connect(  # rows that changed (the clock re-renders time cells only)
        lambda a, b, roles=(): a.column() == 0 and changed.extend(window.containers_model.record(r).id
                                                                  for r in range(a.row(), b.row() + 1)))
    docker("pause", names[1])
    qtbot.waitUntil(lambda: "Paused" in cell(window, names[1], Column.STATUS), timeout=5000)
    from urllib.parse import parse_qs
    # the event's own word shows first; the row the engine lists confirms it after
    qtbot.waitUntil(lambda: any(cid in q for m, p, q in list(window.engine.request_log)), timeout=5000)
    qtbot.wait(300)
    sent = list(window.engine.request_log)
    lists = [parse_qs(q) for m, p, q in sent if (m, p) == ("GET", "/containers/json")]
    about_it = [q for q in lists if cid in q.get("filters", [""])[0]]
    assert len(about_it) == 1, f"expected one filtered list request for the paused container: {sent}"
    assert all("filters" in q for q in lists), "a full relist was sent for a one-container event"
    assert not any(p.startswith("/containers/") and p.endswith("/json") and p != "/containers/json"
                   for m, p, q in sent), "a container was inspected"
    assert changed == [cid] or (cid in changed and len(changed) < 4), changed
    assert not resets
    # other containers may come and go on a shared engine; none of ours did
    assert all(row_of(window, n) >= 0 for n in names)


def test_rename_through_set_data_and_f2(window, qtbot, cleanup):
    name = cleanup.name("ren")
    cleanup.run("--name", name, "docker/whalesay:latest", "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    new = name + "-renamed"
    cleanup.container(new)
    idx = window.containers_model.index(row_of(window, name), Column.NAMES)
    assert window.containers_model.setData(idx, new, Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: row_of(window, new) >= 0, timeout=5000)
    assert ps_field(new, "Names") == new
    # F2 on the selected row opens the editor on NAMES; typing a name and Enter renames
    third = new + "-f2"
    cleanup.container(third)
    assert window.select_container(window.containers_model.record(row_of(window, new)).id)
    qtbot.keyClick(window.containers_table, Qt.Key.Key_F2)
    editor = window.containers_table.focusWidget()
    qtbot.waitUntil(lambda: window.containers_table.state() == window.containers_table.State.EditingState,
                    timeout=2000)
    editor = window.containers_table.findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, third)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: row_of(window, third) >= 0, timeout=5000)
    assert ps_field(third, "Names") == third


def test_invalid_rename_is_refused_with_a_message(window, qtbot, cleanup, route):
    name = cleanup.name("bad")
    cleanup.run("--name", name, "docker/whalesay:latest", "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    idx = window.containers_model.index(row_of(window, name), Column.NAMES)
    assert not window.containers_model.setData(idx, "no spaces allowed", Qt.ItemDataRole.EditRole)
    assert route.last() is not None and "name" in route.last().message.lower()
    assert ps_field(name, "Names") == name


def select_names(window, names):
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    sel = QItemSelection()
    for n in names:
        src = window.containers_model.index(row_of(window, n), 0)
        idx = window.containers_proxy.mapFromSource(src)
        sel.select(idx, idx)
    window.containers_table.selectionModel().select(
        sel, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)


def test_bulk_stop_of_three(window, qtbot, cleanup):
    names = [cleanup.name("bulk") for _ in range(3)]
    for n in names:
        cleanup.run("--name", n, "--stop-timeout", "1", "docker/whalesay:latest", "sleep", "300")
    qtbot.waitUntil(lambda: all(row_of(window, n) >= 0 for n in names), timeout=8000)
    select_names(window, names)
    assert window.container_actions.stop.isEnabled() and not window.container_actions.start.isEnabled()
    window.container_actions.stop.trigger()
    assert window.statusBar().currentMessage().startswith("Stopping 3 containers…")  # said at once
    qtbot.waitUntil(lambda: all(cell(window, n, Column.STATUS).startswith("Exited") for n in names), timeout=20000)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Stopped 3 containers", timeout=5000)
    for n in names:
        assert ps_field(n, "State") == "exited"
    # the selection survived the three updates, and the actions follow the new state
    assert {c.name for c in window.selected_containers()} == set(names)
    actions = window.container_actions
    qtbot.waitUntil(lambda: actions.start.isEnabled() and not actions.stop.isEnabled(), timeout=2000)


def test_a_failure_among_several_is_not_reported_as_done(window, qtbot, cleanup, route):
    good, bad = cleanup.name("good"), cleanup.name("bad")
    cleanup.run("--name", good, "docker/whalesay:latest", "sleep", "300")
    docker("create", "--name", bad, *cleanup.label_args(), "docker/whalesay:latest", "/no/such/binary")
    docker("stop", "-t", "1", good)
    qtbot.waitUntil(lambda: row_of(window, good) >= 0 and row_of(window, bad) >= 0, timeout=8000)
    qtbot.waitUntil(lambda: cell(window, good, Column.STATUS).startswith("Exited"), timeout=8000)
    select_names(window, [good, bad])
    window.container_actions.start.trigger()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Started 1 of 2; 1 failed", timeout=20000)
    shown = route.last()
    assert shown is not None and bad in shown.message + shown.detail
    assert ps_field(good, "State") == "running"


def _confirm(qtbot, window, name: str, button: str):
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, name) is not None
                    and window.findChild(QMessageBox, name).isVisible(), timeout=3000)
    box = window.findChild(QMessageBox, name)
    if button == "none":  # only look at it
        return box
    if button == "cancel":
        box.button(QMessageBox.StandardButton.Cancel).click()
    else:
        box.findChild(type(box.button(QMessageBox.StandardButton.Cancel)), button).click()
    return box


def test_force_remove_asks_first(window, qtbot, cleanup):
    name = cleanup.name("rm")
    cleanup.run("--name", name, "docker/whalesay:latest", "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    select_names(window, [name])
    window.container_actions.remove.trigger()
    box = _confirm(qtbot, window, "confirmRemove", "cancel")
    assert "running" in box.text() and "Force" in box.text()
    # one container: said of it alone
    assert box.windowTitle() == "Remove container"
    assert box.informativeText() == f"{name}\n\nIts file system is deleted; this cannot be undone."
    assert box.checkBox().text() == "Also remove its anonymous volumes"
    qtbot.wait(300)
    assert ps_field(name, "State") == "running"
    window.container_actions.remove.trigger()
    _confirm(qtbot, window, "confirmRemove", "confirmRemoveButton")
    qtbot.waitUntil(lambda: row_of(window, name) < 0, timeout=8000)
    assert ps_field(name, "Names") == ""


def test_removing_several_asks_of_them_all(window, qtbot, cleanup):
    names = [cleanup.name("rm2"), cleanup.name("rm2")]
    for n in names:
        docker("create", "--name", n, *cleanup.label_args(), "docker/whalesay:latest", "true")
    qtbot.waitUntil(lambda: all(row_of(window, n) >= 0 for n in names), timeout=8000)
    select_names(window, names)
    window.container_actions.remove.trigger()
    box = _confirm(qtbot, window, "confirmRemove", "cancel")
    assert box.text() == "Remove 2 containers?" and box.windowTitle() == "Remove containers"
    assert box.informativeText().endswith("Their file systems are deleted; this cannot be undone.")
    assert box.checkBox().text() == "Also remove their anonymous volumes"
    assert all(ps_field(n, "State") == "created" for n in names)  # cancelled: both still there


def image_row(window, ref: str) -> int:
    for r in range(window.images_model.rowCount()):
        row = window.images_model.record(r)
        if f"{row.repository}:{row.tag}" == ref:
            return r
    return -1


def test_remove_image_refused_while_used_then_done(window, qtbot, cleanup, route):
    from tests.conftest import RUN_ID

    ref = cleanup.image(f"berth-test-{RUN_ID}/img:one")
    docker("tag", "docker/whalesay:latest", ref)
    qtbot.waitUntil(lambda: image_row(window, ref) >= 0, timeout=5000)
    # a container that uses this image by this name
    name = cleanup.name("user")
    docker("create", "--name", name, *cleanup.label_args(), ref, "true")
    window.tabs.setCurrentWidget(window.images_table)
    src = window.images_model.index(image_row(window, ref), 0)
    idx = window.images_proxy.mapFromSource(src)
    window.images_table.selectionModel().select(idx, window.images_table.selectionModel().SelectionFlag.ClearAndSelect
                                                 | window.images_table.selectionModel().SelectionFlag.Rows)
    assert window.image_actions.remove.isEnabled()
    # The image has other tags (docker/whalesay), so the engine untags this one unless a
    # container needs it by id; use the tag-only image of its own to see the refusal.
    own = cleanup.image(f"berth-test-{RUN_ID}/solo:one")
    tarball = docker("image", "inspect", "-f", "{{.Id}}", "docker/whalesay:latest").strip()
    assert tarball
    docker("rmi", ref)
    qtbot.waitUntil(lambda: image_row(window, ref) < 0, timeout=5000)
    import subprocess
    subprocess.run(["sh", "-c", f"printf 'x' > /tmp/berth-{RUN_ID}.txt && tar -C /tmp -c berth-{RUN_ID}.txt"
                    f" | docker import - {own} >/dev/null"], check=True)
    qtbot.waitUntil(lambda: image_row(window, own) >= 0, timeout=5000)
    user2 = cleanup.name("user2")
    docker("create", "--name", user2, *cleanup.label_args(), own, "true")
    src = window.images_model.index(image_row(window, own), 0)
    idx = window.images_proxy.mapFromSource(src)
    window.images_table.selectionModel().select(idx, window.images_table.selectionModel().SelectionFlag.ClearAndSelect
                                                 | window.images_table.selectionModel().SelectionFlag.Rows)
    window.image_actions.remove.trigger()
    _confirm(qtbot, window, "confirmRemoveImage", "confirmRemoveImageButton")
    qtbot.waitUntil(lambda: route.last() is not None, timeout=5000)
    assert "container" in route.last().message.lower() and "uses" in route.last().message.lower()
    assert docker("images", "-q", own).strip()
    docker("rm", user2)
    window.images_table.selectionModel().select(
        window.images_proxy.mapFromSource(window.images_model.index(image_row(window, own), 0)),
        window.images_table.selectionModel().SelectionFlag.ClearAndSelect
        | window.images_table.selectionModel().SelectionFlag.Rows)
    window.image_actions.remove.trigger()
    _confirm(qtbot, window, "confirmRemoveImage", "confirmRemoveImageButton")
    qtbot.waitUntil(lambda: image_row(window, own) < 0, timeout=5000)
    assert not docker("images", "-q", own).strip()


def test_filter_and_sort_by_value(window, qtbot, cleanup):
    a, b = cleanup.name("flt"), cleanup.name("flt")
    cleanup.run("--name", a, "docker/whalesay:latest", "sleep", "300")
    docker("create", "--name", b, *cleanup.label_args(), "docker/whalesay:latest")
    qtbot.waitUntil(lambda: row_of(window, a) >= 0 and row_of(window, b) >= 0, timeout=5000)
    qtbot.keyClicks(window.filter_edit, f"{a[:-2]} status:running")
    shown = {window.containers_proxy.index(r, 0).data(Role.Record).name
             for r in range(window.containers_proxy.rowCount())}
    assert a in shown and b not in shown
    window.filter_edit.setText(f"{a[:-2]} status:created")
    shown = {window.containers_proxy.index(r, 0).data(Role.Record).name
             for r in range(window.containers_proxy.rowCount())}
    assert shown == {b}
    window.filter_edit.clear()
    # SIZE sorts by bytes, not by text ("900kB" < "1.98MB")
    window.images_table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    sizes = [window.images_proxy.index(r, 0).data(Role.Record).size for r in range(window.images_proxy.rowCount())]
    assert sizes == sorted(sizes)


def test_idle_window_sends_no_requests(window, qtbot):
    """No polling: a request is only ever the answer to an event from the engine."""
    qtbot.wait(500)
    events: list[dict] = []
    window.live.engineEvent.connect(events.append)
    before = window.engine.requests.copy()
    qtbot.wait(3000)
    sent = window.engine.requests - before
    container_events = sum(1 for e in events if e.get("Type") == "container")
    image_events = sum(1 for e in events if e.get("Type") == "image")
    assert sent["GET /containers/json"] <= container_events
    assert sent["GET /images/json"] <= image_events
    assert set(sent) <= {"GET /containers/json", "GET /images/json"}, sent
    if not events:
        assert not sent


@pytest.mark.disruptive
def test_engine_restart_resyncs_both_tables(qtbot, qloop, route, private_engine):
    """Stop the engine under the window, start it again: Berth notices, says so, and
    re-syncs by itself; nothing crashes."""
    eng = private_engine
    eng.docker("run", "-d", "--name", "before", "--network", "none", "--stop-timeout", "1",
               WHALESAY, "sleep", "600")
    engine = Engine(host=eng.host)
    w = MainWindow(engine)
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: row_of(w, "before") >= 0, timeout=15000)
    assert cell(w, "before", Column.STATUS).startswith("Up")
    assert w.images_model.rowCount() == 1

    eng.stop()
    qtbot.waitUntil(lambda: not w.live.is_connected, timeout=10000)
    assert "Not connected" in w.engine_status.text()

    eng.start()
    # the container was stopped with the engine; one more is made while Berth is away
    eng.docker("run", "-d", "--name", "after", "--network", "none", WHALESAY, "sleep", "600")
    qtbot.waitUntil(lambda: w.live.is_connected, timeout=30000)
    qtbot.waitUntil(lambda: row_of(w, "after") >= 0, timeout=10000)
    status = eng.docker("ps", "-a", "--filter", "name=^/before$", "--format", "{{.Status}}").strip()
    qtbot.waitUntil(lambda: cell(w, "before", Column.STATUS).split(" ")[0] == status.split(" ")[0], timeout=5000)
    assert "Docker" in w.engine_status.text()
    # live again: an event after the restart still reaches the table
    eng.docker("stop", "-t", "0", "after")
    qtbot.waitUntil(lambda: cell(w, "after", Column.STATUS).startswith("Exited"), timeout=10000)
    w.live.stop()
    engine.reset_connection()


class UrlCatcher:
    """Receives the URLs Berth asks the desktop to open (QDesktopServices' handler API)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QObject, Slot

        urls = self.urls = []

        class Receiver(QObject):
            @Slot("QUrl")
            def open(self, url) -> None:
                urls.append(url.toString())

        self.receiver = Receiver()


def test_published_port_opens_in_the_browser(window, qtbot, cleanup):
    import urllib.request

    from PySide6.QtGui import QDesktopServices

    name = cleanup.name("web")
    cleanup.run("--name", name, "-p", "127.0.0.1::80", "httpd:latest")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0 and "->80/tcp" in cell(window, name, Column.PORTS),
                    timeout=5000)
    port = docker("port", name, "80/tcp").split(":")[-1].strip()
    assert cell(window, name, Column.PORTS) == f"127.0.0.1:{port}->80/tcp"
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("http", catcher.receiver, "open")
    try:
        src = window.containers_model.index(row_of(window, name), Column.PORTS)
        idx = window.containers_proxy.mapFromSource(src)
        window.containers_table.doubleClicked.emit(idx)
        qtbot.waitUntil(lambda: bool(catcher.urls), timeout=2000)
    finally:
        QDesktopServices.unsetUrlHandler("http")
    assert catcher.urls == [f"http://127.0.0.1:{port}/"]
    with urllib.request.urlopen(catcher.urls[0], timeout=5) as res:
        assert b"It works!" in res.read()


def test_copy_id(window, qtbot, cleanup):
    from PySide6.QtGui import QGuiApplication

    name = cleanup.name("cp")
    cid = cleanup.run("--name", name, "docker/whalesay:latest", "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    select_names(window, [name])
    window.container_actions.copy_id.trigger()
    assert QGuiApplication.clipboard().text() == cid


def test_logs_open_in_the_dock_and_the_last_tab_closed_hides_it(window, qtbot, cleanup):
    name = cleanup.name("logs")
    cleanup.run("--name", name, "docker/whalesay:latest", "sh", "-c", "echo hello-dock; sleep 300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    select_names(window, [name])
    window.container_actions.logs.trigger()
    assert window.docks.log_dock.isVisible() and window.docks.log_tabs.count() == 1
    viewer = window.docks.log_tabs.currentWidget()
    qtbot.waitUntil(lambda: viewer.view.toPlainText() == "hello-dock" or viewer.flush(), timeout=10_000)
    window.docks.log_tabs.close_tab(0)
    assert window.docks.log_tabs.count() == 0 and not window.docks.log_dock.isVisible()


def test_tag_image_through_the_tag_dialog(window, qtbot, cleanup):
    from PySide6.QtWidgets import QInputDialog

    from tests.conftest import RUN_ID

    ref = cleanup.image(f"berth-test-{RUN_ID}/tagged:v1")
    qtbot.waitUntil(lambda: image_row(window, "docker/whalesay:latest") >= 0, timeout=5000)
    window.tabs.setCurrentWidget(window.images_table)
    idx = window.images_proxy.mapFromSource(window.images_model.index(image_row(window, "docker/whalesay:latest"), 0))
    sm = window.images_table.selectionModel()
    sm.select(idx, sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)
    assert window.image_actions.tag.isEnabled()
    window.image_actions.tag.trigger()
    dlg = window.findChild(QInputDialog, "tagDialog")
    assert dlg is not None and dlg.isVisible()
    dlg.setTextValue(ref)
    dlg.accept()
    qtbot.waitUntil(lambda: image_row(window, ref) >= 0, timeout=5000)
    assert docker("images", "-q", ref).strip() == docker("images", "-q", "docker/whalesay:latest").strip()


def test_window_opens_and_says_so_when_no_engine_answers(qtbot, qloop, tmp_path):
    engine = Engine(host=f"unix://{tmp_path}/nothing.sock")
    w = MainWindow(engine)
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: "Not connected" in w.engine_status.text(), timeout=5000)
    assert "does not answer" in w.engine_status.text()
    assert w.containers_model.rowCount() == 0 and w.isVisible()
    # it keeps trying with back-off (the status says when)
    assert "Retrying in" in w.engine_status.text()
    w.live.stop()


def test_the_engine_menu_checks_the_context_in_use_not_a_host_given_by_address(qtbot, qloop, tmp_path,
                                                                             docker_engine):
    def checked(engine: Engine) -> list[str]:
        w = MainWindow(engine)
        qtbot.addWidget(w)
        w.engine_switcher.fill()
        return [a.text().split()[0] for a in w.engine_menu.actions() if a.isChecked()]

    assert Engine(context="default").explicit_host is False
    assert checked(Engine(context="default")) == ["default"]
    # the same socket, but given by address: no context is the one in use
    by_address = Engine(host="unix:///var/run/docker.sock")
    assert by_address.explicit_host is True
    assert checked(by_address) == []


def test_geometry_columns_and_sort_order_persist(qtbot, qloop, docker_engine):
    w = MainWindow(Engine())
    qtbot.addWidget(w)
    w.show()
    w.resize(700, 500)
    qtbot.waitUntil(lambda: w.width() == 700)
    w.containers_table.setColumnWidth(Column.IMAGE, 333)
    w.containers_table.sortByColumn(Column.NAMES, Qt.SortOrder.AscendingOrder)
    w.save_settings()
    w.close()
    w2 = MainWindow(Engine())
    qtbot.addWidget(w2)
    w2.show()
    assert w2.size().width() == 700 and w2.size().height() == 500  # the offscreen screen is 800x600
    assert w2.containers_table.columnWidth(Column.IMAGE) == 333
    header = w2.containers_table.horizontalHeader()
    assert header.sortIndicatorSection() == Column.NAMES
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder


def test_a_container_that_exits_at_once_shows_exited(window, qtbot, cleanup):
    """The engine reports ``die`` a moment before its list shows the container exited;
    the row must still end up saying what docker ps -a says, without a refresh."""
    window.live.monitor.coalesce = 0  # ask at once: the engine's list is then often behind
    names = [cleanup.name("quick") for _ in range(5)]
    for n in names:
        docker("run", "--name", n, *cleanup.label_args(), "docker/whalesay:latest", "cowsay", "boo")
    for n in names:
        qtbot.waitUntil(lambda n=n: row_of(window, n) >= 0 and cell(window, n, Column.STATUS).startswith("Exited"),
                        timeout=5000)
    running = sum(1 for c in window.containers_model.records() if c.name in names and c.running)
    assert running == 0


def test_the_row_under_the_pointer_stays_put_while_containers_come(window, qtbot, cleanup):
    """Newest first, containers created while the list is at its top go above the row
    the user points at and would move it away just before the click; while the pointer
    is over the list they do not (scrolled down, the table keeps its rows in place by
    itself)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    def create(n: int, hint: str) -> list[str]:
        time.sleep(1.1)  # the engine gives creation times to the second: these come later
        names = [cleanup.name(hint) for _ in range(n)]
        for name in names:
            docker("create", "--name", name, *cleanup.label_args(), "--network", "none", WHALESAY, "true")
        qtbot.waitUntil(lambda: all(row_of(window, n) >= 0 for n in names), timeout=15000)
        return names

    view = window.containers_table
    bar = view.verticalScrollBar()
    create(20, "many")
    window.resize(900, 420)
    qtbot.waitUntil(lambda: bar.maximum() >= 5, timeout=5000)
    bar.setValue(0)  # at the top, where the newest come
    viewport = view.viewport()
    y = view.rowViewportPosition(3) + 5

    def name_at(y: int) -> str:
        return view.indexAt(QPoint(40, y)).siblingAtColumn(Column.NAMES).data()

    QTest.mouseMove(viewport, QPoint(40, y))
    pointed = name_at(y)
    assert pointed
    create(4, "above")  # all four go above the row pointed at
    assert name_at(y) == pointed
    assert bar.value() == 4  # the new rows are a scroll away

    # the pointer gone, the list behaves as before: at the top, the newest show at once
    bar.setValue(0)
    QTest.mouseMove(window.statusBar(), QPoint(10, 5))
    qtbot.waitUntil(lambda: not viewport.underMouse(), timeout=5000)
    above = name_at(y - view.rowHeight(0))
    create(1, "later")
    assert bar.value() == 0 and name_at(y) == above


def test_the_toolbar_shows_the_current_tabs_actions(window, qtbot):
    """On the Images tab the tool bar offers the image actions, not disabled container ones."""
    from PySide6.QtWidgets import QToolButton

    bar = window.toolbar
    containers = bar.findChild(QWidget, "containerButtons")
    images = bar.findChild(QWidget, "imageButtons")
    assert containers.isVisible() and not images.isVisible()
    qtbot.waitUntil(lambda: image_row(window, "docker/whalesay:latest") >= 0, timeout=5000)
    window.tabs.setCurrentWidget(window.images_table)
    qtbot.waitUntil(lambda: images.isVisible() and not containers.isVisible(), timeout=2000)
    idx = window.images_proxy.mapFromSource(window.images_model.index(image_row(window, "docker/whalesay:latest"), 0))
    sm = window.images_table.selectionModel()
    sm.select(idx, sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)
    buttons = {b.objectName(): b for b in images.findChildren(QToolButton)}
    assert set(buttons) == {"actionRunImageButton", "actionTagImageButton", "actionRemoveImageButton"}
    assert all(b.isEnabled() for b in buttons.values())
    window.tabs.setCurrentWidget(window.containers_table)
    qtbot.waitUntil(lambda: containers.isVisible() and not images.isVisible(), timeout=2000)


def test_confirmations_default_to_cancel(window, qtbot, cleanup):
    """Enter in any remove confirmation means Cancel: the destructive button is never the default."""
    name = cleanup.name("dflt")
    cleanup.run("--name", name, "docker/whalesay:latest", "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    select_names(window, [name])
    window.container_actions.remove.trigger()
    box = _confirm(qtbot, window, "confirmRemove", "none")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    window.tabs.setCurrentWidget(window.images_table)
    sm = window.images_table.selectionModel()
    idx = window.images_proxy.mapFromSource(window.images_model.index(image_row(window, "httpd:latest"), 0))
    sm.select(idx, sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)
    window.image_actions.remove.trigger()
    box = _confirm(qtbot, window, "confirmRemoveImage", "none")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=2000)
    qtbot.wait(300)
    assert docker("images", "-q", "httpd:latest").strip()  # Enter cancelled


def _select_image(window, ref: str) -> None:
    sm = window.images_table.selectionModel()
    idx = window.images_proxy.mapFromSource(window.images_model.index(image_row(window, ref), 0))
    sm.select(idx, sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)


def _offers_box(qtbot, window):
    qtbot.waitUntil(lambda: any(b.isVisible() and b.objectName() == "errorBox"
                                for b in window.findChildren(QMessageBox)), timeout=10000)
    return next(b for b in window.findChildren(QMessageBox) if b.isVisible() and b.objectName() == "errorBox")


def test_an_image_in_use_names_its_containers_and_offers_what_works(window, qtbot, cleanup, route):
    from PySide6.QtWidgets import QPushButton

    from tests.conftest import RUN_ID

    ref = cleanup.image(f"berth-test-{RUN_ID}/inuse:one")
    docker("commit", docker("create", *cleanup.label_args(), "docker/whalesay:latest", "true").strip(), ref)
    qtbot.waitUntil(lambda: image_row(window, ref) >= 0, timeout=5000)
    web = cleanup.name("web")
    cleanup.run("--name", web, "--stop-timeout", "1", ref, "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, web) >= 0, timeout=5000)
    window.tabs.setCurrentWidget(window.images_table)
    _select_image(window, ref)
    window.image_actions.remove.trigger()
    _confirm(qtbot, window, "confirmRemoveImage", "confirmRemoveImageButton")
    box = _offers_box(qtbot, window)
    assert web in box.text() and "(running)" in box.text()
    offers = {b.objectName(): b for b in box.findChildren(QPushButton) if b.objectName().endswith("UsersButton")
              or b.objectName() == "forceUntagButton"}
    assert set(offers) == {"stopUsersButton", "forceUntagButton"}
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    offers["stopUsersButton"].click()
    qtbot.waitUntil(lambda: image_row(window, ref) < 0 and row_of(window, web) < 0, timeout=30000)
    assert not docker("images", "-q", ref).strip()
    assert not ps_field(web, "Names")


def test_rename_says_what_is_wrong_as_typed_and_keeps_the_text(window, qtbot, cleanup, route):
    name = cleanup.name("rn")
    other = cleanup.name("rn-other")
    cleanup.run("--name", name, "docker/whalesay:latest", "sleep", "300")
    docker("create", "--name", other, *cleanup.label_args(), "docker/whalesay:latest")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0 and row_of(window, other) >= 0, timeout=5000)
    assert window.select_container(window.containers_model.record(row_of(window, name)).id)
    qtbot.keyClick(window.containers_table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.containers_table.state() == window.containers_table.State.EditingState,
                    timeout=2000)
    editor = window.containers_table.findChild(QLineEdit, "renameEdit")
    editor.selectAll()
    qtbot.keyClicks(editor, "bad name!")
    message = window.containers_table.findChild(QLabel, "renameMessage")
    assert message.isVisible() and "bad name!" in message.text()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.containers_table.state() == window.containers_table.State.EditingState  # still open
    assert editor.text() == "bad name!"  # nothing typed is lost
    assert route.history == []  # no message box
    editor.setText(other)
    assert "already used" in message.text()
    editor.setText(name + "-ok")
    cleanup.container(name + "-ok")
    assert not message.isVisible()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: row_of(window, name + "-ok") >= 0, timeout=5000)
    assert ps_field(name + "-ok", "Names") == name + "-ok"


def test_a_log_tab_follows_a_rename(window, qtbot, cleanup):
    name = cleanup.name("lt")
    cid = cleanup.run("--name", name, "docker/whalesay:latest", "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    select_names(window, [name])
    window.container_actions.logs.trigger()
    tabs = window.docks.log_tabs
    assert tabs.tabText(0) == name
    new = cleanup.container(name + "-new")
    docker("rename", cid, new)
    qtbot.waitUntil(lambda: tabs.tabText(0) == new, timeout=5000)
    assert new in tabs.tabToolTip(0)
    assert tabs.currentWidget().container.name == new


def test_help_has_getting_started_and_the_shortcuts(window, qtbot):
    from PySide6.QtWidgets import QTextBrowser

    help_menu = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Help")
    names = [a.objectName() for a in help_menu.actions()]
    assert names[:2] == ["actionGettingStarted", "actionShortcuts"]
    window.action_getting_started.trigger()
    text = window.help_dialog.findChild(QTextBrowser).toPlainText()
    for step in ("docker login", "docker pull", "docker run", "docker ps -a", "docker rename", "docker rm",
                 "818:80", "docker cp"):
        assert step in text, step
    window.help_dialog.close()
    window.action_shortcuts.trigger()
    text = window.help_dialog.findChild(QTextBrowser).toPlainText()
    assert "Ctrl+R" in text and "F2" in text and "Ctrl+L" in text and "Del" in text
    window.help_dialog.close()


def test_the_window_has_a_minimum_size(window):
    assert window.minimumWidth() >= 600 and window.minimumHeight() >= 360


def test_the_ports_cell_is_a_link_to_the_page(window, qtbot, cleanup):
    import urllib.request

    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QStyleOptionViewItem

    name = cleanup.name("link")
    cleanup.run("--name", name, "-p", "127.0.0.1::80", "httpd:latest")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    port = docker("port", name, "80/tcp").split(":")[-1].strip()
    src = window.containers_model.index(row_of(window, name), Column.PORTS)
    idx = window.containers_proxy.mapFromSource(src)
    option = QStyleOptionViewItem()
    window.container_actions.ports_link.initStyleOption(option, idx)
    assert option.font.underline()  # drawn as a link
    catcher = UrlCatcher()
    urls = catcher.urls
    QDesktopServices.setUrlHandler("http", catcher.receiver, "open")
    try:
        window.containers_table.scrollTo(idx)
        center = window.containers_table.visualRect(idx).center()
        qtbot.mouseClick(window.containers_table.viewport(), Qt.MouseButton.LeftButton, pos=center)
        qtbot.waitUntil(lambda: bool(urls), timeout=3000)
        window.containers_table.doubleClicked.emit(idx)  # the click was the first of a double-click
        qtbot.wait(50)
    finally:
        QDesktopServices.unsetUrlHandler("http")
    assert urls == [f"http://127.0.0.1:{port}/"]  # opened once
    for _ in range(50):  # the page is really there (busybox httpd takes a moment to listen)
        try:
            with urllib.request.urlopen(urls[0], timeout=2) as res:
                assert b"It works!" in res.read()
                break
        except OSError:
            time.sleep(0.1)
    else:
        raise AssertionError("nothing answered at " + urls[0])


def test_refresh_lists_again_through_the_monitor(window, qtbot, cleanup):
    """Refresh is one list of each kind, asked of the monitor; the table gets back a row
    it had lost."""
    name = cleanup.name("refresh")
    cleanup.run("--name", name, WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=8000)
    cid = window.containers_model.record(row_of(window, name)).id
    window.containers_model.remove(cid)
    window.engine.request_log.clear()
    window.refresh()
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    qtbot.waitUntil(lambda: any(p == "/images/json" for m, p, q in list(window.engine.request_log)), timeout=5000)
    full = [p for m, p, q in list(window.engine.request_log) if p == "/containers/json" and "filters" not in q]
    assert full == ["/containers/json"]
    assert window.live.store.containers.get(cid) is not None


def test_the_run_dialog_reads_the_live_picture_and_sends_no_list(window, qtbot, cleanup):
    """Opening and using the run dialog costs no list request: its checks read the store.
    Running a container then costs only the rows the Monitor fetches for its events."""
    taken = cleanup.name("taken")
    docker("create", "--name", taken, *cleanup.label_args(), WHALESAY)
    qtbot.waitUntil(lambda: row_of(window, taken) >= 0, timeout=5000)
    qtbot.wait(300)
    window.engine.request_log.clear()
    window.action_run.trigger()
    dlg = window.dialogs.run_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=3000)
    dlg.findChild(QLineEdit, "imageEdit").setText(WHALESAY)
    dlg.findChild(QLineEdit, "nameEdit").setText(taken)
    qtbot.waitUntil(lambda: dlg.findChild(QLabel, "nameMessage").isVisible(), timeout=2000)
    assert "already exists" in dlg.findChild(QLabel, "nameMessage").text()  # known without asking
    name = cleanup.name("ran")
    dlg.findChild(QLineEdit, "nameEdit").setText(name)
    dlg.findChild(QLineEdit, "commandEdit").setText("cowsay hi")
    qtbot.wait(500)
    lists = [(p, q) for m, p, q in list(window.engine.request_log) if p in ("/containers/json", "/images/json")]
    assert lists == []
    events: list[dict] = []
    window.live.engineEvent.connect(events.append)
    with qtbot.waitSignal(dlg.created, timeout=30000) as created:
        qtbot.mouseClick(dlg.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    cid = created.args[0]
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    qtbot.wait(2500)  # past the time the dialog watches a new container for its output
    about_it = [q for m, p, q in list(window.engine.request_log) if p == "/containers/json" and cid in q]
    its_events = [e for e in events if e.get("Type") == "container" and (e.get("Actor") or {}).get("ID") == cid]
    # the Monitor's rows for the new container's events (and its rechecks of a die the
    # engine's list shows late), nothing of the dialog's own: it used to ask for the row
    # four times a second for two seconds while it watched
    from desktop.engine.monitor import RECHECK_DELAYS

    assert len(about_it) <= len(its_events) + len(RECHECK_DELAYS), (about_it, [e.get("Action") for e in its_events])


def test_rename_knows_the_names_of_rows_a_filter_hides(window, qtbot, cleanup):
    name, hidden = cleanup.name("vis"), cleanup.name("hid")
    cleanup.run("--name", name, "docker/whalesay:latest", "sleep", "300")
    docker("create", "--name", hidden, *cleanup.label_args(), "docker/whalesay:latest")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0 and row_of(window, hidden) >= 0, timeout=5000)
    window.filter_edit.setText(name)  # the other container is not shown
    assert window.select_container(window.containers_model.record(row_of(window, name)).id)
    qtbot.keyClick(window.containers_table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.containers_table.state() == window.containers_table.State.EditingState,
                    timeout=2000)
    editor = window.containers_table.findChild(QLineEdit, "renameEdit")
    editor.setText(hidden)
    message = window.containers_table.findChild(QLabel, "renameMessage")
    assert message.isVisible() and "already used" in message.text()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
