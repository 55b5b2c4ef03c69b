"""The background job queue: bounded, retrying, coalescing, with a dead-letter queue.

Threading: a `JobQueue` lives on the GUI thread and only that thread changes its state.
Each attempt runs as a `Worker` (QRunnable) on the queue's own QThreadPool; the worker
reports back through queued signals, so every state change, progress report and result
arrives on the GUI thread. Backoff waits and the timeout watchdog are timers on the GUI
thread (the injected clock), never a sleeping worker.

Cross-cutting behaviour lives here, around the job, not inside it: the attempt wrapper
(worker.py), timing, the retry policy (retry.py), structured logs (log.py).

Ordering and exclusion, per target path (a "lane"):
- jobs on one path start in submission order, one at a time; a later job waits while an
  earlier one for that path is queued, running or waiting for a retry;
- a path stays held until the thread of its attempt has *returned*, even when the queue
  has given up on that attempt (timed out or cancelled), so an abandoned write and its
  retry never run at once;
- a new job with the same `coalesce_key` replaces a queued job that has not started yet
  (the replaced one ends CANCELLED, "superseded by job N");
- a job whose idempotency key is already queued, running or waiting for a retry is not
  added again: `submit` returns the existing job's id.

Timeouts are cooperative: `context.check()` raises once the deadline passes. For jobs that
never call it, a watchdog fails the attempt `watchdog_grace` seconds after the deadline
(the grace lets a cooperating job report its own timeout first, with its traceback). The
abandoned thread's late result is ignored; Python threads cannot be killed.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import random
import threading
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QThreadPool, QTimer, Signal

from editor.jobs.clock import Clock, QtClock, TimerHandle
from editor.jobs.dlq import DeadLetter, DeadLetterQueue
from editor.jobs.job import (
    Job,
    JobCancelled,
    JobContext,
    JobError,
    JobId,
    JobRecord,
    JobState,
    JobTimedOut,
    QueueClosed,
    QueueFull,
    exception_name,
)
from editor.jobs.log import JobLog, Outcome
from editor.jobs.retry import DEFAULT_POLICY, RandomSource, RetryPolicy, check_seconds
from editor.jobs.worker import AttemptOutcome, Relay, Worker

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


@dataclass(frozen=True, slots=True)
class ShutdownReport:
    """What `shutdown()` did, so the application can tell the person (or resubmit later)."""

    cancelled: tuple[JobRecord, ...] = ()
    """Jobs that were waiting (queued or for a retry) and will not run."""
    interrupted: tuple[JobRecord, ...] = ()
    """Jobs still running at the timeout, cancelled cooperatively."""
    stuck: tuple[JobRecord, ...] = ()
    """Jobs whose threads had still not returned when shutdown gave up waiting."""

    @property
    def clean(self) -> bool:
        """True when no thread is left running."""
        return not self.stuck


class _Entry:
    """A job's mutable state inside the queue (GUI thread only). Views get `JobRecord`s."""

    __slots__ = (
        "attempt_started",
        "attempts",
        "cancel_requested",
        "context",
        "enqueued_at",
        "finished_at",
        "first_failure_at",
        "first_failure_mono",
        "id",
        "job",
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
        "timeout",
        "timer",
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
        self.state = JobState.QUEUED
        self.enqueued_at = 0.0
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
        self.timer: TimerHandle | None = None  # the retry timer
        self.attempt_started = 0.0

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
        )


class JobQueue(QObject):
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
        """
        super().__init__(parent)
        check_seconds("timeout", timeout)
        check_seconds("watchdog_grace", watchdog_grace, zero=True)
        if max_queued < 1 or max_finished < 0:
            raise ValueError("max_queued must be positive and max_finished not negative")
        self._policy = policy
        self._timeout = timeout
        self._max_queued = max_queued
        self._max_finished = max_finished
        self._clock: Clock = clock if clock is not None else QtClock()
        self._rng: RandomSource = rng if rng is not None else random.Random()
        if max_workers is not None and max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self._owns_pool = pool is None
        if pool is None:
            pool = QThreadPool(self)  # our own: waitForDone at shutdown waits for us only
            if max_workers is not None:
                pool.setMaxThreadCount(max_workers)
        self._pool = pool
        self._max_workers = max_workers if max_workers is not None else pool.maxThreadCount()
        self._grace = watchdog_grace
        self._log = log if log is not None else JobLog()
        self._owner = threading.get_ident()

        self._ids = itertools.count(1)
        self._seqs = itertools.count(1)
        self._tokens = itertools.count(1)
        self._entries: dict[JobId, _Entry] = {}  # every job not yet removed
        self._pending: deque[_Entry] = deque()  # QUEUED, in dispatch order
        self._scheduled: dict[JobId, _Entry] = {}  # RETRY_SCHEDULED
        self._finished: deque[JobId] = deque()  # final states, oldest first
        self._by_key: dict[str, _Entry] = {}  # idempotency key -> unfinished job
        self._coalesce: dict[str, _Entry] = {}  # coalesce key -> queued, never started
        self._lanes: dict[str, list[_Entry]] = {}  # target -> unfinished jobs, by seq
        self._held: dict[str, int] = {}  # target -> token of the thread writing it
        self._workers: dict[int, Worker] = {}  # token -> worker whose thread may run
        # One watchdog timer for all attempts, armed for the earliest due time: a timer per
        # attempt would cost more than the rest of the queue's bookkeeping together.
        self._watch: dict[int, float] = {}  # token -> when the watchdog gives up (now())
        self._watch_timer: TimerHandle | None = None
        self._watch_due = 0.0
        self._dlq = DeadLetterQueue(dlq_capacity)
        self._closed = False
        self._report: ShutdownReport | None = None
        self._shutdown_cancelled: list[JobRecord] = []
        self._idle_sent = True
        self._waiters: list[Callable[[], None]] = []

        self._relay = Relay(self)
        self._relay.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._relay.progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        _LIVE.add(self)

    # ====================================================================== submitting
    def submit(
        self, job: Job[Any], *, policy: RetryPolicy | None = None, timeout: float | None = None
    ) -> JobId:
        """Queue `job` and return its id; starts it at once if a worker is free.

        Returns the id of the already pending job with the same idempotency key instead of
        queueing a duplicate. Raises QueueFull (at once) when `max_queued` jobs are
        waiting, and QueueClosed after `shutdown()`.
        """
        self._check_thread()
        if self._closed:
            raise QueueClosed(f"the job queue is shut down; {job.name!r} was not queued")
        existing = self._by_key.get(job.key)
        if existing is not None and not existing.cancel_requested:
            return existing.id
        ckey = job.coalesce_key
        replaced = self._coalesce.get(ckey) if ckey is not None else None
        if replaced is None:
            self._require_room(job.name)
        if timeout is not None:
            check_seconds("timeout", timeout)  # before anything is registered
        entry = _Entry(
            next(self._ids),
            job,
            next(self._seqs),
            policy if policy is not None else self._policy,
            timeout if timeout is not None else self._timeout,
        )
        entry.enqueued_at = self._clock.wall_time()
        self._entries[entry.id] = entry
        self._by_key[job.key] = entry
        if ckey is not None:
            self._coalesce[ckey] = entry
        if job.target is not None:
            self._lanes.setdefault(job.target, []).append(entry)
        self._pending.append(entry)
        self._idle_sent = False
        self.job_added.emit(entry.record())
        if replaced is not None:
            self._drop_waiting(replaced, f"superseded by job {entry.id}")
        self._pump()
        return entry.id

    def _require_room(self, name: str) -> None:
        if len(self._pending) + len(self._scheduled) >= self._max_queued:
            raise QueueFull(
                f"the job queue is full ({self._max_queued} jobs waiting); "
                f"{name!r} was not queued, try again when a job finishes"
            )

    # ====================================================================== cancelling
    def cancel(self, job_id: JobId, reason: str = "cancelled") -> bool:
        """Cancel a job. A waiting job ends CANCELLED at once; a running one at its next
        `check()` (or at the watchdog, if it never checks). False if it had already
        finished or is unknown.

        A running job that returns before checking has done its work: it ends SUCCEEDED.
        """
        self._check_thread()
        entry = self._entries.get(job_id)
        if entry is None or entry.state.is_final:
            return False
        if entry.state is JobState.RUNNING:
            if not entry.cancel_requested:
                entry.cancel_requested = True
                entry.reason = reason
                if entry.context is not None:
                    entry.context.interrupt(JobCancelled)
                self.state_changed.emit(entry.record())
            return True
        self._drop_waiting(entry, reason)
        self._pump()
        self._settled()
        return True

    def _drop_waiting(self, entry: _Entry, reason: str) -> None:
        """End a QUEUED or RETRY_SCHEDULED job as CANCELLED."""
        if entry.state is JobState.QUEUED:
            self._pending.remove(entry)
        entry.reason = reason
        self._log.event(
            logging.INFO,
            "cancelled",
            ts=self._clock.wall_time(),
            job_id=entry.id,
            job=entry.job.name,
            kind=entry.job.kind,
            key=entry.job.key,
            reason=reason,
        )
        self._finish(entry, JobState.CANCELLED)

    # ====================================================================== dispatching
    def _pump(self) -> None:
        """Start waiting jobs while workers are free (GUI thread)."""
        if self._closed:
            return
        pending = self._pending
        while pending and len(self._workers) < self._max_workers:
            entry = self._take_next()
            if entry is None:
                return
            self._start(entry)

    def _take_next(self) -> _Entry | None:
        for i, entry in enumerate(self._pending):
            lane = entry.job.target
            if lane is None or (lane not in self._held and self._lanes[lane][0] is entry):
                if i == 0:
                    self._pending.popleft()
                else:
                    del self._pending[i]
                return entry
        return None

    def _start(self, entry: _Entry) -> None:
        clock = self._clock
        token = next(self._tokens)
        entry.attempts += 1
        now = clock.now()
        relay = self._relay
        context = JobContext(
            entry.id,
            entry.attempts,
            entry.policy.max_attempts,
            now + entry.timeout,
            clock,
            partial(relay.progress.emit, token),
        )
        lane = entry.job.target
        worker = Worker(token, entry.id, entry.job, context, entry.policy, clock, relay, lane)
        if not self._workers:
            _BUSY.add(self)
        self._workers[token] = worker
        if lane is not None:
            self._held[lane] = token
        self._coalesce_forget(entry)  # a started job is no longer replaceable
        entry.token = token
        entry.context = context
        entry.attempt_started = now
        entry.state = JobState.RUNNING
        if entry.started_at is None:
            entry.started_at = clock.wall_time()
        self._watch[token] = now + entry.timeout + self._grace
        self._arm_watchdog()
        self.state_changed.emit(entry.record())
        self._pool.start(worker)

    def _coalesce_forget(self, entry: _Entry) -> None:
        ckey = entry.job.coalesce_key
        if ckey is not None and self._coalesce.get(ckey) is entry:
            del self._coalesce[ckey]

    # ====================================================================== results
    def _on_progress(self, token: int) -> None:
        worker = self._workers.get(token)
        if worker is None:
            return
        value = worker.context.take_progress()
        entry = self._entries.get(worker.job_id)
        if value is None or entry is None or entry.token != token:
            return  # an abandoned attempt's report
        entry.progress, entry.progress_message = value
        self.progress_changed.emit(entry.id, value[0], value[1])

    def _on_finished(self, outcome: AttemptOutcome) -> None:
        worker = self._workers.pop(outcome.token, None)
        if worker is None:
            return
        if worker.lane is not None and self._held.get(worker.lane) == outcome.token:
            del self._held[worker.lane]  # only now may the next write to this path start
        if not self._workers:
            _BUSY.discard(self)
        entry = self._entries.get(worker.job_id)
        if entry is not None and entry.token == outcome.token:
            self._settle(entry, outcome.result, outcome.error, outcome.cancelled, outcome.duration)
        # else: the late result of an attempt the queue already gave up on: ignored.
        self._pump()
        self._settled()

    def _arm_watchdog(self) -> None:
        """Make sure the watchdog timer fires by the earliest due time of current attempts."""
        if not self._watch:
            return  # an armed timer may stay: it finds nothing and does not re-arm
        due = min(self._watch.values())
        if self._watch_timer is not None:
            if self._watch_due <= due:
                return
            self._watch_timer.cancel()
        self._watch_due = due
        self._watch_timer = self._clock.call_later(due - self._clock.now(), self._on_watchdog)

    def _on_watchdog(self) -> None:
        self._watch_timer = None
        now = self._clock.now() + 1e-9  # timers may round; a nanosecond early is on time
        for token in [t for t, due in self._watch.items() if due <= now]:
            self._time_out(token)
        self._arm_watchdog()
        self._pump()
        self._settled()

    def _time_out(self, token: int) -> None:
        """Give up on an attempt that ran past its deadline and grace without stopping."""
        del self._watch[token]
        worker = self._workers.get(token)
        entry = self._entries.get(worker.job_id) if worker is not None else None
        if worker is None or entry is None or entry.token != token:
            return
        worker.context.interrupt(JobTimedOut)  # its next check() raises, if it ever calls one
        error = JobError(
            type=exception_name(JobTimedOut()),
            message=f"attempt {entry.attempts} ran past its {entry.timeout:g} s deadline "
            "without stopping; its thread was abandoned and its result will be ignored",
            traceback="",
            timed_out=True,
        )
        self._settle(entry, None, error, False, self._clock.now() - entry.attempt_started)

    def _settle(
        self,
        entry: _Entry,
        result: object,
        error: JobError | None,
        cancelled: bool,
        duration: float,
    ) -> None:
        """Decide what an ended attempt means: success, cancel, retry or dead letter."""
        if entry.token is not None:
            self._watch.pop(entry.token, None)
        entry.token = None
        entry.context = None
        if error is None and not cancelled:
            entry.result = result
            entry.progress = 1.0
            self._log_attempt(entry, duration, Outcome.SUCCEEDED)
            self._finish(entry, JobState.SUCCEEDED)
            self.job_succeeded.emit(entry.id, result)
            return
        wall = self._clock.wall_time()
        now = self._clock.now()
        if error is not None:
            entry.last_error = error
            if entry.first_failure_at is None:
                entry.first_failure_at = wall
                entry.first_failure_mono = now
            entry.last_failure_at = wall
        if cancelled or entry.cancel_requested:
            entry.reason = entry.reason or "cancelled"
            self._log_attempt(entry, duration, Outcome.CANCELLED, error)
            self._finish(entry, JobState.CANCELLED)
            return
        assert error is not None
        first = entry.first_failure_mono
        elapsed = now - first if first is not None else 0.0
        if error.retryable and entry.policy.may_retry(entry.attempts, elapsed):
            if self._closed:
                entry.reason = "shutdown"
                self._log_attempt(entry, duration, Outcome.CANCELLED, error)
                self._finish(entry, JobState.CANCELLED)
                self._shutdown_cancelled.append(entry.record())
                return
            delay = entry.policy.delay(entry.attempts, self._rng, elapsed)
            entry.state = JobState.RETRY_SCHEDULED
            entry.next_attempt_at = wall + delay
            entry.timer = self._clock.call_later(delay, partial(self._retry_due, entry))
            self._scheduled[entry.id] = entry
            outcome = Outcome.TIMED_OUT if error.timed_out else Outcome.RETRYING
            self._log_attempt(entry, duration, outcome, error, retry_in=delay)
            self.state_changed.emit(entry.record())
            return
        self._log_attempt(entry, duration, Outcome.DEAD, error)
        self._finish(entry, JobState.DEAD)
        self._add_dead_letter(entry, error)

    def _retry_due(self, entry: _Entry) -> None:
        if entry.state is not JobState.RETRY_SCHEDULED or self._closed:
            return
        del self._scheduled[entry.id]
        entry.timer = None
        entry.next_attempt_at = None
        entry.state = JobState.QUEUED
        self._pending.append(entry)
        self.state_changed.emit(entry.record())
        self._pump()

    def _finish(self, entry: _Entry, state: JobState) -> None:
        """Move a job to a final state and out of every index of unfinished jobs."""
        if entry.timer is not None:
            entry.timer.cancel()
            entry.timer = None
        self._scheduled.pop(entry.id, None)
        entry.state = state
        entry.next_attempt_at = None
        entry.finished_at = self._clock.wall_time()
        job = entry.job
        if self._by_key.get(job.key) is entry:
            del self._by_key[job.key]
        self._coalesce_forget(entry)
        if job.target is not None:
            lane = self._lanes[job.target]
            lane.remove(entry)
            if not lane:
                del self._lanes[job.target]
        self._finished.append(entry.id)
        self.state_changed.emit(entry.record())
        while len(self._finished) > self._max_finished:
            self._remove(self._finished.popleft())

    def _remove(self, job_id: JobId) -> None:
        del self._entries[job_id]
        self.job_removed.emit(job_id)

    def _log_attempt(
        self,
        entry: _Entry,
        duration: float,
        outcome: Outcome,
        error: JobError | None = None,
        retry_in: float | None = None,
    ) -> None:
        job = entry.job
        self._log.attempt(
            ts=self._clock.wall_time(),
            job_id=entry.id,
            name=job.name,
            kind=job.kind,
            key=job.key,
            attempt=entry.attempts,
            max_attempts=entry.policy.max_attempts,
            duration_ms=duration * 1000.0,
            outcome=outcome,
            error=error,
            retry_in=retry_in,
        )

    def _settled(self) -> None:
        """After any change that may end work: emit `idle` once, wake waiters."""
        if not self._watch and self._watch_timer is not None:
            self._watch_timer.cancel()  # nothing left to watch (lazy: not on every attempt)
            self._watch_timer = None
        if not self._idle_sent and self.is_idle():
            self._idle_sent = True
            self.idle.emit()
        for waiter in list(self._waiters):
            waiter()

    # ====================================================================== dead letters
    def _add_dead_letter(self, entry: _Entry, error: JobError) -> None:
        job = entry.job
        wall = self._clock.wall_time()
        letter = DeadLetter(
            job_id=entry.id,
            name=job.name,
            kind=job.kind,
            key=job.key,
            target=job.target,
            error=error,
            attempts=entry.attempts,
            first_failure_at=entry.first_failure_at if entry.first_failure_at else wall,
            last_failure_at=entry.last_failure_at if entry.last_failure_at else wall,
            job=job,
            policy=entry.policy,
            timeout=entry.timeout,
        )
        evicted = self._dlq.add(letter)
        if evicted is not None:
            self._log.event(
                logging.WARNING,
                "dead_letter_evicted",
                ts=wall,
                job_id=evicted.job_id,
                job=evicted.name,
                kind=evicted.kind,
                key=evicted.key,
                error={"type": evicted.error.type, "message": evicted.error.message},
                capacity=self._dlq.capacity,
            )
            self.dead_letter_evicted.emit(evicted)
        self.dead_letters_changed.emit()

    def dead_letters(self) -> tuple[DeadLetter, ...]:
        """The dead-letter queue, oldest first."""
        return self._dlq.entries()

    def retry_dead(self, job_id: JobId) -> JobId:
        """Queue a dead letter's job again, under its old id, with a fresh attempt budget.

        If a job with the same idempotency key is already pending, the dead letter is
        dropped and that job's id returned. The retried job runs after any job already
        waiting for its target path. Raises KeyError for an unknown id, QueueFull when the
        queue is full (the dead letter stays), QueueClosed after shutdown.
        """
        self._check_thread()
        if self._closed:
            raise QueueClosed("the job queue is shut down")
        letter = self._dlq.get(job_id)
        existing = self._by_key.get(letter.key)
        if existing is not None and not existing.cancel_requested:
            self._dlq.pop(job_id)
            self.dead_letters_changed.emit()
            return existing.id
        self._require_room(letter.name)
        self._dlq.pop(job_id)
        entry = self._entries.get(job_id)
        revived = entry is not None and entry.state is JobState.DEAD
        if entry is not None and revived:
            self._finished.remove(job_id)
            entry.seq = next(self._seqs)
            entry.reset()
        else:
            entry = _Entry(job_id, letter.job, next(self._seqs), letter.policy, letter.timeout)
            self._entries[job_id] = entry
        entry.state = JobState.QUEUED
        entry.enqueued_at = self._clock.wall_time()
        self._by_key[letter.key] = entry
        if letter.target is not None:
            lane = self._lanes.setdefault(letter.target, [])
            bisect.insort(lane, entry, key=lambda e: e.seq)
        self._pending.append(entry)
        self._idle_sent = False
        if revived:
            self.state_changed.emit(entry.record())
        else:
            self.job_added.emit(entry.record())
        self.dead_letters_changed.emit()
        self._pump()
        return job_id

    def retry_all_dead(self) -> list[JobId]:
        """Retry dead letters, oldest first, while the queue has room; returns their ids."""
        ids: list[JobId] = []
        for letter in self._dlq.entries():
            try:
                ids.append(self.retry_dead(letter.job_id))
            except QueueFull:
                break
        return ids

    def discard_dead(self, job_id: JobId) -> DeadLetter:
        """Drop one dead letter (KeyError if unknown) and return it."""
        self._check_thread()
        letter = self._dlq.pop(job_id)
        self.dead_letters_changed.emit()
        return letter

    def discard_all_dead(self) -> tuple[DeadLetter, ...]:
        """Drop every dead letter and return them, oldest first."""
        self._check_thread()
        letters = self._dlq.clear()
        if letters:
            self.dead_letters_changed.emit()
        return letters

    # ====================================================================== views
    def record(self, job_id: JobId) -> JobRecord:
        """A snapshot of one job (KeyError once its record was removed)."""
        return self._entries[job_id].record()

    def records(self) -> tuple[JobRecord, ...]:
        """Snapshots of every job the queue still knows, oldest first."""
        return tuple(e.record() for e in sorted(self._entries.values(), key=lambda e: e.id))

    def clear_finished(self) -> int:
        """Remove every finished record (emitting `job_removed`); returns how many."""
        self._check_thread()
        count = len(self._finished)
        while self._finished:
            self._remove(self._finished.popleft())
        return count

    @property
    def pool(self) -> QThreadPool:
        """The pool attempts run on."""
        return self._pool

    @property
    def log(self) -> JobLog:
        return self._log

    @property
    def is_shut_down(self) -> bool:
        return self._closed

    def waiting_count(self) -> int:
        """Jobs queued or waiting for a retry (what `max_queued` bounds)."""
        return len(self._pending) + len(self._scheduled)

    def has_threads(self) -> bool:
        """True while any attempt's thread (running or abandoned) has not returned."""
        return bool(self._workers)

    def is_idle(self) -> bool:
        """Nothing queued, running or scheduled, and no worker thread busy."""
        return not (self._pending or self._scheduled or self._workers)

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """Process Qt events until the queue is idle or `timeout` real seconds pass.

        For tests and the command line; a GUI waits for the `idle` signal instead. Retries
        waiting on a FakeClock never become due here: advance the clock.
        """
        self._check_thread()
        return self._wait_for(self.is_idle, timeout)

    def _wait_for(self, done: Callable[[], bool], timeout: float) -> bool:
        if done():
            return True
        if timeout <= 0:
            return False
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)

        def wake() -> None:
            if done():
                loop.quit()

        self._waiters.append(wake)
        timer.start(max(1, round(timeout * 1000)))
        try:
            loop.exec()
        finally:
            self._waiters.remove(wake)
            timer.stop()
        return done()

    # ====================================================================== shutdown
    def shutdown(self, timeout: float = 10.0, *, cancel_wait: float = 2.0) -> ShutdownReport:
        """Stop accepting jobs, cancel waiting ones, let running ones finish; return a report.

        Running jobs get `timeout` seconds to finish; then they are cancelled
        cooperatively and their threads get `cancel_wait` more seconds to return. Threads
        that still have not returned (a job that never calls `check()`) cannot be killed:
        they are listed in `ShutdownReport.stuck` and the queue stays in `live_queues()`
        until they return. Calling it again waits for such threads once more.
        """
        self._check_thread()
        if self._report is not None:
            self._wait_for(lambda: not self._workers, timeout)
            self._join_pool(0.0)
            self._report = ShutdownReport(
                self._report.cancelled, self._report.interrupted, self._stuck_records()
            )
            return self._report
        self._closed = True
        _LIVE.discard(self)
        cancelled: list[JobRecord] = []
        for entry in sorted([*self._pending, *self._scheduled.values()], key=lambda e: e.id):
            self._drop_waiting(entry, "shutdown")
            cancelled.append(entry.record())
        self._wait_for(self._nothing_running, timeout)
        interrupted = [e.id for e in self._entries.values() if e.state is JobState.RUNNING]
        for job_id in interrupted:
            self.cancel(job_id, "shutdown")
        self._wait_for(lambda: not self._workers, cancel_wait)
        self._join_pool(cancel_wait)
        if self._watch_timer is not None:
            self._watch_timer.cancel()
            self._watch_timer = None
        self._watch.clear()
        self._report = ShutdownReport(
            cancelled=(*cancelled, *self._shutdown_cancelled),
            interrupted=self._records(interrupted),
            stuck=self._stuck_records(),
        )
        if not self._report.clean:
            self._log.event(
                logging.ERROR,
                "shutdown_incomplete",
                ts=self._clock.wall_time(),
                stuck=[r.name for r in self._report.stuck],
            )
        self._log.close()
        self._settled()
        return self._report

    def _nothing_running(self) -> bool:
        return not any(e.state is JobState.RUNNING for e in self._entries.values())

    def _join_pool(self, timeout: float) -> None:
        """Wait for our pool's threads to exit (they are only returning by now)."""
        if self._owns_pool and not self._workers:
            self._pool.waitForDone(max(0, round(timeout * 1000)) or 100)

    def _records(self, ids: list[JobId]) -> tuple[JobRecord, ...]:
        return tuple(self._entries[i].record() for i in ids if i in self._entries)

    def _stuck_records(self) -> tuple[JobRecord, ...]:
        ids = sorted({w.job_id for w in self._workers.values()})
        return self._records(ids)

    # ====================================================================== helpers
    def _check_thread(self) -> None:
        if threading.get_ident() != self._owner:
            raise RuntimeError("JobQueue methods must be called on the thread that made it")
