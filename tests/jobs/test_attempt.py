"""The decorators around an attempt (worker side) and around its verdict (GUI side).

Each wrapper on its own, with a FakeClock and no queue or thread.
"""

from __future__ import annotations

import errno
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from editor.jobs import (
    FakeClock,
    InvalidInput,
    JobCancelled,
    JobContext,
    JobError,
    JobLog,
    RetryPolicy,
)
from editor.jobs.attempt import (
    Decision,
    Ran,
    Verdict,
    deadline,
    guarded,
    logged,
    retrying,
    settled,
    standard_attempt,
    timed,
)

from .fakes import ScriptedJob, ScriptedRandom


def context(clock: FakeClock, timeout: float = 10.0) -> JobContext:
    return JobContext(1, 1, 5, clock.now() + timeout, clock)


# ------------------------------------------------------------------ worker side
def test_guarded_turns_every_exception_into_a_recorded_failure() -> None:
    clock = FakeClock()
    policy = RetryPolicy()
    for raised, retryable in [
        (OSError(errno.EIO, "EIO"), True),
        (PermissionError(errno.EACCES, "no"), False),
        (InvalidInput("bad"), False),
        (SystemExit(3), False),  # a bug in a job, not bad luck
    ]:
        ran = guarded(policy)(ScriptedJob(script=[raised]), context(clock))
        assert ran.error is not None and ran.result is None
        assert (ran.error.type, ran.error.retryable) == (
            JobError.from_exception(raised).type,
            retryable,
        )
        assert ran.error.traceback


def test_guarded_asks_the_job_and_survives_its_broken_hooks() -> None:
    class Picky(ScriptedJob):
        def retryable(self, error: BaseException) -> bool:
            raise RuntimeError("broken hook")

        def describe(self, error: BaseException) -> str:
            raise RuntimeError("broken words")

    ran = guarded(RetryPolicy())(Picky(script=[OSError(errno.EIO, "EIO")]), context(FakeClock()))
    assert ran.error is not None and ran.error.retryable and ran.error.summary == ""


def test_guarded_reports_a_cancel_and_a_timeout_seen_by_the_job() -> None:
    clock = FakeClock()
    ctx = context(clock)
    ctx.interrupt(JobCancelled)
    assert guarded(RetryPolicy())(ScriptedJob(), ctx) == Ran(cancelled=True)
    late = context(clock, timeout=1.0)
    clock.advance(2.0)
    ran = guarded(RetryPolicy())(ScriptedJob(), late)  # check() before run raises
    assert ran.error is not None and ran.error.timed_out


def test_deadline_ignores_a_result_that_came_back_too_late() -> None:
    clock = FakeClock()

    def slow(job: object, ctx: JobContext) -> Ran:
        clock.advance(5.0)
        return Ran("written")

    ran = deadline(slow)(ScriptedJob(), context(clock, timeout=1.0))
    assert ran.result is None and ran.error is not None and ran.error.timed_out
    assert "returned after its deadline" in ran.error.message
    on_time = deadline(lambda job, ctx: Ran("written"))(ScriptedJob(), context(clock))
    assert on_time == Ran("written")


def test_timed_measures_on_the_queues_clock() -> None:
    clock = FakeClock()

    def work(job: object, ctx: JobContext) -> Ran:
        clock.advance(0.25)
        return Ran("done")

    assert timed(clock, work)(ScriptedJob(), context(clock)).duration == pytest.approx(0.25)


def test_the_standard_chain_composes_all_three() -> None:
    clock = FakeClock()
    ran = standard_attempt(RetryPolicy(), clock)(ScriptedJob(script=["ok"]), context(clock))
    assert ran == Ran("ok", None, False, 0.0)


# ------------------------------------------------------------------ GUI side
@dataclass
class Attempted:
    id: int = 1
    job: Any = field(default_factory=lambda: ScriptedJob("Save a", key="save:a", kind="save"))
    policy: RetryPolicy = field(default_factory=lambda: RetryPolicy(max_attempts=3))
    attempts: int = 1
    cancel_requested: bool = False
    first_failure_mono: float | None = None


EIO = JobError("OSError", "EIO", "tb", retryable=True)
FINAL = JobError("PermissionError", "no", "tb", retryable=False)


def test_settled_without_retries() -> None:
    assert settled(Attempted(), Ran("ok")).verdict is Verdict.SUCCEEDED
    assert settled(Attempted(), Ran(cancelled=True)).verdict is Verdict.CANCELLED
    assert settled(Attempted(cancel_requested=True), Ran(error=EIO)).verdict is Verdict.CANCELLED
    assert settled(Attempted(), Ran(error=EIO)).verdict is Verdict.DEAD


def test_retrying_retries_what_may_heal_while_the_budget_lasts() -> None:
    clock = FakeClock()
    closed = False
    decide = retrying(ScriptedRandom([0.5]), clock, lambda: closed, settled)
    assert decide(Attempted(), Ran(error=EIO)) == Decision(Verdict.RETRY, 0.25)
    assert decide(Attempted(), Ran(error=FINAL)).verdict is Verdict.DEAD
    assert decide(Attempted(attempts=3), Ran(error=EIO)).verdict is Verdict.DEAD
    assert decide(Attempted(), Ran("ok")).verdict is Verdict.SUCCEEDED
    windowed = Attempted(policy=RetryPolicy.within(1.0), first_failure_mono=clock.now())
    clock.advance(2.0)
    assert decide(windowed, Ran(error=EIO)).verdict is Verdict.DEAD  # the window is over
    closed = True
    assert decide(Attempted(), Ran(error=EIO)) == Decision(Verdict.CANCELLED, reason="shutdown")


def test_logged_writes_one_structured_line_per_verdict(
    caplog: pytest.LogCaptureFixture, tmp_path: Any
) -> None:
    clock = FakeClock()
    log = JobLog(tmp_path, stderr=False, file=False)
    verdicts = iter([Decision(Verdict.RETRY, 0.5), Decision(Verdict.DEAD)])
    decide = logged(log, clock, lambda entry, ran: next(verdicts))
    with caplog.at_level(logging.INFO, logger="editor.jobs"):
        decide(Attempted(), Ran(error=EIO, duration=0.012))
        decide(Attempted(attempts=2), Ran(error=EIO, duration=0.001))
    log.close()
    lines = [json.loads(r.getMessage()) for r in caplog.records]
    assert [(x["attempt"], x["outcome"], x.get("retry_in_ms")) for x in lines] == [
        (1, "retrying", 500.0),
        (2, "dead", None),
    ]
    assert lines[0]["duration_ms"] == pytest.approx(12.0)
    assert lines[0]["job"] == "Save a" and lines[0]["error"]["type"] == "OSError"
