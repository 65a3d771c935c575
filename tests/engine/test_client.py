"""Every Engine operation against the real engine (the failures are in test_errors_live.py)."""

from __future__ import annotations

import asyncio
import io
import json
import tarfile
import time
import urllib.request

import pytest

from desktop.engine.client import Engine, list_contexts, resolve_host
from desktop.engine.errors import EngineError, ErrorKind
from desktop.engine.records import Container, Image, Mount, PortMapping, RunSpec
from tests.conftest import HTTPD, RUN_ID, TEST_LABEL, WHALESAY, docker, docker_json

from .conftest import collect, free_port


def sleeper(name: str, labels: dict, **kw) -> RunSpec:
    return RunSpec(image=WHALESAY, name=name, command=("sleep", "300"), labels=labels, **kw)


def state_of(ident: str) -> dict:
    return docker_json("inspect", "--format", "{{json .State}}", ident)


# -- connecting -------------------------------------------------------------------------
async def test_connect_reports_the_engine_version(engine: Engine):
    info = await engine.connect()
    assert info.version == docker("version", "-f", "{{.Server.Version}}").strip()
    assert info.api_version == docker("version", "-f", "{{.Server.APIVersion}}").strip()
    assert info.os == "linux" and info.arch
    assert engine.info is info
    assert await engine.ping() is True


def test_resolve_host_explicit_url_wins(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    assert resolve_host("unix:///var/run/docker.sock")[0] == "unix:///var/run/docker.sock"
    assert resolve_host()[0] == "tcp://127.0.0.1:2375"
    monkeypatch.delenv("DOCKER_HOST")
    url, ctx, _ = resolve_host()
    assert url.startswith("unix://") and ctx == "default"


async def test_docker_host_environment_is_used(docker_engine, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///var/run/docker.sock")
    eng = Engine()
    try:
        assert eng.host == "unix:///var/run/docker.sock"
        assert (await eng.connect()).version
    finally:
        await eng.close()


async def test_named_context_default(docker_engine):
    eng = Engine(context="default")
    try:
        assert eng.context == "default"
        assert (await eng.connect()).api_version
    finally:
        await eng.close()


def test_list_contexts_has_the_current_default(docker_engine):
    contexts = list_contexts()
    names = {c.name: c for c in contexts}
    assert "default" in names
    assert sum(c.current for c in contexts) == 1
    cli = [json.loads(line) for line in docker("context", "ls", "--format", "{{json .}}").splitlines()]
    assert {c["Name"] for c in cli} == set(names)


# -- lists ---------------------------------------------------------------------------
async def test_containers_lists_what_docker_ps_lists(engine: Engine, cleanup):
    name = cleanup.name("list")
    port = free_port()
    cid = cleanup.run("--name", name, "-p", f"{port}:80", "-e", "A=1", HTTPD)
    created = cleanup.name("created")
    docker("create", *cleanup.label_args(), "--name", created, WHALESAY, "echo", "hi")

    rows = await engine.containers()
    assert all(isinstance(c, Container) for c in rows)
    by_name = {c.name: c for c in rows}
    mine = set(docker("ps", "-aq", "--no-trunc", "--filter", f"label={TEST_LABEL}={RUN_ID}").split())
    assert {c.id for c in rows if c.labels.get(TEST_LABEL) == RUN_ID} == mine == {cid, by_name[created].id}

    c = by_name[name]
    assert c.id == cid and c.short_id == cid[:12]
    assert c.image == HTTPD
    assert c.state == "running" and c.running and c.status.startswith("Up")
    assert c.labels[TEST_LABEL] == RUN_ID
    assert [(p.private_port, p.public_port, p.ip, p.type) for p in c.ports] == [(80, port, "127.0.0.1", "tcp")]
    assert by_name[created].state == "created" and not by_name[created].running
    assert by_name[created].command == "echo hi"
    with pytest.raises(TypeError):
        c.labels["x"] = "y"  # records are immutable
    assert engine.requests["GET /containers/json"] == 1


async def test_container_finds_one_row_by_id_short_id_and_name(engine: Engine, cleanup):
    name = cleanup.name("one")
    docker("create", *cleanup.label_args(), "--name", name, WHALESAY, "true")
    cid = docker("inspect", "-f", "{{.Id}}", name).strip()
    assert (await engine.container(cid)).name == name
    assert (await engine.container(cid[:12])).id == cid
    assert (await engine.container(name)).id == cid
    assert await engine.container("berth-no-such-container") is None
    assert engine.requests.get("GET /containers/{id}/json", 0) == 0
    assert not any("/json" in k and k != "GET /containers/json" for k in engine.requests)


async def test_images_lists_tags_sizes_and_ids(engine: Engine):
    images = await engine.images()
    assert all(isinstance(i, Image) for i in images)
    by_tag = {t: i for i in images for t in i.repo_tags}
    for ref in (WHALESAY, HTTPD):
        img = by_tag[ref]
        inspected = docker_json("image", "inspect", ref)[0]
        assert img.id == inspected["Id"]
        assert img.size == inspected["Size"]
        assert img.short_id == inspected["Id"].split(":")[1][:12]
        assert not img.dangling
    assert engine.requests == {"GET /images/json": 1} | {k: v for k, v in engine.requests.items()
                                                         if k in ("GET /version", "GET /_ping")}


# -- create and run --------------------------------------------------------------------
async def test_create_and_run_with_ports_env_volume_restart(engine: Engine, cleanup, labels):
    name = cleanup.name("run")
    vol = cleanup.volume(f"berth-t{RUN_ID}-vol")
    port = free_port()
    spec = RunSpec(image=HTTPD, name=name, ports=(PortMapping(80, host_ip="127.0.0.1", host_port=str(port)),),
                   env=(("GREETING", "hello world"), ("EMPTY", "")),
                   mounts=(Mount(vol, "/data"),), restart="on-failure:3", labels=labels)
    cid = await engine.create(spec)
    info = await engine.inspect(cid)
    assert info["Name"] == f"/{name}"
    assert info["State"]["Running"] is True
    assert "GREETING=hello world" in info["Config"]["Env"] and "EMPTY=" in info["Config"]["Env"]
    assert info["HostConfig"]["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert info["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}
    assert [m["Name"] for m in info["Mounts"]] == [vol]
    assert info["Config"]["Labels"][TEST_LABEL] == RUN_ID

    # the published port really serves
    docker("exec", cid, "sh", "-c", "echo berth-page > /usr/local/apache2/htdocs/index.html")
    body = _get(f"http://127.0.0.1:{port}/")
    assert body == "berth-page\n"


def _get(url: str, attempts: int = 20) -> str:
    for i in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read().decode()
        except OSError:
            if i == attempts - 1:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


async def test_create_random_host_port_and_port_range(engine: Engine, cleanup, labels):
    a = await engine.create(RunSpec(image=HTTPD, name=cleanup.name("rnd"), labels=labels,
                                    ports=(PortMapping(80, host_ip="127.0.0.1"),)))
    bound = (await engine.inspect(a))["NetworkSettings"]["Ports"]["80/tcp"]
    assert bound and int(bound[0]["HostPort"]) > 0
    p = free_port()
    b = await engine.create(RunSpec(image=HTTPD, name=cleanup.name("range"), labels=labels, start=False,
                                    ports=(PortMapping(80, "tcp", "127.0.0.1", f"{p}-{p + 2}"),
                                           PortMapping(53, "udp", "127.0.0.1", ""))))
    hc = (await engine.inspect(b))["HostConfig"]["PortBindings"]
    assert hc["80/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": f"{p}-{p + 2}"}]
    assert hc["53/udp"] == [{"HostIp": "127.0.0.1", "HostPort": ""}]


async def test_create_without_start_workdir_tty_and_bind(engine: Engine, cleanup, labels, tmp_path):
    (tmp_path / "f.txt").write_text("bound")
    name = cleanup.name("nostart")
    cid = await engine.create(RunSpec(image=WHALESAY, name=name, command=("cat", "/mnt/f.txt"), start=False,
                                      workdir="/tmp", tty=True, labels=labels,
                                      mounts=(Mount(str(tmp_path), "/mnt", read_only=True),)))
    info = await engine.inspect(cid)
    assert info["State"]["Status"] == "created"
    assert info["Config"]["WorkingDir"] == "/tmp" and info["Config"]["Tty"] is True
    assert info["HostConfig"]["Binds"] == [f"{tmp_path}:/mnt:ro"]
    assert info["Config"]["Cmd"] == ["cat", "/mnt/f.txt"]
    await engine.start(cid)
    assert await engine.wait(cid, timeout=30) == 0
    assert docker("logs", cid).strip() == "bound"


async def test_auto_remove_container_goes_away_when_it_exits(engine: Engine, cleanup, labels):
    name = cleanup.name("rm")
    cid = await engine.create(RunSpec(image=WHALESAY, name=name, command=("true",), auto_remove=True, labels=labels))
    assert (await engine.inspect(cid))["HostConfig"]["AutoRemove"] is True
    for _ in range(100):
        if await engine.container(cid) is None:
            break
        await asyncio.sleep(0.1)
    assert await engine.container(cid) is None


async def test_image_default_command_is_kept(engine: Engine, cleanup, labels):
    cid = await engine.create(RunSpec(image=HTTPD, name=cleanup.name("cmd"), start=False, labels=labels))
    assert (await engine.inspect(cid))["Config"]["Cmd"] == docker_json("image", "inspect", HTTPD)[0]["Config"]["Cmd"]


# -- lifecycle ---------------------------------------------------------------------------
async def test_lifecycle_start_pause_unpause_restart_stop_kill_remove(engine: Engine, cleanup, labels):
    name = cleanup.name("life")
    # a shell that exits on SIGTERM, so that stop and restart are quick
    cid = await engine.create(RunSpec(image=WHALESAY, name=name, start=False, labels=labels,
                                      command=("sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.1; done")))
    assert (await engine.container(cid)).state == "created"
    await engine.start(cid)
    assert (await engine.container(cid)).state == "running"
    await engine.pause(cid)
    row = await engine.container(cid)
    assert row.state == "paused" and row.paused and "(Paused)" in row.status
    await engine.unpause(cid)
    assert (await engine.container(cid)).state == "running"
    started = state_of(cid)["StartedAt"]
    await engine.restart(cid, timeout=5)
    assert state_of(cid)["StartedAt"] != started and state_of(cid)["Running"]
    await engine.stop(cid, timeout=5)
    row = await engine.container(cid)
    assert row.state == "exited" and row.status.startswith("Exited (3)")
    assert await engine.wait(cid) == 3
    await engine.start(cid)
    await engine.kill(cid)
    assert await engine.wait(cid, timeout=30) == 137
    await engine.start(cid)
    await engine.kill(cid, signal="SIGTERM")
    assert await engine.wait(cid, timeout=30) == 3
    await engine.remove(cid)
    assert await engine.container(cid) is None
    assert name not in docker("ps", "-a", "--format", "{{.Names}}").split()


async def test_stop_with_default_timeout_and_force_remove_running(engine: Engine, cleanup, labels):
    cid = await engine.create(RunSpec(image=WHALESAY, name=cleanup.name("stop"), labels=labels,
                                      command=("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done")))
    await engine.stop(cid)
    assert state_of(cid)["Status"] == "exited"
    await engine.start(cid)
    await engine.remove(cid, force=True)
    assert await engine.container(cid) is None


async def test_remove_with_volumes(engine: Engine, cleanup, labels):
    # an anonymous volume stays without volumes=True, and goes with it
    kept, gone = cleanup.name("anon-kept"), cleanup.name("anon-gone")
    for name in (kept, gone):
        docker("create", *cleanup.label_args(), "--name", name, "-v", "/anon", WHALESAY, "true")
    vol_kept = cleanup.volume(docker_json("inspect", kept)[0]["Mounts"][0]["Name"])
    vol_gone = cleanup.volume(docker_json("inspect", gone)[0]["Mounts"][0]["Name"])
    await engine.remove(kept)
    await engine.remove(gone, volumes=True)
    volumes = docker("volume", "ls", "-q").split()
    assert vol_kept in volumes and vol_gone not in volumes


async def test_rename(engine: Engine, cleanup, labels):
    old, new = cleanup.name("old"), cleanup.name("new")
    cid = await engine.create(sleeper(old, labels, start=False))
    await engine.rename(cid, new)
    assert (await engine.container(cid)).name == new
    assert await engine.container(old) is None


async def test_inspect_and_exec_output(engine: Engine, cleanup, labels):
    cid = await engine.create(sleeper(cleanup.name("exec"), labels))
    info = await engine.inspect(cid)
    assert info["Id"] == cid and info["Config"]["Image"] == WHALESAY
    code, out = await engine.exec_output(cid, ["cowsay", "hello", "berth"])
    assert code == 0 and b"hello berth" in out
    code, out = await engine.exec_output(cid, ["sh", "-c", "echo oops >&2; exit 4"])
    assert code == 4 and b"oops" in out


# -- archives ----------------------------------------------------------------------------
def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o640
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


async def test_put_archive_get_archive_round_trip(engine: Engine, cleanup, labels):
    cid = await engine.create(sleeper(cleanup.name("cp"), labels))
    payload = {"hello.txt": b"hello berth\n", "dir/big.bin": bytes(range(256)) * 4096}
    data = _tar(payload)
    chunks = [data[i:i + 7000] for i in range(0, len(data), 7000)]  # sent as a stream of pieces
    await engine.put_archive(cid, "/tmp", iter(chunks))
    assert docker("exec", cid, "cat", "/tmp/hello.txt") == "hello berth\n"

    stat = await engine.stat_path(cid, "/tmp/dir/big.bin")
    assert stat["name"] == "big.bin" and stat["size"] == len(payload["dir/big.bin"])
    assert await engine.stat_path(cid, "/tmp/no-such-file") is None

    got = b"".join(await collect(engine.get_archive(cid, "/tmp/dir", chunk_size=4096)))
    with tarfile.open(fileobj=io.BytesIO(got)) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert set(members) == {"dir", "dir/big.bin"}
        assert tar.extractfile("dir/big.bin").read() == payload["dir/big.bin"]
        assert members["dir/big.bin"].mode & 0o777 == 0o640


async def test_put_archive_into_a_stopped_container(engine: Engine, cleanup, labels):
    cid = await engine.create(RunSpec(image=WHALESAY, name=cleanup.name("cps"), command=("cat", "/x.txt"),
                                      start=False, labels=labels))
    await engine.put_archive(cid, "/", [_tar({"x.txt": b"copied before start\n"})])
    await engine.start(cid)
    assert await engine.wait(cid, timeout=30) == 0
    assert docker("logs", cid) == "copied before start\n"


# -- images ------------------------------------------------------------------------------
async def test_inspect_image_and_history(engine: Engine):
    info = await engine.inspect_image(WHALESAY)
    assert info["Id"] == docker("image", "inspect", "-f", "{{.Id}}", WHALESAY).strip()
    history = await engine.image_history(WHALESAY)
    assert history and {"Id", "Created", "CreatedBy", "Size"} <= set(history[0])
    assert len(history) == len(docker("history", "-q", WHALESAY).split())


async def test_tag_and_remove_image(engine: Engine, cleanup):
    ref = cleanup.image(f"berth-test/tagged:{RUN_ID}")
    in_registry = cleanup.image(f"127.0.0.1:5000/berth-test/tagged:{RUN_ID}")
    bare = cleanup.image(f"berth-test/tagged-{RUN_ID}")
    await engine.tag_image(WHALESAY, ref)
    await engine.tag_image(WHALESAY, in_registry)
    await engine.tag_image(WHALESAY, bare)  # the default tag is latest
    tags = {t for i in await engine.images() for t in i.repo_tags}
    assert {ref, in_registry, bare + ":latest", WHALESAY} <= tags
    for r in (ref, in_registry, bare):
        await engine.remove_image(r)
    tags = {t for i in await engine.images() for t in i.repo_tags}
    assert not {ref, in_registry, bare + ":latest"} & tags and WHALESAY in tags


async def test_tag_refuses_a_digest_and_a_bad_reference(engine: Engine):
    for bad in ("berth-test/x@sha256:" + "a" * 64, "Upper/Case:1", "two words"):
        with pytest.raises(EngineError) as info:
            await engine.tag_image(WHALESAY, bad)
        assert info.value.kind is ErrorKind.INVALID_INPUT, bad
    assert not engine.requests  # refused before anything was sent


async def test_remove_image_by_id_with_force(engine: Engine, cleanup, private_image):
    ident = docker("image", "inspect", "-f", "{{.Id}}", private_image).strip()
    docker("tag", private_image, cleanup.image(private_image + "-second"))
    await engine.remove_image(ident, force=True)
    assert ident not in docker("images", "-q", "--no-trunc").split()


# -- closing -----------------------------------------------------------------------------
async def test_close_ends_streams_and_refuses_nothing_twice(docker_engine):
    eng = Engine()
    await eng.connect()
    pump = eng.events()
    pump.start()
    for _ in range(50):
        if pump._stream is not None:
            break
        await asyncio.sleep(0.02)
    await eng.close()
    assert pump.closed
    pump._thread.join(1.0)
    assert not pump._thread.is_alive()
    await eng.close()  # twice is harmless
