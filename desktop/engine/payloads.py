"""The engine's JSON answers that :class:`desktop.engine.client.Engine` hands on as they are.

Lists become records (:mod:`desktop.engine.records`); a few answers are passed on as
the engine wrote them, because their readers want fields no record has (an event's
attributes, an inspect's configuration). Their shapes are written here as TypedDicts,
after the Docker Engine API reference, so that the modules reading them are
checked: only the fields Berth reads or tests are named, the rest of a dict is there at
run time but not typed. Every field may be absent (``total=False``) unless the API
always sends it, as the engine omits empty ones.
"""

from __future__ import annotations

from typing import TypedDict


class EventActor(TypedDict, total=False):
    ID: str
    Attributes: dict[str, str]  # name, image, exitCode, signal, ...


# ``from`` is a keyword: the functional form names it.
EngineEvent = TypedDict("EngineEvent", {
    "Type": str,        # container, image, network, volume, daemon, ...
    "Action": str,      # create, start, die, destroy, health_status: healthy, ...
    "Actor": EventActor,
    "scope": str,
    "time": int,        # seconds since the epoch
    "timeNano": int,
    "status": str,      # the older fields, still sent for containers and images
    "id": str,
    "from": str,
}, total=False)
"""One message of ``GET /events``."""


class PathStat(TypedDict):
    """``X-Docker-Container-Path-Stat`` of ``HEAD /containers/{id}/archive``."""

    name: str
    size: int
    mode: int           # Go's os.FileMode: 1 << 31 is a directory, 1 << 27 a symbolic link
    mtime: str
    linkTarget: str


class ContainerConfig(TypedDict, total=False):
    """``Config`` of a container's or an image's inspect."""

    Image: str
    Cmd: list[str] | None
    Entrypoint: list[str] | None
    Env: list[str] | None
    WorkingDir: str
    User: str
    Tty: bool
    Labels: dict[str, str] | None


class ContainerState(TypedDict, total=False):
    Status: str         # created, running, paused, restarting, removing, exited, dead
    Running: bool
    Paused: bool
    Restarting: bool
    ExitCode: int
    StartedAt: str
    FinishedAt: str


class ContainerInspect(TypedDict, total=False):
    """``GET /containers/{id}/json``."""

    Id: str
    Name: str
    Image: str
    Created: str
    State: ContainerState
    Config: ContainerConfig
    HostConfig: dict[str, object]
    NetworkSettings: dict[str, object]
    Mounts: list[dict[str, object]]


class ImageInspect(TypedDict, total=False):
    """``GET /images/{name}/json``."""

    Id: str
    RepoTags: list[str]
    RepoDigests: list[str]
    Created: str
    Size: int
    Architecture: str
    Os: str
    Config: ContainerConfig


class HistoryEntry(TypedDict, total=False):
    """One layer of ``GET /images/{name}/history``."""

    Id: str
    Created: int
    CreatedBy: str
    Tags: list[str] | None
    Size: int
    Comment: str


class WaitError(TypedDict):
    Message: str


class WaitAnswer(TypedDict, total=False):
    """``POST /containers/{id}/wait``."""

    StatusCode: int
    Error: WaitError | None
