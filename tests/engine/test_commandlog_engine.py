"""The command log against the real engine: each operation done through Berth's Engine
is recorded as a docker command; the test runs that command with the docker CLI on a
twin (fresh names) and checks that the twin ends up as Berth's original did. Then the
saved script is run with sh and replays a session."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile

import pytest

from desktop.engine import archive
from desktop.engine.commandlog import Entry, Result
from desktop.engine.errors import EngineError
from desktop.engine.records import RunSpec
from desktop.engine.script import write_script
from tests.conftest import HTTPD, REGISTRY, REGISTRY_PASSWORD, REGISTRY_USER, docker

pytestmark = pytest.mark.engine

HTDOCS = "/usr/local/apache2/htdocs"


def state(ident: str) -> dict:
    c = json.loads(docker("inspect", ident))[0]
    return {"name": c["Name"], "status": c["State"]["Status"], "image": c["Config"]["Image"],
            "cmd": c["Config"]["Cmd"], "labels": c["Config"]["Labels"]}


def exists(ident: str) -> bool:
    return subprocess.run(["docker", "inspect", ident], capture_output=True, check=False).returncode == 0


def files_at(ident: str, path: str) -> dict[str, bytes]:
    """The regular files under ``path`` in the container, by name relative to it."""
    raw = subprocess.run(["docker", "cp", f"{ident}:{path}", "-"], capture_output=True, check=True).stdout
    out = {}
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for m in tar:
            if m.isfile():
                out[m.name.split("/", 1)[1] if "/" in m.name else m.name] = tar.extractfile(m).read()
    return out


class Twin:
    """Runs the commands Berth recorded, with Berth's names swapped for the twin's."""

    def __init__(self) -> None:
        self.swap: dict[str, str] = {}

    def words(self, entry: Entry) -> list[str]:
        out = []
        for w in entry.argv:
            for berth, cli in sorted(self.swap.items(), key=lambda kv: -len(kv[0])):
                w = w.replace(berth, cli)
            out.append(w)
        return out

    def run(self, entry: Entry, **kw) -> str:
        assert entry.result is Result.DONE, (entry.command, entry.error)
        words = self.words(entry)
        assert words[0] == "docker", words
        return docker(*words[1:], **kw)


def last(engine, n: int = 1) -> list[Entry]:
    return engine.commands.entries()[-n:]


async def test_container_operations_recorded_do_the_same_with_docker(engine, cleanup, labels, tmp_path):
    twin = Twin()
    b1, c1 = cleanup.name("berth"), cleanup.name("cli")
    b2, c2 = cleanup.name("berth"), cleanup.name("cli")
    twin.swap.update({b1: c1, b2: c2})

    cid = await engine.create(RunSpec(HTTPD, name=b1, labels=labels))
    (run,) = last(engine)
    assert run.command.startswith(f"docker run -d --name {b1} ")
    twin.run(run)
    assert state(c1) | {"name": ""} == state(cid) | {"name": ""}

    await engine.rename(cid, b2)  # by id, as the window does: the command names it
    (entry,) = last(engine)
    assert entry.command == f"docker rename {b1} {b2}"
    twin.run(entry)
    assert state(c2)["name"] == f"/{c2}" and state(cid)["name"] == f"/{b2}"

    site = tmp_path / "my site"
    (site / "css").mkdir(parents=True)
    (site / "index.html").write_text("<h1>hello</h1>")
    (site / "css" / "a.css").write_text("h1{}")
    await archive.copy_in_paths(engine, cid, [site], HTDOCS)
    (entry,) = last(engine)
    assert entry.argv == ("docker", "cp", str(site), f"{b2}:{HTDOCS}/")  # absolute, quoted when shown
    twin.run(entry)
    assert files_at(c2, f"{HTDOCS}/my site") == files_at(cid, f"{HTDOCS}/my site") != {}

    # the contents of a folder, into one that does not exist yet
    await archive.copy_in_paths(engine, cid, [site], "/srv/new/deep", contents=True)
    made, copied = last(engine, 2)
    assert made.command == f"docker exec {b2} mkdir -p /srv/new/deep"
    assert copied.argv == ("docker", "cp", f"{site}/.", f"{b2}:/srv/new/deep/")
    twin.run(made)
    twin.run(copied)
    assert files_at(c2, "/srv/new/deep") == files_at(cid, "/srv/new/deep") == {
        "index.html": b"<h1>hello</h1>", "css/a.css": b"h1{}"}

    out = tmp_path / "out"
    await archive.copy_out(engine, cid, f"{HTDOCS}/my site/index.html", out)
    (entry,) = last(engine)
    assert entry.argv == ("docker", "cp", f"{b2}:{HTDOCS}/my site/index.html", str(out.resolve()))

    # httpd as PID 1 ignores SIGTERM: a stop waits its timeout, which -t shortens
    for op, status, args, shown in (("pause", "paused", {}, ""), ("unpause", "running", {}, ""),
                                    ("stop", "exited", {"timeout": 1}, "-t 1 "), ("start", "running", {}, ""),
                                    ("restart", "running", {"timeout": 1}, "-t 1 "), ("kill", "exited", {}, "")):
        await getattr(engine, op)(cid, **args)
        (entry,) = last(engine)
        assert entry.command == f"docker {op} {shown}{b2}"
        twin.run(entry)
        assert state(cid)["status"] == status == state(c2)["status"], op

    await engine.start(cid)
    twin.run(last(engine)[0])
    await engine.remove(cid, force=True, volumes=True)
    (entry,) = last(engine)
    assert entry.command == f"docker container rm -f -v {b2}"
    twin.run(entry)
    assert not exists(cid) and not exists(c2)


async def test_a_refusal_is_recorded_with_the_engines_sentence(engine, cleanup, labels):
    name = cleanup.name("taken")
    cid = await engine.create(RunSpec(HTTPD, name=name, labels=labels))
    other = await engine.create(RunSpec(HTTPD, name=cleanup.name("other"), labels=labels, start=False))
    with pytest.raises(EngineError) as refused:
        await engine.rename(other, name)
    (entry,) = last(engine)
    assert entry.result is Result.FAILED and entry.error == refused.value.message
    assert entry.argv[:2] == ("docker", "rename") and entry.argv[-1] == name
    # docker refuses the same command too
    res = subprocess.run(list(entry.argv), capture_output=True, check=False)
    assert res.returncode != 0
    await engine.remove(cid, force=True)


async def test_image_and_registry_operations_recorded_do_the_same(engine, cleanup, private_image, docker_config):
    b_ref, c_ref = cleanup.image(private_image + "-berth"), cleanup.image(private_image + "-cli")
    twin = Twin()
    twin.swap[b_ref] = c_ref

    await engine.tag_image(private_image, b_ref)
    (entry,) = last(engine)
    assert entry.command == f"docker tag {private_image} {b_ref}"
    twin.run(entry)
    ident = json.loads(docker("inspect", private_image))[0]["Id"]
    assert json.loads(docker("inspect", c_ref))[0]["Id"] == ident

    await engine.remove_image(b_ref, force=True)
    (entry,) = last(engine)
    assert entry.command == f"docker image rm -f {b_ref}"
    twin.run(entry)
    assert docker("images", "-q", b_ref) == docker("images", "-q", c_ref) == ""

    await engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    (login,) = last(engine)
    assert login.command == f"docker login -u {REGISTRY_USER} {REGISTRY}"
    # docker asks for the password; here it comes on standard input
    docker(*login.argv[1:], "--password-stdin", input=REGISTRY_PASSWORD.encode())
    assert REGISTRY in json.loads((docker_config / "config.json").read_text())["auths"]

    ref = cleanup.image(f"{REGISTRY}/httpd:latest")
    await engine.pull_all(ref)
    (pull,) = last(engine)
    assert pull.command == f"docker image pull {ref}"
    assert pull.result is Result.DONE  # told by the stream's thread, on the loop
    docker("rmi", ref)
    twin.run(pull)  # with the CLI's own login
    assert docker("images", "-q", ref).strip()

    await engine.logout(REGISTRY)
    (logout,) = last(engine)
    assert logout.command == f"docker logout {REGISTRY}"
    twin.run(logout)
    assert REGISTRY not in json.loads((docker_config / "config.json").read_text()).get("auths", {})

    every = "\n".join(f"{e.command} {e.error}" for e in engine.commands.entries())
    assert REGISTRY_PASSWORD not in every
    assert REGISTRY_PASSWORD not in write_script(engine.commands)


async def test_a_failed_pull_is_recorded(engine):
    ref = f"{REGISTRY}/berth-test/no-such-image:latest"
    with pytest.raises(EngineError):
        await engine.pull_all(ref)
    (entry,) = last(engine)
    assert entry.command == f"docker image pull {ref}" and entry.result is Result.FAILED and entry.error


async def test_the_saved_script_replays_the_session(engine, cleanup, labels, tmp_path, docker_config):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>replayed</p>")
    final = cleanup.name("web")
    await engine.login(REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD)
    ref = cleanup.image(f"{REGISTRY}/httpd:latest")
    await engine.pull_all(ref)
    cid = await engine.create(RunSpec(ref, labels=labels))  # the engine makes up its name
    generated = (await engine.container(cid)).name         # as the Monitor's fetch of its row
    cleanup.container(generated)
    with pytest.raises(EngineError):
        await engine.rename(cid, "not a valid name!")       # fails: a comment in the script
    await engine.rename(cid, final)
    await archive.copy_in_paths(engine, cid, [site], HTDOCS)
    await engine.stop(cid, timeout=1)
    await engine.logout(REGISTRY)

    text = write_script(engine.commands)
    assert f"docker run -d --name {generated} " in text
    assert REGISTRY_PASSWORD not in text
    path = tmp_path / "session.sh"
    path.write_text(text)
    made = state(cid)
    docker("rm", "-f", cid)
    docker("rmi", ref)

    # from another folder, the password as the one line of standard input
    res = subprocess.run(["sh", str(path)], input=(REGISTRY_PASSWORD + "\n").encode(), capture_output=True,
                         cwd="/", check=False, timeout=120)
    assert res.returncode == 0, res.stderr.decode() + "\n" + text
    replayed = state(final)
    assert replayed == made
    assert replayed["status"] == "exited"
    assert files_at(final, f"{HTDOCS}/site") == {"index.html": b"<p>replayed</p>"}
    assert REGISTRY not in json.loads((docker_config / "config.json").read_text()).get("auths", {})
