"""Typed, immutable records built from the Engine API's list responses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from desktop.engine.states import State

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Port:
    """One entry of a container's ``Ports`` list (``docker ps`` PORTS column)."""

    private_port: int
    type: str = "tcp"
    ip: str = ""
    public_port: int | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Port:
        public = d.get("PublicPort")
        return cls(int(d.get("PrivatePort", 0)), d.get("Type") or "tcp", d.get("IP") or "",
                   int(public) if public else None)


@dataclass(frozen=True, slots=True)
class Container:
    """One row of ``docker ps -a``. ``state`` is a :class:`State`; ``status`` the engine's
    own text ("Up 2 minutes (Paused)")."""

    id: str
    names: tuple[str, ...]
    image: str
    image_id: str
    command: str
    created: int
    state: State
    status: str
    ports: tuple[Port, ...] = ()
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    mounts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A record made by hand from an inspect answer passes the engine's word.
        if not isinstance(self.state, State):
            object.__setattr__(self, "state", State.of(str(self.state)))

    @property
    def name(self) -> str:
        """The primary name without the leading slash (``docker ps`` NAMES)."""
        for n in self.names:
            bare = n.lstrip("/")
            if "/" not in bare:
                return bare
        return self.names[0].lstrip("/") if self.names else ""

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def running(self) -> bool:
        return self.state.running

    @property
    def paused(self) -> bool:
        return self.state is State.PAUSED

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Container:
        return cls(
            id=d["Id"],
            names=tuple(d.get("Names") or ()),
            image=d.get("Image") or "",
            image_id=d.get("ImageID") or "",
            command=d.get("Command") or "",
            created=int(d.get("Created") or 0),
            state=State.of(d.get("State") or ""),
            status=d.get("Status") or "",
            ports=tuple(Port.from_api(p) for p in d.get("Ports") or ()),
            labels=MappingProxyType(dict(d.get("Labels") or {})),
            mounts=tuple(m.get("Destination", "") for m in d.get("Mounts") or ()),
        )


@dataclass(frozen=True, slots=True)
class Image:
    id: str
    repo_tags: tuple[str, ...]
    repo_digests: tuple[str, ...]
    created: int
    size: int
    containers: int = -1
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    parent_id: str = ""

    @property
    def short_id(self) -> str:
        return self.id.split(":", 1)[-1][:12]

    @property
    def dangling(self) -> bool:
        return not self.repo_tags or self.repo_tags == ("<none>:<none>",)

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Image:
        return cls(
            id=d["Id"],
            repo_tags=tuple(t for t in d.get("RepoTags") or () if t != "<none>:<none>"),
            repo_digests=tuple(t for t in d.get("RepoDigests") or () if t != "<none>@<none>"),
            created=int(d.get("Created") or 0),
            size=int(d.get("Size") or 0),
            containers=int(d.get("Containers", -1) if d.get("Containers") is not None else -1),
            labels=MappingProxyType(dict(d.get("Labels") or {})),
            parent_id=d.get("ParentId") or "",
        )


@dataclass(frozen=True, slots=True)
class PortMapping:
    """One published port, as parsed from ``docker run -p`` syntax.

    ``host_port`` is ``""`` for a port the engine picks, a number, or a range
    ``"8000-8010"`` from which the engine picks one.
    """

    container_port: int
    protocol: str = "tcp"
    host_ip: str = ""
    host_port: str = ""

    @property
    def key(self) -> str:
        return f"{self.container_port}/{self.protocol}"


@dataclass(frozen=True, slots=True)
class Mount:
    """A bind mount (``source`` is an absolute host path) or a named volume."""

    source: str
    target: str
    read_only: bool = False

    @property
    def spec(self) -> str:
        return f"{self.source}:{self.target}" + (":ro" if self.read_only else "")


@dataclass(frozen=True, slots=True)
class RunSpec:
    """Everything ``docker run``/``docker create`` takes that Berth offers."""

    image: str
    name: str = ""
    command: tuple[str, ...] | None = None
    ports: tuple[PortMapping, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    mounts: tuple[Mount, ...] = ()
    restart: str = ""          # "", "no", "always", "unless-stopped", "on-failure[:N]"
    auto_remove: bool = False
    start: bool = True
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    workdir: str = ""
    tty: bool = False


@dataclass(frozen=True, slots=True)
class EngineInfo:
    host: str
    context: str
    version: str
    api_version: str
    os: str = ""
    arch: str = ""


@dataclass(frozen=True, slots=True)
class PullProgress:
    """One message of a pull: per layer (``layer`` set) or for the whole image."""

    layer: str
    status: str
    current: int = 0
    total: int = 0

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> PullProgress:
        detail = d.get("progressDetail") or {}
        return cls(d.get("id") or "", d.get("status") or "",
                   int(detail.get("current") or 0), int(detail.get("total") or 0))


@dataclass(frozen=True, slots=True)
class Context:
    name: str
    host: str
    current: bool
    description: str = ""
