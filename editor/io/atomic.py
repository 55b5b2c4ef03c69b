"""Atomic file replacement: the target is always the complete old or the complete new file.

The recipe: write a temp file in the target's directory (same file system, so the rename
is atomic), flush and fsync it, rename it over the target, then fsync the directory so the
rename itself survives a power cut. Any failure, a failed fsync included, is a failed
save: the temp file is removed and the old file is untouched. No Qt: QSaveFile neither
fsyncs the directory nor lets tests inject faults.

All system calls go through a `FileOps` object so that tests can inject faults (EIO,
ENOSPC, EACCES) at any step without real failing disks.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

#: Called between chunks; may raise (cancellation, deadline).
Check = Callable[[], None]


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


OS_FILE_OPS = FileOps()


def write_atomic(
    path: str | os.PathLike[str],
    chunks: Iterable[bytes],
    *,
    ops: FileOps = OS_FILE_OPS,
    check: Check | None = None,
) -> Path:
    """Replace `path` with the concatenated chunks, atomically. Returns the real path.

    A symlink is written through (its target is replaced, the link survives). An existing
    file keeps its permission bits; a new one gets 0666 minus the umask, like any editor.
    """
    target = Path(os.path.realpath(path))
    directory = str(target.parent)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(target))
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, "folder does not exist", directory)
    mode = _mode_for(target)
    fd, tmp = ops.mkstemp(directory, f".{target.name}.")
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
    ops.fsync_dir(directory)
    return target


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
