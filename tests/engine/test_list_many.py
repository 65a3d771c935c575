"""Listing is one request: 300 containers take one ``GET /containers/json`` and no inspect."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import docker
import pytest

from desktop.engine.client import Engine
from tests.conftest import RUN_ID, TEST_LABEL, WHALESAY

COUNT = 300


@pytest.fixture
def many_containers(docker_engine, cleanup) -> list[str]:
    """COUNT created containers with this run's label, made in parallel through the API."""
    api = docker.APIClient(version="auto", timeout=120)
    labels = {TEST_LABEL: RUN_ID, "io.berth.test.many": "1"}

    def make(i: int) -> str:
        return api.create_container(WHALESAY, command=["true"], labels=labels,
                                    name=f"{cleanup.name('many')}")["Id"]

    def remove(cid: str) -> None:
        try:
            api.remove_container(cid, force=True)
        except docker.errors.NotFound:
            pass

    ids: list[str] = []
    try:
        with ThreadPoolExecutor(16) as pool:
            ids = list(pool.map(make, range(COUNT)))
        yield ids
    finally:
        with ThreadPoolExecutor(16) as pool:
            ids = [c["Id"] for c in api.containers(all=True, filters={"label": "io.berth.test.many=1"})
                   if c["Labels"].get(TEST_LABEL) == RUN_ID]
            list(pool.map(remove, ids))
        cleanup.containers.clear()  # removed already; the sweep need not name them one by one
        api.close()


async def test_listing_300_containers_is_one_request_without_inspect(engine: Engine, many_containers):
    rows = await engine.containers()
    assert set(many_containers) <= {c.id for c in rows}
    mine = [c for c in rows if c.id in set(many_containers)]
    assert len(mine) == COUNT
    assert all(c.state == "created" and c.image == WHALESAY and c.name for c in mine)
    assert dict(engine.requests) == {"GET /containers/json": 1}
    assert not any(key.endswith("/json") and key != "GET /containers/json" for key in engine.requests)


async def test_images_are_one_request(engine: Engine):
    await engine.images()
    assert dict(engine.requests) == {"GET /images/json": 1}
