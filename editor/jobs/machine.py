"""The queue's state machine: where each job is, and the one function that moves it.

`JobMachine` holds every unfinished and recently finished job (`Entry`) and the parts that
index them (pending list, lanes, retry schedule, finished log, dead letters, watchdog). It
starts attempts on the pool and applies the verdict on each ended attempt
(editor.jobs.attempt decides it). `move()` is the only writer of `Entry.state`: leaving a
state takes a job out of that state's part, entering one puts it in, so the parts can
never disagree (the old single class kept ten parallel indexes in step by hand).

It is plain Python driven by its `JobQueue` on the GUI thread (the queue owns the signals
and the public API, editor.jobs.queue). tests/jobs/test_machine.py.
"""

from __future__ import annotations

import itertools
import logging
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QThreadPool

from editor.jobs.attempt import Attempt, Decide, Ran, Verdict, standard_attempt, timeout_error
from editor.jobs.clock import Clock
from editor.jobs.dlq import DeadLetter, DeadLetterQueue
from editor.jobs.entry import Entry
from editor.jobs.finished import FinishedLog
from editor.jobs.job import (
    Job,
    JobCancelled,
    JobContext,
    JobError,
    JobId,
    JobRecord,
    JobState,
    JobTimedOut,
)
from editor.jobs.lanes import Lanes
from editor.jobs.log import JobLog
from editor.jobs.retry import RetryPolicy
from editor.jobs.schedule import RetrySchedule
from editor.jobs.watchdog import Watchdog
from editor.jobs.worker import AttemptOutcome, Relay, Worker

if TYPE_CHECKING:
    from editor.jobs.persist import StoreLink
    from editor.jobs.queue import JobQueue

QUEUED, RUNNING, RETRY_SCHEDULED = JobState.QUEUED, JobState.RUNNING, JobState.RETRY_SCHEDULED


class JobMachine:
    """Jobs by id, the parts that index them, and the transitions between states."""

    def __init__(
        self,
        signals: JobQueue,
        *,
        clock: Clock,
        log: JobLog,
        decide: Decide,
        pool: QThreadPool,
        max_workers: int,
        max_finished: int,
        dlq_capacity: int,
        watchdog_grace: float,
        relay: Relay,
        busy: Callable[[bool], None],
        link: StoreLink | None = None,
    ) -> None:
        self.signals = signals
        self.clock = clock
        self.log = log
        self._decide = decide
        self._pool = pool
        self._max_workers = max_workers
        self._grace = watchdog_grace
        self._relay = relay
        self._busy = busy  # told when the first worker starts and the last one returns
        self._ids = itertools.count(1)
        self._seqs = itertools.count(1)
        self._tokens = itertools.count(1)
        self.entries: dict[JobId, Entry] = {}  # every job not yet removed
        self.pending: OrderedDict[JobId, Entry] = OrderedDict()  # QUEUED, dispatch order
        self.by_key: dict[str, Entry] = {}  # idempotency key -> unfinished job
        self.lanes: Lanes[Entry] = Lanes()
        self.schedule = RetrySchedule(clock)
        self.finished = FinishedLog(max_finished)
        self.dlq = DeadLetterQueue(dlq_capacity)
        self.workers: dict[int, Worker] = {}  # token -> worker whose thread may run
        self.watchdog = Watchdog(clock, self._on_watchdog)
        self.closed = False
        self.idle_sent = True
        #: Jobs whose retry was refused because the queue had shut down.
        self.shutdown_cancelled: list[JobRecord] = []
        #: Called after every change that may end work (the queue wakes its waiters).
        self.on_settled: Callable[[], None] = lambda: None
        self._chains: dict[RetryPolicy, Attempt] = {}
        #: Where every transition is written (None: kept in memory only).
        self.link = link

    # ====================================================================== entering
    def new_entry(self, job: Job[Any], policy: RetryPolicy, timeout: float) -> Entry:
        if self.link is None:
            job_id, fresh = next(self._ids), False
        else:  # the store names it (ids unique across processes) and adds its row
            job_id, fresh = self.link.new_id(job)
        entry = Entry(job_id, job, next(self._seqs), policy, timeout)
        entry.fresh = fresh
        self.entries[entry.id] = entry
        return entry

    def adopt(self, job_id: JobId, job: Job[Any], policy: RetryPolicy, timeout: float) -> Entry:
        """An entry for a job read back from the store, under its stored id."""
        entry = Entry(job_id, job, next(self._seqs), policy, timeout)
        self.entries[entry.id] = entry
        return entry

    def revive(self, letter: DeadLetter) -> tuple[Entry, bool]:
        """The entry a dead letter is retried under (its old one if still known)."""
        entry = self.entries.get(letter.job_id)
        known = entry is not None and entry.state is JobState.DEAD
        if entry is not None and known:
            self.finished.discard(entry.id)
            entry.seq = next(self._seqs)
            entry.reset()
        else:
            entry = Entry(
                letter.job_id, letter.job, next(self._seqs), letter.policy, letter.timeout
            )
            self.entries[entry.id] = entry
        entry.claim = True  # its store row is taken back only if still dead (persist.py)
        return entry, known

    def enqueue(self, entry: Entry, *, replaceable: bool) -> None:
        """The one way in, for new jobs and dead letters retried: index it, queue it."""
        entry.enqueued_at = self.clock.wall_time()
        self.by_key[entry.job.key] = entry
        if entry.laned:
            self.lanes.join(entry, replaceable=replaceable)
        self.move(entry, JobState.QUEUED, emit=False)
        self.idle_sent = False

    def pending_with(self, key: str) -> Entry | None:
        """The unfinished job with this idempotency key (unless being cancelled)."""
        existing = self.by_key.get(key)
        return existing if existing is not None and not existing.cancel_requested else None

    def waiting_count(self) -> int:
        return len(self.pending) + len(self.schedule)

    # ====================================================================== the transition
    def move(self, entry: Entry, state: JobState, *, delay: float = 0.0, emit: bool = True) -> None:
        """Move a job to `state`: the only writer of `Entry.state`.

        Leaving a state takes the job out of that state's part (the pending list, the
        retry schedule); entering one puts it in. A final state also takes it out of its
        lane and the key index and into the finished log, which may drop old records.
        """
        old = entry.state
        if old is QUEUED:
            self.pending.pop(entry.id, None)  # (a new entry is born QUEUED, not yet listed)
        elif old is RETRY_SCHEDULED:
            self.schedule.cancel(entry.id)
            entry.next_attempt_at = None
        entry.state = state
        dropped: list[JobId] = []
        if state is QUEUED:
            self.pending[entry.id] = entry
        elif state is RETRY_SCHEDULED:
            entry.next_attempt_at = self.clock.wall_time() + delay
            self.schedule.add(entry.id, delay, self._retry_due)
        elif state is not RUNNING:  # final
            entry.finished_at = self.clock.wall_time()
            if self.by_key.get(entry.job.key) is entry:
                del self.by_key[entry.job.key]
            if entry.laned:
                self.lanes.leave(entry)
            dropped = self.finished.add(entry.id)
        if self.link is not None:
            self.link.moved(entry, state, self)
        if emit:
            self.signals.state_changed.emit(entry.record())
        for job_id in dropped:
            self.remove(job_id)

    def remove(self, job_id: JobId) -> None:
        """Forget a finished job's record."""
        del self.entries[job_id]
        self.signals.job_removed.emit(job_id)

    # ====================================================================== cancelling
    def cancel(self, entry: Entry, reason: str) -> None:
        """Cancel an unfinished job: at once if waiting, at its next check if running."""
        if entry.state is JobState.RUNNING:
            if not entry.cancel_requested:
                entry.cancel_requested = True
                entry.reason = reason
                if entry.context is not None:
                    entry.context.interrupt(JobCancelled)
                self.signals.state_changed.emit(entry.record())
            return
        self.drop_waiting(entry, reason)
        self.pump()
        self.settled()

    def drop_waiting(self, entry: Entry, reason: str) -> None:
        """End a QUEUED or RETRY_SCHEDULED job as CANCELLED."""
        entry.reason = reason
        job = entry.job
        self.log.event(
            logging.INFO, "cancelled", ts=self.clock.wall_time(), job_id=entry.id,
            job=job.name, kind=job.kind, key=job.key, reason=reason,
        )  # fmt: skip
        self.move(entry, JobState.CANCELLED)

    # ====================================================================== running
    def pump(self) -> None:
        """Start waiting jobs while workers are free."""
        if self.closed:
            return
        may_start = self.lanes.may_start
        while self.pending and len(self.workers) < self._max_workers:
            for entry in self.pending.values():
                if not entry.laned or may_start(entry):
                    break
            else:
                return
            self._start(entry)

    def _start(self, entry: Entry) -> None:
        clock = self.clock
        token = next(self._tokens)
        entry.attempts += 1
        now = clock.now()
        context = JobContext(
            entry.id, entry.attempts, entry.policy.max_attempts, now + entry.timeout, clock,
            partial(self._relay.progress.emit, token),
        )  # fmt: skip
        lane = entry.target
        written = self.link.written(entry.id) if self.link is not None else None  # row stored
        chain = _chain(self._chains, entry.policy, clock)
        worker = Worker(token, entry.id, entry.job, chain, context, self._relay, lane, written)
        if not self.workers:
            self._busy(True)
        self.workers[token] = worker
        if entry.laned:
            self.lanes.hold(lane, token)
            self.lanes.started(entry)  # a started job is no longer replaceable
        entry.token, entry.context, entry.attempt_started = token, context, now
        if entry.started_at is None:
            entry.started_at = clock.wall_time()
        self.watchdog.watch(token, now + entry.timeout + self._grace)
        self.move(entry, JobState.RUNNING)
        self._pool.start(worker)

    def on_progress(self, token: int) -> None:
        worker = self.workers.get(token)
        if worker is None:
            return
        value = worker.context.take_progress()
        entry = self.entries.get(worker.job_id)
        if value is None or entry is None or entry.token != token:
            return  # an abandoned attempt's report
        entry.progress, entry.progress_message = value
        self.signals.progress_changed.emit(entry.id, value[0], value[1])

    def on_finished(self, outcome: AttemptOutcome) -> None:
        worker = self.workers.pop(outcome.token, None)
        if worker is None:
            return
        if worker.lane is not None:
            self.lanes.release(worker.lane, outcome.token)  # the next write may start
        if not self.workers:
            self._busy(False)
        entry = self.entries.get(worker.job_id)
        if entry is not None and entry.token == outcome.token:
            self._settle(entry, outcome.ran)
        # else: the late result of an attempt the queue already gave up on: ignored.
        self.pump()
        self.settled()

    def _on_watchdog(self, tokens: list[int]) -> None:
        """Give up on attempts that ran past their deadline and grace without stopping."""
        for token in tokens:
            worker = self.workers.get(token)
            entry = self.entries.get(worker.job_id) if worker is not None else None
            if worker is None or entry is None or entry.token != token:
                continue
            worker.context.interrupt(JobTimedOut)  # its next check() raises, if ever
            error = timeout_error(
                f"attempt {entry.attempts} ran past its {entry.timeout:g} s deadline "
                "without stopping; its thread was abandoned and its result will be ignored"
            )
            duration = self.clock.now() - entry.attempt_started
            self._settle(entry, Ran(error=error, duration=duration))
        self.pump()
        self.settled()

    def _settle(self, entry: Entry, ran: Ran) -> None:
        """Apply the verdict on an ended attempt: success, cancel, retry or dead letter."""
        if entry.token is not None:
            self.watchdog.unwatch(entry.token)
        entry.token = None
        entry.context = None
        if ran.error is not None:
            entry.failed(ran.error, self.clock.wall_time(), self.clock.now())
        decision = self._decide(entry, ran)
        verdict = decision.verdict
        if verdict is Verdict.SUCCEEDED:
            entry.result = ran.result
            entry.progress = 1.0
            self.move(entry, JobState.SUCCEEDED)
            self.signals.job_succeeded.emit(entry.id, ran.result)
        elif verdict is Verdict.RETRY:
            self.move(entry, JobState.RETRY_SCHEDULED, delay=decision.delay)
        elif verdict is Verdict.CANCELLED:
            entry.reason = decision.reason or entry.reason or "cancelled"
            self.move(entry, JobState.CANCELLED)
            if decision.reason == "shutdown":
                self.shutdown_cancelled.append(entry.record())
        else:
            assert ran.error is not None
            self.move(entry, JobState.DEAD)
            put_dead_letter(self, _letter(entry, ran.error, self.clock.wall_time()))
            self.signals.dead_letters_changed.emit()

    def _retry_due(self, job_id: JobId) -> None:
        entry = self.entries.get(job_id)
        if entry is None or entry.state is not JobState.RETRY_SCHEDULED or self.closed:
            return
        self.move(entry, JobState.QUEUED)
        self.pump()

    def is_idle(self) -> bool:
        """Nothing queued, running or scheduled, and no worker thread busy."""
        return not (self.pending or self.schedule or self.workers)

    def settled(self) -> None:
        """After any change that may end work: emit `idle` once, wake waiters."""
        self.watchdog.settle()
        if not self.idle_sent and self.is_idle():
            self.idle_sent = True
            self.signals.idle.emit()
        self.on_settled()


def _chain(chains: dict[RetryPolicy, Attempt], policy: RetryPolicy, clock: Clock) -> Attempt:
    """The attempt chain for a policy (by value), built once; at most 32 are kept."""
    chain = chains.get(policy)
    if chain is None:
        if len(chains) >= 32:  # bounded: a policy made per job must not pile up
            chains.clear()
        chain = chains[policy] = standard_attempt(policy, clock)
    return chain


def put_dead_letter(m: JobMachine, letter: DeadLetter) -> None:
    """Add a dead letter; a full queue evicts its oldest, said in the log and a signal."""
    evicted = m.dlq.add(letter)
    if evicted is not None:
        m.log.event(
            logging.WARNING, "dead_letter_evicted", ts=m.clock.wall_time(),
            job_id=evicted.job_id, job=evicted.name, kind=evicted.kind, key=evicted.key,
            error={"type": evicted.error.type, "message": evicted.error.message},
            capacity=m.dlq.capacity,
        )  # fmt: skip
        if m.link is not None:
            m.link.forget([evicted.job_id])
        m.signals.dead_letter_evicted.emit(evicted)


def _letter(entry: Entry, error: JobError, wall: float) -> DeadLetter:
    """The dead letter of a job that just died."""
    job = entry.job
    return DeadLetter(
        job_id=entry.id, name=job.name, kind=job.kind, key=job.key, target=job.target,
        error=error, attempts=entry.attempts,
        first_failure_at=entry.first_failure_at if entry.first_failure_at else wall,
        last_failure_at=entry.last_failure_at if entry.last_failure_at else wall,
        job=job, policy=entry.policy, timeout=entry.timeout,
    )  # fmt: skip
