"""Consistency of the incremental History model under random histories.

After every step the model's rows and texts equal what the stack says, a shadow view
that only re-reads what the model's signals report equals a fresh read, the view's
current (and only selected) row is the stack's index, the saved row and the dimmed redo
rows are where they should be, and Qt's QAbstractItemModelTester (attached throughout)
found no inconsistent insert/remove/change signal (it reports through Qt warnings, which
fail the test).
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtTest import QAbstractItemModelTester

from editor.model import Document, Snapshot
from editor.ui.panels import HistoryModel, HistoryPanel
from editor.ui.session import Session
from tests.strategies import commands, documents

DISPLAY = Qt.ItemDataRole.DisplayRole
DECORATION = Qt.ItemDataRole.DecorationRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
Mode = QAbstractItemModelTester.FailureReportingMode


class Step(QUndoCommand):
    """A command that merges with steps of the same merge id; a sum of 0 makes it obsolete
    (like a slider dragged back to where it started)."""

    def __init__(self, name: str, merge_id: int, amount: int) -> None:
        super().__init__(f"{name} {amount}")
        self.name = name
        self.merge_id = merge_id
        self.amount = amount

    def id(self) -> int:
        return self.merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, Step) or other.merge_id != self.merge_id:
            return False
        self.amount += other.amount
        self.setText(f"{self.name} {self.amount}")
        if self.amount == 0:
            self.setObsolete(True)
        return True


Row = tuple[str, int, bool]


class Shadow:
    """What a view that trusts the model's signals shows: rows are read only when the
    model reports them inserted or changed. If the model forgets to report a change (say
    the previous current row stops being current), the shadow goes stale and differs."""

    def __init__(self, model: HistoryModel) -> None:
        self.model = model
        self.rows = self.read_all()
        model.rowsInserted.connect(self.inserted)
        model.rowsRemoved.connect(self.removed)
        model.dataChanged.connect(self.changed)
        model.modelReset.connect(self.reset)

    def read(self, row: int) -> Row:
        index = self.model.index(row)
        return (
            self.model.data(index, DISPLAY),
            self.model.data(index, DECORATION).cacheKey(),
            self.model.data(index, FOREGROUND) is not None,
        )

    def read_all(self) -> list[Row]:
        return [self.read(r) for r in range(self.model.rowCount())]

    def inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        self.rows[first:first] = [self.read(r) for r in range(first, last + 1)]

    def removed(self, _parent: QModelIndex, first: int, last: int) -> None:
        del self.rows[first : last + 1]

    def changed(self, top_left: QModelIndex, bottom_right: QModelIndex, *_: object) -> None:
        for row in range(top_left.row(), bottom_right.row() + 1):
            self.rows[row] = self.read(row)

    def reset(self) -> None:
        self.rows = self.read_all()


def check_panel(
    panel: HistoryPanel, stack: QUndoStack, saved: int, shadow: Shadow, first: str
) -> None:
    model = panel.model()
    assert shadow.rows == shadow.read_all(), "a change was not signalled"
    count, index = stack.count(), stack.index()
    assert model.rowCount() == count + 1
    texts = [model.data(model.index(r), DISPLAY) for r in range(count + 1)]
    assert texts == [first, *(stack.text(i) for i in range(count))]
    assert model.current_row() == index
    view = panel.view()
    assert view.currentIndex().row() == index
    assert [i.row() for i in view.selectionModel().selectedRows()] == [index]
    assert model.saved_row() == saved
    icon = model._saved_icon.cacheKey()
    marked = [
        r for r in range(count + 1) if model.data(model.index(r), DECORATION).cacheKey() == icon
    ]
    assert marked == ([saved] if saved >= 0 else [])
    dimmed = [r for r in range(count + 1) if model.data(model.index(r), FOREGROUND) is not None]
    assert dimmed == list(range(index + 1, count + 1))


class StackSequences(RuleBasedStateMachine):
    """A bare QUndoStack: merges, obsolete merges and undos, macros, the undo limit."""

    stack: QUndoStack
    panel: HistoryPanel

    @initialize(limit=st.sampled_from([0, 0, 1, 3, 5]))
    def start(self, limit: int) -> None:
        self.stack = QUndoStack()
        self.stack.setUndoLimit(limit)
        self.panel = HistoryPanel()
        self.panel.set_stack(self.stack)
        self.tester = QAbstractItemModelTester(self.panel.model(), Mode.Warning)
        self.shadow = Shadow(self.panel.model())

    @rule(name=st.sampled_from("ab"), merge_id=st.sampled_from([-1, 1, 2]),
          amount=st.integers(-2, 2))  # fmt: skip
    def push(self, name: str, merge_id: int, amount: int) -> None:
        self.stack.push(Step(name, merge_id, amount))

    @rule(name=st.sampled_from("mn"), children=st.lists(st.integers(-1, 1), max_size=3))
    def macro(self, name: str, children: list[int]) -> None:
        self.stack.beginMacro(name)
        for amount in children:
            self.stack.push(Step("c", 3, amount))
        self.stack.endMacro()

    @rule()
    def undo(self) -> None:
        self.stack.undo()

    @rule()
    def redo(self) -> None:
        self.stack.redo()

    @rule(data=st.data())
    def jump(self, data: st.DataObject) -> None:
        self.stack.setIndex(data.draw(st.integers(0, self.stack.count())))

    @precondition(lambda self: self.stack.index() > 0)
    @rule()
    def undo_obsolete(self) -> None:
        """An undone command that turns out obsolete is deleted, even below a redo branch."""
        self.stack.command(self.stack.index() - 1).setObsolete(True)
        self.stack.undo()

    @rule()
    def set_clean(self) -> None:
        self.stack.setClean()

    @rule()
    def clear(self) -> None:
        self.stack.clear()

    @invariant()
    def panel_matches_stack(self) -> None:
        QCoreApplication.processEvents()  # the view follows the stack once per loop turn
        check_panel(self.panel, self.stack, self.stack.cleanIndex(), self.shadow, "<empty>")

    def teardown(self) -> None:
        self.panel.set_stack(None)
        self.panel.deleteLater()
        self.stack.deleteLater()


class SessionSequences(RuleBasedStateMachine):
    """The real History: commands of every kind (merging ones too), saves, the undo limit."""

    session: Session
    panel: HistoryPanel

    @initialize(doc=documents, limit=st.sampled_from([0, 0, 2, 4]))
    def start(self, doc: Document, limit: int) -> None:
        self.session = Session(Snapshot(doc.page, doc.shapes()))
        self.session.history.set_undo_limit(limit)
        self.panel = HistoryPanel()
        self.panel.set_session(self.session)
        self.tester = QAbstractItemModelTester(self.panel.model(), Mode.Warning)
        self.shadow = Shadow(self.panel.model())

    @rule(data=st.data())
    def push(self, data: st.DataObject) -> None:
        self.session.push(data.draw(commands(self.session.document)))

    @rule()
    def undo(self) -> None:
        self.session.history.undo()

    @rule()
    def redo(self) -> None:
        self.session.history.redo()

    @rule(data=st.data())
    def jump(self, data: st.DataObject) -> None:
        history = self.session.history
        history.set_index(data.draw(st.integers(0, history.stack.count())))

    @rule()
    def save(self) -> None:
        self.session.history.mark_saved()

    @rule()
    def clear(self) -> None:
        self.session.history.clear()

    @invariant()
    def panel_matches_history(self) -> None:
        QCoreApplication.processEvents()  # view follow, deferred re-read of the saved state
        history = self.session.history
        check_panel(self.panel, history.stack, history.saved_index(), self.shadow, "New drawing")

    def teardown(self) -> None:
        self.panel.set_session(None)
        self.panel.deleteLater()
        self.session.close()
        self.session.deleteLater()


def test_model_follows_a_bare_stack(qapp: object) -> None:
    run_state_machine_as_test(
        StackSequences,
        settings=settings(max_examples=150, stateful_step_count=40, deadline=None),
    )


def test_model_follows_the_history(qapp: object) -> None:
    run_state_machine_as_test(
        SessionSequences,
        settings=settings(max_examples=60, stateful_step_count=30, deadline=None),
    )
