"""Values that would leave a job with no way out are refused where they come in.

Before: `submit(job, timeout=nan or inf)` raised inside `_start` after the worker was
registered and the path held: the job stayed RUNNING with no thread, the next job on its
path waited forever and shutdown reported it stuck. `RetryPolicy(cap=inf)` left a job
RETRY_SCHEDULED with no timer. Now the constructors and `submit` refuse such values, and
a property test over random policies and timeouts checks that every job that was
accepted ends SUCCEEDED, DEAD or CANCELLED.
"""

from __future__ import annotations

import errno
import math
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, JobLog, JobQueue, JobState, RetryPolicy, TimerHandle
from editor.jobs.retry import MAX_SECONDS

from .conftest import Drive, MakeQueue
from .fakes import ScriptedJob

NOT_FINITE = [math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("timeout", [*NOT_FINITE, 0.0, -1.0, 1e12])
def test_submit_refuses_a_timeout_that_is_not_a_finite_positive_number(
    make_queue: MakeQueue, drive: Drive, timeout: float
) -> None:
    queue = make_queue()
    with pytest.raises(ValueError, match="timeout"):
        queue.submit(ScriptedJob("bad", target="/tmp/x.strata"), timeout=timeout)
    assert queue.records() == () and queue.is_idle()
    job_id = queue.submit(ScriptedJob("next", target="/tmp/x.strata"), timeout=5.0)
    drive(queue)
    assert queue.record(job_id).state is JobState.SUCCEEDED
    report = queue.shutdown(timeout=1.0)
    assert report.clean and report.stuck == ()


@pytest.mark.parametrize("name", ["timeout", "watchdog_grace"])
@pytest.mark.parametrize("value", NOT_FINITE)
def test_the_queue_refuses_non_finite_defaults(
    qtbot: QtBot, tmp_path: Path, name: str, value: float
) -> None:
    with pytest.raises(ValueError, match=name):
        JobQueue(clock=FakeClock(), log=JobLog(tmp_path, stderr=False), **{name: value})


@pytest.mark.parametrize("name", ["base", "factor", "cap"])
@pytest.mark.parametrize("value", [*NOT_FINITE, 1e12])
def test_a_retry_policy_refuses_values_that_are_not_finite(name: str, value: float) -> None:
    if name == "factor" and value == 1e12:
        assert RetryPolicy(factor=value).ceiling(3) == 30.0  # a factor only grows to the cap
        return
    with pytest.raises(ValueError, match=name):
        RetryPolicy(**{name: value})


def test_a_retry_policy_refuses_a_window_that_is_not_finite_and_positive() -> None:
    for window in [*NOT_FINITE, 0.0, -1.0, 1e12]:
        with pytest.raises(ValueError, match="window"):
            RetryPolicy(window=window)


class QtLikeClock(FakeClock):
    """A fake clock that refuses what QtClock's timers refuse (`math.ceil(delay * 1000)`
    raises for NaN and infinity), so a job waiting on an impossible timer shows up here
    as it would in the app."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        math.ceil(delay * 1000)
        return super().call_later(delay, callback)


def eio() -> OSError:
    return OSError(errno.EIO, "Input/output error")


#: Edge values first (hypothesis rarely draws NaN or infinity on its own), then any float.
reals = st.sampled_from(
    [math.nan, math.inf, -math.inf, 0.0, -1.0, 1e-9, 0.01, 1.0, 30.0, 1e9, 1e300]
) | st.floats(allow_nan=True, allow_infinity=True)


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    attempts=st.integers(-1, 12),
    base=reals,
    factor=reals,
    cap=reals,
    window=st.none() | reals,
    timeouts=st.lists(st.none() | reals, min_size=1, max_size=4),
    failures=st.lists(st.integers(0, 15), min_size=4, max_size=4),
    seed=st.integers(0, 2**16),
)
def test_every_accepted_job_reaches_a_final_state(
    qtbot: QtBot,
    tmp_path: Path,
    attempts: int,
    base: float,
    factor: float,
    cap: float,
    window: float | None,
    timeouts: list[float | None],
    failures: list[int],
    seed: int,
) -> None:
    try:
        policy = RetryPolicy(
            max_attempts=attempts, base=base, factor=factor, cap=cap, window=window
        )
    except ValueError:
        policy = None
    clock = QtLikeClock()
    queue = JobQueue(clock=clock, rng=random.Random(seed), log=JobLog(tmp_path, stderr=False))
    try:
        ids = []
        for n, timeout in enumerate(timeouts):
            job = ScriptedJob(
                f"job {n}", target="/tmp/same.strata" if n % 2 else None,
                script=[eio()] * failures[n] + ["done"],
            )  # fmt: skip
            try:
                ids.append(queue.submit(job, policy=policy, timeout=timeout))
            except ValueError:
                assert timeout is not None
                assert not (math.isfinite(timeout) and 0 < timeout <= MAX_SECONDS)
        for _ in range(400):
            qtbot.waitUntil(lambda: not queue.has_threads(), timeout=5000)
            for record in queue.records():
                if record.state is JobState.RETRY_SCHEDULED:
                    assert clock.pending(), f"{record.name} waits for a retry with no timer"
            if queue.is_idle():
                break
            delay = clock.next_delay()
            assert delay is not None and math.isfinite(delay), "not idle and nothing due"
            clock.advance(delay)
        states = {queue.record(i).state for i in ids}
        assert states <= {JobState.SUCCEEDED, JobState.DEAD, JobState.CANCELLED}, states
    finally:
        report = queue.shutdown(timeout=2.0, cancel_wait=2.0)
    assert report.clean
