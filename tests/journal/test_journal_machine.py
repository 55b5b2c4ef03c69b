"""A hypothesis state machine over the journal: random commands (merging ones too),
macros, undo, redo, jumps, saves, close and reopen, crash and recover.

After a reopen or a recovery the history is the one before (same entries, same saved
marker; the same index after a recovery, the saved index after a reopen, as the file
is), and undoing everything gives the document as first opened.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from editor.commands import DeleteShapes, EditText, MoveShapes
from editor.history import History
from editor.io.format import encode
from editor.journal import Journal, Recorder
from editor.model import Document, Snapshot, Text
from tests.journal.helpers import adopt
from tests.journal.script import FakeClock
from tests.strategies import commands, documents


def _view(history: History) -> tuple[list[str], int, int, Snapshot]:
    stack = history.stack
    return ([stack.text(i) for i in range(stack.count())], stack.index(),
            history.saved_index(), history.document.snapshot())  # fmt: skip


class JournalMachine(RuleBasedStateMachine):
    history: History
    recorder: Recorder

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="strata-journal-machine-"))
        self.journal = Journal(self.folder / "journal.sqlite3")
        self.path = self.folder / "drawing.strata"
        self.clock = FakeClock()
        self.pending: tuple[object, bytes] | None = None

    def teardown(self) -> None:
        self.journal.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @initialize(doc=documents)
    def open_file(self, doc: Document) -> None:
        data = encode(doc.snapshot())
        self.path.write_bytes(data)
        self.opened = doc.snapshot()
        self.history = History(doc, clock=self.clock)
        self.recorder = self.journal.start(path=self.path, sha256=_sha(data), base=self.opened)
        self.history.observer = self.recorder

    @rule(data=st.data(), pause=st.booleans())
    def push(self, data: st.DataObject, pause: bool) -> None:
        self.clock.now += 2.0 if pause else 0.1
        command = data.draw(commands(self.history.document))
        step = data.draw(st.sampled_from([None, "typing", "nudge"]))
        self.history.push(command, step=step)

    @precondition(lambda self: len(self.history.document) > 0)
    @rule(data=st.data(), pause=st.booleans())
    def nudge(self, data: st.DataObject, pause: bool) -> None:
        """Arrow-key nudges of one shape merge into one step (until a pause)."""
        self.clock.now += 2.0 if pause else 0.1
        target = data.draw(st.sampled_from(self.history.document.ids()))
        dx = data.draw(st.sampled_from([-1.0, 1.0, 10.0]))
        self.history.push(MoveShapes((target,), dx, 0.0), step=("nudge", target))

    @rule(data=st.data())
    def type_text(self, data: st.DataObject) -> None:
        """Typing in one text box merges into words."""
        self.clock.now += 0.1
        doc = self.history.document
        boxes = [i for i in doc.ids() if isinstance(doc[i], Text)]
        if not boxes:
            return
        box = data.draw(st.sampled_from(boxes))
        body = doc[box].text  # type: ignore[attr-defined]
        char = data.draw(st.sampled_from("ab ."))
        self.history.push(EditText(box, len(body), "", char), step=("typing", box))

    @rule()
    def start_save(self) -> None:
        """A save starts (its revision and bytes); it finishes in `finish_save`, maybe
        after more edits, as a background save does."""
        self.pending = (self.history.revision(), encode(self.history.document.snapshot()))

    @precondition(lambda self: getattr(self, "pending", None) is not None)
    @rule()
    def finish_save(self) -> None:
        revision, data = self.pending
        self.pending = None
        self.path.write_bytes(data)
        self.history.mark_saved(revision)
        self.recorder.saved(self.history.saved_index(), _sha(data), self.path)

    @precondition(lambda self: len(self.history.document) > 0)
    @rule(data=st.data())
    def cut(self, data: st.DataObject) -> None:
        ids = self.history.document.ids()
        victim = data.draw(st.sampled_from(ids))
        with self.history.macro("Cut Shape"):
            self.history.push(DeleteShapes((victim,)))

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
        data = encode(self.history.document.snapshot())
        self.path.write_bytes(data)
        self.history.mark_saved()
        self.recorder.saved(self.history.saved_index(), _sha(data), self.path)

    @precondition(lambda self: self.history.saved_index() >= 0)
    @rule()
    def close_and_reopen(self) -> None:
        self.pending = None  # a save still running when the window closed is not waited for
        texts, _index, saved, _doc = _view(self.history)
        self.recorder.close()
        self.history.observer = None
        info = self.journal.closed_history(self.path)
        assert info is not None and info.sha256 == _sha(self.path.read_bytes())
        rebuilt = self.journal.load(info.id)
        rebuilt.move_to(rebuilt.saved_index)
        self._take(rebuilt, info.id, reopened=True)
        assert _view(self.history) == (texts, saved, saved, self._file())
        self._undo_all_live()

    @rule()
    def crash_and_recover(self) -> None:
        self.pending = None
        before = _view(self.history)
        self.history.observer = None  # the process is gone: nothing more is recorded
        self.journal.flush()
        rebuilt = self.journal.load(self.recorder.doc_id)
        self._take(rebuilt, self.recorder.doc_id, reopened=False)
        assert _view(self.history) == before
        self._undo_all_live()

    def _take(self, rebuilt: object, doc_id: str, *, reopened: bool) -> None:
        from editor.journal import Rebuilt  # noqa: PLC0415

        assert isinstance(rebuilt, Rebuilt)
        self.history = adopt(rebuilt)
        self.history.clock = self.clock
        self.recorder = self.journal.resume(
            doc_id, path=self.path, sha256=_sha(self.path.read_bytes()), index=rebuilt.index,
            seq=self.journal.last_seq(doc_id), reopened=reopened,
        )  # fmt: skip
        self.history.observer = self.recorder

    def _file(self) -> Snapshot:
        from editor.io.format import decode  # noqa: PLC0415

        return decode(self.path.read_bytes())

    @invariant()
    def the_journal_undoes_all_to_the_opened_file(self) -> None:
        """Checked on a rebuilt copy: undo on the live history would end open steps."""
        if not hasattr(self, "history"):
            return
        self.journal.flush()
        rebuilt = self.journal.load(self.recorder.doc_id)
        assert rebuilt.document.snapshot() == self.history.document.snapshot()
        rebuilt.move_to(0)
        assert rebuilt.document.snapshot() == self.opened

    def _undo_all_live(self) -> None:
        """Undo everything on the live history and come back (after a reopen/recovery)."""
        history = self.history
        index = history.stack.index()
        current = history.document.snapshot()
        history.set_index(0)
        assert history.document.snapshot() == self.opened
        history.set_index(index)
        assert history.document.snapshot() == current


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


JournalMachine.TestCase.settings = settings(max_examples=80, stateful_step_count=40,
                                            deadline=None)  # fmt: skip


def test_journal_machine(qapp: object) -> None:
    JournalMachine.TestCase().runTest()
