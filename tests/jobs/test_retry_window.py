"""A retry window: retries by time, not by count alone (issue 9, "ENOSPC").

With the default policy, five attempts span 0-7.5 s (full jitter), so a disk freed after
6 s may still dead-letter a save. `RetryPolicy.within(window)` keeps trying until the
window has passed since the first failure, and its last attempt is at the window's end.
"""

from __future__ import annotations

import errno
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, JobContext, JobLog, JobQueue, JobState, RetryPolicy

from .fakes import ScriptedJob, ScriptedRandom


class DiskFreedAt:
    """A job step: ENOSPC until the fake clock reaches `freed`, then "written"."""

    def __init__(self, clock: FakeClock, freed: float) -> None:
        self.clock = clock
        self.freed = freed
        self.tries: list[float] = []

    def __call__(self, context: JobContext) -> str:
        self.tries.append(self.clock.now())
        if self.clock.now() < self.freed:
            raise OSError(errno.ENOSPC, "No space left on device")
        return "written"


def run_to_the_end(qtbot: QtBot, queue: JobQueue, clock: FakeClock) -> None:
    for _ in range(2000):
        qtbot.waitUntil(lambda: not queue.has_threads(), timeout=5000)
        if queue.is_idle():
            return
        delay = clock.next_delay()
        assert delay is not None
        clock.advance(delay)
    raise AssertionError("never idle")


def test_the_window_sets_a_bounded_budget_and_keeps_the_defaults() -> None:
    assert RetryPolicy().window is None  # the default policy is unchanged
    policy = RetryPolicy.within(60)
    assert policy.window == 60
    assert (policy.base, policy.factor, policy.cap) == (0.5, 2.0, 30.0)
    assert 5 < policy.max_attempts < 20
    assert RetryPolicy.within(7 * 24 * 3600).max_attempts <= 1000


def test_waits_are_cut_to_the_window_and_the_last_one_reaches_its_end() -> None:
    policy = RetryPolicy.within(10)
    rng = ScriptedRandom([1.0])
    assert policy.delay(1, rng, elapsed=0.0) == 0.5
    assert policy.delay(6, rng, elapsed=9.0) == pytest.approx(1.0)  # cut to what is left
    assert policy.delay(policy.max_attempts - 1, ScriptedRandom([0.0]), 3.0) == 7.0
    assert policy.may_retry(1, 9.99) and not policy.may_retry(1, 10.0)
    assert not policy.may_retry(policy.max_attempts, 0.0)


def test_with_the_default_policy_a_disk_freed_after_6_s_dead_letters(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = FakeClock()
    disk = DiskFreedAt(clock, clock.now() + 6.0)
    queue = JobQueue(clock=clock, rng=ScriptedRandom([0.5]), log=JobLog(tmp_path, stderr=False))
    try:
        job_id = queue.submit(ScriptedJob("Save a.strata", script=[disk]))
        run_to_the_end(qtbot, queue, clock)
        assert queue.record(job_id).state is JobState.DEAD  # 5 attempts within 3.75 s
    finally:
        queue.shutdown(timeout=1.0)


def test_with_a_30_s_window_the_same_save_succeeds(qtbot: QtBot, tmp_path: Path) -> None:
    clock = FakeClock()
    start = clock.now()
    disk = DiskFreedAt(clock, start + 6.0)
    queue = JobQueue(
        clock=clock, rng=ScriptedRandom([0.5]), log=JobLog(tmp_path, stderr=False),
        policy=RetryPolicy.within(30),
    )  # fmt: skip
    try:
        job_id = queue.submit(ScriptedJob("Save a.strata", script=[disk]))
        run_to_the_end(qtbot, queue, clock)
        record = queue.record(job_id)
        assert (record.state, record.result) == (JobState.SUCCEEDED, "written")
        assert disk.tries[-1] - start <= 30.0 + 1e-9
    finally:
        queue.shutdown(timeout=1.0)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(window=st.floats(1, 3600), share=st.floats(0, 0.999), seed=st.integers(0, 2**32))
def test_a_disk_freed_inside_the_window_is_always_written(
    qtbot: QtBot, tmp_path: Path, window: float, share: float, seed: int
) -> None:
    clock = FakeClock()
    start = clock.now()
    disk = DiskFreedAt(clock, start + window * share)
    queue = JobQueue(
        clock=clock, rng=random.Random(seed), log=JobLog(tmp_path, stderr=False),
        policy=RetryPolicy.within(window),
    )  # fmt: skip
    try:
        job_id = queue.submit(ScriptedJob("Save", script=[disk]))
        run_to_the_end(qtbot, queue, clock)
        record = queue.record(job_id)
        assert record.state is JobState.SUCCEEDED, (record.attempts, disk.tries[-3:])
        assert disk.tries[-1] - start <= window + 1e-6
        assert record.attempts <= record.max_attempts
    finally:
        queue.shutdown(timeout=1.0)
