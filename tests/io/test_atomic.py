"""Atomic writes: a failure at any step leaves the old file intact and no temp file."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from editor.io.atomic import FileOps, write_atomic

STEPS = ["mkstemp", "write", "fchmod", "fsync", "close", "replace"]


class FailingOps(FileOps):
    """Raises OSError(code) at the named step; `after` lets some writes through first."""

    def __init__(self, step: str, code: int = errno.EIO, after: int = 0) -> None:
        self.step, self.code, self.after = step, code, after
        self.calls: list[str] = []

    def _maybe_fail(self, step: str) -> None:
        self.calls.append(step)
        if step == self.step:
            if self.after:
                self.after -= 1
                return
            raise OSError(self.code, os.strerror(self.code))

    def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
        self._maybe_fail("mkstemp")
        return super().mkstemp(directory, prefix)

    def write(self, fd: int, data: memoryview) -> int:
        self._maybe_fail("write")
        return super().write(fd, data[:3])  # short writes must be continued

    def fchmod(self, fd: int, mode: int) -> None:
        self._maybe_fail("fchmod")
        super().fchmod(fd, mode)

    def fsync(self, fd: int) -> None:
        self._maybe_fail("fsync")
        super().fsync(fd)

    def close(self, fd: int) -> None:
        self._maybe_fail("close")
        super().close(fd)

    def replace(self, src: str, dst: str) -> None:
        self._maybe_fail("replace")
        super().replace(src, dst)

    def fsync_dir(self, directory: str) -> None:
        self._maybe_fail("fsync_dir")
        super().fsync_dir(directory)


def chunks() -> list[bytes]:
    return [b"new contents ", b"in three ", b"chunks"]


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("code", [errno.EIO, errno.ENOSPC])
def test_failure_at_any_step_keeps_the_old_file(tmp_path: Path, step: str, code: int) -> None:
    target = tmp_path / "doc.strata"
    target.write_bytes(b"old contents")
    ops = FailingOps(step, code, after=1 if step == "write" else 0)
    with pytest.raises(OSError) as info:
        write_atomic(target, chunks(), ops=ops)
    assert info.value.errno == code
    assert target.read_bytes() == b"old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.strata"]


def test_a_failed_directory_fsync_is_a_failed_save(tmp_path: Path) -> None:
    target = tmp_path / "doc.strata"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="Input/output"):
        write_atomic(target, chunks(), ops=FailingOps("fsync_dir"))
    # the rename happened, so the file is complete (new), never torn; no temp left
    assert target.read_bytes() == b"".join(chunks())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.strata"]


def test_success_writes_everything_and_syncs(tmp_path: Path) -> None:
    target = tmp_path / "doc.strata"
    ops = FailingOps("none")
    write_atomic(target, chunks(), ops=ops)
    assert target.read_bytes() == b"".join(chunks())
    assert ops.calls.index("fsync") < ops.calls.index("replace") < ops.calls.index("fsync_dir")


def test_check_raising_cancels_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "doc.strata"
    target.write_bytes(b"old")
    calls = 0

    def check() -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise TimeoutError("past the deadline")

    with pytest.raises(TimeoutError):
        write_atomic(target, chunks(), check=check)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.strata"]


def test_keeps_permissions_and_writes_through_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "real.strata"
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "link.strata"
    link.symlink_to(real)
    write_atomic(link, [b"new"])
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_new_file_gets_umask_permissions(tmp_path: Path) -> None:
    target = tmp_path / "fresh.strata"
    old = os.umask(0o027)
    try:
        write_atomic(target, [b"x"])
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_bad_targets(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path, [b"x"])
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "no" / "such" / "dir.strata", [b"x"])
    assert list(tmp_path.iterdir()) == []
