"""New, Open, Save, Save As, Export and the unsaved-changes prompt.

Loading happens on the GUI thread (a 100,000-shape file loads in ~0.25 s) and builds a
new Session only from a successfully validated snapshot, so a bad file never touches the
open document. Saving and exporting go through the job queue: the GUI thread only takes
a snapshot (a tuple of references) and the history revision it represents.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from editor.history import Revision
from editor.io.atomic import OS_FILE_OPS, FileOps
from editor.io.format import FormatError, decode, read_file
from editor.io.tasks import ExportJob, ExportResult, SaveJob, SaveResult
from editor.jobs import (
    InvalidInput,
    JobQueue,
    JobRecord,
    JobState,
    QueueClosed,
    QueueFull,
    RetryPolicy,
)
from editor.ui.dialogs import (
    STRATA_FILTER,
    Choice,
    ExportDialog,
    ask_unsaved,
    file_dialog,
    show_error,
)
from editor.ui.jobs_panel.text import PENDING_STATES, error_text, pending_line
from editor.ui.journaling import JournalLink, Opened, sha256_of
from editor.ui.recovery import LockChoice, ask_locked
from editor.ui.session import Session
from editor.ui.settings import Settings


class Host(Protocol):
    """What the controller needs from the window."""

    def current_session(self) -> Session: ...
    def install_session(self, session: Session) -> None: ...
    def dialog_parent(self) -> QWidget: ...


@dataclass
class _PendingSave:
    session: Session
    revision: Revision
    path: Path
    then: Callable[[bool], None] | None = None


#: Said when a save an earlier run asked for rewrote the file this window shows.
_RELOADED = "Reloaded {name}: a save from when Strata last stopped has written it"


def _no_batch(job_id: int) -> bool:
    return False


class DocumentController(QObject):
    """File operations for one window."""

    #: A status-bar message: text, timeout in ms (0 = until replaced).
    message = Signal(str, int)
    #: A save of the current document finished: True on success, False when it failed.
    saveFinished = Signal(bool)
    recentChanged = Signal()

    def __init__(self, host: Host, jobs: JobQueue, settings: Settings,
                 link: JournalLink | None = None) -> None:  # fmt: skip
        # Owned by the window (when the host is a QObject), so it is deleted with it.
        super().__init__(host if isinstance(host, QObject) else None)
        self._host = host
        #: The journal: sessions journaled, histories kept and restored (ui/journaling.py).
        self.link = link if link is not None else JournalLink(None, settings, self)
        self.jobs = jobs
        self.settings = settings
        #: The file-system seam save jobs write through (tests inject faults here).
        self.file_ops: FileOps = OS_FILE_OPS
        #: Whether a job is a step of a batch (a Publish's save: the batch decides what
        #: its result means for the document, editor/ui/publishing.py).
        self.batch_job: Callable[[int], bool] = _no_batch
        #: The retry policy of saves when Preferences set no retry window (tests); None:
        #: the default policy.
        self.save_policy: RetryPolicy | None = None
        self._saves: dict[int, _PendingSave] = {}
        self._exports: dict[int, Path] = {}
        jobs.job_succeeded.connect(self._job_succeeded)
        jobs.state_changed.connect(self._job_changed)
        jobs.dead_letters_changed.connect(self._forget_discarded)

    @property
    def session(self) -> Session:
        return self._host.current_session()

    def _parent(self) -> QWidget:
        return self._host.dialog_parent()

    # ------------------------------------------------------------ prompting
    def maybe_discard(self, then: Callable[[], object], *, doing: str = "close") -> None:
        """Run `then` now if the document is saved; otherwise ask Save/Discard/Cancel.

        Save runs `then` only after the save really succeeded. A save of the current
        state already in progress (running, or waiting to retry after a failed attempt)
        is named in the prompt, and Save then waits for it instead of queueing another.
        When the save fails for good, the document stays open and modified and a message
        says that the window did not `doing` ("quit", "close") and why.
        """
        session = self.session
        if not session.history.is_modified():
            then()
            return

        def saved(ok: bool) -> None:
            if ok:
                then()
            elif session is self.session:
                self._say_stopped(session, doing)

        def answered(choice: Choice) -> None:
            if choice == Choice.Discard:
                then()
            elif choice == Choice.Save:
                self.message.emit(f"Saving {session.display_name}… ({doing} when saved)", 0)
                if not self._wait_for_save_in_progress(session, saved):
                    self.save(after=saved)

        ask_unsaved(self._parent(), session.display_name, answered,
                    note=self._saves_in_progress_text(session))  # fmt: skip

    def saves_in_progress(self, session: Session) -> list[int]:
        """Job ids of `session`'s saves that are queued, running or waiting to retry."""
        ids = []
        for job_id, pending in self._saves.items():
            if pending.session is not session:
                continue
            try:
                state = self.jobs.record(job_id).state
            except KeyError:
                continue
            if state in PENDING_STATES:
                ids.append(job_id)
        return ids

    def _saves_in_progress_text(self, session: Session) -> str:
        lines = [pending_line(self.jobs.record(job_id), time.time())
                 for job_id in self.saves_in_progress(session)]  # fmt: skip
        if not lines:
            return ""
        head = "A save is already in progress:" if len(lines) == 1 else "Saves in progress:"
        return "\n".join([head, *(f"• {line}" for line in lines),
                          "Save waits for it instead of saving again."])  # fmt: skip

    def _wait_for_save_in_progress(self, session: Session, after: Callable[[bool], None]) -> bool:
        """Have `after(ok)` run when a save of the current state in progress ends; False
        if there is none (the state changed since, or nothing is being saved)."""
        current = session.history.revision()
        for job_id in self.saves_in_progress(session):
            pending = self._saves[job_id]
            if pending.revision == current:
                earlier = pending.then
                if earlier is None:
                    pending.then = after
                else:

                    def both(ok: bool, first: Callable[[bool], None] = earlier) -> None:
                        first(ok)
                        after(ok)

                    pending.then = both
                return True
        return False

    def _say_stopped(self, session: Session, doing: str) -> None:
        """The save the window was waiting for failed: say so (the notice has details)."""
        what = "Strata did not quit" if doing == "quit" else f"The drawing was not {doing}d"
        why = session.last_save_error or "the save did not finish"
        self.message.emit(f"{what}: saving failed ({why})", 0)
        box = show_error(self._parent(), "Not saved",
                         f"{what}: “{session.display_name}” could not be saved.",
                         f"{why}\n\nYour changes are still here. Save again (or Save As "
                         "another place), or quit and discard them.")  # fmt: skip
        box.setObjectName("quit_stopped_dialog")

    # ------------------------------------------------------------ new / open
    def new(self) -> None:
        self.maybe_discard(lambda: self._host.install_session(self.link.new_session()))

    def open_dialog(self) -> None:
        self.maybe_discard(
            lambda: file_dialog(self._parent(), "Open", self.settings.last_directory(),
                                [STRATA_FILTER, "All files (*)"], self._open_now, save=False)
        )  # fmt: skip

    def open_path(self, path: str | Path) -> bool:
        """Open a file (after the unsaved-changes prompt). Returns False if it failed."""
        result: list[bool] = []
        self.maybe_discard(lambda: result.append(self._open_now(Path(path))))
        return bool(result and result[0])

    def _open_now(self, path: Path) -> bool:
        """Open `path`, first asking when another running Strata has it open (then the
        answer opens it, later, and this returns False)."""
        holder = self.link.holder(path) if path.exists() else None
        if holder is not None:

            def answered(choice: LockChoice) -> None:
                if choice != "cancel":
                    self._open_unlocked(path, read_only=choice == "read_only")

            ask_locked(self._parent(), holder, answered)
            return False
        return self._open_unlocked(path)

    def _open_unlocked(self, path: Path, *, read_only: bool = False) -> bool:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            data = read_file(path)
            snapshot = decode(data)
        except FormatError as exc:
            QGuiApplication.restoreOverrideCursor()
            show_error(self._parent(), "Cannot open file",
                       f"“{path.name}” could not be opened.", str(exc))  # fmt: skip
            self.message.emit(f"Could not open {path.name}: {exc}", 0)
            if not path.exists():
                self.settings.remove_recent(path)
                self.recentChanged.emit()
            return False
        try:
            if read_only:  # not journaled: the other Strata owns the file's history
                opened = Opened(Session(snapshot, path.resolve()))
                opened.session.read_only = True
            else:
                opened = self.link.open_session(snapshot, path, sha256_of(data))
            self._host.install_session(opened.session)
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.settings.add_recent(path)
        self.settings.set_last_directory(path.resolve().parent)
        self.recentChanged.emit()
        n = len(snapshot.shapes)
        shapes = f"{n} shape{'' if n == 1 else 's'}"
        if opened.note is None:
            self.message.emit(f"Opened {path.name} ({shapes})", 4000)
        elif opened.note.startswith("with"):
            self.message.emit(f"Opened {path.name} ({shapes}) {opened.note}", 6000)
        else:  # the history was set aside: say so until something else is said
            self.message.emit(f"Opened {path.name} ({shapes}); {opened.note}", 0)
        return True

    # ----------------------------------------------------------------- saving
    def save(self, after: Callable[[bool], None] | None = None) -> int | None:
        """Save to the document's file (asking for one if it has none). Returns the job id."""
        session = self.session
        if session.path is None or session.read_only:
            self.save_as_dialog(after)
            return None
        return self.save_to(session.path, after)

    def save_as_dialog(self, after: Callable[[bool], None] | None = None) -> None:
        session = self.session
        directory = str(session.path or Path(self.settings.last_directory()) / "Untitled.strata")
        dialog = file_dialog(
            self._parent(), "Save As", directory, [STRATA_FILTER],
            lambda p: self.save_to(p, after), save=True, suffix="strata",
        )  # fmt: skip
        if after is not None:
            dialog.rejected.connect(lambda: after(False))

    def save_policy_now(self) -> RetryPolicy:
        """The retry policy a save submitted now gets (Preferences' window, or the
        window's own policy when Preferences set none)."""
        if self.save_policy is not None and not self.settings.save_retry_window():
            return self.save_policy
        return self.settings.save_retry_policy()

    def save_to(self, path: Path, after: Callable[[bool], None] | None = None) -> int | None:
        """Submit a save of the current state to `path`; `after(ok)` runs when it ends."""
        session = self.session
        revision = session.history.revision()
        snapshot = session.document.snapshot()
        try:
            job = SaveJob(snapshot, path, revision, ops=self.file_ops,
                          origin=self.link.origin(session))  # fmt: skip
            job_id = self.jobs.submit(job, policy=self.save_policy_now())
        except (QueueFull, QueueClosed) as exc:
            show_error(self._parent(), "Cannot save", "The save could not be queued.", str(exc))
            if after is not None:
                after(False)
            return None
        self._saves[job_id] = _PendingSave(session, revision, path, after)
        self.message.emit(f"Saving {path.name}…", 0)
        return job_id

    # -------------------------------------------------------------- exporting
    def export_dialog(self) -> None:
        session = self.session
        base = session.path or Path(self.settings.last_directory()) / "Untitled.strata"
        ExportDialog(self._parent(), base, self.export_to).open()

    def export_to(self, path: Path, fmt: str | None = None, scale: float = 1.0) -> int | None:
        snapshot = self.session.document.snapshot()
        try:
            job_id = self.jobs.submit(ExportJob(snapshot, path, fmt, scale, ops=self.file_ops))
        except InvalidInput as exc:
            show_error(self._parent(), "Cannot export", str(exc))
            return None
        except (QueueFull, QueueClosed) as exc:
            show_error(self._parent(), "Cannot export", "The export could not be queued.",
                       str(exc))  # fmt: skip
            return None
        self._exports[job_id] = path
        self.message.emit(f"Exporting {path.name}…", 0)
        return job_id

    # ------------------------------------------------------------ job results
    def _job_succeeded(self, job_id: int, result: object) -> None:
        if isinstance(result, SaveResult):
            pending = self._saves.pop(job_id, None)
            if pending is None:
                if not result.superseded and not self.batch_job(job_id):
                    self._earlier_save_written(result)
                return
            session = pending.session
            if result.superseded:  # a later save of the same real file was written first
                self.message.emit(
                    f"{pending.path.name}: a newer save of the same file was already written",
                    4000,
                )
                if pending.then is not None:
                    pending.then(not session.history.is_modified())
                return
            self._drop_superseded(job_id, pending)
            self.record_save(session, pending.revision, pending.path, result)
            note = "" if not session.history.is_modified() else " (changed since)"
            self.message.emit(f"Saved {pending.path.name}{note}", 4000)
            if pending.then is not None:
                pending.then(True)
        elif isinstance(result, ExportResult):
            if self._exports.pop(job_id, None) is None:
                return  # not ours (a Publish step: the batch speaks for it)
            self.settings.set_last_directory(result.path.parent)
            self.message.emit(f"Exported {result.path.name}", 4000)

    def record_save(
        self, session: Session, revision: Revision, path: Path, result: SaveResult
    ) -> None:
        """A save of `revision` to `path` is on disk: the document is clean if nothing
        changed since, the journal knows, the file is recent. (A Publish batch calls it
        once every step succeeded: editor/ui/publishing.py.)"""
        if session.read_only and path.resolve() != session.path:
            session.read_only = False  # saved as a file of its own (not journaled)
        session.path = path.resolve()
        session.history.mark_saved(revision)
        self.link.saved(session, result.sha256, path)
        session.last_save_error = None
        self.settings.add_recent(path)
        self.settings.set_last_directory(path.resolve().parent)
        self.recentChanged.emit()
        if session is self.session:
            self.saveFinished.emit(True)

    def _earlier_save_written(self, result: SaveResult) -> None:
        """A save this window did not ask for in this run wrote its file: one an earlier
        run asked for, run again at start (interrupted) or retried from its dead letter.
        The window's document learns what the file now holds:

        * it is the document that save came from (recovered, or reopened with its
          history) and its history still has the state the save wrote: that state is
          the saved one, and an unmodified window moves to it (a reload that keeps the
          history);
        * it is that file, unmodified: the window reloads it;
        * otherwise, with changes: they stay, and the document is marked as not on disk
          (its old saved state is no longer the file's).
        """
        session, path = self.session, result.path.resolve()
        origin, name, history = result.origin, path.name, session.history
        recorder = session.recorder
        ours = origin is not None and recorder is not None and recorder.doc_id == origin.document
        index = origin.index if origin is not None and ours else None
        if index is not None and self.link.holds(session, index, path):
            follow = not history.is_modified()
            if follow:  # the window follows its file, as a reload would, keeping the history
                history.set_index(index)
            history.mark_saved(index)
            self.link.saved(session, result.sha256, path)
            said = _RELOADED if follow else "Saved {name} (a save from when Strata last stopped)"
            self.message.emit(said.format(name=name), 0)
        elif ours or (session.path is not None and session.path.resolve() == path):
            if not ours and not history.is_modified() and not session.read_only:
                if self._open_unlocked(path):
                    self.message.emit(_RELOADED.format(name=name), 0)
            else:
                history.mark_not_on_disk()
                self.message.emit(f"{name} was written by a save from when Strata last "
                                  f"stopped; your changes here are not in it", 0)  # fmt: skip

    def _job_changed(self, record: JobRecord) -> None:
        if record.state not in (JobState.DEAD, JobState.CANCELLED):
            return
        error = record.last_error
        # The plain words (editor.io.failures); the Jobs panel's details keep the rest.
        why = error_text(error) if error else record.reason or record.state.value
        if record.id in self._saves:
            # A dead save stays known: retried from the Jobs panel it keeps its job id, and
            # its success then marks the revision it wrote as saved (clean only if nothing
            # changed since). Discarding the dead letter forgets it.
            pending = self._saves[record.id]
            if record.state is JobState.DEAD:
                pending.session.last_save_error = f"{pending.path.name}: {why}"
                self.message.emit(f"Save failed: {pending.path.name}: {why}", 0)
                if pending.session is self.session:
                    self.saveFinished.emit(False)
            else:
                del self._saves[record.id]
            then, pending.then = pending.then, None
            if then is not None:
                then(False)
        elif record.id in self._exports:
            path = self._exports.pop(record.id)
            if record.state is JobState.DEAD:
                self.message.emit(f"Export failed: {path.name}: {why}", 0)

    def _drop_superseded(self, job_id: int, done: _PendingSave) -> None:
        """Discard failed saves of the same document to the same file requested earlier.

        Retrying one of them later would put an older state back over this newer file.
        """
        for other_id, other in list(self._saves.items()):
            if (
                other_id < job_id
                and other.session is done.session
                and other.path.resolve() == done.path.resolve()
                and any(letter.job_id == other_id for letter in self.jobs.dead_letters())
            ):
                self._saves.pop(other_id, None)
                self.jobs.discard_dead(other_id)

    def _forget_discarded(self) -> None:
        """Drop dead saves whose dead letter was discarded (they can never succeed now)."""
        dead = {letter.job_id for letter in self.jobs.dead_letters()}
        for job_id in list(self._saves):
            try:
                state = self.jobs.record(job_id).state
            except KeyError:
                state = None
            if job_id not in dead and state in (JobState.DEAD, None):
                del self._saves[job_id]

    # ---------------------------------------------------------------- recent
    def recent_files(self) -> list[Path]:
        return self.settings.recent_files()

    def clear_recent(self) -> None:
        self.settings.clear_recent()
        self.recentChanged.emit()
