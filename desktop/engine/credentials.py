"""Registry credentials, kept the way the docker CLI keeps them.

Where credentials go, in the CLI's order: the helper named for the registry in
``credHelpers`` of ``$DOCKER_CONFIG/config.json`` (default ``~/.docker``), else the
helper named by ``credsStore``, else the operating system's keyring. The plain
base64 ``auth`` field is read (the CLI may have written it) but never written.
A password never reaches a log line or an error message.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docker.auth
import docker.credentials

from desktop import log
from desktop.engine import i18n
from desktop.engine.errors import EngineError, ErrorKind

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

DOCKER_HUB = "https://index.docker.io/v1/"
KEYRING_SERVICE = "Berth: Docker registry"


@dataclass(frozen=True, slots=True)
class Credential:
    registry: str
    username: str
    password: str = ""

    def __repr__(self) -> str:  # never show the password
        return f"Credential(registry={self.registry!r}, username={self.username!r})"

    def auth_config(self) -> dict[str, str]:
        return {"username": self.username, "password": self.password, "serveraddress": self.registry}


def registry_key(registry: str | None) -> str:
    """The key the CLI files a registry under: Docker Hub's is its v1 URL."""
    reg = (registry or "").strip()
    for prefix in ("https://", "http://"):
        if reg.startswith(prefix):
            reg = reg[len(prefix):]
    reg = reg.rstrip("/")
    if reg.endswith("/v1") or reg.endswith("/v2"):
        reg = reg[:-3]
    if reg in ("", "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"):
        return DOCKER_HUB
    return reg


def registry_title(registry: str) -> str:
    """How a registry is named to the user: Docker Hub, or its address."""
    key = registry_key(registry)
    return "Docker Hub" if key == DOCKER_HUB else key


def registry_of_image(reference: str) -> str:
    """The registry key for an image reference (``127.0.0.1:5000/a/b:1`` -> ``127.0.0.1:5000``)."""
    index, _ = docker.auth.resolve_repository_name(reference.split("@", 1)[0])
    return registry_key(index)


def config_dir(environment: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environment is None else environment
    return Path(env.get("DOCKER_CONFIG") or Path.home() / ".docker")


class CredentialStore:
    """Save, find and erase registry credentials like ``docker login``/``logout``."""

    def __init__(self, directory: Path | None = None, environment: Mapping[str, str] | None = None) -> None:
        self._env = dict(os.environ if environment is None else environment)
        self.directory = directory or config_dir(self._env)
        self._memory: dict[str, Credential] = {}

    # -- configuration ---------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.directory / "config.json"

    def _config(self) -> dict[str, Any]:
        """config.json as it is: the CLI's file, whose values Berth reads with care."""
        try:
            with open(self.config_path, encoding="utf-8") as f:
                data = json.load(f)
            return data if isinstance(data, dict) else {}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise EngineError(ErrorKind.CREDENTIALS,
                              i18n.translate(
                                  "Credentials", "Cannot read {config_path}: it is not valid JSON.").format(
                                          config_path=self.config_path), str(exc)) from exc

    def _write_config(self, data: dict[str, Any]) -> None:
        """Write config.json atomically, keeping every key Berth does not own."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="config.json.", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent="\t")
                f.write("\n")
            if self.config_path.exists():
                shutil.copymode(self.config_path, tmp)
            else:
                os.chmod(tmp, 0o600)
            os.replace(tmp, self.config_path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def helper_for(self, registry: str) -> str | None:
        cfg = self._config()
        key = registry_key(registry)
        helpers = cfg.get("credHelpers") or {}
        name = helpers.get(key) or helpers.get(key.removeprefix("https://").split("/")[0])
        return name or cfg.get("credsStore") or None

    def where(self, registry: str) -> str:
        """Say, in words, where a login to ``registry`` would be kept."""
        helper = self.helper_for(registry)
        if helper:
            return i18n.translate("Credentials", "the credential helper docker-credential-{helper}").format(
                helper=helper)
        kr = _keyring()
        if kr is not None:
            return i18n.translate("Credentials", "the system keyring ({name})").format(name=kr.name)
        return i18n.translate("Credentials",
                              "memory only, until Berth quits (no credential helper or keyring is available)")

    # -- operations ------------------------------------------------------------
    def save(self, cred: Credential) -> str:
        """Store ``cred``; return where it went (the words of :meth:`where`)."""
        key = registry_key(cred.registry)
        cred = Credential(key, cred.username, cred.password)
        helper = self.helper_for(key)
        if helper:
            store = self._helper(helper)
            try:
                store.store(server=key, username=cred.username, secret=cred.password)
            except docker.credentials.StoreError as exc:
                raise EngineError(ErrorKind.CREDENTIALS,
                                  i18n.translate(
                                      "Credentials", "The credential helper docker-credential-{helper} "
                                                     "could not save the login.").format(
                                              helper=helper),
                                  _scrub(str(exc), cred.password)) from None
            cfg = self._config()
            auths = cfg.setdefault("auths", {})
            entry = auths.setdefault(key, {})
            entry.pop("auth", None)  # the CLI drops the plain copy when a helper has it
            self._write_config(cfg)
            self._memory.pop(key, None)
            return self.where(key)
        kr = _keyring()
        if kr is not None:
            try:
                kr.set_password(KEYRING_SERVICE, key,
                                json.dumps({"username": cred.username, "password": cred.password}))
            except Exception as exc:
                raise EngineError(ErrorKind.CREDENTIALS, i18n.translate(
                    "Credentials", "The system keyring could not save the login."),
                                  _scrub(str(exc), cred.password)) from None
            _update_index(kr, add=key)
            self._memory.pop(key, None)
            return self.where(key)
        self._memory[key] = cred
        return self.where(key)

    def get(self, registry: str) -> Credential | None:
        key = registry_key(registry)
        if key in self._memory:
            return self._memory[key]
        helper = self.helper_for(key)
        if helper:
            try:
                found = self._helper(helper).get(key)
            except docker.credentials.CredentialsNotFound:
                found = None
            except docker.credentials.StoreError as exc:
                log.engine.warning("credential helper %s failed: %s", helper, exc)
                found = None
            if found and found.get("Username") and found.get("Secret"):
                return Credential(key, found["Username"], found["Secret"])
        kr = _keyring()
        if kr is not None:
            try:
                raw = kr.get_password(KEYRING_SERVICE, key)
            except Exception as exc:
                log.engine.warning("keyring lookup failed: %s", type(exc).__name__)
                raw = None
            if raw:
                try:
                    d = json.loads(raw)
                    return Credential(key, d["username"], d["password"])
                except (ValueError, KeyError):
                    pass
        entry = (self._config().get("auths") or {}).get(key) or {}
        if entry.get("auth"):
            try:
                user, _, password = base64.b64decode(entry["auth"]).decode("utf-8").partition(":")
                return Credential(key, user, password)
            except (ValueError, UnicodeDecodeError):
                log.engine.warning("ignoring an unreadable auth entry for %s", key)
        return None

    def erase(self, registry: str) -> None:
        """Log out: forget the credentials wherever they are, like ``docker logout``.

        What can be erased is erased; a store that failed is then reported (a login
        that was not there is no failure: logging out twice is harmless).
        """
        key = registry_key(registry)
        self._memory.pop(key, None)
        failed: list[tuple[str, str]] = []
        helper = self.helper_for(key)
        if helper:
            try:
                self._helper(helper).erase(key)
            except docker.credentials.CredentialsNotFound:
                pass
            except docker.credentials.StoreError as exc:
                failed.append((i18n.translate("Credentials", "the credential helper docker-credential-{helper}").format(
                    helper=helper), str(exc)))
        cfg = self._config()
        if key in (cfg.get("auths") or {}):
            del cfg["auths"][key]
            self._write_config(cfg)
        kr = _keyring()
        if kr is not None:
            try:
                if kr.get_password(KEYRING_SERVICE, key) is not None:
                    kr.delete_password(KEYRING_SERVICE, key)
                _update_index(kr, remove=key)
            except Exception as exc:
                failed.append((i18n.translate("Credentials", "the system keyring ({name})").format(name=kr.name),
                               f"{type(exc).__name__}: {exc}"))
        if failed:
            where = " and ".join(name for name, _ in failed)
            raise EngineError(ErrorKind.CREDENTIALS,
                              i18n.translate(
                                  "Credentials", "The login to {key} could not be erased from {where}; "
                                                 "it may still be saved "
                                  "there.").format(key=key, where=where),
                              "\n".join(detail for _, detail in failed))

    def logged_in(self) -> list[str]:
        """The registries with a saved login: in config.json (the CLI's and the
        helpers'), in the system keyring, and in memory."""
        keys = set((self._config().get("auths") or {}).keys()) | set(self._memory)
        kr = _keyring()
        if kr is not None:
            keys |= set(_read_index(kr))
        return sorted(keys)

    def memory_only(self) -> list[str]:
        """The registries whose login is kept only in memory: lost when Berth quits."""
        return sorted(self._memory)

    def _helper(self, name: str) -> docker.credentials.Store:
        return docker.credentials.Store(name, environment=self._env)


#: The keyring entry listing the registries whose logins Berth keeps there (a keyring
#: cannot be asked which entries it holds).
_INDEX = "registries"


def _read_index(kr: KeyringBackend) -> list[str]:
    try:
        raw = kr.get_password(KEYRING_SERVICE, _INDEX)
        keys = json.loads(raw) if raw else []
    except Exception as exc:  # an unreadable index lists nothing; the logins still work
        log.engine.warning("keyring index unreadable: %s", type(exc).__name__)
        return []
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def _update_index(kr: KeyringBackend, *, add: str | None = None, remove: str | None = None) -> None:
    keys = _read_index(kr)
    new = sorted((set(keys) | ({add} if add else set())) - ({remove} if remove else set()))
    if new == sorted(keys):
        return
    if new:
        kr.set_password(KEYRING_SERVICE, _INDEX, json.dumps(new))
    else:
        kr.delete_password(KEYRING_SERVICE, _INDEX)


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "********") if secret else text


def _keyring() -> KeyringBackend | None:
    """The OS keyring, or None where there is none (headless Linux without D-Bus).

    Backends of low priority (under 1: keyring's plaintext files, for instance) are no
    OS keyring and are not used unless the user chose one with PYTHON_KEYRING_BACKEND.
    """
    try:
        import keyring
        import keyring.backends.chainer
        import keyring.backends.fail
    except ImportError:
        return None
    try:
        kr = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(kr, keyring.backends.fail.Keyring):
        return None
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return kr
    if isinstance(kr, keyring.backends.chainer.ChainerBackend):
        secure = [b for b in kr.backends if _priority(b) >= 1]
        return kr if secure else None
    return kr if _priority(kr) >= 1 else None


def _priority(backend: KeyringBackend) -> float:
    try:
        return float(backend.priority)
    except Exception:
        return 0.0
