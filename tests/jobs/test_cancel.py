"""Cancelling queued, retry-scheduled and running jobs."""

from __future__ import annotations

import errno
import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, JobQueue, JobState

from .conftest import Drive, MakeQueue
from .fakes import Gate, ScriptedJob


def test_cancel_a_queued_job_removes_it_at_once(make_queue: MakeQueue, drive: Drive) -> None:
    queue = make_queue(max_workers=1)
    gate = Gate()
    first = ScriptedJob("first", gate=gate)
    waiting = ScriptedJob("waiting")
    queue.submit(first)
    waiting_id = queue.submit(waiting)
    assert queue.record(waiting_id).state is JobState.QUEUED
    assert queue.cancel(waiting_id)
    record = queue.record(waiting_id)
    assert (record.state, record.reason) == (JobState.CANCELLED, "cancelled")
    assert queue.waiting_count() == 0
    gate.open()
    drive(queue)
    assert waiting.calls == 0
    assert not queue.cancel(waiting_id)  # already final


def test_cancel_a_job_waiting_for_its_retry(
    qtbot: QtBot, queue: JobQueue, clock: FakeClock
) -> None:
    job = ScriptedJob(script=[OSError(errno.EIO, "EIO"), "ok"])
    job_id = queue.submit(job)
    qtbot.waitUntil(lambda: queue.record(job_id).state is JobState.RETRY_SCHEDULED, timeout=5000)
    assert queue.cancel(job_id)
    assert queue.record(job_id).state is JobState.CANCELLED
    assert clock.pending() == []
    clock.advance(3600)
    assert job.calls == 1
    assert queue.is_idle()


def test_cancel_a_running_job_stops_it_at_its_next_check(
    qtbot: QtBot, queue: JobQueue, tmp_path: Path
) -> None:
    gate = Gate()  # never opened: the job loops on check() until cancelled
    job = ScriptedJob(gate=gate, cooperative=True)
    job_id = queue.submit(job)
    assert job.started.wait(5)
    changed: list[bool] = []
    queue.state_changed.connect(lambda r: changed.append(r.cancel_requested))
    assert queue.cancel(job_id)
    assert queue.record(job_id).cancel_requested
    assert queue.record(job_id).state is JobState.RUNNING
    qtbot.waitUntil(lambda: queue.record(job_id).state is JobState.CANCELLED, timeout=5000)
    record = queue.record(job_id)
    assert (record.attempts, record.reason, record.last_error) == (1, "cancelled", None)
    assert queue.dead_letters() == ()
    assert changed == [True, True]
    assert queue.log.flush()
    lines = [json.loads(line) for line in (tmp_path / "logs/jobs.log").read_text().splitlines()]
    assert lines[-1]["outcome"] == "cancelled"


def test_a_running_job_that_finishes_without_checking_succeeds(
    qtbot: QtBot, queue: JobQueue
) -> None:
    gate = Gate()
    job = ScriptedJob(script=["written"], gate=gate, cooperative=False)
    job_id = queue.submit(job)
    assert job.started.wait(5)
    queue.cancel(job_id)
    gate.open()
    qtbot.waitUntil(queue.is_idle, timeout=5000)
    assert queue.record(job_id).state is JobState.SUCCEEDED  # the file was written: say so


def test_a_cancelled_job_that_fails_is_cancelled_not_retried(
    qtbot: QtBot, queue: JobQueue, clock: FakeClock
) -> None:
    gate = Gate()
    job = ScriptedJob(script=[OSError(errno.EIO, "EIO")], gate=gate, cooperative=False)
    job_id = queue.submit(job)
    assert job.started.wait(5)
    queue.cancel(job_id, reason="closed the document")
    gate.open()
    qtbot.waitUntil(queue.is_idle, timeout=5000)
    record = queue.record(job_id)
    assert (record.state, record.reason) == (JobState.CANCELLED, "closed the document")
    assert record.last_error is not None
    assert clock.pending() == []


def test_a_cancelled_job_that_never_checks_is_cancelled_by_the_watchdog(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock
) -> None:
    queue = make_queue(timeout=5.0, watchdog_grace=0.5)
    gate = Gate()
    job = ScriptedJob(gate=gate, cooperative=False)
    job_id = queue.submit(job)
    assert job.started.wait(5)
    queue.cancel(job_id)
    clock.advance(5.5)
    assert queue.record(job_id).state is JobState.CANCELLED
    assert queue.dead_letters() == ()
    gate.open()
    qtbot.waitUntil(queue.is_idle, timeout=5000)


def test_cancel_unknown_is_false(queue: JobQueue) -> None:
    assert not queue.cancel(12345)
