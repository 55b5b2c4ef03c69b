"""The save outbox: which saves of a journaled document were asked for, and what they write.

A save is a job (editor.jobs) and the document's history is a journal (this package);
both live in one database and go through one writer thread. When the window submits a
save, the job store's insert of the job's row and `requested` here run in one writer op,
so in one transaction: after a crash there is never a save the journal does not know
about, nor a pending one the store lost.

A request names the sha256 of the exact bytes the save writes (a save's snapshot is
stored content-addressed, and its digest is the hash of the file it writes). That is
what makes a finished save recognisable without its job's outcome: a save run again at
the next start (the job store's "interrupted" jobs), or one that renamed its file into
place a moment before a kill, leaves a file whose hash is one of the requests. Recovery
and reopening ask `matching(doc, sha)` before deciding a file "changed outside Strata",
and move the saved marker to that request's history index.

Bounded: a document keeps its newest `KEEP_PER_DOCUMENT` requests; its requests go when
its journal is forgotten.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

#: Requests kept per document (older ones can only match a file nobody kept).
KEEP_PER_DOCUMENT = 32


@dataclass(frozen=True, slots=True)
class SaveRequest:
    """A save of document `doc` at history `index` (None: not in its history) to `path`,
    writing bytes whose sha256 is `sha256`."""

    job: int
    doc: str
    index: int | None
    path: str
    sha256: str


def requested(conn: sqlite3.Connection, request: SaveRequest, now: float) -> None:
    """Record a request (writer thread, inside the transaction that stores its job)."""
    conn.execute(
        "INSERT OR REPLACE INTO saves (job, doc, idx, path, sha256, requested)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (request.job, request.doc, request.index, request.path, request.sha256, now),
    )
    conn.execute(
        "DELETE FROM saves WHERE doc = ? AND job NOT IN"
        " (SELECT job FROM saves WHERE doc = ? ORDER BY requested DESC, job DESC LIMIT ?)",
        (request.doc, request.doc, KEEP_PER_DOCUMENT),
    )


def matching(conn: sqlite3.Connection, doc: str, sha256: str) -> SaveRequest | None:
    """The newest request of `doc` that writes bytes hashing to `sha256`, if any."""
    row = conn.execute(
        "SELECT job, doc, idx, path, sha256 FROM saves WHERE doc = ? AND sha256 = ?"
        " ORDER BY requested DESC, job DESC LIMIT 1",
        (doc, sha256),
    ).fetchone()
    return SaveRequest(*row) if row else None


def of_document(conn: sqlite3.Connection, doc: str) -> list[SaveRequest]:
    """Every request kept for `doc`, oldest first."""
    rows = conn.execute(
        "SELECT job, doc, idx, path, sha256 FROM saves WHERE doc = ? ORDER BY requested, job",
        (doc,),
    ).fetchall()
    return [SaveRequest(*row) for row in rows]


def shift(conn: sqlite3.Connection, doc: str, dropped: int) -> None:
    """The oldest `dropped` steps of `doc`'s history were trimmed: indices move down with
    them, and a request of a state that went is no longer in the history (NULL)."""
    conn.execute(
        "UPDATE saves SET idx = CASE WHEN idx >= ? THEN idx - ? ELSE NULL END WHERE doc = ?",
        (dropped, dropped, doc),
    )
