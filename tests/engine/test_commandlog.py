"""The command log's formatter for each kind of operation, the log's naming of
containers, and the script it saves (no engine: pure functions)."""

from __future__ import annotations

import shlex
from datetime import datetime

import pytest

from desktop.engine import commands as cmd
from desktop.engine.commandlog import CommandLog, Kind, Result
from desktop.engine.records import RunSpec
from desktop.engine.script import write_script

CID = "4f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d"


@pytest.mark.parametrize(("words", "line"), [
    (cmd.start_args("web"), "docker start web"),
    (cmd.stop_args("web"), "docker stop web"),
    (cmd.stop_args("web", 3), "docker stop -t 3 web"),
    (cmd.restart_args("web"), "docker restart web"),
    (cmd.restart_args("web", 0), "docker restart -t 0 web"),
    (cmd.pause_args("web"), "docker pause web"),
    (cmd.unpause_args("web"), "docker unpause web"),
    (cmd.kill_args("web"), "docker kill web"),
    (cmd.kill_args("web", "SIGHUP"), "docker kill -s SIGHUP web"),
    (cmd.rename_args("geonwooPractice", "web"), "docker rename geonwooPractice web"),
    (cmd.remove_args("web"), "docker container rm web"),
    (cmd.remove_args("web", force=True), "docker container rm -f web"),
    (cmd.remove_args("web", force=True, volumes=True), "docker container rm -f -v web"),
    (cmd.copy_in_args("/home/me/site", "web", "/usr/local/apache2/htdocs"),
     "docker cp /home/me/site web:/usr/local/apache2/htdocs/"),
    (cmd.copy_in_args("/home/me/site", "web", "/usr/local/apache2/htdocs/", contents=True),
     "docker cp /home/me/site/. web:/usr/local/apache2/htdocs/"),
    (cmd.copy_in_args("/home/me/my site", "web", "/"), "docker cp '/home/me/my site' web:/"),
    (cmd.copy_stream_args("web", "/data"), "docker cp - web:/data"),
    (cmd.copy_out_args("web", "/etc/hosts", "/tmp/out"), "docker cp web:/etc/hosts /tmp/out"),
    (cmd.make_folder_args("web", "/srv/new//deep/"), "docker exec web mkdir -p /srv/new/deep"),
    (cmd.pull_args("docker/whalesay:latest"), "docker image pull docker/whalesay:latest"),
    (cmd.remove_image_args("httpd:latest"), "docker image rm httpd:latest"),
    (cmd.remove_image_args("httpd:latest", force=True), "docker image rm -f httpd:latest"),
    (cmd.tag_args("httpd:latest", "127.0.0.1:5000/httpd:v1"), "docker tag httpd:latest 127.0.0.1:5000/httpd:v1"),
    (cmd.login_args("127.0.0.1:5000", "berth"), "docker login -u berth 127.0.0.1:5000"),
    (cmd.login_args("", "geonwoo"), "docker login -u geonwoo"),
    (cmd.logout_args("127.0.0.1:5000"), "docker logout 127.0.0.1:5000"),
    (cmd.logout_args(""), "docker logout"),
    (cmd.run_args(RunSpec("docker/whalesay:latest", name="geonwooPractice", command=("cowsay", "boo"))),
     "docker run -d --name geonwooPractice docker/whalesay:latest cowsay boo"),
    (cmd.run_args(RunSpec("httpd:latest", start=False)), "docker create httpd:latest"),
])
def test_each_operation_has_its_docker_command(words, line):
    assert cmd.shell_line(words) == line
    assert shlex.split(line) == words  # the shell gives back the same words


def test_quoting_survives_the_shell():
    words = cmd.run_args(RunSpec("busybox", name="q", command=("sh", "-c", "echo \"it's\" $HOME; ls *")))
    assert shlex.split(cmd.shell_line(words)) == words
    assert "$HOME" in cmd.shell_line(words) and "'" in cmd.shell_line(words)


def test_containers_are_named_by_name_once_seen():
    log = CommandLog()
    assert log.name_of(CID) == CID[:12]          # never seen: the short id
    assert log.name_of("web") == "web"           # a name stays a name
    log.saw([(CID, "happy_turing")])
    assert log.name_of(CID) == "happy_turing"
    assert log.name_of(CID[:12]) == "happy_turing"  # a prefix of a known id
    log.renamed(CID, "web")                        # before the next list says so
    assert log.name_of(CID) == "web"
    assert log.made_as(CID) == "happy_turing"      # the name a replay must give it
    log.saw([(CID, "web2")])                       # renamed by someone else
    assert log.name_of(CID) == "web2" and log.made_as(CID) == "happy_turing"


def test_entries_finish_once_and_tell_their_listeners():
    log = CommandLog()
    seen: list[tuple[str, Result]] = []
    unsubscribe = log.subscribe(added=lambda e: seen.append(("added", e.result)),
                                changed=lambda e: seen.append(("changed", e.result)))
    e = log.begin(cmd.start_args("web"))
    assert e.result is Result.RUNNING and e.command == "docker start web"
    e.failed("No such container: web")
    e.done()  # the first end counts
    assert (e.result, e.error) == (Result.FAILED, "No such container: web")
    assert seen == [("added", Result.RUNNING), ("changed", Result.FAILED)]
    unsubscribe()
    log.begin(cmd.stop_args("web")).done()
    assert len(seen) == 2 and len(log) == 2


def test_a_failing_listener_does_not_stop_the_log(caplog):
    log = CommandLog()

    def broken(_entry):
        raise RuntimeError("listener")
    log.subscribe(added=broken)
    with caplog.at_level("CRITICAL", logger="berth.engine"):
        entry = log.begin(cmd.start_args("web"))
    assert log.entries() == [entry]


def test_the_log_keeps_its_newest_entries():
    log = CommandLog(limit=3)
    for i in range(5):
        log.begin(cmd.start_args(f"c{i}")).done()
    assert [e.argv[-1] for e in log.entries()] == ["c2", "c3", "c4"]
    assert log.first_seq == 3


def test_the_script_replays_what_was_done():
    log = CommandLog()
    login = log.begin(cmd.login_args("127.0.0.1:5000", "berth"), kind=Kind.LOGIN, login=("127.0.0.1:5000", "berth"))
    login.done()
    log.begin(cmd.pull_args("127.0.0.1:5000/httpd:latest")).done()
    run = log.begin(cmd.run_args(RunSpec("httpd:latest")), kind=Kind.RUN, name_at=3)
    run.done(container=CID)
    log.saw([(CID, "happy_turing")])  # the name the engine made up
    log.begin(cmd.rename_args("happy_turing", "web")).done()
    log.begin(cmd.copy_in_args("/home/me/my site", "web", "/usr/local/apache2/htdocs")).done()
    log.begin(cmd.rename_args("web", "web")).failed("The name web is already in use.\nSecond line")
    log.begin(cmd.stop_args("web")).cancelled()
    text = write_script(log, now=datetime(2026, 12, 4, 10, 30))
    lines = text.splitlines()
    assert lines[:3] == ["#!/bin/sh", "# The docker commands of a Berth session (2026-12-04 10:30), to replay it.",
                         "set -e"]
    run_lines = [line for line in lines if line.startswith(("docker ", "docker_login "))]
    assert run_lines == [
        "docker_login 127.0.0.1:5000 berth",
        "docker image pull 127.0.0.1:5000/httpd:latest",
        "docker run -d --name happy_turing httpd:latest",  # later commands name it so
        "docker rename happy_turing web",
        "docker cp '/home/me/my site' web:/usr/local/apache2/htdocs/",
    ]
    assert "# docker rename web web" in lines
    assert "#   (failed: The name web is already in use. Second line)" in lines
    assert "# docker stop web" in lines and "#   (cancelled)" in lines
    assert "docker_login() {" in lines


def test_a_script_without_a_login_has_no_login_function_and_notes_another_engine():
    log = CommandLog()
    log.begin(cmd.start_args("a"), host="unix:///var/run/docker.sock").done()
    log.begin(cmd.start_args("b"), host="tcp://10.0.0.2:2375").done()
    text = write_script(log)
    assert "docker_login" not in text
    assert "# The commands below were run on the engine at tcp://10.0.0.2:2375." in text
    assert text.rstrip().endswith("docker start b")
