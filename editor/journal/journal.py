"""The journal: what the GUI thread calls, and what recovery and the CLI read.

`Journal` opens the database (see store.open_database: a damaged, locked or unwritable
one leaves the journal *unavailable* with one problem line, and Strata runs without it),
starts the writer thread, and answers questions: which documents a dead Strata left
with unsaved changes, the history kept for a file, who holds a file open.

`Recorder` is one document's journal: the History's observer (pushes, macros, moves)
plus the saves and opens the window reports. Its methods only queue work for the
writer thread.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
import uuid
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import msgspec

from editor.commands import Command
from editor.journal import owner as owners
from editor.journal import saves
from editor.journal.rebuild import MOVES, Entry, Rebuilt, paused_gc, rebuild
from editor.journal.saves import SaveRequest
from editor.journal.store import open_database
from editor.journal.writer import Mark, Writer
from editor.model import Page, Shape, Snapshot

log = logging.getLogger(__name__)

#: Shapes per base chunk: the writer thread encodes a big document a piece at a time.
BASE_CHUNK = 5000
#: Default of Preferences' "entries kept per document".
DEFAULT_MAX_ENTRIES = 10_000

_json = msgspec.json.Encoder()
_pack = msgspec.msgpack.Encoder()
_page_decoder = msgspec.msgpack.Decoder(Page)
_shapes_decoder = msgspec.msgpack.Decoder(list[Shape])

_INSERT = (
    "INSERT INTO entries (doc, seq, kind, time, idx, merged, sha256, path, data)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CHANGES = ("push", "macro", *MOVES)
_CHANGES_SQL = "(" + ", ".join(f"'{kind}'" for kind in _CHANGES) + ")"


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A journaled document as listed (`strata recover --list`, the recovery bar)."""

    id: str
    path: str | None
    name: str
    state: str
    owner: str | None
    created: float
    #: Changes (pushes, undos, redos, jumps) since the last save or open.
    changes: int = 0
    #: Steps of history between the file as last saved or opened and the last state
    #: (what the History shows; what a person would undo to get back): the count the
    #: recovery bar says. 0 when not modified.
    steps: int = 0
    #: Differs from the file as last saved or opened (or, untitled, from empty).
    modified: bool = False
    last_time: float = 0.0
    #: sha256 of the file as last saved or opened, if any.
    sha256: str | None = None

    @property
    def title(self) -> str:
        return self.name if self.path else "Untitled"


class Journal:
    """One user's journal database, opened for this process."""

    def __init__(
        self,
        path: str | Path,
        *,
        on_problem: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        timeout_ms: int = 2000,
        max_pages: int | None = None,
    ) -> None:
        """`max_pages` caps the database's size in pages (SQLite's max_page_count): the
        tests' full disk, through the same SQLITE_FULL error a full disk gives."""
        self.path = Path(path)
        self.clock = clock
        self.max_entries = max_entries
        self.owner = owners.this_process()
        self._listeners: list[Callable[[str], None]] = []
        if on_problem is not None:
            self._listeners.append(on_problem)
        #: Why the journal is not working (the first problem), or None.
        self.problem: str | None = None
        read, problem = open_database(self.path, timeout_ms=timeout_ms)
        self._read = read
        self._writer: Writer | None = None
        if read is not None:
            write, wproblem = open_database(self.path, timeout_ms=timeout_ms)
            if write is None:
                read.close()
                self._read = None
                problem = problem or wproblem
            else:
                if max_pages is not None:
                    write.execute(f"PRAGMA max_page_count = {int(max_pages)}")
                wal = self.path.with_name(self.path.name + "-wal")
                self._writer = Writer(write, wal, self._report)
        if problem is not None:
            self.problem = problem
            log.warning("journal: %s", problem)

    # --------------------------------------------------------------- status
    @property
    def available(self) -> bool:
        """True while changes are being journaled."""
        return self._writer is not None and self._writer.failed is None

    @property
    def readable(self) -> bool:
        return self._read is not None

    def add_problem_listener(self, listener: Callable[[str], None]) -> None:
        """`listener(text)` runs when writing fails (on the writer thread)."""
        self._listeners.append(listener)

    def _report(self, why: str) -> None:
        if self.problem is None:
            self.problem = why
        for listener in self._listeners:
            listener(why)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued is committed (tests, closing, the CLI)."""
        return self._writer.flush(timeout) if self._writer is not None else False

    def after_commit(self, callback: Callable[[], None]) -> None:
        """From inside a put op: run `callback` after its batch commits (Writer)."""
        if self._writer is not None:
            self._writer.after_commit(callback)

    def mark(self) -> Mark | None:
        """Set when everything queued so far is committed (None: no writer)."""
        return self._writer.mark() if self._writer is not None else None

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._read is not None:
            self._read.close()
            self._read = None

    def put(self, op: Any) -> None:
        if self._writer is not None and self._writer.failed is None:
            self._writer.put(op)

    # ------------------------------------------------------------- recording
    def start(
        self,
        *,
        path: Path | None = None,
        sha256: str | None = None,
        base: Snapshot | None = None,
    ) -> Recorder:
        """A new journaled document: a file opened (path, sha256 of its bytes, its
        snapshot as the base) or a new drawing (all None)."""
        return Recorder(self, uuid.uuid4().hex, path=path, sha256=sha256, base=base)

    def resume(self, doc_id: str, *, path: Path | None, sha256: str | None,
               index: int, seq: int, reopened: bool) -> Recorder:  # fmt: skip
        """Go on journaling an existing document in this process: `reopened` (the file as
        last saved, at its saved index) or recovered (at `index`, unsaved)."""
        recorder = Recorder(self, doc_id, path=path, sha256=sha256, base=None, seq=seq)
        recorder.take_over(index, reopened=reopened)
        return recorder

    # ---------------------------------------------------------------- reading
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if self._read is None:
            return []
        return self._read.execute(sql, tuple(params)).fetchall()

    def _settle(self) -> None:
        """Let the writer commit what this process queued, so reads see it (opening a
        file, listing recoveries: not per command)."""
        if self.available:
            self.flush(timeout=5.0)

    def documents(self, *, path: str | Path | None = None,
                  states: Sequence[str] | None = None) -> list[DocumentInfo]:  # fmt: skip
        """Journaled documents, newest first, with their change summary."""
        sql = "SELECT id, path, name, state, owner, created FROM documents"
        where, params = [], []
        if path is not None:
            where.append("path = ?")
            params.append(str(path))
        if states:
            where.append(f"state IN ({', '.join('?' * len(states))})")
            params.extend(states)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created DESC"
        return [self._summary(DocumentInfo(*row)) for row in self._rows(sql, params)]

    def document(self, doc_id: str) -> DocumentInfo | None:
        rows = self._rows("SELECT id, path, name, state, owner, created FROM documents"
                          " WHERE id = ?", (doc_id,))  # fmt: skip
        return self._summary(DocumentInfo(*rows[0])) if rows else None

    def _summary(self, info: DocumentInfo) -> DocumentInfo:
        """Count the changes since the last save or open, and whether they differ from it.

        Every change entry carries the index it left the history at, so this reads the
        entries since that anchor without rebuilding anything."""
        anchors = "('save', 'open', 'create', 'clear')"
        anchor = self._rows(f"SELECT seq, kind, idx, sha256 FROM entries WHERE doc = ? AND kind"
                            f" IN {anchors} ORDER BY seq DESC LIMIT 1", (info.id,))  # fmt: skip
        seq0, kind0, saved, sha = anchor[0] if anchor else (0, "create", 0, None)
        saved = -1 if saved is None or kind0 == "clear" else saved
        current = saved
        if kind0 == "save":  # the index the history was at when the save finished
            before = self._rows("SELECT idx FROM entries WHERE doc = ? AND seq < ? AND idx IS"
                                " NOT NULL AND kind NOT IN ('save') ORDER BY seq DESC LIMIT 1",
                                (info.id, seq0))  # fmt: skip
            current = before[0][0] if before else 0
        # Counted by SQLite: a crashed session can leave 100,000 entries since the anchor.
        changed = f"kind IN {_CHANGES_SQL} AND idx IS NOT NULL"
        counts = self._rows(f"SELECT sum({changed}), sum({changed} AND kind IN ('push', 'macro')"
                            " AND idx <= ?), max(time) FROM entries WHERE doc = ? AND seq > ?",
                            (saved, info.id, seq0))  # fmt: skip
        changes, cuts, last_time = counts[0] if counts else (0, 0, None)
        changes = int(changes or 0)
        cut = bool(cuts)  # pushed below the saved state: that state is gone
        last = info.created if last_time is None else max(info.created, last_time)
        if changes:
            current = self._rows(f"SELECT idx FROM entries WHERE doc = ? AND seq > ? AND"
                                 f" {changed} ORDER BY seq DESC LIMIT 1",
                                 (info.id, seq0))[0][0]  # fmt: skip
        modified = changes > 0 and (cut or saved < 0 or current != saved)
        steps = (current if cut or saved < 0 else abs(current - saved)) if modified else 0
        return replace(info, changes=changes, steps=steps, modified=modified, last_time=last,
                       sha256=sha if kind0 in ("save", "open") else None)  # fmt: skip

    def entries(self, doc_id: str) -> list[Entry]:
        rows = self._rows("SELECT seq, kind, time, idx, merged, sha256, path, data FROM entries"
                          " WHERE doc = ? ORDER BY seq", (doc_id,))  # fmt: skip
        return [Entry(seq, kind, t, idx, bool(m), sha, p, data)
                for seq, kind, t, idx, m, sha, p, data in rows]  # fmt: skip

    def base(self, doc_id: str) -> Snapshot | None:
        rows = self._rows("SELECT part, data FROM bases WHERE doc = ? ORDER BY part", (doc_id,))
        if not rows:
            return None
        page = _page_decoder.decode(zlib.decompress(rows[0][1]))
        shapes: list[Shape] = []
        for _part, data in rows[1:]:
            shapes.extend(_shapes_decoder.decode(zlib.decompress(data)))
        return Snapshot(page, tuple(shapes))

    def load(self, doc_id: str) -> Rebuilt:
        """The document and history rebuilt from its base and entries."""
        with paused_gc():
            return rebuild(self.base(doc_id), self.entries(doc_id))

    def last_seq(self, doc_id: str) -> int:
        rows = self._rows("SELECT max(seq) FROM entries WHERE doc = ?", (doc_id,))
        return int(rows[0][0] or 0) if rows else 0

    def save_matching(self, doc_id: str, sha256: str | None) -> SaveRequest | None:
        """The newest save asked for of `doc_id` that writes bytes hashing to `sha256`
        (the save outbox, editor.journal.saves): a file with these bytes is that save's."""
        if self._read is None or sha256 is None:
            return None
        return saves.matching(self._read, doc_id, sha256)

    def recoverable(self) -> list[DocumentInfo]:
        """Documents a Strata that is gone left open with unsaved changes."""
        self._settle()
        found = []
        for info in self.documents(states=("open",)):
            if info.owner == self.owner or owners.is_alive(info.owner):
                continue
            if info.modified:
                found.append(info)
        return found

    def closed_history(self, path: Path) -> DocumentInfo | None:
        """The newest history kept for `path` (closed, or left by a dead process)."""
        self._settle()
        for info in self.documents(path=str(path), states=("closed", "open")):
            if info.state == "open" and (info.owner == self.owner
                                         or owners.is_alive(info.owner)):  # fmt: skip
                continue
            return info
        return None

    def holder(self, path: Path) -> DocumentInfo | None:
        """The document row of another running Strata that has `path` open (the lock)."""
        self._settle()
        for info in self.documents(path=str(path), states=("open",)):
            if info.owner != self.owner and owners.is_alive(info.owner):
                return info
        return None

    def size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += self.path.with_name(self.path.name + suffix).stat().st_size
        return total

    # ---------------------------------------------------------------- changing
    def set_state(self, doc_id: str, state: str, *, owner: str | None = None) -> None:
        now = self.clock()
        self.put(("UPDATE documents SET state = ?, owner = ?, updated = ? WHERE id = ?",
                  (state, owner, now, doc_id)))  # fmt: skip

    def forget(self, doc_id: str) -> None:
        """Drop a document's journal entirely."""
        tables = (("entries", "doc"), ("bases", "doc"), ("saves", "doc"), ("documents", "id"))
        for table, column in tables:
            self.put((f"DELETE FROM {table} WHERE {column} = ?", (doc_id,)))

    def clear_closed(self) -> int:
        """Drop the history of every closed or set-aside document; how many."""
        self._settle()  # a document closed a moment ago is still on the writer's queue
        gone = self.documents(states=("closed", "set_aside", "discarded"))
        for info in gone:
            self.forget(info.id)
        self.put(lambda conn: None)
        return len(gone)

    def compact(self) -> None:
        """Give the space of dropped histories back to the disk (VACUUM, on the writer)."""

        def op(conn: Any) -> None:
            conn.execute("COMMIT")  # VACUUM cannot run inside the writer's transaction
            try:
                conn.execute("VACUUM")
            finally:
                conn.execute("BEGIN")

        self.put(op)
        self.flush()

    def trim(self, doc_id: str, max_entries: int | None = None) -> None:
        """Keep at most `max_entries` entries for a closed document: the oldest whole steps
        are dropped (the state after them becomes the base), on the writer thread."""
        limit = self.max_entries if max_entries is None else max_entries
        self.put(lambda conn: trim_document(conn, doc_id, limit))

    def forget_path(self, doc_id: str, seq: int) -> None:
        """The document goes on untitled (recovered next to a file that changed)."""
        self.put(_entry_op(doc_id, seq, "forget_path", self.clock()))
        self.put(("UPDATE documents SET path = NULL, name = 'Untitled' WHERE id = ?", (doc_id,)))


def _entry_op(doc: str, seq: int, kind: str, when: float, idx: int | None = None,
              merged: bool = False, sha: str | None = None, path: str | None = None,
              data: Any = None) -> Any:  # fmt: skip
    if data is None:
        return (_INSERT, (doc, seq, kind, when, idx, int(merged), sha, path, None))

    def op(conn: Any) -> None:  # encoded here, on the writer thread
        conn.execute(_INSERT, (doc, seq, kind, when, idx, int(merged), sha, path,
                               _json.encode(data)))  # fmt: skip

    return op


def _read_doc(conn: Any, doc: str) -> tuple[Snapshot | None, list[Entry]]:
    parts = conn.execute("SELECT part, data FROM bases WHERE doc = ? ORDER BY part",
                         (doc,)).fetchall()  # fmt: skip
    base = None
    if parts:
        page = _page_decoder.decode(zlib.decompress(parts[0][1]))
        shapes: list[Shape] = []
        for _part, data in parts[1:]:
            shapes.extend(_shapes_decoder.decode(zlib.decompress(data)))
        base = Snapshot(page, tuple(shapes))
    rows = conn.execute("SELECT seq, kind, time, idx, merged, sha256, path, data FROM entries"
                        " WHERE doc = ? ORDER BY seq", (doc,)).fetchall()  # fmt: skip
    return base, [Entry(q, k, t, i, bool(m), h, p, d) for q, k, t, i, m, h, p, d in rows]


def trim_document(conn: Any, doc: str, max_entries: int) -> None:
    """Rewrite a closed document's journal as its newest steps on a new base.

    The state after the dropped steps becomes the base; each kept step becomes one entry
    (a merged step as its merged command, a macro as a macro), then the index and the
    saved marker where they were. Runs on the writer thread, inside its transaction."""
    base, entries = _read_doc(conn, doc)
    if len(entries) <= max_entries:
        return
    rebuilt = rebuild(base, entries)
    steps, index, saved = rebuilt.steps, rebuilt.index, rebuilt.saved_index
    keep = max(0, min(len(steps), max_entries - 4))
    drop = len(steps) - keep
    rebuilt.move_to(drop)
    new_base = rebuilt.document.snapshot()
    rebuilt.move_to(index)
    conn.execute("DELETE FROM entries WHERE doc = ?", (doc,))
    _base_op(doc, new_base)(conn)
    last = max(e.seq for e in entries)
    when = entries[-1].time
    rows: list[Any] = []
    seq = itertools.count(last + 1)
    rows.append(_entry_op(doc, next(seq), "open", entries[0].time, 0,
                          sha=rebuilt.saved_sha256, path=rebuilt.path))  # fmt: skip
    for n, step in enumerate(steps[drop:], 1):
        if step.macro:
            data = {"text": step.text, "commands": [c.to_json() for c in step.commands]}
            rows.append(_entry_op(doc, next(seq), "macro", step.time, n, data=data))
        else:
            rows.append(_entry_op(doc, next(seq), "push", step.time, n,
                                  data=step.commands[0].to_json()))  # fmt: skip
    rows.append(_entry_op(doc, next(seq), "jump", when, index - drop))
    # the saved marker where it was, or "not in this history" when it was dropped
    rows.append(_entry_op(doc, next(seq), "save", when, saved - drop if saved >= drop else None,
                          sha=rebuilt.saved_sha256, path=rebuilt.path))  # fmt: skip
    for op in rows:
        if callable(op):
            op(conn)
        else:
            conn.execute(*op)
    saves.shift(conn, doc, drop)  # the save outbox's indices follow the dropped steps
    conn.execute("INSERT INTO entries (doc, seq, kind, time) VALUES (?, ?, 'close', ?)",
                 (doc, next(seq), when))  # fmt: skip


def _base_op(doc: str, base: Snapshot) -> Any:
    def op(conn: Any) -> None:
        conn.execute("DELETE FROM bases WHERE doc = ?", (doc,))
        conn.execute("INSERT INTO bases (doc, part, data) VALUES (?, 0, ?)",
                     (doc, zlib.compress(_pack.encode(base.page), 1)))  # fmt: skip
        shapes = base.shapes
        for part, start in enumerate(range(0, len(shapes), BASE_CHUNK), 1):
            chunk = _pack.encode(shapes[start : start + BASE_CHUNK])
            conn.execute("INSERT INTO bases (doc, part, data) VALUES (?, ?, ?)",
                         (doc, part, zlib.compress(chunk, 1)))  # fmt: skip

    return op


class Recorder:
    """One document's journal: the History's observer and the window's save/open notes.

    Every method only queues work (a tuple or a closure) for the writer thread. The
    document's row is written with its first entry; a new drawing gets one only when
    something happens to it, so empty windows leave nothing behind.
    """

    def __init__(self, journal: Journal, doc_id: str, *, path: Path | None,
                 sha256: str | None, base: Snapshot | None, seq: int = 0) -> None:  # fmt: skip
        self.journal = journal
        self.doc_id = doc_id
        self._seq = itertools.count(seq + 1)
        self._path = path
        self._sha = sha256
        self._base = base
        self._started = seq > 0
        self.closed = False
        if path is not None and not self._started:
            self._start()  # an opened file is locked (its row written) at once

    def _start(self) -> None:
        journal, doc = self.journal, self.doc_id
        now = journal.clock()
        path = str(self._path) if self._path is not None else None
        name = self._path.name if self._path is not None else "Untitled"
        journal.put(("INSERT INTO documents (id, path, name, state, owner, created, updated)"
                     " VALUES (?, ?, ?, 'open', ?, ?, ?)",
                     (doc, path, name, journal.owner, now, now)))  # fmt: skip
        if self._base is not None:
            journal.put(_base_op(doc, self._base))
            self._base = None
        if path is None:
            journal.put(_entry_op(doc, next(self._seq), "create", now))
        else:
            journal.put(_entry_op(doc, next(self._seq), "open", now, 0, sha=self._sha,
                                  path=path))  # fmt: skip
        self._started = True

    def _entry(
        self,
        kind: str,
        idx: int | None = None,
        merged: bool = False,
        sha: str | None = None,
        path: str | None = None,
        data: Any = None,
    ) -> None:
        if self.closed:
            return
        if not self._started:
            self._start()
        self.journal.put(_entry_op(self.doc_id, next(self._seq), kind, self.journal.clock(),
                                   idx, merged, sha, path, data))  # fmt: skip

    # ------------------------------------------------------- HistoryObserver
    def pushed(self, command: Command, merged: bool, index: int) -> None:
        self._entry("push", index, merged, data=command.to_json())

    def macro_pushed(self, text: str, commands: Sequence[Command], index: int) -> None:
        self._entry("macro", index, data={"text": text,
                                          "commands": [c.to_json() for c in commands]})  # fmt: skip

    def moved(self, kind: str, index: int) -> None:
        self._entry(kind, index)

    # ------------------------------------------------------------ the window
    def saved(self, index: int, sha256: str, path: Path) -> None:
        """A save of the state at `index` (-1: not in the history any more) succeeded."""
        self._path = path
        if not self._started:
            self._start()
        self.journal.put(("UPDATE documents SET path = ?, name = ? WHERE id = ?",
                          (str(path), path.name, self.doc_id)))  # fmt: skip
        self._entry("save", None if index < 0 else index, sha=sha256, path=str(path))

    def take_over(self, index: int, *, reopened: bool) -> None:
        """This process now owns the document (reopened or recovered): lock it.

        A reopened file is recorded as opened at `index` (the saved state); a recovered
        document as resumed at `index` (its saved marker stays where it was)."""
        journal = self.journal
        self._started = True
        journal.put(("UPDATE documents SET state = 'open', owner = ?, updated = ? WHERE id = ?",
                     (journal.owner, journal.clock(), self.doc_id)))  # fmt: skip
        path = str(self._path) if self._path is not None else None
        if reopened and path is not None:
            self._entry("open", index, sha=self._sha, path=path)
        else:
            self._entry("resume", index)

    def close(self, *, keep: bool = True) -> None:
        """The window let go of the document: keep its history (or drop it)."""
        if self.closed:
            return
        if self._started:
            if keep and self._path is not None:
                self._entry("close")
                self.journal.set_state(self.doc_id, "closed")
                if next(self._seq) > self.journal.max_entries:
                    self.journal.trim(self.doc_id)
            else:
                self.journal.forget(self.doc_id)
        self.closed = True

    @property
    def seq(self) -> int:
        """The last sequence number handed out (for tests)."""
        value = next(self._seq)
        self._seq = itertools.count(value)
        return value - 1
