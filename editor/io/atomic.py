"""Atomic file replacement: the target is always the complete old or the complete new file.

The recipe: write a temp file in the target's directory (same file system, so the rename
is atomic), flush and fsync it, rename it over the target, then fsync the directory so the
rename itself survives a power cut. Any failure up to the rename, a failed fsync of the
file included, is a failed save: the temp file is removed and the old file is untouched.
A failed fsync of the directory comes after the rename: the target then holds the new
bytes, not yet known to be durable, and `NotDurableError` says so. No Qt: QSaveFile
neither fsyncs the directory nor lets tests inject faults.

All system calls go through a `FileOps` object so that tests can inject faults (EIO,
ENOSPC, EACCES) at any step without real failing disks.

Temp files of dead writers. A writer killed mid-save (SIGKILL, a crash, a power cut)
leaves its temp file behind, and every such kill would add one more. So each write first
deletes the temp files of earlier writes to the same target whose writer is gone. "Gone"
is decided by a lock, not by age: a writer holds an exclusive `flock` on its temp file
until the rename is done, the kernel drops the lock when the process dies, and the
cleanup deletes only files it can lock. A live writer in another process (a second Strata
saving the same file) is therefore never disturbed. Within this process a registry of
live temp files does the same job (POSIX-emulated locks on NFS do not conflict within one
process), and one lock orders cleanup against creating a temp file. The cleanup runs
before the new temp file is created, so a folder never holds more than one leftover.
Between a writer's mkstemp and its flock, another process's cleanup can find the new
file unlocked and delete it (this failed 0.06-1.2 % of saves when two processes saved
one file). So a writer checks, once it holds the lock, that its temp file is still there
under its name, and starts over with a new one if not; and a lock it cannot take on its
own fresh file means a cleanup has it, which also means starting over, never carrying on
unlocked. A temp file is therefore deleted only when its owner is provably gone: it is
unlocked after its owner had locked it (the owner died) or before its owner ever
proceeded with it (the owner will notice and use another).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

if sys.platform != "win32":
    import fcntl

#: Called between chunks; may raise (cancellation, deadline).
Check = Callable[[], None]


class NotDurableError(OSError):
    """The target was replaced, but syncing its folder failed: the new bytes are in the
    file, yet a power cut could still lose the rename. The save counts as failed (and is
    retried); what the person reads says the file may already hold the new content.
    `filename` is the folder, `target` the file."""

    def __init__(self, code: int | None, strerror: str, folder: str, target: str) -> None:
        super().__init__(code, strerror, folder)
        self.target = target


class FileOps:
    """The system calls an atomic write makes. Subclass to inject faults in tests."""

    def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
        return tempfile.mkstemp(dir=directory, prefix=prefix, suffix=".tmp")

    def write(self, fd: int, data: memoryview) -> int:
        return os.write(fd, data)

    def fchmod(self, fd: int, mode: int) -> None:
        os.fchmod(fd, mode)

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def close(self, fd: int) -> None:
        os.close(fd)

    def replace(self, src: str, dst: str) -> None:
        os.replace(src, dst)

    def fsync_dir(self, directory: str) -> None:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def unlink(self, path: str) -> None:
        os.unlink(path)

    def hold(self, fd: int) -> int | None:
        """Mark a temp file as in use until `release()`: an exclusive flock on a duplicate
        of `fd`, so it outlives `close(fd)` and covers the rename. None where the file
        system has no locks (the file is then never deleted as stale: see `remove_stale`).
        """
        if sys.platform == "win32":  # no flock: temp files of dead writers are kept
            return None
        try:
            held = os.dup(fd)
        except OSError:
            return None
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # Someone holds a lock on a file we created a moment ago: another writer's
            # cleanup took it as stale and is deleting it. Never carry on unlocked.
            os.close(held)
            raise
        except OSError:  # no locks on this file system: see `remove_stale`
            os.close(held)
            return None
        return held

    def still_named(self, fd: int, path: str) -> bool:
        """Whether `path` still names the file open as `fd` (not deleted or replaced)."""
        try:
            return os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
        except OSError:
            return False

    def release(self, held: int) -> None:
        os.close(held)

    def listdir(self, directory: str) -> list[str]:
        return os.listdir(directory)

    def remove_stale(self, path: str) -> bool:
        """Delete the temp file at `path` if no writer holds it (its writer died).

        False, and the file is kept, if it is held, is not a regular file, cannot be
        opened or locked, or was renamed or replaced meanwhile.
        """
        if sys.platform == "win32":
            return False
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(path, flags)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            opened = os.fstat(fd)
            named = os.stat(path, follow_symlinks=False)
            if not stat.S_ISREG(opened.st_mode) or not os.path.samestat(opened, named):
                return False
            os.unlink(path)
        except OSError:
            return False
        finally:
            os.close(fd)
        return True


OS_FILE_OPS = FileOps()

#: Temp files of this process's writes in progress (see the module notes), and the lock
#: that makes "clean up, then create and register a temp file" one step.
_live_temps: set[str] = set()
_temps_lock = threading.Lock()


def write_atomic(
    path: str | os.PathLike[str],
    chunks: Iterable[bytes | memoryview],
    *,
    ops: FileOps = OS_FILE_OPS,
    check: Check | None = None,
) -> Path:
    """Replace `path` with the concatenated chunks, atomically. Returns the real path.

    A chunk may be a memoryview (of a QByteArray, say): it is written without a copy.

    A symlink is written through (its target is replaced, the link survives). An existing
    file keeps its permission bits; a new one gets 0666 minus the umask, like any editor.
    """
    target = Path(os.path.realpath(path))
    directory = str(target.parent)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(target))
    if not target.parent.is_dir():
        blocker = _first_file_among(target.parent)
        if blocker is not None:  # "a/notes.txt/b/x.strata": the folder can never exist
            raise NotADirectoryError(errno.ENOTDIR, "is a file, not a folder", str(blocker))
        raise FileNotFoundError(errno.ENOENT, "folder does not exist", directory)
    mode = _mode_for(target)
    prefix = f".{target.name}."
    with _temps_lock:
        _remove_stale_temps(directory, prefix, ops)
        fd, tmp, held = _new_held_temp(directory, prefix, ops)
        _live_temps.add(tmp)
    fd_open = True
    try:
        for chunk in chunks:
            if check is not None:
                check()
            view = memoryview(chunk)
            while view:
                written = ops.write(fd, view)
                view = view[written:]
        if check is not None:
            check()
        ops.fchmod(fd, mode)
        ops.fsync(fd)
        fd_open = False
        ops.close(fd)
        ops.replace(tmp, str(target))
    except BaseException:
        if fd_open:
            with contextlib.suppress(OSError):
                ops.close(fd)
        with contextlib.suppress(OSError):
            ops.unlink(tmp)
        raise
    finally:
        if held is not None:
            ops.release(held)
        with _temps_lock:
            _live_temps.discard(tmp)
    try:
        ops.fsync_dir(directory)
    except OSError as exc:
        raise NotDurableError(exc.errno, exc.strerror or str(exc), directory, str(target)) from exc
    return target


def _first_file_among(folder: Path) -> Path | None:
    """The first ancestor of `folder` (or itself) that exists and is not a folder."""
    for place in (*reversed(folder.parents), folder):
        try:
            if not place.is_dir() and place.exists():
                return place
        except OSError:
            return None
    return None


#: Fresh temp files a writer may lose to other processes' cleanups before it gives up.
_TEMP_TRIES = 20


def _new_held_temp(directory: str, prefix: str, ops: FileOps) -> tuple[int, str, int | None]:
    """Create a temp file and lock it, and make sure it is still ours once locked.

    Between `mkstemp` and `flock` another process's cleanup can see an unlocked temp file
    and delete it as a dead writer's. Once the lock is held no cleanup can delete it, so
    checking *after* locking that the name still points at our file closes the gap: if
    it does not (deleted meanwhile), or another process holds the lock (its cleanup is
    deleting it right now), start over with a new temp file. Returns (fd, path, held).
    """
    for _ in range(_TEMP_TRIES):
        fd, tmp = ops.mkstemp(directory, prefix)
        try:
            held = ops.hold(fd)
        except BlockingIOError:
            ops.close(fd)  # the cleanup holding it deletes it
            continue
        except BaseException:
            ops.close(fd)
            with contextlib.suppress(OSError):
                ops.unlink(tmp)
            raise
        if held is None or ops.still_named(fd, tmp):
            return fd, tmp, held  # unlocked files are never deleted as stale
        ops.release(held)
        ops.close(fd)
    raise BlockingIOError(
        errno.EAGAIN, "other writers kept removing this save's temporary file", directory
    )


def remove_stale_temps(path: str | os.PathLike[str], ops: FileOps = OS_FILE_OPS) -> None:
    """Delete the temp files dead writers left for `path` (what every write does first),
    for a target nothing will write again: an interrupted Publish step that is undone
    (editor/io/publish.py)."""
    target = Path(os.path.realpath(path))
    with _temps_lock:
        _remove_stale_temps(str(target.parent), f".{target.name}.", ops)


def _remove_stale_temps(directory: str, prefix: str, ops: FileOps) -> None:
    """Delete temp files of earlier writes to this target whose writers are gone.

    Best effort: a folder that cannot be listed or a file that cannot be deleted never
    fails a save. Only names `tempfile.mkstemp` makes for this prefix are considered.
    """
    pattern = re.compile(re.escape(prefix) + r"[a-z0-9_]{8}\.tmp")
    try:
        names = ops.listdir(directory)
    except OSError:
        return
    for name in names:
        path = os.path.join(directory, name)
        if pattern.fullmatch(name) and path not in _live_temps:
            with contextlib.suppress(OSError):
                ops.remove_stale(path)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it (os.umask() is racy across threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for row in f:
                if row.startswith("Umask:"):
                    return int(row.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022
