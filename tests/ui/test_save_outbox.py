"""The save outbox: a save's job row and the journal's record of it are one transaction,
so a save that an earlier run asked for and a later run finished is recognised as the
document's own (editor/journal/saves.py; docs/architecture.md, "The save outbox").

The earlier run here is a window whose process "died": its document row is handed to a
process that is gone, as a kill -9 leaves it (tests/ui/test_xcb.py does it with a real
kill of a real `strata`)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from editor.commands import AddShapes, MoveShapes
from editor.io.format import load, save
from editor.jobs import JobState
from editor.jobs.sqlstore import SqliteJobStore
from editor.journal import Journal
from editor.model import Document, rect
from editor.testing import press
from editor.ui.main_window import MainWindow

from .stored_window import DEAD_OWNER, OpenWindow, stored_window

__all__ = ["stored_window"]

Alt = Qt.KeyboardModifier.AltModifier


def _restored(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: window.job_restore is not None)


def _saves(db: Path) -> list[tuple[int, int | None, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT job, idx, path, sha256 FROM saves ORDER BY job").fetchall()
    finally:
        conn.close()


class EarlierRun:
    """A first window that opened `drawing.strata`, moved its shape, and asked for a save
    that went to the dead letters (the folder was gone); then its process died."""

    def __init__(self, stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot) -> None:
        self.db = tmp_path / "journal.sqlite3"
        self.folder = tmp_path / "work"
        self.folder.mkdir()
        self.path = self.folder / "drawing.strata"
        save(self.path, Document(shapes=[rect("a", 0, 0, 10, 10)]).snapshot())
        self.original = self.path.read_bytes()
        first = stored_window(self.db)
        _restored(first, qtbot)
        assert first.open_path(self.path)
        first.session.push(MoveShapes(("a",), 5, 0))
        self.index = first.undo_stack.index()
        self.moved = first.document.snapshot()
        self.path.unlink()
        self.folder.rmdir()  # the folder goes away: the save fails for good
        job = first.documents.save()
        assert job is not None
        self.job = job
        qtbot.waitUntil(lambda: first.jobs.record(job).state is JobState.DEAD)
        assert isinstance(first.jobs.store, SqliteJobStore)
        first.jobs.store.flush()
        # The process dies: nothing more of its document reaches the database.
        recorder, first.session.recorder = first.session.recorder, None
        assert recorder is not None
        recorder.closed = True
        first.session.history.observer = None
        conn = sqlite3.connect(self.db)
        with conn:  # kill -9: the document stays open, held by a process that is gone
            conn.execute("UPDATE documents SET owner = ?", (DEAD_OWNER,))
        conn.close()
        self.folder.mkdir()  # the folder is back (a drive mounted again)
        self.path.write_bytes(self.original)


def _retry(window: MainWindow, job: int, qtbot: QtBot) -> None:
    window.show_jobs(dead=True)
    panel = window.jobs_panel
    assert panel.show_dead_letter(job)
    panel.action("retry").trigger()  # the Dead letters tab's Retry
    qtbot.waitUntil(lambda: window.jobs.record(job).state is JobState.SUCCEEDED)


def test_a_save_is_in_the_outbox_with_its_job_and_the_hash_of_what_it_writes(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    window = stored_window(db)
    _restored(window, qtbot)
    window.session.push(AddShapes((rect("a", 0, 0, 40, 20),)))
    path = tmp_path / "drawing.strata"
    job = window.documents.save_to(path)
    qtbot.waitUntil(lambda: not window.session.history.is_modified())
    assert isinstance(window.jobs.store, SqliteJobStore)
    window.jobs.store.flush()
    ((stored_job, index, target, sha),) = _saves(db)
    assert (stored_job, index, target) == (job, 1, str(path.resolve()))
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failing_outbox_write_takes_the_jobs_row_with_it(tmp_path: Path) -> None:
    """One transaction: when the outbox's insert fails, the job's row is not there either."""
    journal = Journal(tmp_path / "journal.sqlite3")
    read = sqlite3.connect(journal.path, check_same_thread=False)

    def broken(conn: sqlite3.Connection, job_id: int, envelope: object, now: float) -> None:
        conn.execute("INSERT INTO saves (job) VALUES (NULL)")  # NOT NULL columns: fails

    try:
        store = SqliteJobStore(read, journal.put, journal.flush, owner=journal.owner,
                               on_added=broken)  # fmt: skip
        store.add({"type": "save", "payload": {}}, "k", 1.0, name="Save x")
        journal.flush()
        assert journal.problem is not None  # the writer says so (as for a full disk)
        assert read.execute("SELECT count(*) FROM jobs").fetchone()[0] == 0
        assert read.execute("SELECT count(*) FROM saves").fetchone()[0] == 0
    finally:
        read.close()
        journal.close()


def test_recovering_after_an_earlier_runs_save_was_retried_keeps_the_file(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    """The dead save is retried first, then the document recovered: the file holds the
    recovered state at the save's index, so the document is the file's, saved there (it
    used to open as a new "drawing (recovered)", the file taken as changed elsewhere)."""
    earlier = EarlierRun(stored_window, tmp_path, qtbot)
    second = stored_window(earlier.db)
    _restored(second, qtbot)
    qtbot.waitUntil(lambda: bool(second.recovery_bars.bars))
    _retry(second, earlier.job, qtbot)
    assert load(earlier.path) == earlier.moved  # run 1's state, written in run 2
    press(second, Qt.Key.Key_R, Alt)  # Recover
    assert second.session.path == earlier.path.resolve()
    assert second.session.display_name == "drawing.strata"
    assert second.document.snapshot() == earlier.moved
    assert second.session.history.saved_index() == earlier.index
    assert not second.isWindowModified()
    assert second.statusBar().currentMessage() == (
        "Recovered drawing.strata (saved by a save from when Strata last stopped, 1 step of "
        "history)"
    )
    second.session.history.set_index(0)  # the history is all there: undo to the original
    assert second.isWindowModified()


def test_an_earlier_runs_save_retried_after_recovering_marks_the_document_saved(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    earlier = EarlierRun(stored_window, tmp_path, qtbot)
    second = stored_window(earlier.db)
    _restored(second, qtbot)
    qtbot.waitUntil(lambda: bool(second.recovery_bars.bars))
    press(second, Qt.Key.Key_R, Alt)  # Recover first: the file is still the original
    assert second.session.path == earlier.path.resolve() and second.isWindowModified()
    _retry(second, earlier.job, qtbot)
    assert load(earlier.path) == earlier.moved
    assert second.session.history.saved_index() == earlier.index
    assert not second.isWindowModified()
    assert "a save from when Strata last stopped" in second.statusBar().currentMessage()
    # And the journal knows: a crash now would recover this document as the file's.
    info = second.journal_link.journal
    assert info is not None
    info.flush()
    (doc,) = info.documents(path=str(earlier.path.resolve()))
    assert doc.sha256 == hashlib.sha256(earlier.path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kept_history", [True, False])
def test_an_open_unmodified_file_is_reloaded_when_an_earlier_runs_save_writes_it(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot, kept_history: bool
) -> None:
    """Opened (not recovered) with its kept history, the window moves to the state the
    save wrote (a redo step); without it, the file is read again."""
    earlier = EarlierRun(stored_window, tmp_path, qtbot)
    second = stored_window(earlier.db)
    _restored(second, qtbot)
    second.settings.set_keep_history(kept_history)
    assert second.open_path(earlier.path)  # opened as it is on disk, not recovered
    assert second.undo_stack.count() == (1 if kept_history else 0)
    assert load(earlier.path) != earlier.moved
    _retry(second, earlier.job, qtbot)
    assert second.document.snapshot() == earlier.moved == load(earlier.path)
    assert not second.isWindowModified()
    assert second.statusBar().currentMessage().startswith("Reloaded drawing.strata")


@pytest.mark.parametrize("undo_back", [False, True])
def test_changes_to_a_file_an_earlier_runs_save_writes_stay_and_stay_unsaved(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot, undo_back: bool
) -> None:
    earlier = EarlierRun(stored_window, tmp_path, qtbot)
    second = stored_window(earlier.db)
    _restored(second, qtbot)
    assert second.open_path(earlier.path)
    second.session.push(AddShapes((rect("b", 50, 50, 5, 5),)))
    mine = second.document.snapshot()
    _retry(second, earlier.job, qtbot)
    assert second.document.snapshot() == mine  # nothing of the person's is replaced
    assert "your changes here are not in it" in second.statusBar().currentMessage()
    if undo_back:  # back to the state that was the file: it is not the file any more
        second.session.history.set_index(0)
    assert second.isWindowModified()
