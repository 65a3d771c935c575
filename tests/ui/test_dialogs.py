"""The run, pull and login dialogs on the real engine and the test bed's registry,
driven through their widgets by objectName; the result checked with the docker CLI."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QToolButton,
)

from desktop.engine.client import Engine
from desktop.engine.credentials import KEYRING_SERVICE, CredentialStore
from desktop.engine.store import EngineStore
from desktop.ui.common import operations
from desktop.ui.common.widgets import Tone
from desktop.ui.containers.output_dialog import OutputDialog
from desktop.ui.containers.run_dialog import RunDialog
from desktop.ui.images.pull_dialog import PullDialog
from desktop.ui.registry.login_dialog import LoginDialog
from tests.conftest import HTTPD, REGISTRY, REGISTRY_PASSWORD, REGISTRY_USER, WHALESAY, docker

pytestmark = pytest.mark.registry

REGISTRY_WHALESAY = f"{REGISTRY}/docker/whalesay:latest"
REGISTRY_HTTPD = f"{REGISTRY}/httpd:latest"


# -- fixtures and helpers ---------------------------------------------------------------
@pytest.fixture(autouse=True)
def docker_config(isolated_credentials: Path) -> Path:
    """No test reads or writes the user's Docker config or keyring."""
    return isolated_credentials


@pytest.fixture
def engine_ui(qloop, qtbot, docker_engine, docker_config):
    eng = Engine(credentials=CredentialStore(directory=docker_config))
    yield eng
    task = asyncio.ensure_future(eng.close())
    qtbot.waitUntil(task.done, timeout=5000)


def run(qtbot, coro, timeout: int = 30000):
    """Run ``coro`` on the qasync loop while Qt spins; return its result."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def find(dialog, cls, name):
    widget = dialog.findChild(cls, name)
    assert widget is not None, f"no {cls.__name__} named {name}"
    return widget


def click_ok(qtbot, dialog) -> None:
    button = find(dialog, QPushButton, "okButton")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot, dialog, name: str, text: str) -> None:
    edit = find(dialog, QLineEdit, name)
    edit.clear()
    qtbot.keyClicks(edit, text)


def message(dialog, name: str) -> QLabel:
    return find(dialog, QLabel, name)


def shows(label: QLabel, tone: Tone, *words: str) -> bool:
    text = label.text().lower()
    return label.isVisible() and label.tone is tone and all(w.lower() in text for w in words)


_STORES: dict[int, EngineStore] = {}
_FOLLOWING: dict[int, asyncio.Future[None]] = {}  # held, so that a following task is not collected


def followed_store(qtbot, engine: Engine) -> EngineStore:
    """The engine's live picture, as the window keeps it: a store its Monitor follows."""
    store = _STORES.get(id(engine))
    if store is None or store.monitor.engine is not engine:
        store = _STORES[id(engine)] = EngineStore(engine)
        _FOLLOWING[id(engine)] = asyncio.ensure_future(store.follow())  # cancelled with every task when the test ends
    qtbot.waitUntil(lambda: store.is_connected, timeout=10000)
    return store


def open_run_dialog(qtbot, engine, **kwargs) -> RunDialog:
    dlg = RunDialog(engine, followed_store(qtbot, engine), None, **kwargs)
    qtbot.addWidget(dlg)
    dlg.open()
    qtbot.waitUntil(lambda: dlg.is_loaded, timeout=10000)
    return dlg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ps(name: str, field: str) -> str:
    return docker("ps", "-a", "--filter", f"name=^/{name}$", "--format", "{{." + field + "}}").strip()


def walkthrough_name(cleanup, limit: float = 10) -> str:
    """The note's container name, geonwooPractice, once no container has it (another
    test may be using it); if one still has it after ``limit`` seconds, a name of this
    test alone that starts the same way."""
    name = "geonwooPractice"
    deadline = time.monotonic() + limit
    while ps(name, "ID") and time.monotonic() < deadline:
        time.sleep(0.5)
    if ps(name, "ID"):
        return cleanup.name(name)
    return cleanup.container(name)


def login(qtbot, engine) -> None:
    run(qtbot, engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD))


def keyring_entry(registry: str) -> str | None:
    import keyring

    return keyring.get_password(KEYRING_SERVICE, registry)


# -- login --------------------------------------------------------------------------------
def test_wrong_password_is_refused_keeps_the_dialog_open_and_stores_nothing(engine_ui, qtbot, docker_config):
    dlg = LoginDialog(engine_ui, None, registry=REGISTRY)
    qtbot.addWidget(dlg)
    dlg.open()
    password = find(dlg, QLineEdit, "passwordEdit")
    assert password.echoMode() is QLineEdit.EchoMode.Password
    assert "keyring" in find(dlg, QLabel, "storageLabel").text()
    type_into(qtbot, dlg, "usernameEdit", REGISTRY_USER)
    type_into(qtbot, dlg, "passwordEdit", "not-the-password")
    click_ok(qtbot, dlg)
    qtbot.waitUntil(lambda: shows(message(dlg, "loginMessage"), Tone.ERROR, "wrong user name or password"),
                    timeout=20000)
    assert dlg.isVisible()
    assert engine_ui.credentials.get(REGISTRY) is None
    assert keyring_entry(REGISTRY) is None
    config = docker_config / "config.json"
    assert not config.exists() or REGISTRY not in json.loads(config.read_text()).get("auths", {})
    assert "not-the-password" not in message(dlg, "loginMessage").text()


def test_empty_fields_are_named_before_asking_the_registry(engine_ui, qtbot):
    dlg = LoginDialog(engine_ui, None)
    qtbot.addWidget(dlg)
    dlg.open()
    assert find(dlg, QLineEdit, "registryEdit").placeholderText().startswith("Docker Hub")
    click_ok(qtbot, dlg)
    assert shows(message(dlg, "usernameMessage"), Tone.ERROR, "user name")
    assert shows(message(dlg, "passwordMessage"), Tone.ERROR, "password")
    type_into(qtbot, dlg, "registryEdit", "127.0.0.1:abc")
    assert shows(message(dlg, "registryMessage"), Tone.ERROR, "not a valid host name")
    assert dlg.isVisible()


def test_logout_forgets_the_saved_login(engine_ui, qtbot):
    login(qtbot, engine_ui)
    dlg = LoginDialog(engine_ui, None, registry=REGISTRY)
    qtbot.addWidget(dlg)
    dlg.open()
    logout = find(dlg, QPushButton, "logoutButton")
    qtbot.waitUntil(logout.isEnabled, timeout=5000)
    assert REGISTRY_USER in find(dlg, QLabel, "loginStatus").text()
    with qtbot.waitSignal(dlg.loggedOut, timeout=10000) as signal:
        qtbot.mouseClick(logout, Qt.MouseButton.LeftButton)
    assert signal.args == [REGISTRY]
    assert engine_ui.credentials.get(REGISTRY) is None
    assert keyring_entry(REGISTRY) is None


# -- the seed walkthrough: login, pull, run ------------------------------------------------
def test_login_pull_and_run_cowsay_as_in_the_walkthrough(engine_ui, qtbot, cleanup):
    name = walkthrough_name(cleanup)
    docker("rmi", REGISTRY_WHALESAY, check=False)
    cleanup.image(REGISTRY_WHALESAY)

    # 1. docker login
    dlg = LoginDialog(engine_ui, None)
    qtbot.addWidget(dlg)
    dlg.open()
    type_into(qtbot, dlg, "registryEdit", REGISTRY)
    type_into(qtbot, dlg, "usernameEdit", REGISTRY_USER)
    type_into(qtbot, dlg, "passwordEdit", REGISTRY_PASSWORD)
    with qtbot.waitSignal(dlg.loggedIn, timeout=20000) as signal:
        click_ok(qtbot, dlg)
    assert signal.args == [REGISTRY]
    assert not dlg.isVisible()
    assert find(dlg, QLineEdit, "passwordEdit").text() == ""
    saved = engine_ui.credentials.get(REGISTRY)
    assert saved is not None and saved.username == REGISTRY_USER
    assert "keyring" in dlg.stored_in

    # 2. docker image pull
    pull = PullDialog(engine_ui, None)
    qtbot.addWidget(pull)
    pull.open()
    type_into(qtbot, pull, "imageRefEdit", REGISTRY_WHALESAY)
    progress = find(pull, QProgressBar, "pullProgress")
    with qtbot.waitSignal(pull.pulled, timeout=60000) as signal:
        click_ok(qtbot, pull)
    assert signal.args == [REGISTRY_WHALESAY]
    assert progress.value() == progress.maximum() > 0
    assert not pull.isVisible()
    assert docker("image", "inspect", "-f", "{{.Id}}", REGISTRY_WHALESAY).strip()

    # 3. docker container run --name geonwooPractice IMAGE cowsay boo
    dlg = open_run_dialog(qtbot, engine_ui)
    type_into(qtbot, dlg, "imageEdit", REGISTRY_WHALESAY)
    type_into(qtbot, dlg, "nameEdit", name)
    type_into(qtbot, dlg, "commandEdit", "cowsay boo")
    assert not message(dlg, "imageMessage").isVisible()  # the image is local now
    line = find(dlg, QPlainTextEdit, "commandLineView").toPlainText()
    assert line == f"docker run -d --name {name} {REGISTRY_WHALESAY} cowsay boo"
    with qtbot.waitSignal(dlg.created, timeout=30000) as signal:
        click_ok(qtbot, dlg)
    cid, started = signal.args
    assert started is True
    assert not dlg.isVisible()
    output = dlg.output_dialog
    assert isinstance(output, OutputDialog) and output.isVisible()
    qtbot.addWidget(output)
    qtbot.waitUntil(lambda: output.exit_code is not None, timeout=20000)
    text = find(output, QPlainTextEdit, "outputView").toPlainText()
    assert "< boo >" in text
    lines = text.splitlines()
    bubble = lines.index(next(line for line in lines if "< boo >" in line))
    assert set(lines[bubble - 1].strip()) == {"_"} and set(lines[bubble + 1].strip()) == {"-"}
    assert output.exit_code == 0
    assert "exited" in find(output, QLabel, "outputStatus").text()
    # the docker CLI sees the same
    assert ps(name, "ID") == cid[:12]
    assert ps(name, "Image") == REGISTRY_WHALESAY
    assert ps(name, "Status").startswith("Exited (0)")
    assert "< boo >" in docker("logs", name)


def test_create_without_starting(engine_ui, qtbot, cleanup):
    name = cleanup.name("created")
    dlg = open_run_dialog(qtbot, engine_ui, image=HTTPD)
    type_into(qtbot, dlg, "nameEdit", name)
    start = find(dlg, QCheckBox, "startCheck")
    assert start.isChecked()
    qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    assert not start.isChecked()
    assert find(dlg, QPushButton, "okButton").text().replace("&", "") == "Create"
    line = find(dlg, QPlainTextEdit, "commandLineView").toPlainText()
    assert line == f"docker create --name {name} {HTTPD}"
    with qtbot.waitSignal(dlg.created, timeout=30000) as signal:
        click_ok(qtbot, dlg)
    cid, started = signal.args
    assert started is False
    assert ps(name, "State") == "created"
    assert ps(name, "ID") == cid[:12]
    qtbot.wait(300)
    assert dlg.output_dialog is None


def test_run_httpd_publishes_its_port_on_loopback(engine_ui, qtbot, cleanup):
    name = cleanup.name("web")
    port = free_port()
    dlg = open_run_dialog(qtbot, engine_ui, images=[HTTPD, WHALESAY])
    assert {HTTPD, WHALESAY} <= set(find(dlg, QLineEdit, "imageEdit").completer().model().stringList())
    type_into(qtbot, dlg, "imageEdit", HTTPD)
    type_into(qtbot, dlg, "nameEdit", name)
    type_into(qtbot, dlg, "portsEdit", f"{port}:80")
    table = find(dlg, QTableWidget, "portsTable")
    assert table.rowCount() == 1
    assert [table.item(0, c).text() for c in range(4)] == ["", str(port), "80", "tcp"]
    assert not message(dlg, "portsMessage").isVisible()
    assert find(dlg, QPlainTextEdit, "commandLineView").toPlainText() == \
        f"docker run -d --name {name} -p {port}:80 {HTTPD}"
    with qtbot.waitSignal(dlg.created, timeout=30000) as signal:
        click_ok(qtbot, dlg)
    assert signal.args[1] is True
    assert ps(name, "State") == "running"
    assert docker("port", name, "80/tcp").split() == [f"127.0.0.1:{port}"]
    body = ""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as res:
                body = res.read().decode()
                break
        except OSError:
            time.sleep(0.2)
    assert "It works!" in body
    # a server keeps running: no output window pops up
    qtbot.wait(2500)
    assert dlg.output_dialog is None


def test_run_dialog_pulls_an_image_the_engine_does_not_have(engine_ui, qtbot, cleanup):
    login(qtbot, engine_ui)
    docker("rmi", REGISTRY_HTTPD, check=False)
    cleanup.image(REGISTRY_HTTPD)
    name = cleanup.name("pulled")
    dlg = open_run_dialog(qtbot, engine_ui)
    type_into(qtbot, dlg, "imageEdit", REGISTRY_HTTPD)
    assert shows(message(dlg, "imageMessage"), Tone.NOTE, "not on this engine", "pulled")
    assert find(dlg, QPushButton, "imagePullButton").isVisible()
    type_into(qtbot, dlg, "nameEdit", name)
    qtbot.mouseClick(find(dlg, QCheckBox, "startCheck"), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dlg.created, timeout=60000):
        click_ok(qtbot, dlg)
    assert ps(name, "State") == "created"
    assert ps(name, "Image") == REGISTRY_HTTPD


# -- invalid input: a message beside the field, the dialog stays open -------------------------
def test_bad_port_spec_is_shown_and_blocks_ok(engine_ui, qtbot, cleanup):
    name = cleanup.name("badport")
    dlg = open_run_dialog(qtbot, engine_ui, image=HTTPD)
    type_into(qtbot, dlg, "nameEdit", name)
    type_into(qtbot, dlg, "portsEdit", "818:80, 99999:80")
    assert shows(message(dlg, "portsMessage"), Tone.ERROR, "99999", "out of range")
    assert find(dlg, QPlainTextEdit, "commandLineView").toPlainText() == ""
    click_ok(qtbot, dlg)
    qtbot.wait(200)
    assert dlg.isVisible()
    assert dlg.container_id == ""
    assert ps(name, "ID") == ""
    type_into(qtbot, dlg, "portsEdit", "80:80:80:80")
    assert shows(message(dlg, "portsMessage"), Tone.ERROR, "80:80:80:80")


def test_ports_text_and_table_mirror_each_other(engine_ui, qtbot):
    dlg = open_run_dialog(qtbot, engine_ui, image=HTTPD)
    type_into(qtbot, dlg, "portsEdit", "818:80 127.0.0.1:8443:443/udp")
    table = find(dlg, QTableWidget, "portsTable")
    assert table.rowCount() == 2
    assert [table.item(1, c).text() for c in range(4)] == ["127.0.0.1", "8443", "443", "udp"]
    table.item(0, 1).setText("8818")
    assert find(dlg, QLineEdit, "portsEdit").text() == "8818:80, 127.0.0.1:8443:443/udp"
    table.selectRow(1)
    qtbot.mouseClick(find(dlg, QToolButton, "removePortButton"), Qt.MouseButton.LeftButton)
    assert find(dlg, QLineEdit, "portsEdit").text() == "8818:80"
    assert "-p 8818:80" in find(dlg, QPlainTextEdit, "commandLineView").toPlainText()


def test_a_rejected_port_spec_leaves_no_row_in_the_table(engine_ui, qtbot):
    dlg = open_run_dialog(qtbot, engine_ui, image=HTTPD)
    table = find(dlg, QTableWidget, "portsTable")
    edit = find(dlg, QLineEdit, "portsEdit")
    edit.clear()
    qtbot.keyClicks(edit, "99999:80")  # typed: 9999:80 was a mapping on the way
    assert shows(message(dlg, "portsMessage"), Tone.ERROR, "99999")
    rows = [[table.item(r, c).text() if table.item(r, c) else "" for c in range(4)] for r in range(table.rowCount())]
    assert not any("9999" in cells for cells in rows), rows
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)  # 99999:8 -> still wrong; fix it
    edit.setText("9999:80")
    assert table.rowCount() == 1 and table.item(0, 1).text() == "9999"


def test_taken_name_is_warned_then_refused_and_nothing_is_left(engine_ui, qtbot, cleanup):
    name = cleanup.name("taken")
    original = docker("create", *cleanup.label_args(), "--name", name, HTTPD).strip()
    dlg = open_run_dialog(qtbot, engine_ui, image=HTTPD)
    type_into(qtbot, dlg, "nameEdit", name)
    assert shows(message(dlg, "nameMessage"), Tone.WARNING, "already exists")
    click_ok(qtbot, dlg)
    qtbot.waitUntil(lambda: shows(message(dlg, "nameMessage"), Tone.ERROR, "already used"), timeout=15000)
    assert dlg.isVisible()
    assert dlg.container_id == ""
    assert docker("ps", "-aq", "--no-trunc", "--filter", f"name=^/{name}$").split() == [original]
    type_into(qtbot, dlg, "nameEdit", "-bad name")
    assert shows(message(dlg, "nameMessage"), Tone.ERROR, "starts with '-'")


def test_taken_host_port_is_warned_then_refused_and_nothing_is_left(engine_ui, qtbot, cleanup):
    name = cleanup.name("port")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        dlg = open_run_dialog(qtbot, engine_ui, image=HTTPD)
        type_into(qtbot, dlg, "nameEdit", name)
        type_into(qtbot, dlg, "portsEdit", f"{port}:80")
        assert shows(message(dlg, "portsMessage"), Tone.WARNING, str(port), "already in use")
        click_ok(qtbot, dlg)
        qtbot.waitUntil(lambda: shows(message(dlg, "portsMessage"), Tone.ERROR, "already in use"), timeout=15000)
        assert dlg.isVisible()
        assert dlg.container_id == ""
        assert ps(name, "ID") == ""  # the engine's half-made container was removed again


def test_port_published_by_a_container_is_warned(engine_ui, qtbot, cleanup):
    name = cleanup.name("holder")
    port = free_port()
    cleanup.run("--name", name, "-p", f"{port}:80", HTTPD)
    dlg = open_run_dialog(qtbot, engine_ui, image=HTTPD)
    type_into(qtbot, dlg, "portsEdit", f"{port}:80")
    assert shows(message(dlg, "portsMessage"), Tone.WARNING, str(port), name)


def test_bad_image_reference_is_shown_in_run_and_pull(engine_ui, qtbot):
    dlg = open_run_dialog(qtbot, engine_ui)
    type_into(qtbot, dlg, "imageEdit", "Docker/WhaleSay")
    assert shows(message(dlg, "imageMessage"), Tone.ERROR, "uppercase", "docker/whalesay")
    click_ok(qtbot, dlg)
    qtbot.wait(200)
    assert dlg.isVisible() and dlg.container_id == ""

    pull = PullDialog(engine_ui, None, reference="httpd:")
    qtbot.addWidget(pull)
    pull.open()
    assert shows(message(pull, "imageRefMessage"), Tone.ERROR, "tag after ':' is empty")
    click_ok(qtbot, pull)
    qtbot.wait(200)
    assert pull.isVisible()
    assert find(pull, QProgressBar, "pullProgress").value() <= 0
    type_into(qtbot, pull, "imageRefEdit", "docker/whalesay")
    assert shows(message(pull, "imageRefMessage"), Tone.NOTE, "docker/whalesay:latest")


def test_empty_image_is_asked_for(engine_ui, qtbot):
    dlg = open_run_dialog(qtbot, engine_ui)
    assert not message(dlg, "imageMessage").isVisible()
    click_ok(qtbot, dlg)
    assert shows(message(dlg, "imageMessage"), Tone.ERROR, "choose the image")
    assert dlg.isVisible()


def test_pull_without_login_offers_to_log_in(engine_ui, qtbot):
    pull = PullDialog(engine_ui, None, reference=REGISTRY_WHALESAY)
    qtbot.addWidget(pull)
    pull.open()
    click_ok(qtbot, pull)
    qtbot.waitUntil(lambda: shows(message(pull, "pullMessage"), Tone.ERROR, "login"), timeout=20000)
    assert pull.isVisible()
    button = find(pull, QPushButton, "loginButton")
    assert button.isVisible()
    with qtbot.waitSignal(pull.loginRequested, timeout=2000) as signal:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert signal.args == [REGISTRY]


def test_pull_goes_on_after_the_login_it_asked_for(engine_ui, qtbot, cleanup):
    cleanup.image(REGISTRY_WHALESAY)
    pull = PullDialog(engine_ui, None, reference=REGISTRY_WHALESAY)
    qtbot.addWidget(pull)
    pull.open()
    click_ok(qtbot, pull)
    qtbot.waitUntil(lambda: shows(message(pull, "pullMessage"), Tone.ERROR, "login"), timeout=20000)
    run(qtbot, engine_ui.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD))
    with qtbot.waitSignal(pull.pulled, timeout=30000):
        operations.logged_in(REGISTRY)  # what the window does once a login is saved
    assert not message(pull, "pullMessage").text()
    assert docker("images", "-q", REGISTRY_WHALESAY).strip()


def test_pull_of_a_missing_image_says_not_found(engine_ui, qtbot, cleanup):
    login(qtbot, engine_ui)
    ref = f"{REGISTRY}/berth/missing:{int(time.time())}"
    cleanup.image(ref)
    pull = PullDialog(engine_ui, None, reference=ref)
    qtbot.addWidget(pull)
    pull.open()
    click_ok(qtbot, pull)
    qtbot.waitUntil(lambda: shows(message(pull, "pullMessage"), Tone.ERROR, "not found"), timeout=20000)
    assert pull.isVisible()


def test_advanced_options_reach_the_command_line_and_a_wrong_one_opens_them(engine_ui, qtbot, tmp_path):
    """Environment, volumes (and Add Folder), restart and --rm: checked as typed, in the
    command line; OK with a wrong one opens the options at it. Nothing is created."""
    dlg = open_run_dialog(qtbot, engine_ui)
    view = find(dlg, QPlainTextEdit, "commandLineView")
    assert view.toPlainText() == "" and view.placeholderText() == "Choose an image to see the command line."
    type_into(qtbot, dlg, "imageEdit", HTTPD)
    assert view.toPlainText() == f"docker run -d {HTTPD}"
    env = find(dlg, QPlainTextEdit, "envEdit")
    env.setPlainText("A=1\nB")
    env_message = message(dlg, "envMessage")  # hidden with the options, until they open
    assert env_message.tone is Tone.ERROR and "Line 2 of the environment" in env_message.text()
    assert view.toPlainText() == ""
    assert view.placeholderText() == "Correct the fields marked in red to see the command line."
    assert not dlg.advanced.expanded
    click_ok(qtbot, dlg)
    assert dlg.advanced.expanded and dlg.focusWidget() is env
    assert dlg.isVisible() and dlg.container_id == ""
    env.setPlainText("A=1\nB=two words")
    assert not env_message.isVisible() and env_message.text() == ""
    dlg.add_folder(str(tmp_path))
    volumes = find(dlg, QPlainTextEdit, "volumesEdit")
    assert volumes.toPlainText() == f"{tmp_path}:/data"
    assert volumes.textCursor().selectedText() == "/data"
    restart = dlg.findChild(QComboBox, "restartCombo")
    restart.setCurrentIndex(restart.findData("unless-stopped"))
    assert view.toPlainText() == (f"docker run -d -e A=1 -e 'B=two words' -v {tmp_path}:/data "
                                  f"--restart unless-stopped {HTTPD}")
    remove = find(dlg, QCheckBox, "autoRemoveCheck")
    remove.setChecked(True)
    assert not restart.isEnabled() and restart.currentData() == "no" and "never restarted" in restart.toolTip()
    assert view.toPlainText() == f"docker run -d -e A=1 -e 'B=two words' -v {tmp_path}:/data --rm {HTTPD}"
    remove.setChecked(False)
    assert restart.isEnabled() and restart.toolTip() == ""
    volumes.setPlainText("relative/path:/data")
    assert message(dlg, "volumesMessage").isVisible() and message(dlg, "volumesMessage").tone is Tone.ERROR
    find(dlg, QCheckBox, "startCheck").setChecked(False)
    assert dlg.windowTitle() == "Create a Container" and "docker create" in dlg.intro.text()
    find(dlg, QCheckBox, "startCheck").setChecked(True)
    assert dlg.windowTitle() == "Run a Container" and "docker run" in dlg.intro.text()


def test_the_run_dialog_shrinks_back_when_options_close(engine_ui, qtbot):
    dlg = open_run_dialog(qtbot, engine_ui, image=HTTPD)
    qtbot.wait(50)
    start = dlg.height()
    dlg.advanced.set_expanded(True)
    qtbot.waitUntil(lambda: dlg.height() > start + 50, timeout=2000)
    dlg.advanced.set_expanded(False)
    qtbot.waitUntil(lambda: dlg.height() <= start + 2, timeout=2000)
    # a height the user gave it is kept through the next open and close
    dlg.resize(dlg.width(), start + 120)
    qtbot.wait(50)
    dlg.advanced.set_expanded(True)
    qtbot.wait(50)
    dlg.advanced.set_expanded(False)
    qtbot.wait(100)
    assert abs(dlg.height() - (start + 120)) <= 2


def test_the_pull_progress_bar_shows_only_while_pulling(engine_ui, qtbot):
    pull = PullDialog(engine_ui, None, reference=REGISTRY_WHALESAY)
    qtbot.addWidget(pull)
    pull.open()
    bar = find(pull, QProgressBar, "pullProgress")
    assert not bar.isVisible()  # an empty bar looked like a text field
    click_ok(qtbot, pull)
    qtbot.waitUntil(lambda: shows(message(pull, "pullMessage"), Tone.ERROR, "login"), timeout=20000)
    assert not bar.isVisible()  # refused: nothing is in progress
