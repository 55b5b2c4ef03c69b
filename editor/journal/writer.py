"""The journal's writer thread: the GUI thread queues, this thread writes and syncs.

The GUI thread's cost per history change is building one small tuple and a
`SimpleQueue.put` (see bench/bench_journal.py); it never waits for SQLite and never
fsyncs. This thread takes everything queued, writes it in one transaction (a commit is
a write into the WAL: from then on a killed Strata loses none of it) and fsyncs the WAL
at most `SYNC_SECONDS` after a commit (from then on a power cut loses none of it either).
Under a burst, the batch is whatever was queued while the last commit ran, so the
commit rate adapts and the delay from push to commit stays a few milliseconds.

The first failure (a full disk, the database locked for longer than the busy timeout,
damage found while writing) stops the writing for this run and is reported once through
`on_problem`; what was committed before stays a consistent prefix of the history.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

log = logging.getLogger(__name__)

#: A power cut loses at most the changes of this many seconds (WAL fsync interval).
SYNC_SECONDS = 1.0

#: A write: SQL and its parameters, or a function run with the connection (on this thread).
Op = tuple[str, tuple[Any, ...]] | Callable[[sqlite3.Connection], None]


class _Done:
    """How many queued ops the writer has finished with (committed, or dropped once the
    writing stopped), and a condition to wait on it."""

    __slots__ = ("cond", "count")

    def __init__(self) -> None:
        self.count = 0
        self.cond = threading.Condition(threading.Lock())

    def advance(self, count: int) -> None:
        with self.cond:
            self.count = count
            self.cond.notify_all()


class Mark:
    """Set once the first `n` ops queued are committed (`Writer.mark`). A counter, not a
    threading.Event per mark: making an Event costs ~8 us, and the job store asks for
    one per job on the GUI thread (bench/bench_job_store.py)."""

    __slots__ = ("_done", "_n")

    def __init__(self, done: _Done, n: int) -> None:
        self._done = done
        self._n = n

    def is_set(self) -> bool:
        return self._done.count >= self._n

    def wait(self, timeout: float | None = None) -> bool:
        done, n = self._done, self._n
        if done.count >= n:
            return True
        with done.cond:
            return done.cond.wait_for(lambda: done.count >= n, timeout)


_STOP = object()
#: `_Done.count` once the thread has ended: every mark is set.
_ENDED = 1 << 62


class Writer:
    """Owns the write connection; runs `Op`s in batched transactions on its own thread."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        wal: Path,
        on_problem: Callable[[str], None],
    ) -> None:
        self._conn = conn
        self._wal = wal
        self._on_problem = on_problem
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        #: Ops queued so far (under `_put_lock`: a mark must count every op queued
        #: before it, whichever thread queued it) and ops finished with (`_done`).
        self._puts = 0
        self._put_lock = threading.Lock()
        self._done = _Done()
        self.failed: str | None = None
        #: Run after the current batch commits (writer thread; see `after_commit`).
        self._after: list[Callable[[], None]] = []
        self.commits = 0
        self.syncs = 0
        self._thread = threading.Thread(target=self._run, name="strata-journal", daemon=True)
        self._thread.start()

    def put(self, op: Op) -> None:
        """Queue a write (GUI thread: no I/O, no waiting)."""
        with self._put_lock:
            self._queue.put(op)
            self._puts += 1

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued before this call is committed; False on timeout."""
        if not self._thread.is_alive():
            return self.failed is None
        return self.mark().wait(timeout) and self.failed is None

    def after_commit(self, callback: Callable[[], None]) -> None:
        """From inside an op (writer thread): run `callback` once the batch is committed,
        and never if it is rolled back. For side effects outside the database (removing
        a file) that must not happen unless the rows saying so are stored: a kill
        between the two then leaves the file, never a row pointing at a missing file."""
        self._after.append(callback)

    def mark(self) -> Mark:
        """Set once everything queued before this call is committed (or the writing
        stopped); no waiting here (GUI thread)."""
        if not self._thread.is_alive():
            return Mark(self._done, 0)
        return Mark(self._done, self._puts)

    def close(self, timeout: float = 10.0) -> None:
        """Commit what is queued, fsync, stop the thread, close the connection."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    # ------------------------------------------------------------ the thread
    def _run(self) -> None:
        dirty_since: float | None = None
        stopping = False
        finished = 0
        while not stopping:
            wait = None if dirty_since is None else max(0.0, dirty_since + SYNC_SECONDS
                                                         - time.monotonic())  # fmt: skip
            try:
                first = self._queue.get(timeout=wait)
            except queue.Empty:
                self._sync()
                dirty_since = None
                continue
            batch: list[object] = []
            item: object = first
            while True:
                if item is _STOP:
                    stopping = True
                else:
                    batch.append(item)
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch and self.failed is None and self._commit(batch) and dirty_since is None:
                dirty_since = time.monotonic()
            finished += len(batch)
            self._done.advance(finished)  # committed, or dropped after a failure
        if dirty_since is not None:
            self._sync()
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()
        self._done.advance(_ENDED)

    def _commit(self, batch: list[object]) -> bool:
        conn = self._conn
        try:
            # IMMEDIATE: the write lock first (waiting up to the busy timeout). A deferred
            # BEGIN whose first statement reads (the job store's prune and remove read
            # before they delete) starts as a reader, and upgrading fails at once with
            # "database is locked" if another connection wrote in between: that stopped
            # the writer under a burst of jobs (bench/bench_job_store.py).
            conn.execute("BEGIN IMMEDIATE")
            for op in batch:
                if callable(op):
                    op(conn)
                else:
                    statement = cast(tuple[str, tuple[Any, ...]], op)
                    conn.execute(statement[0], statement[1])
            conn.execute("COMMIT")
        except (sqlite3.Error, OSError, ValueError) as exc:
            self._after.clear()
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            self._fail(exc)
            return False
        self.commits += 1
        after, self._after = self._after, []
        for callback in after:
            try:
                callback()
            except Exception as exc:  # a side effect's failure never stops the writer
                log.warning("journal: an after-commit step failed: %s", str(exc))
        return True

    def _sync(self) -> None:
        """fsync the WAL: what is committed now survives a power cut."""
        if self.failed is not None:
            return
        try:
            fd = os.open(self._wal, os.O_RDONLY)
        except FileNotFoundError:
            return  # checkpointed away: the database file itself was synced
        except OSError as exc:
            log.warning("cannot open %s to sync it: %s", self._wal, str(exc))
            return
        try:
            os.fsync(fd)
            self.syncs += 1
        except OSError as exc:
            log.warning("fsync of %s failed: %s", self._wal, str(exc))
        finally:
            os.close(fd)

    def _fail(self, exc: BaseException) -> None:
        text = str(exc)
        if "full" in text.lower():
            why = "the disk is full"
        elif "locked" in text.lower() or "busy" in text.lower():
            why = "the recovery database is locked by another program"
        else:
            why = f"writing the recovery data failed ({text})"
        self.failed = why
        log.error("journal writing stopped: %s (%s: %s)", why, type(exc).__name__, text)
        try:
            self._on_problem(why)
        except Exception:
            log.exception("journal problem callback failed")
