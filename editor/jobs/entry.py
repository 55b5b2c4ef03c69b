"""A job's mutable state inside the queue (GUI thread only). Views get `JobRecord`s.

`state` is written in one place, the queue's transition function (`JobMachine.move`); the
other fields are the current attempt's and the budget's bookkeeping.
"""

from __future__ import annotations

from typing import Any

from editor.jobs.job import Job, JobContext, JobError, JobId, JobRecord, JobState
from editor.jobs.retry import RetryPolicy


class Entry:
    """One job the queue knows, finished or not."""

    __slots__ = (
        "attempt_started",
        "attempts",
        "cancel_requested",
        "claim",
        "coalesce_key",
        "context",
        "enqueued_at",
        "finished_at",
        "first_failure_at",
        "first_failure_mono",
        "fresh",
        "id",
        "interrupted",
        "job",
        "laned",
        "last_error",
        "last_failure_at",
        "next_attempt_at",
        "policy",
        "progress",
        "progress_message",
        "reason",
        "result",
        "seq",
        "started_at",
        "state",
        "target",
        "timeout",
        "token",
    )

    def __init__(
        self, job_id: JobId, job: Job[Any], seq: int, policy: RetryPolicy, timeout: float
    ) -> None:
        self.id = job_id
        self.job = job
        self.seq = seq
        self.policy = policy
        self.timeout = timeout
        #: The job's target and coalescing key, read once (what Lanes reads).
        self.target = job.target
        self.coalesce_key = job.coalesce_key
        #: Whether the lanes need to know about it at all (the queue skips them if not).
        self.laned = self.target is not None or self.coalesce_key is not None
        #: Born queued; from here on only `JobMachine.move` writes it.
        self.state = JobState.QUEUED
        self.enqueued_at = 0.0
        #: Its store row was just added as queued (the first move need not write it).
        self.fresh = False
        #: A dead letter being retried: its next move claims its store row (persist.py).
        self.claim = False
        #: Read back from the store at start (shown as "Interrupted").
        self.interrupted = False
        self.reset()

    def reset(self) -> None:
        """A fresh attempt budget (new job, or retried from the dead-letter queue)."""
        self.attempts = 0
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.next_attempt_at: float | None = None
        self.last_error: JobError | None = None
        self.first_failure_at: float | None = None
        self.first_failure_mono: float | None = None  # clock.now(), for a retry window
        self.last_failure_at: float | None = None
        self.progress = 0.0
        self.progress_message = ""
        self.result: object = None
        self.cancel_requested = False
        self.reason = ""
        self.token: int | None = None  # the current attempt's; None when none is current
        self.context: JobContext | None = None
        self.attempt_started = 0.0

    def failed(self, error: JobError, wall: float, now: float) -> None:
        """Record a failed attempt's error and when the budget's failures started."""
        self.last_error = error
        if self.first_failure_at is None:
            self.first_failure_at = wall
            self.first_failure_mono = now
        self.last_failure_at = wall

    def record(self) -> JobRecord:
        job = self.job
        return JobRecord(
            self.id,
            job.name,
            job.kind,
            job.key,
            job.target,
            self.state,
            self.attempts,
            self.policy.max_attempts,
            self.timeout,
            self.enqueued_at,
            self.started_at,
            self.finished_at,
            self.next_attempt_at,
            self.last_error,
            self.progress,
            self.progress_message,
            self.result,
            self.cancel_requested,
            self.reason,
            self.interrupted,
        )
