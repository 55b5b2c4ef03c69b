"""Batches of jobs that succeed together or are undone together (sagas).

A batch is a handful of steps, each an ordinary job on the queue (with its own retries,
timeout and lane), plus two jobs the batch's spec makes when they are needed: a
*compensation* that undoes what the steps did, and a *commit* that tidies up after every
step succeeded. The runner (`Sagas`, GUI thread) only watches the queue's signals and
decides; it never touches a file. Knows nothing about documents: `editor.io.publish`
gives the Publish batch (save, then export beside it).

States (`BatchState`):

    RUNNING ──all steps succeeded──▶ SUCCEEDED   (then the commit job runs)
       │
       ├─ a step dead-lettered ──▶ COMPENSATING ──compensation succeeded──▶ FAILED
       └─ cancel ────────────────▶ COMPENSATING ──compensation succeeded──▶ CANCELLED
                                       │
                                       └─compensation dead-lettered──▶ STUCK

When a step fails for good, or the person cancels, the steps still waiting or running are
cancelled, and once every step has ended the compensation job is submitted: it runs after
the last step's thread has returned, so nothing the steps write can land after it. The
failing step's dead letter is dropped (the batch shows its error; Retry is the batch's);
the compensation's is kept, so a STUCK batch can be retried from the Dead letters tab as
well as from the batch (`retry` retries the compensation first). FAILED and CANCELLED
batches can be retried: `retry` runs the whole batch again, with fresh jobs from its spec.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from editor.jobs.clock import QtClock
from editor.jobs.job import (
    Job,
    JobContext,
    JobError,
    JobId,
    JobRecord,
    JobState,
    QueueClosed,
    QueueFull,
)
from editor.jobs.queue import JobQueue
from editor.jobs.retry import RetryPolicy

BatchId = int

#: Finished batches kept for views; the oldest beyond this are forgotten (`removed`).
MAX_FINISHED = 100


class BatchState(Enum):
    """Where a batch is; the Jobs panel's Publish tab shows it on the batch's row."""

    RUNNING = "running"
    """Its steps are queued, running or waiting for a retry."""
    COMPENSATING = "compensating"
    """A step failed or the batch was cancelled: what the finished steps did is being
    undone (or the steps still running are being stopped first)."""
    SUCCEEDED = "succeeded"
    """Every step succeeded. Final."""
    FAILED = "failed"
    """A step dead-lettered and what the others did was undone. Retry runs it again."""
    CANCELLED = "cancelled"
    """Cancelled (by the person, or its steps by a shutdown), and what the finished steps
    did was undone. Retry runs it again."""
    STUCK = "compensation failed"
    """Undoing failed for good: the backups are left in place (nothing is lost), and
    the compensation waits in the dead-letter queue. Retry tries the undo again."""

    @property
    def is_final(self) -> bool:
        return self in (BatchState.SUCCEEDED, BatchState.FAILED, BatchState.CANCELLED)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a run: its job and the retry policy to submit it with (None: the
    queue's default)."""

    job: Job[Any]
    policy: RetryPolicy | None = None


@dataclass(frozen=True, slots=True)
class BatchRun:
    """The jobs of one run of a batch (a retry is a new run: new jobs)."""

    steps: tuple[Step, ...]
    compensate: Callable[[], Job[Any]]
    """Makes the job that undoes what this run's steps did (idempotent: it may be
    retried, and it undoes only what a step really did)."""
    commit: Callable[[], Job[Any] | None] = lambda: None
    """Makes the job that tidies up after every step succeeded (None: nothing to do)."""
    token: str = ""
    """What names this run's traces (Publish: its backups' names)."""


class BatchSpec(Protocol):
    """What a batch is: its name and how to make the jobs of one run."""

    @property
    def name(self) -> str: ...

    def run(self) -> BatchRun: ...


@dataclass(frozen=True, slots=True)
class StepView:
    """One step as a view sees it."""

    job_id: JobId
    name: str
    state: JobState
    error: JobError | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """An immutable snapshot of a batch (what `Sagas.changed` carries)."""

    id: BatchId
    name: str
    state: BatchState
    steps: tuple[StepView, ...]
    failed_step: str = ""
    """The name of the step that failed for good ("" if none)."""
    error: JobError | None = None
    """That step's error, or the compensation's when STUCK."""
    compensation: JobId | None = None
    runs: int = 1
    interrupted: bool = False
    """Taken back from the job store at start: an earlier Strata stopped mid-batch."""


@dataclass(eq=False)
class _Batch:
    id: BatchId
    spec: BatchSpec
    run: BatchRun
    steps: list[JobId] = field(default_factory=list)
    views: dict[JobId, StepView] = field(default_factory=dict)
    state: BatchState = BatchState.RUNNING
    cancelled: bool = False
    failed_step: str = ""
    error: JobError | None = None
    compensation: JobId | None = None
    results: dict[JobId, object] = field(default_factory=dict)
    runs: int = 1
    interrupted: bool = False

    def record(self) -> BatchRecord:
        views = tuple(self.views[i] for i in self.steps if i in self.views)
        return BatchRecord(self.id, self.spec.name, self.state, views, self.failed_step,
                           self.error, self.compensation, self.runs, self.interrupted)  # fmt: skip


class Sagas(QObject):
    """Runs batches on a queue (GUI thread). See the module docstring."""

    #: A batch was started or changed: BatchRecord.
    changed = Signal(object)
    #: Every step of a batch succeeded: batch id, the steps' results in step order.
    succeeded = Signal(int, object)
    #: A batch's compensation succeeded (FAILED or CANCELLED now): batch id.
    compensated = Signal(int)
    #: A finished batch was forgotten (beyond `MAX_FINISHED`): batch id.
    removed = Signal(int)

    def __init__(
        self, queue: JobQueue, parent: QObject | None = None, *, max_finished: int = MAX_FINISHED
    ) -> None:
        super().__init__(parent)
        self.queue = queue
        self._max_finished = max_finished
        self._batches: dict[BatchId, _Batch] = {}
        self._owner: dict[JobId, _Batch] = {}
        self._next = 1
        self._dropping = False
        queue.state_changed.connect(self._on_state)
        queue.dead_letters_changed.connect(self._drop_dead_steps)

    # ================================================================== public
    def start(self, spec: BatchSpec) -> BatchId:
        """Submit a batch's steps; returns its id. QueueFull/QueueClosed if none could be
        queued (nothing ran then); if only some could, the batch compensates at once."""
        batch = _Batch(self._next, spec, spec.run())
        self._add(batch)
        self._submit_steps(batch)
        return batch.id

    def _add(self, batch: _Batch) -> None:
        self._next += 1
        self._batches[batch.id] = batch

    def _prune(self) -> None:
        """Forget the oldest finished batches beyond `max_finished`."""
        finished = [b for b in self._batches.values() if b.state.is_final]
        for old in finished[: max(0, len(finished) - self._max_finished)]:
            del self._batches[old.id]
            for job_id in [j for j, b in self._owner.items() if b is old]:
                del self._owner[job_id]
            self.removed.emit(old.id)

    def cancel(self, batch_id: BatchId) -> bool:
        """Cancel a running batch: its waiting steps end at once, running ones at their
        next check; then what finished is undone. False if it is not running."""
        batch = self._batches[batch_id]
        if batch.state is not BatchState.RUNNING:
            return False
        batch.cancelled = True
        self._settle(batch)
        return True

    def retry(self, batch_id: BatchId) -> bool:
        """Run a FAILED or CANCELLED batch again (new jobs from its spec), or retry a
        STUCK batch's compensation. False when the batch cannot be retried now."""
        batch = self._batches[batch_id]
        if batch.state is BatchState.STUCK and batch.compensation is not None:
            self.queue.retry_dead(batch.compensation)
            return True
        if batch.state not in (BatchState.FAILED, BatchState.CANCELLED):
            return False
        for job_id in batch.steps:
            self._owner.pop(job_id, None)
        batch.run, batch.runs = batch.spec.run(), batch.runs + 1
        batch.steps, batch.views, batch.results = [], {}, {}
        batch.cancelled, batch.failed_step, batch.error = False, "", None
        batch.compensation, batch.interrupted = None, False
        self._enter(batch, BatchState.RUNNING, emit=False)
        self._submit_steps(batch)
        return True

    def record(self, batch_id: BatchId) -> BatchRecord:
        return self._batches[batch_id].record()

    def records(self) -> tuple[BatchRecord, ...]:
        return tuple(b.record() for b in self._batches.values())

    def run_token(self, batch_id: BatchId) -> str:
        """The current run's token (`BatchRun.token`)."""
        return self._batches[batch_id].run.token

    def owns(self, job_id: JobId) -> bool:
        """True for a job that is a step, compensation or commit of a batch (the Queue
        tab leaves those to the batch's row)."""
        return job_id in self._owner

    def batch_of(self, job_id: JobId) -> BatchId | None:
        batch = self._owner.get(job_id)
        return batch.id if batch is not None else None

    # ================================================================== running
    def _submit_steps(self, batch: _Batch) -> None:
        for step in batch.run.steps:
            try:
                job_id = self.queue.submit(step.job, policy=step.policy)
            except (QueueFull, QueueClosed):
                if not batch.steps:
                    del self._batches[batch.id]
                    raise
                batch.cancelled = True
                break
            self._adopt(batch, job_id)
        self._emit(batch)
        self._settle(batch)

    def _adopt(self, batch: _Batch, job_id: JobId) -> None:
        """Make a queue job one of `batch`'s steps (at submit, or restored at start)."""
        batch.steps.append(job_id)
        self._owner[job_id] = batch
        record = self.queue.record(job_id)
        batch.views[job_id] = StepView(job_id, record.name, record.state)

    def _on_state(self, record: JobRecord) -> None:
        batch = self._owner.get(record.id)
        if batch is None:
            return
        if record.id == batch.compensation:
            self._compensation_changed(batch, record)
            return
        if record.id not in batch.views:  # its commit
            if record.state is JobState.CANCELLED:  # shutting down: tidy up now
                self._run_now(batch, batch.run.commit(), undo=False)
            return
        batch.views[record.id] = StepView(
            record.id, record.name, record.state, record.last_error, record.reason
        )
        if record.state is JobState.SUCCEEDED:
            batch.results[record.id] = record.result
        if record.state is JobState.DEAD and not batch.failed_step:
            batch.failed_step, batch.error = record.name, record.last_error
        self._settle(batch)
        self._emit(batch)

    def _drop_dead_steps(self) -> None:
        """A step's dead letter is the batch's business: its row holds the error and
        Retry is the batch's (a step retried alone would write outside its batch). The
        queue adds the letter after the DEAD state change, so it is dropped here."""
        if self._dropping:
            return
        self._dropping = True
        try:
            for letter in self.queue.dead_letters():
                batch = self._owner.get(letter.job_id)
                if batch is not None and letter.job_id in batch.views:
                    self.queue.discard_dead(letter.job_id)
        finally:
            self._dropping = False

    def _settle(self, batch: _Batch) -> None:
        """Decide what a running batch does next (called after every change)."""
        if batch.state is not BatchState.RUNNING:
            return
        states = [batch.views[i].state for i in batch.steps]
        failing = batch.cancelled or any(s in (JobState.DEAD, JobState.CANCELLED) for s in states)
        if failing:
            for job_id in batch.steps:
                if not batch.views[job_id].state.is_final:
                    self.queue.cancel(job_id, f"{batch.spec.name} stopped")
            if not _running(batch):  # a cancel's state change settled it meanwhile
                return
            states = [batch.views[i].state for i in batch.steps]
        if not all(s.is_final for s in states):
            return
        if not failing:
            self._enter(batch, BatchState.SUCCEEDED)
            self._submit_extra(batch, batch.run.commit())
            self.succeeded.emit(batch.id, tuple(batch.results.get(i) for i in batch.steps))
            return
        self._enter(batch, BatchState.COMPENSATING, emit=False)
        batch.compensation = self._submit_extra(batch, batch.run.compensate(), undo=True)
        self._emit(batch)

    def _submit_extra(
        self, batch: _Batch, job: Job[Any] | None, *, undo: bool = False
    ) -> JobId | None:
        if job is None:
            return None
        try:
            job_id = self.queue.submit(job)
        except QueueClosed:
            self._run_now(batch, job, undo=undo)
            return None
        except QueueFull as exc:
            batch.error = JobError.from_exception(exc, retryable=False)
            self._enter(batch, BatchState.STUCK, emit=False)
            return None
        self._owner[job_id] = batch
        return job_id

    def _run_now(self, batch: _Batch, job: Job[Any] | None, *, undo: bool) -> None:
        """The queue is shutting down (the window is closing, its steps were cancelled
        and their threads have returned): the undo cannot wait for a worker, or the
        files would stay half published with nothing left to undo them at the next
        start. So it runs here, once, on the closing GUI thread (a few file writes)."""
        if job is None:
            return
        context = JobContext(0, 1, 1, math.inf, QtClock())
        try:
            job.run(context)
        except Exception as exc:
            if undo:
                batch.error = JobError.from_exception(exc, summary=job.describe(exc))
                self._enter(batch, BatchState.STUCK, emit=False)
            return
        if undo:
            self._enter(batch, _undone(batch), emit=False)

    def _compensation_changed(self, batch: _Batch, record: JobRecord) -> None:
        if record.state is JobState.SUCCEEDED:
            if not batch.failed_step:
                batch.error = None
            self._enter(batch, _undone(batch))
            self.compensated.emit(batch.id)
        elif record.state is JobState.DEAD:
            batch.error = record.last_error
            self._enter(batch, BatchState.STUCK)
        elif record.state is JobState.CANCELLED:  # the queue is shutting down
            self._run_now(batch, batch.run.compensate(), undo=True)
            self._emit(batch)
        elif not record.state.is_final and batch.state is BatchState.STUCK:
            self._enter(batch, BatchState.COMPENSATING)  # retried from the dead letters

    def _enter(self, batch: _Batch, state: BatchState, *, emit: bool = True) -> None:
        """The one writer of a batch's state (as `JobMachine.move` is of a job's)."""
        batch.state = state
        if emit:
            self._emit(batch)
        if state.is_final:
            self._prune()

    def _emit(self, batch: _Batch) -> None:
        self.changed.emit(batch.record())

    # ================================================================== restore
    def restore(self, spec: BatchSpec, job_ids: Sequence[JobId]) -> BatchId:
        """Take back a batch an earlier run left unfinished (its steps restored by the
        queue under `job_ids`): it is never continued, only undone. See
        `editor.io.publish` for why that is the safe choice."""
        batch = _Batch(self._next, spec, spec.run(), interrupted=True, cancelled=True)
        self._add(batch)
        for job_id in job_ids:
            self._adopt(batch, job_id)
        self._emit(batch)
        self._settle(batch)
        return batch.id


def _running(batch: _Batch) -> bool:
    return batch.state is BatchState.RUNNING


def _undone(batch: _Batch) -> BatchState:
    """Where an undone batch ends: FAILED if a step failed for good, else CANCELLED (by
    the person, or its steps cancelled by a shutdown)."""
    return BatchState.FAILED if batch.failed_step else BatchState.CANCELLED
