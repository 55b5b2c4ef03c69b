"""Random command sequences through the real QUndoStack history, with undo, redo, jumps
and saves, checked after every step."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from editor.history import History
from editor.io.format import decode, encode
from editor.model import Document, Snapshot
from tests.strategies import commands, documents


class HistorySequences(RuleBasedStateMachine):
    history: History
    doc: Document
    initial: Snapshot
    saved: Snapshot | None

    @initialize(doc=documents)
    def start(self, doc: Document) -> None:
        self.doc = doc
        self.history = History(doc)
        self.initial = doc.snapshot()
        self.saved = self.initial

    @rule(data=st.data())
    def push(self, data: st.DataObject) -> None:
        self.history.push(data.draw(commands(self.doc)))

    @rule()
    def undo(self) -> None:
        self.history.undo()

    @rule()
    def redo(self) -> None:
        self.history.redo()

    @rule(data=st.data())
    def jump(self, data: st.DataObject) -> None:
        self.history.set_index(data.draw(st.integers(0, self.history.stack.count())))

    @rule()
    def save(self) -> None:
        self.history.mark_saved(self.history.revision())
        self.saved = self.doc.snapshot()

    @invariant()
    def undo_all_then_redo_all(self) -> None:
        if not hasattr(self, "history"):
            return
        stack = self.history.stack
        current, index = self.doc.snapshot(), stack.index()
        # "modified" must mean "differs from the saved revision"
        if not self.history.is_modified():
            assert current == self.saved
        stack.setIndex(0)
        assert self.doc.snapshot() == self.initial
        stack.setIndex(stack.count())
        stack.setIndex(index)
        assert self.doc.snapshot() == current

    @invariant()
    def save_then_load_is_equal(self) -> None:
        if hasattr(self, "doc"):
            snap = self.doc.snapshot()
            assert decode(encode(snap)) == snap

    def teardown(self) -> None:
        if hasattr(self, "history"):
            self.history.close()
            self.history.deleteLater()


HistorySequences.TestCase.settings = settings(
    max_examples=80, stateful_step_count=30, deadline=None
)


@pytest.mark.usefixtures("qapp")
class TestHistorySequences(HistorySequences.TestCase):  # type: ignore[misc,valid-type]
    """Runs the state machine with a QApplication present."""
