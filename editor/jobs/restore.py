"""Jobs read back from a store at start: what runs again, and what cannot be read.

`restore_rows` turns the store's rows into what the queue takes back: unfinished jobs
(queued, running or waiting for a retry when the last Strata died) to run again — built
at once from their envelopes, so they take their place in line now — and dead letters,
whose jobs are built only when retried (`Deferred`: a thousand dead letters cost no disk
reads at start). A row whose job cannot be built (an unknown type, a bad payload, a
snapshot gone or changed) becomes `Unreadable`, a job that fails at its first attempt
with `StoredJobUnreadable`: it ends in the dead-letter queue with the reason in plain
words, and nothing crashes. tests/jobs/test_restore.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from editor.jobs.job import InvalidInput, Job, JobContext, JobError
from editor.jobs.store import StoredJob

#: Builds a job from its envelope (`JobKinds.decode`); raises on bad data.
Decode = Callable[[dict[str, Any]], Job[Any]]


class StoredJobUnreadable(InvalidInput):
    """A stored job whose data does not describe a job any more (never retried)."""


def unreadable_text(row: StoredJob, why: str) -> str:
    name = f" ({row.name})" if row.name else ""
    return f"Stored job {row.id}{name} could not be read: {why}. Strata cannot run it; discard it."


class Unreadable(Job[None]):
    """A stored row that is not a job: fails, clearly, at its first attempt."""

    def __init__(self, row: StoredJob, why: str) -> None:
        super().__init__(row.name or f"Stored job {row.id}", row.kind or "unknown",
                         key=row.key)  # fmt: skip
        self.text = unreadable_text(row, why)

    def run(self, context: JobContext) -> None:
        raise StoredJobUnreadable(self.text)

    def describe(self, error: BaseException) -> str:
        return self.text if isinstance(error, StoredJobUnreadable) else ""


class Deferred(Job[Any]):
    """A stored dead letter's job, built from its envelope when it runs (worker thread)."""

    def __init__(self, row: StoredJob, decode: Decode) -> None:
        super().__init__(row.name or f"Stored job {row.id}", row.kind or "unknown",
                         key=row.key, target=row.target)  # fmt: skip
        self._row = row
        self._decode = decode
        self._job: Job[Any] | None = None

    def _built(self) -> Job[Any]:
        if self._job is None:
            row = self._row
            if row.envelope is None:
                raise StoredJobUnreadable(unreadable_text(row, row.problem or "no data"))
            try:
                job = self._decode(row.envelope)
            except Exception as exc:
                raise StoredJobUnreadable(unreadable_text(row, str(exc))) from None
            job.restored(row.id)
            self._job = job
        return self._job

    def run(self, context: JobContext) -> Any:
        return self._built().run(context)

    def retryable(self, error: BaseException) -> bool:
        return self._job.retryable(error) if self._job is not None else True

    def describe(self, error: BaseException) -> str:
        if isinstance(error, StoredJobUnreadable):
            return str(error)
        return self._job.describe(error) if self._job is not None else ""


@dataclass(slots=True)
class Restored:
    """What a store gave back at start."""

    #: (row, job) of jobs to run again, oldest first.
    unfinished: list[tuple[StoredJob, Job[Any]]] = field(default_factory=list)
    #: (row, job, error) of dead letters, oldest first.
    dead: list[tuple[StoredJob, Job[Any], JobError]] = field(default_factory=list)
    #: Unfinished rows another live Strata holds (left to it).
    held: list[StoredJob] = field(default_factory=list)


def build(row: StoredJob, decode: Decode) -> Job[Any]:
    """The job an unfinished row describes, or an `Unreadable` saying why not."""
    if row.problem or row.envelope is None:
        return Unreadable(row, row.problem or "no data was stored")
    try:
        job = decode(row.envelope)
    except Exception as exc:  # JobDataError, or a kind's bug: never a crash at start
        return Unreadable(row, str(exc) or type(exc).__name__)
    job.restored(row.id)
    job.key = row.key  # the key the store holds pending for it (coalescing agrees)
    return job


def restore_rows(
    unfinished: list[StoredJob],
    dead: list[StoredJob],
    decode: Decode,
    held: Callable[[StoredJob], bool],
) -> Restored:
    out = Restored()
    for row in unfinished:
        if held(row):
            out.held.append(row)
        else:
            out.unfinished.append((row, build(row, decode)))
    for row in dead:
        error = row.error or JobError(
            "StoredJobUnreadable", unreadable_text(row, row.problem or "no error was kept"),
            "", retryable=False,
        )  # fmt: skip
        job: Job[Any] = Deferred(row, decode) if not row.problem else Unreadable(row, row.problem)
        out.dead.append((row, job, error))
    return out
