"""The journal's SQLite database: schema, migrations, and opening it whatever state it is in.

One database per user (under QStandardPaths' AppDataLocation; the path is passed in, so
tests use temporary folders), in WAL mode, one table per concern:

* ``documents``: one row per journaled document: its file (or NULL for untitled), its
  state (``open`` while a Strata process has it, ``closed``, ``set_aside`` when its file
  changed elsewhere, ``recovered``), the owning process (the lock), times;
* ``entries``: what happened to its history, in order (``seq``): ``create``, ``open``,
  ``push``, ``macro``, ``undo``/``redo``/``jump``, ``save``, ``close``;
* ``bases``: the document the first entry started from (the file as read), in chunks, so
  the history can be rebuilt after the file was saved over.

* ``jobs``, ``job_ids`` (schema 2): the durable job store's rows and its id counter;
  read and written by editor.jobs.sqlstore (the journal itself never touches them). One
  database, one list of migrations: the jobs' tables are a step of it.
* ``saves`` (schema 3): the save outbox: every save job of a journaled document, with
  the history index it saves and the sha256 of the bytes it writes, added in the same
  transaction as the job's row (editor.journal.saves).

``PRAGMA user_version`` is the schema version; `migrate` brings an older database up to
date step by step and refuses a newer one (a newer Strata wrote it) without touching it.

A database that cannot be used never stops Strata: `open_database` returns why, and
keeps a copy of a corrupt file beside it (``journal.sqlite3.corrupt-<time>``) before
starting a fresh one.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
import time
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3

_SCHEMA_1 = """
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    path TEXT,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    owner TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX documents_path ON documents(path);
CREATE TABLE entries (
    doc TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    time REAL NOT NULL,
    idx INTEGER,
    merged INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT,
    path TEXT,
    data BLOB,
    PRIMARY KEY (doc, seq)
) WITHOUT ROWID;
CREATE TABLE bases (
    doc TEXT NOT NULL,
    part INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc, part)
) WITHOUT ROWID;
"""

# The job store (editor.jobs.sqlstore). `state` is a JobState value; at most one
# unfinished row per idempotency key, across every process using the database.
_SCHEMA_2 = """
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    envelope TEXT,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    run_after REAL,
    error TEXT,
    name TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '',
    target TEXT,
    owner TEXT,
    lease_until REAL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE UNIQUE INDEX jobs_pending_key ON jobs(key)
    WHERE state IN ('queued', 'running', 'retry scheduled');
CREATE INDEX jobs_state ON jobs(state, updated);
CREATE TABLE job_ids (next INTEGER NOT NULL);
INSERT INTO job_ids (next) VALUES (1)
"""

# The save outbox (editor.journal.saves): one row per save job of a journaled document,
# written in the same transaction as the job's row, naming the bytes the save writes.
_SCHEMA_3 = """
CREATE TABLE saves (
    job INTEGER PRIMARY KEY,
    doc TEXT NOT NULL,
    idx INTEGER,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    requested REAL NOT NULL
);
CREATE INDEX saves_doc ON saves(doc, sha256)
"""

#: Migrations by the version they produce: running MIGRATIONS[v] on version v-1 gives v.
MIGRATIONS: dict[int, str] = {1: _SCHEMA_1, 2: _SCHEMA_2, 3: _SCHEMA_3}

#: How long a connection waits for another process's write lock before giving up.
BUSY_TIMEOUT_MS = 2000


class JournalUnavailable(Exception):
    """The journal cannot be used this run; the message says why, in plain words."""


def connect(path: Path, *, timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """A connection in WAL mode with NORMAL sync (see docs/architecture.md, Journal)."""
    conn = sqlite3.connect(str(path), timeout=timeout_ms / 1000, isolation_level=None,
                           check_same_thread=False)  # fmt: skip
    conn.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.close()
        raise sqlite3.OperationalError(f"cannot use WAL mode (got {mode})")
    # NORMAL in WAL mode: a commit is in the WAL (the OS has it: a killed process loses
    # nothing committed) but is fsynced only at checkpoints; the writer thread fsyncs the
    # WAL itself at most SYNC_SECONDS after a commit, which bounds what a power cut loses.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = OFF")
    return conn


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to SCHEMA_VERSION, one transaction per step."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise JournalUnavailable(
            f"the recovery database was written by a newer Strata (schema {version})"
        )
    while version < SCHEMA_VERSION:
        version += 1
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _check(conn: sqlite3.Connection) -> None:
    """Read every page's structure once (quick_check) and take the write lock briefly."""
    result = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    if result != "ok":
        raise sqlite3.DatabaseError(f"database disk image is malformed ({result})")
    conn.execute("BEGIN IMMEDIATE")  # fails fast when another process holds the lock
    conn.execute("COMMIT")


def _is_lock(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def keep_bad_copy(path: Path, clock: float | None = None) -> Path | None:
    """Move a corrupt database (and its -wal/-shm) aside; return where it went."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(clock or time.time()))
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        shutil.move(str(path), str(target))
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                shutil.move(str(side), str(target) + suffix)
    except OSError as exc:
        log.warning("could not keep a copy of the bad journal %s: %s", path, str(exc))
        return None
    return target


def open_database(
    path: Path, *, timeout_ms: int = BUSY_TIMEOUT_MS
) -> tuple[sqlite3.Connection | None, str | None]:
    """Open (creating, migrating, repairing) the journal: (connection, problem).

    * a garbage or truncated file: a copy is kept beside it and a fresh journal starts;
      the problem says so (the old recovery data is unavailable);
    * a locked database (another process holds its write lock) or an unwritable folder:
      no connection; the problem says why;
    * otherwise (connection, None).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return None, f"cannot create {path.parent}: {exc.strerror or exc}"
    try:
        conn = connect(path, timeout_ms=timeout_ms)
        try:
            _check(conn)
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn, None
    except JournalUnavailable as exc:
        return None, str(exc)
    except sqlite3.Error as exc:
        if _is_lock(exc):
            return None, f"the recovery database is locked by another program ({exc})"
        if isinstance(exc, sqlite3.OperationalError) and not _looks_corrupt(exc):
            return None, f"the recovery database cannot be opened ({exc})"
        kept = keep_bad_copy(path)
        log.warning("journal %s is unreadable (%s); kept a copy at %s", path, str(exc), kept)
        try:
            conn = connect(path, timeout_ms=timeout_ms)
            migrate(conn)
        except sqlite3.Error as again:
            return None, f"the recovery database is damaged and cannot be replaced ({again})"
        where = f"; a copy was kept as {kept.name}" if kept else ""
        return conn, f"the recovery data was damaged ({exc}) and has been reset{where}"


def _looks_corrupt(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return any(w in text for w in ("malformed", "not a database", "corrupt", "disk i/o"))
