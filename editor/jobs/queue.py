"""The background job queue: bounded, retrying, coalescing, with a dead-letter queue.

Threading: a `JobQueue` lives on the GUI thread and only that thread changes its state.
Each attempt runs as a `Worker` (QRunnable) on the queue's own QThreadPool; the worker
reports back through queued signals, so every state change, progress report and result
arrives on the GUI thread. Backoff waits and the timeout watchdog are timers on the GUI
thread (the injected clock), never a sleeping worker.

The queue is assembled from parts, each with one job and its own tests:

    lanes.py     one running write per target, in submission order; coalescing
    schedule.py  jobs waiting for a retry, one clock timer each
    watchdog.py  one timer that gives up on attempts that never check their deadline
    finished.py  the bounded log of finished jobs
    dlq.py       the bounded dead-letter queue
    attempt.py   the decorators around an attempt (catch-all, deadline, timing) and
                 around its verdict (retry decision, structured log line)
    waiting.py   event-loop waits with a timeout on the injected clock
    entry.py     a job's mutable state
    machine.py   the state machine: `JobMachine.move` is the one function that changes
                 a job's state and keeps every part above in step
    shutdown.py  the shutdown steps and their report

What is left here is the public face: the signals, `submit` and `retry_dead` (which share
one enqueue path, `JobMachine.enqueue`), cancel, the dead-letter and view calls, waits and
shutdown.

Ordering and exclusion, coalescing and idempotency are described in lanes.py and in
docs/architecture.md: jobs on one path start in submission order, one at a time, and a
path stays held until its attempt's thread has returned; a new job with the same
`coalesce_key` replaces a queued one that has not started ("superseded by job N"); a job
whose idempotency key is already pending is not added again (`submit` returns that id).
"""

from __future__ import annotations

import os
import random
import socket
import threading
import weakref
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal

from editor.jobs.attempt import logged, retrying, settled
from editor.jobs.clock import Clock, QtClock
from editor.jobs.deadletters import DeadLetterOps
from editor.jobs.job import Job, JobId, JobRecord, QueueClosed, QueueFull
from editor.jobs.log import JobLog
from editor.jobs.machine import JobMachine
from editor.jobs.persist import RestoreReport, StoreLink, no_envelope, restore
from editor.jobs.retry import DEFAULT_POLICY, RandomSource, RetryPolicy, check_seconds
from editor.jobs.shutdown import ShutdownReport, shut_down, wait_again
from editor.jobs.store import JobStore
from editor.jobs.waiting import Waits
from editor.jobs.worker import AttemptOutcome, Relay

__all__ = ["Codec", "JobQueue", "ShutdownReport", "live_queues"]


class Codec(Protocol):
    """Jobs to envelopes and back (`editor.jobs.kinds.JobKinds`)."""

    def envelope(self, job: Job[Any]) -> dict[str, Any]: ...

    def decode(self, envelope: object) -> Job[Any]: ...


def _cannot_decode(envelope: object) -> Job[Any]:
    raise ValueError("no job kinds were given to read stored jobs")


# Queues not shut down (weak: a forgotten idle queue may still be collected), and queues
# with worker threads still running (strong: such a queue must stay alive to receive its
# workers' signals, and a leak check must see it even if nothing else refers to it).
_LIVE: weakref.WeakSet[JobQueue] = weakref.WeakSet()
_BUSY: set[JobQueue] = set()


def live_queues() -> list[JobQueue]:
    """Queues that have not been shut down, or still have worker threads running.

    A test that leaves one behind leaked threads or work; tests/jobs/conftest.py fails
    such a test. (Shut down and idle queues are not listed.)
    """
    return [q for q in {*_LIVE, *_BUSY} if not q.is_shut_down or q.has_threads()]


class JobQueue(DeadLetterOps, QObject):
    """Runs jobs on a private thread pool with retries, timeouts and a dead-letter queue.

    All methods must be called on the thread that created the queue (the GUI thread), and
    all signals are emitted there.
    """

    #: A job was accepted (or revived from the dead-letter queue after its record had been
    #: dropped): JobRecord.
    job_added = Signal(object)
    #: A job's state changed, or a cancel was requested: the new JobRecord.
    state_changed = Signal(object)
    #: A running job reported progress: job id, fraction 0..1, message.
    progress_changed = Signal(int, float, str)
    #: A finished record was dropped (beyond `max_finished`, or `clear_finished()`): job id.
    job_removed = Signal(int)
    #: A job succeeded: job id, what `run` returned. Emitted right after `state_changed`.
    job_succeeded = Signal(int, object)
    #: The dead-letter queue changed; read `dead_letters()`.
    dead_letters_changed = Signal()
    #: The dead-letter queue was full and dropped its oldest entry: DeadLetter.
    dead_letter_evicted = Signal(object)
    #: Nothing is queued, running or waiting for a retry, and no worker thread is busy.
    idle = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        timeout: float = 120.0,
        max_queued: int = 64,
        max_finished: int = 100,
        dlq_capacity: int = 500,
        clock: Clock | None = None,
        rng: RandomSource | None = None,
        pool: QThreadPool | None = None,
        max_workers: int | None = None,
        watchdog_grace: float = 1.0,
        log: JobLog | None = None,
        store: JobStore | None = None,
        kinds: Codec | None = None,
    ) -> None:
        """
        `policy`, `timeout`: defaults for jobs submitted without their own.
        `max_queued`: jobs waiting (queued or for a retry) before `submit` raises QueueFull.
        `max_finished`: finished records kept for views; older ones are removed.
        `clock`, `rng`, `pool`: seams for tests (FakeClock, a seeded Random, a pool).
        `max_workers`: concurrent attempts (abandoned ones included); default: the
            pool's maxThreadCount(). The queue's own pool is given that many threads.
            An injected pool should be dedicated to the queue: a RUNNING job is
            assumed to have a thread.
        `log`: the structured log; default `JobLog()` (stderr and the state directory).
            The queue closes it at shutdown.
        `store`: where every state change is written (editor.jobs.store; None: memory
            only); `kinds` turns jobs into envelopes and back (`JobKinds`).
        """
        super().__init__(parent)
        check_seconds("timeout", timeout)
        check_seconds("watchdog_grace", watchdog_grace, zero=True)
        if max_queued < 1 or max_finished < 0:
            raise ValueError("max_queued must be positive and max_finished not negative")
        if max_workers is not None and max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self._policy = policy
        self._timeout = timeout
        self._max_queued = max_queued
        clock = clock if clock is not None else QtClock()
        log = log if log is not None else JobLog()
        self._owns_pool = pool is None
        if pool is None:
            pool = QThreadPool(self)  # our own: waitForDone at shutdown waits for us only
            if max_workers is not None:
                pool.setMaxThreadCount(max_workers)
        self._pool = pool
        self._owner = threading.get_ident()
        self._report: ShutdownReport | None = None
        relay = Relay(self)
        rng = rng if rng is not None else random.Random()
        # The cross-cutting decisions on an ended attempt, composed from outside.
        decide = logged(log, clock, retrying(rng, clock, lambda: self._m.closed, settled))
        workers = max_workers if max_workers is not None else pool.maxThreadCount()
        self._kinds = kinds
        link = None
        if store is not None:
            owner = getattr(store, "owner", None) or f"{socket.gethostname()}:{os.getpid()}:"
            encode = kinds.envelope if kinds is not None else no_envelope
            link = StoreLink(store, encode, clock, owner)
        self._m = JobMachine(
            self, clock=clock, log=log, decide=decide, pool=pool, max_workers=workers,
            max_finished=max_finished, dlq_capacity=dlq_capacity,
            watchdog_grace=watchdog_grace, relay=relay, busy=self._set_busy, link=link,
        )  # fmt: skip
        self._waits = Waits(clock)
        self._m.on_settled = self._waits.wake
        # Slots of this QObject, not the machine's plain methods: PySide delivers queued
        # signals to a QObject's method more cheaply than to another callable.
        relay.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        relay.progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._relay = relay
        _LIVE.add(self)

    def _on_finished(self, outcome: AttemptOutcome) -> None:
        self._m.on_finished(outcome)

    def _on_progress(self, token: int) -> None:
        self._m.on_progress(token)

    def _set_busy(self, busy: bool) -> None:
        (_BUSY.add if busy else _BUSY.discard)(self)

    # ====================================================================== entering
    def submit(
        self, job: Job[Any], *, policy: RetryPolicy | None = None, timeout: float | None = None
    ) -> JobId:
        """Queue `job` and return its id; starts it at once if a worker is free.

        Returns the id of the already pending job with the same idempotency key instead of
        queueing a duplicate. Raises QueueFull (at once) when `max_queued` jobs are
        waiting, and QueueClosed after `shutdown()`.
        """
        self._check_open(f"; {job.name!r} was not queued")
        m = self._m
        existing = m.pending_with(job.key)
        if existing is not None:
            return existing.id
        ckey = job.coalesce_key
        replaced = m.lanes.replaceable(ckey) if ckey is not None else None
        if replaced is None:
            self._require_room(job.name)
        if timeout is not None:
            check_seconds("timeout", timeout)  # before anything is registered
        entry = m.new_entry(
            job,
            policy if policy is not None else self._policy,
            timeout if timeout is not None else self._timeout,
        )
        m.enqueue(entry, replaceable=True)
        self.job_added.emit(entry.record())
        if replaced is not None:
            m.drop_waiting(replaced, f"superseded by job {entry.id}")
        m.pump()
        return entry.id

    def retry_dead(self, job_id: JobId) -> JobId:
        """Queue a dead letter's job again, under its old id, with a fresh attempt budget.

        If a job with the same idempotency key is already pending, the dead letter is
        dropped and that job's id returned. The retried job runs after any job already
        waiting for its target path. Raises KeyError for an unknown id, QueueFull when the
        queue is full (the dead letter stays), QueueClosed after shutdown.
        """
        self._check_open()
        m = self._m
        letter = m.dlq.get(job_id)
        existing = m.pending_with(letter.key)
        if existing is not None:
            self._forget([m.dlq.pop(job_id).job_id])
            self.dead_letters_changed.emit()
            return existing.id
        self._require_room(letter.name)
        m.dlq.pop(job_id)
        entry, revived = m.revive(letter)
        m.enqueue(entry, replaceable=False)
        (self.state_changed if revived else self.job_added).emit(entry.record())
        self.dead_letters_changed.emit()
        m.pump()
        return job_id

    def _require_room(self, name: str) -> None:
        if self._m.waiting_count() >= self._max_queued:
            raise QueueFull(
                f"the job queue is full ({self._max_queued} jobs waiting); "
                f"{name!r} was not queued, try again when a job finishes"
            )

    def cancel(self, job_id: JobId, reason: str = "cancelled") -> bool:
        """Cancel a job. A waiting job ends CANCELLED at once; a running one at its next
        `check()` (or at the watchdog, if it never checks). False if it had already
        finished or is unknown.

        A running job that returns before checking has done its work: it ends SUCCEEDED.
        """
        self._check_thread()
        entry = self._m.entries.get(job_id)
        if entry is None or entry.state.is_final:
            return False
        self._m.cancel(entry, reason)
        return True

    # ====================================================================== the store
    def restore(self, *, unfinished: bool = True) -> RestoreReport:
        """Take back what the store kept from earlier runs (once, at start): see
        `editor.jobs.persist.restore`. `unfinished=False`: the dead letters only (the
        command line's retry runs nobody else's work). Nothing without a store."""
        self._check_open()
        decode = self._kinds.decode if self._kinds is not None else _cannot_decode
        return restore(self._m, decode, self._policy, self._timeout, unfinished=unfinished)

    @property
    def store(self) -> JobStore | None:
        return self._m.link.store if self._m.link is not None else None

    # ====================================================================== views
    def record(self, job_id: JobId) -> JobRecord:
        """A snapshot of one job (KeyError once its record was removed)."""
        return self._m.entries[job_id].record()

    def job(self, job_id: JobId) -> Job[Any]:
        """The job object of a job the queue still knows (KeyError otherwise): what a
        caller that restored jobs asks of them (editor.io.publish_kinds)."""
        return self._m.entries[job_id].job

    def records(self) -> tuple[JobRecord, ...]:
        """Snapshots of every job the queue still knows, oldest first."""
        entries = sorted(self._m.entries.values(), key=lambda e: e.id)
        return tuple(e.record() for e in entries)

    def clear_finished(self) -> int:
        """Remove every finished record (emitting `job_removed`); returns how many."""
        self._check_thread()
        ids = self._m.finished.clear()
        for job_id in ids:
            self._m.remove(job_id)
        return len(ids)

    @property
    def pool(self) -> QThreadPool:
        """The pool attempts run on."""
        return self._pool

    @property
    def log(self) -> JobLog:
        return self._m.log

    @property
    def is_shut_down(self) -> bool:
        return self._m.closed

    def waiting_count(self) -> int:
        """Jobs queued or waiting for a retry (what `max_queued` bounds)."""
        return self._m.waiting_count()

    def has_threads(self) -> bool:
        """True while any attempt's thread (running or abandoned) has not returned."""
        return bool(self._m.workers)

    def is_idle(self) -> bool:
        """Nothing queued, running or scheduled, and no worker thread busy."""
        return self._m.is_idle()

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """Process Qt events until the queue is idle or `timeout` seconds pass on its clock.

        For tests and the command line; a GUI waits for the `idle` signal instead. Retries
        waiting on a FakeClock never become due here: advance the clock.
        """
        self._check_thread()
        return self._waits.wait_for(self._m.is_idle, timeout)

    # ====================================================================== shutdown
    def shutdown(self, timeout: float = 10.0, *, cancel_wait: float = 2.0) -> ShutdownReport:
        """Stop accepting jobs, cancel waiting ones, let running ones finish; return a report.

        Running jobs get `timeout` seconds (on the queue's clock) to finish; then they are
        cancelled cooperatively and their threads get `cancel_wait` more seconds to
        return. Threads that still have not returned (a job that never calls `check()`)
        cannot be killed: they are listed in `ShutdownReport.stuck` and the queue stays in
        `live_queues()` until they return. Calling it again waits for such threads once
        more.
        """
        self._check_thread()
        if self._report is not None:
            self._report = wait_again(self._m, self._waits, self._join_pool, self._report, timeout)
        else:
            _LIVE.discard(self)
            self._report = shut_down(self._m, self._waits, self._join_pool, timeout, cancel_wait)
            if self._m.link is not None:
                self._m.link.stop()
        return self._report

    def _join_pool(self, timeout: float) -> None:
        """Wait for our pool's threads to exit (they are only returning by now)."""
        if self._owns_pool and not self._m.workers:
            self._pool.waitForDone(max(0, round(timeout * 1000)) or 100)

    # ====================================================================== helpers
    def _check_open(self, what: str = "") -> None:
        self._check_thread()
        if self._m.closed:
            raise QueueClosed(f"the job queue is shut down{what}")

    def _check_thread(self) -> None:
        if threading.get_ident() != self._owner:
            raise RuntimeError("JobQueue methods must be called on the thread that made it")
