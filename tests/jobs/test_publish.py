"""The Publish saga on a real queue and real files: save + PNG + PDF, each step failing,
compensation failing once then succeeding, compensation dead-lettering, cancel in the
middle, retry. Faults come from `tests.jobs.disk` (the FileOps seam), never patches."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from editor.io.publish import output_path, plan
from editor.jobs import FakeClock, JobQueue, JobState
from editor.jobs.saga import BatchState, Sagas
from editor.model import Page, Snapshot, rect
from tests.jobs.conftest import Drive, MakeQueue
from tests.jobs.disk import HeldFile, NamedFaults, eio
from tests.jobs.fakes import ticking

OLD_DOC = b'{"old": "document bytes \xe2\x9c\x93"}\n'
OLD_PNG = bytes(range(256)) * 40


def snapshot() -> Snapshot:
    return Snapshot(Page(200, 100, "#ffffff"), (rect("s1", 10, 10, 50, 30),))


@pytest.fixture
def queue(make_queue: MakeQueue) -> JobQueue:
    """One worker: steps run one at a time, in order, so a failing step finds the earlier
    ones finished (with more workers a fast failure may cancel a step before it writes;
    the held-file tests use three workers on purpose)."""
    return make_queue(max_workers=1)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A document and its PNG already there (to be replaced); no PDF yet (to be made)."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "drawing.strata").write_bytes(OLD_DOC)
    (work / "drawing.png").write_bytes(OLD_PNG)
    return work


def publish(sagas: Sagas, folder: Path, disk: NamedFaults) -> int:
    doc = folder / "drawing.strata"
    outputs = [("png", output_path(doc, "png")), ("pdf", output_path(doc, "pdf"))]
    return sagas.start(plan(snapshot(), doc, None, outputs, ops=disk))


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def assert_as_before(folder: Path) -> None:
    """Byte for byte what was there, nothing added: no backup, marker or temp file."""
    assert (folder / "drawing.strata").read_bytes() == OLD_DOC
    assert (folder / "drawing.png").read_bytes() == OLD_PNG
    assert listing(folder) == ["drawing.png", "drawing.strata"]


def published(queue: JobQueue, drive: Drive, folder: Path, disk: NamedFaults) -> tuple[Sagas, int]:
    """A publish run to its end on `disk`: the runner and the batch's id."""
    sagas = Sagas(queue)
    batch = publish(sagas, folder, disk)
    drive(queue)
    return sagas, batch


def held_publish(
    make_queue: MakeQueue, folder: Path, held: str, workers: int
) -> tuple[JobQueue, HeldFile, Sagas, int]:
    """A publish on a queue of `workers` threads whose writes of `held` wait for the test."""
    queue = make_queue(max_workers=workers)
    disk = HeldFile(held)
    sagas = Sagas(queue)
    return queue, disk, sagas, publish(sagas, folder, disk)


def held_mid_batch(
    qtbot: QtBot, queue: JobQueue, sagas: Sagas, batch: int, disk: HeldFile, done: int
) -> None:
    """Wait until the held file's step is writing and the first `done` steps succeeded."""
    steps = sagas.record(batch).steps
    qtbot.waitUntil(disk.writing.is_set, timeout=5000)
    qtbot.waitUntil(
        lambda: all(queue.record(s.job_id).state is JobState.SUCCEEDED for s in steps[:done]),
        timeout=5000,
    )


def test_a_publish_saves_and_exports_beside_the_document_and_tidies_up(
    queue: JobQueue, drive: Drive, folder: Path
) -> None:
    sagas = Sagas(queue)
    batch = publish(sagas, folder, NamedFaults())
    drive(queue)
    record = sagas.record(batch)
    assert record.state is BatchState.SUCCEEDED
    assert [s.name for s in record.steps] == [
        "Save drawing.strata", "Export PNG drawing.png", "Export PDF drawing.pdf"
    ]  # fmt: skip
    assert all(s.state is JobState.SUCCEEDED for s in record.steps)
    assert listing(folder) == ["drawing.pdf", "drawing.png", "drawing.strata"]
    assert (folder / "drawing.strata").read_bytes() != OLD_DOC
    assert (folder / "drawing.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (folder / "drawing.pdf").read_bytes()[:5] == b"%PDF-"
    assert all(sagas.owns(s.job_id) for s in record.steps)
    assert not queue.dead_letters()


@pytest.mark.parametrize("failing", ["drawing.strata", "drawing.png", "drawing.pdf"])
def test_a_step_that_dead_letters_undoes_the_others_byte_for_byte(
    queue: JobQueue, drive: Drive, folder: Path, failing: str
) -> None:
    disk = NamedFaults()
    disk.deny(failing)  # PermissionError: straight to the dead-letter queue
    sagas, batch = published(queue, drive, folder, disk)
    record = sagas.record(batch)
    assert record.state is BatchState.FAILED
    assert record.failed_step.endswith(failing)
    assert record.error is not None and record.error.type == "PermissionError"
    assert_as_before(folder)
    assert not queue.dead_letters()  # the batch's row holds the error; Retry is its own
    assert queue.record(record.compensation or 0).state is JobState.SUCCEEDED


def test_a_replaced_file_is_put_back_exactly_after_a_step_used_up_its_retries(
    queue: JobQueue, drive: Drive, folder: Path, clock: FakeClock
) -> None:
    disk = NamedFaults()
    disk.script("drawing.pdf", eio, eio, eio, eio, eio)  # five attempts, all EIO
    sagas, batch = published(queue, drive, folder, disk)
    record = sagas.record(batch)
    assert record.state is BatchState.FAILED
    assert disk.writes["drawing.pdf"] == 5
    assert_as_before(folder)


def test_compensation_that_fails_once_is_retried_and_then_puts_everything_back(
    queue: JobQueue, drive: Drive, folder: Path
) -> None:
    disk = NamedFaults()
    disk.deny("drawing.pdf")
    # The document's first write is the save step; its second is the undo: EIO once.
    disk.script("drawing.strata", None, eio)
    sagas, batch = published(queue, drive, folder, disk)
    record = sagas.record(batch)
    assert record.state is BatchState.FAILED
    compensation = queue.record(record.compensation or 0)
    assert compensation.state is JobState.SUCCEEDED
    assert compensation.attempts == 2
    assert_as_before(folder)


def test_compensation_that_dead_letters_keeps_the_backups_and_can_be_retried(
    queue: JobQueue, drive: Drive, folder: Path
) -> None:
    disk = NamedFaults()
    disk.deny("drawing.pdf")
    disk.deny("drawing.strata", after=1)  # the save works; putting it back never does
    sagas, batch = published(queue, drive, folder, disk)
    record = sagas.record(batch)
    assert record.state is BatchState.STUCK
    assert record.error is not None and "backups are kept" in record.error.summary
    assert [letter.job_id for letter in queue.dead_letters()] == [record.compensation]
    kept = [n for n in listing(folder) if n.endswith(".bak")]
    assert len(kept) == 1 and kept[0].startswith(".drawing.strata.publish-")
    assert (folder / kept[0]).read_bytes() == OLD_DOC  # nothing lost
    disk.heal()
    assert sagas.retry(batch)
    drive(queue)
    assert sagas.record(batch).state is BatchState.FAILED
    assert_as_before(folder)


def test_cancel_in_the_middle_stops_the_rest_and_undoes_what_finished(
    make_queue: MakeQueue, drive: Drive, folder: Path, qtbot: QtBot
) -> None:
    queue, disk, sagas, batch = held_publish(make_queue, folder, "drawing.pdf", 3)
    held_mid_batch(qtbot, queue, sagas, batch, disk, done=2)
    assert sagas.cancel(batch)
    assert sagas.record(batch).state is BatchState.RUNNING  # the PDF has not stopped yet
    disk.let_go()
    drive(queue)
    record = sagas.record(batch)
    assert record.state is BatchState.CANCELLED
    assert [s.state for s in record.steps] == [
        JobState.SUCCEEDED, JobState.SUCCEEDED, JobState.CANCELLED
    ]  # fmt: skip
    assert_as_before(folder)


def test_cancel_before_anything_ran_cancels_every_step(
    make_queue: MakeQueue, drive: Drive, folder: Path, qtbot: QtBot
) -> None:
    queue, disk, sagas, batch = held_publish(make_queue, folder, "drawing.strata", 1)
    qtbot.waitUntil(disk.writing.is_set, timeout=5000)
    sagas.cancel(batch)
    disk.let_go()
    drive(queue)
    record = sagas.record(batch)
    assert record.state is BatchState.CANCELLED
    assert all(s.state is JobState.CANCELLED for s in record.steps)
    assert_as_before(folder)


def test_retry_runs_the_whole_batch_again(queue: JobQueue, drive: Drive, folder: Path) -> None:
    disk = NamedFaults()
    disk.deny("drawing.png")
    sagas, batch = published(queue, drive, folder, disk)
    first = sagas.record(batch)
    assert first.state is BatchState.FAILED
    disk.heal()
    assert sagas.retry(batch)
    drive(queue)
    again = sagas.record(batch)
    assert again.state is BatchState.SUCCEEDED
    assert again.runs == 2
    assert {s.job_id for s in again.steps}.isdisjoint(s.job_id for s in first.steps)
    assert listing(folder) == ["drawing.pdf", "drawing.png", "drawing.strata"]
    assert not sagas.retry(batch)  # a succeeded batch has nothing to retry


def test_a_file_written_twice_is_refused(folder: Path) -> None:
    doc = folder / "drawing.strata"
    with pytest.raises(ValueError, match="written twice"):
        plan(snapshot(), doc, None, [("png", folder / "a.png"), ("png", folder / "a.png")])


def test_a_file_written_again_after_its_step_is_left_alone_by_the_undo(
    make_queue: MakeQueue, drive: Drive, folder: Path, qtbot: QtBot
) -> None:
    queue, disk, sagas, batch = held_publish(make_queue, folder, "drawing.pdf", 3)
    held_mid_batch(qtbot, queue, sagas, batch, disk, done=2)
    (folder / "drawing.strata").write_bytes(b"saved again meanwhile")  # a Ctrl+S, say
    sagas.cancel(batch)
    disk.let_go()
    drive(queue)
    assert sagas.record(batch).state is BatchState.CANCELLED
    assert (folder / "drawing.strata").read_bytes() == b"saved again meanwhile"
    assert (folder / "drawing.png").read_bytes() == OLD_PNG
    assert listing(folder) == ["drawing.png", "drawing.strata"]  # no backup or marker left


def test_a_queue_shut_down_mid_batch_still_undoes_it_before_it_closes(
    make_queue: MakeQueue, folder: Path, qtbot: QtBot, clock: FakeClock
) -> None:
    """Quitting with "Cancel Jobs and Quit" during a publish: no worker is left for the
    undo, and no unfinished row would bring it back at the next start; it runs inline."""
    queue, disk, sagas, batch = held_publish(make_queue, folder, "drawing.strata", 1)
    qtbot.waitUntil(disk.writing.is_set, timeout=5000)
    disk.let_go()  # the save goes on during the shutdown; the exports never start
    with ticking(clock, 5.0):
        report = queue.shutdown(timeout=5.0, cancel_wait=1.0)
    assert report.clean
    record = sagas.record(batch)
    assert record.state is BatchState.CANCELLED
    # The save may have finished its write or seen the batch's cancel first: either way
    # the exports never started and the disk is as it was.
    assert record.steps[0].state in (JobState.SUCCEEDED, JobState.CANCELLED)
    assert [s.state for s in record.steps[1:]] == [JobState.CANCELLED, JobState.CANCELLED]
    assert_as_before(folder)
