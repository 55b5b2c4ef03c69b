"""One attempt, and the decisions about it, built from small wrappers (decorators).

The seed's checklist: cross-cutting behaviour wraps a job from the outside instead of
living in the queue or in each job. Two chains, one per thread:

On the worker thread, an `Attempt` turns a context into a `Ran` (result or error):

    attempt = timed(clock, deadline(guarded(policy)))     # then attempt(job, context)

- `guarded`: runs the job; every exception, BaseException included, becomes a `JobError`
  with its traceback, whether it may be retried (the policy's permanent errors, then the
  job's own `retryable` hook) and the job's plain words (`describe`).
- `deadline`: a result returned after the deadline is not trusted: a timed-out error.
- `timed`: the attempt's duration on the queue's clock.

On the GUI thread, a `Decide` turns an ended attempt into a `Verdict`:

    decide = logged(log, clock, retrying(rng, clock, closed, settled))

- `settled`: succeeded, cancelled, or dead: what an attempt means without retries.
- `retrying`: a retryable error with budget left becomes "retry after a jittered delay"
  (or "cancelled: shutdown" once the queue is closed).
- `logged`: one structured log line per attempt, with the verdict's outcome.

The queue only applies verdicts (editor.jobs.machine). Each wrapper has its own tests
(tests/jobs/test_attempt.py); a new concern (metrics, tracing) is one more wrapper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from editor.jobs.clock import Clock
from editor.jobs.job import (
    Job,
    JobCancelled,
    JobContext,
    JobError,
    JobTimedOut,
    exception_name,
)
from editor.jobs.log import JobLog, Outcome
from editor.jobs.retry import RandomSource, RetryPolicy


# ================================================================= worker thread
@dataclass(frozen=True, slots=True)
class Ran:
    """How one attempt ended, as the worker reports it."""

    result: object = None
    error: JobError | None = None
    """None on success or cancellation."""
    cancelled: bool = False
    duration: float = 0.0
    """Seconds on the queue's clock."""
    reason: str | None = None
    """Why it was cancelled, when the worker knows better than "cancelled"."""


Attempt = Callable[[Job[Any], JobContext], Ran]
"""One attempt of a job. A chain is built once per retry policy, not per job: a few
closures per job made the GUI thread's garbage collector run measurably more often."""


def _retryable(job: Job[Any], policy: RetryPolicy, exc: BaseException) -> bool:
    if not policy.is_retryable(exc):
        return False
    try:
        return bool(job.retryable(exc))
    except Exception:  # a broken hook must not hide the real error; attempts are bounded
        return True


def _describe(job: Job[Any], exc: BaseException) -> str:
    try:
        return str(job.describe(exc))
    except Exception:  # the plain words are a courtesy; the error itself is kept
        return ""


def guarded(policy: RetryPolicy) -> Attempt:
    """Run the job once; whatever it raises becomes a recorded failure, never an escape."""

    def attempt(job: Job[Any], context: JobContext) -> Ran:
        try:
            context.check()
            return Ran(job.run(context))
        except JobCancelled:
            return Ran(cancelled=True)
        except JobTimedOut as exc:
            return Ran(
                error=JobError.from_exception(exc, timed_out=True, summary=_describe(job, exc))
            )
        except BaseException as exc:
            error = JobError.from_exception(
                exc,
                timed_out=context.timed_out(),
                retryable=_retryable(job, policy, exc),
                summary=_describe(job, exc),
            )
            return Ran(error=error)

    return attempt


def deadline(inner: Attempt) -> Attempt:
    """A result that comes back after the deadline is ignored: the attempt timed out."""

    def attempt(job: Job[Any], context: JobContext) -> Ran:
        ran = inner(job, context)
        if ran.error is None and not ran.cancelled and context.timed_out():
            late = f"attempt {context.attempt} returned after its deadline; its result was ignored"
            return Ran(None, timeout_error(late), False, ran.duration)
        return ran

    return attempt


def timeout_error(message: str) -> JobError:
    """A timeout no exception reported (a late result, the watchdog): no traceback."""
    return JobError(exception_name(JobTimedOut()), message, "", timed_out=True)


def timed(clock: Clock, inner: Attempt) -> Attempt:
    """Measure the attempt on the queue's clock."""

    def attempt(job: Job[Any], context: JobContext) -> Ran:
        started = clock.now()
        ran = inner(job, context)
        return Ran(ran.result, ran.error, ran.cancelled, clock.now() - started)

    return attempt


def standard_attempt(policy: RetryPolicy, clock: Clock) -> Attempt:
    """The chain every queued attempt under `policy` runs."""
    return timed(clock, deadline(guarded(policy)))


# ================================================================= GUI thread
class Verdict(Enum):
    """What the queue does with a job whose attempt ended."""

    SUCCEEDED = "succeeded"
    CANCELLED = "cancelled"
    RETRY = "retry"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    delay: float = 0.0
    """RETRY: seconds until the next attempt is queued."""
    reason: str = ""
    """CANCELLED: why, when not the job's own cancel ("shutdown")."""


class Attempted(Protocol):
    """What the deciders read of a job after an attempt (the queue's entry)."""

    @property
    def id(self) -> int: ...
    @property
    def job(self) -> Job[Any]: ...
    @property
    def policy(self) -> RetryPolicy: ...
    @property
    def attempts(self) -> int: ...
    @property
    def cancel_requested(self) -> bool: ...
    @property
    def first_failure_mono(self) -> float | None: ...


Decide = Callable[[Attempted, Ran], Decision]


_SUCCEEDED = Decision(Verdict.SUCCEEDED)
_CANCELLED = Decision(Verdict.CANCELLED)
_DEAD = Decision(Verdict.DEAD)


def settled(entry: Attempted, ran: Ran) -> Decision:
    """Without retries: success, a cancel (asked for or seen by the job), or dead."""
    if ran.error is None and not ran.cancelled:
        return _SUCCEEDED
    if ran.reason is not None:
        return Decision(Verdict.CANCELLED, reason=ran.reason)
    if ran.cancelled or entry.cancel_requested:
        return _CANCELLED
    return _DEAD


def retrying(rng: RandomSource, clock: Clock, closed: Callable[[], bool], inner: Decide) -> Decide:
    """A retryable failure with budget left is tried again after a jittered delay."""

    def decide(entry: Attempted, ran: Ran) -> Decision:
        decision = inner(entry, ran)
        error = ran.error
        if decision.verdict is not Verdict.DEAD or error is None or not error.retryable:
            return decision
        first = entry.first_failure_mono
        elapsed = clock.now() - first if first is not None else 0.0
        if not entry.policy.may_retry(entry.attempts, elapsed):
            return decision
        if closed():
            return Decision(Verdict.CANCELLED, reason="shutdown")
        return Decision(Verdict.RETRY, entry.policy.delay(entry.attempts, rng, elapsed))

    return decide


def logged(log: JobLog, clock: Clock, inner: Decide) -> Decide:
    """One structured log line per attempt: job, attempt, duration, outcome, error."""

    def decide(entry: Attempted, ran: Ran) -> Decision:
        decision = inner(entry, ran)
        verdict = decision.verdict
        if verdict is Verdict.SUCCEEDED:
            outcome = Outcome.SUCCEEDED
        elif verdict is Verdict.RETRY:
            timed_out = ran.error is not None and ran.error.timed_out
            outcome = Outcome.TIMED_OUT if timed_out else Outcome.RETRYING
        elif verdict is Verdict.DEAD:
            outcome = Outcome.DEAD
        else:
            outcome = Outcome.CANCELLED
        job = entry.job
        log.attempt(
            ts=clock.wall_time(),
            job_id=entry.id,
            name=job.name,
            kind=job.kind,
            key=job.key,
            attempt=entry.attempts,
            max_attempts=entry.policy.max_attempts,
            duration_ms=ran.duration * 1000.0,
            outcome=outcome,
            error=ran.error,
            retry_in=decision.delay if verdict is Verdict.RETRY else None,
        )
        return decision

    return decide
