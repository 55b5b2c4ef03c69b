"""Random command sequences on random documents, checked after every step (no Qt).

A plain list plays the undo stack, with the same merge rule as History: a new command
merges into the top one when `merge()` accepts it.

The oracle is independent of the commands' own bookkeeping: beside each step on the
stack the machine keeps the document state from *before* that step (a snapshot taken
before `do()` ran: immutable values, so nothing a command does later can change it).
Undoing a step must give back exactly that state, and a command that says it changed
nothing (`is_noop()`, which History uses to drop it) must really have changed nothing.
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
    #: The document before each step in `done` (same length): what undoing it gives.
    before: list[Snapshot]

    @initialize(doc=documents)
    def start(self, doc: Document) -> None:
        self.doc = doc
        self.initial = doc.snapshot()
        self.done = []
        self.before = []

    @rule(data=st.data())
    def apply(self, data: st.DataObject) -> None:
        command = data.draw(commands(self.doc))
        state_before = self.doc.snapshot()
        command.do(self.doc)
        if command.is_noop():
            assert self.doc.snapshot() == state_before, f"{command!r} is a no-op but changed"
            command.undo(self.doc)
            assert self.doc.snapshot() == state_before
            return
        assert self.doc.snapshot() != state_before, f"{command!r} changed nothing"
        if self.done and self.done[-1].merge(command):
            if self.done[-1].is_noop():
                self.done.pop()
                assert self.doc.snapshot() == self.before.pop(), "a merged no-op step"
            return
        self.done.append(command)
        self.before.append(state_before)

    @rule()
    def undo_one(self) -> None:
        if self.done:
            self.done.pop().undo(self.doc)
            assert self.doc.snapshot() == self.before.pop()

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
