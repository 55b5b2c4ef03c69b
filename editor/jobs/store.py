"""Where jobs are kept as data: the `JobStore` interface and an in-memory store.

A store keeps each job as its envelope (editor.jobs.kinds) plus every state change:
queued, running, retry scheduled (with when it may run again), succeeded, dead (with the
error), cancelled. It enforces the idempotency key: while a job with a key is unfinished,
a second `add` with that key returns the first job's id instead of adding a row (the
queue's coalescing of duplicates, made durable).

`MemoryJobStore` is for library use and tests. A SQLite store (the same per-user
database as the journal, its own tables) implements the same interface next; the queue
will write through it. tests/jobs/test_kinds.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol

from editor.jobs.job import JobError, JobId, JobState


@dataclass(frozen=True, slots=True)
class StoredJob:
    """One job as a store holds it."""

    id: JobId
    envelope: dict[str, Any]
    """`{"type", "payload"}`: plain JSON."""
    key: str
    """The idempotency key (kind + target + content hash)."""
    state: JobState
    attempts: int = 0
    run_after: float | None = None
    """RETRY_SCHEDULED: wall time from which the next attempt may run."""
    error: JobError | None = None
    """The last attempt's error (DEAD: why it died)."""
    updated_at: float = 0.0


class JobStore(Protocol):
    """What the queue needs of a place that keeps jobs."""

    def add(self, envelope: dict[str, Any], key: str, now: float) -> tuple[JobId, bool]:
        """Keep a new queued job; (its id, True). If an unfinished job has `key`:
        (that job's id, False) and nothing is added."""

    def update(
        self,
        job_id: JobId,
        state: JobState,
        now: float,
        *,
        attempts: int | None = None,
        run_after: float | None = None,
        error: JobError | None = None,
    ) -> StoredJob:
        """Record a state change (KeyError for an unknown id)."""

    def get(self, job_id: JobId) -> StoredJob: ...

    def unfinished(self) -> list[StoredJob]:
        """Queued, running or waiting for a retry, oldest first (to run again at start)."""

    def dead(self) -> list[StoredJob]:
        """Dead letters, oldest first."""

    def prune(self, keep_finished: int, keep_dead: int) -> list[JobId]:
        """Drop the oldest succeeded/cancelled beyond `keep_finished` and dead letters
        beyond `keep_dead`; return the ids dropped (the caller logs them)."""


class MemoryJobStore:
    """A `JobStore` in a dict: nothing survives the process."""

    def __init__(self) -> None:
        self._rows: dict[JobId, StoredJob] = {}
        self._unfinished_keys: dict[str, JobId] = {}
        self._next = 1

    def add(self, envelope: dict[str, Any], key: str, now: float) -> tuple[JobId, bool]:
        existing = self._unfinished_keys.get(key)
        if existing is not None:
            return existing, False
        job_id = self._next
        self._next += 1
        self._rows[job_id] = StoredJob(job_id, envelope, key, JobState.QUEUED, updated_at=now)
        self._unfinished_keys[key] = job_id
        return job_id, True

    def update(
        self,
        job_id: JobId,
        state: JobState,
        now: float,
        *,
        attempts: int | None = None,
        run_after: float | None = None,
        error: JobError | None = None,
    ) -> StoredJob:
        row = self._rows[job_id]
        if not state.is_final and row.state.is_final:  # a dead letter retried
            other = self._unfinished_keys.get(row.key)
            if other is not None and other != job_id:
                raise ValueError(f"job {other} with the same key is already pending")
        row = replace(
            row,
            state=state,
            attempts=row.attempts if attempts is None else attempts,
            run_after=run_after if state is JobState.RETRY_SCHEDULED else None,
            error=error if error is not None else row.error,
            updated_at=now,
        )
        self._rows[job_id] = row
        if state.is_final:
            if self._unfinished_keys.get(row.key) == job_id:
                del self._unfinished_keys[row.key]
        else:
            self._unfinished_keys[row.key] = job_id
        return row

    def get(self, job_id: JobId) -> StoredJob:
        return self._rows[job_id]

    def unfinished(self) -> list[StoredJob]:
        return [r for r in self._rows.values() if not r.state.is_final]

    def dead(self) -> list[StoredJob]:
        return [r for r in self._rows.values() if r.state is JobState.DEAD]

    def prune(self, keep_finished: int, keep_dead: int) -> list[JobId]:
        finished = [
            r.id for r in self._rows.values()
            if r.state in (JobState.SUCCEEDED, JobState.CANCELLED)
        ]  # fmt: skip
        dead = [r.id for r in self._rows.values() if r.state is JobState.DEAD]
        dropped = finished[: max(0, len(finished) - keep_finished)]
        dropped += dead[: max(0, len(dead) - keep_dead)]
        for job_id in dropped:
            del self._rows[job_id]
        return sorted(dropped)
