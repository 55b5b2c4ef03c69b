"""A Publish that was running when Strata stopped, in the app's own job store: the next
window undoes it (byte for byte), says so, shows it in Jobs > Publish as interrupted,
and Ctrl+R there runs it again."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from editor.io.publish import keep_previous, output_path, plan
from editor.jobs import JobState
from editor.jobs.saga import BatchState
from editor.model import Page, Snapshot, rect
from editor.testing import activate, wait_until_idle

from .stored_window import DEAD_OWNER, EarlierRun, OpenWindow, rows, stored_window

__all__ = ["stored_window"]

OLD_DOC = b'{"an": "older drawing"}\n'
OLD_PNG = b"\x89PNG older bytes"


def test_an_interrupted_publish_is_undone_at_start_and_retried_with_ctrl_r(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    doc = work / "drawing.strata"
    doc.write_bytes(OLD_DOC)
    (work / "drawing.png").write_bytes(OLD_PNG)
    snapshot = Snapshot(Page(200, 100, "#ffffff"), (rect("s1", 10, 10, 50, 30),))
    outputs = [("png", output_path(doc, "png")), ("pdf", output_path(doc, "pdf"))]
    steps = [s.job for s in plan(snapshot, doc, None, outputs).run().steps]
    token = steps[0].run_token  # type: ignore[attr-defined]
    # What the earlier run did before it died: the save landed, the PNG was being
    # written (its previous bytes kept first), the PDF had not started.
    keep_previous(doc, token)
    doc.write_bytes(b"the newer drawing")
    keep_previous(work / "drawing.png", token)
    db = tmp_path / "journal.sqlite3"
    earlier = EarlierRun(db)
    earlier.add(steps[0], JobState.SUCCEEDED, attempts=1)
    earlier.add(steps[1], JobState.RUNNING, attempts=1, owner=DEAD_OWNER, lease_until=3.0)
    earlier.add(steps[2], JobState.QUEUED)
    earlier.close()

    messages: list[str] = []
    window = stored_window(db, messages=messages)
    qtbot.waitUntil(lambda: window.job_restore is not None)
    wait_until_idle(window)
    (record,) = window.sagas.records()
    assert record.interrupted and record.state is BatchState.CANCELLED
    assert doc.read_bytes() == OLD_DOC and (work / "drawing.png").read_bytes() == OLD_PNG
    assert sorted(p.name for p in work.iterdir()) == ["drawing.png", "drawing.strata"]
    assert (
        "1 publish interrupted when Strata last stopped is being undone: its files "
        "are put back (View > Jobs)"
    ) in messages
    assert not any("running again" in m for m in messages)
    batches = window.jobs_panel.batches
    assert batches is not None
    assert batches.model.item(0, 1).text() == "Interrupted · Cancelled · files put back"
    window.jobs_panel.flush()
    assert window.jobs_panel.queue_model().records() == ()  # the batch's, not the Queue's

    window.show_batch(record.id)
    activate(window)
    batches.focus_tree()
    QTest.keyClick(batches.tree, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait_until_idle(window)
    assert window.sagas.record(record.id).state is BatchState.SUCCEEDED
    assert sorted(p.name for p in work.iterdir()) == [
        "drawing.pdf", "drawing.png", "drawing.strata"
    ]  # fmt: skip
    assert doc.read_bytes() != OLD_DOC
    assert window.jobs.store is not None
    window.jobs.store.flush()
    states = [s for n, s in rows(db).values() if n.startswith("Undo")]
    assert states == ["succeeded"]
