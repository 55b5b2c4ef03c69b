"""Background jobs: a bounded queue with retries, timeouts and a dead-letter queue.

Knows nothing about documents (QtCore and the standard library only). `editor.io` builds
its save and export jobs on `Job`; the UI shows `JobRecord`s and `DeadLetter`s.

    queue = JobQueue(parent=window)
    queue.job_succeeded.connect(on_result)
    job_id = queue.submit(SaveJob(snapshot, path, revision))
    ...
    report = queue.shutdown(timeout=10)

Tests use `FakeClock` (clock.py) instead of sleeping, and `live_queues()` to catch queues
left running.
"""

from __future__ import annotations

from editor.jobs.clock import Clock, FakeClock, QtClock, TimerHandle
from editor.jobs.dlq import DeadLetter, DeadLetterQueue
from editor.jobs.job import (
    InvalidInput,
    Job,
    JobCancelled,
    JobContext,
    JobError,
    JobId,
    JobInterrupted,
    JobRecord,
    JobState,
    JobTimedOut,
    QueueClosed,
    QueueFull,
)
from editor.jobs.log import JobLog, Outcome, default_log_dir
from editor.jobs.queue import JobQueue, ShutdownReport, live_queues
from editor.jobs.retry import NON_RETRYABLE, RandomSource, RetryPolicy

__all__ = [
    "NON_RETRYABLE",
    "Clock",
    "DeadLetter",
    "DeadLetterQueue",
    "FakeClock",
    "InvalidInput",
    "Job",
    "JobCancelled",
    "JobContext",
    "JobError",
    "JobId",
    "JobInterrupted",
    "JobLog",
    "JobQueue",
    "JobRecord",
    "JobState",
    "JobTimedOut",
    "Outcome",
    "QtClock",
    "QueueClosed",
    "QueueFull",
    "RandomSource",
    "RetryPolicy",
    "ShutdownReport",
    "TimerHandle",
    "default_log_dir",
    "live_queues",
]
