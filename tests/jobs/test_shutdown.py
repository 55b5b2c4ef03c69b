"""shutdown(): refuses new work, reports what was cancelled, leaves no thread running."""

from __future__ import annotations

import errno

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, JobState, QueueClosed, live_queues

from .conftest import MakeQueue
from .fakes import Gate, ScriptedJob, ticking


def test_shutdown_lets_running_jobs_finish_and_reports_the_queued_ones(
    qtbot: QtBot, make_queue: MakeQueue
) -> None:
    queue = make_queue(max_workers=1)
    gate = Gate()
    running = ScriptedJob("running", script=["done"], gate=gate)
    running_id = queue.submit(running)
    queued_ids = [queue.submit(ScriptedJob(f"queued {n}")) for n in range(3)]
    assert running.started.wait(5)
    QTimer.singleShot(0, gate.open)  # the job finishes while shutdown waits
    report = queue.shutdown(timeout=5)
    assert report.clean
    assert [r.id for r in report.cancelled] == queued_ids
    assert all(r.state is JobState.CANCELLED and r.reason == "shutdown" for r in report.cancelled)
    assert report.interrupted == ()
    assert queue.record(running_id).state is JobState.SUCCEEDED
    assert queue.pool.activeThreadCount() == 0
    assert queue not in live_queues()
    with pytest.raises(QueueClosed):
        queue.submit(ScriptedJob("late"))


def test_shutdown_cancels_jobs_waiting_for_a_retry(qtbot: QtBot, make_queue: MakeQueue) -> None:
    queue = make_queue()
    job_id = queue.submit(ScriptedJob(script=[OSError(errno.EIO, "EIO")]))
    qtbot.waitUntil(lambda: queue.record(job_id).state is JobState.RETRY_SCHEDULED, timeout=5000)
    report = queue.shutdown(timeout=1)
    assert [r.id for r in report.cancelled] == [job_id]


def test_after_the_timeout_running_jobs_are_cancelled_cooperatively(
    make_queue: MakeQueue, clock: FakeClock
) -> None:
    queue = make_queue()
    gate = Gate()  # never opened: only cancel stops the job
    job = ScriptedJob("long export", gate=gate, cooperative=True)
    job_id = queue.submit(job)
    assert job.started.wait(5)
    start = clock.now()
    with ticking(clock, 0.05):  # the timeout passes on the queue's clock, not in real time
        report = queue.shutdown(timeout=0.05, cancel_wait=5)
    assert clock.now() - start == pytest.approx(0.05)
    assert report.clean
    assert [r.id for r in report.interrupted] == [job_id]
    record = queue.record(job_id)
    assert (record.state, record.reason) == (JobState.CANCELLED, "shutdown")
    assert queue.pool.activeThreadCount() == 0


def test_a_job_that_ignores_cancel_is_reported_stuck_until_it_returns(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock
) -> None:
    queue = make_queue()
    gate = Gate()
    job = ScriptedJob("stubborn", gate=gate, cooperative=False)
    job_id = queue.submit(job)
    assert job.started.wait(5)
    with ticking(clock, 0.04):  # both waits pass: 0.02 s running, 0.02 s after the cancel
        report = queue.shutdown(timeout=0.02, cancel_wait=0.02)
    assert not report.clean
    assert [r.id for r in report.stuck] == [job_id]
    assert queue in live_queues()
    gate.open()
    qtbot.waitUntil(lambda: not queue.has_threads(), timeout=5000)
    assert queue not in live_queues()
    again = queue.shutdown(timeout=1)  # safe to call twice; now clean
    assert again.clean
    assert again.interrupted == report.interrupted
    assert queue.pool.activeThreadCount() == 0


def test_shutdown_twice_returns_the_same_report(make_queue: MakeQueue) -> None:
    queue = make_queue()
    queue.submit(ScriptedJob())
    first = queue.shutdown(timeout=5)
    assert queue.shutdown(timeout=5) == first
    assert queue.is_shut_down
    assert queue.pool.activeThreadCount() == 0


def test_the_leak_check_sees_a_queue_never_shut_down(make_queue: MakeQueue) -> None:
    queue = make_queue()
    assert queue in live_queues()
    queue.shutdown()
    assert queue not in live_queues()


def test_a_handler_that_cancels_another_waiting_job_during_shutdown_is_safe(
    qtbot: QtBot, make_queue: MakeQueue
) -> None:
    """A Publish batch cancels its other steps when one is cancelled; during shutdown the
    second one was still in the shutdown's list (KeyError in the lanes before)."""
    queue = make_queue(max_workers=1)
    gate = Gate()
    running = ScriptedJob("running", gate=gate, target="/tmp/strata-test/a")
    queue.submit(running)
    first = queue.submit(ScriptedJob("first", target="/tmp/strata-test/b"))
    second = queue.submit(ScriptedJob("second", target="/tmp/strata-test/c"))
    assert running.started.wait(5)

    def cancel_the_other(record: object) -> None:
        if getattr(record, "id", None) == first:
            queue.cancel(second, "its batch stopped")

    queue.state_changed.connect(cancel_the_other)
    QTimer.singleShot(0, gate.open)
    report = queue.shutdown(timeout=5)
    assert report.clean
    assert [r.id for r in report.cancelled] == [first]
    assert queue.record(second).reason == "its batch stopped"
