"""The window's side of the journal: sessions journaled, history kept and brought back.

`JournalLink` gives every session a `Recorder` (the History's observer), records opens
and saves with the sha256 of the bytes, and closes the recorder when the window lets go of
the session (keeping the history of a file, per Preferences). Opening a file whose bytes
are those of the last save or open journaled for it brings its history back; a file that
changed elsewhere opens as on disk and its old history is set aside. Recovery after a
crash rebuilds a document from the journal (editor/ui/recovery.py shows the bar).

Without a journal (tests that pass none, or one that could not be opened) every method
still works and journals nothing.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from editor.io.format import FormatError, decode, read_file
from editor.io.tasks import SaveOrigin
from editor.journal import DocumentInfo, Journal, RebuildError, Rebuilt, SaveRequest
from editor.model import Snapshot
from editor.ui.session import Session
from editor.ui.settings import Settings

log = logging.getLogger(__name__)

UNAVAILABLE = ("Recovery data is unavailable ({why}); Strata works normally, but unsaved "
               "changes cannot be recovered after a crash.")  # fmt: skip


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Opened:
    """A session for an opened file and what the status bar should add about history."""

    session: Session
    note: str | None = None


class JournalLink(QObject):
    """Connects sessions to the journal (or to nothing)."""

    #: Said once per run when recovery data is unavailable: the plain line for the status bar.
    problem = Signal(str)
    #: The writer thread failed (emitted there; the queued connection brings it here).
    _writerFailed = Signal(str)

    def __init__(self, journal: Journal | None, settings: Settings,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.journal = journal
        self.settings = settings
        #: The line said when the journal stops ("{why}" filled in); the window's job
        #: store shares the database, so it names job history too (editor/ui/job_history.py).
        self.unavailable_text = UNAVAILABLE
        self._said = False
        self._writerFailed.connect(self._say)
        if journal is not None:
            journal.add_problem_listener(self._writerFailed.emit)

    def announce(self) -> None:
        """Say the journal's problem at start-up, if it has one (once)."""
        if self.journal is not None and self.journal.problem is not None:
            self._say(self.journal.problem)

    def _say(self, why: str) -> None:
        if self._said:
            return
        self._said = True
        text = self.unavailable_text.format(why=why)
        log.warning("%s", text)
        self.problem.emit(text)

    # --------------------------------------------------------------- sessions
    def attach(self, session: Session, *, sha256: str | None = None,
               base: Snapshot | None = None) -> None:  # fmt: skip
        """Journal a fresh session (a new drawing, or a file opened without history)."""
        journal = self.journal
        if journal is None or session.recorder is not None:
            return
        journal.max_entries = self.settings.journal_max_entries()  # Preferences may change it
        session.recorder = journal.start(path=session.path, sha256=sha256, base=base)
        session.history.observer = session.recorder

    def new_session(self) -> Session:
        session = Session()
        self.attach(session)
        return session

    def origin(self, session: Session) -> SaveOrigin | None:
        """What a save of `session` now records in the save outbox: its journal id and
        the history index saved (None when the session is not journaled)."""
        recorder = session.recorder
        if recorder is None or recorder.closed or session.read_only:
            return None
        return SaveOrigin(recorder.doc_id, session.history.stack.index())

    def holds(self, session: Session, index: int, path: Path) -> bool:
        """Whether `path` holds the state at `index` of `session`'s journaled history."""
        recorder = session.recorder
        if self.journal is None or recorder is None:
            return False
        self.journal.flush(timeout=5.0)
        try:
            rebuilt = self.journal.load(recorder.doc_id)
        except RebuildError:
            return False
        return _index_holding(rebuilt, index, path) == index >= 0

    def _ours(self, info: DocumentInfo, sha256: str | None) -> SaveRequest | None:
        """The save of `info` that wrote a file whose bytes hash to `sha256`, when it is
        not the last one the journal saw finish (a save run again after a crash, or
        killed after its rename): the save outbox knows every save asked for."""
        if self.journal is None or sha256 is None or sha256 == info.sha256:
            return None
        return self.journal.save_matching(info.id, sha256)

    def open_session(self, snapshot: Snapshot, path: Path, sha256: str) -> Opened:
        """A session for a file just read: with its kept history when the bytes match."""
        journal = self.journal
        path = path.resolve()
        info = journal.closed_history(path) if journal is not None else None
        if journal is not None and info is not None and self.settings.keep_history():
            request = self._ours(info, sha256)
            if info.sha256 == sha256 or request is not None:
                saved = request.index if request is not None else None
                restored = self._restore(info, snapshot, path, sha256, saved)
                if restored is not None:
                    return restored
            else:
                journal.set_state(info.id, "set_aside")
                session = Session(snapshot, path)
                self.attach(session, sha256=sha256, base=snapshot)
                return Opened(session, "the history kept for it was set aside because the "
                                       "file was changed outside Strata")  # fmt: skip
        session = Session(snapshot, path)
        self.attach(session, sha256=sha256, base=snapshot)
        return Opened(session)

    def _restore(self, info: DocumentInfo, snapshot: Snapshot, path: Path,
                 sha256: str, saved: int | None = None) -> Opened | None:  # fmt: skip
        """`saved`: the history index the file holds when a save the journal did not see
        finish wrote it (else the journal's saved marker)."""
        assert self.journal is not None
        try:
            rebuilt = self.journal.load(info.id)
            if saved is not None:
                rebuilt.saved_index = saved if 0 <= saved <= len(rebuilt.steps) else -1
            if rebuilt.saved_index < 0:
                raise RebuildError("the saved state is not in the history")
            rebuilt.move_to(rebuilt.saved_index)
            if rebuilt.document.snapshot() != snapshot:
                raise RebuildError("the rebuilt document differs from the file")
        except RebuildError as exc:
            log.warning("history of %s not restored: %s", path, str(exc))
            self.journal.set_state(info.id, "set_aside")
            return None
        session = self._adopt(rebuilt, path, info, sha256, reopened=True)
        n = len(rebuilt.steps)
        return Opened(session, f"with its history ({n} step{'' if n == 1 else 's'})")

    def _adopt(self, rebuilt: Rebuilt, path: Path | None, info: DocumentInfo,
               sha256: str | None, *, reopened: bool = False) -> Session:  # fmt: skip
        assert self.journal is not None
        session = Session(path=path, document=rebuilt.document)
        session.history.set_undo_limit(0)
        session.history.adopt(rebuilt.history_steps(), rebuilt.index, rebuilt.saved_index)
        session.recorder = self.journal.resume(info.id, path=path, sha256=sha256,
                                               index=rebuilt.index, reopened=reopened,
                                               seq=self.journal.last_seq(info.id))  # fmt: skip
        session.history.observer = session.recorder
        return session

    def saved(self, session: Session, sha256: str | None, path: Path) -> None:
        if session.recorder is not None and sha256 is not None:
            session.recorder.saved(session.history.saved_index(), sha256, path.resolve())

    def closed(self, session: Session) -> None:
        """The window let go of `session` (New, Open, Close, Quit)."""
        if self.journal is not None:
            self.journal.max_entries = self.settings.journal_max_entries()
        if session.recorder is not None:
            session.recorder.close(keep=self.settings.keep_history())
            session.history.observer = None

    # -------------------------------------------------------------- the lock
    def holder(self, path: Path) -> DocumentInfo | None:
        """Another running Strata's hold on `path`, if any."""
        return self.journal.holder(path.resolve()) if self.journal is not None else None

    # --------------------------------------------------------------- recovery
    def recoverable(self) -> list[DocumentInfo]:
        return self.journal.recoverable() if self.journal is not None else []

    def recover(self, info: DocumentInfo) -> Session:
        """The document `info` names, rebuilt with its whole history, marked modified.

        If its file changed on disk since the journal's last save or open of it, the
        recovered state opens as a new untitled document "NAME (recovered)" and the file
        is never written."""
        assert self.journal is not None
        rebuilt = self.journal.load(info.id)
        if not info.path:
            return self._adopt(rebuilt, None, info, info.sha256)
        path = Path(info.path)
        sha = _file_sha256(path)
        request = self._ours(info, sha)
        if sha != info.sha256 and request is None:  # changed elsewhere: a new document
            seq = self.journal.last_seq(info.id) + 1  # after the last entry, not on it
            self.journal.forget_path(info.id, seq)
            self.journal.flush(timeout=5.0)  # so the recorder goes on after it
            rebuilt.saved_index = -1
            session = self._adopt(rebuilt, None, info, None)
            session.untitled_name = f"{path.stem} (recovered)"
            return session
        if request is None:
            return self._adopt(rebuilt, path, info, info.sha256)
        # A save it asked for wrote the file (the save outbox); the journal missed it.
        rebuilt.saved_index = _index_holding(rebuilt, request.index, path)
        session = self._adopt(rebuilt, path, info, request.sha256)
        self.saved(session, request.sha256, path)  # the journal now agrees with the file
        return session

    def discard(self, info: DocumentInfo) -> None:
        """Drop a document's recovery: a file keeps its history up to the last save
        (reopening it offers the rest as redo steps); an untitled one is forgotten."""
        assert self.journal is not None
        if info.path is not None:
            self.journal.set_state(info.id, "closed")
        else:
            self.journal.forget(info.id)

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()


def _index_holding(rebuilt: Rebuilt, index: int | None, path: Path) -> int:
    """`index` if the rebuilt history's state there is what `path` holds, else -1 (an undo
    and a new change since the save was asked for replaced that state)."""
    if index is None or not 0 <= index <= len(rebuilt.steps):
        return -1
    try:
        on_disk = decode(read_file(path))
    except (FormatError, OSError):
        return -1
    here = rebuilt.index
    try:
        rebuilt.move_to(index)
        same = rebuilt.document.snapshot() == on_disk
    finally:
        rebuilt.move_to(here)
    return index if same else -1


def _file_sha256(path: Path) -> str | None:
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def describe(info: DocumentInfo) -> str:
    """ "Recover 12 unsaved changes to drawing.strata (last change 14:02)?" """
    n = info.steps
    when = time.strftime("%H:%M", time.localtime(info.last_time))
    return (f"Strata closed unexpectedly. Recover {n} unsaved change{'' if n == 1 else 's'}"
            f" to {info.title} (last change {when})?")  # fmt: skip
