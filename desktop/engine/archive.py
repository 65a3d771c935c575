"""Copying files into containers and out of them, streamed (``docker cp``).

Copy in: :func:`scan` walks the dropped local paths, :func:`plan_copy` resolves the
destination in the container (creating missing folders, refusing a destination that
is not a folder), :func:`find_conflicts` lists what would be overwritten, and
:func:`copy_in` sends :func:`tar_stream` to the engine. The tar stream is produced
while it is sent, one chunk at a time: never the whole archive in memory or in a
temporary file. Modes, modification times, symlinks and empty folders are kept;
names are written as PAX (UTF-8) headers when ustar cannot hold them.

Copy out: :func:`copy_out` reads the engine's tar stream and writes the files into a
local folder as they arrive (:class:`TarExtractor`), refusing any entry that would
land outside that folder; symlinks stay symlinks.

``docker cp`` semantics: a folder is copied as a folder, or with ``contents=True``
its contents are (the ``./`` of ``docker cp ./ NAME:/dest/``). Files are owned by
root in the container, as with ``docker cp`` without ``-a``.

Progress and cancellation go through one :class:`Progress` object, updated by the
thread that does the work and read by whoever shows it; ``cancel()`` stops the copy
at the next chunk and closes the connection. Everything here works on stopped
containers too (the engine's archive endpoint needs no running process).
"""

from __future__ import annotations

import asyncio
import io
import os
import posixpath
import stat as stat_mod
import struct
import tarfile
import threading
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from desktop.engine import commands, i18n
from desktop.engine.errors import EngineError, ErrorKind, invalid
from desktop.engine.formatting import progress_size

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

    from desktop.engine.client import Engine
    from desktop.engine.payloads import PathStat
    from desktop.engine.streams import StreamPump

T = TypeVar("T")

#: Go's os.FileMode bits, as the engine's path stat reports them.
GO_DIR = 1 << 31
GO_SYMLINK = 1 << 27
CHUNK = 1 << 20
BLOCK = 512
#: Up to this many files in a folder that already exists are checked one by one
#: (a HEAD request each); more, and the container folder's listing is read instead.
STAT_ONE_BY_ONE = 48


# -- progress ------------------------------------------------------------------------
class Progress:
    """Counters of a running copy, shared between the worker thread and the UI.

    The worker assigns plain attributes (atomic in Python); a reader polls them.
    ``on_change(bytes_done, files_done)`` is called from the worker thread.
    """

    def __init__(self, total_bytes: int = 0, total_files: int = 0,
                 on_change: Callable[[int, int], None] | None = None) -> None:
        self.total_bytes = total_bytes
        self.total_files = total_files
        self.bytes_done = 0
        self.files_done = 0
        self.current = ""          # the entry being copied
        self.started = time.monotonic()
        self.finished: float | None = None
        self.on_change = on_change
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise EngineError(ErrorKind.CANCELLED, i18n.translate(
                "Copying", "The copy was cancelled."))

    def advance(self, nbytes: int = 0, files: int = 0) -> None:
        self.bytes_done += nbytes
        self.files_done += files
        if self.on_change is not None:
            self.on_change(self.bytes_done, self.files_done)

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def summary(self) -> str:
        """What was completed, in a sentence ("3 of 10 files (1.2 MB) were copied.")."""
        files, size = self.files_done, progress_size(self.bytes_done)
        if self.total_files and self.current:
            text = i18n.translate("Copying", "Completed: {done} of %n item(s) ({size}); {current} was being copied "
                                             "and may be incomplete.", None, self.total_files)
        elif self.total_files:
            text = i18n.translate("Copying", "Completed: {done} of %n item(s) ({size}).", None, self.total_files)
        elif self.current:
            text = i18n.translate("Copying", "Completed: %n item(s) ({size}); {current} was being copied "
                                             "and may be incomplete.", None, files)
        else:
            text = i18n.translate("Copying", "Completed: %n item(s) ({size}).", None, files)
        return text.format(done=files, size=size, current=self.current)


# -- local side: what is copied -------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LocalEntry:
    """One entry of the tar stream: a local path and its name inside the archive."""

    path: str
    arcname: str          # POSIX, relative, no trailing slash
    kind: str             # "dir", "file", "symlink"
    size: int
    mode: int             # permission bits (0o7777)
    mtime: int
    link: str = ""

    @property
    def is_dir(self) -> bool:
        return self.kind == "dir"


@dataclass
class Selection:
    """The scanned local paths: entries in archive order, totals, what was left out."""

    entries: list[LocalEntry]
    tops: list[LocalEntry]          # the top-level entries (what lands in the destination)
    total_bytes: int
    total_files: int                # every entry, folders and links included
    skipped: list[str] = field(default_factory=list)   # sockets, devices: not copyable
    #: what was dropped, as (absolute path, whether the folder's contents are copied, not it)
    sources: list[tuple[str, bool]] = field(default_factory=list)


def _entry(path: str, arcname: str, st: os.stat_result) -> LocalEntry | None:
    mode = st.st_mode
    if stat_mod.S_ISLNK(mode):
        return LocalEntry(path, arcname, "symlink", 0, 0o777, int(st.st_mtime), os.readlink(path))
    if stat_mod.S_ISDIR(mode):
        return LocalEntry(path, arcname, "dir", 0, stat_mod.S_IMODE(mode), int(st.st_mtime))
    if stat_mod.S_ISREG(mode):
        return LocalEntry(path, arcname, "file", st.st_size, stat_mod.S_IMODE(mode), int(st.st_mtime))
    return None


def scan(paths: Iterable[str | os.PathLike[str]], *, contents: bool = False) -> Selection:
    """Walk the dropped paths (symlinks are not followed).

    A folder is copied as a folder named like it; with ``contents`` its children are
    copied instead. Files and symlinks are copied under their own names.
    """
    entries: list[LocalEntry] = []
    tops: list[LocalEntry] = []
    skipped: list[str] = []
    names: dict[str, str] = {}
    sources: list[tuple[str, bool]] = []

    def walk(path: str, arcname: str) -> None:
        try:
            with os.scandir(path) as it:
                children = sorted(it, key=lambda d: d.name)
        except PermissionError:
            raise EngineError(ErrorKind.PERMISSION, i18n.translate(
                "Copying", "Cannot read the folder {path}: permission denied.").format(path=path)) from None
        for d in children:
            child = _entry(d.path, f"{arcname}/{d.name}" if arcname else d.name, d.stat(follow_symlinks=False))
            if child is None:
                skipped.append(d.path)
                continue
            entries.append(child)
            if not arcname:
                tops.append(child)
            if child.is_dir:
                walk(child.path, child.arcname)

    for p in paths:
        path = os.path.abspath(os.fspath(p))
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            raise invalid(i18n.translate(
                "Copying", "{path} does not exist (it was moved or deleted).").format(path=path)) from None
        name = os.path.basename(path.rstrip(os.sep)) or path
        if contents and stat_mod.S_ISDIR(st.st_mode):
            sources.append((path, True))
            walk(path, "")
            continue
        sources.append((path, False))
        if name in names:
            raise invalid(i18n.translate(
                "Copying", "Two of the dropped items are named {name} ({value} and {path}).").format(
                        name=repr(name), value=names[name], path=path))
        names[name] = path
        top = _entry(path, name, st)
        if top is None:
            skipped.append(path)
            continue
        entries.append(top)
        tops.append(top)
        if top.is_dir:
            walk(path, name)
    seen: set[str] = set()
    for t in tops:
        if t.arcname in seen:
            raise invalid(i18n.translate(
                "Copying", "Two of the dropped items would both be named {arcname} in the container.").format(
                        arcname=repr(t.arcname)))
        seen.add(t.arcname)
    return Selection(entries, tops, sum(e.size for e in entries), len(entries), skipped, sources)


# -- the tar writer ---------------------------------------------------------------------
_USTAR = struct.Struct("100s8s8s8s12s12s8s1s100s6s2s32s32s8s8s155s12s")
_TYPES = {"dir": b"5", "file": b"0", "symlink": b"2"}


def _header(name: str, kind: str, *, size: int = 0, mode: int = 0o644, mtime: int = 0, link: str = "") -> bytes:
    """One entry's header: plain ustar when it can hold the entry (fast: most entries),
    else PAX records with UTF-8 names through :mod:`tarfile`."""
    if kind == "dir" and not name.endswith("/"):
        name += "/"
    if kind != "file":
        size = 0
    if name.isascii() and link.isascii() and len(name) <= 100 and len(link) <= 100 \
            and 0 <= size < 8 ** 11 and 0 <= mtime < 8 ** 11:
        fields = [name.encode(), b"%07o\0" % mode, b"0000000\0", b"0000000\0", b"%011o\0" % size,
                  b"%011o\0" % mtime, b" " * 8, _TYPES[kind], link.encode(), b"ustar\0", b"00",
                  b"root", b"root", b"0000000\0", b"0000000\0", b"", b""]
        block = bytearray(_USTAR.pack(*fields))
        block[148:156] = b"%06o\0 " % sum(block)
        return bytes(block)
    return _pax_header(name.rstrip("/") if kind == "dir" else name, kind, size=size, mode=mode, mtime=mtime,
                       link=link)


def _pax_header(name: str, kind: str, *, size: int, mode: int, mtime: int, link: str) -> bytes:
    ti = tarfile.TarInfo(name)
    ti.type = {"dir": tarfile.DIRTYPE, "file": tarfile.REGTYPE, "symlink": tarfile.SYMTYPE}[kind]
    ti.size = size if kind == "file" else 0
    ti.mode = mode
    ti.mtime = mtime
    ti.linkname = link
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    return ti.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def tar_stream(entries: Iterable[LocalEntry], progress: Progress | None = None, *,
               prefix: Iterable[str] = (), exclude: frozenset[str] | set[str] = frozenset(),
               chunk_size: int = CHUNK) -> Generator[bytes, None, None]:
    """Yield a tar archive of ``entries``, chunk by chunk, as the files are read.

    ``prefix`` names folders to create first, every entry going inside the last
    (a destination that does not exist yet). Entries whose ``arcname`` is in
    ``exclude`` are left out (files the user chose not to overwrite). Small entries
    are gathered into chunks of about ``chunk_size``; large files are passed through
    in chunks of that size. ``progress.cancel()`` raises EngineError(CANCELLED) at
    the next chunk.
    """
    prog = progress or Progress()
    buf = bytearray()
    base = ""
    now = int(time.time())
    for folder in prefix:
        base = f"{base}{folder}/"
        buf += _header(base.rstrip("/"), "dir", mode=0o755, mtime=now)
    for e in entries:
        prog.check()
        if e.arcname in exclude:
            continue
        name = base + e.arcname
        if e.kind != "file":
            buf += _header(name, e.kind, mode=e.mode, mtime=e.mtime, link=e.link)
            prog.advance(files=1)
            if len(buf) >= chunk_size:
                yield bytes(buf)
                buf.clear()
            continue
        try:
            # opened apart from the ``with`` below: only open's failures are translated here
            f = open(e.path, "rb")  # noqa: SIM115 - closed by the ``with f:`` that follows
        except PermissionError:
            raise EngineError(ErrorKind.PERMISSION, i18n.translate(
                "Copying", "Cannot read {path}: permission denied.").format(path=e.path)) from None
        except FileNotFoundError:
            raise EngineError(ErrorKind.NOT_FOUND, i18n.translate(
                "Copying", "{path} was deleted while it was being copied.").format(path=e.path)) from None
        prog.current = e.arcname
        with f:
            buf += _header(name, "file", size=e.size, mode=e.mode, mtime=e.mtime)
            remaining = e.size
            while remaining:
                if len(buf) >= chunk_size or (buf and remaining >= chunk_size):
                    yield bytes(buf)
                    buf.clear()
                    prog.check()
                data = f.read(min(chunk_size, remaining))
                if not data:   # the file shrank since it was scanned: keep the header's promise
                    data = bytes(min(chunk_size, remaining))
                remaining -= len(data)
                prog.advance(len(data))
                if len(data) >= chunk_size and not buf:
                    yield data
                    prog.check()
                else:
                    buf += data
        pad = -e.size % BLOCK
        if pad:
            buf += bytes(pad)
        prog.current = ""
        prog.advance(files=1)
    buf += bytes(2 * BLOCK)
    yield bytes(buf)


# -- the container side -------------------------------------------------------------
def is_dir_stat(st: PathStat | None) -> bool:
    return st is not None and bool(int(st.get("mode", 0)) & GO_DIR)


def is_link_stat(st: PathStat | None) -> bool:
    return st is not None and bool(int(st.get("mode", 0)) & GO_SYMLINK)


def normalize_dest(dest: str) -> str:
    dest = (dest or "").strip()
    if not dest:
        raise invalid(i18n.translate(
            "Copying", "Enter the folder in the container to copy to."))
    if not dest.startswith("/"):
        raise invalid(i18n.translate(
            "Copying", "The destination must be an absolute path in the container (starting with /), "
            "not {dest}.").format(dest=repr(dest)))
    return posixpath.normpath(dest).replace("//", "/")


async def _folder_stat(engine: Engine, ident: str, path: str) -> PathStat | None:
    """The stat of ``path``, following symlinks (a few levels); None if missing."""
    return (await _resolve(engine, ident, path))[1]


async def _resolve(engine: Engine, ident: str, path: str) -> tuple[str, PathStat | None]:
    """``(path with symlinks followed, its stat)``; the stat is None if missing."""
    for _ in range(8):
        st = await engine.stat_path(ident, path)
        if st is None or not is_link_stat(st):
            return path, st
        target = st.get("linkTarget") or ""
        path = target if target.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    raise invalid(i18n.translate(
        "Copying", "{path} is a chain of symbolic links that does not end.").format(path=path))


@dataclass
class CopyPlan:
    """Where a selection goes: ``put_archive(base)`` with the entries under ``prefix``."""

    ident: str
    dest: str                     # the folder the user asked for
    base: str                     # the existing folder the archive is extracted in
    prefix: tuple[str, ...]       # folders to create under ``base`` to make ``dest``
    selection: Selection
    conflicts: list[str] = field(default_factory=list)   # container paths to be replaced

    @property
    def targets(self) -> list[str]:
        """The container paths of the top-level entries."""
        return [posixpath.join(self.dest, t.arcname) for t in self.selection.tops]

    def commands(self, container: str) -> list[list[str]]:
        """The docker commands that make the same copy into ``container`` (as named):
        a ``docker cp`` for each dropped item, after a ``mkdir -p`` of a missing
        destination (``docker cp`` makes no missing parents)."""
        made = [commands.make_folder_args(container, self.dest)] if self.prefix else []
        return made + [commands.copy_in_args(path, container, self.dest, contents=inside)
                       for path, inside in self.selection.sources]


async def plan_copy(engine: Engine, ident: str, dest: str, selection: Selection) -> CopyPlan:
    """Check the destination; a missing destination folder (and its parents) is created.

    Raises EngineError: INVALID_INPUT if the destination (or a parent) is not a folder,
    NOT_FOUND if the container is gone.
    """
    dest = normalize_dest(dest)
    missing: list[str] = []
    path = dest
    while True:
        st = await _folder_stat(engine, ident, path)
        if st is not None:
            if not is_dir_stat(st):
                raise EngineError(ErrorKind.INVALID_INPUT,
                                  i18n.translate(
                                      "Copying", "{path} in the container is a file, not a folder: "
                                                 "choose a folder to copy into.").format(
                                              path=path))
            break
        if path == "/":
            raise EngineError(ErrorKind.NOT_FOUND, i18n.translate(
                "Copying", "The container has no root folder."))
        missing.insert(0, posixpath.basename(path))
        path = posixpath.dirname(path)
    return CopyPlan(ident, dest, path, tuple(missing), selection)


async def find_conflicts(engine: Engine, plan: CopyPlan) -> list[str]:
    """The container paths that the copy would replace (sets ``plan.conflicts``).

    Folders that exist are merged, not replaced; a file (or link) that exists where a
    dropped file goes is a conflict. A dropped file where the container has a folder,
    or a dropped folder where it has a file, is refused (EngineError CONFLICT): the
    engine would delete the one to make room for the other.
    """
    conflicts: list[str] = []
    if plan.prefix:          # the destination does not exist yet: nothing to replace
        plan.conflicts = conflicts
        return conflicts
    by_top: dict[str, list[LocalEntry]] = {}
    for e in plan.selection.entries:
        by_top.setdefault(e.arcname.split("/", 1)[0], []).append(e)
    for top in plan.selection.tops:
        target = posixpath.join(plan.dest, top.arcname)
        st = await engine.stat_path(plan.ident, target)
        if st is None:
            continue
        there_dir = is_dir_stat(st)
        if not top.is_dir:
            if there_dir:
                raise EngineError(ErrorKind.CONFLICT, i18n.translate(
                    "Copying", "{target} is a folder in the container; Berth will not replace a folder with a "
                    "file.").format(target=target))
            conflicts.append(target)
            continue
        if not there_dir:
            raise EngineError(ErrorKind.CONFLICT,
                              i18n.translate(
                                  "Copying", "{target} is a file in the container; "
                                             "Berth will not replace a file with a "
                                  "folder.").format(target=target))
        inside = [e for e in by_top.get(top.arcname, []) if e is not top]
        conflicts += await _conflicts_inside(engine, plan, target, top.arcname, inside)
    plan.conflicts = conflicts
    return conflicts


async def _conflicts_inside(engine: Engine, plan: CopyPlan, target: str, top: str,
                            inside: list[LocalEntry]) -> list[str]:
    """Conflicts under an existing container folder ``target`` (= local folder ``top``)."""
    found: list[str] = []
    if not inside:
        return found
    if len(inside) <= STAT_ONE_BY_ONE:
        existing: dict[str, bool] = {}
        stats = await asyncio.gather(*(engine.stat_path(plan.ident, posixpath.join(plan.dest, e.arcname))
                                       for e in inside))
        for e, st in zip(inside, stats, strict=True):
            if st is not None:
                existing[e.arcname[len(top) + 1:]] = is_dir_stat(st)
    else:
        listing = await list_tree(engine, plan.ident, target)
        existing = {rel: kind == "dir" for rel, kind in listing.items()}
    for e in inside:
        rel = e.arcname[len(top) + 1:]
        if rel not in existing:
            continue
        there_dir = existing[rel]
        where = posixpath.join(plan.dest, e.arcname)
        if e.is_dir and there_dir:
            continue
        if e.is_dir or there_dir:
            if e.is_dir:
                text = i18n.translate("Copying", "{where} is a file in the container and a folder here; "
                                                 "Berth will not replace one with the other.")
            else:
                text = i18n.translate("Copying", "{where} is a folder in the container and a file here; "
                                                 "Berth will not replace one with the other.")
            raise EngineError(ErrorKind.CONFLICT, text.format(where=where))
        found.append(where)
    return found


def _explain_put_failure(err: EngineError, plan: CopyPlan, prog: Progress) -> EngineError:
    text = f"{err.detail} {err.message}".lower()
    done = prog.summary()
    if err.kind is ErrorKind.NO_SPACE or "no space left" in text:
        return EngineError(ErrorKind.NO_SPACE,
                           i18n.translate(
                               "Copying", "There is no space left in the container at {dest}. {done}").format(
                                       dest=plan.dest, done=done), err.detail)
    if "marked read-only" in text or "read-only file system" in text:
        if "volume" in text:
            message = i18n.translate("Copying", "The container's volume at {dest} is read-only: "
                                                "nothing can be copied there.")
        else:
            message = i18n.translate("Copying", "The container's file system at {dest} is read-only: "
                                                "nothing can be copied there.")
        return EngineError(ErrorKind.PERMISSION, message.format(dest=plan.dest), err.detail)
    if err.kind is ErrorKind.PERMISSION or "permission denied" in text or "operation not permitted" in text:
        return EngineError(ErrorKind.PERMISSION,
                           i18n.translate(
                               "Copying", "The engine was not allowed to write into {dest}. {done}").format(
                                       dest=plan.dest, done=done), err.detail)
    if "not a directory" in text:
        return EngineError(ErrorKind.INVALID_INPUT,
                           i18n.translate(
                               "Copying", "{dest} in the container is not a folder: "
                                          "choose a folder to copy into.").format(
                                       dest=plan.dest), err.detail)
    return EngineError(err.kind, i18n.translate(
        "Copying", "{message} {done}").format(message=err.message, done=done), err.detail)


async def _container_gone(engine: Engine, ident: str) -> bool:
    try:
        await engine.inspect(ident)
        return False
    except EngineError as exc:
        return exc.kind is ErrorKind.NOT_FOUND


@dataclass
class CopyResult:
    dest: str
    files: int
    bytes: int
    seconds: float
    targets: list[str]
    skipped_existing: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.seconds > 0.05 and self.bytes > 1e6:
            text = i18n.translate("Copying", "Copied %n item(s) ({size}) to {dest} in {seconds} s, {rate}/s.",
                                  None, self.files)
        else:
            text = i18n.translate("Copying", "Copied %n item(s) ({size}) to {dest} in {seconds} s.", None, self.files)
        text = text.format(size=progress_size(self.bytes), dest=self.dest, seconds=f"{self.seconds:.1f}",
                           rate=progress_size(self.bytes / self.seconds) if self.seconds else "")
        if self.skipped_existing:
            n = len(self.skipped_existing)
            kept = (i18n.translate("Copying", "1 existing file was kept as it was.") if n == 1 else
                    i18n.translate("Copying", "%n existing files were kept as they were.", None, n))
            text = i18n.translate("Copying", "{sentence} {another}").format(sentence=text, another=kept)
        return text


async def copy_in(engine: Engine, plan: CopyPlan, progress: Progress | None = None, *,
                  overwrite: bool = False, skip: Iterable[str] = (), chunk_size: int = CHUNK) -> CopyResult:
    """Stream ``plan`` into its container.

    Refuses (CONFLICT) to replace the paths in ``plan.conflicts`` unless ``overwrite``
    is set or they are in ``skip`` (container paths left as they are).
    """
    skip = set(skip)
    unconfirmed = [c for c in plan.conflicts if c not in skip]
    if unconfirmed and not overwrite:
        raise EngineError(ErrorKind.CONFLICT,
                          i18n.translate("Copying", "%n file(s) would be overwritten ({names}); confirm first.",
                                         None, len(unconfirmed)).format(
                              names=", ".join(unconfirmed[:3]) + ("…" if len(unconfirmed) > 3 else "")))
    exclude = {posixpath.relpath(c, plan.dest) for c in skip}
    sel = plan.selection
    kept = [e for e in sel.entries if e.arcname not in exclude]
    prog = progress or Progress()
    prog.total_bytes = sum(e.size for e in kept)
    prog.total_files = len(kept)
    prog.started = time.monotonic()
    stream = tar_stream(kept, prog, prefix=plan.prefix, chunk_size=chunk_size)
    try:
        await engine.put_archive(plan.ident, plan.base, stream,
                                 commands=plan.commands(engine.commands.name_of(plan.ident)))
    except asyncio.CancelledError:
        prog.cancel()          # the sending thread stops at its next chunk
        raise
    except EngineError as err:
        prog.finished = time.monotonic()
        if prog.cancelled or err.kind is ErrorKind.CANCELLED:
            raise EngineError(ErrorKind.CANCELLED, i18n.translate(
                "Copying", "The copy was cancelled. {value}").format(value=prog.summary())) from None
        if err.kind in (ErrorKind.NOT_FOUND, ErrorKind.UNREACHABLE, ErrorKind.INTERNAL) and \
                await _container_gone(engine, plan.ident):
            raise EngineError(ErrorKind.NOT_FOUND,
                              i18n.translate(
                                  "Copying", "The container was removed during the copy. {value}").format(
                                          value=prog.summary()), err.detail) from None
        raise _explain_put_failure(err, plan, prog) from None
    finally:
        try:
            stream.close()
        except ValueError:     # still running in the sending thread (task cancelled)
            pass
    prog.finished = time.monotonic()
    prog.current = ""
    return CopyResult(plan.dest, prog.files_done, prog.bytes_done, prog.elapsed, plan.targets,
                      sorted(skip & set(plan.conflicts)))


# -- reading the engine's tar streams ----------------------------------------------------
class _PumpReader(io.RawIOBase):
    """A blocking file object over the async chunks of a StreamPump, read from a worker
    thread: each refill asks the event loop for the next chunk."""

    def __init__(self, pump: StreamPump[bytes], loop: asyncio.AbstractEventLoop, progress: Progress) -> None:
        self._pump = pump
        self._agen = pump.items()
        self._loop = loop
        self._prog = progress
        self._buf = memoryview(b"")
        self.received = 0

    async def _next(self) -> bytes:
        try:
            return await self._agen.__anext__()
        except StopAsyncIteration:
            return b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: WriteableBuffer) -> int:
        self._prog.check()
        if not self._buf:
            chunk = asyncio.run_coroutine_threadsafe(self._next(), self._loop).result()
            self._prog.check()
            if not chunk:
                return 0
            self.received += len(chunk)
            self._buf = memoryview(chunk)
        with memoryview(b) as view:
            n = min(len(view), len(self._buf))
            view[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self) -> None:
        if not self.closed:
            self._pump.close()
            try:
                asyncio.run_coroutine_threadsafe(self._agen.aclose(), self._loop)
            except RuntimeError:
                pass
        super().close()


async def run_in_thread(fn: Callable[[], T], name: str) -> T:
    """Run ``fn`` on a thread of its own (not an executor that shutdown must wait for)."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[T] = loop.create_future()

    def settle(value: T) -> None:
        if not fut.done():
            fut.set_result(value)

    def fail(exc: BaseException) -> None:
        if not fut.done():
            fut.set_exception(exc)

    def run() -> None:
        try:
            try:
                value = fn()
            except BaseException as exc:  # handed to the awaiting coroutine
                loop.call_soon_threadsafe(fail, exc)
            else:
                loop.call_soon_threadsafe(settle, value)
        except RuntimeError:  # the loop closed meanwhile
            pass

    threading.Thread(target=run, name=name, daemon=True).start()
    return await fut


async def _read_tar(engine: Engine, ident: str, path: str, progress: Progress,
                    handle: Callable[[tarfile.TarFile, tarfile.TarInfo], None]) -> None:
    """Stream ``path`` out of the container and call ``handle(tar, member)`` for each
    entry, in a worker thread; the member's data may be read with ``tar.extractfile``."""
    loop = asyncio.get_running_loop()
    pump = engine.get_archive(ident, path)
    reader = _PumpReader(pump, loop, progress)

    def work() -> None:
        try:
            with tarfile.open(fileobj=reader, mode="r|", bufsize=CHUNK) as tar:
                for member in tar:
                    progress.check()
                    handle(tar, member)
        except tarfile.ReadError as exc:
            progress.check()
            raise EngineError(ErrorKind.INTERNAL, i18n.translate(
                "Copying", "The engine sent an incomplete archive (was the container removed?)."),
                              str(exc)) from None
        finally:
            reader.close()

    try:
        await run_in_thread(work, "berth-untar")
    except asyncio.CancelledError:
        progress.cancel()
        pump.close()
        raise


def _strip_top(name: str) -> str:
    """The path of a member below the archive's top entry ("" for the top itself)."""
    while name.startswith("./"):
        name = name[2:]
    parts = name.strip("/").split("/", 1)
    return parts[1] if len(parts) > 1 else ""


async def list_tree(engine: Engine, ident: str, path: str, progress: Progress | None = None) -> dict[str, str]:
    """Every path under the container folder ``path`` (relative) and its kind
    ("dir", "file", "symlink", "other"), read from the archive's headers; the data
    goes past unread. Works on stopped containers."""
    out: dict[str, str] = {}

    def handle(tar: tarfile.TarFile, m: tarfile.TarInfo) -> None:
        rel = _strip_top(m.name)
        if rel:
            out[rel] = _kind(m)

    await _read_tar(engine, ident, path, progress or Progress(), handle)
    return out


def _kind(m: tarfile.TarInfo) -> str:
    if m.isdir():
        return "dir"
    if m.issym():
        return "symlink"
    if m.isreg() or m.islnk():
        return "file"
    return "other"


# -- listing one container folder ----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RemoteEntry:
    name: str
    kind: str            # "dir", "file", "symlink", "other"
    size: int
    mode: int            # permission bits
    mtime: int
    link: str = ""

    @property
    def is_dir(self) -> bool:
        return self.kind == "dir"


_LIST_SCRIPT = r'''cd -- "$1" || exit 3
for f in .* *; do
  [ "$f" = . ] || [ "$f" = .. ] && continue
  [ -e "$f" ] || [ -L "$f" ] || continue
  if [ -L "$f" ]; then t=l; elif [ -d "$f" ]; then t=d; elif [ -f "$f" ]; then t=f; else t=o; fi
  printf '%s\0' "$t" "$(stat -c '%s %a %Y' -- "$f")" "$f" "$(readlink -- "$f")"
done'''


async def list_folder(engine: Engine, ident: str, path: str, *, running: bool | None = None) -> list[RemoteEntry]:
    """The entries of one container folder, folders first.

    A running container with a shell is asked directly (fast for big folders); otherwise
    — a stopped container, an image without a shell — the folder's archive headers are
    read, its data passing unread.
    """
    path = normalize_dest(path)
    if running is None:
        try:
            running = bool((await engine.inspect(ident)).get("State", {}).get("Running"))
        except EngineError:
            raise
    entries: list[RemoteEntry] | None = None
    if running:
        entries = await _list_by_exec(engine, ident, path)
    if entries is None:
        entries = await _list_by_archive(engine, ident, path)
    entries.sort(key=lambda e: (not e.is_dir, e.name.lower()))
    return entries


async def _list_by_exec(engine: Engine, ident: str, path: str) -> list[RemoteEntry] | None:
    try:
        code, out = await engine.exec_output(ident, ["sh", "-c", _LIST_SCRIPT, "sh", path])
    except EngineError:
        return None
    if code != 0:
        return None
    fields = out.split(b"\0")
    entries = []
    kinds = {"d": "dir", "f": "file", "l": "symlink", "o": "other"}
    for i in range(0, len(fields) - 3, 4):
        t, st, name, link = (x.decode("utf-8", "surrogateescape") for x in fields[i:i + 4])
        parts = st.split()
        if len(parts) != 3 or t not in kinds:
            return None
        size, mode, mtime = int(parts[0]), int(parts[1], 8), int(parts[2])
        entries.append(RemoteEntry(name, kinds[t], size if t == "f" else 0, mode, mtime, link))
    return entries


async def _list_by_archive(engine: Engine, ident: str, path: str) -> list[RemoteEntry]:
    real, st = await _resolve(engine, ident, path)
    if st is None:
        raise EngineError(ErrorKind.NOT_FOUND, i18n.translate(
            "Copying", "{path} does not exist in the container.").format(path=path))
    if not is_dir_stat(st):
        raise EngineError(ErrorKind.INVALID_INPUT, i18n.translate(
            "Copying", "{path} in the container is a file, not a folder.").format(path=path))
    out: list[RemoteEntry] = []

    def handle(tar: tarfile.TarFile, m: tarfile.TarInfo) -> None:
        rel = _strip_top(m.name)
        if rel and "/" not in rel:
            out.append(RemoteEntry(rel, _kind(m), m.size if m.isreg() else 0, m.mode & 0o7777, int(m.mtime),
                                   m.linkname if m.issym() else ""))

    await _read_tar(engine, ident, real, Progress(), handle)
    return out


# -- copy out ----------------------------------------------------------------------------
class UnsafeArchiveError(EngineError):
    def __init__(self, name: str) -> None:
        super().__init__(ErrorKind.INVALID_INPUT,
                         f"The archive holds an entry that would land outside the chosen folder ({name!r}); "
                         "it was refused.")


class TarExtractor:
    """Writes tar members into ``root`` safely.

    No entry may land outside ``root``: absolute names and ``..`` are refused, and no
    entry is written through a symlink (every parent must be a real folder). Symlinks
    are created as symlinks, whatever they point to. Set-user-ID bits are dropped;
    devices and FIFOs are skipped. Existing files are replaced.
    """

    def __init__(self, root: str | os.PathLike[str], progress: Progress | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._real_root = os.path.realpath(self.root)
        self.progress = progress or Progress()
        self._dirs: list[tuple[str, int, int]] = []
        self._checked: set[str] = {self._real_root}
        self.skipped: list[str] = []
        self.top: list[str] = []

    @property
    def absolute_root(self) -> str:
        return self._real_root

    def _target(self, name: str) -> str:
        if name.startswith("/") or ("\\" in name and os.sep == "\\"):
            raise UnsafeArchiveError(name)
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if not parts or any(p == ".." for p in parts):
            if not parts:
                return self._real_root
            raise UnsafeArchiveError(name)
        parent = self._real_root
        for p in parts[:-1]:
            parent = os.path.join(parent, p)
            if parent in self._checked:
                continue
            try:
                st = os.lstat(parent)
            except FileNotFoundError:
                os.mkdir(parent, 0o755)
                self._checked.add(parent)
                continue
            if not stat_mod.S_ISDIR(st.st_mode):
                raise UnsafeArchiveError(name)
            self._checked.add(parent)
        if parts[0] not in self.top:
            self.top.append(parts[0])
        return os.path.join(parent, parts[-1])

    def _clear(self, target: str, for_dir: bool) -> None:
        try:
            st = os.lstat(target)
        except FileNotFoundError:
            return
        if stat_mod.S_ISDIR(st.st_mode):
            if for_dir:
                return
            raise EngineError(ErrorKind.CONFLICT, i18n.translate(
                "Copying", "{target} is a folder; it cannot be replaced by a file.").format(target=target))
        os.unlink(target)

    def add(self, tar: tarfile.TarFile, m: tarfile.TarInfo) -> None:
        prog = self.progress
        try:
            target = self._target(m.name)
            mode = m.mode & 0o777 | (m.mode & 0o1000)
            if m.isdir():
                self._clear(target, True)
                if not os.path.isdir(target):
                    os.mkdir(target, 0o700)
                self._checked.add(target)
                self._dirs.append((target, mode, int(m.mtime)))
            elif m.issym():
                self._clear(target, False)
                os.symlink(m.linkname, target)
                self._utime(target, m.mtime)
            elif m.islnk():
                self._clear(target, False)
                source = self._target(m.linkname)
                if not os.path.isfile(source) or os.path.islink(source):
                    raise UnsafeArchiveError(m.linkname)
                try:
                    os.link(source, target)
                except OSError:
                    import shutil
                    shutil.copy2(source, target)
            elif m.isreg():
                self._clear(target, False)
                prog.current = m.name
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
                fd = os.open(target, flags, 0o600)
                src = tar.extractfile(m)
                with os.fdopen(fd, "wb") as out:
                    while True:
                        prog.check()
                        data = src.read(CHUNK) if src is not None else b""
                        if not data:
                            break
                        out.write(data)
                        prog.advance(len(data))
                os.chmod(target, mode)
                self._utime(target, m.mtime)
                prog.current = ""
            else:
                self.skipped.append(m.name)
                return
        except PermissionError as exc:
            raise EngineError(ErrorKind.PERMISSION,
                              i18n.translate(
                                  "Copying", "Cannot write {value}: permission denied.").format(
                                          value=exc.filename or m.name)) from None
        except OSError as exc:
            if exc.errno == 28:  # ENOSPC
                raise EngineError(ErrorKind.NO_SPACE, i18n.translate(
                    "Copying", "There is no space left on this computer's disk (writing {name}). {value}").format(
                            name=m.name, value=prog.summary())) from None
            raise EngineError(ErrorKind.INTERNAL, i18n.translate(
                "Copying", "Cannot write {name}: {value}.").format(name=m.name, value=exc.strerror or exc)) from None
        prog.advance(files=1)

    @staticmethod
    def _utime(target: str, mtime: float) -> None:
        try:
            os.utime(target, (mtime, mtime), follow_symlinks=False)
        except (NotImplementedError, OSError):
            pass

    def finish(self) -> None:
        """Set the folders' modes and times (last: writing into them changes the times)."""
        for target, mode, mtime in reversed(self._dirs):
            try:
                os.chmod(target, mode)
                os.utime(target, (mtime, mtime))
            except OSError:
                pass


@dataclass
class CopyOutResult:
    source: str
    dest: str                 # the local folder written into
    paths: list[str]          # the local paths of the top-level entries
    files: int
    bytes: int
    seconds: float
    skipped: list[str] = field(default_factory=list)


async def copy_out(engine: Engine, ident: str, path: str, local_dir: str | os.PathLike[str],
                   progress: Progress | None = None) -> CopyOutResult:
    """Copy ``path`` (a file or a folder) out of the container into ``local_dir``
    (``docker cp NAME:path local_dir``): the result is ``local_dir/<basename>``."""
    path = normalize_dest(path)
    prog = progress or Progress()
    st = await engine.stat_path(ident, path)
    if st is None:
        raise EngineError(ErrorKind.NOT_FOUND, i18n.translate(
            "Copying", "{path} does not exist in the container.").format(path=path))
    if not is_dir_stat(st) and not is_link_stat(st):
        prog.total_bytes, prog.total_files = int(st.get("size", 0)), 1
    prog.started = time.monotonic()
    ex = TarExtractor(local_dir, prog)
    shown = commands.copy_out_args(engine.commands.name_of(ident), path, ex.absolute_root)
    try:
        await engine.logged(shown, _read_tar(engine, ident, path, prog, ex.add))
    except EngineError as err:
        prog.finished = time.monotonic()
        if prog.cancelled or err.kind is ErrorKind.CANCELLED:
            raise EngineError(ErrorKind.CANCELLED, i18n.translate(
                "Copying", "The copy was cancelled. {value}").format(value=prog.summary())) from None
        if await _container_gone(engine, ident):
            raise EngineError(ErrorKind.NOT_FOUND, i18n.translate(
                "Copying", "The container was removed during the copy. {value}").format(value=prog.summary()),
                              err.detail) from None
        raise
    finally:
        ex.finish()
    prog.finished = time.monotonic()
    return CopyOutResult(path, str(ex.root), [str(ex.root / t) for t in ex.top], prog.files_done, prog.bytes_done,
                         prog.elapsed, ex.skipped)


async def copy_in_paths(engine: Engine, ident: str, paths: Iterable[str | os.PathLike[str]], dest: str, *,
                        contents: bool = False, overwrite: bool = False,
                        progress: Progress | None = None) -> CopyResult:
    """Scan, plan, check for conflicts and copy, in one call (scripts, benchmarks)."""
    selection = await run_in_thread(lambda: scan(paths, contents=contents), "berth-scan")
    plan = await plan_copy(engine, ident, dest, selection)
    await find_conflicts(engine, plan)
    return await copy_in(engine, plan, progress, overwrite=overwrite)
