"""`strata jobs`: the job store from the command line.

    strata jobs [--dead] [--json]   the stored jobs, oldest first, one line each (--dead:
                                    dead letters only; --json: one JSON array of objects)
    strata jobs retry ID|--all      run dead letters again here, now, and wait for them
    strata jobs discard ID|--all    forget dead letters (their snapshot files go too)

The store is the window's: the jobs tables in the per-user database beside the journal
(QStandardPaths' AppDataLocation; XDG_DATA_HOME moves it), so a dead letter of the window
or of a failed `strata export` can be retried or discarded here, and the other way round.
A retry runs in this process with the window's retry policy; jobs another running
Strata has queued are never touched. Exit codes: 0 done, 1 the store is unavailable, no
such dead letter, or a retried job failed again (one line on stderr each), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from editor.jobs.store import StoredJob
    from editor.journal import Journal
    from editor.ui.job_history import JobHistory

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
COMMANDS = ("jobs",)


def add_parsers(sub: Any) -> None:
    """Add `jobs` (with `retry` and `discard`) to the `strata` subcommand parser."""
    jobs = sub.add_parser("jobs", help="list stored jobs; retry or discard dead letters")
    jobs.add_argument("--dead", action="store_true", help="dead letters only")
    jobs.add_argument("--json", action="store_true", help="print one JSON array")
    actions = jobs.add_subparsers(dest="jobs_action", metavar="ACTION")
    retry = actions.add_parser("retry", help="run dead letters again, here, now")
    discard = actions.add_parser("discard", help="forget dead letters")
    for action in (retry, discard):
        action.add_argument("id", nargs="?", help="the job id (see 'strata jobs --dead')")
        action.add_argument("--all", action="store_true", help="every dead letter")
    retry.add_argument("--timeout", type=float, default=120.0, help="seconds per attempt")


def _fail(command: str, message: str, code: int = EXIT_FAILED) -> int:
    print(f"strata {command}: error: {message}", file=sys.stderr)
    return code


def run(ns: argparse.Namespace) -> int:
    action = getattr(ns, "jobs_action", None)
    if action is None:
        return cmd_list(ns.dead, ns.json)
    command = f"jobs {action}"
    if ns.dead or ns.json:
        return _fail(command, "--dead and --json go with 'strata jobs' alone", EXIT_USAGE)
    if bool(ns.id) == ns.all:
        return _fail(command, "give a job ID or --all (not both)", EXIT_USAGE)
    job_id: int | None = None
    if ns.id is not None:
        try:
            job_id = int(ns.id)
        except ValueError:
            return _fail(command, f"job ID must be a whole number, not {ns.id[:40]!r}", EXIT_USAGE)
    if action == "discard":
        return cmd_discard(job_id)
    from editor.jobs.retry import MAX_SECONDS, check_seconds  # noqa: PLC0415

    try:
        check_seconds("--timeout", ns.timeout)
    except ValueError:
        return _fail(command, f"--timeout must be a number of seconds > 0 and at most "
                              f"{MAX_SECONDS:g}", EXIT_USAGE)  # fmt: skip
    return cmd_retry(job_id, ns.timeout)


# ----------------------------------------------------------------------- opening
def open_store() -> tuple[Journal, JobHistory]:
    """The user's journal database and its job store (the store may be unavailable).

    The command line says what went wrong in its own one line: the warnings the journal
    and the store log (for the window's log) are not printed as well."""
    import logging  # noqa: PLC0415

    from editor.app import journal_path  # noqa: PLC0415
    from editor.journal import Journal  # noqa: PLC0415
    from editor.ui.job_history import open_job_history  # noqa: PLC0415

    logger = logging.getLogger("editor")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    journal = Journal(journal_path())
    return journal, open_job_history(journal)


def close_store(journal: Journal, history: JobHistory) -> None:
    """After any queue on the store is shut down: commit, close."""
    journal.close()
    if history.store is not None:
        history.store.close()


# ----------------------------------------------------------------------- listing
def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def _line(row: StoredJob) -> str:
    from editor.ui.jobs_panel.text import error_text  # noqa: PLC0415 (no widgets)

    n = row.attempts
    parts = [str(row.id), row.state.value, row.kind or "?", row.name or "(no name)",
             f"{n} attempt{'' if n == 1 else 's'}", _when(row.updated_at)]  # fmt: skip
    if row.problem:
        parts.append(f"unreadable: {row.problem}")
    elif row.error is not None and row.state.value in ("dead", "retry scheduled"):
        parts.append(error_text(row.error))
    return "  ".join(parts)


def _json(row: StoredJob) -> dict[str, Any]:
    error = row.error
    return {
        "id": row.id, "state": row.state.value, "kind": row.kind, "name": row.name,
        "target": row.target, "attempts": row.attempts, "created": row.created_at,
        "updated": row.updated_at, "run_after": row.run_after, "owner": row.owner,
        "lease_until": row.lease_until, "envelope": row.envelope,
        "problem": row.problem or None,
        "error": None if error is None else {
            "type": error.type, "message": error.message, "summary": error.summary,
            "errno": error.errno, "timed_out": error.timed_out, "traceback": error.traceback,
        },
    }  # fmt: skip


def cmd_list(dead_only: bool, as_json: bool) -> int:
    journal, history = open_store()
    try:
        store = history.store
        if store is None:
            return _fail("jobs", f"job history is unavailable: {history.problem}")
        rows = store.dead() if dead_only else store.unfinished() + store.dead() + store.finished()
        rows.sort(key=lambda r: r.id)
        if as_json:
            print(json.dumps([_json(r) for r in rows], indent=1))
        else:
            for row in rows:
                print(_line(row))
        return EXIT_OK
    finally:
        close_store(journal, history)


# ------------------------------------------------------------------- dead letters
def _letters(history: JobHistory, job_id: int | None, command: str) -> list[StoredJob] | int:
    store = history.store
    if store is None:
        return _fail(command, f"job history is unavailable: {history.problem}")
    dead = store.dead()
    if job_id is None:
        return dead
    chosen = [r for r in dead if r.id == job_id]
    if not chosen:
        return _fail(command, f"job {job_id} is not a dead letter (see 'strata jobs --dead')")
    return chosen


def cmd_discard(job_id: int | None) -> int:
    journal, history = open_store()
    try:
        letters = _letters(history, job_id, "jobs discard")
        if isinstance(letters, int):
            return letters
        assert history.store is not None
        history.store.remove([r.id for r in letters])
        history.store.flush()
        if job_id is not None:
            print(f"discarded job {job_id} ({letters[0].name})")
        else:
            n = len(letters)
            print(f"discarded {n} dead letter{'' if n == 1 else 's'}")
        return EXIT_OK
    finally:
        close_store(journal, history)


def cmd_retry(job_id: int | None, timeout: float) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # exports render; no display
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415

    from editor.jobs import JobLog, JobQueue, JobState  # noqa: PLC0415
    from editor.ui.job_history import queue_options  # noqa: PLC0415
    from editor.ui.jobs_panel.text import error_text  # noqa: PLC0415

    journal, history = open_store()
    try:
        letters = _letters(history, job_id, "jobs retry")
        if isinstance(letters, int):
            return letters
        if not letters:
            print("no dead letters")
            return EXIT_OK
        app = QGuiApplication.instance() or QGuiApplication(["strata"])
        queue = JobQueue(timeout=timeout, log=JobLog(stderr=False), **queue_options(history))
        try:
            queue.restore(unfinished=False)  # the dead letters only: never another's work
            ids = [r.id for r in letters]
            for each in ids:
                queue.retry_dead(each)
            queue.wait_until_idle(timeout=(timeout + 60) * 5 * len(ids))
            records = [queue.record(each) for each in ids]
        finally:
            queue.shutdown(timeout=5)
        del app
    finally:
        close_store(journal, history)
    failed = 0
    for record in records:
        if record.state is JobState.SUCCEEDED:
            print(f"job {record.id} ({record.name}) succeeded")
            continue
        failed += 1
        n = record.attempts
        why = error_text(record.last_error) or f"it ended {record.state.value}"
        print(f"strata jobs retry: error: job {record.id} ({record.name}) failed again "
              f"({n} attempt{'' if n == 1 else 's'}): {why}", file=sys.stderr)  # fmt: skip
    return EXIT_FAILED if failed else EXIT_OK
