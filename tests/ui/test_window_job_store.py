"""The window's job queue keeps its jobs in the per-user database (the journal's file,
its own tables): what a quit leaves there, what the next start takes back."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from editor.commands import AddShapes, MoveShapes
from editor.jobs import JobError, JobState
from editor.jobs.persist import RestoreReport
from editor.jobs.sqlstore import SqliteJobStore
from editor.journal import Journal
from editor.journal import owner as owners
from editor.model import Document, Snapshot, rect
from editor.ui.job_history import snapshots_folder
from editor.ui.jobs_panel.text import state_text
from editor.ui.main_window import MainWindow

from .stored_window import DEAD_OWNER, EarlierRun, Held, OpenWindow, rows, stored_window

__all__ = ["stored_window"]


def test_the_window_queue_stores_its_jobs_in_the_journal_database(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    window = stored_window(db)
    assert isinstance(window.jobs.store, SqliteJobStore)
    gate = threading.Event()
    gate.set()
    job_id = window.jobs.submit(Held("quick", gate))
    qtbot.waitUntil(lambda: window.jobs.record(job_id).state is JobState.SUCCEEDED)
    window.jobs.store.flush()
    assert rows(db)[job_id] == ("quick", "succeeded")


def test_closing_writes_the_queues_last_states_before_the_journal_closes(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    window = stored_window(db)
    gate = threading.Event()
    running = window.jobs.submit(Held("running", gate, target=str(tmp_path / "x")))
    queued = window.jobs.submit(Held("queued", gate, target=str(tmp_path / "x")))  # its lane waits
    qtbot.waitUntil(lambda: window.jobs.record(running).state is JobState.RUNNING)
    QTimer.singleShot(50, gate.set)  # the running job finishes while the queue shuts down
    window.discard_and_close()
    assert not window.isVisible()
    # The shutdown's transitions (queued -> cancelled, running -> succeeded) reached the
    # database: none is left looking unfinished, to run again at the next start.
    assert rows(db) == {running: ("running", "succeeded"), queued: ("queued", "cancelled")}


def _snapshot() -> Snapshot:
    return Document(shapes=[rect("a", 0, 0, 10, 10)]).snapshot()


def _queue_rows(window: MainWindow) -> list[tuple[int, str]]:
    panel = window.jobs_panel
    panel.flush()
    model = panel.queue_model()
    records = [model.record_at(n) for n in range(model.rowCount())]
    return [(r.id, state_text(r, 0.0)) for r in records]


def test_jobs_left_unfinished_show_as_interrupted_and_run_again(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    earlier = EarlierRun(db)
    queued = earlier.export(_snapshot(), tmp_path / "queued.svg", JobState.QUEUED)
    running = earlier.export(_snapshot(), tmp_path / "running.svg", JobState.RUNNING,
                             attempts=1, owner=DEAD_OWNER, lease_until=3.0)  # fmt: skip
    waiting = earlier.export(_snapshot(), tmp_path / "waiting.svg", JobState.RETRY_SCHEDULED,
                             attempts=2, run_after=5.0)  # fmt: skip
    earlier.close()
    messages: list[str] = []
    window = stored_window(db, messages=messages)
    seen: list[str] = []
    window.jobs.state_changed.connect(lambda r: seen.append(state_text(r, 0.0)))
    window.jobs.job_added.connect(lambda r: seen.append(state_text(r, 0.0)))
    qtbot.waitUntil(lambda: window.job_restore is not None)
    assert window.job_restore is not None
    assert window.job_restore.interrupted == (queued, running, waiting)
    qtbot.waitUntil(lambda: all(
        window.jobs.record(i).state is JobState.SUCCEEDED for i in (queued, running, waiting)
    ))  # fmt: skip
    assert "Interrupted · queued again" in seen and "Interrupted · running again" in seen
    assert dict(_queue_rows(window)) == dict.fromkeys(
        (queued, running, waiting), "Succeeded · was interrupted"
    )
    for name in ("queued", "running", "waiting"):
        assert (tmp_path / f"{name}.svg").read_bytes().startswith(b"<?xml")
    assert any("3 jobs interrupted when Strata last stopped are running again" in m
               for m in messages)  # fmt: skip
    window.jobs.store.flush()
    assert {s for _n, s in rows(db).values()} == {"succeeded"}
    # Their snapshots are not needed any more: removed.
    assert list(snapshots_folder(db).glob("*.strata")) == []


def test_a_job_another_live_strata_holds_is_left_to_it(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)  # fmt: skip
    try:
        qtbot.waitUntil(lambda: owners._start_time(other.pid) != "")
        owner = f"{socket.gethostname()}:{other.pid}:{owners._start_time(other.pid)}"
        assert owners.is_alive(owner)
        earlier = EarlierRun(db, owner=owner)
        held = earlier.export(_snapshot(), tmp_path / "held.svg", JobState.RUNNING,
                              attempts=1, owner=owner, lease_until=time.time() + 60)  # fmt: skip
        earlier.close()
        window = stored_window(db)
        qtbot.waitUntil(lambda: window.job_restore is not None)
        assert window.job_restore is not None and window.job_restore.held == (held,)
        QApplication.processEvents()
        assert window.jobs.records() == ()
        assert not (tmp_path / "held.svg").exists()
        assert rows(db)[held][1] == "running"
    finally:
        other.communicate(b"")


def _dead_rows(window: MainWindow) -> list[int]:
    window.jobs_panel.flush()
    return [letter.job_id for letter in window.jobs_panel.dead_model().letters()]


def _restored(window: MainWindow, qtbot: QtBot) -> RestoreReport:
    qtbot.waitUntil(lambda: window.job_restore is not None)
    assert window.job_restore is not None
    return window.job_restore


def test_dead_letters_come_back_in_the_next_run_with_retry_and_discard(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    folder = tmp_path / "later"  # does not exist yet: the exports fail for good
    first = stored_window(db)
    _restored(first, qtbot)
    first.session.push(AddShapes((rect("a", 0, 0, 40, 20),)))
    retried = first.documents.export_to(folder / "retried.svg")
    discarded = first.documents.export_to(folder / "discarded.svg")
    assert retried is not None and discarded is not None
    qtbot.waitUntil(lambda: len(first.jobs.dead_letters()) == 2)
    first.discard_and_close()

    second = stored_window(db)
    assert _restored(second, qtbot).dead == (retried, discarded)
    assert _dead_rows(second) == [retried, discarded]
    assert second.jobs_panel.dead_letter_count() == 2
    second.show_jobs(dead=True)
    folder.mkdir()
    panel = second.jobs_panel
    assert panel.show_dead_letter(retried)
    panel.action("retry").trigger()  # the Dead letters tab's Retry (Ctrl+R)
    qtbot.waitUntil(lambda: second.jobs.record(retried).state is JobState.SUCCEEDED)
    assert (folder / "retried.svg").read_bytes().startswith(b"<?xml")
    assert panel.show_dead_letter(discarded)
    panel.action("discard").trigger()
    assert _dead_rows(second) == []
    second.discard_and_close()
    assert not (folder / "discarded.svg").exists()

    third = stored_window(db)
    report = _restored(third, qtbot)
    assert report.dead == () and report.interrupted == ()
    assert _dead_rows(third) == []
    assert rows(db) == {retried: ("Export SVG retried.svg", "succeeded")}
    assert list(snapshots_folder(db).glob("*.strata")) == []


def test_the_line_about_earlier_dead_letters_goes_when_none_is_left(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    first = stored_window(db)
    _restored(first, qtbot)
    first.session.push(AddShapes((rect("a", 0, 0, 40, 20),)))
    letters = [first.documents.export_to(tmp_path / "gone" / f"{n}.svg") for n in range(2)]
    qtbot.waitUntil(lambda: len(first.jobs.dead_letters()) == 2)
    first.discard_and_close()
    second = stored_window(db)
    _restored(second, qtbot)
    said = second.statusBar().currentMessage()
    assert said.startswith("2 failed jobs from earlier runs are in Jobs > Dead letters")
    second.show_jobs(dead=True)
    panel = second.jobs_panel
    for n, job_id in enumerate(letters):
        assert job_id is not None and panel.show_dead_letter(job_id)
        panel.action("discard").trigger()
        left = second.statusBar().currentMessage()
        assert left == (said if n == 0 else "")  # it stays while one is left, then goes


def _works_in_memory(window: MainWindow, tmp_path: Path, qtbot: QtBot) -> None:
    """The queue has no store and still runs jobs."""
    assert window.jobs.store is None
    window.session.push(AddShapes((rect("a", 0, 0, 40, 20),)))
    job_id = window.documents.export_to(tmp_path / "still.svg")
    assert job_id is not None
    qtbot.waitUntil(lambda: window.jobs.record(job_id).state is JobState.SUCCEEDED)
    assert (tmp_path / "still.svg").exists()


def _said_once(messages: list[str], text: str) -> None:
    said = [m for m in messages if "job history" in m.lower()]
    assert len(said) == 1 and text in said[0], messages


def test_a_damaged_database_keeps_jobs_in_memory_says_so_once_and_keeps_the_file(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    db.write_bytes(b"this is not a database " * 200)
    messages: list[str] = []
    window = stored_window(db, messages=messages)
    qtbot.waitUntil(lambda: any("job history" in m for m in messages))
    _works_in_memory(window, tmp_path, qtbot)
    _said_once(messages, "Recovery data and job history are unavailable (the recovery data "
                         "was damaged")  # fmt: skip
    (kept,) = tmp_path.glob("journal.sqlite3.corrupt-*")
    assert kept.read_bytes() == b"this is not a database " * 200


def test_damaged_job_tables_keep_jobs_in_memory_say_so_once_and_leave_the_file(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    Journal(db).close()
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE jobs DROP COLUMN lease_until")  # a table another program changed
    conn.commit()
    conn.close()
    before = db.read_bytes()
    messages: list[str] = []
    window = stored_window(db, messages=messages)
    qtbot.waitUntil(lambda: any("job history" in m.lower() for m in messages))
    _works_in_memory(window, tmp_path, qtbot)
    _said_once(messages, "Job history is unavailable (the job tables cannot be read: no such "
                         "column: lease_until)")  # fmt: skip
    assert window.journal_link.journal is not None and window.journal_link.journal.available
    window.discard_and_close()
    assert not list(tmp_path.glob("journal.sqlite3.corrupt-*"))
    conn = sqlite3.connect(db)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(jobs)")]
    conn.close()
    assert "lease_until" not in columns and len(db.read_bytes()) >= len(before) // 2


def test_a_locked_database_keeps_jobs_in_memory_and_says_so_once(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    Journal(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the database
    try:
        messages: list[str] = []
        window = stored_window(db, journal=Journal(db, timeout_ms=50), messages=messages)
        qtbot.waitUntil(lambda: any("job history" in m for m in messages))
        _works_in_memory(window, tmp_path, qtbot)
        _said_once(messages, "Recovery data and job history are unavailable (the recovery "
                             "database is locked")  # fmt: skip
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert db.exists() and not list(tmp_path.glob("journal.sqlite3.corrupt-*"))


def test_a_failed_command_line_export_is_retried_from_the_window(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    from tests.cli.test_jobs import failed_export, strata  # noqa: PLC0415
    from tests.cli.test_recover import journal_in  # noqa: PLC0415

    out = tmp_path / "later" / "out.png"
    job_id = failed_export(tmp_path, out)  # a real `strata export` process
    window = stored_window(journal_in(tmp_path / "data"))
    assert _restored(window, qtbot).dead == (job_id,)
    assert _dead_rows(window) == [job_id]
    out.parent.mkdir()
    window.show_jobs(dead=True)
    assert window.jobs_panel.show_dead_letter(job_id)
    window.jobs_panel.action("retry").trigger()
    qtbot.waitUntil(lambda: window.jobs.record(job_id).state is JobState.SUCCEEDED)
    assert out.read_bytes().startswith(b"\x89PNG")
    window.discard_and_close()
    listed = strata(tmp_path, "jobs").stdout
    assert listed.startswith(f"{job_id}  succeeded  export  Export PNG out.png  1 attempt")


def test_every_stored_dead_letter_comes_back_and_none_is_evicted_at_start(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    """The store keeps 1,000 dead letters; the queue's own bound was 500, so a start
    evicted (and deleted) the oldest stored ones while taking them back."""
    db = tmp_path / "journal.sqlite3"
    earlier = EarlierRun(db)
    error = {"error": JobError("OSError", "gone", "", retryable=False), "attempts": 1}
    ids = [earlier.export(_snapshot(), tmp_path / f"x{n}.svg", JobState.DEAD, **error)
           for n in range(600)]  # fmt: skip
    earlier.close()
    window = stored_window(db)
    assert _restored(window, qtbot).dead == tuple(ids)
    assert _dead_rows(window) == ids
    window.discard_and_close()
    assert [i for i, (_n, s) in rows(db).items() if s == "dead"] == ids


def test_a_disk_that_fills_up_later_says_once_that_job_history_stopped_too(
    stored_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "journal.sqlite3"
    messages: list[str] = []
    window = stored_window(db, journal=Journal(db, max_pages=16), messages=messages)
    _restored(window, qtbot)
    shapes = tuple(rect(f"r{i}", i, 0, 5, 5) for i in range(20))
    window.session.push(AddShapes(shapes))
    journal = window.journal_link.journal
    assert journal is not None
    for n in range(3000):  # the database reaches its size limit: "the disk is full"
        window.session.push(MoveShapes((f"r{n % 20}",), 1, 0, joinable=False))
        if n % 100 == 0 and not journal.flush():
            break
    qtbot.waitUntil(lambda: any("disk is full" in m for m in messages))
    said = [m for m in messages if "unavailable" in m]
    assert said == ["Recovery data and job history are unavailable (the disk is full); "
                    "Strata works normally, but unsaved changes and unfinished jobs cannot "
                    "be recovered after a crash."]  # fmt: skip
    job_id = window.documents.export_to(tmp_path / "still.svg")  # jobs still run
    assert job_id is not None
    qtbot.waitUntil(lambda: window.jobs.record(job_id).state is JobState.SUCCEEDED)
