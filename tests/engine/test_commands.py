"""The shown ``docker`` commands do what Berth does: each is run with the docker CLI
against the real engine, and the container it makes is compared with Berth's."""

from __future__ import annotations

import json
import shlex

import pytest

from desktop.engine.commands import run_command
from desktop.engine.parsing import parse_ports, parse_volumes
from desktop.engine.records import RunSpec
from tests.conftest import HTTPD, RUN_ID, TEST_LABEL, WHALESAY, docker

pytestmark = pytest.mark.engine


def inspect(ident: str) -> dict:
    return json.loads(docker("inspect", ident))[0]


def what_it_made(ident: str) -> dict:
    """The parts of a container a run spec decides (its name and id aside)."""
    c = inspect(ident)
    cfg, host = c["Config"], c["HostConfig"]
    return {
        "image": cfg["Image"], "cmd": cfg["Cmd"], "env": sorted(cfg["Env"] or []),
        "labels": cfg["Labels"], "workdir": cfg["WorkingDir"], "tty": cfg["Tty"],
        "attach": (cfg["AttachStdin"], cfg["AttachStdout"], cfg["AttachStderr"], cfg["OpenStdin"]),
        "ports": {k: [(b["HostIp"], b["HostPort"]) for b in v] for k, v in (host["PortBindings"] or {}).items()},
        # no restart policy and "no" are the same to the engine (the CLI sends "no")
        "binds": host["Binds"], "restart": {**host["RestartPolicy"], "Name": host["RestartPolicy"]["Name"] or "no"},
        "auto_remove": host["AutoRemove"],
        "running": c["State"]["Running"],
    }


SPECS = {
    "walkthrough-cowsay": dict(image=WHALESAY, command=("sleep", "60")),
    "web-with-port": dict(image=HTTPD, ports=parse_ports("127.0.0.1::80")),
    "everything": dict(image=WHALESAY, command=("sh", "-c", "echo it's here; sleep 60"),
                       ports=parse_ports("127.0.0.1::8080 127.0.0.1::53/udp"),
                       env=(("GREETING", "hello world"), ("EMPTY", "")),
                       mounts=parse_volumes("/tmp:/data:ro"), restart="on-failure:3", workdir="/data",
                       tty=True),
    "created-only": dict(image=HTTPD, start=False, auto_remove=True),
}


@pytest.mark.parametrize("kind", sorted(SPECS))
async def test_the_shown_command_makes_the_container_berth_makes(kind, engine, cleanup):
    labels = {TEST_LABEL: RUN_ID}
    berth_spec = RunSpec(name=cleanup.name("berth"), labels=labels, **SPECS[kind])
    cli_spec = RunSpec(name=cleanup.name("cli"), labels=labels, **SPECS[kind])
    berth_id = await engine.create(berth_spec)
    line = run_command(cli_spec)
    words = shlex.split(line)
    assert words[0] == "docker"
    cli_id = docker(*words[1:]).strip()
    assert cli_id, line
    assert what_it_made(cli_id) == what_it_made(berth_id), line


def test_a_started_container_is_shown_detached():
    assert run_command(RunSpec(HTTPD, name="web", ports=parse_ports("818:80"))) == \
        "docker run -d --name web -p 818:80 httpd:latest"
    assert run_command(RunSpec(HTTPD, start=False)) == "docker create httpd:latest"
