"""The QUndoStack history: merging, saved revisions, touched ids, macros, limits."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from editor.commands import (
    AddShapes,
    CommandError,
    DeleteShapes,
    EditText,
    MoveShapes,
    SetStyle,
)
from editor.history import History
from editor.model import Document, rect, text


@pytest.fixture
def doc() -> Document:
    return Document(shapes=[rect("a", 0, 0, 10, 10), rect("b", 5, 5, 10, 10),
                            text("t", 0, 0, 100, 20, "")])  # fmt: skip


@pytest.fixture
def history(qapp: object, doc: Document) -> History:
    return History(doc)


def texts(history: History) -> list[str]:
    return [history.stack.text(i) for i in range(history.stack.count())]


def test_push_applies_and_undo_redo_restore(history: History, doc: Document) -> None:
    original = doc.snapshot()
    assert history.push(MoveShapes(("a",), 5, 0, joinable=False))
    moved = doc.snapshot()
    history.undo()
    assert doc.snapshot() == original
    history.redo()
    assert doc.snapshot() == moved
    assert texts(history) == ["Move Rectangle"]


def test_a_failing_command_raises_and_is_not_recorded(history: History, doc: Document) -> None:
    before = doc.snapshot()
    with pytest.raises(CommandError):
        history.push(DeleteShapes(("missing",)))
    assert history.stack.count() == 0
    assert doc.snapshot() == before


def test_noop_is_not_recorded(history: History) -> None:
    assert not history.push(SetStyle(("a",), "fill", "#ffffff"))
    assert history.stack.count() == 0


def test_nudges_merge_into_one_step(history: History, doc: Document) -> None:
    for _ in range(5):
        history.push(MoveShapes(("a",), 1, 0))
    assert texts(history) == ["Move Rectangle"]
    history.undo()
    assert doc["a"].x == 0  # type: ignore[union-attr]


def test_typing_makes_word_steps(history: History, doc: Document) -> None:
    for n, char in enumerate("one two"):
        history.push(EditText("t", n, "", char))
    assert texts(history) == ["Type 'one'", "Type 'two'"]
    history.undo()
    assert doc["t"].text == "one "  # type: ignore[union-attr]


def test_modified_follows_the_saved_revision(qtbot: QtBot, history: History) -> None:
    assert not history.is_modified()
    with qtbot.waitSignal(history.modifiedChanged) as blocker:
        history.push(MoveShapes(("a",), 1, 0, joinable=False))
    assert blocker.args == [True]
    history.mark_saved()
    assert not history.is_modified()
    history.push(MoveShapes(("b",), 1, 0, joinable=False))
    assert history.is_modified()
    history.undo()
    assert not history.is_modified()  # undoing back to the saved point is clean again
    history.undo()
    assert history.is_modified()
    history.redo()
    assert not history.is_modified()
    assert history.saved_index() == 1


def test_background_save_marks_only_the_revision_it_wrote(history: History) -> None:
    history.push(EditText("t", 0, "", "h"))
    revision = history.revision()  # a save starts here...
    history.push(EditText("t", 1, "", "i"))  # ...typing goes on while it runs
    assert history.stack.count() == 2, "the saved step must not absorb later typing"
    history.mark_saved(revision)  # ...and then the save finishes
    assert history.is_modified()
    history.undo()
    assert not history.is_modified()
    assert history.saved_index() == 1


def test_mark_saved_by_index(history: History) -> None:
    history.push(MoveShapes(("a",), 1, 0, joinable=False))
    history.push(MoveShapes(("b",), 1, 0, joinable=False))
    history.mark_saved(1)
    assert history.is_modified()
    history.undo()
    assert not history.is_modified()


def test_saved_state_discarded_by_a_new_branch_is_unreachable(history: History) -> None:
    history.push(MoveShapes(("a",), 1, 0, joinable=False))
    history.mark_saved()
    history.undo()
    history.push(MoveShapes(("b",), 1, 0, joinable=False))  # drops the saved step
    assert history.saved_index() == -1
    history.undo()
    assert history.is_modified()


def test_merge_never_changes_the_saved_step(history: History) -> None:
    history.push(MoveShapes(("a",), 1, 0))
    history.mark_saved()
    history.push(MoveShapes(("a",), 1, 0))
    assert history.stack.count() == 2
    assert history.is_modified()


def test_undo_limit_keeps_the_saved_state_reachable(history: History) -> None:
    history.set_undo_limit(2)
    history.push(MoveShapes(("a",), 1, 0, joinable=False))
    history.mark_saved()
    history.push(MoveShapes(("a",), 1, 0, joinable=False))
    history.push(MoveShapes(("a",), 1, 0, joinable=False))  # drops the first command
    assert history.stack.count() == 2
    assert history.is_modified()
    history.undo()
    history.undo()
    assert not history.is_modified(), "index 0 is now the state after the saved command"
    assert history.saved_index() == 0


def test_touched_ids_are_reported_for_reselection(qtbot: QtBot, history: History) -> None:
    history.push(MoveShapes(("a", "b"), 1, 0, joinable=False))
    history.push(DeleteShapes(("t",)))
    with qtbot.waitSignal(history.touched) as blocker:
        history.undo()
    assert blocker.args == [("t",), "undo"]
    with qtbot.waitSignal(history.touched) as blocker:
        history.undo()
    assert set(blocker.args[0]) == {"a", "b"}
    with qtbot.waitSignal(history.touched) as blocker:
        history.set_index(2)  # jump forward two steps: one report
    assert set(blocker.args[0]) == {"a", "b"} and blocker.args[1] == "redo"


def test_macro_is_one_step(history: History, doc: Document) -> None:
    original = doc.snapshot()
    with history.macro("Paste and Style"):
        history.push(AddShapes((rect("n", 0, 0, 1, 1),)))
        history.push(SetStyle(("n", "a"), "fill", "#000000"))
    assert texts(history) == ["Paste and Style"]
    history.undo()
    assert doc.snapshot() == original


def test_a_failing_macro_leaves_no_trace(history: History, doc: Document) -> None:
    original = doc.snapshot()
    with pytest.raises(CommandError), history.macro("Broken"):
        history.push(MoveShapes(("a",), 3, 3))
        history.push(DeleteShapes(("missing",)))
    assert doc.snapshot() == original
    assert history.stack.count() == 0
    assert not history.stack.canRedo()


def test_clear_keeps_clean_state(history: History) -> None:
    history.push(MoveShapes(("a",), 1, 0))
    history.mark_saved()
    history.clear()
    assert history.stack.count() == 0
    assert not history.is_modified()


def test_a_deleted_history_lets_go_of_its_document_after_merges(qapp: object) -> None:
    """A merged command is deleted by QUndoStack inside push(); PySide then keeps its
    Python wrapper alive for good. The wrapper held the history, and through it the
    whole document: every closed window that had typed text kept its drawing in memory."""
    import gc  # noqa: PLC0415
    import weakref  # noqa: PLC0415

    from PySide6.QtCore import QCoreApplication, QEvent, QObject  # noqa: PLC0415

    owner = QObject()
    doc = Document(shapes=[text("t", 0, 0, 100, 20, "")])
    history = History(doc, owner)
    for n, char in enumerate("merged"):
        history.push(EditText("t", n, "", char))  # one step: five merges
    assert history.stack.count() == 1
    gone = weakref.ref(doc)
    del doc, history
    owner.deleteLater()
    del owner
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    assert gone() is None
