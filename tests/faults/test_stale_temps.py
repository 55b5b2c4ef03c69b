"""Temp files of dead writers are removed by the next write; live writers' are not.

`write_atomic` deletes, before it creates its own temp file, the temp files of earlier
writes to the same target that nobody holds any more (see editor/io/atomic.py). These
tests pin down what counts as "dead" (no flock held, not a write in progress in this
process), what is never touched (other names, directories, symlinks, a file another
process holds), and that the cleanup can fail without failing the save.
"""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from editor.io import atomic
from editor.io.atomic import FileOps, write_atomic

NAME = "doc.strata"
STALE = f".{NAME}.abcd1234.tmp"  # the shape of a name tempfile.mkstemp gives write_atomic


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_a_write_removes_temp_files_of_dead_writers_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / NAME
    target.write_bytes(b"old")
    (tmp_path / STALE).write_bytes(b"half a docu")
    (tmp_path / f".{NAME}.zz_99xyz.tmp").write_bytes(b"")  # another dead one, empty
    keep = [
        f".{NAME}.tmp",  # not a mkstemp name
        f".{NAME}.ABCD1234.tmp",  # mkstemp never uses capitals
        f".{NAME}.abcd12345.tmp",  # nine characters
        ".other.strata.abcd1234.tmp",  # another document's temp file
        "notes.txt",
    ]
    for name in keep:
        (tmp_path / name).write_bytes(b"keep me")
    (tmp_path / f".{NAME}.dir12345.tmp").mkdir()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_bytes(b"linked")
    (tmp_path / f".{NAME}.link1234.tmp").symlink_to(elsewhere)

    write_atomic(target, [b"new"])

    assert target.read_bytes() == b"new"
    assert listing(tmp_path) == sorted(
        [NAME, *keep, f".{NAME}.dir12345.tmp", "elsewhere.txt", f".{NAME}.link1234.tmp"]
    )
    assert elsewhere.read_bytes() == b"linked"
    assert atomic._live_temps == set()


HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("locked", flush=True)
sys.stdin.read()  # hold the lock until the test closes our stdin
"""


def test_a_temp_file_another_process_is_writing_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / NAME
    live = tmp_path / STALE
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(live)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline() == "locked\n"
        write_atomic(target, [b"mine"])
        assert listing(tmp_path) == sorted([NAME, STALE])  # held: a live writer's file
        holder.stdin.close()  # the holder exits; the kernel drops its lock
        assert holder.wait(timeout=30) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    write_atomic(target, [b"again"])
    assert listing(tmp_path) == [NAME]


class NoLocks(FileOps):
    """A file system without flock: only the in-process registry protects the file."""

    def hold(self, fd: int) -> int | None:
        return None


def test_concurrent_writes_in_one_process_keep_each_others_temp_files(tmp_path: Path) -> None:
    target = tmp_path / NAME
    started, resume = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_chunks() -> Iterator[bytes]:
        yield b"slow "
        started.set()
        assert resume.wait(10)
        yield b"writer"

    def slow() -> None:
        try:
            write_atomic(target, slow_chunks(), ops=NoLocks())
        except BaseException as exc:  # reported by the assert below
            errors.append(exc)

    writer = threading.Thread(target=slow)
    writer.start()
    try:
        assert started.wait(10)
        (slow_temp,) = [n for n in listing(tmp_path) if n != NAME]
        write_atomic(target, [b"fast writer"])  # its cleanup must skip the live temp file
        assert target.read_bytes() == b"fast writer"
        assert slow_temp in listing(tmp_path)
    finally:
        resume.set()
        writer.join(10)
    assert errors == []
    assert target.read_bytes() == b"slow writer"  # the last rename wins, complete
    assert listing(tmp_path) == [NAME]
    assert atomic._live_temps == set()


def test_a_temp_file_is_locked_from_creation_until_after_the_rename(tmp_path: Path) -> None:
    target = tmp_path / NAME
    probe = FileOps()
    seen: list[tuple[str, bool]] = []

    class Probing(FileOps):
        """Asks, at each step, whether another writer's cleanup could delete the file."""

        tmp = ""

        def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
            fd, self.tmp = super().mkstemp(directory, prefix)
            return fd, self.tmp

        def _probe(self, step: str) -> None:
            # What a dead-writer cleanup elsewhere would do: True means it deleted the file.
            seen.append((step, probe.remove_stale(self.tmp)))

        def fsync(self, fd: int) -> None:
            self._probe("fsync")
            super().fsync(fd)

        def replace(self, src: str, dst: str) -> None:
            self._probe("replace")  # after close(fd): the duplicate still holds the lock
            super().replace(src, dst)

    write_atomic(target, [b"data"], ops=Probing())
    assert seen == [("fsync", False), ("replace", False)]
    assert target.read_bytes() == b"data"


class BrokenCleanup(FileOps):
    def __init__(self, where: str) -> None:
        self.where = where

    def listdir(self, directory: str) -> list[str]:
        if self.where == "listdir":
            raise PermissionError(errno.EACCES, "cannot list the folder")
        return super().listdir(directory)

    def remove_stale(self, path: str) -> bool:
        if self.where == "remove":
            raise OSError(errno.EIO, "Input/output error")
        return super().remove_stale(path)


def test_a_failing_cleanup_never_fails_the_save(tmp_path: Path) -> None:
    target = tmp_path / NAME
    (tmp_path / STALE).write_bytes(b"stale")
    for where in ("listdir", "remove"):
        write_atomic(target, [where.encode()], ops=BrokenCleanup(where))
        assert target.read_bytes() == where.encode()
        assert listing(tmp_path) == sorted([NAME, STALE])
    write_atomic(target, [b"ok"])
    assert listing(tmp_path) == [NAME]


def test_a_failed_write_leaves_no_temp_file_and_no_registry_entry(tmp_path: Path) -> None:
    class FullDisk(FileOps):
        def write(self, fd: int, data: memoryview) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    target = tmp_path / NAME
    target.write_bytes(b"old")
    with pytest.raises(OSError) as caught:
        write_atomic(target, [b"new"], ops=FullDisk())
    assert caught.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"old"
    assert listing(tmp_path) == [NAME]
    assert atomic._live_temps == set()


class CleanedBeforeLocked(FileOps):
    """Another process's cleanup runs in the gap between mkstemp and flock, once: it
    finds the brand-new temp file unlocked and deletes it (what two Strata processes
    saving one file did to each other)."""

    def __init__(self) -> None:
        self.created: list[str] = []
        self.stolen: list[str] = []

    def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
        fd, path = super().mkstemp(directory, prefix)
        self.created.append(path)
        return fd, path

    def hold(self, fd: int) -> int | None:
        if not self.stolen:
            path = self.created[-1]
            assert FileOps().remove_stale(path)  # the other cleanup: unlocked, so "stale"
            self.stolen.append(path)
        return super().hold(fd)


def test_a_temp_file_deleted_before_it_was_locked_is_replaced_not_trusted(
    tmp_path: Path,
) -> None:
    target = tmp_path / NAME
    target.write_bytes(b"old")
    ops = CleanedBeforeLocked()
    write_atomic(target, [b"new"], ops=ops)  # used to fail: FileNotFoundError at rename
    assert target.read_bytes() == b"new"
    assert len(ops.created) == 2 and ops.stolen == ops.created[:1]
    assert listing(tmp_path) == [NAME]


class LockedByACleanup(FileOps):
    """Another process's cleanup has opened and locked the fresh temp file (it is about
    to delete it) when the writer tries to lock it."""

    def __init__(self) -> None:
        self.created: list[str] = []
        self.replaced: list[str] = []
        self.cleanup_fd: int | None = None

    def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
        fd, path = super().mkstemp(directory, prefix)
        self.created.append(path)
        return fd, path

    def hold(self, fd: int) -> int | None:
        if self.cleanup_fd is None:
            self.cleanup_fd = os.open(self.created[-1], os.O_RDONLY)
            fcntl.flock(self.cleanup_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return super().hold(fd)

    def replace(self, src: str, dst: str) -> None:
        self.replaced.append(src)
        super().replace(src, dst)


def test_a_writer_that_cannot_lock_its_own_temp_file_never_carries_on_unlocked(
    tmp_path: Path,
) -> None:
    target = tmp_path / NAME
    ops = LockedByACleanup()
    try:
        write_atomic(target, [b"new"], ops=ops)
        assert target.read_bytes() == b"new"
        assert len(ops.created) == 2
        assert ops.replaced == [ops.created[1]]  # not the one the cleanup holds
    finally:
        if ops.cleanup_fd is not None:
            os.unlink(ops.created[0])  # what that cleanup was about to do
            os.close(ops.cleanup_fd)
    assert listing(tmp_path) == [NAME]
