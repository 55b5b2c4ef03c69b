"""Where jobs are kept as data: the `JobStore` interface and an in-memory store.

A store keeps each job as its envelope (editor.jobs.kinds) plus every state change:
queued, running (with a lease: the owning process and until when it holds the job),
retry scheduled (with when it may run again), succeeded, dead (with the error),
cancelled. It enforces the idempotency key: while a job with a key is unfinished, a
second `add` with that key returns the first job's id instead of adding a row (the
queue's coalescing of duplicates, made durable).

The queue writes through a store on the GUI thread, so a store's writes must be cheap
there: `MemoryJobStore` keeps rows in a dict; `editor.jobs.sqlstore.SqliteJobStore`
hands each write to the journal database's writer thread (no I/O, no fsync on the GUI
thread). An envelope may be given as a function that makes it (`Envelope`): a save's
envelope stores its snapshot on disk, so the SQLite store calls it on the writer thread.

tests/jobs/test_kinds.py (memory), tests/jobs/test_sqlstore.py (SQLite, both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from editor.jobs.job import JobError, JobId, JobState

#: An envelope, or a function that makes it (called where the store writes, off the GUI
#: thread for the SQLite store).
Envelope = dict[str, Any] | Callable[[], dict[str, Any]]

UNFINISHED = (JobState.QUEUED, JobState.RUNNING, JobState.RETRY_SCHEDULED)
FINISHED = (JobState.SUCCEEDED, JobState.CANCELLED)

#: What a store keeps by default (issue 12: the latest 1,000 finished, 1,000 dead).
KEEP_FINISHED = 1000
KEEP_DEAD = 1000


@dataclass(frozen=True, slots=True)
class StoredJob:
    """One job as a store holds it."""

    id: JobId
    envelope: dict[str, Any] | None
    """`{"type", "payload"}`: plain JSON (None if it could not be made or read)."""
    key: str
    """The idempotency key (kind + target + content hash)."""
    state: JobState
    attempts: int = 0
    run_after: float | None = None
    """RETRY_SCHEDULED: wall time from which the next attempt may run."""
    error: JobError | None = None
    """The last attempt's error (DEAD: why it died)."""
    updated_at: float = 0.0
    name: str = ""
    kind: str = ""
    target: str | None = None
    owner: str | None = None
    """RUNNING: the process holding the lease (`host:pid:start`)."""
    lease_until: float | None = None
    """RUNNING: wall time until which the owner holds it (renewed while it runs)."""
    created_at: float = 0.0
    problem: str = ""
    """Why the row could not be read back as it was written ("" when it could)."""


class RowWritten(Protocol):
    """What a first attempt waits for before it runs (`JobStore.written`): a
    threading.Event, or a claim that may turn out `lost` (a retried dead letter)."""

    def wait(self, timeout: float | None = None) -> bool: ...


class JobStore(Protocol):
    """What the queue needs of a place that keeps jobs."""

    def add(
        self,
        envelope: Envelope,
        key: str,
        now: float,
        *,
        name: str = "",
        kind: str = "",
        target: str | None = None,
    ) -> tuple[JobId, bool]:
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
        owner: str | None = None,
        lease_until: float | None = None,
    ) -> object:
        """Record a state change (the memory store: KeyError for an unknown id)."""

    def renew(self, owner: str, until: float) -> None:
        """Extend the lease of every job `owner` is running to `until`."""

    def remove(self, job_ids: Iterable[JobId]) -> None:
        """Forget jobs (dead letters discarded or evicted)."""

    def get(self, job_id: JobId) -> StoredJob: ...

    def unfinished(self) -> list[StoredJob]:
        """Queued, running or waiting for a retry, oldest first (to run again at start)."""

    def dead(self) -> list[StoredJob]:
        """Dead letters, oldest first."""

    def finished(self, limit: int = KEEP_FINISHED) -> list[StoredJob]:
        """The latest succeeded or cancelled jobs, oldest first."""

    def prune(self, keep_finished: int, keep_dead: int) -> list[JobId]:
        """Drop the oldest succeeded/cancelled beyond `keep_finished` and dead letters
        beyond `keep_dead`; return the ids dropped (the caller logs them)."""

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every write so far is stored (True when it is)."""

    def written(self, job_id: JobId) -> RowWritten | None:
        """An event set when a just-added job's row is stored, or None (stored already,
        or a store that stores at once). Asked once per job, before its first attempt."""

    def claim(self, job_id: JobId, now: float, owner: str) -> None:
        """A dead letter is being retried: take its row back to queued only if it is still
        dead. If it is not (another process retried or discarded it first), the job is
        `lost` to this process: it does not run here and its row is left alone."""

    def lost(self, job_id: JobId) -> bool:
        """Whether a claim of `job_id` failed (see `claim`)."""


class MemoryJobStore:
    """A `JobStore` in a dict: nothing survives the process."""

    def __init__(self) -> None:
        self._rows: dict[JobId, StoredJob] = {}
        self._unfinished_keys: dict[str, JobId] = {}
        self._lost: set[JobId] = set()
        self._next = 1

    def add(
        self,
        envelope: Envelope,
        key: str,
        now: float,
        *,
        name: str = "",
        kind: str = "",
        target: str | None = None,
    ) -> tuple[JobId, bool]:
        existing = self._unfinished_keys.get(key)
        if existing is not None:
            return existing, False
        job_id = self._next
        self._next += 1
        made = envelope() if callable(envelope) else envelope
        self._rows[job_id] = StoredJob(
            job_id, made, key, JobState.QUEUED, updated_at=now, name=name, kind=kind,
            target=target, created_at=now,
        )  # fmt: skip
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
        owner: str | None = None,
        lease_until: float | None = None,
    ) -> StoredJob:
        row = self._rows[job_id]
        if not state.is_final and row.state.is_final:  # a dead letter retried
            other = self._unfinished_keys.get(row.key)
            if other is not None and other != job_id:
                raise ValueError(f"job {other} with the same key is already pending")
        running = state is JobState.RUNNING
        row = replace(
            row,
            state=state,
            attempts=row.attempts if attempts is None else attempts,
            run_after=run_after if state is JobState.RETRY_SCHEDULED else None,
            error=error if error is not None else row.error,
            updated_at=now,
            owner=owner if running else None,
            lease_until=lease_until if running else None,
        )
        self._rows[job_id] = row
        if state.is_final:
            if self._unfinished_keys.get(row.key) == job_id:
                del self._unfinished_keys[row.key]
        else:
            self._unfinished_keys[row.key] = job_id
        return row

    def renew(self, owner: str, until: float) -> None:
        for job_id, row in self._rows.items():
            if row.state is JobState.RUNNING and row.owner == owner:
                self._rows[job_id] = replace(row, lease_until=until)

    def remove(self, job_ids: Iterable[JobId]) -> None:
        for job_id in job_ids:
            row = self._rows.pop(job_id, None)
            if row is not None and self._unfinished_keys.get(row.key) == job_id:
                del self._unfinished_keys[row.key]

    def get(self, job_id: JobId) -> StoredJob:
        return self._rows[job_id]

    def unfinished(self) -> list[StoredJob]:
        return [r for r in self._rows.values() if not r.state.is_final]

    def dead(self) -> list[StoredJob]:
        return [r for r in self._rows.values() if r.state is JobState.DEAD]

    def finished(self, limit: int = KEEP_FINISHED) -> list[StoredJob]:
        rows = [r for r in self._rows.values() if r.state in FINISHED]
        return rows[-limit:] if limit > 0 else []

    def prune(self, keep_finished: int, keep_dead: int) -> list[JobId]:
        finished = [r.id for r in self._rows.values() if r.state in FINISHED]
        dead = [r.id for r in self._rows.values() if r.state is JobState.DEAD]
        dropped = finished[: max(0, len(finished) - keep_finished)]
        dropped += dead[: max(0, len(dead) - keep_dead)]
        for job_id in dropped:
            del self._rows[job_id]
        return sorted(dropped)

    def flush(self, timeout: float = 10.0) -> bool:
        return True

    def written(self, job_id: JobId) -> RowWritten | None:
        return None

    def claim(self, job_id: JobId, now: float, owner: str) -> None:
        row = self._rows.get(job_id)
        if row is None or row.state is not JobState.DEAD:
            self._lost.add(job_id)
            return
        self._lost.discard(job_id)
        self.update(job_id, JobState.QUEUED, now, owner=owner)

    def lost(self, job_id: JobId) -> bool:
        return job_id in self._lost
