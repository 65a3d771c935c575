"""Fixtures of the engine-layer tests: labels that clean-up sweeps, free loopback ports,
an isolated Docker config directory for credentials."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from pathlib import Path

import pytest

from tests.conftest import RUN_ID, TEST_LABEL


@pytest.fixture
def labels() -> dict[str, str]:
    """Labels for a RunSpec, so that clean-up removes the container whatever happens."""
    return {TEST_LABEL: RUN_ID}


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(directory: Path, data: dict) -> None:
    (directory / "config.json").write_text(json.dumps(data, indent=2), encoding="utf-8")


def read_config(directory: Path) -> dict:
    return json.loads((directory / "config.json").read_text(encoding="utf-8"))


async def collect(pump, limit: float = 30) -> list:
    """Every item of a finite stream, within ``limit`` seconds."""
    async def run() -> list:
        return [item async for item in pump.items()]
    return await asyncio.wait_for(run(), limit)


@pytest.fixture(autouse=True)
def _no_user_credentials(isolated_credentials: Path) -> Path:
    """No engine test reads or writes the user's Docker config or keyring."""
    return isolated_credentials


@pytest.fixture
def docker_config(isolated_credentials: Path) -> Path:
    """This test's ``DOCKER_CONFIG`` directory (empty at the start)."""
    return isolated_credentials


@pytest.fixture
def private_image(cleanup) -> str:
    """An image of this test alone, with one tag (safe to remove; never a fixture image)."""
    import io
    import tarfile

    from tests.conftest import docker

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("marker")
        data = RUN_ID.encode() + os.urandom(8).hex().encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    ref = cleanup.image(f"berth-test/private:{RUN_ID}-{os.urandom(3).hex()}")
    docker("import", "--change", 'CMD ["/marker"]', "-", ref, input=buf.getvalue())
    return ref
