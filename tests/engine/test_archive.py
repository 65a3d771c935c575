"""The tar writer and reader of desktop.engine.archive, on the local file system only."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from desktop.engine import archive
from desktop.engine.archive import Progress, TarExtractor, scan, tar_stream
from desktop.engine.errors import EngineError, ErrorKind

OLD = 1_500_000_000


def make_site(root: Path) -> Path:
    """A folder with everything a copy must keep: nested Korean and spaced names, an
    empty folder, a symlink, an executable, an old modification time."""
    site = root / "my site"
    (site / "하위 폴더" / "깊은 곳").mkdir(parents=True)
    (site / "empty folder").mkdir()
    (site / "index.html").write_bytes(b"<h1>\xec\x95\x88\xeb\x85\x95</h1>\n")
    (site / "하위 폴더" / "파일 이름.txt").write_text("한국어 내용\n", encoding="utf-8")
    (site / "하위 폴더" / "깊은 곳" / "data.bin").write_bytes(os.urandom(300_000))
    run = site / "run.sh"
    run.write_text("#!/bin/sh\necho ran\n")
    run.chmod(0o755)
    os.symlink("index.html", site / "link to index")
    os.utime(site / "index.html", (OLD, OLD))
    return site


def read_members(chunks) -> dict[str, tuple[tarfile.TarInfo, bytes]]:
    data = b"".join(chunks)
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        for m in tar:
            out[m.name] = (m, tar.extractfile(m).read() if m.isreg() else b"")
    return out


def test_a_folder_is_archived_as_a_folder_with_everything_kept(tmp_path):
    site = make_site(tmp_path)
    sel = scan([site])
    members = read_members(tar_stream(sel.entries))
    assert set(members) == {
        "my site", "my site/empty folder", "my site/index.html", "my site/link to index", "my site/run.sh",
        "my site/하위 폴더", "my site/하위 폴더/깊은 곳", "my site/하위 폴더/깊은 곳/data.bin",
        "my site/하위 폴더/파일 이름.txt"}
    m, data = members["my site/index.html"]
    assert data == (site / "index.html").read_bytes() and m.mtime == OLD
    assert members["my site/run.sh"][0].mode == 0o755
    link = members["my site/link to index"][0]
    assert link.issym() and link.linkname == "index.html"
    assert members["my site/empty folder"][0].isdir()
    assert members["my site/하위 폴더/깊은 곳/data.bin"][1] == (site / "하위 폴더/깊은 곳/data.bin").read_bytes()
    assert all(m.uid == 0 and m.gid == 0 for m, _ in members.values())
    assert sel.total_bytes == sum(len(d) for _, d in members.values())
    assert sel.total_files == len(members)


def test_contents_copies_the_children_and_prefix_creates_folders(tmp_path):
    site = make_site(tmp_path)
    sel = scan([site], contents=True)
    assert {t.arcname for t in sel.tops} == {"empty folder", "index.html", "link to index", "run.sh", "하위 폴더"}
    members = read_members(tar_stream(sel.entries, prefix=("a", "b c")))
    assert "a" in members and "a/b c" in members and members["a/b c"][0].isdir()
    assert "a/b c/index.html" in members and "a/b c/하위 폴더/파일 이름.txt" in members


def test_excluded_entries_are_left_out(tmp_path):
    site = make_site(tmp_path)
    sel = scan([site])
    members = read_members(tar_stream(sel.entries, exclude={"my site/index.html"}))
    assert "my site/index.html" not in members and "my site/run.sh" in members


def test_the_stream_is_chunked_and_never_whole(tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(20 * archive.CHUNK + 123)      # sparse: cheap to make, real to read
    sizes = []
    prog = Progress()
    for chunk in tar_stream(scan([big]).entries, prog):
        sizes.append(len(chunk))
    assert max(sizes) <= archive.CHUNK + 2 * archive.BLOCK
    assert len(sizes) >= 20
    assert prog.bytes_done == 20 * archive.CHUNK + 123 and prog.files_done == 1


def test_progress_reports_and_cancel_stops_the_stream(tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(8 * archive.CHUNK)
    seen = []
    prog = Progress(on_change=lambda b, n: seen.append((b, n)))
    stream = tar_stream(scan([big]).entries, prog)
    next(stream)
    next(stream)
    prog.cancel()
    with pytest.raises(EngineError) as err:
        for _ in stream:
            pass
    assert err.value.kind is ErrorKind.CANCELLED
    assert seen and seen[-1][0] < 8 * archive.CHUNK
    assert prog.current == "big.bin"
    assert "big.bin was being copied" in prog.summary()


def test_two_dropped_items_with_one_name_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").write_text("1")
    (tmp_path / "b" / "x").write_text("2")
    with pytest.raises(EngineError) as err:
        scan([tmp_path / "a" / "x", tmp_path / "b" / "x"])
    assert "x" in err.value.message
    with pytest.raises(EngineError):
        scan([tmp_path / "missing"])


def extract(data: bytes, root: Path) -> TarExtractor:
    ex = TarExtractor(root)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|") as tar:
        for m in tar:
            ex.add(tar, m)
    ex.finish()
    return ex


def test_round_trip_through_the_extractor(tmp_path):
    site = make_site(tmp_path / "src")
    data = b"".join(tar_stream(scan([site]).entries))
    ex = extract(data, tmp_path / "out")
    out = tmp_path / "out" / "my site"
    assert ex.top == ["my site"]
    for p in site.rglob("*"):
        q = out / p.relative_to(site)
        assert q.is_symlink() == p.is_symlink()
        if p.is_symlink():
            assert os.readlink(q) == os.readlink(p)
        elif p.is_file():
            assert q.read_bytes() == p.read_bytes()
            assert q.stat().st_mode & 0o777 == p.stat().st_mode & 0o777
        else:
            assert q.is_dir()
    assert int((out / "index.html").stat().st_mtime) == OLD
    assert (out / "empty folder").is_dir() and not any((out / "empty folder").iterdir())


def _tar(*members: tuple[str, str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, payload in members:
            ti = tarfile.TarInfo(name)
            if kind == "sym":
                ti.type, ti.linkname = tarfile.SYMTYPE, payload
                tar.addfile(ti)
            elif kind == "link":
                ti.type, ti.linkname = tarfile.LNKTYPE, payload
                tar.addfile(ti)
            else:
                ti.size = len(payload)
                tar.addfile(ti, io.BytesIO(payload.encode()))
    return buf.getvalue()


@pytest.mark.parametrize("members", [
    [("../evil.txt", "file", "x")],
    [("/tmp/evil-abs.txt", "file", "x")],
    [("ok/../../evil.txt", "file", "x")],
    [("up", "sym", ".."), ("up/evil.txt", "file", "x")],
    [("out", "sym", "/"), ("out/evil.txt", "file", "x")],
    [("hard", "link", "../../etc/passwd")],
])
def test_entries_outside_the_folder_are_refused(tmp_path, members):
    root = tmp_path / "root"
    with pytest.raises(EngineError) as err:
        extract(_tar(*members), root)
    assert "outside" in err.value.message
    assert not (tmp_path / "evil.txt").exists()
    assert sorted(p.name for p in tmp_path.rglob("evil*")) == []


def test_symlinks_are_kept_as_symlinks_even_absolute_ones(tmp_path):
    ex = extract(_tar(("etc-link", "sym", "/etc/passwd"), ("dot", "sym", "../x")), tmp_path / "r")
    assert os.readlink(tmp_path / "r" / "etc-link") == "/etc/passwd"
    assert os.readlink(tmp_path / "r" / "dot") == "../x"
    assert ex.progress.files_done == 2


def test_an_existing_symlink_is_replaced_not_written_through(tmp_path):
    root = tmp_path / "r"
    root.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    os.symlink(victim, root / "f.txt")
    extract(_tar(("f.txt", "file", "new")), root)
    assert victim.read_text() == "keep"
    assert not (root / "f.txt").is_symlink() and (root / "f.txt").read_text() == "new"


def test_the_engine_layer_module_has_no_qt():
    import desktop.engine.archive as mod
    assert "PySide6" not in Path(mod.__file__).read_text()
