"""The journal records a History as it happens and rebuilds the same history from it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from editor.commands import AddShapes, CommandError, DeleteShapes, EditText, MoveShapes, SetStyle
from editor.history import History
from editor.journal import SCHEMA_VERSION, Journal, SaveRequest, rebuild, saves
from editor.journal.rebuild import decode_command
from editor.model import Document, rect, text

from .helpers import adopt, history_view, rebuilt_view, recorded


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def doc() -> Document:
    return Document(shapes=[rect("a", 0, 0, 10, 10), text("t", 0, 0, 100, 20, "")])


def test_the_database_is_wal_with_a_schema_version(journal: Journal, tmp_path: Path) -> None:
    assert journal.available and journal.problem is None
    conn = sqlite3.connect(tmp_path / "journal.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"documents", "entries", "bases"} <= tables


def test_pushes_undo_redo_jump_and_save_rebuild_the_same_history(
    qapp: object, journal: Journal, tmp_path: Path
) -> None:
    history, recorder = recorded(journal, doc(), tmp_path / "d.strata", "0" * 64)
    history.push(MoveShapes(("a",), 5, 0, joinable=False))
    for _ in range(3):  # nudges of one step merge
        history.push(MoveShapes(("a",), 1, 0), step="nudge")
    history.push(SetStyle(("a",), "fill", "#ff0000"))
    for n, ch in enumerate("hi there"):
        history.push(EditText("t", n, "", ch), step="typing")
    history.push(AddShapes((rect("b", 1, 1, 2, 2),)))
    history.undo()
    history.undo()
    history.redo()
    recorder.saved(history.stack.index(), "1" * 64, tmp_path / "d.strata")
    history.mark_saved()
    history.set_index(1)
    history.set_index(3)
    with history.macro("Cut Rectangle"):
        history.push(DeleteShapes(("a",)))
    history.undo()
    assert journal.flush()
    rebuilt = journal.load(recorder.doc_id)
    assert rebuilt_view(rebuilt) == history_view(history)
    assert rebuilt.saved_sha256 == "1" * 64
    # and the rebuilt history undoes to the file as opened and redoes to the end
    live = adopt(rebuilt)
    assert history_view(live) == history_view(history)
    live.set_index(0)
    assert live.document.snapshot() == doc().snapshot()
    live.set_index(live.stack.count())
    history.set_index(history.stack.count())
    assert live.document.snapshot() == history.document.snapshot()


def test_a_merge_that_empties_a_step_removes_it_in_the_rebuild_too(
    qapp: object, journal: Journal
) -> None:
    history, recorder = recorded(journal, doc())
    history.push(MoveShapes(("a",), 5, 0, joinable=False), step="nudge")
    history.push(MoveShapes(("a",), -5, 0), step="nudge")  # back where it started
    assert history.stack.count() == 0
    journal.flush()
    rebuilt = rebuild(journal.base(recorder.doc_id), journal.entries(recorder.doc_id))
    assert rebuilt.steps == [] and rebuilt.index == 0


def test_a_new_drawing_leaves_nothing_until_something_happens(
    qapp: object, journal: Journal
) -> None:
    history, _recorder = recorded(journal, Document())
    journal.flush()
    assert journal.flush()
    assert journal.documents() == []
    history.push(AddShapes((rect("x", 0, 0, 1, 1),)))
    journal.flush()
    [info] = journal.documents()
    assert info.path is None and info.state == "open" and info.changes == 1 and info.modified


def test_summary_counts_changes_since_the_save_and_knows_undo_back_to_it(
    qapp: object, journal: Journal, tmp_path: Path
) -> None:
    history, recorder = recorded(journal, doc(), tmp_path / "d.strata", "0" * 64)
    history.push(MoveShapes(("a",), 5, 0, joinable=False))
    recorder.saved(1, "1" * 64, tmp_path / "d.strata")
    history.mark_saved()
    history.push(MoveShapes(("a",), 5, 0, joinable=False))
    journal.flush()
    info = journal.document(recorder.doc_id)
    assert info is not None and info.changes == 1 and info.modified and info.sha256 == "1" * 64
    history.undo()
    journal.flush()
    info = journal.document(recorder.doc_id)
    assert info is not None and info.changes == 2 and not info.modified
    history.undo()
    history.push(MoveShapes(("a",), 1, 0, joinable=False))  # the saved state is cut off
    history.undo()
    history.redo()
    journal.flush()
    info = journal.document(recorder.doc_id)
    assert info is not None and info.modified


def test_closing_keeps_a_file_history_and_drops_an_untitled_one(
    qapp: object, journal: Journal, tmp_path: Path
) -> None:
    history, recorder = recorded(journal, doc(), tmp_path / "d.strata", "0" * 64)
    history.push(MoveShapes(("a",), 5, 0, joinable=False))
    recorder.close()
    untitled, other = recorded(journal, Document())
    untitled.push(AddShapes((rect("x", 0, 0, 1, 1),)))
    other.close()
    journal.flush()
    [info] = journal.documents()
    assert info.state == "closed" and info.path == str(tmp_path / "d.strata")


def test_the_base_of_a_big_document_is_kept_in_chunks(qapp: object, journal: Journal,
                                                      tmp_path: Path) -> None:  # fmt: skip
    big = Document(shapes=[rect(f"r{i}", i, i, 1, 1) for i in range(12_001)])
    history, recorder = recorded(journal, big, tmp_path / "big.strata", "0" * 64)
    history.push(MoveShapes(("r7",), 1, 1, joinable=False))
    journal.flush()
    base = journal.base(recorder.doc_id)
    assert base is not None and len(base.shapes) == 12_001
    assert base.shapes[7] == rect("r7", 7, 7, 1, 1)


def test_nothing_is_reported_while_adopting(qapp: object) -> None:
    events: list[object] = []

    class Spy:
        def pushed(self, *a: object) -> None:
            events.append(a)

        def macro_pushed(self, *a: object) -> None:
            events.append(a)

        def moved(self, *a: object) -> None:
            events.append(a)

    d = doc()
    first = History(d)
    first.push(MoveShapes(("a",), 1, 0, joinable=False))
    first.push(MoveShapes(("a",), 1, 0, joinable=False))
    first.undo()
    commands = [first.stack.command(i).command for i in range(2)]  # type: ignore[attr-defined]
    second = History(d)
    second.observer = Spy()
    second.adopt([([c], None) for c in commands], 1, 0)
    assert events == []
    assert second.stack.index() == 1 and second.is_modified()
    second.redo()
    assert events == [("redo", 2)]
    assert d["a"].x == 2


def test_a_closed_history_over_the_limit_keeps_its_newest_whole_steps(
    qapp: object, tmp_path: Path
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3", max_entries=100)
    try:
        history, recorder = recorded(journal, doc(), tmp_path / "d.strata", "0" * 64)
        for n in range(300):
            history.push(MoveShapes(("a",), 1, 0, joinable=False))
            if n == 250:
                recorder.saved(history.stack.index(), "1" * 64, tmp_path / "d.strata")
                history.mark_saved()
        for n in range(5):  # typing: merged steps are kept whole
            history.push(EditText("t", n, "", "x"), step="typing")
        with history.macro("Cut Rectangle"):
            history.push(DeleteShapes(("a",)))
        history.undo()
        texts, index, saved, current = history_view(history)
        for job, idx in ((1, saved), (2, 10)):  # the save outbox: one kept, one trimmed away
            request = SaveRequest(job, recorder.doc_id, idx, "d.strata", f"{job}" * 64)
            journal.put(lambda conn, r=request: saves.requested(conn, r, 1.0))
        recorder.close()
        journal.flush()
        info = journal.closed_history(tmp_path / "d.strata")
        assert info is not None
        entries = journal.entries(info.id)
        assert len(entries) <= 100
        rebuilt = journal.load(info.id)
        kept = len(rebuilt.steps)
        assert 90 <= kept <= 100
        assert [s.label() for s in rebuilt.steps] == texts[-kept:]
        assert rebuilt.index == index - (len(texts) - kept)
        assert rebuilt.saved_index == saved - (len(texts) - kept)
        request = journal.save_matching(info.id, "1" * 64)
        assert request is not None and request.index == rebuilt.saved_index  # moved with it
        request = journal.save_matching(info.id, "2" * 64)
        assert request is not None and request.index is None  # its state was dropped
        assert rebuilt.document.snapshot() == current
        rebuilt.move_to(len(rebuilt.steps))
        assert "a" not in rebuilt.document  # the macro survived as one step
    finally:
        journal.close()


def test_clear_closed_sees_a_document_closed_a_moment_ago(
    qapp: object, journal: Journal, tmp_path: Path
) -> None:
    # Seen in the suite under load: Preferences' "Clear History of Closed Documents" right
    # after File > Close said "cleared 0 documents", because the close was still queued.
    history, recorder = recorded(journal, doc(), tmp_path / "d.strata", "0" * 64)
    history.push(MoveShapes(("a",), 5, 0, joinable=False))
    assert journal.flush()
    writer_free = threading.Event()
    journal.put(lambda conn: writer_free.wait(10))  # the writer is busy with a big batch
    recorder.close(keep=True)  # queued behind it
    release = threading.Timer(0.2, writer_free.set)
    release.start()
    try:
        assert journal.clear_closed() == 1
    finally:
        release.cancel()
        writer_free.set()
    assert journal.flush()
    assert journal.documents() == []


def test_adopting_tells_the_stack_listeners_once_and_adopted_steps_never_merge(
    qapp: object,
) -> None:
    """adopt() pushes with the stack's signals blocked, then sends them once: a History
    panel and undo action attached before still show every step and the right texts."""
    from editor.ui.panels.history_model import HistoryModel  # noqa: PLC0415

    d = doc()
    first = History(d)
    for _ in range(3):
        first.push(MoveShapes(("a",), 1, 0, joinable=False))
    first.push(AddShapes((rect("b", 1, 1, 2, 2),)))
    first.undo()
    commands = [first.stack.command(i).command for i in range(4)]  # type: ignore[attr-defined]
    second = History(d)
    model = HistoryModel()
    model.set_stack(second.stack, second.saved_index)
    heard: dict[str, list[object]] = {"index": [], "undo": [], "redo": [], "can_undo": []}
    second.stack.indexChanged.connect(heard["index"].append)
    second.stack.undoTextChanged.connect(heard["undo"].append)
    second.stack.redoTextChanged.connect(heard["redo"].append)
    second.stack.canUndoChanged.connect(heard["can_undo"].append)
    second.adopt([([c], None) for c in commands], 3, 0)
    assert heard == {"index": [3], "undo": ["Move Rectangle"], "redo": ["Add Rectangle"],
                     "can_undo": [True]}  # fmt: skip
    assert model.rowCount() == 5 and model.current_row() == 3
    texts = [model.data(model.index(row)) for row in range(1, 5)]
    assert texts == ["Move Rectangle"] * 3 + ["Add Rectangle"]
    # a joinable move of the same shape does not merge into the adopted step below it
    second.undo()
    second.push(MoveShapes(("a",), 1, 0, joinable=True))
    assert second.stack.count() == 3 and d["a"].x == 3
    assert model.rowCount() == 4


def test_the_journal_decodes_a_bad_move_to_the_same_clear_error() -> None:
    good = b'{"type":"move_shapes","payload":{"ids":["r"],"dx":1,"dy":2}}'
    assert decode_command(good) == MoveShapes(("r",), 1, 2)
    with pytest.raises(CommandError, match="dx: expected a finite offset"):
        decode_command(b'{"type":"move_shapes","payload":{"ids":["r"],"dx":3e7,"dy":0}}')
    with pytest.raises(CommandError, match="must be unique"):
        decode_command(b'{"type":"move_shapes","payload":{"ids":["r","r"],"dx":1,"dy":0}}')


def test_what_a_paused_gc_made_goes_to_the_oldest_generation_and_stays_collectable(
    qapp: object,
) -> None:
    """paused_gc and History.adopt hand their objects to the oldest generation (no young
    collection scans 100,000 of them afterwards), and garbage among them is still found."""
    import gc  # noqa: PLC0415
    import weakref  # noqa: PLC0415

    from editor.journal.rebuild import paused_gc  # noqa: PLC0415

    class Node:
        me: object = None

    assert gc.isenabled()
    with paused_gc():
        kept = [Node() for _ in range(10)]
        dropped = Node()
        dropped.me = dropped  # a cycle: only the collector frees it
        gone = weakref.ref(dropped)
        del dropped
    assert gc.isenabled()
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(node) in oldest for node in kept)
    history = History(doc())
    command = MoveShapes(("a",), 1, 0, joinable=False)
    command.do(history.document)
    history.adopt([([command], None)], 1, 0)
    assert gc.isenabled()
    assert id(history.stack.command(0)) in {id(o) for o in gc.get_objects(generation=2)}
    gc.collect()
    assert gone() is None


def test_after_commit_steps_run_only_once_their_batch_is_committed(tmp_path: Path) -> None:
    """Removing a finished job's snapshot file before the row saying it finished was
    committed let a kill in between leave a job that runs again without its snapshot
    (tests/faults/test_kill_jobs.py); such steps now run after the commit, never after a
    rollback."""
    journal = Journal(tmp_path / "journal.sqlite3")
    ran: list[str] = []

    def good(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE t (x)")
        journal.after_commit(lambda: ran.append("committed"))
        assert ran == []  # not inside the transaction

    def bad(conn: sqlite3.Connection) -> None:
        journal.after_commit(lambda: ran.append("rolled back"))
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    journal.put(good)
    assert journal.flush()
    assert ran == ["committed"]
    journal.put(bad)
    journal.flush()
    assert ran == ["committed"]
    journal.close()


def test_the_unsaved_steps_are_what_the_history_shows_not_its_entries(
    qapp: object, journal: Journal, tmp_path: Path
) -> None:
    """The recovery bar said "Recover 9 unsaved changes" for a history of 2 steps (eight
    arrow-key nudges merged into one move, then a new rectangle): it counted entries."""
    history, recorder = recorded(journal, doc(), tmp_path / "d.strata", "0" * 64)
    for _ in range(8):
        history.push(MoveShapes(("a",), 1, 0), step=("nudge", "a"))
    history.push(AddShapes((rect("n", 0, 0, 5, 5),)))
    journal.flush()
    info = journal.document(recorder.doc_id)
    assert info is not None and history.stack.count() == 2
    assert info.steps == 2 and info.changes == 9
    history.undo()
    journal.flush()
    info = journal.document(recorder.doc_id)
    assert info is not None and info.steps == 1  # one undo away from the file
