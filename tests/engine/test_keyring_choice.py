"""Which keyring Berth will keep a login in: an OS keyring, never a plaintext file
that merely happens to be installed."""

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from desktop.engine.credentials import CredentialStore, _keyring


@pytest.fixture
def plaintext_default(monkeypatch, tmp_path):
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    yield
    keyring.set_keyring(previous)


def test_a_plaintext_file_backend_is_not_an_os_keyring(plaintext_default, tmp_path):
    assert _keyring() is None
    store = CredentialStore(directory=tmp_path / "docker")
    assert store.where("example.org").startswith("memory only")


def test_a_backend_the_user_chose_is_used(plaintext_default, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    assert isinstance(_keyring(), PlaintextKeyring)
