"""Registry logins kept the way the docker CLI keeps them, proven with a real credential
helper (a small executable speaking the helper protocol), the real ``docker`` CLI, the
keyring fallback, and the real registry of the test bed."""

from __future__ import annotations

import json
import logging
import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest

from desktop.engine.client import Engine
from desktop.engine.credentials import Credential, CredentialStore, registry_key
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.records import PullProgress
from tests.conftest import REGISTRY, REGISTRY_PASSWORD, REGISTRY_USER, RUN_ID, docker

from .conftest import read_config, write_config

HELPER = textwrap.dedent('''\
    #!{python}
    """docker-credential-{name}: the credential helper protocol, kept in a JSON file."""
    import json, sys
    STORE = {store!r}
    FAIL = {fail!r}

    def load():
        try:
            with open(STORE) as f:
                return json.load(f)
        except FileNotFoundError:
            return {{}}

    def save(data):
        with open(STORE, "w") as f:
            json.dump(data, f)

    action = sys.argv[1] if len(sys.argv) > 1 else ""
    payload = sys.stdin.read() if action in ("store", "get", "erase") else ""
    if FAIL:
        # a badly behaved helper that echoes its input in its error
        sys.stdout.write("cannot save: " + payload)
        sys.exit(1)
    data = load()
    if action == "store":
        cred = json.loads(payload)
        data[cred["ServerURL"]] = {{"Username": cred["Username"], "Secret": cred["Secret"]}}
        save(data)
    elif action == "get":
        server = payload.strip()
        if server not in data:
            sys.stdout.write("credentials not found in native keychain")
            sys.exit(1)
        json.dump({{"ServerURL": server, **data[server]}}, sys.stdout)
    elif action == "erase":
        server = payload.strip()
        if server not in data:
            sys.stdout.write("credentials not found in native keychain")
            sys.exit(1)
        del data[server]
        save(data)
    elif action == "list":
        json.dump({{k: v["Username"] for k, v in data.items()}}, sys.stdout)
    else:
        sys.stdout.write("unknown action " + action)
        sys.exit(1)
''')


class Helpers:
    """Credential helpers installed in a directory on PATH; each keeps its own store."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def install(self, name: str, *, fail: bool = False) -> Path:
        store = self.directory / f"{name}-store.json"
        exe = self.directory / f"docker-credential-{name}"
        exe.write_text(HELPER.format(python=sys.executable, name=name, store=str(store), fail=fail))
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return store

    def stored(self, name: str) -> dict:
        path = self.directory / f"{name}-store.json"
        return json.loads(path.read_text()) if path.exists() else {}


@pytest.fixture
def helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Helpers:
    directory = tmp_path / "helpers"
    directory.mkdir()
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ['PATH']}")
    return Helpers(directory)


@pytest.fixture
def cred_engine(docker_engine, docker_config):
    """An Engine whose credential store is this test's DOCKER_CONFIG (and isolated keyring)."""
    import asyncio

    eng = Engine(credentials=CredentialStore())
    assert eng.credentials.directory == docker_config
    yield eng
    asyncio.run(eng.close())


EXTRA_KEYS = {"detachKeys": "ctrl-x,x", "proxies": {"default": {"noProxy": "127.0.0.1"}},
              "psFormat": "table {{.Names}}"}


# -- a credential helper (credsStore) --------------------------------------------------------
async def test_login_through_creds_store_helper_is_usable_by_the_docker_cli(cred_engine, helpers, docker_config,
                                                                           cleanup):
    helpers.install("berthtest")
    write_config(docker_config, {"credsStore": "berthtest", **EXTRA_KEYS})
    where = await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    assert where == "the credential helper docker-credential-berthtest"

    assert helpers.stored("berthtest") == {REGISTRY: {"Username": REGISTRY_USER, "Secret": REGISTRY_PASSWORD}}
    cfg = read_config(docker_config)
    assert cfg["auths"] == {REGISTRY: {}}  # no plain `auth` field
    assert {k: cfg[k] for k in EXTRA_KEYS} == EXTRA_KEYS and cfg["credsStore"] == "berthtest"
    assert REGISTRY_PASSWORD not in (docker_config / "config.json").read_text()

    # the real docker CLI finds the login Berth saved
    ref = cleanup.image(f"{REGISTRY}/httpd:latest")
    docker("pull", "-q", ref, env={"DOCKER_CONFIG": str(docker_config)})
    assert ref in docker("images", "--format", "{{.Repository}}:{{.Tag}}").split()
    assert cred_engine.credentials.logged_in() == [REGISTRY]


async def test_pull_uses_the_saved_login(cred_engine, helpers, docker_config, cleanup):
    helpers.install("berthtest")
    write_config(docker_config, {"credsStore": "berthtest"})
    ref = cleanup.image(f"{REGISTRY}/docker/whalesay:latest")
    # without a login the registry refuses
    with pytest.raises(EngineError) as info:
        await cred_engine.pull_all(ref)
    assert info.value.kind is ErrorKind.UNAUTHORIZED

    await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    seen: list[PullProgress] = []
    await cred_engine.pull_all(ref, seen.append)
    assert seen and all(isinstance(p, PullProgress) for p in seen)
    statuses = [p.status for p in seen]
    assert any(s.startswith("Digest: sha256:") for s in statuses)
    assert any("Downloaded newer image" in s or "Image is up to date" in s for s in statuses)
    tags = {t for i in await cred_engine.images() for t in i.repo_tags}
    assert ref in tags


async def test_pull_progress_per_layer(cred_engine, helpers, docker_config, cleanup, private_image):
    """A pull of layers the engine lacks reports them one by one, with byte counts."""
    helpers.install("berthtest")
    write_config(docker_config, {"credsStore": "berthtest"})
    await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    # push a fresh image (a layer no one has), drop it locally, pull it back
    ref = cleanup.image(f"{REGISTRY}/berth-test/fresh:latest")  # one tag, overwritten each run
    docker("tag", private_image, ref)
    docker("push", "-q", ref, env={"DOCKER_CONFIG": str(docker_config)})
    docker("rmi", ref, private_image)
    seen: list[PullProgress] = []
    await cred_engine.pull_all(ref, seen.append)
    layer_ids = {p.layer for p in seen if p.status == "Pulling fs layer"}
    assert layer_ids
    for layer in layer_ids:
        steps = [p for p in seen if p.layer == layer]
        assert steps[-1].status == "Pull complete"
        assert any(p.status in ("Downloading", "Extracting") and p.total > 0 and 0 < p.current <= p.total
                   for p in steps)
    assert seen[-1].status.startswith("Status: Downloaded newer image for")


async def test_unknown_image_on_pull(cred_engine, helpers, docker_config):
    helpers.install("berthtest")
    write_config(docker_config, {"credsStore": "berthtest"})
    await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    for ref in (f"{REGISTRY}/berth-test/no-such-image:latest", f"{REGISTRY}/httpd:no-such-tag-{RUN_ID}"):
        with pytest.raises(EngineError) as info:
            await cred_engine.pull_all(ref)
        err = info.value
        assert err.kind is ErrorKind.IMAGE_NOT_FOUND, (ref, err.detail)
        assert ref in err.message and "\n" not in err.message
        assert err.detail


async def test_cred_helpers_entry_wins_over_creds_store(cred_engine, helpers, docker_config):
    helpers.install("berthtest")
    helpers.install("berthother")
    write_config(docker_config, {"credsStore": "berthtest", "credHelpers": {REGISTRY: "berthother"}})
    where = await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    assert where == "the credential helper docker-credential-berthother"
    assert helpers.stored("berthother") == {REGISTRY: {"Username": REGISTRY_USER, "Secret": REGISTRY_PASSWORD}}
    assert helpers.stored("berthtest") == {}
    assert read_config(docker_config)["auths"] == {REGISTRY: {}}
    # other registries still go to the default helper
    store = cred_engine.credentials
    store.save(Credential("registry.example.invalid", "someone", "other-secret"))
    assert helpers.stored("berthtest") == {"registry.example.invalid": {"Username": "someone",
                                                                        "Secret": "other-secret"}}
    assert store.get(REGISTRY) == Credential(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    assert store.get("https://registry.example.invalid/").username == "someone"


async def test_logout_erases_the_login(cred_engine, helpers, docker_config):
    helpers.install("berthtest")
    write_config(docker_config, {"credsStore": "berthtest", **EXTRA_KEYS})
    await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    await cred_engine.logout(REGISTRY)
    assert helpers.stored("berthtest") == {}
    cfg = read_config(docker_config)
    assert REGISTRY not in cfg.get("auths", {})
    assert {k: cfg[k] for k in EXTRA_KEYS} == EXTRA_KEYS
    assert cred_engine.credentials.get(REGISTRY) is None
    await cred_engine.logout(REGISTRY)  # logging out twice is harmless


def test_a_cli_written_auth_field_is_read_but_never_written(docker_config, helpers):
    import base64

    plain = base64.b64encode(f"{REGISTRY_USER}:{REGISTRY_PASSWORD}".encode()).decode()
    write_config(docker_config, {"auths": {REGISTRY: {"auth": plain}}})
    store = CredentialStore()
    assert store.get(REGISTRY) == Credential(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    # a login through a helper drops the plain copy
    helpers.install("berthtest")
    write_config(docker_config, {"credsStore": "berthtest", "auths": {REGISTRY: {"auth": plain}}})
    store.save(Credential(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD))
    assert read_config(docker_config)["auths"] == {REGISTRY: {}}


def test_registry_keys_like_the_cli():
    assert registry_key("") == "https://index.docker.io/v1/"
    assert registry_key("docker.io") == "https://index.docker.io/v1/"
    assert registry_key("https://127.0.0.1:5000/") == "127.0.0.1:5000"
    assert registry_key("http://127.0.0.1:5000/v2/") == "127.0.0.1:5000"


# -- the keyring fallback -----------------------------------------------------------------------
async def test_without_a_helper_the_login_goes_to_the_keyring(cred_engine, docker_config, cleanup, tmp_path):
    import keyring

    write_config(docker_config, EXTRA_KEYS)
    where = await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    assert where.startswith("the system keyring") and "PlaintextKeyring" in where
    kr = keyring.get_keyring()
    assert Path(kr.file_path).is_relative_to(tmp_path)  # this test's own keyring file
    assert Path(kr.file_path).exists()
    # the config gets no auth field (nor anything else)
    assert read_config(docker_config) == EXTRA_KEYS
    # a new store (a new Berth) finds it, and pull uses it
    assert CredentialStore().get(REGISTRY) == Credential(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    ref = cleanup.image(f"{REGISTRY}/httpd:latest")
    await cred_engine.pull_all(ref)
    assert ref in {t for i in await cred_engine.images() for t in i.repo_tags}
    # the keyring cannot list its entries; Berth keeps an index of its own there
    assert CredentialStore().logged_in() == [REGISTRY]
    await cred_engine.logout(REGISTRY)
    assert CredentialStore().get(REGISTRY) is None
    assert CredentialStore().logged_in() == []
    assert keyring.get_password("Berth: Docker registry", "registries") is None  # the index went too


async def test_a_helper_that_fails_to_erase_is_reported_and_the_rest_is_erased(cred_engine, helpers,
                                                                               docker_config):
    helpers.install("berthtest")
    write_config(docker_config, {"credsStore": "berthtest", **EXTRA_KEYS})
    await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    helpers.install("berthtest", fail=True)  # the same store, now failing every call
    with pytest.raises(EngineError) as err:
        await cred_engine.logout(REGISTRY)
    assert err.value.kind is ErrorKind.CREDENTIALS
    assert "docker-credential-berthtest" in err.value.message and "may still be saved" in err.value.message
    assert helpers.stored("berthtest") == {REGISTRY: {"Username": REGISTRY_USER, "Secret": REGISTRY_PASSWORD}}
    assert REGISTRY not in read_config(docker_config).get("auths", {})  # what could go, went
    assert {k: read_config(docker_config)[k] for k in EXTRA_KEYS} == EXTRA_KEYS


# -- failures, and the password kept secret ------------------------------------------------
async def test_wrong_password_stores_nothing(cred_engine, helpers, docker_config):
    helpers.install("berthtest")
    write_config(docker_config, {"credsStore": "berthtest", **EXTRA_KEYS})
    before = (docker_config / "config.json").read_bytes()
    wrong = f"wrong-password-{RUN_ID}"
    with pytest.raises(EngineError) as info:
        await cred_engine.login(REGISTRY, REGISTRY_USER, wrong)
    err = info.value
    assert err.kind is ErrorKind.UNAUTHORIZED
    assert REGISTRY in err.message and "\n" not in err.message
    assert wrong not in err.message and wrong not in err.detail and wrong not in repr(err)
    assert helpers.stored("berthtest") == {}
    assert (docker_config / "config.json").read_bytes() == before
    assert cred_engine.credentials.get(REGISTRY) is None


async def test_wrong_password_without_helper_stores_nothing_in_the_keyring(cred_engine, docker_config):
    import keyring

    with pytest.raises(EngineError) as info:
        await cred_engine.login(REGISTRY, "nobody", f"wrong-{RUN_ID}")
    assert info.value.kind is ErrorKind.UNAUTHORIZED
    assert not (docker_config / "config.json").exists()
    assert keyring.get_password("Berth: Docker registry", REGISTRY) is None


async def test_empty_user_or_password_is_invalid_input(cred_engine):
    for user, password in (("", "x"), ("  ", "x"), ("user", "")):
        with pytest.raises(EngineError) as info:
            await cred_engine.login(REGISTRY, user, password)
        assert info.value.kind is ErrorKind.INVALID_INPUT


async def test_a_failing_helper_never_shows_the_password(cred_engine, helpers, docker_config, caplog):
    helpers.install("berthfail", fail=True)
    write_config(docker_config, {"credsStore": "berthfail"})
    with pytest.raises(EngineError) as info:
        await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    err = info.value
    assert err.kind is ErrorKind.CREDENTIALS
    assert "berthfail" in err.message
    for text in (err.message, err.detail, repr(err), str(err)):
        assert REGISTRY_PASSWORD not in text
    assert "cannot save" in err.detail  # the helper's own words are kept, scrubbed
    assert "config.json" not in os.listdir(docker_config) or "auths" not in read_config(docker_config)


def test_a_missing_helper_is_a_credentials_error(docker_config):
    write_config(docker_config, {"credsStore": f"berth-missing-{RUN_ID}"})
    store = CredentialStore()
    with pytest.warns(UserWarning), pytest.raises(EngineError) as info:
        store.save(Credential(REGISTRY, "u", "p4ssw0rd-secret"))
    assert info.value.kind is ErrorKind.CREDENTIALS
    assert "p4ssw0rd-secret" not in info.value.message + info.value.detail


def test_credential_repr_hides_the_password():
    cred = Credential(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    for text in (repr(cred), str(cred), f"{cred}", repr([cred]), repr({"c": cred})):
        assert REGISTRY_PASSWORD not in text
        assert REGISTRY_USER in text


async def test_no_log_record_contains_the_password(cred_engine, helpers, docker_config, caplog, cleanup):
    caplog.set_level(logging.DEBUG)  # every logger: Berth's, docker's, urllib3's
    helpers.install("berthtest")
    write_config(docker_config, {"credsStore": "berthtest"})
    with pytest.raises(EngineError):
        await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD + "-wrong")
    await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    await cred_engine.pull_all(cleanup.image(f"{REGISTRY}/httpd:latest"))
    await cred_engine.logout(REGISTRY)
    assert caplog.records  # logging was on
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + (record.exc_text or "")
        assert REGISTRY_PASSWORD not in text, record.name


async def test_leaving_a_pull_closes_its_stream(cred_engine, helpers, docker_config, cleanup):
    import asyncio
    import time

    helpers.install("berthtest")
    write_config(docker_config, {"credsStore": "berthtest"})
    await cred_engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    pump = cred_engine.pull(cleanup.image(f"{REGISTRY}/docker/whalesay:latest"))
    async for item in pump.items():
        assert isinstance(item, PullProgress)
        break
    deadline = time.monotonic() + 1.0
    while (not pump.closed or pump._thread.is_alive()) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert pump.closed and not pump._thread.is_alive()
