"""The app's job store: the SQLite store in the per-user database, beside the journal.

The window and the command line keep their jobs in the journal's database (its own
tables, schema 2; the save outbox, schema 3) through the journal's writer thread, with
the save and export kinds (editor.io.job_kinds) over a snapshot folder beside the
database (`job-snapshots/`). `open_job_history(journal)` builds both, or says why it cannot:

* the journal could not open its database (locked by another program, an unusable
  folder, a newer schema) or had to reset a damaged one (the bad file is kept by the
  journal as ``journal.sqlite3.corrupt-<time>``): the queue runs in memory this run;
* the job tables cannot be read (damaged or tampered with): the same, and the file is
  left as it is.

Either way `JobHistory.problem` is the one line the window shows in its status bar
(once) and the command line prints. Snapshot files are removed when no job that may
still run refers to them (`SnapshotStore.release`, on the writer thread), and once at
start for files an earlier run left behind (`sweep`). A save of a journaled document is
recorded in the journal's save outbox in the same transaction as its job's row
(`save_outbox`, editor.journal.saves).

No widgets here: `strata jobs` and `strata export` use it too. tests/ui/test_window_job_store.py,
tests/cli/test_jobs.py.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from editor.io.job_kinds import SnapshotStore, journaled_save, registry
from editor.jobs.job import JobId
from editor.jobs.kinds import JobKinds
from editor.jobs.persist import RestoreReport
from editor.jobs.sqlstore import Added, SqliteJobStore
from editor.journal import Journal, SaveRequest, saves
from editor.journal import owner as owners
from editor.journal.store import connect

log = logging.getLogger(__name__)

#: The status bar's line when the job store cannot be used (the journal works).
UNAVAILABLE = ("Job history is unavailable ({why}); jobs run normally, but unfinished "
               "jobs and dead letters are not kept after Strata stops.")  # fmt: skip
#: The line when neither can be used (one cause: the database).
BOTH_UNAVAILABLE = ("Recovery data and job history are unavailable ({why}); Strata works "
                    "normally, but unsaved changes and unfinished jobs cannot be recovered "
                    "after a crash.")  # fmt: skip

#: Snapshot files younger than this are never swept at start (another Strata may have
#: just written one whose job row is still on its writer's queue).
SWEEP_GRACE_SECONDS = 60.0


def snapshots_folder(database: Path) -> Path:
    return database.with_name("job-snapshots")


@dataclass(frozen=True)
class JobHistory:
    """What a queue needs to keep its jobs, or why it keeps them in memory only."""

    store: SqliteJobStore | None = None
    kinds: JobKinds | None = None
    snapshots: SnapshotStore | None = None
    problem: str | None = None
    """Why there is no store (a plain clause: "the recovery database is locked ...")."""
    journal_problem: bool = False
    """The cause is the journal's database as a whole (its line already covers it)."""

    @property
    def text(self) -> str | None:
        """The one line a person is shown, or None."""
        if self.problem is None:
            return None
        return (BOTH_UNAVAILABLE if self.journal_problem else UNAVAILABLE).format(why=self.problem)


def open_job_history(journal: Journal | None) -> JobHistory:
    """The store on `journal`'s database with the save and export kinds, or the reason
    there is none (None journal: none, and nothing to say)."""
    if journal is None:
        return JobHistory()
    if journal.problem is not None or not journal.available:
        why = journal.problem or "the recovery database is not available"
        log.warning("job store: %s; jobs are kept in memory", why)
        return JobHistory(problem=why, journal_problem=True)
    snapshots = SnapshotStore(snapshots_folder(journal.path))
    read: sqlite3.Connection | None = None
    try:
        read = connect(journal.path)
        store = SqliteJobStore(
            read, journal.put, journal.flush, owner=journal.owner, alive=owners.is_alive,
            release=snapshots.release, mark=journal.mark, after_commit=journal.after_commit,
            on_added=save_outbox(journal),
        )  # fmt: skip
    except sqlite3.Error as exc:
        if read is not None:
            read.close()
        why = f"the job tables cannot be read: {str(exc)[:120]}"
        log.warning("job store: %s; jobs are kept in memory, %s is left as it is",
                    why, journal.path)  # fmt: skip
        return JobHistory(problem=why)
    kinds, _save, _export = registry(snapshots)
    store.sweep(snapshots.sweep, SWEEP_GRACE_SECONDS)
    return JobHistory(store, kinds, snapshots)


def save_outbox(journal: Journal) -> Added:
    """The job store's `on_added` hook: a journaled document's save is recorded in the
    journal's save outbox in the transaction that stores its job (editor.journal.saves)."""

    def added(conn: sqlite3.Connection, job_id: JobId, envelope: dict[str, Any],
              now: float) -> None:  # fmt: skip
        payload = journaled_save(envelope)
        if payload is not None and payload.document is not None:
            request = SaveRequest(job_id, payload.document, payload.index, payload.target,
                                  payload.snapshot)  # fmt: skip
            saves.requested(conn, request, now)

    return added


def restored_text(report: RestoreReport, publishes: int = 0) -> str | None:
    """The status bar's line after `JobQueue.restore`: what came back, or why nothing.
    `publishes`: interrupted Publish batches being undone (their jobs are not in
    `report.interrupted`: they do not run again)."""
    if report.problem:
        return JobHistory(problem=f"the job tables cannot be read: {report.problem[:120]}").text
    parts = []
    if publishes:
        verb = "is" if publishes == 1 else "are"
        parts.append(f"{plural(publishes, 'publish', 'publishes')} interrupted when Strata "
                     f"last stopped {verb} being undone: its files are put back")  # fmt: skip
    if report.interrupted:
        n = len(report.interrupted)
        parts.append(f"{plural(n, 'job')} interrupted when Strata last stopped "
                     f"{'is' if n == 1 else 'are'} running again")  # fmt: skip
    if report.dead:
        n = len(report.dead)
        parts.append(f"{plural(n, 'failed job')} from earlier runs "
                     f"{'is' if n == 1 else 'are'} in Jobs > Dead letters")  # fmt: skip
    if not parts:
        return None
    return "; ".join(parts) + " (View > Jobs)"


def plural(n: int, word: str, words: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


def queue_options(history: JobHistory) -> dict[str, Any]:
    """`JobQueue(**queue_options(history))`: the store and kinds, when there are any, and
    room for every dead letter the store keeps (the queue's own default bound is lower:
    taking them back at start evicted, and so deleted, the oldest)."""
    if history.store is None:
        return {}
    return {"store": history.store, "kinds": history.kinds,
            "dlq_capacity": max(history.store.keep_dead, 1)}  # fmt: skip
