"""The SQLite job store: jobs kept in the per-user database, beside the journal.

The tables (``jobs``, ``job_ids``) are created by the database's own migration list
(editor/journal/store.py, schema 2: one file, one ``PRAGMA user_version``, one list of
steps), so the journal and the jobs never disagree about what version a file is at.

Threads. The queue calls this store on the GUI thread on every state change. A write
there is one tuple handed to the database's writer thread (`put`, the journal's
`Writer`: batched transactions, WAL, the WAL fsynced at most a second later on that
thread), so the GUI thread never waits for SQLite and never fsyncs. A new job's
envelope is made on the writer thread too (`Envelope` may be a function: a save's
envelope stores its snapshot file). Reads (`unfinished`, `dead`, `finished`, at start
and for the command line) use a connection of their own after a `flush`.

Ids. Job ids are unique across every process sharing the database: each store reserves
a block of ids (`job_ids`, one atomic UPDATE ... RETURNING) and hands them out from
memory; the next block is fetched on the writer thread before this one runs out.

Keys. A partial unique index on ``key`` among unfinished rows enforces the idempotency
key across processes: a second process's insert with a pending key is ignored (its job
still runs, unstored), and a dead letter retried while another job with its key is
pending stays dead in the table (``UPDATE OR IGNORE``).

Leases. RUNNING rows carry the owner process (``host:pid:start``) and ``lease_until``;
`renew` extends every lease this process holds (the queue calls it while jobs run). At
start, a row whose owner still lives is left to it (`held_elsewhere`).

Released work. A job that will never run again (succeeded, cancelled, discarded, pruned)
may leave files behind that only it needed (a save's snapshot). `release(envelopes,
in_use)` is told of such jobs on the writer thread, with `in_use(text)` saying whether a
job that may still run (unfinished or dead) has `text` in its envelope; `sweep` hands it
every envelope that may still run, once (at start), to clear what a killed run left.

Bounds. At most `keep_finished` succeeded/cancelled rows and `keep_dead` dead letters are
kept: every `PRUNE_EVERY` finishes (and when opened) the oldest beyond are deleted on the
writer thread, and each dead letter dropped is logged (WARNING, ``editor.jobs.store``).

tests/jobs/test_sqlstore.py.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from editor.jobs.job import JobError, JobId, JobState
from editor.jobs.store import FINISHED, KEEP_DEAD, KEEP_FINISHED, Envelope, RowWritten, StoredJob

log = logging.getLogger("editor.jobs.store")

#: A write for the writer thread: SQL and parameters, or a function of the connection.
Op = tuple[str, tuple[Any, ...]] | Callable[[sqlite3.Connection], None]
#: Told (writer thread) of envelopes of jobs that will not run again, with `in_use(text)`.
Release = Callable[[list[dict[str, Any]], Callable[[str], bool]], object]
#: Told (writer thread) of every envelope that may still run, and a grace in seconds.
Sweep = Callable[[list[dict[str, Any]], float], object]
#: Told (writer thread, inside the insert's transaction) of a new job's id and envelope.
Added = Callable[[sqlite3.Connection, JobId, dict[str, Any], float], None]

ID_BLOCK = 1000
PRUNE_EVERY = 200
#: Seconds a RUNNING row is held by its owner without a renewal.
LEASE_SECONDS = 60.0

_STATES = {state.value: state for state in JobState}
_UNFINISHED_SQL = "('queued', 'running', 'retry scheduled')"
_MAY_RUN_SQL = "('queued', 'running', 'retry scheduled', 'dead')"
_COLUMNS = (
    "id, envelope, key, state, attempts, run_after, error, updated, name, kind, target,"
    " owner, lease_until, created"
)
_INSERT = (
    "INSERT OR IGNORE INTO jobs (id, envelope, key, state, attempts, name, kind, target,"
    " owner, created, updated) VALUES (?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?)"
)
_UPDATE = (
    "UPDATE OR IGNORE jobs SET state = ?, attempts = COALESCE(?, attempts), run_after = ?,"
    " error = COALESCE(?, error), owner = ?, lease_until = ?, updated = ? WHERE id = ?"
)


_CLAIM = (
    "UPDATE jobs SET state = 'queued', attempts = 0, run_after = NULL, owner = ?,"
    " lease_until = NULL, updated = ? WHERE id = ? AND state = 'dead'"
)


class Claimed:
    """What the first attempt of a retried dead letter waits for: the claim's commit;
    `lost` once it is known that another process took the row first."""

    __slots__ = ("_event", "_id", "_lost")

    def __init__(self, event: RowWritten, lost: set[JobId], job_id: JobId) -> None:
        self._event, self._lost, self._id = event, lost, job_id

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)

    @property
    def lost(self) -> bool:
        return self._id in self._lost


def reserve_ids(conn: sqlite3.Connection, count: int = ID_BLOCK) -> range:
    """Take the next `count` job ids for this process (one atomic statement)."""
    row = conn.execute("UPDATE job_ids SET next = next + ? RETURNING next", (count,)).fetchone()
    end = int(row[0])
    return range(end - count, end)


def error_json(error: JobError | None) -> str | None:
    if error is None:
        return None
    return json.dumps({
        "type": error.type, "message": error.message, "traceback": error.traceback,
        "timed_out": error.timed_out, "retryable": error.retryable,
        "summary": error.summary, "errno": error.errno,
    })  # fmt: skip


def error_from_json(text: str | None) -> JobError | None:
    if not text:
        return None
    try:
        data = json.loads(text)
        return JobError(
            str(data["type"]), str(data["message"]), str(data.get("traceback", "")),
            bool(data.get("timed_out", False)), bool(data.get("retryable", True)),
            str(data.get("summary", "")),
            data["errno"] if isinstance(data.get("errno"), int) else None,
        )  # fmt: skip
    except (ValueError, KeyError, TypeError):
        return JobError("JobDataError", f"the stored error could not be read: {text[:80]!r}", "")


class SqliteJobStore:
    """A `JobStore` in the per-user database (tables made by its migrations)."""

    def __init__(
        self,
        read: sqlite3.Connection,
        put: Callable[[Op], None],
        flush: Callable[[float], bool],
        *,
        owner: str,
        alive: Callable[[str | None], bool] = lambda owner: False,
        keep_finished: int = KEEP_FINISHED,
        keep_dead: int = KEEP_DEAD,
        clock: Callable[[], float] = time.time,
        release: Release | None = None,
        mark: Callable[[], RowWritten | None] | None = None,
        after_commit: Callable[[Callable[[], None]], None] | None = None,
        on_added: Added | None = None,
    ) -> None:
        """`read`: a connection for reads (and the first id block); `put`, `flush`: the
        database writer's (editor.journal.writer.Writer); `owner`: this process;
        `alive(owner)`: whether a process named so still runs (editor.journal.owner);
        `release`: told of jobs that will not run again (see the module notes).
        `mark`: the writer's "tell me when this is committed" (see `written`).
        `after_commit`: the writer's "run this once the batch is committed": released
        files are removed only then (else at once).
        `on_added(conn, id, envelope, now)`: runs in the transaction that inserts a new
        job's row (the save outbox: the journal's record of the save goes in with it).

        Raises sqlite3.Error when the tables cannot be read or the first block of ids
        cannot be reserved (tables missing or damaged, the database locked): the caller
        keeps jobs in memory.
        """
        self._read = read
        self._put = put
        self._flush = flush
        self.owner = owner
        self._alive = alive
        self.keep_finished = keep_finished
        self.keep_dead = keep_dead
        self._clock = clock
        self._finishes = 0
        self._release = Releaser(release, after_commit) if release is not None else None
        self._mark = mark
        self._on_added = on_added
        #: Dead letters this process tried to retry and another took first (writer thread
        #: adds; a set's add and `in` are atomic).
        self._lost: set[JobId] = set()
        self._claimed: set[JobId] = set()
        self._written: dict[JobId, RowWritten] = {}
        self._read.execute(f"SELECT {_COLUMNS} FROM jobs LIMIT 0")  # every column there
        self._ids = IdBlocks(read, put)
        self._put(self._prune_op())

    # ---------------------------------------------------------------- writes
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
        job_id = self._ids.new_id()
        owner, on_added = self.owner, self._on_added

        def op(conn: sqlite3.Connection) -> None:  # on the writer thread
            made: dict[str, Any] | None = None
            try:
                made = envelope() if callable(envelope) else envelope
                text: str | None = json.dumps(made)
            except Exception as exc:  # a job no kind can describe: kept, unreadable
                log.warning("job %s (%s) has no envelope: %s", job_id, name, str(exc))
                text, made = None, None
            added = conn.execute(_INSERT, (job_id, text, key, name, kind, target, owner,
                                           now, now)).rowcount  # fmt: skip
            if not added:  # the partial unique index: another process has the key pending
                log.warning("job %s (%s) is not stored: a job with its key is pending in "
                            "another process; it runs here unstored", job_id, name)  # fmt: skip
            elif on_added is not None and made is not None:
                on_added(conn, job_id, made, now)  # the same transaction as the row

        self._put(op)
        if self._mark is not None:
            event = self._mark()
            if event is not None:
                self._written[job_id] = event
        return job_id, True

    def written(self, job_id: JobId) -> RowWritten | None:
        """Set once a new job's row is committed (then forgotten); None if nothing is
        pending. The first attempt waits for it on its worker thread: a job's side
        effects never start before the store knows the job, so a kill cannot leave a
        half-written temp file of a job nobody will run again."""
        return self._written.pop(job_id, None)

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
    ) -> None:
        final = state.is_final
        params = (
            state.value, attempts,
            run_after if state is JobState.RETRY_SCHEDULED else None,
            error_json(error) if error is not None else None,
            None if final else (owner or self.owner),
            lease_until if state is JobState.RUNNING else None,
            now, job_id,
        )  # fmt: skip
        release = self._release if state in FINISHED else None
        claimed = job_id in self._claimed
        if release is not None or claimed:
            lost = self._lost

            def op(conn: sqlite3.Connection) -> None:
                if claimed and job_id in lost:  # decided by the claim before this op ran
                    return  # another Strata retried it first: the row is its
                conn.execute(_UPDATE, params)
                if release is not None:  # it will not run again
                    release.released(conn, [job_id])

            self._put(op)
        else:
            self._put((_UPDATE, params))
        if final:
            self._claimed.discard(job_id)
            self._written.pop(job_id, None)  # ended before an attempt asked (cancelled)
            self._finishes += 1
            if self._finishes % PRUNE_EVERY == 0:
                self._put(self._prune_op())

    def claim(self, job_id: JobId, now: float, owner: str) -> None:
        """See JobStore.claim. Decided on the writer thread, in one statement (two
        processes' claims are serialised by SQLite: exactly one finds the row dead); the
        first attempt waits for the decision (`written`), and a lost claim does not run."""
        lost = self._lost
        lost.discard(job_id)
        self._claimed.add(job_id)  # its later updates are written only if the claim held

        def op(conn: sqlite3.Connection) -> None:
            if not conn.execute(_CLAIM, (owner, now, job_id)).rowcount:
                lost.add(job_id)
                log.info("job %s was retried or discarded by another Strata first: it does "
                         "not run here", job_id)  # fmt: skip

        self._put(op)
        if self._mark is not None:
            event = self._mark()
            if event is not None:
                self._written[job_id] = Claimed(event, lost, job_id)

    def lost(self, job_id: JobId) -> bool:
        return job_id in self._lost

    def renew(self, owner: str, until: float) -> None:
        self._put(("UPDATE jobs SET lease_until = ? WHERE owner = ? AND state = 'running'",
                   (until, owner)))  # fmt: skip

    def remove(self, job_ids: Iterable[JobId]) -> None:
        ids, release = list(job_ids), self._release
        if ids:

            def op(conn: sqlite3.Connection) -> None:
                texts = release.envelopes(conn, ids) if release is not None else []
                conn.executemany("DELETE FROM jobs WHERE id = ?", [(i,) for i in ids])
                if release is not None:
                    release.released_texts(conn, texts)

            self._put(op)

    def prune(self, keep_finished: int, keep_dead: int) -> list[JobId]:
        """Prune now and wait for it (the command line; the queue prunes in the
        background)."""
        dropped: list[JobId] = []
        self._put(self._prune_op(keep_finished, keep_dead, dropped))
        self.flush()
        return sorted(dropped)

    def _prune_op(
        self,
        keep_finished: int | None = None,
        keep_dead: int | None = None,
        out: list[JobId] | None = None,
    ) -> Op:
        finished = self.keep_finished if keep_finished is None else keep_finished
        dead = self.keep_dead if keep_dead is None else keep_dead
        states = ", ".join(f"'{s.value}'" for s in FINISHED)

        def op(conn: sqlite3.Connection) -> None:
            gone = [r[0] for r in conn.execute(
                f"SELECT id FROM jobs WHERE state IN ({states}) ORDER BY updated DESC,"
                " id DESC LIMIT -1 OFFSET ?", (finished,))]  # fmt: skip
            letters = conn.execute(
                "SELECT id, name, key, error FROM jobs WHERE state = 'dead'"
                " ORDER BY updated DESC, id DESC LIMIT -1 OFFSET ?",
                (dead,),
            ).fetchall()
            for job_id, name, _key, error in letters:
                why = error_from_json(error)
                log.warning(
                    "job store full (%d dead letters): dropped dead letter %s %r (%s)",
                    dead,
                    job_id,
                    name,
                    why.message if why else "no error kept",
                )
            gone += [r[0] for r in letters]
            release = self._release
            texts = release.envelopes(conn, gone) if release is not None else []
            conn.executemany("DELETE FROM jobs WHERE id = ?", [(i,) for i in gone])
            if release is not None:
                release.released_texts(conn, texts)
            if out is not None:
                out.extend(gone)

        return op

    def flush(self, timeout: float = 10.0) -> bool:
        return self._flush(timeout)

    def close(self) -> None:
        """Close the read connection (after the writer has taken its last writes)."""
        self._read.close()

    def sweep(self, sweep: Sweep, grace: float) -> None:
        """Hand `sweep` every envelope that may still run (on the writer thread)."""

        def op(conn: sqlite3.Connection) -> None:
            texts = [str(r[0]) for r in conn.execute(
                f"SELECT envelope FROM jobs WHERE state IN {_MAY_RUN_SQL}"
                " AND envelope IS NOT NULL ORDER BY id")]  # fmt: skip
            try:
                sweep(_parsed(texts), grace)
            except Exception as exc:
                log.warning("job store: sweeping files no job needs failed: %r", str(exc))

        self._put(op)

    # ----------------------------------------------------------------- reads
    def _rows(self, where: str, params: tuple[Any, ...] = (), tail: str = "") -> list[StoredJob]:
        self.flush()
        sql = f"SELECT {_COLUMNS} FROM jobs WHERE {where} ORDER BY id{tail}"
        return [_row(r) for r in self._read.execute(sql, params)]

    def get(self, job_id: JobId) -> StoredJob:
        rows = self._rows("id = ?", (job_id,))
        if not rows:
            raise KeyError(job_id)
        return rows[0]

    def unfinished(self) -> list[StoredJob]:
        known = ", ".join(f"'{s.value}'" for s in JobState)
        # A state no Strata wrote is unfinished work gone wrong: listed, to die clearly.
        return self._rows(f"state IN {_UNFINISHED_SQL} OR state NOT IN ({known})")

    def dead(self) -> list[StoredJob]:
        return self._rows("state = 'dead'")

    def finished(self, limit: int = KEEP_FINISHED) -> list[StoredJob]:
        states = ", ".join(f"'{s.value}'" for s in FINISHED)
        self.flush()
        rows = self._read.execute(
            f"SELECT {_COLUMNS} FROM jobs WHERE state IN ({states})"
            " ORDER BY updated DESC, id DESC LIMIT ?", (limit,)).fetchall()  # fmt: skip
        return [_row(r) for r in reversed(rows)]

    def held_elsewhere(self, row: StoredJob, now: float) -> bool:
        """True when another live process holds this unfinished job (leave it to it)."""
        if row.owner is None or row.owner == self.owner or not self._alive(row.owner):
            return False
        if row.state is JobState.RUNNING and row.lease_until is not None:
            return row.lease_until > now or _same_host(row.owner)
        return True


class IdBlocks:
    """Job ids unique across processes: blocks reserved in the database (`job_ids`),
    handed out from memory; the next block is fetched on the writer thread before this
    one runs out."""

    def __init__(self, read: sqlite3.Connection, put: Callable[[Op], None]) -> None:
        """Reserves the first block here (sqlite3.Error if it cannot)."""
        self._read = read
        self._put = put
        self._next_ids: deque[range] = deque()  # filled on the writer thread
        self._current: Iterator[int] = iter(())
        self._left = 0
        self._fetching = False
        self._lock = threading.Lock()
        self._end = 0  # the end of the last block taken
        self._take(self._reserve_here())

    def _take(self, block: range) -> None:
        self._current = iter(block)
        self._left = len(block)
        self._end = block.stop

    def _reserve_here(self) -> range:
        """Reserve a block on the calling thread (at start, or when the writer has not)."""
        self._read.execute("BEGIN IMMEDIATE")
        try:
            block = reserve_ids(self._read)
            self._read.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._read.execute("ROLLBACK")
            raise
        return block

    def new_id(self) -> JobId:
        if self._left <= ID_BLOCK // 2 and not self._fetching:
            self._fetching = True
            self._put(self._fetch_op)
        if self._left == 0:
            with self._lock:
                block = self._next_ids.popleft() if self._next_ids else None
            if block is None:  # the writer has not fetched one yet: take one here
                try:
                    block = self._reserve_here()
                except sqlite3.Error as exc:
                    # The database stopped working (its writer stops too, and says so):
                    # go on with ids of our own; nothing more reaches the table anyway.
                    log.warning("job store: cannot reserve job ids (%s); going on unstored",
                                str(exc))  # fmt: skip
                    block = range(self._end, self._end + ID_BLOCK)
            else:
                self._fetching = False
            self._take(block)
        self._left -= 1
        return next(self._current)

    def _fetch_op(self, conn: sqlite3.Connection) -> None:
        block = reserve_ids(conn)
        with self._lock:
            self._next_ids.append(block)


class Releaser:
    """Removes the files of jobs that will not run again (a save's snapshot), on the
    writer thread, once the rows saying so are committed: a kill between removing a
    snapshot and committing its job's finish left a job that ran again without it."""

    __slots__ = ("_after_commit", "_release")

    def __init__(
        self, release: Release, after_commit: Callable[[Callable[[], None]], None] | None
    ) -> None:
        self._release = release
        self._after_commit = after_commit

    def envelopes(self, conn: sqlite3.Connection, ids: list[JobId]) -> list[str]:
        return _envelopes(conn, ids)

    def released(self, conn: sqlite3.Connection, ids: list[JobId]) -> None:
        self.released_texts(conn, _envelopes(conn, ids))

    def released_texts(self, conn: sqlite3.Connection, texts: list[str]) -> None:
        if not texts:
            return
        release = self._release

        def in_use(text: str) -> bool:
            return conn.execute(
                f"SELECT 1 FROM jobs WHERE state IN {_MAY_RUN_SQL} AND instr(envelope, ?) > 0"
                " LIMIT 1", (text,)).fetchone() is not None  # fmt: skip

        def run() -> None:
            try:
                release(_parsed(texts), in_use)
            except Exception as exc:  # never the writer's failure: the rows matter
                # The message, not the exception: a record keeps an exception's frames.
                log.warning("job store: releasing finished jobs' files failed: %r", str(exc))

        if self._after_commit is not None:
            self._after_commit(run)
        else:
            run()


def _envelopes(conn: sqlite3.Connection, ids: list[JobId]) -> list[str]:
    """The stored envelopes (JSON text) of these jobs."""
    out = []
    for job_id in ids:
        row = conn.execute("SELECT envelope FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is not None and row[0]:
            out.append(str(row[0]))
    return out


def _parsed(texts: list[str]) -> list[dict[str, Any]]:
    out = []
    for text in texts:
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            out.append(value)
    return out


def _same_host(owner: str) -> bool:
    import socket  # noqa: PLC0415

    return owner.rsplit(":", 2)[0] == socket.gethostname()


def _row(r: tuple[Any, ...]) -> StoredJob:
    (job_id, text, key, state_text, attempts, run_after, error, updated, name, kind,
     target, owner, lease_until, created) = r  # fmt: skip
    problem = ""
    envelope: dict[str, Any] | None = None
    if text is None:
        problem = "the job was stored without its data"
    else:
        try:
            value = json.loads(text)
            if isinstance(value, dict):
                envelope = value
            else:
                problem = "the stored job data is not an object"
        except ValueError:
            problem = f"the stored job data is not JSON ({str(text)[:40]!r})"
    state = _STATES.get(state_text)
    if state is None:
        problem = problem or f"unknown stored state {str(state_text)[:40]!r}"
        state = JobState.QUEUED
    return StoredJob(
        int(job_id), envelope, str(key), state, int(attempts or 0), run_after,
        error_from_json(error), float(updated or 0.0), str(name or ""), str(kind or ""),
        target, owner, lease_until, float(created or 0.0), problem,
    )  # fmt: skip
