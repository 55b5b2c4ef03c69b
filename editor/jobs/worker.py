"""One attempt of one job on a pool thread, wrapped so that nothing escapes unreported.

PySide6 prints and swallows an exception that escapes `QRunnable.run`, and the queue would
wait forever for an attempt that silently died. `Worker.run` therefore catches everything
(BaseException included: a job calling `sys.exit()` is a failed attempt, not a dead
thread), turns it into a `JobError` with its traceback, and always emits exactly one
`finished` signal, as its last statement.

Signals go through one `Relay` QObject per queue rather than one QObject per worker (as
superqt does): the pool deletes a runnable on its own thread when `run` returns, and a
per-worker QObject living on the GUI thread would then be destroyed from the wrong thread.
The relay lives as long as its queue, which stays alive while any of its workers runs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

from editor.jobs.clock import Clock
from editor.jobs.job import (
    Job,
    JobCancelled,
    JobContext,
    JobError,
    JobId,
    JobTimedOut,
    exception_name,
)
from editor.jobs.retry import RetryPolicy


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """What an attempt sends back to the GUI thread."""

    token: int
    """Identifies the attempt; an outcome whose attempt was abandoned is ignored."""
    result: object
    error: JobError | None
    """None on success or cancellation."""
    cancelled: bool
    duration: float
    """Seconds on the queue's clock."""


class Relay(QObject):
    """Carries worker events to the queue's thread (queued connections)."""

    #: An attempt ended: AttemptOutcome. Always the last thing a worker does.
    finished = Signal(object)
    #: An attempt has a new progress report waiting in its context: the attempt token.
    progress = Signal(int)


class Worker(QRunnable):
    """Runs one attempt. The queue keeps a reference until `finished` arrives."""

    def __init__(
        self,
        token: int,
        job_id: JobId,
        job: Job[Any],
        context: JobContext,
        policy: RetryPolicy,
        clock: Clock,
        relay: Relay,
        lane: str | None,
    ) -> None:
        super().__init__()
        # The pool deletes the C++ runnable after run() returns; PySide then drops its own
        # reference, and ours (in JobQueue._workers) keeps the Python side valid until the
        # queue has handled `finished`. With autoDelete off, PySide would never free it.
        self.setAutoDelete(True)
        self.token = token
        self.job_id = job_id
        self.job = job
        self.context = context
        self.policy = policy
        self.lane = lane
        self._clock = clock
        self._relay = relay

    def run(self) -> None:
        try:
            outcome = self._attempt()
        except BaseException as exc:  # only if describing the job's own failure failed
            outcome = AttemptOutcome(self.token, None, _last_resort(exc), False, 0.0)
        try:
            self._relay.finished.emit(outcome)
        except BaseException as exc:  # the queue is gone: nobody left to tell but stderr
            print(f"strata: job {self.job_id} finished unreported: {exc!r}", file=sys.stderr)

    def _attempt(self) -> AttemptOutcome:
        context = self.context
        clock = self._clock
        started = clock.now()
        error: JobError | None = None
        result: object = None
        cancelled = False
        try:
            context.check()
            result = self.job.run(context)
        except JobCancelled:
            cancelled = True
        except JobTimedOut as exc:
            error = JobError.from_exception(exc, timed_out=True, summary=self._describe(exc))
        except BaseException as exc:
            error = JobError.from_exception(
                exc,
                timed_out=context.timed_out(),
                retryable=self._retryable(exc),
                summary=self._describe(exc),
            )
        else:
            if context.timed_out():  # returned, but too late: the result is not trusted
                error = JobError(
                    type=exception_name(JobTimedOut()),
                    message=f"attempt {context.attempt} returned after its deadline; "
                    "its result was ignored",
                    traceback="",
                    timed_out=True,
                )
                result = None
        return AttemptOutcome(self.token, result, error, cancelled, clock.now() - started)

    def _retryable(self, exc: BaseException) -> bool:
        if not self.policy.is_retryable(exc):
            return False
        try:
            return bool(self.job.retryable(exc))
        except Exception:  # a broken hook must not hide the real error; attempts are bounded
            return True

    def _describe(self, exc: BaseException) -> str:
        try:
            return str(self.job.describe(exc))
        except Exception:  # the plain words are a courtesy; the error itself is kept
            return ""


def _last_resort(exc: BaseException) -> JobError:
    try:
        return JobError.from_exception(exc, retryable=False)
    except BaseException:
        return JobError(
            "BaseException", "the attempt failed and could not say why", "", False, False
        )
