"""The History panel: rows follow the undo stack incrementally, the current row is the
stack's index, clicking or arrowing to a row jumps there, the saved state is marked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QIcon, QUndoCommand, QUndoStack
from pytestqt.qtbot import QtBot

from editor.commands import EditText, MoveShapes, SetStyle
from editor.model import Snapshot
from editor.ui.panels import HistoryModel, HistoryPanel
from editor.ui.session import Session
from tests.ui.panels.conftest import make_session, show

DISPLAY = Qt.ItemDataRole.DisplayRole
DECORATION = Qt.ItemDataRole.DecorationRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole


#: The first row of a session's history: the state before any step (a new document here).
FIRST = "New drawing"


def rows(model: HistoryModel) -> list[str]:
    return [model.data(model.index(r), DISPLAY) for r in range(model.rowCount())]


def stack_rows(stack: QUndoStack) -> list[str]:
    return [FIRST, *(stack.text(i) for i in range(stack.count()))]


def saved_rows(model: HistoryModel, saved_icon: QIcon) -> list[int]:
    key = saved_icon.cacheKey()
    return [
        r
        for r in range(model.rowCount())
        if model.data(model.index(r), DECORATION).cacheKey() == key
    ]


def moves(session: Session, n: int) -> list[Snapshot]:
    """Push n separate moves; the snapshots after each (index 0 = before any)."""
    snapshots = [session.document.snapshot()]
    for k in range(n):
        session.push(MoveShapes(("r",), 10 * (k + 1), 0, joinable=False))
        snapshots.append(session.document.snapshot())
    return snapshots


def current_row(panel: HistoryPanel) -> int:
    """The view's current row once it has followed the stack (one event-loop turn)."""
    QCoreApplication.processEvents()
    view = panel.view()
    selected = [i.row() for i in view.selectionModel().selectedRows()]
    assert selected == [view.currentIndex().row()]
    return view.currentIndex().row()


def click_row(qtbot: QtBot, panel: HistoryPanel, row: int) -> None:
    view = panel.view()
    rect = view.visualRect(panel.model().index(row))
    assert view.viewport().rect().contains(rect.center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_entries_appear_as_commands_are_pushed(
    history_panel: HistoryPanel, session: Session
) -> None:
    model = history_panel.model()
    assert rows(model) == [FIRST]
    assert current_row(history_panel) == 0
    session.push(MoveShapes(("r",), 5, 0, joinable=False))
    session.push(SetStyle(("r", "e"), "stroke_width", 4, joinable=False))
    assert rows(model) == [FIRST, "Move Rectangle", "Change Stroke Width of 2 Shapes"]
    assert current_row(history_panel) == 2


def test_a_merge_updates_the_entry_text(
    qtbot: QtBot, history_panel: HistoryPanel, session: Session
) -> None:
    model = history_panel.model()
    session.push(EditText("t", 5, "", " w", joinable=False))
    assert rows(model)[1] == "Type 'w'"
    with qtbot.waitSignal(model.dataChanged) as blocker:
        session.push(EditText("t", 7, "", "o"))
    assert rows(model) == [FIRST, "Type 'wo'"]
    top_left, bottom_right = blocker.args[:2]
    assert top_left.row() <= 1 <= bottom_right.row()


def test_clicking_an_entry_jumps_there(
    qtbot: QtBot, history_panel: HistoryPanel, session: Session
) -> None:
    snapshots = moves(session, 4)
    for row in (1, 3, 0, 4, 2):
        click_row(qtbot, history_panel, row)
        assert session.history.stack.index() == row
        assert session.document.snapshot() == snapshots[row]
        assert current_row(history_panel) == row


def test_a_click_right_after_a_burst_of_pushes_hits_the_row_on_screen(
    qtbot: QtBot, history_panel: HistoryPanel, session: Session
) -> None:
    snapshots = moves(session, 60)  # one event-loop turn: the view follows it later
    click_row(qtbot, history_panel, 5)  # aimed at what the screen shows now
    assert session.history.stack.index() == 5
    assert session.document.snapshot() == snapshots[5]
    assert current_row(history_panel) == 5


def test_arrow_keys_in_the_list_jump(
    qtbot: QtBot, history_panel: HistoryPanel, session: Session
) -> None:
    snapshots = moves(session, 3)
    show(qtbot, history_panel, active=True)
    view = history_panel.view()
    view.setFocus()
    for key, row in [(Qt.Key.Key_Up, 2), (Qt.Key.Key_Up, 1), (Qt.Key.Key_Down, 2),
                     (Qt.Key.Key_Home, 0), (Qt.Key.Key_End, 3)]:  # fmt: skip
        qtbot.keyClick(view, key)
        assert session.history.stack.index() == row
        assert session.document.snapshot() == snapshots[row]
        assert current_row(history_panel) == row


def test_redo_entries_are_dimmed(history_panel: HistoryPanel, session: Session) -> None:
    moves(session, 4)
    session.history.set_index(2)
    model = history_panel.model()
    dimmed = [r for r in range(model.rowCount()) if model.data(model.index(r), FOREGROUND)]
    assert dimmed == [3, 4]
    assert "undone" in model.data(model.index(4), Qt.ItemDataRole.AccessibleTextRole)
    assert "current" in model.data(model.index(2), Qt.ItemDataRole.ToolTipRole)


def test_the_saved_marker_follows_mark_saved_and_undo(
    history_panel: HistoryPanel, session: Session
) -> None:
    model = history_panel.model()
    icon = model._saved_icon
    assert saved_rows(model, icon) == [0]  # a new document is saved as it is
    moves(session, 3)
    assert saved_rows(model, icon) == [0]
    session.history.mark_saved()
    assert saved_rows(model, icon) == [3]
    assert "saved" in model.describe(3)
    session.history.undo()
    assert saved_rows(model, icon) == [3]  # the saved state is still row 3
    assert current_row(history_panel) == 2
    session.push(MoveShapes(("e",), 1, 1, joinable=False))  # discards the saved state
    assert saved_rows(model, icon) == []
    assert model.saved_row() == -1


def test_saving_an_older_revision_while_modified_moves_the_marker(
    history_panel: HistoryPanel, session: Session
) -> None:
    model = history_panel.model()
    moves(session, 1)
    revision = session.history.revision()  # a background save starts here...
    moves(session, 1)
    session.history.mark_saved(revision)  # ...and finishes later: still modified
    history_panel.refresh_saved()  # History emits nothing in this case
    assert model.saved_row() == 1


def test_pushing_over_a_redo_branch_removes_its_rows(
    qtbot: QtBot, history_panel: HistoryPanel, session: Session
) -> None:
    model = history_panel.model()
    moves(session, 4)
    session.history.set_index(2)
    with (
        qtbot.waitSignal(model.rowsRemoved) as removed,
        qtbot.waitSignal(model.rowsInserted) as inserted,
    ):
        session.push(SetStyle(("e",), "opacity", 0.1, joinable=False))
    assert removed.args[1:] == [3, 4]
    assert inserted.args[1:] == [3, 3]
    assert rows(model) == stack_rows(session.history.stack)
    assert rows(model)[-1] == "Change Opacity of Ellipse"
    assert current_row(history_panel) == 3


def test_the_undo_limit_dropping_the_oldest_entry_shifts_the_rows(
    qtbot: QtBot, qapp: object
) -> None:
    session = make_session()
    session.history.set_undo_limit(3)
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    panel.set_session(session)
    for k in range(6):
        session.push(SetStyle(("r",), "stroke_width", k + 1, joinable=False))
        session.push(MoveShapes(("e",), 1, 0, joinable=False))
        assert rows(panel.model()) == stack_rows(session.history.stack)
        assert current_row(panel) == session.history.stack.index()
    assert panel.model().rowCount() == 4
    panel.set_session(None)
    session.close()
    session.deleteLater()


def test_a_macro_appears_as_one_entry_when_it_ends(
    history_panel: HistoryPanel, session: Session
) -> None:
    model = history_panel.model()
    with session.history.macro("Tidy Up"):
        session.push(MoveShapes(("r",), 1, 0, joinable=False))
        session.push(MoveShapes(("e",), 1, 0, joinable=False))
        assert rows(model) == [FIRST]
    assert rows(model) == [FIRST, "Tidy Up"]
    assert current_row(history_panel) == 1


def test_clear_and_a_new_session_reset_the_list(
    history_panel: HistoryPanel, session: Session
) -> None:
    moves(session, 3)
    session.history.clear()
    assert rows(history_panel.model()) == [FIRST]
    assert current_row(history_panel) == 0
    other = make_session()
    try:
        moves(other, 2)
        history_panel.set_session(other)
        assert rows(history_panel.model()) == stack_rows(other.history.stack)
        assert current_row(history_panel) == 2
        session.push(MoveShapes(("r",), 1, 0, joinable=False))  # the old one is unbound
        assert history_panel.model().rowCount() == 3
    finally:
        history_panel.set_session(None)
        other.close()
        other.deleteLater()


def test_a_destroyed_stack_empties_the_list(qtbot: QtBot, history_panel: HistoryPanel) -> None:
    stack = QUndoStack()
    stack.push(QUndoCommand("one"))
    history_panel.set_stack(stack)
    assert rows(history_panel.model()) == ["<empty>", "one"]
    with qtbot.waitSignal(stack.destroyed):
        stack.deleteLater()
    assert rows(history_panel.model()) == ["<empty>"]
    assert history_panel.model().stack() is None


def test_a_plain_stack_marks_its_clean_index(history_panel: HistoryPanel) -> None:
    stack = QUndoStack()
    history_panel.set_stack(stack)
    for name in "abc":
        stack.push(QUndoCommand(name))
    stack.setClean()
    stack.undo()
    model = history_panel.model()
    assert model.saved_row() == 3
    assert current_row(history_panel) == 2
    history_panel.set_stack(None)


@pytest.mark.parametrize("n", [0, 1, 200])
def test_long_lists_scroll_to_the_current_row(
    qtbot: QtBot, history_panel: HistoryPanel, session: Session, n: int
) -> None:
    moves(session, n)
    QCoreApplication.processEvents()  # the view follows once per event-loop turn
    view = history_panel.view()
    index = history_panel.model().index(n)
    assert view.viewport().rect().contains(view.visualRect(index).center())
    if n:
        session.history.set_index(0)
        QCoreApplication.processEvents()
        assert (
            view.viewport()
            .rect()
            .contains(view.visualRect(history_panel.model().index(0)).center())
        )


def test_rows_have_one_height_and_no_children(history_panel: HistoryPanel) -> None:
    model = history_panel.model()
    assert model.rowCount(model.index(0)) == 0
    assert model.flags(model.index(0)) & Qt.ItemFlag.ItemNeverHasChildren
    assert model.rowCount(QModelIndex()) == 1
    header = history_panel.view().verticalHeader()
    assert header.sectionResizeMode(0) == header.ResizeMode.Fixed
