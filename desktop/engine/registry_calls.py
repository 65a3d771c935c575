"""Registry logins of the :class:`~desktop.engine.client.Engine`: log in (checked by the
registry, saved as the docker CLI saves it), the saved logins, log out.
"""

from __future__ import annotations

import docker
import docker.auth
import docker.errors

from desktop.engine import commands as cmd
from desktop.engine import i18n
from desktop.engine.commandlog import Kind
from desktop.engine.core import EngineCore
from desktop.engine.credentials import Credential
from desktop.engine.errors import EngineError, ErrorKind, invalid


class RegistryCalls(EngineCore):
    # -- registry -------------------------------------------------------------------
    async def login(self, registry: str, username: str, password: str) -> str:
        """Check the login with the registry and save it; return where it was kept.

        A refused login stores nothing. The password appears in no message.
        """
        from desktop.engine.credentials import registry_key

        def check() -> None:
            if not username.strip():
                raise invalid(i18n.translate("Engine", "Enter a user name."))
            if not password:
                raise invalid(i18n.translate("Engine", "Enter a password."))
        key = registry_key(registry)

        def run() -> str:
            check()
            api = self._client()
            try:
                api.login(username=username, password=password, registry=key, reauth=True)
            except docker.errors.APIError as exc:
                text = _explanation_scrubbed(exc, password)
                low = text.lower()
                if exc.status_code in (401, 403) or "unauthorized" in low or "incorrect" in low or "denied" in low:
                    raise EngineError(ErrorKind.UNAUTHORIZED,
                                      i18n.translate(
                                          "Engine",
                                          "{registry} refused the login: wrong user name or password.").format(
                                                  registry=registry or 'Docker Hub'),
                                      text) from None
                raise EngineError(ErrorKind.UNREACHABLE if "connection refused" in low or "no such host" in low
                                  else ErrorKind.INTERNAL,
                                  i18n.translate(
                                      "Engine", "Could not log in to {registry}: {reason}").format(
                                              registry=registry or 'Docker Hub',
                                              reason=text.splitlines()[0] if text else ''),
                                  text) from None
            return self.credentials.save(Credential(key, username, password))
        # the command names the user; docker asks for the password, which is recorded nowhere
        return await self.logged(cmd.login_args(registry, username), self._call(run), kind=Kind.LOGIN,
                                  login=(registry, username))

    async def credential(self, registry: str) -> Credential | None:
        """The saved login for ``registry``, or None. Looked up on the workers for slow
        calls: a credential helper is a program to run, and a keychain may wait for the
        user to allow it, which must hold up no list or event."""
        return await self._call(self.credentials.get, registry, slow=True)

    async def logins(self) -> list[str]:
        """The registries with a saved login (config.json, the keyring, memory), read on
        the workers for slow calls: the keyring may be a service to ask."""
        return await self._call(self.credentials.logged_in, slow=True)

    async def logout(self, registry: str) -> None:
        await self.logged(cmd.logout_args(registry), self._call(self.credentials.erase, registry))


def _explanation_scrubbed(exc: docker.errors.APIError, secret: str) -> str:
    text: str | bytes = exc.explanation or str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text).replace(secret, "********") if secret else str(text)
