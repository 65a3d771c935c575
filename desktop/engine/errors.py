"""One exception type for everything that can go wrong talking to Docker.

Every failure becomes an :class:`EngineError` with a :class:`ErrorKind`, a one-line
message a user understands, and the engine's own text as ``detail``.
"""

from __future__ import annotations

import enum
import re

import docker.errors
import requests.exceptions

from desktop.engine import i18n


class ErrorKind(enum.Enum):
    NOT_FOUND = "not found"
    IMAGE_NOT_FOUND = "image not found"
    NAME_IN_USE = "name in use"
    PORT_IN_USE = "port already allocated"
    IMAGE_IN_USE = "image in use"
    CONTAINER_RUNNING = "container running"
    NOT_RUNNING = "container not running"
    UNAUTHORIZED = "unauthorized"
    UNREACHABLE = "engine unreachable"
    INVALID_INPUT = "invalid input"
    CONFLICT = "conflict"
    CANCELLED = "cancelled"
    TIMEOUT = "timed out"
    CREDENTIALS = "credential store"
    NO_SPACE = "no space"
    PERMISSION = "permission denied"
    INTERNAL = "engine error"


class EngineError(Exception):
    """A failure with a user-facing ``message`` and the engine's text in ``detail``."""

    def __init__(self, kind: ErrorKind, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"EngineError({self.kind.name}, {self.message!r})"


def invalid(message: str) -> EngineError:
    return EngineError(ErrorKind.INVALID_INPUT, message)


def _explanation(exc: docker.errors.APIError) -> str:
    text = exc.explanation
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text or exc).strip()


_PORT_RE = re.compile(r"(?:Bind for |listen (?:tcp|udp)[46]? )(\S+?:\d+)")


def _subject(what: str) -> tuple[str, str]:
    """``what`` ("container web", "image httpd:latest", other words) as (kind, name)."""
    kind, _, name = what.partition(" ")
    if kind in ("container", "image") and name:
        return kind, name
    return "", what


def _said(what: str, other: str, container: str | None = None, image: str | None = None) -> str:
    """The sentence for ``what``: one for a container, one for an image (both with
    ``{name}``), ``other`` for anything else (with ``{what}``, capitalised when it starts
    the sentence, or ``{what_lower}``)."""
    kind, name = _subject(what or "the object")
    if kind == "container" and container is not None:
        return container.format(name=name)
    if kind == "image" and image is not None:
        return image.format(name=name)
    return other.format(what=name[:1].upper() + name[1:], what_lower=name)


def translate(exc: BaseException, *, what: str = "") -> EngineError:
    """Turn an exception raised by the docker SDK (or the transport) into an EngineError.

    ``what`` names the object of the operation ("container web", "image httpd:latest")
    so that the message can say what was not found or is in use.
    """
    if isinstance(exc, EngineError):
        return exc
    if isinstance(exc, docker.errors.APIError):
        return _api_error(exc, what)
    if isinstance(exc, docker.errors.ContextNotFound):
        return EngineError(ErrorKind.INVALID_INPUT, i18n.translate(
            "EngineError", "There is no Docker context named {name}.").format(name=repr(what)), str(exc))
    if isinstance(exc, (requests.exceptions.ConnectionError, ConnectionError, FileNotFoundError,
                        requests.exceptions.Timeout, TimeoutError)):
        return EngineError(ErrorKind.UNREACHABLE, i18n.translate("EngineError", "The Docker engine does not answer."),
                           str(exc))
    if isinstance(exc, docker.errors.DockerException):
        text = str(exc)
        if "Error while fetching server API version" in text or "Connection" in text:
            return EngineError(ErrorKind.UNREACHABLE,
                               i18n.translate("EngineError", "The Docker engine does not answer."), text)
        if "credentials store" in text.lower() or "credential" in text.lower():
            return EngineError(ErrorKind.CREDENTIALS, i18n.translate(
                "EngineError", "The credential helper failed: {reason}").format(reason=_first_line(text)), text)
        return EngineError(ErrorKind.INTERNAL, _first_line(text), text)
    return EngineError(ErrorKind.INTERNAL, i18n.translate("EngineError", "Unexpected error: {type}: {reason}").format(
        type=type(exc).__name__, reason=_first_line(str(exc))), repr(exc))


def _api_error(exc: docker.errors.APIError, what: str) -> EngineError:
    text = _explanation(exc)
    low = text.lower()
    status = exc.status_code or 0

    def error(kind: ErrorKind, message: str) -> EngineError:
        return EngineError(kind, message, text)

    if "marked for removal" in low or ("removal of container" in low and "in progress" in low):
        return error(ErrorKind.NOT_FOUND, _said(
            what, i18n.translate("EngineError", "{what} is being removed."),
            i18n.translate("EngineError", "Container {name} is being removed.")))
    if "port is already allocated" in low or "address already in use" in low:
        m = _PORT_RE.search(text)
        if m:
            return error(ErrorKind.PORT_IN_USE, i18n.translate(
                "EngineError", "The host port ({address}) is already in use by another container or program."
            ).format(address=m.group(1)))
        return error(ErrorKind.PORT_IN_USE, i18n.translate(
            "EngineError", "The host port is already in use by another container or program."))
    if status == 409 and "is already in use" in low:
        m = re.search(r'name "/?([^"]+)" is already in use', text)
        if m:
            return error(ErrorKind.NAME_IN_USE, i18n.translate(
                "EngineError", "The name \"{name}\" is already used by another container.").format(name=m.group(1)))
        return error(ErrorKind.NAME_IN_USE,
                     i18n.translate("EngineError", "That name is already used by another container."))
    if "cannot remove a running container" in low or ("running" in low and "stop the container before" in low):
        return error(ErrorKind.CONTAINER_RUNNING, _said(
            what, i18n.translate("EngineError", "Cannot remove {what_lower}: it is running. "
                                                "Stop it first or force the removal."),
            i18n.translate("EngineError", "Cannot remove container {name}: it is running. "
                                          "Stop it first or force the removal.")))
    if "cannot remove a paused container" in low:
        return error(ErrorKind.CONTAINER_RUNNING, _said(
            what, i18n.translate("EngineError", "Cannot remove {what_lower}: it is paused. "
                                                "Unpause and stop it first, or force the removal."),
            i18n.translate("EngineError", "Cannot remove container {name}: it is paused. "
                                          "Unpause and stop it first, or force the removal.")))
    if status == 409 and ("image is being used" in low or "is using its referenced image" in low
                          or "image has dependent child images" in low
                          or "is referenced in multiple repositories" in low):
        if "dependent child images" in low:
            msg = _said(what,
                        i18n.translate("EngineError", "Cannot remove {what_lower}: other images are built on it."),
                        image=i18n.translate("EngineError",
                                             "Cannot remove image {name}: other images are built on it."))
        elif "multiple repositories" in low:
            msg = _said(what, i18n.translate("EngineError", "Cannot remove {what_lower}: it has several tags. "
                                                            "Remove a tag, or force the removal."),
                        image=i18n.translate("EngineError", "Cannot remove image {name}: it has several tags. "
                                                            "Remove a tag, or force the removal."))
        else:
            msg = _said(what, i18n.translate("EngineError", "Cannot remove {what_lower}: a container uses it. "
                                                            "Remove the container first, or force the removal."),
                        image=i18n.translate("EngineError", "Cannot remove image {name}: a container uses it. "
                                                            "Remove the container first, or force the removal."))
        return error(ErrorKind.IMAGE_IN_USE, msg)
    if status == 409 and "is not running" in low:
        return error(ErrorKind.NOT_RUNNING, _said(
            what, i18n.translate("EngineError", "{what} is not running."),
            i18n.translate("EngineError", "Container {name} is not running.")))
    if "is not paused" in low:
        return error(ErrorKind.CONFLICT, _said(
            what, i18n.translate("EngineError", "{what} is not paused."),
            i18n.translate("EngineError", "Container {name} is not paused.")))
    if status == 409 and "is paused" in low:
        return error(ErrorKind.CONFLICT, _said(
            what, i18n.translate("EngineError", "{what} is paused; unpause it first."),
            i18n.translate("EngineError", "Container {name} is paused; unpause it first.")))
    if "no basic auth credentials" in low:
        return error(ErrorKind.UNAUTHORIZED,
                     i18n.translate("EngineError", "The registry asks for a login: log in to it first."))
    if (status == 401 or "unauthorized" in low or "authentication required" in low
            or "incorrect username or password" in low):
        return error(ErrorKind.UNAUTHORIZED, i18n.translate(
            "EngineError", "The registry refused the credentials (wrong user name or password, or no access)."))
    if ("pull access denied" in low or "manifest unknown" in low or "repository does not exist" in low
            or isinstance(exc, docker.errors.ImageNotFound) or "no such image" in low
            or ("manifest for" in low and "not found" in low)):
        if what:
            return error(ErrorKind.IMAGE_NOT_FOUND, i18n.translate(
                "EngineError", "The image {name} was not found (check the name and tag, "
                               "and whether you are logged in).").format(name=what.removeprefix("image ")))
        return error(ErrorKind.IMAGE_NOT_FOUND, i18n.translate(
            "EngineError", "The image was not found (check the name and tag, and whether you are logged in)."))
    if status == 404 or isinstance(exc, docker.errors.NotFound):
        return error(ErrorKind.NOT_FOUND, _said(
            what, i18n.translate("EngineError", "{what} no longer exists."),
            i18n.translate("EngineError", "Container {name} no longer exists."),
            i18n.translate("EngineError", "Image {name} no longer exists.")))
    if "no space left on device" in low:
        return error(ErrorKind.NO_SPACE, i18n.translate("EngineError", "The engine ran out of disk space."))
    if "permission denied" in low:
        return error(ErrorKind.PERMISSION, i18n.translate("EngineError", "Permission denied: {text}").format(text=text))
    if status == 400 or "invalid" in low:
        return error(ErrorKind.INVALID_INPUT, i18n.translate(
            "EngineError", "The engine rejected the request: {reason}").format(reason=_first_line(text)))
    if status == 409:
        return error(ErrorKind.CONFLICT, _first_line(text))
    return error(ErrorKind.INTERNAL, i18n.translate(
        "EngineError", "The engine reported an error: {reason}").format(reason=_first_line(text)))


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:300]
