"""Copying into and out of containers on the real engine (desktop.engine.archive)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import time
from pathlib import Path

import pytest

from desktop.engine import archive
from desktop.engine.archive import Progress
from desktop.engine.errors import EngineError, ErrorKind
from tests.conftest import HTTPD, WHALESAY, docker
from tests.engine.test_archive import OLD, make_site

HTDOCS = "/usr/local/apache2/htdocs"


def run_httpd(cleanup, *extra: str) -> str:
    return cleanup.run("--name", cleanup.name("copy"), "--network", "none", *extra, HTTPD)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def in_container(cid: str, *cmd: str) -> str:
    return docker("exec", cid, *cmd)


async def test_a_folder_arrives_with_names_modes_times_links_and_empty_folders(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup)
    site = make_site(tmp_path)
    result = await archive.copy_in_paths(engine, cid, [site], HTDOCS)
    assert result.files == 9 and result.targets == [f"{HTDOCS}/my site"]
    base = f"{HTDOCS}/my site"
    out = in_container(cid, "stat", "-c", "%n|%F|%a|%Y|%s", f"{base}/index.html", f"{base}/run.sh",
                       f"{base}/empty folder", f"{base}/하위 폴더/파일 이름.txt", f"{base}/link to index")
    rows = {line.split("|")[0]: line.split("|")[1:] for line in out.splitlines()}
    assert rows[f"{base}/index.html"][2] == str(OLD)
    assert rows[f"{base}/run.sh"][1] == "755"
    assert rows[f"{base}/empty folder"][0] == "directory"
    assert rows[f"{base}/link to index"][0] == "symbolic link"
    assert in_container(cid, "readlink", f"{base}/link to index").strip() == "index.html"
    assert in_container(cid, "cat", f"{base}/하위 폴더/파일 이름.txt") == "한국어 내용\n"
    assert in_container(cid, "sh", f"{base}/run.sh").strip() == "ran"
    got = in_container(cid, "sha256sum", f"{base}/하위 폴더/깊은 곳/data.bin").split()[0]
    assert got == sha(site / "하위 폴더/깊은 곳/data.bin")


async def test_contents_into_a_missing_folder_creates_it(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup)
    site = make_site(tmp_path)
    result = await archive.copy_in_paths(engine, cid, [site], f"{HTDOCS}/new/deeper", contents=True)
    assert f"{HTDOCS}/new/deeper/index.html" in result.targets
    assert in_container(cid, "cat", f"{HTDOCS}/new/deeper/index.html").encode() == (site / "index.html").read_bytes()


async def test_overwrites_are_listed_and_refused_without_confirmation(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup)
    site = make_site(tmp_path)
    with pytest.raises(EngineError) as err:     # the image's own index.html is there
        await archive.copy_in_paths(engine, cid, [site], HTDOCS, contents=True)
    assert err.value.kind is ErrorKind.CONFLICT and f"{HTDOCS}/index.html" in err.value.message
    await archive.copy_in_paths(engine, cid, [site], HTDOCS, contents=True, overwrite=True)
    (site / "index.html").write_text("new page")
    sel = archive.scan([site], contents=True)
    plan = await archive.plan_copy(engine, cid, HTDOCS, sel)
    conflicts = await archive.find_conflicts(engine, plan)
    assert f"{HTDOCS}/index.html" in conflicts and f"{HTDOCS}/하위 폴더/파일 이름.txt" in conflicts
    assert f"{HTDOCS}/empty folder" not in conflicts          # folders merge
    with pytest.raises(EngineError) as err:
        await archive.copy_in(engine, plan)
    assert err.value.kind is ErrorKind.CONFLICT
    assert in_container(cid, "cat", f"{HTDOCS}/index.html") != "new page"
    # skipping the existing files leaves them as they were
    result = await archive.copy_in(engine, plan, skip=conflicts)
    assert in_container(cid, "cat", f"{HTDOCS}/index.html") != "new page"
    assert result.skipped_existing
    await archive.copy_in(engine, plan, Progress(), overwrite=True)
    assert in_container(cid, "cat", f"{HTDOCS}/index.html") == "new page"


async def test_conflicts_in_a_big_folder_come_from_the_listing(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup)
    many = tmp_path / "many"
    many.mkdir()
    for i in range(archive.STAT_ONE_BY_ONE + 20):
        (many / f"f {i}.txt").write_text(str(i))
    await archive.copy_in_paths(engine, cid, [many], HTDOCS)
    (many / "extra.txt").write_text("x")
    plan = await archive.plan_copy(engine, cid, HTDOCS, archive.scan([many]))
    before = engine.requests[f"HEAD /containers/{cid}/archive"]
    conflicts = await archive.find_conflicts(engine, plan)
    assert len(conflicts) == archive.STAT_ONE_BY_ONE + 20
    assert f"{HTDOCS}/many/extra.txt" not in conflicts
    assert engine.requests[f"HEAD /containers/{cid}/archive"] - before <= 2


async def test_a_file_where_a_folder_is_is_refused(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup)
    f = tmp_path / "bin"
    f.write_text("not a folder")
    with pytest.raises(EngineError) as err:
        await archive.copy_in_paths(engine, cid, [f], "/")
    assert err.value.kind is ErrorKind.CONFLICT and "/bin is a folder" in err.value.message


async def test_a_stopped_container_works_both_ways(engine, cleanup, tmp_path):
    cid = docker("create", *cleanup.label_args(), "--name", cleanup.name("stopped"), WHALESAY).strip()
    site = make_site(tmp_path)
    await archive.copy_in_paths(engine, cid, [site], "/srv")
    listing = await archive.list_folder(engine, cid, "/srv/my site")
    assert [e.name for e in listing][:2] == ["empty folder", "하위 폴더"]      # folders first
    assert {e.name: e.kind for e in listing}["link to index"] == "symlink"
    conflicts = await archive.find_conflicts(engine, await archive.plan_copy(engine, cid, "/srv", archive.scan([site])))
    assert len(conflicts) == 5
    out = await archive.copy_out(engine, cid, "/srv/my site", tmp_path / "out")
    assert out.paths == [str(tmp_path / "out" / "my site")]
    for p in site.rglob("*"):
        if p.is_file() and not p.is_symlink():
            assert sha(tmp_path / "out" / "my site" / p.relative_to(site)) == sha(p)
    assert os.readlink(tmp_path / "out" / "my site" / "link to index") == "index.html"


async def test_listing_a_running_container_by_exec_matches_the_archive(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup)
    await archive.copy_in_paths(engine, cid, [make_site(tmp_path)], HTDOCS)
    by_exec = await archive.list_folder(engine, cid, f"{HTDOCS}/my site", running=True)
    by_tar = await archive.list_folder(engine, cid, f"{HTDOCS}/my site", running=False)
    assert [(e.name, e.kind, e.size, e.mode) for e in by_exec] == [(e.name, e.kind, e.size, e.mode) for e in by_tar]
    assert any(e.name == "run.sh" and e.mode == 0o755 for e in by_exec)


async def test_copy_out_of_a_big_file_matches_the_checksum(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup)
    docker("exec", cid, "sh", "-c", "head -c 30000000 /dev/urandom > /tmp/big.bin")
    want = docker("exec", cid, "sha256sum", "/tmp/big.bin").split()[0]
    prog = Progress()
    result = await archive.copy_out(engine, cid, "/tmp/big.bin", tmp_path, prog)
    assert result.paths == [str(tmp_path / "big.bin")]
    assert sha(tmp_path / "big.bin") == want
    assert prog.bytes_done == 30_000_000 and prog.total_bytes == 30_000_000


async def test_destination_that_is_a_file_gives_a_clear_message(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup)
    (tmp_path / "a.txt").write_text("a")
    with pytest.raises(EngineError) as err:
        await archive.copy_in_paths(engine, cid, [tmp_path / "a.txt"], f"{HTDOCS}/index.html")
    assert err.value.kind is ErrorKind.INVALID_INPUT
    assert err.value.message == (f"{HTDOCS}/index.html in the container is a file, not a folder: "
                                 "choose a folder to copy into.")
    with pytest.raises(EngineError) as err:
        await archive.copy_in_paths(engine, cid, [tmp_path / "a.txt"], "relative/path")
    assert "absolute path" in err.value.message


async def test_no_space_gives_a_clear_message(engine, cleanup, tmp_path):
    vol = cleanup.volume(f"{cleanup.name('vol')}")
    docker("volume", "create", "--driver", "local", "--opt", "type=tmpfs", "--opt", "device=tmpfs",
           "--opt", "o=size=1m", vol)
    cid = run_httpd(cleanup, "-v", f"{vol}:/small")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(3 << 20))
    with pytest.raises(EngineError) as err:
        await archive.copy_in_paths(engine, cid, [big], "/small")
    assert err.value.kind is ErrorKind.NO_SPACE
    assert err.value.message.startswith("There is no space left in the container at /small.")


async def test_a_read_only_container_gives_a_permission_message(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup, "--read-only")
    (tmp_path / "a.txt").write_text("a")
    with pytest.raises(EngineError) as err:
        await archive.copy_in_paths(engine, cid, [tmp_path / "a.txt"], HTDOCS)
    assert err.value.kind is ErrorKind.PERMISSION
    assert "read-only" in err.value.message


async def test_container_removed_before_the_copy_starts(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup)
    (tmp_path / "a.txt").write_text("a")
    plan = await archive.plan_copy(engine, cid, "/tmp", archive.scan([tmp_path / "a.txt"]))
    docker("rm", "-f", cid)
    with pytest.raises(EngineError) as err:
        await archive.copy_in(engine, plan)
    assert err.value.kind is ErrorKind.NOT_FOUND
    assert err.value.message.startswith("The container was removed during the copy.")


async def test_container_removed_mid_copy(engine, cleanup, tmp_path):
    """The engine lets a removal wait until the archive is extracted: the copy either
    completes or reports the removal, and never hangs."""
    cid = run_httpd(cleanup)
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(200 << 20)
    remover: list[subprocess.Popen] = []

    def on_change(nbytes: int, files: int) -> None:
        if nbytes > (8 << 20) and not remover:
            remover.append(subprocess.Popen(["docker", "rm", "-f", cid], stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
            time.sleep(0.5)

    try:
        await asyncio.wait_for(archive.copy_in_paths(engine, cid, [big], "/tmp",
                                                     progress=Progress(on_change=on_change)), 90)
    except EngineError as err:
        assert err.kind is ErrorKind.NOT_FOUND
        assert err.message.startswith("The container was removed during the copy.")
    finally:
        remover[0].wait(60)
    with pytest.raises(EngineError) as err:
        await archive.copy_in_paths(engine, cid, [big], "/tmp")
    assert err.value.kind is ErrorKind.NOT_FOUND


async def test_cancel_stops_the_upload_and_says_what_was_completed(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup)
    src = tmp_path / "src"
    src.mkdir()
    (src / "a small.txt").write_text("small")
    with open(src / "z big.bin", "wb") as f:
        f.truncate(400 << 20)
    prog = Progress()
    prog.on_change = lambda b, n: prog.cancel() if b > (16 << 20) else None
    with pytest.raises(EngineError) as err:
        await archive.copy_in_paths(engine, cid, [src], "/tmp", progress=prog)
    assert err.value.kind is ErrorKind.CANCELLED
    assert "Completed: 2 of 3 items" in err.value.message
    assert "src/z big.bin was being copied and may be incomplete" in err.value.message
    assert in_container(cid, "cat", "/tmp/src/a small.txt") == "small"
    # the engine stays usable
    assert (await archive.list_folder(engine, cid, "/tmp/src"))[0].name == "a small.txt"


async def test_copy_out_cancel(engine, cleanup, tmp_path):
    cid = run_httpd(cleanup)
    docker("exec", cid, "sh", "-c", "head -c 200000000 /dev/zero > /tmp/big.bin")
    prog = Progress()
    prog.on_change = lambda b, n: prog.cancel() if b > (4 << 20) else None
    with pytest.raises(EngineError) as err:
        await asyncio.wait_for(archive.copy_out(engine, cid, "/tmp/big.bin", tmp_path, prog), 60)
    assert err.value.kind is ErrorKind.CANCELLED
    assert (await engine.stat_path(cid, "/tmp/big.bin"))["size"] == 200_000_000
