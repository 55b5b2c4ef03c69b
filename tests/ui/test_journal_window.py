"""The journal as a person meets it: history that survives closing, the recovery bar after
a real kill -9, the lock of a file open in another Strata, and a journal that is broken."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from editor.commands import AddShapes, MoveShapes
from editor.io.format import load, save
from editor.journal import Journal
from editor.model import Document, Snapshot, rect
from editor.testing import press, wait_until_idle
from editor.ui.main_window import MainWindow
from tests.cli.test_recover import journal_in, run
from tests.journal.killrun import Holder, crash
from tests.journal.script import base_snapshot, states, write_base

Ctrl = Qt.KeyboardModifier.ControlModifier
Alt = Qt.KeyboardModifier.AltModifier
Window = Callable[..., MainWindow]


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "drawing.strata"
    save(path, Document(shapes=[rect("a", 0, 0, 10, 10)]).snapshot())
    return path


def _save(window: MainWindow) -> None:
    window.documents.save()
    wait_until_idle(window)
    assert not window.session.history.is_modified()


def _history(window: MainWindow) -> tuple[list[str], int, int]:
    stack = window.undo_stack
    texts = [stack.text(i) for i in range(stack.count())]
    return texts, stack.index(), window.session.history.saved_index()


def _close_document(window: MainWindow) -> None:
    window.action_registry["close"].trigger()  # File > Close: a new drawing replaces it


def test_reopening_a_saved_file_brings_its_whole_history_back(
    strata_window: Window, tmp_path: Path
) -> None:
    path, db = _file(tmp_path), tmp_path / "journal.sqlite3"
    window = strata_window(path, journal=db)
    session = window.session
    session.push(MoveShapes(("a",), 5, 0, joinable=False))
    session.push(AddShapes((rect("b", 20, 0, 10, 10),)))
    session.push(MoveShapes(("b",), 0, 5, joinable=False))
    window.session.history.undo()  # a redo entry
    _save(window)
    before = _history(window)
    assert before == (["Move Rectangle", "Add Rectangle", "Move Rectangle"], 2, 2)
    _close_document(window)
    assert window.undo_stack.count() == 0
    assert window.open_path(path)
    assert _history(window) == before
    assert not window.isWindowModified()
    assert window.history_panel._model.saved_row() == 2
    assert window.history_panel._model.rowCount() == 4  # "Opened drawing.strata" + 3
    assert "with its history (3 steps)" in window.statusBar().currentMessage()
    press(window, Qt.Key.Key_Z, Ctrl)  # Ctrl+Z undoes the last change made before closing
    assert "b" not in window.document
    press(window, Qt.Key.Key_Z, Ctrl)
    assert window.document["a"].x == 0  # the file as first opened
    press(window, Qt.Key.Key_Z, Ctrl | Qt.KeyboardModifier.ShiftModifier)
    press(window, Qt.Key.Key_Z, Ctrl | Qt.KeyboardModifier.ShiftModifier)
    press(window, Qt.Key.Key_Z, Ctrl | Qt.KeyboardModifier.ShiftModifier)  # the redo entry
    assert window.document["b"].y == 5


def test_history_survives_quitting_strata_too(strata_window: Window, tmp_path: Path) -> None:
    path, db = _file(tmp_path), tmp_path / "journal.sqlite3"
    first = strata_window(path, journal=db)
    first.session.push(MoveShapes(("a",), 5, 0, joinable=False))
    _save(first)
    first.close()  # quit: the journal is closed with the window
    second = strata_window(path, journal=db)
    assert _history(second) == (["Move Rectangle"], 1, 1)


def test_a_file_changed_elsewhere_opens_as_on_disk_and_its_history_is_set_aside(
    strata_window: Window, tmp_path: Path
) -> None:
    path, db = _file(tmp_path), journal_in(tmp_path / "data")
    window = strata_window(path, journal=db)
    window.session.push(MoveShapes(("a",), 5, 0, joinable=False))
    _save(window)
    _close_document(window)
    save(path, Document(shapes=[rect("z", 1, 1, 1, 1)]).snapshot())  # another program
    assert window.open_path(path)
    assert window.undo_stack.count() == 0 and list(window.document.ids()) == ["z"]
    assert "history kept for it was set aside" in window.statusBar().currentMessage()
    window.journal_link.journal.flush()
    states_ = {d.state for d in window.journal_link.journal.documents(path=str(path))}
    assert states_ == {"set_aside", "open"}
    # the set-aside history stays listed by `strata history FILE`
    listed = run(tmp_path / "data", "history", path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("# earlier history (the file changed elsewhere), since 20")
    assert lines[1].startswith("1  Move Rectangle  20") and lines[1].endswith("(saved)")


def test_keep_history_after_closing_off_forgets_it(strata_window: Window, tmp_path: Path) -> None:
    path, db = _file(tmp_path), tmp_path / "journal.sqlite3"
    window = strata_window(path, journal=db)
    window.settings.set_keep_history(False)
    window.session.push(MoveShapes(("a",), 5, 0, joinable=False))
    _save(window)
    _close_document(window)
    assert window.open_path(path)
    assert window.undo_stack.count() == 0


def _bar_text(window: MainWindow) -> str:
    bars = window.recovery_bars.bars
    assert len(bars) == 1 and window.recovery_bars.isVisible()
    return bars[0].label.text()


def test_after_a_kill_9_the_bar_offers_recovery_and_alt_r_recovers_the_whole_history(
    strata_window: Window, tmp_path: Path, qtbot: QtBot
) -> None:
    db, path = tmp_path / "journal.sqlite3", write_base(tmp_path)
    crash(db, path, 7, 60)
    expected = states(7, 60)[-1]
    window = strata_window(journal=db)
    qtbot.waitUntil(lambda: bool(window.recovery_bars.bars), timeout=3000)
    text = _bar_text(window)
    assert text.startswith("Strata closed unexpectedly. Recover ")
    assert "unsaved changes to drawing.strata (last change " in text
    press(window, Qt.Key.Key_R, Alt)
    assert not window.recovery_bars.isVisible()
    assert (window.document.snapshot(), window.undo_stack.index()) == expected
    assert window.session.path == path.resolve() and window.isWindowModified()
    window.session.history.set_index(0)  # undo all: the file as it was
    assert window.document.snapshot() == load(path)
    window.session.history.set_index(expected[1])
    _save(window)  # and it is the file's document again: saving writes the file
    assert load(path) == expected[0]


def test_recovering_next_to_a_changed_file_opens_a_new_document(
    strata_window: Window, tmp_path: Path, qtbot: QtBot
) -> None:
    db, path = tmp_path / "journal.sqlite3", write_base(tmp_path)
    crash(db, path, 8, 40)
    other = Document(shapes=[rect("z", 1, 1, 1, 1)]).snapshot()
    save(path, other)  # changed on disk after the crash (another machine, say)
    window = strata_window(journal=db)
    qtbot.waitUntil(lambda: bool(window.recovery_bars.bars), timeout=3000)
    window.recovery_bars.bars[0].recover_button.click()
    assert window.session.path is None
    assert window.session.display_name == "drawing (recovered)"
    assert window.document.snapshot() == states(8, 40)[-1][0]
    assert window.isWindowModified()
    assert load(path) == other  # never overwritten
    assert "changed on disk" in window.statusBar().currentMessage()
    # Journaling goes on: the recovered document's next change is recorded (the note
    # that it went untitled once took the sequence number of its last entry, and the
    # database writer stopped on the duplicate).
    window.session.push(AddShapes((rect("n", 2, 2, 2, 2),)))
    journal = window.journal_link.journal
    assert journal is not None
    journal.flush()
    assert journal.available and journal.problem is None


def test_an_untitled_drawing_recovers_as_untitled(strata_window: Window, tmp_path: Path,
                                                  qtbot: QtBot) -> None:  # fmt: skip
    db = tmp_path / "journal.sqlite3"
    crash(db, "-", 9, 30)
    window = strata_window(journal=db)
    qtbot.waitUntil(lambda: bool(window.recovery_bars.bars), timeout=3000)
    assert "unsaved changes to Untitled" in _bar_text(window)
    press(window, Qt.Key.Key_R, Alt)
    assert window.session.path is None and window.session.display_name == "Untitled"
    assert window.document.snapshot() == states(9, 30)[-1][0]
    window.session.history.set_index(0)
    assert window.document.snapshot() == base_snapshot()


def test_alt_d_discards_and_the_offer_does_not_come_back(
    strata_window: Window, tmp_path: Path, qtbot: QtBot
) -> None:
    db, path = tmp_path / "journal.sqlite3", write_base(tmp_path)
    crash(db, path, 10, 40)
    window = strata_window(journal=db)
    qtbot.waitUntil(lambda: bool(window.recovery_bars.bars), timeout=3000)
    press(window, Qt.Key.Key_D, Alt)
    assert not window.recovery_bars.isVisible()
    assert window.undo_stack.count() == 0
    window.close()
    again = strata_window(journal=db)
    QApplication.processEvents()
    assert again.recovery_bars.bars == []


def test_a_file_open_in_another_strata_asks_and_can_open_read_only(
    strata_window: Window, tmp_path: Path, qtbot: QtBot
) -> None:
    db, path = tmp_path / "journal.sqlite3", write_base(tmp_path)
    holder = Holder(db, path)
    try:
        window = strata_window(journal=db)
        assert not window.open_path(path)  # not yet: the question is asked first
        box = window.findChild(QMessageBox, "locked_dialog")
        assert box is not None and box.isVisible()
        assert f"open in another Strata (process {holder.pid})" in box.text()
        read_only = next(b for b in box.buttons() if "Read-Only" in b.text())
        read_only.click()
        qtbot.waitUntil(lambda: window.session.path == path.resolve(), timeout=2000)
        assert window.session.read_only
        assert "drawing.strata (read-only)" in window.windowTitle()
    finally:
        holder.release()
    # once the other Strata is gone, its lock is stale: the file opens without asking
    window.documents.new()
    assert window.open_path(path)
    assert not window.session.read_only


def test_a_damaged_journal_is_said_once_and_editing_goes_on(
    strata_window: Window, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    db.write_bytes(b"garbage " * 1000)
    window = strata_window(journal=db)
    qtbot.waitUntil(lambda: "Recovery data is unavailable" in
                    window.statusBar().currentMessage(), timeout=2000)  # fmt: skip
    assert "a copy was kept as journal.sqlite3.corrupt-" in window.statusBar().currentMessage()
    window.session.push(AddShapes((rect("x", 0, 0, 1, 1),)))
    assert len(window.document) == 1


def test_a_locked_journal_is_said_and_nothing_is_journaled(
    strata_window: Window, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    Journal(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        window = strata_window(journal=db)
        qtbot.waitUntil(lambda: "locked" in window.statusBar().currentMessage(), timeout=5000)
        window.session.push(AddShapes((rect("x", 0, 0, 1, 1),)))
        assert len(window.document) == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_snapshot_type_is_what_states_returns() -> None:
    assert isinstance(states(1, 1)[0][0], Snapshot)


def test_preferences_keep_history_size_and_clear_closed(strata_window: Window,
                                                        tmp_path: Path) -> None:  # fmt: skip
    path, db = _file(tmp_path), tmp_path / "journal.sqlite3"
    window = strata_window(path, journal=db)
    window.session.push(MoveShapes(("a",), 5, 0, joinable=False))
    _save(window)
    _close_document(window)
    dialog = window.show_preferences()
    assert dialog.keep_history.isChecked()
    assert dialog.max_entries.value() == 10_000
    assert dialog.journal_size.text().endswith(" MB")
    dialog.clear_history.click()
    assert "(cleared 1 document)" in dialog.journal_size.text()
    dialog.keep_history.setChecked(False)
    dialog.max_entries.setValue(500)
    dialog.accept()
    assert not window.settings.keep_history()
    assert window.settings.journal_max_entries() == 500
    assert window.open_path(path)
    assert window.undo_stack.count() == 0  # the history was cleared
