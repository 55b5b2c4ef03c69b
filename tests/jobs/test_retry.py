"""Retries: exact full-jitter delays on the fake clock, budgets, permanent errors."""

from __future__ import annotations

import errno
import random

import pytest
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, InvalidInput, JobQueue, JobState, RetryPolicy

from .conftest import Drive, MakeQueue
from .fakes import ScriptedJob, ScriptedRandom


def eio() -> OSError:
    return OSError(errno.EIO, "Input/output error")


def enospc() -> OSError:
    return OSError(errno.ENOSPC, "No space left on device")


def wait_settled(qtbot: QtBot, queue: JobQueue) -> None:
    qtbot.waitUntil(lambda: not queue.has_threads(), timeout=5000)


def test_transient_errors_retry_after_exact_jittered_delays_then_succeed(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock
) -> None:
    rng = ScriptedRandom([0.9, 0.1, 0.5])
    queue = make_queue(rng=rng)
    job = ScriptedJob("Save a.strata", script=[eio(), enospc(), eio(), "saved"])
    job_id = queue.submit(job)
    expected = [0.9 * 0.5, 0.1 * 1.0, 0.5 * 2.0]  # fraction * min(30, 0.5 * 2 ** (n - 1))
    for n, delay in enumerate(expected, start=1):
        wait_settled(qtbot, queue)
        record = queue.record(job_id)
        assert (record.state, record.attempts) == (JobState.RETRY_SCHEDULED, n)
        assert record.next_attempt_at == pytest.approx(clock.wall_time() + delay, abs=1e-6)
        assert clock.pending() == pytest.approx([delay], abs=1e-12)
        clock.advance(delay * 0.999)
        assert queue.record(job_id).state is JobState.RETRY_SCHEDULED  # not a moment early
        clock.advance(delay * 0.001)
        assert queue.record(job_id).state is JobState.RUNNING
    wait_settled(qtbot, queue)
    record = queue.record(job_id)
    assert (record.state, record.attempts, record.result) == (JobState.SUCCEEDED, 4, "saved")
    assert rng.calls == [(0.0, 0.5), (0.0, 1.0), (0.0, 2.0)]
    assert job.calls == 4


def test_seeded_random_gives_reproducible_full_jitter(
    qtbot: QtBot, make_queue: MakeQueue, clock: FakeClock, drive: Drive
) -> None:
    policy = RetryPolicy(max_attempts=8, base=1.0, factor=3.0, cap=20.0)
    queue = make_queue(rng=random.Random(7), policy=policy)
    job_id = queue.submit(ScriptedJob(script=[eio()] * 7 + ["ok"]))
    mirror = random.Random(7)
    expected = [mirror.uniform(0, min(20.0, 3.0 ** (n - 1))) for n in range(1, 8)]
    delays: list[float] = []
    for _ in expected:
        wait_settled(qtbot, queue)
        record = queue.record(job_id)
        (delay,) = clock.pending()  # exact: wall times near 1.8e9 keep only ~0.2 µs
        assert record.next_attempt_at == pytest.approx(clock.wall_time() + delay, abs=1e-6)
        delays.append(delay)
        clock.advance(delay)
    drive(queue)
    assert delays == pytest.approx(expected, abs=1e-9)
    assert all(0 <= d <= min(20.0, 3.0**n) for n, d in enumerate(delays))
    assert queue.record(job_id).attempts == 8


def test_permission_error_goes_straight_to_the_dlq(queue: JobQueue, clock: FakeClock) -> None:
    job = ScriptedJob("Save /root/x.strata", script=[PermissionError(errno.EACCES, "denied")])
    job_id = queue.submit(job)
    assert queue.wait_until_idle(5)
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.DEAD, 1)
    (letter,) = queue.dead_letters()
    assert letter.job_id == job_id
    assert letter.attempts == 1
    assert letter.error.type == "PermissionError"
    assert not letter.error.retryable
    assert letter.job is job
    assert clock.pending() == []  # no retry timer


@pytest.mark.parametrize(
    "error",
    [
        FileNotFoundError(errno.ENOENT, "No such file or directory: '/gone/a.strata'"),
        IsADirectoryError(errno.EISDIR, "Is a directory"),
        NotADirectoryError(errno.ENOTDIR, "Not a directory"),
        InvalidInput("unknown export format '.xyz'"),
    ],
)
def test_other_permanent_errors_dead_letter_after_one_attempt(
    queue: JobQueue, error: BaseException
) -> None:
    job_id = queue.submit(ScriptedJob(script=[error]))
    assert queue.wait_until_idle(5)
    assert queue.record(job_id).state is JobState.DEAD
    assert queue.dead_letters()[0].attempts == 1


def test_a_job_can_mark_errors_permanent(queue: JobQueue) -> None:
    class PickyJob(ScriptedJob):
        def retryable(self, error: BaseException) -> bool:
            return not isinstance(error, UnicodeError)

    job_id = queue.submit(PickyJob(script=[UnicodeEncodeError("utf-8", "x", 0, 1, "bad")]))
    assert queue.wait_until_idle(5)
    assert queue.record(job_id).state is JobState.DEAD


def test_a_broken_retryable_hook_does_not_hide_the_error(queue: JobQueue, drive: Drive) -> None:
    class BrokenHook(ScriptedJob):
        def retryable(self, error: BaseException) -> bool:
            raise RuntimeError("hook bug")

    job_id = queue.submit(BrokenHook(script=[eio(), "ok"]))
    drive(queue)
    record = queue.record(job_id)
    assert (record.state, record.attempts) == (JobState.SUCCEEDED, 2)
    assert record.last_error is not None
    assert record.last_error.type == "OSError"


def test_exhausting_the_budget_dead_letters_with_five_attempts(
    queue: JobQueue, clock: FakeClock, drive: Drive
) -> None:
    job_id = queue.submit(ScriptedJob(script=[eio()]))
    enqueued = clock.wall_time()
    drive(queue)
    record = queue.record(job_id)
    assert (record.state, record.attempts, record.max_attempts) == (JobState.DEAD, 5, 5)
    (letter,) = queue.dead_letters()
    assert letter.attempts == 5
    assert letter.error.type == "OSError"
    assert letter.error.message == "[Errno 5] Input/output error"
    assert "OSError" in letter.error.traceback
    assert letter.first_failure_at == enqueued
    # waits: 0.25 + 0.5 + 1 + 2 (the scripted rng returns half of each ceiling)
    assert letter.last_failure_at == pytest.approx(enqueued + 3.75)


def test_a_policy_per_submit(queue: JobQueue, drive: Drive) -> None:
    job_id = queue.submit(ScriptedJob(script=[eio()]), policy=RetryPolicy(max_attempts=2))
    drive(queue)
    record = queue.record(job_id)
    assert (record.state, record.attempts, record.max_attempts) == (JobState.DEAD, 2, 2)
