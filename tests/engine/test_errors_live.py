"""Failures from the real engine become EngineError with the right kind and a message a
user understands; the engine's own text stays available as ``detail``."""

from __future__ import annotations

import socket
import time

import pytest

from desktop.engine.client import Engine
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.records import PortMapping, RunSpec
from tests.conftest import HTTPD, RUN_ID, TEST_LABEL, WHALESAY, docker

from .conftest import free_port


def one_line(err: EngineError) -> None:
    assert err.message and "\n" not in err.message and len(err.message) < 300
    assert "Traceback" not in err.message and "HTTPConnection" not in err.message


async def test_name_in_use(engine: Engine, cleanup, labels):
    name = cleanup.name("dup")
    await engine.create(RunSpec(image=WHALESAY, name=name, command=("true",), start=False, labels=labels))
    with pytest.raises(EngineError) as info:
        await engine.create(RunSpec(image=WHALESAY, name=name, command=("true",), start=False, labels=labels))
    err = info.value
    assert err.kind is ErrorKind.NAME_IN_USE
    assert name in err.message and "already" in err.message
    assert "Conflict" in err.detail
    one_line(err)
    assert docker("ps", "-a", "--filter", f"name=^/{name}$", "-q").split().__len__() == 1


async def test_host_port_already_allocated_leaves_nothing_behind(engine: Engine, cleanup, labels):
    port = free_port()
    first = cleanup.name("port1")
    await engine.create(RunSpec(image=HTTPD, name=first, labels=labels,
                                ports=(PortMapping(80, host_ip="127.0.0.1", host_port=str(port)),)))
    second = cleanup.name("port2")
    mine = ("ps", "-aq", "--no-trunc", "--filter", f"label={TEST_LABEL}={RUN_ID}")
    before = set(docker(*mine).split())
    with pytest.raises(EngineError) as info:
        await engine.create(RunSpec(image=HTTPD, name=second, labels=labels,
                                    ports=(PortMapping(80, host_ip="127.0.0.1", host_port=str(port)),)))
    err = info.value
    assert err.kind is ErrorKind.PORT_IN_USE
    assert f"127.0.0.1:{port}" in err.message and "already in use" in err.message
    assert "port is already allocated" in err.detail
    one_line(err)
    # the container made before the failed start was removed again
    assert set(docker(*mine).split()) == before
    assert await engine.container(second) is None


async def test_host_port_taken_by_another_program(engine: Engine, cleanup, labels):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        name = cleanup.name("portprog")
        with pytest.raises(EngineError) as info:
            await engine.create(RunSpec(image=HTTPD, name=name, labels=labels,
                                        ports=(PortMapping(80, host_ip="127.0.0.1", host_port=str(port)),)))
    assert info.value.kind is ErrorKind.PORT_IN_USE
    assert str(port) in info.value.message
    assert await engine.container(name) is None


async def test_remove_running_container_without_force(engine: Engine, cleanup, labels):
    name = cleanup.name("running")
    cid = await engine.create(RunSpec(image=WHALESAY, name=name, command=("sleep", "300"), labels=labels))
    with pytest.raises(EngineError) as info:
        await engine.remove(name)
    err = info.value
    assert err.kind is ErrorKind.CONTAINER_RUNNING
    assert name in err.message and "running" in err.message and "force" in err.message
    one_line(err)
    assert (await engine.container(cid)).running
    await engine.remove(name, force=True)


async def test_remove_image_a_container_uses(engine: Engine, cleanup, labels, private_image):
    name = cleanup.name("user")
    await engine.create(RunSpec(image=private_image, name=name, start=False, labels=labels))
    for ident in (private_image, docker("image", "inspect", "-f", "{{.Id}}", private_image).strip()):
        with pytest.raises(EngineError) as info:
            await engine.remove_image(ident)
        err = info.value
        assert err.kind is ErrorKind.IMAGE_IN_USE, err.detail
        assert ident in err.message and "container" in err.message
        one_line(err)
    assert private_image in {t for i in await engine.images() for t in i.repo_tags}


async def test_remove_image_used_by_a_running_container_even_forced(engine: Engine, cleanup, labels):
    ref = cleanup.image(f"berth-test/busy:{RUN_ID}")
    docker("commit", docker("create", *cleanup.label_args(), WHALESAY, "true").strip(), ref)
    await engine.create(RunSpec(image=ref, name=cleanup.name("busy"), command=("sleep", "300"), labels=labels))
    ident = docker("image", "inspect", "-f", "{{.Id}}", ref).strip()
    with pytest.raises(EngineError) as info:
        await engine.remove_image(ident, force=True)
    assert info.value.kind is ErrorKind.IMAGE_IN_USE, info.value.detail
    one_line(info.value)


async def test_unknown_image_on_create(engine: Engine, cleanup, labels):
    with pytest.raises(EngineError) as info:
        await engine.create(RunSpec(image=f"berth-test/none:{RUN_ID}", name=cleanup.name("none"), labels=labels))
    assert info.value.kind is ErrorKind.IMAGE_NOT_FOUND
    assert f"berth-test/none:{RUN_ID}" in info.value.message
    one_line(info.value)


async def test_remove_missing_image(engine: Engine):
    with pytest.raises(EngineError) as info:
        await engine.remove_image(f"berth-test/none:{RUN_ID}")
    assert info.value.kind in (ErrorKind.IMAGE_NOT_FOUND, ErrorKind.NOT_FOUND)
    assert f"berth-test/none:{RUN_ID}" in info.value.message
    assert "image image" not in info.value.message.lower()
    one_line(info.value)


async def test_missing_container(engine: Engine):
    for op in (engine.start, engine.stop, engine.inspect, engine.remove, engine.pause, engine.kill):
        with pytest.raises(EngineError) as info:
            await op(f"berth-none-{RUN_ID}")
        assert info.value.kind is ErrorKind.NOT_FOUND, op.__name__
        assert f"berth-none-{RUN_ID}" in info.value.message
        one_line(info.value)


async def test_kill_with_an_unknown_signal(engine: Engine, cleanup, labels):
    name = cleanup.name("sig")
    await engine.create(RunSpec(image=WHALESAY, name=name, command=("sleep", "300"), labels=labels))
    with pytest.raises(EngineError) as info:
        await engine.kill(name, signal="SIGNOPE")
    assert info.value.kind is ErrorKind.INVALID_INPUT and "SIGNOPE" in info.value.message
    assert (await engine.container(name)).running


async def test_operations_on_a_container_not_running(engine: Engine, cleanup, labels):
    name = cleanup.name("stopped")
    await engine.create(RunSpec(image=WHALESAY, name=name, command=("true",), start=False, labels=labels))
    for op in (engine.pause, engine.kill):
        with pytest.raises(EngineError) as info:
            await op(name)
        assert info.value.kind is ErrorKind.NOT_RUNNING, (op.__name__, info.value.detail)
        assert name in info.value.message
    with pytest.raises(EngineError) as info:
        await engine.exec_output(name, ["true"])
    assert info.value.kind is ErrorKind.NOT_RUNNING, info.value.detail


async def test_unpause_a_container_not_paused(engine: Engine, cleanup, labels):
    name = cleanup.name("notpaused")
    await engine.create(RunSpec(image=WHALESAY, name=name, command=("sleep", "300"), labels=labels))
    with pytest.raises(EngineError) as info:
        await engine.unpause(name)
    assert info.value.kind is ErrorKind.CONFLICT, info.value.detail
    assert info.value.message == f"Container {name} is not paused."


async def test_wait_running_out_of_time_is_a_timeout_not_an_unreachable_engine(engine: Engine, cleanup, labels):
    name = cleanup.name("wait")
    await engine.create(RunSpec(image=WHALESAY, name=name, command=("sleep", "300"), labels=labels))
    with pytest.raises(EngineError) as info:
        await engine.wait(name, timeout=0.5)
    assert info.value.kind is ErrorKind.TIMEOUT
    assert name in info.value.message and "0.5 seconds" in info.value.message
    assert await engine.ping()
    assert (await engine.container(name)).running


async def test_operations_on_a_paused_container(engine: Engine, cleanup, labels):
    name = cleanup.name("paused")
    await engine.create(RunSpec(image=WHALESAY, name=name, command=("sleep", "300"), labels=labels))
    await engine.pause(name)
    with pytest.raises(EngineError) as info:
        await engine.exec_output(name, ["true"])
    assert info.value.kind is ErrorKind.CONFLICT and "paused" in info.value.message, info.value.detail
    with pytest.raises(EngineError) as info:
        await engine.remove(name)
    assert info.value.kind is ErrorKind.CONTAINER_RUNNING, info.value.detail


async def test_invalid_run_specs(engine: Engine, cleanup, labels):
    cases = [
        RunSpec(image="  "),
        RunSpec(image=WHALESAY, restart="sometimes"),
        RunSpec(image=WHALESAY, restart="always:3"),
        RunSpec(image=WHALESAY, restart="always", auto_remove=True),
    ]
    for spec in cases:
        with pytest.raises(EngineError) as info:
            await engine.create(spec)
        assert info.value.kind is ErrorKind.INVALID_INPUT
        one_line(info.value)
    # an invalid name, checked by the engine
    with pytest.raises(EngineError) as info:
        await engine.create(RunSpec(image=WHALESAY, name="no spaces allowed", start=False, labels=labels))
    assert info.value.kind is ErrorKind.INVALID_INPUT
    one_line(info.value)
    # a path that does not exist in the container
    cid = await engine.create(RunSpec(image=WHALESAY, name=cleanup.name("bad"), start=False, labels=labels))
    with pytest.raises(EngineError) as info:
        await engine.put_archive(cid, "/no/such/dir", [b"x" * 1024])
    assert info.value.kind in (ErrorKind.NOT_FOUND, ErrorKind.INVALID_INPUT)
    one_line(info.value)


async def test_rename_to_a_name_in_use_and_an_invalid_name(engine: Engine, cleanup, labels):
    a, b = cleanup.name("ra"), cleanup.name("rb")
    await engine.create(RunSpec(image=WHALESAY, name=a, start=False, labels=labels))
    await engine.create(RunSpec(image=WHALESAY, name=b, start=False, labels=labels))
    with pytest.raises(EngineError) as info:
        await engine.rename(a, b)
    assert info.value.kind is ErrorKind.NAME_IN_USE and b in info.value.message
    with pytest.raises(EngineError) as info:
        await engine.rename(a, "bad name!")
    assert info.value.kind is ErrorKind.INVALID_INPUT
    one_line(info.value)


# -- the engine unreachable -----------------------------------------------------------------
@pytest.mark.parametrize("host", ["unix:///tmp/berth-nonexistent.sock", "tcp://127.0.0.1:{port}"])
async def test_engine_unreachable(host: str):
    host = host.format(port=free_port())
    eng = Engine(host=host)
    try:
        t = time.monotonic()
        with pytest.raises(EngineError) as info:
            await eng.connect()
        assert time.monotonic() - t < 10
        err = info.value
        assert err.kind is ErrorKind.UNREACHABLE
        assert host in err.message
        assert err.detail
        one_line(err)
        assert await eng.ping() is False
        with pytest.raises(EngineError) as info:
            await eng.containers()
        assert info.value.kind is ErrorKind.UNREACHABLE
        with pytest.raises(EngineError) as info:
            await eng.start("anything")
        assert info.value.kind is ErrorKind.UNREACHABLE
    finally:
        await eng.close()


async def test_streams_of_an_unreachable_engine_raise_unreachable():
    eng = Engine(host="unix:///tmp/berth-nonexistent.sock")
    try:
        with pytest.raises(EngineError) as info:
            async for _ in eng.events().items():
                pass
        assert info.value.kind is ErrorKind.UNREACHABLE
        assert "unix:///tmp/berth-nonexistent.sock" in info.value.message
        one_line(info.value)
    finally:
        await eng.close()


async def test_unknown_context():
    with pytest.raises(EngineError) as info:
        Engine(context=f"berth-no-context-{RUN_ID}")
    assert info.value.kind is ErrorKind.INVALID_INPUT
    assert f"berth-no-context-{RUN_ID}" in info.value.message
