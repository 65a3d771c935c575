"""The window without a mouse: the command palette, the shortcuts and their tooltips,
the tab order and visible focus, Enter and Esc in every dialog, and accessible names on
every action and button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QTabBar,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from desktop.engine.records import Container, State
from desktop.ui.shell.command_palette import plain
from desktop.ui.shell.equivalents import docker_equivalent
from desktop.ui.shell.keyboard import SHORTCUTS
from tests.conftest import WHALESAY, docker
from tests.ui.test_main_window import image_row, ps_field, row_of, select_names

CTRL = Qt.KeyboardModifier.ControlModifier


def record(name: str, state: State) -> Container:
    return Container(id="0" * 64, names=(f"/{name}",), image=WHALESAY, image_id="sha256:" + "1" * 64,
                     command="sleep 300", created=0, state=state, status="")


# -- the docker equivalents (a pure function) ---------------------------------------------
def test_docker_equivalents_name_the_selection():
    web, old = record("web", State.RUNNING), record("old one", State.EXITED)
    assert docker_equivalent("actionStop", containers=[web]) == "docker stop web"
    # a bulk operation names the containers it applies to, as Berth does it
    assert docker_equivalent("actionStart", containers=[web, old]) == "docker start 'old one'"
    assert docker_equivalent("actionStop") == "docker stop NAME"
    assert docker_equivalent("actionRemove", containers=[old]) == "docker container rm 'old one'"
    assert docker_equivalent("actionRemove", containers=[web, old]) == "docker container rm -f web 'old one'"
    assert docker_equivalent("actionRename", containers=[web]) == "docker rename web NEW_NAME"
    assert docker_equivalent("actionLogs", containers=[web]) == "docker logs -f web"
    assert docker_equivalent("actionRun") == "docker run -d IMAGE"
    assert docker_equivalent("actionLogin", registry="127.0.0.1:5000") == "docker login 127.0.0.1:5000"
    assert docker_equivalent("actionLogin") == "docker login"
    assert docker_equivalent("actionRefresh") == "docker ps -a"
    assert docker_equivalent("actionRefresh", on_images=True) == "docker images"
    assert docker_equivalent("actionUseContext", data="remote") == "docker context use remote"
    assert docker_equivalent("actionQuit") is None


# -- the command palette -------------------------------------------------------------------
def open_palette(qtbot, window, at: QWidget):
    at.setFocus()
    qtbot.keyClick(at, Qt.Key.Key_K, CTRL)
    palette = window.keyboard.palette
    qtbot.waitUntil(palette.isVisible, timeout=2000)
    return palette


def row(palette, title: str):
    return next(i for i in palette.items() if i.text(0) == title)


def test_the_palette_runs_the_chosen_action_on_the_selection(window, qtbot, cleanup):
    name = cleanup.name("pal")
    cleanup.run("--name", name, "--stop-timeout", "1", WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    select_names(window, [name])
    palette = open_palette(qtbot, window, window.containers_table)
    titles = [i.text(0) for i in palette.items()]
    # every menu's actions, with their place, shortcut and docker equivalent
    for title in ("File ▸ Log In…", "File ▸ Engine ▸ Connect to Host…", "Container ▸ Run…", "Container ▸ Stop",
                  "Container ▸ Copy Into ▸ A Folder…", "Image ▸ Pull…", "Image ▸ Tag Image…", "View ▸ Refresh",
                  "View ▸ Logs", "View ▸ Images", "Help ▸ Keyboard Shortcuts"):
        assert title in titles, title
    assert "View ▸ Command Palette…" not in titles  # not itself
    stop = row(palette, "Container ▸ Stop")
    assert stop.text(1) == QKeySequence("Ctrl+Shift+X").toString(QKeySequence.SequenceFormat.NativeText)
    assert stop.text(2) == f"docker stop {name}"
    assert row(palette, "Container ▸ Remove…").text(2) == f"docker container rm -f {name}"  # it runs
    assert row(palette, "Image ▸ Pull…").text(2) == "docker image pull IMAGE"
    assert not row(palette, "Container ▸ Start").flags() & Qt.ItemFlag.ItemIsEnabled  # it runs already

    qtbot.keyClicks(palette.field, "stop")
    assert [i.text(0) for i in palette.shown()] == ["Container ▸ Stop"]
    assert palette.list.currentItem() is stop
    qtbot.keyClick(palette.field, Qt.Key.Key_Return)
    assert not palette.isVisible()
    assert QApplication.focusWidget() is window.containers_table  # back where it was
    qtbot.waitUntil(lambda: ps_field(name, "State") == "exited", timeout=20000)


def test_the_palette_moves_with_the_arrows_over_what_can_run_and_closes_with_esc(window, qtbot):
    window.filter_edit.setText("abc")
    window.filter_edit.setCursorPosition(0)
    palette = open_palette(qtbot, window, window.filter_edit)
    assert window.filter_edit.text() == "abc"  # Ctrl+K opened the palette, it deleted nothing
    shown = palette.shown()
    usable = [i for i in shown if i.flags() & Qt.ItemFlag.ItemIsEnabled]
    assert len(usable) < len(shown)  # nothing selected: the container actions cannot run
    assert palette.list.currentItem() is usable[0]
    qtbot.keyClick(palette.field, Qt.Key.Key_Down)
    qtbot.keyClick(palette.field, Qt.Key.Key_Down)
    assert palette.list.currentItem() is usable[2]
    qtbot.keyClick(palette.field, Qt.Key.Key_Up)
    assert palette.list.currentItem() is usable[1]
    # "docker images" finds the actions that list images by the command they stand for
    qtbot.keyClicks(palette.field, "docker images")
    assert {i.text(0) for i in palette.shown()} == {"View ▸ Images"}
    qtbot.keyClick(palette.field, Qt.Key.Key_Escape)
    assert not palette.isVisible()
    assert QApplication.focusWidget() is window.filter_edit
    # Enter on View ▸ Images switches the tab
    palette = open_palette(qtbot, window, window.containers_table)
    qtbot.keyClicks(palette.field, "view images")
    qtbot.keyClick(palette.field, Qt.Key.Key_Enter)
    assert window.tabs.currentWidget() is window.images_table


# -- shortcuts ---------------------------------------------------------------------------
def enabled_shortcuts(window) -> list[str]:
    return [a.shortcut().toString() for a in window.findChildren(QAction)
            if not a.shortcut().isEmpty() and a.isEnabled()]


def test_shortcuts_are_named_in_tooltips_and_never_ambiguous(window, qtbot, cleanup):
    by_name = {a.objectName(): a for a in window.findChildren(QAction) if a.objectName()}
    for name, keys in SHORTCUTS.items():
        assert by_name[name].shortcut() == QKeySequence(keys), name
    for a in by_name.values():
        keys = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:  # one scheme: "Stop the selected containers (Ctrl+Shift+X)"
            assert a.toolTip().endswith(f" ({keys})"), (a.objectName(), a.toolTip())
    run_button = window.toolbar.widgetForAction(window.action_run)
    assert run_button.toolTip() == "Run a new container (Ctrl+R)"
    stop_button = window.findChild(QToolButton, "actionStopButton")
    assert stop_button.toolTip().endswith("(Ctrl+Shift+X)")

    name = cleanup.name("keys")
    cleanup.run("--name", name, WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    select_names(window, [name])
    window._update_actions()
    on_containers = enabled_shortcuts(window)
    assert "Del" in on_containers and "F2" in on_containers
    assert len(on_containers) == len(set(on_containers)), on_containers
    qtbot.keyClick(window.containers_table, Qt.Key.Key_2, CTRL)  # View ▸ Images
    assert window.tabs.currentWidget() is window.images_table
    qtbot.waitUntil(lambda: image_row(window, WHALESAY) >= 0, timeout=5000)
    idx = window.images_proxy.mapFromSource(window.images_model.index(image_row(window, WHALESAY), 0))
    sm = window.images_table.selectionModel()
    sm.select(idx, sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)
    on_images = enabled_shortcuts(window)
    assert "Del" in on_images and "Ctrl+T" in on_images and "F2" not in on_images
    assert len(on_images) == len(set(on_images)), on_images
    qtbot.keyClick(window.images_table, Qt.Key.Key_1, CTRL)
    assert window.tabs.currentWidget() is window.containers_table


# -- tab order and focus -------------------------------------------------------------------
def tab_through(qtbot, start: QWidget, key=Qt.Key.Key_Tab, limit: int = 40) -> list[QWidget]:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    seen: list[QWidget] = []
    for _ in range(limit):
        f = QApplication.focusWidget()
        if f in seen:
            break
        seen.append(f)
        qtbot.keyClick(f, key)
    return seen


def test_tab_goes_through_tool_bar_tabs_filter_and_table(window, qtbot, cleanup):
    name = cleanup.name("tab")
    cleanup.run("--name", name, WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    select_names(window, [name])
    window._update_actions()
    run = window.toolbar.widgetForAction(window.action_run)
    stop = window.findChild(QToolButton, "actionStopButton")
    refresh = window.toolbar.widgetForAction(window.action_refresh)
    bar = window.tabs.findChild(QTabBar)
    order = [run, window.toolbar.widgetForAction(window.action_pull), stop, refresh, bar, window.filter_edit,
             window.containers_table]
    seen = tab_through(qtbot, run)
    assert all(w in seen for w in order), [w.objectName() or w.accessibleName() for w in seen]
    assert [w for w in seen if w in order] == order  # in this order, and round again
    assert window.findChild(QToolButton, "actionStartButton") not in seen  # disabled: it runs
    back = tab_through(qtbot, window.containers_table, Qt.Key.Key_Backtab)
    assert [w for w in back if w in order] == [window.containers_table, *reversed(order[:-1])]
    # Tab leaves a table full of rows (the arrows move in it)
    window.containers_table.setFocus()
    qtbot.keyClick(window.containers_table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not window.containers_table
    # on the images tab, its table
    window.tabs.setCurrentWidget(window.images_table)
    assert window.images_table in tab_through(qtbot, run)


def test_focus_is_visible_on_tool_buttons_and_the_tab_bar(window, qtbot):
    window.activateWindow()
    for widget in (window.toolbar.widgetForAction(window.action_pull), window.tabs.findChild(QTabBar)):
        window.containers_table.setFocus()
        before = widget.grab().toImage()
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        assert widget.hasFocus()
        assert widget.grab().toImage() != before, widget


# -- Enter and Esc in every dialog ---------------------------------------------------------
def esc_closes(qtbot, dialog: QDialog) -> None:
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    target = QApplication.focusWidget() if dialog.isAncestorOf(QApplication.focusWidget()) else dialog
    qtbot.keyClick(target, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    if isinstance(dialog, QMessageBox):
        assert dialog.clickedButton() is dialog.button(QMessageBox.StandardButton.Cancel)
    elif hasattr(dialog, "state"):  # the copy dialog says where it is
        assert dialog.state == "cancelled" or dialog.state == "ready"
    else:
        assert dialog.result() == QDialog.DialogCode.Rejected


def enter(qtbot, dialog: QDialog) -> None:
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    focus = QApplication.focusWidget()
    qtbot.keyClick(focus if dialog.isAncestorOf(focus) else dialog, Qt.Key.Key_Return)


def test_run_dialog_enter_runs_and_esc_cancels(window, qtbot, cleanup):
    esc_closes(qtbot, window.dialogs.open_run(WHALESAY))
    name = cleanup.name("enter")
    dlg = window.dialogs.open_run(WHALESAY)
    name_edit = dlg.findChild(QLineEdit, "nameEdit")
    name_edit.setFocus()
    qtbot.keyClicks(name_edit, name)
    command = dlg.findChild(QLineEdit, "commandEdit")
    command.setText("sleep 300")
    qtbot.waitUntil(dlg.ok_button.isEnabled, timeout=5000)
    enter(qtbot, dlg)
    qtbot.waitUntil(lambda: ps_field(name, "State") == "running", timeout=20000)


def test_pull_host_help_and_about_dialogs_take_enter_and_esc(window, qtbot):
    pull = window.dialogs.open_pull("httpd:latest")
    with qtbot.waitSignal(pull.ok_button.clicked, timeout=3000):
        enter(qtbot, pull)  # Enter is Pull
    esc_closes(qtbot, pull) if pull.isVisible() else None
    esc_closes(qtbot, window.dialogs.open_pull())

    window.engine_switcher.ask_host()
    host = window.engine_switcher.host_dialog
    esc_closes(qtbot, host)
    window.engine_switcher.ask_host()
    host = window.engine_switcher.host_dialog
    enter(qtbot, host)  # the engine shown: nothing to switch, the dialog closes
    qtbot.waitUntil(lambda: not host.isVisible(), timeout=3000)
    assert host.result() == QDialog.DialogCode.Accepted

    for open_help in (window.action_getting_started, window.action_shortcuts):
        open_help.trigger()
        esc_closes(qtbot, window.help_dialog)
        open_help.trigger()
        dlg = window.help_dialog
        enter(qtbot, dlg)
        qtbot.waitUntil(lambda dlg=dlg: not dlg.isVisible(), timeout=3000)

    window.action_about.trigger()
    box = window.findChild(QMessageBox, "aboutBox")
    enter(qtbot, box)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=3000)


def test_tag_and_confirmation_dialogs_take_enter_and_esc(window, qtbot, cleanup):
    from tests.conftest import RUN_ID

    ref = cleanup.image(f"berth-test-{RUN_ID}/entered:v1")
    qtbot.waitUntil(lambda: image_row(window, WHALESAY) >= 0, timeout=5000)
    window.tabs.setCurrentWidget(window.images_table)
    idx = window.images_proxy.mapFromSource(window.images_model.index(image_row(window, WHALESAY), 0))
    sm = window.images_table.selectionModel()
    sm.select(idx, sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)
    window.image_actions.tag.trigger()
    esc_closes(qtbot, window.findChild(QInputDialog, "tagDialog"))
    qtbot.waitUntil(lambda: window.findChild(QInputDialog, "tagDialog") is None, timeout=3000)
    window.image_actions.tag.trigger()
    dlg = window.findChild(QInputDialog, "tagDialog")
    dlg.setTextValue(ref)
    enter(qtbot, dlg)
    qtbot.waitUntil(lambda: image_row(window, ref) >= 0, timeout=5000)

    window.image_actions.remove.trigger()
    box = window.findChild(QMessageBox, "confirmRemoveImage")
    esc_closes(qtbot, box)  # Esc is Cancel, as Enter is (tests/ui/test_main_window.py)
    assert docker("images", "-q", ref).strip()


def test_login_output_and_copy_dialogs_take_enter_and_esc(qtbot, qloop, cleanup, tmp_path, isolated_credentials,
                                                          settings):
    from desktop.engine.client import Engine
    from desktop.engine.credentials import CredentialStore
    from desktop.ui.containers.output_dialog import OutputDialog
    from desktop.ui.files.copy import CopyDialog
    from desktop.ui.registry.login_dialog import LoginDialog
    from tests.conftest import HTTPD, REGISTRY, REGISTRY_PASSWORD, REGISTRY_USER
    from tests.ui.test_copy import record as copy_record

    engine = Engine(credentials=CredentialStore(directory=isolated_credentials))
    try:
        esc_closes(qtbot, _shown(qtbot, LoginDialog(engine, None, registry=REGISTRY)))
        login = _shown(qtbot, LoginDialog(engine, None, registry=REGISTRY))
        login.findChild(QLineEdit, "usernameEdit").setText(REGISTRY_USER)
        password = login.findChild(QLineEdit, "passwordEdit")
        password.setText(REGISTRY_PASSWORD)
        password.setFocus()
        with qtbot.waitSignal(login.loggedIn, timeout=20000):
            enter(qtbot, login)

        cid = cleanup.run("--name", cleanup.name("out"), WHALESAY, "echo", "hi")
        for key in (Qt.Key.Key_Escape, Qt.Key.Key_Return):
            out = _shown(qtbot, OutputDialog(engine, cid, "out"))
            qtbot.keyClick(out, key)
            qtbot.waitUntil(lambda out=out: not out.isVisible(), timeout=3000)

        (tmp_path / "page.html").write_text("hello")
        web = cleanup.run("--name", cleanup.name("cp"), HTTPD)
        copy = _shown(qtbot, CopyDialog(engine, copy_record(web), [str(tmp_path / "page.html")], settings=settings,
                                        dest="/tmp"))
        esc_closes(qtbot, copy)
        copy = _shown(qtbot, CopyDialog(engine, copy_record(web), [str(tmp_path / "page.html")], settings=settings,
                                        dest="/tmp"))
        enter(qtbot, copy)  # Enter is Copy
        qtbot.waitUntil(lambda: copy.state in ("done", "failed"), timeout=20000)
        assert copy.state == "done", copy.statusLabel.text()
        assert docker("exec", web, "cat", "/tmp/page.html") == "hello"
        copy.close()
    finally:
        engine.reset_connection()


def _shown(qtbot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    return dialog


# -- accessible names -------------------------------------------------------------------
def unnamed(root: QWidget) -> list[str]:
    """The buttons and actions under ``root`` whose name says nothing of what they do."""
    def meaningful(name: str, object_name: str) -> bool:
        name = plain(name).strip()
        return any(ch.isalpha() for ch in name) and name != object_name and not name.startswith(("qt_", "action"))
    found = []
    for b in root.findChildren(QAbstractButton):
        iface = QAccessible.queryAccessibleInterface(b)
        name = iface.text(QAccessible.Text.Name) if iface is not None else ""
        if not meaningful(name, b.objectName()):
            found.append(f"{type(b).__name__} {b.objectName()!r}: {name!r}")
    for a in root.findChildren(QAction):
        if a.isSeparator() or isinstance(a, QWidgetAction):  # a widget in a tool bar: its buttons count
            continue
        if not meaningful(a.text(), a.objectName()):
            found.append(f"QAction {a.objectName()!r}: {a.text()!r} in {a.parent()!r} of {a.associatedObjects()!r}")
    return found


def test_every_action_and_button_has_a_name_that_says_what_it_does(window, qtbot, cleanup):
    name = cleanup.name("a11y")
    cleanup.run("--name", name, WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    select_names(window, [name])
    window.engine_switcher.fill()
    window.container_actions.logs.trigger()
    window.container_actions.files.trigger()
    window.keyboard.palette.open_palette()
    assert unnamed(window) == [], "\n".join(unnamed(window))
    window.keyboard.palette.close()

    dialogs = [window.dialogs.open_run(WHALESAY), window.dialogs.open_pull(), window.dialogs.open_login()]
    window.engine_switcher.ask_host()
    dialogs.append(window.engine_switcher.host_dialog)
    window.container_actions.remove.trigger()
    dialogs.append(window.findChild(QMessageBox, "confirmRemove"))
    for help_action in (window.action_getting_started, window.action_shortcuts):
        help_action.trigger()
        dialogs.append(window.help_dialog)
    for dlg in dialogs:
        assert dlg is not None
        for more in dlg.findChildren(QToolButton, "advancedToggle"):
            more.setChecked(True)  # what the advanced options show counts too
        assert unnamed(dlg) == [], dlg.objectName()
        dlg.close()



def test_ctrl_f_finds_in_a_log_and_filters_the_list_elsewhere(window, qtbot, cleanup):
    name = cleanup.name("find")
    cleanup.run("--name", name, WHALESAY, "sleep", "300")
    qtbot.waitUntil(lambda: row_of(window, name) >= 0, timeout=5000)
    select_names(window, [name])
    window.container_actions.logs.trigger()
    viewer = window.docks.log_tabs.currentWidget()
    qtbot.waitUntil(viewer.view.isVisible, timeout=3000)
    viewer.view.setFocus()
    qtbot.keyClick(viewer.view, Qt.Key.Key_F, CTRL)
    assert viewer.search.isVisible()  # the log's own search, not the window's filter
    assert not window.filter_edit.hasFocus()
    window.containers_table.setFocus()
    qtbot.keyClick(window.containers_table, Qt.Key.Key_F, CTRL)
    assert window.filter_edit.hasFocus()
    keys = viewer.findChildren(QShortcut)  # the log's keys are the log's alone
    assert keys and all(s.context() == Qt.ShortcutContext.WidgetWithChildrenShortcut for s in keys)
