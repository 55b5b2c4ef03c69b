"""Per-attempt timeouts: cooperative check(), the watchdog, and ignoring late results."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, JobQueue, JobState, RetryPolicy

from .conftest import Drive, MakeQueue
from .fakes import Gate, ScriptedJob


def test_a_job_calling_check_past_its_deadline_times_out(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock
) -> None:
    queue = make_queue(timeout=10.0, watchdog_grace=1.0)
    gate = Gate()
    job = ScriptedJob(script=["late", "second"], gate=gate, cooperative=True)
    job_id = queue.submit(job)
    assert job.started.wait(5)
    clock.advance(10.5)  # past the deadline, inside the watchdog's grace
    gate.open()  # the job's next check() raises JobTimedOut
    qtbot.waitUntil(lambda: queue.record(job_id).state is JobState.RETRY_SCHEDULED, timeout=5000)
    error = queue.record(job_id).last_error
    assert error is not None
    assert error.timed_out
    assert error.type == "editor.jobs.job.JobTimedOut"
    assert "check" in error.traceback  # raised inside the job, so it has a traceback


def test_a_result_returned_after_the_deadline_is_ignored(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock, drive: Drive
) -> None:
    queue = make_queue(timeout=10.0)
    gate = Gate()
    job = ScriptedJob(script=["late", "second"], gate=gate, cooperative=False)
    results: list[object] = []
    queue.job_succeeded.connect(lambda _i, r: results.append(r))
    job_id = queue.submit(job)
    assert job.started.wait(5)
    clock.advance(10.5)
    gate.open()  # returns "late" without ever calling check()
    qtbot.waitUntil(lambda: not queue.has_threads(), timeout=5000)
    record = queue.record(job_id)
    assert record.state is JobState.RETRY_SCHEDULED
    assert record.last_error is not None
    assert record.last_error.timed_out
    assert "ignored" in record.last_error.message
    drive(queue)
    assert results == ["second"]


def test_the_watchdog_fails_a_job_that_never_checks_and_holds_its_path(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock, drive: Drive, tmp_path: object
) -> None:
    queue = make_queue(timeout=10.0, watchdog_grace=1.0)
    gate = Gate()
    target = f"{tmp_path}/drawing.strata"
    job = ScriptedJob(
        "Save", target=target, script=["late", "second"], gate=gate, cooperative=False
    )
    other = ScriptedJob("Export", kind="export", target=target, script=["exported"])
    results: list[tuple[int, object]] = []
    queue.job_succeeded.connect(lambda i, r: results.append((i, r)))
    job_id = queue.submit(job)
    other_id = queue.submit(other)
    assert job.started.wait(5)

    clock.advance(10.999)
    assert queue.record(job_id).state is JobState.RUNNING
    clock.advance(0.001)  # deadline + grace: the watchdog gives up on the attempt
    record = queue.record(job_id)
    assert record.state is JobState.RETRY_SCHEDULED
    assert record.last_error is not None
    assert record.last_error.timed_out
    assert record.last_error.traceback == ""
    assert queue.has_threads()  # the abandoned thread is still in run()

    clock.advance(60.0)  # the retry is due, but the path is still held by the old thread
    assert queue.record(job_id).state is JobState.QUEUED
    assert queue.record(other_id).state is JobState.QUEUED
    assert job.calls == 1

    gate.open()  # the abandoned attempt returns "late": ignored
    drive(queue)
    assert results == [(job_id, "second"), (other_id, "exported")]
    assert queue.record(job_id).attempts == 2


def test_timing_out_on_the_last_attempt_dead_letters(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock
) -> None:
    queue = make_queue(timeout=1.0, watchdog_grace=0.0, policy=RetryPolicy(max_attempts=1))
    gate = Gate()
    job = ScriptedJob(script=["late"], gate=gate, cooperative=False)
    job_id = queue.submit(job)
    assert job.started.wait(5)
    clock.advance(1.0)
    assert queue.record(job_id).state is JobState.DEAD
    assert queue.dead_letters()[0].error.timed_out
    gate.open()
    qtbot.waitUntil(queue.is_idle, timeout=5000)
    assert queue.record(job_id).state is JobState.DEAD


def test_the_default_timeout_is_two_minutes_and_per_submit_overrides(
    queue: JobQueue, drive: Drive
) -> None:
    first = queue.submit(ScriptedJob("a"))
    second = queue.submit(ScriptedJob("b"), timeout=5.0)
    assert queue.record(first).timeout == 120.0
    assert queue.record(second).timeout == 5.0
    drive(queue)
