"""The saga runner on its own, with scripted jobs (no files): the order of its signals,
results in step order, the commit after success, compensation retried, a batch that
cannot be queued, and the bound on finished batches."""

from __future__ import annotations

import errno
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, Job, JobQueue, JobState, QueueFull
from editor.jobs.saga import BatchRecord, BatchRun, BatchState, Sagas, Step
from tests.jobs.conftest import Drive, MakeQueue
from tests.jobs.fakes import Gate, ScriptedJob, ticking


class Spec:
    """A batch of scripted steps; each run gets fresh jobs (as a retry must)."""

    def __init__(self, name: str, *scripts: list[Any], undo: list[Any] | None = None,
                 undo_gate: Gate | None = None) -> None:  # fmt: skip
        self.name = name
        self.undo_gate = undo_gate
        self.scripts = scripts
        self.undo_script = undo or ["undone"]
        self.runs = 0
        self.undos: list[ScriptedJob] = []
        self.commits: list[ScriptedJob] = []

    def run(self) -> BatchRun:
        self.runs += 1
        n = self.runs
        steps = tuple(
            Step(ScriptedJob(f"{self.name} step {i} run {n}", script=script))
            for i, script in enumerate(self.scripts)
        )

        def undo() -> Job[Any]:
            gate = self.undo_gate if not self.undos else None  # the first undo only
            job = ScriptedJob(f"undo {self.name} run {n}", script=self.undo_script, gate=gate)
            self.undos.append(job)
            return job

        def commit() -> Job[Any]:
            job = ScriptedJob(f"commit {self.name} run {n}")
            self.commits.append(job)
            return job

        return BatchRun(steps, undo, commit, token=f"run{n}")


def eio() -> OSError:
    return OSError(errno.EIO, "I/O error")


def test_a_batch_that_succeeds_reports_results_in_step_order_then_commits(
    queue: JobQueue, drive: Drive, qtbot: QtBot
) -> None:
    sagas = Sagas(queue)
    seen: list[BatchState] = []
    sagas.changed.connect(lambda r: seen.append(r.state))
    spec = Spec("b", ["first"], ["second"], ["third"])
    with qtbot.waitSignal(sagas.succeeded, timeout=5000) as done:
        batch = sagas.start(spec)
        drive(queue)
    assert done.args == [batch, ("first", "second", "third")]
    assert seen[0] is BatchState.RUNNING and seen[-1] is BatchState.SUCCEEDED
    assert not spec.undos and [j.calls for j in spec.commits] == [1]
    assert sagas.run_token(batch) == "run1"


def test_a_failing_step_is_retried_by_the_queue_before_the_batch_gives_up(
    queue: JobQueue, drive: Drive
) -> None:
    sagas = Sagas(queue)
    spec = Spec("b", ["ok"], [eio(), eio(), "ok at last"])
    batch = sagas.start(spec)
    drive(queue)
    assert sagas.record(batch).state is BatchState.SUCCEEDED
    assert not spec.undos


def test_compensation_failing_once_is_retried_then_the_batch_is_failed(
    queue: JobQueue, drive: Drive
) -> None:
    sagas = Sagas(queue)
    spec = Spec("b", ["ok"], [PermissionError(errno.EACCES, "no")], undo=[eio(), "undone"])
    compensated: list[int] = []
    sagas.compensated.connect(compensated.append)
    batch = sagas.start(spec)
    drive(queue)
    record = sagas.record(batch)
    assert record.state is BatchState.FAILED
    assert record.failed_step == "b step 1 run 1"
    assert [j.calls for j in spec.undos] == [2]
    assert compensated == [batch]
    assert queue.record(record.compensation or 0).attempts == 2


def test_a_batch_none_of_whose_steps_can_be_queued_raises_and_is_not_kept(
    make_queue: MakeQueue,
) -> None:
    queue = make_queue(max_queued=1, max_workers=1)
    queue.submit(ScriptedJob("busy", script=[lambda c: None]))
    queue.submit(ScriptedJob("waiting"))
    sagas = Sagas(queue)
    with pytest.raises(QueueFull):
        sagas.start(Spec("b", ["x"]))
    assert sagas.records() == ()


def test_a_batch_only_some_of_whose_steps_were_queued_is_undone(
    make_queue: MakeQueue, drive: Drive
) -> None:
    queue = make_queue(max_queued=1, max_workers=1)
    sagas = Sagas(queue)
    spec = Spec("b", ["one"], ["two"], ["three"])
    batch = sagas.start(spec)
    drive(queue)
    record = sagas.record(batch)
    assert record.state is BatchState.CANCELLED
    assert len(record.steps) < 3 and len(spec.undos) == 1


def test_finished_batches_are_bounded_and_forgotten_out_loud(queue: JobQueue, drive: Drive) -> None:
    sagas = Sagas(queue, max_finished=2)
    removed: list[int] = []
    sagas.removed.connect(removed.append)
    ids, jobs = [], []
    for n in range(4):
        ids.append(sagas.start(Spec(f"b{n}", ["ok"])))
        jobs.append(sagas.record(ids[-1]).steps[0].job_id)
        drive(queue)
    assert removed == ids[:2]
    assert [r.id for r in sagas.records()] == ids[2:]
    assert [sagas.owns(j) for j in jobs] == [False, False, True, True]
    record: BatchRecord = sagas.record(ids[3])
    assert record.steps[0].state is JobState.SUCCEEDED


def test_an_undo_cancelled_by_shutdown_runs_once_more_inline_before_the_queue_closes(
    make_queue: MakeQueue, clock: FakeClock, qtbot: QtBot
) -> None:
    queue = make_queue(max_workers=1)
    sagas = Sagas(queue)
    spec = Spec("b", [PermissionError(errno.EACCES, "no")], undo_gate=Gate())
    batch = sagas.start(spec)
    qtbot.waitUntil(lambda: bool(spec.undos) and spec.undos[0].started.is_set(), timeout=5000)
    with ticking(clock, 1.0):
        report = queue.shutdown(timeout=0.1, cancel_wait=5)
    assert report.clean
    assert queue.record(sagas.record(batch).compensation or 0).state is JobState.CANCELLED
    assert [j.calls for j in spec.undos] == [1, 1]  # the cancelled one, then inline
    assert sagas.record(batch).state is BatchState.FAILED
