"""A save through a symlink and a save through the real path are one writer's work.

Issue 9: jobs were serialised per path *string*, so a save of revision A through
`link.strata` and a later save of revision B through `real.strata` ran at once; both
"succeeded" and the older revision could end up on disk. Now the jobs resolve their
target on the worker thread and writes to one real file run one at a time, in the order
they were asked for: a later request waits ("Waiting for another write of real.strata")
and an earlier one that comes late never lands over a later one.
"""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from editor.io.format import load, save
from editor.io.tasks import ExportJob, SaveJob, SaveResult
from editor.jobs import JobQueue, JobState
from editor.model import DEFAULT_PAGE, Snapshot, rect
from tests.io.test_tasks import StallingDisk
from tests.jobs import conftest as jobs

clock = jobs.clock
rng = jobs.rng
make_queue = jobs.make_queue
MakeQueue = jobs.MakeQueue

A = Snapshot(DEFAULT_PAGE, (rect("a", 0, 0, 10, 10, fill="#aa0000"),))
B = Snapshot(DEFAULT_PAGE, (rect("b", 0, 0, 20, 20, fill="#00bb00"),))


class Rev:
    def __init__(self, serial: int) -> None:
        self.serial = serial


def files(tmp_path: Path) -> tuple[Path, Path]:
    real = tmp_path / "real.strata"
    save(real, Snapshot(DEFAULT_PAGE, ()))
    link = tmp_path / "link.strata"
    link.symlink_to(real)
    return real, link


def settled(qtbot: QtBot, queue: JobQueue, job_id: int) -> None:
    qtbot.waitUntil(lambda: queue.record(job_id).state.is_final, timeout=10_000)


def test_a_later_save_through_the_real_path_waits_and_wins(
    qtbot: QtBot, make_queue: MakeQueue, tmp_path: Path
) -> None:
    real, link = files(tmp_path)
    queue = make_queue(max_workers=2)
    slow = StallingDisk("replace")
    first = queue.submit(SaveJob(A, link, Rev(1), ops=slow))  # A, through the link
    assert slow.entered.wait(10)  # A has written its temp file and waits before renaming
    second = queue.submit(SaveJob(B, real, Rev(2)))  # B, asked for later, the real path

    def b_done_or_waiting() -> bool:
        record = queue.record(second)
        return record.state.is_final or record.progress_message.startswith("Waiting")

    try:
        qtbot.waitUntil(b_done_or_waiting, timeout=10_000)
        assert queue.record(second).state is JobState.RUNNING, "B wrote while A was writing"
        assert "Waiting for another write of real.strata" in queue.record(second).progress_message
    finally:
        slow.gate.open()
    settled(qtbot, queue, first)
    settled(qtbot, queue, second)
    assert queue.record(first).state is JobState.SUCCEEDED
    assert queue.record(second).state is JobState.SUCCEEDED
    assert load(real) == B  # the later request is what is on disk
    assert link.is_symlink()


def test_an_earlier_save_that_comes_late_does_not_overwrite_a_later_one(
    qtbot: QtBot, make_queue: MakeQueue, tmp_path: Path
) -> None:
    real, link = files(tmp_path)
    queue = make_queue(max_workers=2)
    gate_job = SaveJob(A, link, Rev(1))  # asked for first...
    later = queue.submit(SaveJob(B, real, Rev(2)))  # ...but B is submitted and runs first
    settled(qtbot, queue, later)
    assert load(real) == B
    earlier = queue.submit(gate_job)
    settled(qtbot, queue, earlier)
    record = queue.record(earlier)
    assert record.state is JobState.SUCCEEDED
    assert isinstance(record.result, SaveResult) and record.result.superseded
    assert load(real) == B  # A, older, was not written over it


def test_an_export_and_a_save_to_one_real_file_do_not_overlap(
    qtbot: QtBot, make_queue: MakeQueue, tmp_path: Path
) -> None:
    real = tmp_path / "real.svg"
    real.write_text("old")
    link = tmp_path / "link.svg"
    link.symlink_to(real)
    queue = make_queue(max_workers=2)
    slow = StallingDisk("replace")
    first = queue.submit(ExportJob(A, link, ops=slow))
    assert slow.entered.wait(10)
    second = queue.submit(ExportJob(B, real))
    qtbot.waitUntil(
        lambda: (
            queue.record(second).progress_message.startswith("Waiting")
            or queue.record(second).state.is_final
        ),
        timeout=10_000,
    )
    assert queue.record(second).state is JobState.RUNNING
    slow.gate.open()
    settled(qtbot, queue, first)
    settled(qtbot, queue, second)
    assert 'fill="#00bb00"' in real.read_text()
