"""The queue writes every state change through its store, and takes jobs back at start.

A "restart" here is a second queue over the rows the first one left (a copy of a memory
store taken while jobs were pending: what a killed process leaves). The SQLite store and
real killed processes are in test_sqlstore.py and tests/faults/test_kill_jobs.py.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, JobState, RetryPolicy
from editor.jobs.persist import LEASE_SECONDS
from editor.jobs.store import MemoryJobStore, StoredJob

from .conftest import Drive, MakeQueue
from .fakes import Gate, ScriptedJob
from .stored import Board, TallyJob, tally_kinds

QUICK = RetryPolicy(max_attempts=2, base=1.0, cap=1.0)


def crashed(store: MemoryJobStore) -> MemoryJobStore:
    """What is left of a store when its process dies now."""
    copy = MemoryJobStore()
    copy._rows = dict(store._rows)
    copy._unfinished_keys = dict(store._unfinished_keys)
    copy._next = store._next
    return copy


def states(store: MemoryJobStore) -> dict[int, JobState]:
    return {r.id: r.state for r in store._rows.values()}


class Recording(MemoryJobStore):
    """A memory store that remembers every write, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[int, JobState, StoredJob]] = []

    def update(self, job_id, state, now, **fields):  # type: ignore[no-untyped-def]
        row = super().update(job_id, state, now, **fields)
        self.writes.append((job_id, state, row))
        return row


def test_every_state_change_is_written(make_queue: MakeQueue, drive: Drive) -> None:
    board = Board()
    board.fail("b", 1)  # fails once, then succeeds
    board.fail("c", 9)  # dies after its two attempts
    store = Recording()
    queue = make_queue(store=store, kinds=tally_kinds(board), policy=QUICK)
    a = queue.submit(TallyJob(board, "a"))
    b = queue.submit(TallyJob(board, "b"))
    c = queue.submit(TallyJob(board, "c"))
    drive(queue)
    seen = {i: [s for j, s, _ in store.writes if j == i] for i in (a, b, c)}
    assert seen[a] == [JobState.RUNNING, JobState.SUCCEEDED]
    assert seen[b] == [JobState.RUNNING, JobState.RETRY_SCHEDULED, JobState.QUEUED,
                       JobState.RUNNING, JobState.SUCCEEDED]  # fmt: skip
    retry = next(r for j, s, r in store.writes if j == b and s is JobState.RETRY_SCHEDULED)
    assert retry.run_after is not None and retry.error is not None
    running = next(r for j, s, r in store.writes if j == a and s is JobState.RUNNING)
    assert running.owner and running.lease_until == pytest.approx(
        running.updated_at + LEASE_SECONDS
    )
    dead = store.get(c)
    assert dead.state is JobState.DEAD and dead.attempts == 2
    assert dead.error is not None and dead.error.type == "OSError"
    assert store.get(a).envelope == {"type": "tally", "payload": {"name": "a", "count": 1}}


def test_cancel_and_discard_are_written(make_queue: MakeQueue, drive: Drive) -> None:
    board = Board()
    board.fail("x", 9)
    store = MemoryJobStore()
    queue = make_queue(store=store, kinds=tally_kinds(board), policy=QUICK, max_workers=1)
    gate = Gate()
    first = queue.submit(ScriptedJob("blocker", gate=gate))
    waiting = queue.submit(TallyJob(board, "w"))
    assert queue.cancel(waiting)
    assert store.get(waiting).state is JobState.CANCELLED
    gate.open()
    x = queue.submit(TallyJob(board, "x"))
    drive(queue)
    assert store.get(first).state is JobState.SUCCEEDED
    assert store.get(x).state is JobState.DEAD
    queue.discard_dead(x)
    with pytest.raises(KeyError):
        store.get(x)


def test_interrupted_jobs_run_again_after_a_restart(
    make_queue: MakeQueue, drive: Drive, qtbot: QtBot
) -> None:
    board = Board()
    board.gates["slow"] = threading.Event()
    board.fail("retrying", 1)
    store = MemoryJobStore()
    kinds = tally_kinds(board)
    first = make_queue(store=store, kinds=kinds, policy=RetryPolicy(max_attempts=3, base=50))
    running = first.submit(TallyJob(board, "slow"))
    retrying = first.submit(TallyJob(board, "retrying"))
    qtbot.waitUntil(lambda: states(store)[retrying] is JobState.RETRY_SCHEDULED)
    qtbot.waitUntil(lambda: states(store)[running] is JobState.RUNNING)
    left = crashed(store)  # the process dies here: one running, one waiting for a retry
    board.gates["slow"].set()

    second = make_queue(store=left, kinds=kinds)
    report = second.restore()
    assert set(report.interrupted) == {running, retrying}
    records = {r.id: r for r in second.records()}
    assert all(records[i].interrupted for i in (running, retrying))
    drive(second)
    assert states(left)[running] is JobState.SUCCEEDED
    assert states(left)[retrying] is JobState.SUCCEEDED
    assert second.record(running).interrupted
    drive(first)


def test_dead_letters_come_back_and_can_be_retried_or_discarded(
    make_queue: MakeQueue, drive: Drive
) -> None:
    board = Board()
    board.fail("d1", 2)
    board.fail("d2", 2)
    store = MemoryJobStore()
    kinds = tally_kinds(board)
    first = make_queue(store=store, kinds=kinds, policy=QUICK)
    d1 = first.submit(TallyJob(board, "d1"))
    d2 = first.submit(TallyJob(board, "d2"))
    drive(first)
    assert {x.job_id for x in first.dead_letters()} == {d1, d2}

    second = make_queue(store=crashed(store), kinds=kinds)
    report = second.restore()
    assert set(report.dead) == {d1, d2} and report.interrupted == ()
    letter = next(x for x in second.dead_letters() if x.job_id == d1)
    assert letter.error.type == "OSError" and letter.attempts == 2
    assert second.retry_dead(d1) == d1
    drive(second)
    assert board.done["d1"] == [1]
    assert second.store is not None
    assert second.store.get(d1).state is JobState.SUCCEEDED
    second.discard_dead(d2)
    with pytest.raises(KeyError):
        second.store.get(d2)


@pytest.mark.parametrize(
    ("envelope", "words"),
    [
        ({"type": "teleport", "payload": {}}, "unknown job type 'teleport'"),
        ({"type": "tally", "payload": {"name": 3}}, "payload.name: Expected `str`"),
        ({"type": "tally", "payload": {"name": "n", "pickle": "x"}}, "pickle"),
        ({"payload": {}}, "expected a job type name"),
        (None, "stored without its data"),
    ],
)
def test_a_stored_row_that_is_not_a_job_becomes_a_clear_dead_letter(
    make_queue: MakeQueue, drive: Drive, envelope: object, words: str
) -> None:
    board = Board()
    store = MemoryJobStore()
    job_id, _ = store.add(envelope, "k", 1.0, name="Mystery", kind="x")  # type: ignore[arg-type]
    if envelope is None:
        store._rows[job_id] = replace(
            store._rows[job_id], problem="the job was stored without its data"
        )
    queue = make_queue(store=store, kinds=tally_kinds(board))
    assert queue.restore().interrupted == (job_id,)
    drive(queue)
    (letter,) = queue.dead_letters()
    assert letter.job_id == job_id and letter.attempts == 1
    assert "Stored job" in letter.error.summary and words in letter.error.summary
    assert letter.error.type.endswith("StoredJobUnreadable")


def test_a_stored_dead_letter_that_is_not_a_job_says_so_when_retried(
    make_queue: MakeQueue, drive: Drive
) -> None:
    store = MemoryJobStore()
    job_id, _ = store.add({"type": "gone", "payload": {}}, "k", 1.0, name="Old", kind="gone")
    store.update(job_id, JobState.DEAD, 2.0, attempts=5)
    queue = make_queue(store=store, kinds=tally_kinds(Board()))
    queue.restore()
    (letter,) = queue.dead_letters()
    queue.retry_dead(job_id)
    drive(queue)
    (letter,) = queue.dead_letters()
    assert "unknown job type 'gone'" in letter.error.summary


def test_the_lease_is_renewed_while_a_job_runs(
    make_queue: MakeQueue, clock: FakeClock, qtbot: QtBot
) -> None:
    board = Board()
    board.gates["long"] = threading.Event()
    store = MemoryJobStore()
    queue = make_queue(store=store, kinds=tally_kinds(board), timeout=3600)
    job_id = queue.submit(TallyJob(board, "long"))
    qtbot.waitUntil(lambda: store.get(job_id).state is JobState.RUNNING)
    first = store.get(job_id).lease_until
    assert first is not None
    clock.advance(LEASE_SECONDS / 3)
    renewed = store.get(job_id).lease_until
    assert renewed is not None and renewed > first
    board.gates["long"].set()
    qtbot.waitUntil(lambda: store.get(job_id).state is JobState.SUCCEEDED)


class Unreadable(MemoryJobStore):
    """A store whose rows cannot be read (a damaged table)."""

    def unfinished(self) -> list[StoredJob]:
        raise OSError(5, "disk I/O error")


def test_a_store_that_cannot_be_read_is_let_go_and_the_queue_works_in_memory(
    make_queue: MakeQueue, drive: Drive
) -> None:
    board = Board()
    store = Unreadable()
    queue = make_queue(store=store, kinds=tally_kinds(board))
    report = queue.restore()
    assert "disk I/O error" in report.problem and report.interrupted == ()
    assert queue.store is None
    job_id = queue.submit(TallyJob(board, "a"))
    drive(queue)
    assert queue.record(job_id).state is JobState.SUCCEEDED and board.done == {"a": [1]}
    assert store._rows == {}  # nothing more was written to it


def test_a_restored_job_keeps_its_stored_key_so_a_duplicate_coalesces_into_it(
    make_queue: MakeQueue, drive: Drive
) -> None:
    board = Board()
    store = MemoryJobStore()
    job_id, _ = store.add({"type": "tally", "payload": {"name": "a"}}, "the stored key", 1.0)
    queue = make_queue(store=store, kinds=tally_kinds(board))
    assert queue.restore().interrupted == (job_id,)
    assert queue.record(job_id).key == "the stored key"
    again = TallyJob(board, "a")
    again.key = "the stored key"  # the store holds this key pending for the restored job
    assert queue.submit(again) == job_id  # coalesced, never a second entry under its id
    drive(queue)
    assert queue.record(job_id).state is JobState.SUCCEEDED and board.done == {"a": [1]}
