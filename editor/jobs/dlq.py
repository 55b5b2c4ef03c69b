"""The dead-letter queue: jobs that failed for good, kept so a person can retry them.

A plain bounded container; `JobQueue` owns one, emits the signals and writes the logs. It
never drops silently: when it is full, `add` evicts the oldest entry and hands it back so
the queue can warn about it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from editor.jobs.job import Job, JobError, JobId
from editor.jobs.retry import RetryPolicy


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A job that used up its attempts or hit a non-retryable error."""

    job_id: JobId
    name: str
    kind: str
    key: str
    target: str | None
    error: JobError
    """The last attempt's error: type, message, traceback, whether it timed out."""
    attempts: int
    """Attempts made in the budget that ended here."""
    first_failure_at: float
    """Wall time of the first failed attempt of that budget."""
    last_failure_at: float
    """Wall time of the last failed attempt (when the job died)."""
    job: Job[Any]
    """The original job, so it can be retried as it was."""
    policy: RetryPolicy
    timeout: float


class DeadLetterQueue:
    """Dead letters by job id, oldest first, holding at most `capacity` entries."""

    def __init__(self, capacity: int = 500) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        self._entries: OrderedDict[JobId, DeadLetter] = OrderedDict()

    def add(self, entry: DeadLetter) -> DeadLetter | None:
        """Add (or replace) an entry; return the oldest one if it had to be evicted."""
        self._entries.pop(entry.job_id, None)
        self._entries[entry.job_id] = entry
        if len(self._entries) > self.capacity:
            return self._entries.popitem(last=False)[1]
        return None

    def get(self, job_id: JobId) -> DeadLetter:
        """The entry for `job_id` (KeyError if there is none)."""
        return self._entries[job_id]

    def pop(self, job_id: JobId) -> DeadLetter:
        """Remove and return the entry for `job_id` (KeyError if there is none)."""
        return self._entries.pop(job_id)

    def clear(self) -> tuple[DeadLetter, ...]:
        """Remove every entry; return them, oldest first."""
        entries = tuple(self._entries.values())
        self._entries.clear()
        return entries

    def entries(self) -> tuple[DeadLetter, ...]:
        """Every entry, oldest first."""
        return tuple(self._entries.values())

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)
