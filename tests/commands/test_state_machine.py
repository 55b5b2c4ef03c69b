"""Random command sequences on random documents, checked after every step (no Qt).

A plain list plays the undo stack, with the same merge rule as History: a new command
merges into the top one when `merge()` accepts it.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from editor.commands import Command
from editor.io.format import decode, encode
from editor.model import Document, Snapshot
from tests.strategies import commands, documents


class CommandSequences(RuleBasedStateMachine):
    doc: Document
    initial: Snapshot
    done: list[Command]

    @initialize(doc=documents)
    def start(self, doc: Document) -> None:
        self.doc = doc
        self.initial = doc.snapshot()
        self.done = []

    @rule(data=st.data())
    def apply(self, data: st.DataObject) -> None:
        command = data.draw(commands(self.doc))
        command.do(self.doc)
        if command.is_noop():
            command.undo(self.doc)
            assert self.doc.snapshot() == self._state()
            return
        if self.done and self.done[-1].merge(command):
            if self.done[-1].is_noop():
                self.done.pop()
            return
        self.done.append(command)

    @rule()
    def undo_one(self) -> None:
        if self.done:
            self.done.pop().undo(self.doc)

    def _state(self) -> Snapshot:
        return self.doc.snapshot()

    @invariant()
    def undo_all_then_redo_all(self) -> None:
        if not hasattr(self, "doc"):
            return
        final = self.doc.snapshot()
        for command in reversed(self.done):
            command.undo(self.doc)
        assert self.doc.snapshot() == self.initial
        for command in self.done:
            command.do(self.doc)
        assert self.doc.snapshot() == final

    @invariant()
    def save_then_load_is_equal(self) -> None:
        if hasattr(self, "doc"):
            snap = self.doc.snapshot()
            assert decode(encode(snap)) == snap


CommandSequences.TestCase.settings = settings(
    max_examples=150, stateful_step_count=30, deadline=None
)
TestCommandSequences = CommandSequences.TestCase
