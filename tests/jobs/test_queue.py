"""The queue's basic life: results, failures recorded with tracebacks, progress, signals."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from editor.jobs import (
    FakeClock,
    Job,
    JobContext,
    JobLog,
    JobQueue,
    JobRecord,
    JobState,
    QueueClosed,
    RetryPolicy,
)

from .conftest import Drive, MakeQueue
from .fakes import Gate, ScriptedJob


def test_a_job_runs_on_a_worker_and_its_result_arrives_on_the_gui_thread(
    qtbot: QtBot, queue: JobQueue
) -> None:
    job = ScriptedJob("Save a.strata", script=[lambda ctx: ("revision", 41)])
    results: list[tuple[int, object, int]] = []
    queue.job_succeeded.connect(lambda i, r: results.append((i, r, threading.get_ident())))
    with qtbot.waitSignal(queue.idle, timeout=5000):
        job_id = queue.submit(job)
    assert results == [(job_id, ("revision", 41), threading.get_ident())]
    assert job.threads[0] != threading.get_ident()
    record = queue.record(job_id)
    assert record.state is JobState.SUCCEEDED
    assert record.result == ("revision", 41)
    assert (record.attempts, record.max_attempts) == (1, 5)
    assert record.enqueued_at <= record.started_at <= record.finished_at  # type: ignore[operator]


def test_signals_report_every_state_in_order(qtbot: QtBot, queue: JobQueue) -> None:
    seen: list[tuple[str, object]] = []
    queue.job_added.connect(lambda r: seen.append(("added", r.state)))
    queue.state_changed.connect(lambda r: seen.append(("state", r.state)))
    queue.job_succeeded.connect(lambda i, r: seen.append(("result", r)))
    queue.submit(ScriptedJob(script=["ok"]))
    assert queue.wait_until_idle(5)
    assert seen == [
        ("added", JobState.QUEUED),
        ("state", JobState.RUNNING),
        ("state", JobState.SUCCEEDED),
        ("result", "ok"),
    ]


def test_records_are_immutable_snapshots(queue: JobQueue) -> None:
    job_id = queue.submit(ScriptedJob(script=["ok"]))
    before = queue.record(job_id)
    assert queue.wait_until_idle(5)
    with pytest.raises(AttributeError):
        before.state = JobState.DEAD  # type: ignore[misc]
    assert before.state is JobState.RUNNING
    assert queue.record(job_id).state is JobState.SUCCEEDED
    assert [r.id for r in queue.records()] == [job_id]


def test_a_raising_job_is_recorded_with_its_traceback_and_the_worker_survives(
    qtbot: QtBot, make_queue: MakeQueue
) -> None:
    queue = make_queue(max_workers=1)
    bad = ScriptedJob("bad", script=[RuntimeError("boom")])
    bad_id = queue.submit(bad)
    later = [ScriptedJob(f"later {n}", script=[n]) for n in range(3)]
    later_ids = [queue.submit(job) for job in later]
    qtbot.waitUntil(lambda: not queue.has_threads(), timeout=5000)
    assert not queue.is_idle()  # the bad job waits for its retry timer
    record = queue.record(bad_id)
    assert record.state is JobState.RETRY_SCHEDULED
    error = record.last_error
    assert error is not None
    assert (error.type, error.message, error.timed_out) == ("RuntimeError", "boom", False)
    assert "Traceback (most recent call last)" in error.traceback
    assert "RuntimeError: boom" in error.traceback
    assert [queue.record(i).result for i in later_ids] == [0, 1, 2]
    assert len({*bad.threads, *(t for job in later for t in job.threads)}) == 1  # one worker


@pytest.mark.parametrize("exc", [SystemExit(3), KeyboardInterrupt()])
def test_base_exceptions_are_failed_attempts_not_dead_threads(
    queue: JobQueue, exc: BaseException
) -> None:
    job_id = queue.submit(ScriptedJob(script=[exc]))
    after = queue.submit(ScriptedJob("after", script=["fine"]))
    assert queue.wait_until_idle(5)
    record = queue.record(job_id)
    assert record.state is JobState.DEAD  # a job calling sys.exit() is a bug: no retry
    assert record.last_error is not None
    assert record.last_error.type == type(exc).__name__
    assert queue.record(after).result == "fine"


def test_progress_reaches_the_gui_thread(qtbot: QtBot, queue: JobQueue) -> None:
    gate = Gate()

    def work(ctx: JobContext) -> str:
        ctx.progress(0.25, "encoding")
        gate.wait()
        ctx.progress(2.0, "writing")  # clamped
        return "done"

    seen: list[tuple[int, float, str, int]] = []
    queue.progress_changed.connect(lambda i, f, m: seen.append((i, f, m, threading.get_ident())))
    job_id = queue.submit(ScriptedJob(script=[work]))
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert seen[0] == (job_id, 0.25, "encoding", threading.get_ident())
    record = queue.record(job_id)
    assert (record.progress, record.progress_message) == (0.25, "encoding")
    gate.open()
    assert queue.wait_until_idle(5)
    assert seen[1] == (job_id, 1.0, "writing", threading.get_ident())


def test_progress_reports_coalesce_while_one_is_in_flight(clock: FakeClock) -> None:
    sent: list[int] = []
    context = JobContext(
        1, 1, 5, deadline=clock.now() + 10, clock=clock, send_progress=lambda: sent.append(1)
    )
    context.progress(0.1, "a")
    context.progress(0.2, "b")
    context.progress(0.3, "c")
    assert len(sent) == 1
    assert context.take_progress() == (0.3, "c")
    assert context.take_progress() is None
    context.progress(0.4)
    assert len(sent) == 2
    with pytest.raises(ValueError, match="NaN"):
        context.progress(float("nan"))


def test_submit_returns_distinct_ids_and_views_see_added_records(queue: JobQueue) -> None:
    added: list[JobRecord] = []
    queue.job_added.connect(added.append)
    ids = [queue.submit(ScriptedJob(f"j{n}")) for n in range(3)]
    assert len(set(ids)) == 3
    assert [r.id for r in added] == ids
    assert all(r.state is JobState.QUEUED for r in added)
    assert queue.wait_until_idle(5)


def test_queue_methods_refuse_other_threads(queue: JobQueue) -> None:
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            queue.submit(ScriptedJob())
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=submit)
    thread.start()
    thread.join()
    assert len(errors) == 1
    assert "thread" in str(errors[0])


def test_the_real_clock_drives_retries_on_qt_timers(qtbot: QtBot) -> None:
    queue = JobQueue(policy=RetryPolicy(base=0.005), log=JobLog(file=False, stderr=False))
    try:
        job_id = queue.submit(ScriptedJob(script=[OSError(5, "EIO"), "ok"]))
        assert queue.wait_until_idle(5)
        record = queue.record(job_id)
        assert (record.state, record.attempts, record.result) == (JobState.SUCCEEDED, 2, "ok")
    finally:
        assert queue.shutdown(timeout=2).clean
    with pytest.raises(QueueClosed):
        queue.submit(ScriptedJob())


class _Chunked(Job[int]):
    """A job as io will write them: checks and reports between chunks."""

    def __init__(self, chunks: int) -> None:
        super().__init__(f"Sum {chunks}", "compute", key=f"sum:{chunks}")
        self.chunks = chunks

    def run(self, context: JobContext) -> int:
        total = 0
        for n in range(self.chunks):
            context.check()
            total += n
            context.progress((n + 1) / self.chunks, f"chunk {n + 1}")
        return total


def test_a_job_subclass_with_chunks(queue: JobQueue, drive: Drive) -> None:
    job_id = queue.submit(_Chunked(100))
    drive(queue)
    assert queue.record(job_id).result == sum(range(100))
    assert queue.record(job_id).progress == 1.0


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no")


def test_an_exception_that_cannot_describe_itself_is_still_recorded(
    qtbot: QtBot, queue: JobQueue
) -> None:
    job_id = queue.submit(ScriptedJob(script=[_Unprintable(), "ok"]))
    qtbot.waitUntil(lambda: queue.record(job_id).state is JobState.RETRY_SCHEDULED, timeout=5000)
    error = queue.record(job_id).last_error
    assert error is not None
    assert error.type.endswith("_Unprintable")
    assert error.message.startswith("<unprintable")
