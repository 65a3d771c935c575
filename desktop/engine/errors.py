"""One exception type for everything that can go wrong talking to Docker.

Every failure becomes an :class:`EngineError` with a :class:`ErrorKind`, a one-line
message a user understands, and the engine's own text as ``detail``.
"""

from __future__ import annotations

import enum
import re

import docker.errors
import requests.exceptions


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


def translate(exc: BaseException, *, what: str = "") -> EngineError:
    """Turn an exception raised by the docker SDK (or the transport) into an EngineError.

    ``what`` names the object of the operation ("container web", "image httpd:latest")
    so that the message can say what was not found or is in use.
    """
    if isinstance(exc, EngineError):
        return exc
    subject = what or "the object"
    if isinstance(exc, docker.errors.APIError):
        text = _explanation(exc)
        low = text.lower()
        status = exc.status_code or 0
        if "marked for removal" in low or ("removal of container" in low and "in progress" in low):
            return EngineError(ErrorKind.NOT_FOUND, f"{subject[:1].upper()}{subject[1:]} is being removed.", text)
        if "port is already allocated" in low or "address already in use" in low:
            m = _PORT_RE.search(text)
            where = f" ({m.group(1)})" if m else ""
            return EngineError(ErrorKind.PORT_IN_USE,
                               f"The host port{where} is already in use by another container or program.", text)
        if status == 409 and "is already in use" in low:
            m = re.search(r'name "/?([^"]+)" is already in use', text)
            name = m.group(1) if m else ""
            return EngineError(ErrorKind.NAME_IN_USE,
                               f"The name \"{name}\" is already used by another container." if name
                               else "That name is already used by another container.", text)
        if "cannot remove a running container" in low or ("running" in low and "stop the container before" in low):
            return EngineError(ErrorKind.CONTAINER_RUNNING,
                               f"Cannot remove {subject}: it is running. Stop it first or force the removal.", text)
        if "cannot remove a paused container" in low:
            return EngineError(ErrorKind.CONTAINER_RUNNING,
                               f"Cannot remove {subject}: it is paused. "
                               "Unpause and stop it first, or force the removal.",
                               text)
        if status == 409 and ("image is being used" in low or "is using its referenced image" in low
                              or "image has dependent child images" in low
                              or "is referenced in multiple repositories" in low):
            if "dependent child images" in low:
                msg = f"Cannot remove {subject}: other images are built on it."
            elif "multiple repositories" in low:
                msg = f"Cannot remove {subject}: it has several tags. Remove a tag, or force the removal."
            else:
                msg = f"Cannot remove {subject}: a container uses it. Remove the container first, or force the removal."
            return EngineError(ErrorKind.IMAGE_IN_USE, msg, text)
        if status == 409 and "is not running" in low:
            return EngineError(ErrorKind.NOT_RUNNING, f"{subject[:1].upper()}{subject[1:]} is not running.", text)
        if "is not paused" in low:
            return EngineError(ErrorKind.CONFLICT, f"{subject[:1].upper()}{subject[1:]} is not paused.", text)
        if status == 409 and "is paused" in low:
            return EngineError(ErrorKind.CONFLICT,
                               f"{subject[:1].upper()}{subject[1:]} is paused; unpause it first.", text)
        if "no basic auth credentials" in low:
            return EngineError(ErrorKind.UNAUTHORIZED, "The registry asks for a login: log in to it first.", text)
        if (status == 401 or "unauthorized" in low or "authentication required" in low
                or "incorrect username or password" in low):
            return EngineError(ErrorKind.UNAUTHORIZED, "The registry refused the credentials "
                                                       "(wrong user name or password, or no access).", text)
        if ("pull access denied" in low or "manifest unknown" in low or "repository does not exist" in low
                or isinstance(exc, docker.errors.ImageNotFound) or "no such image" in low
                or ("manifest for" in low and "not found" in low)):
            return EngineError(ErrorKind.IMAGE_NOT_FOUND,
                               f"The image {what.removeprefix('image ')} was not found (check the name and tag, "
                               "and whether you are logged in)." if what else
                               "The image was not found (check the name and tag, and whether you are logged in).",
                               text)
        if status == 404 or isinstance(exc, docker.errors.NotFound):
            return EngineError(ErrorKind.NOT_FOUND, f"{subject[:1].upper()}{subject[1:]} no longer exists.", text)
        if "no space left on device" in low:
            return EngineError(ErrorKind.NO_SPACE, "The engine ran out of disk space.", text)
        if "permission denied" in low:
            return EngineError(ErrorKind.PERMISSION, f"Permission denied: {text}", text)
        if status == 400 or "invalid" in low:
            return EngineError(ErrorKind.INVALID_INPUT, f"The engine rejected the request: {_first_line(text)}", text)
        if status == 409:
            return EngineError(ErrorKind.CONFLICT, _first_line(text), text)
        return EngineError(ErrorKind.INTERNAL, f"The engine reported an error: {_first_line(text)}", text)
    if isinstance(exc, docker.errors.ContextNotFound):
        return EngineError(ErrorKind.INVALID_INPUT, f"There is no Docker context named {what!r}.", str(exc))
    if isinstance(exc, (requests.exceptions.ConnectionError, ConnectionError, FileNotFoundError,
                        requests.exceptions.Timeout, TimeoutError)):
        return EngineError(ErrorKind.UNREACHABLE, "The Docker engine does not answer.", str(exc))
    if isinstance(exc, docker.errors.DockerException):
        text = str(exc)
        if "Error while fetching server API version" in text or "Connection" in text:
            return EngineError(ErrorKind.UNREACHABLE, "The Docker engine does not answer.", text)
        if "credentials store" in text.lower() or "credential" in text.lower():
            return EngineError(ErrorKind.CREDENTIALS, f"The credential helper failed: {_first_line(text)}", text)
        return EngineError(ErrorKind.INTERNAL, _first_line(text), text)
    return EngineError(ErrorKind.INTERNAL, f"Unexpected error: {type(exc).__name__}: {_first_line(str(exc))}",
                       repr(exc))


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:300]
