"""The queue's link to its job store: every state change written, leases renewed, and
the jobs an earlier run left behind taken back.

`JobMachine.move` calls `moved` after every transition, so the store sees exactly the
states the queue passes through: queued (a new job's row is added with its envelope),
running (with a lease: this process and a time `LEASE_SECONDS` ahead, renewed every
third of that while anything runs, on the queue's clock), retry scheduled (with its
run-after time and error), succeeded, dead (error and attempts), cancelled. With no
store the queue keeps everything in memory as before and this costs one `if`.

A store that fails while writing (the database writer stops: disk full, locked for
too long) does not stop the queue: the writer drops what follows and the journal's
problem line says so once; the queue goes on in memory.

`restore` (at start) asks the store for unfinished rows and dead letters
(editor.jobs.restore) and puts them back: unfinished jobs enter like a dead-letter
retry, under their stored ids, marked `interrupted`; a row whose owner still lives is
left alone; dead letters enter the dead-letter queue with their stored error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from editor.jobs.clock import Clock, TimerHandle
from editor.jobs.dlq import DeadLetter
from editor.jobs.entry import Entry
from editor.jobs.job import Job, JobId, JobState
from editor.jobs.machine import JobMachine, put_dead_letter
from editor.jobs.restore import Decode, restore_rows
from editor.jobs.retry import RetryPolicy
from editor.jobs.store import JobStore, RowWritten, StoredJob

log = logging.getLogger("editor.jobs.store")

LEASE_SECONDS = 60.0

#: Makes a job's envelope (`JobKinds.envelope`); called where the store writes.
Encode = Callable[[Job[Any]], dict[str, Any]]


def no_envelope(job: Job[Any]) -> dict[str, Any]:
    """For a queue given a store but no kinds: the type only (such a row can be listed
    and discarded, not run again)."""
    return {"type": job.kind, "payload": None}


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What `JobQueue.restore` took back."""

    interrupted: tuple[JobId, ...] = ()
    dead: tuple[JobId, ...] = ()
    held: tuple[JobId, ...] = ()
    """Unfinished jobs another live Strata holds (left to it)."""
    problem: str = ""
    """Why the store could not be read ("" when it could): the queue went on in memory."""


class StoreUnreadable(Exception):
    """The store's rows cannot be read at all (its message says why)."""


class StoreLink:
    """Writes a queue's transitions to its store (GUI thread; the store defers I/O)."""

    __slots__ = ("_clock", "_encode", "_renewal", "owner", "store")

    def __init__(self, store: JobStore, encode: Encode, clock: Clock, owner: str) -> None:
        self.store = store
        self._encode = encode
        self._clock = clock
        self.owner = owner
        self._renewal: TimerHandle | None = None

    def new_id(self, job: Job[Any]) -> tuple[JobId, bool]:
        """Add a new job's row (queued); (its id, whether the row is new)."""
        return self.store.add(
            partial(self._encode, job), job.key, self._clock.wall_time(),
            name=job.name, kind=job.kind, target=job.target,
        )  # fmt: skip

    def written(self, job_id: JobId) -> RowWritten | None:
        """Set once a new job's row is stored (None: nothing to wait for)."""
        return self.store.written(job_id)

    def moved(self, entry: Entry, state: JobState, machine: JobMachine) -> None:
        if entry.fresh:  # its row was added as queued a moment ago
            entry.fresh = False
            return
        wall = self._clock.wall_time()
        if entry.claim:  # a dead letter retried: its row is taken back only if still dead
            entry.claim = False
            self.store.claim(entry.id, wall, self.owner)
            return
        if self.store.lost(entry.id):  # another Strata retried it first: its row, not ours
            return
        if state is JobState.RUNNING:
            self.store.update(entry.id, state, wall, attempts=entry.attempts,
                              owner=self.owner, lease_until=wall + LEASE_SECONDS)  # fmt: skip
            if self._renewal is None:
                self._renewal = self._clock.call_later(
                    LEASE_SECONDS / 3, partial(self._renew, machine)
                )
        elif state is JobState.RETRY_SCHEDULED:
            self.store.update(entry.id, state, wall, attempts=entry.attempts,
                              run_after=entry.next_attempt_at, error=entry.last_error,
                              owner=self.owner)  # fmt: skip
        elif state is JobState.DEAD:
            self.store.update(entry.id, state, wall, attempts=entry.attempts,
                              error=entry.last_error)  # fmt: skip
        else:
            self.store.update(entry.id, state, wall, attempts=entry.attempts,
                              owner=self.owner)  # fmt: skip

    def _renew(self, machine: JobMachine) -> None:
        self._renewal = None
        if any(e.state is JobState.RUNNING for e in machine.entries.values()):
            self.store.renew(self.owner, self._clock.wall_time() + LEASE_SECONDS)
            self._renewal = self._clock.call_later(LEASE_SECONDS / 3, partial(self._renew, machine))

    def forget(self, job_ids: list[JobId]) -> None:
        """Dead letters discarded or evicted: their rows go too."""
        self.store.remove(job_ids)

    def stop(self) -> None:
        if self._renewal is not None:
            self._renewal.cancel()
            self._renewal = None

    # ------------------------------------------------------------------ start
    def restore(
        self, machine: JobMachine, decode: Decode, policy: RetryPolicy, timeout: float,
        unfinished_too: bool = True,
    ) -> tuple[list[Entry], list[DeadLetter], RestoreReport]:  # fmt: skip
        """Entries to enqueue again and dead letters to put back (the queue does both)."""
        store = self.store
        wall = self._clock.wall_time()
        held_elsewhere = getattr(store, "held_elsewhere", None)

        def held(row: StoredJob) -> bool:
            return bool(held_elsewhere(row, wall)) if held_elsewhere is not None else False

        known = machine.entries
        try:
            unfinished = (
                [r for r in store.unfinished() if r.id not in known] if unfinished_too else []
            )
            dead = [r for r in store.dead() if r.id not in known]
        except Exception as exc:  # a damaged table, an I/O error: nothing taken back
            raise StoreUnreadable(str(exc)[:200] or type(exc).__name__) from exc
        back = restore_rows(unfinished, dead, decode, held)
        entries = []
        for row, job in back.unfinished:
            entry = machine.adopt(row.id, job, policy, timeout)
            entry.interrupted = True
            entries.append(entry)
            log.info("job %s (%s) was %s when Strata stopped: running it again",
                     row.id, row.name, row.state.value)  # fmt: skip
        letters = [
            DeadLetter(
                job_id=row.id,
                name=job.name,
                kind=job.kind,
                key=row.key,
                target=job.target,
                error=error,
                attempts=row.attempts,
                first_failure_at=row.updated_at,
                last_failure_at=row.updated_at,
                job=job,
                policy=policy,
                timeout=timeout,
            )
            for row, job, error in back.dead
        ]
        for row in back.held:
            log.info("job %s (%s) is held by %s: left to it", row.id, row.name, row.owner)
        report = RestoreReport(
            tuple(e.id for e in entries), tuple(x.job_id for x in letters),
            tuple(r.id for r in back.held),
        )  # fmt: skip
        return entries, letters, report


def restore(
    m: JobMachine, decode: Decode, policy: RetryPolicy, timeout: float, *, unfinished: bool = True
) -> RestoreReport:
    """`JobQueue.restore`: unfinished jobs run again under their ids
    (`JobRecord.interrupted`), unless another live Strata holds them; dead letters return
    to the dead-letter queue. A row that is not a job becomes a dead letter saying why.

    A store whose rows cannot be read at all is let go: the queue goes on in memory and
    the report's `problem` says why (the caller tells the person, once)."""
    link = m.link
    if link is None:
        return RestoreReport()
    try:
        entries, letters, report = link.restore(m, decode, policy, timeout, unfinished)
    except StoreUnreadable as exc:
        link.stop()
        m.link = None
        log.warning("job store unreadable (%s): jobs are kept in memory", str(exc))
        return RestoreReport(problem=str(exc))
    for letter in letters:
        put_dead_letter(m, letter)
    for entry in entries:
        m.enqueue(entry, replaceable=False)
        m.signals.job_added.emit(entry.record())
    if letters:
        m.signals.dead_letters_changed.emit()
    m.pump()
    m.settled()
    return report
