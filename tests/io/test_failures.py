"""One classification of write failures, in plain words, for saves and exports alike.

Issue 9: export to a read-only file system was retried five times while a save gave up
at once; a target whose parent is a file said "folder does not exist"; the renderer's
deterministic ValueError was retried. Issue 8 item 7: messages showed Python names and
errno ("OSError: [Errno 28] No space left on device") instead of naming the place and
the way out. `editor.io.failures` is the one table; both jobs, `strata export` and the
window use it, and the type, errno and traceback stay in `JobError` for the details.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import msgspec
import pytest
from pytestqt.qtbot import QtBot

from editor.io.atomic import FileOps
from editor.io.failures import classify
from editor.io.format import load, save
from editor.io.tasks import ExportJob, SaveJob
from editor.jobs import JobQueue, JobState, RetryPolicy
from editor.model import DEFAULT_PAGE, Snapshot, rect
from tests.jobs import conftest as jobs

clock = jobs.clock
rng = jobs.rng
make_queue = jobs.make_queue
drive = jobs.drive
MakeQueue = jobs.MakeQueue
Drive = jobs.Drive

DOC = Snapshot(DEFAULT_PAGE, (rect("a", 10, 10, 50, 50, fill="#ff0000"),))

#: The issue's table: errno -> retryable.
TABLE = {
    errno.EROFS: False,
    errno.EDQUOT: False,
    errno.ENOTDIR: False,
    errno.EISDIR: False,
    errno.ENOENT: False,
    errno.EACCES: False,
    errno.ENOSPC: True,
    errno.EIO: True,
    errno.EAGAIN: True,
    errno.EINTR: True,
}

#: What no message for a person may contain: Python's names, errno numbers, tracebacks.
TECHNICAL = re.compile(r"Errno|Error\b|Traceback|\[\d+\]|errno|OSError|Exception")


def os_error(code: int, filename: str | None = None) -> OSError:
    return OSError(code, os.strerror(code), filename)


class FailingAt(FileOps):
    """Raises `error` at every call of `step` (a disk that stays broken)."""

    def __init__(self, step: str, error: OSError) -> None:
        self.step = step
        self.error = error

    def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
        if self.step == "mkstemp":
            raise self.error
        return super().mkstemp(directory, prefix)

    def write(self, fd: int, data: memoryview) -> int:
        if self.step == "write":
            raise self.error
        return super().write(fd, data)

    def fsync_dir(self, directory: str) -> None:
        if self.step == "fsync_dir":
            raise self.error
        super().fsync_dir(directory)


def make_job(kind: str, path: Path, ops: FileOps) -> SaveJob | ExportJob:
    if kind == "save":
        return SaveJob(DOC, path, ops=ops)
    return ExportJob(DOC, path.with_suffix(".svg"), ops=ops)


@pytest.mark.parametrize("kind", ["save", "export"])
@pytest.mark.parametrize(("code", "retryable"), TABLE.items(), ids=errno.errorcode.get)
def test_save_and_export_share_one_classification(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path, kind: str, code: int, retryable: bool
) -> None:
    queue = make_queue()
    step = "write" if code in (errno.EIO, errno.ENOSPC, errno.EAGAIN, errno.EINTR) else "mkstemp"
    job = make_job(kind, tmp_path / "d.strata", FailingAt(step, os_error(code, str(tmp_path))))
    job_id = queue.submit(job)
    drive(queue)
    record = queue.record(job_id)
    assert record.state is JobState.DEAD
    assert record.attempts == (5 if retryable else 1), (kind, errno.errorcode[code])
    error = record.last_error
    assert error is not None
    assert error.retryable is retryable
    assert error.errno == code
    assert error.type.endswith("Error")  # the technical side is kept for the details
    assert error.traceback.startswith("Traceback")
    summary = error.summary
    assert summary and not TECHNICAL.search(summary), summary
    assert str(tmp_path) in summary, summary  # names the place


WAY_OUT = {
    errno.EROFS: ("read-only", "Choose another place"),
    errno.EDQUOT: ("quota", "another place"),
    errno.ENOSPC: ("is full", "free some space"),
    errno.EACCES: ("permission", "Choose another place"),
    errno.EIO: ("error", "try"),
}


@pytest.mark.parametrize(("code", "words"), WAY_OUT.items(), ids=errno.errorcode.get)
def test_messages_say_what_happened_and_the_way_out(
    tmp_path: Path, code: int, words: tuple[str, str]
) -> None:
    error = os_error(code, str(tmp_path / "x.strata"))
    for action in ("save", "export"):
        failure = classify(error, tmp_path / "x.strata", action)
        text = failure.summary
        assert str(tmp_path) in text and not TECHNICAL.search(text), text
        for word in words:
            assert word.lower() in text.lower(), text
    save_text = classify(os_error(errno.EROFS), tmp_path / "x.strata", "save").summary
    export_text = classify(os_error(errno.EROFS), tmp_path / "x.strata", "export").summary
    assert "Save As" in save_text and "Export" in export_text


def test_the_issues_examples(tmp_path: Path) -> None:
    gone = tmp_path / "a" / "b"
    missing = FileNotFoundError(errno.ENOENT, "No such file or directory", str(gone))
    text = classify(missing, gone / "d.strata", "save").summary
    assert text == f"The folder {gone} no longer exists. Choose another place with Save As."
    full = classify(os_error(errno.ENOSPC), gone / "d.strata", "save").summary
    assert full.startswith(f"The disk holding {gone} is full.")


def test_the_policy_and_the_classification_agree() -> None:
    """The queue's generic policy must never retry what the classification calls final."""
    policy = RetryPolicy()
    for code, retryable in TABLE.items():
        error = os_error(code)
        final_for_policy = not policy.is_retryable(error)
        assert classify(error, None, "save").retryable is retryable
        assert not (final_for_policy and retryable), errno.errorcode[code]


# ------------------------------------------------------------------ real disks
@pytest.mark.parametrize("kind", ["save", "export"])
def test_a_target_whose_parent_is_a_file_says_so(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path, kind: str
) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where a folder should be")
    queue = make_queue()
    job_id = queue.submit(make_job(kind, blocker / "sub" / "d.strata", FileOps()))
    drive(queue)
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.DEAD, 1)
    error = record.last_error
    assert error is not None and error.errno == errno.ENOTDIR, error
    assert "does not exist" not in error.message
    assert error.summary.startswith(f"{blocker} is a file, not a folder."), error.summary
    assert blocker.read_text() == "a file where a folder should be"


@pytest.mark.parametrize("kind", ["save", "export"])
def test_a_missing_folder_names_the_folder_and_the_way_out(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path, kind: str
) -> None:
    folder = tmp_path / "gone"
    queue = make_queue()
    job_id = queue.submit(make_job(kind, folder / "d.strata", FileOps()))
    drive(queue)
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.DEAD, 1)
    assert record.last_error is not None
    way = "with Save As" if kind == "save" else "in Export"
    assert record.last_error.summary == (
        f"The folder {folder} no longer exists. Choose another place {way}."
    )


def test_a_deterministic_render_failure_is_not_retried(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path
) -> None:
    # A value the loader now refuses, built without validation (as a bug elsewhere might).
    broken = msgspec.structs.replace(DOC.shapes[0], fill="#ffffff\n")
    queue = make_queue()
    job_id = queue.submit(ExportJob(Snapshot(DEFAULT_PAGE, (broken,)), tmp_path / "x.png"))
    drive(queue)
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.DEAD, 1)
    assert record.last_error is not None and not record.last_error.retryable
    assert not (tmp_path / "x.png").exists()


def test_a_failed_folder_sync_says_the_new_bytes_may_be_there(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path, qtbot: QtBot
) -> None:
    target = tmp_path / "d.strata"
    save(target, Snapshot(DEFAULT_PAGE, ()))
    queue: JobQueue = make_queue(policy=RetryPolicy(max_attempts=1))
    job_id = queue.submit(SaveJob(DOC, target, ops=FailingAt("fsync_dir", os_error(errno.EIO))))
    drive(queue)
    record = queue.record(job_id)
    assert record.state is JobState.DEAD
    assert load(target) == DOC  # the rename happened: the new bytes are there
    assert record.last_error is not None
    summary = record.last_error.summary
    assert "may already hold" in summary and "not" in summary and str(target) in summary
    assert not TECHNICAL.search(summary), summary
