"""Save and export jobs through a real JobQueue, with file-system faults injected.

The queue runs on a FakeClock with a scripted random source (the fixtures of
tests/jobs/conftest.py), so retry delays are exact and nothing sleeps. Faults come from
small `FileOps` subclasses: a disk that fails N times, one that refuses permission, one
that blocks a write until the test lets it go. After every scenario the test checks the
file on disk: the complete old or the complete new document, and no temp file.
"""

from __future__ import annotations

import errno
import hashlib
import os
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from editor.history.stack import Revision
from editor.io.atomic import FileOps
from editor.io.format import load, save
from editor.io.tasks import ExportJob, ExportResult, SaveJob, SaveResult
from editor.jobs import FakeClock, InvalidInput, JobQueue, JobRecord, JobState
from editor.model import Page, Snapshot, rect
from tests.io.test_export import SVG, drawing, pdf_pages, rgba
from tests.jobs import conftest as jobs
from tests.jobs.fakes import GATE_LIMIT, Gate, ScriptedJob, ScriptedRandom

# The job queue tests' fixtures: a queue on a FakeClock and a scripted rng, logging to
# tmp_path, shut down (and checked for leftover threads) after each test.
clock = jobs.clock
rng = jobs.rng
make_queue = jobs.make_queue
drive = jobs.drive
MakeQueue = jobs.MakeQueue
Drive = jobs.Drive

NAME = "drawing.strata"


# ------------------------------------------------------------------------------ helpers
def document(count: int = 30, colour: str = "#ff0000") -> Snapshot:
    shapes = tuple(rect(f"r{i}", i * 10, i * 5, 40, 30, fill=colour) for i in range(count))
    return Snapshot(Page(800, 600, "#ffffff"), shapes)


OLD = document(3, "#000000")
NEW = document(30, "#00ff00")


def old_file(folder: Path) -> Path:
    target = folder / NAME
    save(target, OLD)
    return target


def listing(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n != "logs")


def settled(qtbot: QtBot, queue: JobQueue) -> None:
    """Wait until no attempt's thread is running (results and retries are then known)."""
    qtbot.waitUntil(lambda: not queue.has_threads(), timeout=5000)


def oserror(code: int) -> OSError:
    return OSError(code, os.strerror(code))


class FlakyDisk(FileOps):
    """Raises the next of `errors` at `step`, once per call, until none are left."""

    def __init__(self, step: str, errors: Sequence[BaseException]) -> None:
        self.step = step
        self.errors = list(errors)
        self.temps: list[str] = []

    def _maybe_fail(self, step: str) -> None:
        if step == self.step and self.errors:
            raise self.errors.pop(0)

    def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
        self._maybe_fail("mkstemp")
        fd, path = super().mkstemp(directory, prefix)
        self.temps.append(path)
        return fd, path

    def write(self, fd: int, data: memoryview) -> int:
        self._maybe_fail("write")
        return super().write(fd, data)

    def fsync(self, fd: int) -> None:
        self._maybe_fail("fsync")
        super().fsync(fd)

    def replace(self, src: str, dst: str) -> None:
        self._maybe_fail("replace")
        super().replace(src, dst)


class StallingDisk(FileOps):
    """Blocks the first call of `step` until the test opens `gate`; `entered` says when."""

    def __init__(self, step: str) -> None:
        self.step = step
        self.gate = Gate()
        self.entered = threading.Event()
        self._stalled = False

    def _stall(self, step: str) -> None:
        if step == self.step and not self._stalled:
            self._stalled = True
            self.entered.set()
            self.gate.wait()

    def write(self, fd: int, data: memoryview) -> int:
        self._stall("write")
        return super().write(fd, data)

    def fsync(self, fd: int) -> None:
        self._stall("fsync")
        super().fsync(fd)

    def replace(self, src: str, dst: str) -> None:
        self._stall("replace")
        super().replace(src, dst)


# ------------------------------------------------------------------ transient failures
@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
@pytest.mark.parametrize(
    "codes",
    [[errno.EIO], [errno.ENOSPC, errno.EIO, errno.ENOSPC], [errno.EIO, errno.ENOSPC] * 2],
    ids=["EIO", "ENOSPC-EIO-ENOSPC", "4-failures"],
)
def test_a_save_retries_transient_errors_with_jittered_delays_then_succeeds(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock, tmp_path: Path, step: str,
    codes: list[int],
) -> None:  # fmt: skip
    rng = ScriptedRandom([0.9, 0.1, 0.5, 0.3])
    queue = make_queue(rng=rng)
    target = old_file(tmp_path)
    disk = FlakyDisk(step, [oserror(code) for code in codes])
    revision = Revision(serial=7)
    succeeded: list[tuple[int, object]] = []
    queue.job_succeeded.connect(lambda i, r: succeeded.append((i, r)))

    job_id = queue.submit(SaveJob(NEW, target, revision, ops=disk))
    # full jitter: fraction * min(30, 0.5 * 2 ** (n - 1)) after failed attempt n
    expected = [f * 0.5 * 2**n for n, f in enumerate([0.9, 0.1, 0.5, 0.3][: len(codes)])]
    for n, (code, delay) in enumerate(zip(codes, expected, strict=True), start=1):
        settled(qtbot, queue)
        record = queue.record(job_id)
        assert (record.state, record.attempts) == (JobState.RETRY_SCHEDULED, n)
        assert record.last_error is not None
        assert record.last_error.type == "OSError"
        assert record.last_error.message.startswith(f"[Errno {code}]")
        assert load(target) == OLD  # the failed attempt left the old file whole
        assert listing(tmp_path) == [NAME]  # and removed its temp file
        assert clock.pending() == pytest.approx([delay], abs=1e-12)
        clock.advance(delay * 0.999)
        assert queue.record(job_id).state is JobState.RETRY_SCHEDULED  # not a moment early
        clock.advance(delay * 0.001)
        assert queue.record(job_id).state is JobState.RUNNING
    settled(qtbot, queue)

    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.SUCCEEDED, len(codes) + 1)
    assert rng.calls == [(0.0, 0.5 * 2**n) for n in range(len(codes))]
    assert load(target) == NEW
    assert listing(tmp_path) == [NAME]
    assert len(disk.temps) == len(codes) + 1  # one temp file per attempt, all gone
    assert all(not os.path.exists(t) for t in disk.temps)
    ((done_id, result),) = succeeded
    assert done_id == job_id
    assert isinstance(result, SaveResult)
    # the sha256 is of the bytes written (the journal records it with the save)
    assert result == SaveResult(target, revision, sha256=_sha256(target))
    assert result.revision is revision  # the very object given at submit
    assert queue.dead_letters() == ()


def test_a_disk_that_stays_full_dead_letters_after_five_attempts(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path
) -> None:
    queue = make_queue()
    target = old_file(tmp_path)
    disk = FlakyDisk("write", [oserror(errno.ENOSPC)] * 10)
    job_id = queue.submit(SaveJob(NEW, target, ops=disk))
    drive(queue)
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.DEAD, 5)
    (letter,) = queue.dead_letters()
    assert letter.error.message == "[Errno 28] No space left on device"
    assert load(target) == OLD
    assert listing(tmp_path) == [NAME]


# ------------------------------------------------------------------ permanent failures
@pytest.mark.parametrize("step", ["mkstemp", "write", "replace"])
def test_permission_denied_goes_straight_to_the_dead_letter_queue(
    make_queue: MakeQueue, clock: FakeClock, tmp_path: Path, step: str
) -> None:
    queue = make_queue()
    target = old_file(tmp_path)
    disk = FlakyDisk(step, [PermissionError(errno.EACCES, "Permission denied")] * 10)
    job_id = queue.submit(SaveJob(NEW, target, ops=disk))
    assert queue.wait_until_idle(10)
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.DEAD, 1)
    (letter,) = queue.dead_letters()
    assert (letter.job_id, letter.error.type, letter.error.retryable) == (
        job_id,
        "PermissionError",
        False,
    )
    assert clock.pending() == []  # no retry scheduled
    assert load(target) == OLD
    assert listing(tmp_path) == [NAME]


@pytest.mark.parametrize("code", [errno.EROFS, errno.EDQUOT])
def test_a_read_only_file_system_or_quota_is_not_retried(
    make_queue: MakeQueue, clock: FakeClock, tmp_path: Path, code: int
) -> None:
    queue = make_queue()
    target = old_file(tmp_path)
    job_id = queue.submit(SaveJob(NEW, target, ops=FlakyDisk("mkstemp", [oserror(code)] * 5)))
    assert queue.wait_until_idle(10)
    assert (queue.record(job_id).state, queue.record(job_id).attempts) == (JobState.DEAD, 1)
    assert clock.pending() == []
    assert load(target) == OLD


def test_a_save_to_a_missing_folder_dead_letters_without_retry(
    make_queue: MakeQueue, clock: FakeClock, tmp_path: Path
) -> None:
    queue = make_queue()
    job_id = queue.submit(SaveJob(NEW, tmp_path / "gone" / NAME))
    assert queue.wait_until_idle(10)
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.DEAD, 1)
    assert record.last_error is not None
    assert record.last_error.type == "FileNotFoundError"
    assert "folder does not exist" in record.last_error.message
    assert clock.pending() == []
    assert listing(tmp_path) == []  # the folder was not created


# ------------------------------------------------------------------ cancel and timeout
def test_cancelling_a_running_save_keeps_the_old_file(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock, tmp_path: Path
) -> None:
    queue = make_queue()
    target = old_file(tmp_path)
    disk = StallingDisk("write")
    job_id = queue.submit(SaveJob(NEW, target, ops=disk, chunk=10))
    assert disk.entered.wait(GATE_LIMIT)  # the first chunk is being written
    assert queue.cancel(job_id)
    assert queue.record(job_id).state is JobState.RUNNING  # until its next check()
    disk.gate.open()
    qtbot.waitUntil(lambda: queue.record(job_id).state is JobState.CANCELLED, timeout=5000)
    record = queue.record(job_id)
    assert (record.reason, record.attempts, record.last_error) == ("cancelled", 1, None)
    settled(qtbot, queue)
    assert load(target) == OLD
    assert listing(tmp_path) == [NAME]
    assert queue.dead_letters() == ()
    assert clock.pending() == []


def test_a_save_past_its_deadline_fails_the_attempt_as_timed_out_then_retries(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock, drive: Drive, tmp_path: Path
) -> None:
    queue = make_queue(timeout=10.0, watchdog_grace=1.0)
    target = old_file(tmp_path)
    disk = StallingDisk("write")
    job_id = queue.submit(SaveJob(NEW, target, ops=disk, chunk=10))
    assert disk.entered.wait(GATE_LIMIT)
    clock.advance(10.5)  # past the deadline, inside the watchdog's grace
    disk.gate.open()  # the write returns; the job's next check() raises JobTimedOut
    settled(qtbot, queue)
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.RETRY_SCHEDULED, 1)
    assert record.last_error is not None
    assert record.last_error.timed_out
    assert record.last_error.type == "editor.jobs.job.JobTimedOut"
    assert "check" in record.last_error.traceback
    assert load(target) == OLD
    assert listing(tmp_path) == [NAME]
    drive(queue)
    assert (queue.record(job_id).state, queue.record(job_id).attempts) == (JobState.SUCCEEDED, 2)
    assert load(target) == NEW
    assert listing(tmp_path) == [NAME]


def test_the_late_result_of_a_timed_out_save_is_ignored(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock, drive: Drive, tmp_path: Path
) -> None:
    """Stalled in fsync, after the job's last check(): only the watchdog can give up on
    it. The abandoned attempt then finishes the rename and returns a result: ignored."""
    queue = make_queue(timeout=10.0, watchdog_grace=1.0)
    target = old_file(tmp_path)
    disk = StallingDisk("fsync")
    succeeded: list[tuple[int, object]] = []
    queue.job_succeeded.connect(lambda i, r: succeeded.append((i, r)))
    job_id = queue.submit(SaveJob(NEW, target, ops=disk))
    assert disk.entered.wait(GATE_LIMIT)
    clock.advance(11.0)  # deadline + grace: the watchdog fails the attempt
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.RETRY_SCHEDULED, 1)
    assert record.last_error is not None and record.last_error.timed_out
    assert record.last_error.traceback == ""  # the watchdog's, not the job's
    clock.advance(clock.next_delay() or 0.0)
    assert queue.record(job_id).state is JobState.QUEUED  # the path is still held
    disk.gate.open()  # the abandoned attempt renames and returns its SaveResult
    drive(queue)
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.SUCCEEDED, 2)
    assert succeeded == [
        (job_id, SaveResult(target, None, sha256=_sha256(target)))
    ]  # once: from attempt 2
    assert load(target) == NEW
    assert listing(tmp_path) == [NAME]


# -------------------------------------------------------- revisions and coalescing
def test_the_result_carries_the_revision_object_given_at_submit(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path
) -> None:
    queue = make_queue()
    revision = Revision(serial=41)
    job_id = queue.submit(SaveJob(NEW, tmp_path / NAME, revision))
    drive(queue)
    result = queue.record(job_id).result
    assert isinstance(result, SaveResult)
    assert result.revision is revision
    assert result.path == tmp_path / NAME
    assert load(tmp_path / NAME) == NEW


def test_a_second_save_to_a_path_replaces_the_first_while_it_is_still_queued(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path
) -> None:
    queue = make_queue(max_workers=1)
    gate = Gate()
    busy = ScriptedJob("busy", gate=gate)  # occupies the only worker
    queue.submit(busy)
    assert busy.started.wait(GATE_LIMIT)
    first_disk, second_disk = FlakyDisk("none", []), FlakyDisk("none", [])
    first = queue.submit(SaveJob(OLD, tmp_path / NAME, Revision(1), ops=first_disk))
    second = queue.submit(SaveJob(NEW, tmp_path / NAME, Revision(2), ops=second_disk))
    assert second != first
    record = queue.record(first)
    assert (record.state, record.reason) == (JobState.CANCELLED, f"superseded by job {second}")
    # The same revision again, while pending, is the same job (idempotency key).
    assert queue.submit(SaveJob(NEW, tmp_path / NAME, Revision(2))) == second
    gate.open()
    drive(queue)
    assert queue.record(second).state is JobState.SUCCEEDED
    assert (first_disk.temps, len(second_disk.temps)) == ([], 1)  # the first never ran
    assert load(tmp_path / NAME) == NEW
    assert listing(tmp_path) == [NAME]


# ---------------------------------------------------------------------------- progress
def test_a_save_reports_rising_progress_chunk_by_chunk(
    qtbot: QtBot, make_queue: MakeQueue, drive: Drive, tmp_path: Path
) -> None:
    """45 shapes in chunks of 10: a header, five pieces and a footer. Each write after
    the first waits until the previous piece's report reached the GUI thread, so no
    report is coalesced away and the sequence is exact."""
    queue = make_queue()
    permits = threading.Semaphore(0)

    class Lockstep(FileOps):
        writes = 0

        def write(self, fd: int, data: memoryview) -> int:
            self.writes += 1
            if self.writes > 1:
                assert permits.acquire(timeout=GATE_LIMIT), "no progress report arrived"
            return super().write(fd, data)

    reports: list[tuple[int, float, str]] = []

    def on_progress(job: int, fraction: float, message: str) -> None:
        reports.append((job, fraction, message))
        permits.release()

    queue.progress_changed.connect(on_progress)
    job_id = queue.submit(SaveJob(document(45), tmp_path / NAME, ops=Lockstep(), chunk=10))
    drive(queue)
    assert queue.record(job_id).state is JobState.SUCCEEDED
    fractions = [f for _, f, _ in reports]
    assert all(job == job_id for job, _, _ in reports)
    assert fractions == sorted(set(fractions))  # strictly rising
    # The seventh report (footer written) and the final one may arrive as one.
    writing = [0.95 * n / 7 for n in range(1, 7)]
    assert fractions[:6] == pytest.approx(writing)
    assert fractions[-1] == 1.0 and len(fractions) in (7, 8)
    assert reports[0][2] == f"Saving {NAME}"
    assert reports[-1][2] == f"Saved {NAME}"
    assert load(tmp_path / NAME) == document(45)


def test_a_save_job_refuses_an_empty_chunk(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="chunk must be at least 1"):
        SaveJob(NEW, tmp_path / NAME, chunk=0)


# ----------------------------------------------------------------------------- exports
Export = Callable[..., JobRecord]


@pytest.fixture
def exported(make_queue: MakeQueue, drive: Drive, tmp_path: Path) -> Export:
    """Export `drawing()` to tmp_path/name through a queue; the finished job's record."""

    def run(name: str, fmt: str | None = None, scale: float = 1.0) -> JobRecord:
        queue = make_queue()
        job_id = queue.submit(ExportJob(drawing(), tmp_path / name, fmt, scale))
        drive(queue)
        return queue.record(job_id)

    return run


def test_png_export_through_the_queue(exported: Export, tmp_path: Path) -> None:
    for scale in (1.0, 2.0):
        record = exported(f"x{scale:g}.png", scale=scale)
        assert record.state is JobState.SUCCEEDED
        assert record.result == ExportResult(tmp_path / f"x{scale:g}.png", "png")
        image = QImage(str(record.result.path))
        assert (image.width(), image.height()) == (800 * scale, 600 * scale)
        assert rgba(image, int(200 * scale), int(150 * scale)) == (255, 0, 0, 255)  # rect
        assert rgba(image, int(10 * scale), int(10 * scale)) == (0x33, 0x66, 0x99, 255)
    assert listing(tmp_path) == ["x1.png", "x2.png"]


def test_svg_export_through_the_queue(exported: Export, tmp_path: Path) -> None:
    record = exported("drawing.svg")
    assert record.state is JobState.SUCCEEDED
    assert record.result == ExportResult(tmp_path / "drawing.svg", "svg")
    root = ET.parse(record.result.path).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 800 600"
    assert [t.text for t in root.iter(f"{SVG}text")] == ["Hello export"]
    assert listing(tmp_path) == ["drawing.svg"]


def test_pdf_export_through_the_queue(exported: Export, tmp_path: Path) -> None:
    record = exported("drawing.out", fmt="pdf")  # an explicit format wins over the suffix
    assert record.state is JobState.SUCCEEDED
    assert record.result == ExportResult(tmp_path / "drawing.out", "pdf")
    data = record.result.path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert pdf_pages(data) == [(0.0, 0.0, 600.0, 450.0)]


@pytest.mark.parametrize(
    ("name", "fmt", "scale", "message"),
    [
        ("x.bmp", None, 1.0, "format 'bmp' is not one of png, svg, pdf"),
        ("x", None, 1.0, "format none"),
        ("x.png", "jpeg", 1.0, "format 'jpeg'"),
        ("x.svg", None, 2.0, "scale applies to PNG only"),
        ("x.png", None, 0.0, "scale must be a positive number"),
        ("x.png", None, 1000.0, "too large"),
    ],
)
def test_an_impossible_export_raises_invalid_input_at_construction(
    tmp_path: Path, name: str, fmt: str | None, scale: float, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        ExportJob(drawing(), tmp_path / name, fmt, scale)
    assert listing(tmp_path) == []


def test_an_export_to_a_missing_folder_dead_letters(
    make_queue: MakeQueue, clock: FakeClock, tmp_path: Path
) -> None:
    queue = make_queue()
    job_id = queue.submit(ExportJob(drawing(), tmp_path / "gone" / "x.png"))
    assert queue.wait_until_idle(30)
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.DEAD, 1)
    (letter,) = queue.dead_letters()
    assert letter.error.type == "FileNotFoundError"
    assert clock.pending() == []
    assert listing(tmp_path) == []


def test_exports_of_one_path_in_two_formats_are_two_jobs(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path
) -> None:
    queue = make_queue(max_workers=1)
    snapshot = drawing()
    first = queue.submit(ExportJob(snapshot, tmp_path / "drawing.out", "svg"))
    second = queue.submit(ExportJob(snapshot, tmp_path / "drawing.out", "png"))
    assert second != first  # a different request, not a duplicate of the first
    drive(queue)
    assert (tmp_path / "drawing.out").read_bytes().startswith(b"\x89PNG")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
