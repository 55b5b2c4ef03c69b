"""The SQLite job store in the per-user database (the journal's file, its own tables)."""

from __future__ import annotations

import logging
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from editor.jobs import JobError, JobState, RetryPolicy
from editor.jobs.sqlstore import ID_BLOCK, SqliteJobStore
from editor.journal import owner as owners
from editor.journal.store import SCHEMA_VERSION, connect, open_database
from editor.journal.writer import Writer

from .conftest import Drive, MakeQueue
from .stored import Board, TallyJob, tally_kinds

OpenStore = Callable[..., SqliteJobStore]


@pytest.fixture
def open_store(tmp_path: Path) -> Iterator[OpenStore]:
    """`open_store(owner=...)`: a store on tmp_path/journal.sqlite3 (one writer each)."""
    writers: list[Writer] = []
    db = tmp_path / "journal.sqlite3"

    def make(owner: str = "host:1:1", *, marked: bool = False,
             **options: object) -> SqliteJobStore:  # fmt: skip
        """`marked`: first attempts wait for their row (the writer's marks), as in the app."""
        write, problem = open_database(db)
        assert write is not None, problem
        writer = Writer(write, db.with_name(db.name + "-wal"), lambda why: None)
        writers.append(writer)
        if marked:
            options["mark"] = writer.mark
        return SqliteJobStore(connect(db), writer.put, writer.flush, owner=owner, **options)  # type: ignore[arg-type]

    yield make
    for writer in writers:
        writer.close()


def test_the_tables_are_a_step_of_the_journals_migrations(tmp_path: Path) -> None:
    conn, problem = open_database(tmp_path / "j.sqlite3")
    assert conn is not None and problem is None
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"documents", "entries", "bases", "jobs", "job_ids"} <= tables


def test_a_version_1_journal_gains_the_job_tables_and_keeps_its_rows(tmp_path: Path) -> None:
    from editor.journal.store import MIGRATIONS, _statements  # noqa: PLC0415

    path = tmp_path / "old.sqlite3"
    old = connect(path)
    for statement in _statements(MIGRATIONS[1]):
        old.execute(statement)
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO documents VALUES ('d', NULL, 'x', 'closed', NULL, 1, 1)")
    old.close()
    conn, problem = open_database(path)
    assert conn is not None and problem is None
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM jobs").fetchone()[0] == 0


def test_every_state_change_is_stored(open_store: OpenStore) -> None:
    store = open_store()
    job_id, added = store.add({"type": "t", "payload": {}}, "k", 1.0, name="N", kind="t")
    assert added
    store.update(job_id, JobState.RUNNING, 2.0, attempts=1, lease_until=62.0)
    row = store.get(job_id)
    assert row.state is JobState.RUNNING and row.owner == "host:1:1" and row.lease_until == 62.0
    store.update(job_id, JobState.RETRY_SCHEDULED, 3.0, attempts=1, run_after=4.5,
                 error=JobError("OSError", "boom", "tb", errno=5))  # fmt: skip
    row = store.get(job_id)
    assert row.run_after == 4.5 and row.lease_until is None and row.error is not None
    assert row.error.errno == 5 and store.unfinished() == [row]
    store.update(job_id, JobState.DEAD, 5.0, attempts=5,
                 error=JobError("OSError", "final", "Traceback ...", summary="Gone."))  # fmt: skip
    (dead,) = store.dead()
    assert dead.error is not None and dead.error.message == "final"
    assert dead.error.traceback == "Traceback ..." and dead.error.summary == "Gone."
    assert dead.attempts == 5 and dead.owner is None and store.unfinished() == []


def test_an_envelope_made_by_a_function_is_made_on_the_writer_thread(open_store: OpenStore) -> None:
    store = open_store()
    threads: list[int] = []

    def make() -> dict[str, object]:
        threads.append(threading.get_ident())
        return {"type": "t", "payload": {"n": 1}}

    job_id, _ = store.add(make, "k", 1.0)
    assert store.get(job_id).envelope == {"type": "t", "payload": {"n": 1}}
    assert threads and threads[0] != threading.get_ident()


def test_ids_are_unique_across_processes_sharing_the_database(open_store: OpenStore) -> None:
    a, b = open_store("h:1:1"), open_store("h:2:2")
    ids = [s.add({"type": "t"}, f"{n}", 1.0)[0] for n in range(ID_BLOCK * 2 + 10) for s in (a, b)]
    assert len(set(ids)) == len(ids)


def test_the_key_is_unique_among_unfinished_rows_across_processes(
    open_store: OpenStore, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = open_store("h:1:1"), open_store("h:2:2")
    first, _ = a.add({"type": "t"}, "same", 1.0)
    a.flush()
    with caplog.at_level(logging.WARNING, "editor.jobs.store"):
        second, _ = b.add({"type": "t"}, "same", 1.0, name="dup")  # ignored: a has it
        b.flush()
    assert f"job {second} (dup) is not stored: a job with its key is pending" in caplog.text
    assert [r.id for r in a.unfinished()] == [first]
    a.update(first, JobState.DEAD, 2.0)
    a.flush()
    third, _ = b.add({"type": "t"}, "same", 3.0)
    assert [r.id for r in b.unfinished()] == [third]
    b.flush()
    a.update(first, JobState.QUEUED, 4.0)  # a retry of the dead one would duplicate: refused
    assert a.get(first).state is JobState.DEAD
    assert second not in {r.id for r in a.dead() + a.unfinished()}


def test_bounded_the_oldest_beyond_the_limits_go_and_dropped_dead_letters_are_logged(
    open_store: OpenStore, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(keep_finished=3, keep_dead=2)
    ids = [store.add({"type": "t"}, f"k{n}", float(n), name=f"job {n}")[0] for n in range(10)]
    for n, job_id in enumerate(ids):
        state = JobState.SUCCEEDED if n % 2 else JobState.DEAD
        store.update(job_id, state, 10.0 + n, error=JobError("E", f"m{n}", ""))
    with caplog.at_level(logging.WARNING, "editor.jobs.store"):
        dropped = store.prune(store.keep_finished, store.keep_dead)
    assert dropped == sorted([ids[1], ids[3], ids[0], ids[2], ids[4]])
    assert [r.id for r in store.finished()] == [ids[5], ids[7], ids[9]]
    assert [r.id for r in store.dead()] == [ids[6], ids[8]]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "job 0" in logged and "m4" in logged and "job 1'" not in logged


def test_rows_that_were_tampered_with_are_read_with_a_problem(
    open_store: OpenStore, tmp_path: Path
) -> None:
    store = open_store()
    good, _ = store.add({"type": "t"}, "a", 1.0)
    bad_json, _ = store.add({"type": "t"}, "b", 1.0)
    odd_state, _ = store.add({"type": "t"}, "c", 1.0)
    store.flush()
    conn = sqlite3.connect(tmp_path / "journal.sqlite3")
    conn.execute("UPDATE jobs SET envelope = '{nope' WHERE id = ?", (bad_json,))
    conn.execute("UPDATE jobs SET state = 'exploded', error = 'x' WHERE id = ?", (odd_state,))
    conn.commit()
    rows = {r.id: r for r in store.unfinished()}
    assert rows[good].problem == ""
    assert "not JSON" in rows[bad_json].problem and rows[bad_json].envelope is None
    assert "exploded" in rows[odd_state].problem
    assert (
        rows[odd_state].error is not None and "could not be read" in rows[odd_state].error.message
    )


def test_a_lease_held_by_a_live_process_is_left_to_it(open_store: OpenStore) -> None:
    me = owners.this_process()
    store = open_store(owner="elsewhere:1:1", alive=owners.is_alive)
    job_id, _ = store.add({"type": "t"}, "k", 1.0)
    store.update(job_id, JobState.RUNNING, 2.0, owner=me, lease_until=1e12)
    (row,) = store.unfinished()
    assert store.held_elsewhere(row, 3.0)  # this very process holds it and lives
    gone = f"{socket.gethostname()}:999999999:1"
    store.update(job_id, JobState.RUNNING, 2.0, owner=gone, lease_until=1e12)
    (row,) = store.unfinished()
    assert not store.held_elsewhere(row, 3.0)  # that process is gone
    store.update(job_id, JobState.RUNNING, 2.0, owner="far:1:1", lease_until=100.0)
    (row,) = store.unfinished()
    assert store.held_elsewhere(row, 99.0)  # another machine: its lease decides
    assert not store.held_elsewhere(row, 101.0)


def test_a_restart_over_the_database_runs_interrupted_jobs_and_keeps_dead_letters(
    open_store: OpenStore, make_queue: MakeQueue, drive: Drive, qtbot: QtBot
) -> None:
    board = Board()
    board.fail("dies", 9)
    board.gates["slow"] = threading.Event()
    kinds = tally_kinds(board)
    policy = RetryPolicy(max_attempts=2, base=1.0, cap=1.0)
    first_store = open_store("h:1:1")
    first = make_queue(store=first_store, kinds=kinds, policy=policy)
    slow = first.submit(TallyJob(board, "slow"))
    dies = first.submit(TallyJob(board, "dies"))
    qtbot.waitUntil(lambda: first.record(dies).state is JobState.RETRY_SCHEDULED)
    first.log.flush()
    drive_once = first.record(slow).state
    assert drive_once is JobState.RUNNING
    first_store.flush()
    # A second process (the first one's owner is not alive: it "died") takes over.
    second = make_queue(store=open_store("h:2:2"), kinds=kinds, policy=policy)
    report = second.restore()
    assert set(report.interrupted) == {slow, dies}
    board.gates["slow"].set()
    drive(second)
    assert second.record(slow).state is JobState.SUCCEEDED
    assert second.record(dies).state is JobState.DEAD
    third = make_queue(store=open_store("h:3:3"), kinds=kinds)
    assert third.restore().dead == (dies,)
    board.fails["dies"] = 0
    third.retry_dead(dies)
    drive(third)
    assert third.record(dies).state is JobState.SUCCEEDED
    drive(first)


def test_finished_discarded_and_pruned_jobs_are_released_once_nothing_else_needs_them(
    open_store: OpenStore,
) -> None:
    released: list[tuple[list[object], bool]] = []

    def release(envelopes: list[dict[str, object]], in_use: Callable[[str], bool]) -> None:
        released.append(([e["payload"] for e in envelopes], in_use("shared")))

    store = open_store(release=release, keep_dead=1)
    a, _ = store.add({"type": "t", "payload": "shared"}, "a", 1.0)
    b, _ = store.add({"type": "t", "payload": "shared"}, "b", 1.0)
    c, _ = store.add({"type": "t", "payload": "c"}, "c", 1.0)
    d, _ = store.add({"type": "t", "payload": "d"}, "d", 1.0)
    store.update(a, JobState.SUCCEEDED, 2.0)
    store.flush()
    assert released == [(["shared"], True)]  # b still needs what a needed
    store.update(b, JobState.DEAD, 3.0)  # dead: may be retried, nothing released
    store.update(c, JobState.DEAD, 4.0)
    store.update(d, JobState.DEAD, 5.0)
    store.flush()
    assert len(released) == 1
    store.remove([d])
    store.flush()
    assert released[-1] == (["d"], True)  # b (dead) still has "shared"
    assert store.prune(10, 1) == [b]  # the oldest dead letter beyond one
    assert released[-1] == (["shared"], False)


def test_a_sweep_sees_every_envelope_that_may_still_run(open_store: OpenStore) -> None:
    seen: list[tuple[list[dict[str, object]], float]] = []
    store = open_store()
    kept = [store.add({"type": "t", "payload": n}, f"k{n}", 1.0)[0] for n in range(4)]
    store.update(kept[1], JobState.DEAD, 2.0)
    store.update(kept[2], JobState.SUCCEEDED, 2.0)
    store.update(kept[3], JobState.RUNNING, 2.0)
    store.sweep(lambda envelopes, grace: seen.append((envelopes, grace)), 60.0)
    store.flush()
    assert seen == [([{"type": "t", "payload": n} for n in (0, 1, 3)], 60.0)]


def test_a_store_whose_tables_cannot_be_read_refuses_to_open(
    open_store: OpenStore, tmp_path: Path
) -> None:
    open_store().flush()
    conn = sqlite3.connect(tmp_path / "journal.sqlite3")
    conn.execute("DROP TABLE job_ids")
    conn.commit()
    conn.close()
    with pytest.raises(sqlite3.OperationalError, match="job_ids"):
        open_store()


def test_ids_go_on_when_the_database_stops_giving_them(open_store: OpenStore) -> None:
    store = open_store()
    first = [store.add({"type": "t"}, f"k{n}", 1.0)[0] for n in range(ID_BLOCK // 2 - 1)]
    store.flush()
    ids = store._ids
    ids._read.close()  # the database went away (the writer has failed too)
    ids._read = sqlite3.connect(":memory:")
    ids._next_ids.clear()
    ids._fetching = True  # the writer never fetched the next block
    more = [store.add({"type": "t"}, f"m{n}", 1.0)[0] for n in range(ID_BLOCK)]
    assert len(set(first + more)) == len(first) + len(more)


def test_a_batch_that_reads_first_keeps_the_write_lock_another_connection_cannot_take(
    tmp_path: Path,
) -> None:
    """The writer begins IMMEDIATE: with a deferred BEGIN, an op that reads before it
    writes (prune, remove) started as a reader, and a write by another connection in
    between made its upgrade fail at once with "database is locked", which stopped the
    writer for the rest of the run (seen under a burst of jobs, bench_job_store.py)."""
    db = tmp_path / "journal.sqlite3"
    write, problem = open_database(db)
    assert write is not None, problem
    problems: list[str] = []
    writer = Writer(write, db.with_name(db.name + "-wal"), problems.append)
    other = connect(db, timeout_ms=50)
    meanwhile: list[str] = []

    def reads_then_writes(conn: sqlite3.Connection) -> None:
        conn.execute("SELECT count(*) FROM jobs").fetchone()
        try:  # another process (or the store's own read connection) writes now
            other.execute("UPDATE job_ids SET next = next + 1")
            meanwhile.append("the other connection wrote")
        except sqlite3.OperationalError as exc:
            meanwhile.append(str(exc))
        conn.execute("DELETE FROM jobs WHERE id = -1")

    try:
        writer.put(reads_then_writes)
        assert writer.flush(10)
        assert problems == [] and writer.failed is None
        assert meanwhile == ["database is locked"]  # it waited for the writer instead
    finally:
        writer.close()
        other.close()


def test_two_processes_retrying_one_dead_letter_run_it_once(
    open_store: OpenStore, make_queue: MakeQueue, drive: Drive
) -> None:
    """Both restore the same dead letter and both press Retry: the row is claimed in one
    statement (still dead?), so exactly one runs it; the other ends it as cancelled,
    "retried or discarded in another Strata first", and leaves the winner's row alone (both used to
    run it, and the row ended as whichever wrote last)."""
    board = Board()
    board.fail("once", 1)
    kinds = tally_kinds(board)
    policy = RetryPolicy(max_attempts=1)
    first_store = open_store("h:1:1")
    first = make_queue(store=first_store, kinds=kinds, policy=policy)
    dead = first.submit(TallyJob(board, "once"))
    drive(first)
    assert first.record(dead).state is JobState.DEAD
    first_store.flush()
    stores = [open_store("h:2:2", marked=True), open_store("h:3:3", marked=True)]
    queues = [make_queue(store=store, kinds=kinds, policy=policy) for store in stores]
    for queue in queues:
        assert queue.restore().dead == (dead,)
    for queue in queues:
        queue.retry_dead(dead)
    for queue in queues:
        drive(queue)
    assert board.done == {"once": [1]}  # ran once, in one of them
    ended = sorted((q.record(dead).state.value, q.record(dead).reason) for q in queues)
    assert ended == [
        ("cancelled", "retried or discarded in another Strata first"),
        ("succeeded", ""),
    ]
    for store in stores:
        store.flush()
    assert stores[0].get(dead).state is JobState.SUCCEEDED  # the loser did not overwrite it
    for queue in queues:
        assert queue.dead_letters() == ()
