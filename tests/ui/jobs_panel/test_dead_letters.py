"""Saves that fail: retrying rows, the dead letter, and what the panel does about it.

A real JobQueue on a FakeClock runs real SaveJobs whose file operations fail on cue
(`FaultyDisk`): EIO is retried, "the folder is not writable" (PermissionError) goes
straight to the dead-letter queue.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from editor.io.format import load
from editor.jobs import FakeClock, JobQueue, JobState
from editor.ui.jobs_panel import JobsPanel

from .conftest import SNAPSHOT, MakePanel, MakeQueue, Opened, Settle, save_job
from .fakes import FaultyDisk, eio
from .helpers import button, click, click_row, dead_rows, job_row, message_box

Ctrl = Qt.KeyboardModifier.ControlModifier


def dead_lettered(queue: JobQueue, settle: Settle, path: Path, serial: int = 1) -> int:
    """Submit a save to a folder that is not writable; return its id once it is dead."""
    disk = FaultyDisk()
    disk.deny()
    job_id = queue.submit(save_job(path, disk, serial))
    settle(queue)
    assert queue.record(job_id).state is JobState.DEAD
    return job_id


def test_retrying_rows_show_attempts_and_a_countdown_then_a_dead_letter(
    queue: JobQueue, panel: JobsPanel, clock: FakeClock, settle: Settle, tmp_path: Path
) -> None:
    model = panel.queue_model()
    disk = FaultyDisk(eio)
    job_id = queue.submit(save_job(tmp_path / "a.strata", disk))
    settle(queue)
    panel.flush()
    row = job_row(panel, job_id)
    assert row["name"] == "Save a.strata"
    assert row["state"] == "Retrying in 4 s"
    assert row["attempt"] == "1/5"
    assert row["error"].startswith(f"The disk holding {tmp_path} reported an error")
    assert row["progress"] == ""
    assert model.ticker.isActive()

    clock.advance(1.2)
    model.tick()
    assert job_row(panel, job_id)["state"] == "Retrying in 3 s"

    disk.fail(eio)
    clock.advance(2.8)  # the retry is due: attempt 2 runs and fails again
    settle(queue)
    panel.flush()
    row = job_row(panel, job_id)
    assert (row["state"], row["attempt"]) == ("Retrying in 8 s", "2/5")

    disk.deny()  # now the folder is not writable: no more retries
    clock.advance(8.0)
    settle(queue)
    assert panel.tabs.tabText(1) == "Dead letters (0)"  # coalesced: not shown yet
    panel.flush()
    row = job_row(panel, job_id)
    assert (row["state"], row["attempt"]) == ("Failed", "3/5")
    assert row["duration"] == "12 s"  # first attempt to death on the fake clock: 4 + 8
    assert row["error"].startswith(f"You do not have permission to write in {tmp_path}.")
    assert not model.ticker.isActive()

    assert panel.tabs.tabText(1) == "Dead letters (1)"
    assert panel.dead_letter_count() == 1
    [dead] = dead_rows(panel)
    assert dead["name"] == "Save a.strata"
    assert dead["attempts"] == "3"
    assert dead["error_type"] == "PermissionError"
    assert dead["message"].startswith(f"You do not have permission to write in {tmp_path}.")
    assert model.records() == queue.records()


def test_the_panel_updates_by_itself_shortly_after_events(
    queue: JobQueue, panel: JobsPanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    with qtbot.waitSignal(panel.deadLetterCountChanged, timeout=2000) as count:
        dead_lettered(queue, settle, tmp_path / "a.strata")
    assert count.args == [1]
    assert panel.tabs.tabText(1) == "Dead letters (1)"
    assert panel.queue_model().records() == queue.records()


def test_retry_button_succeeds_once_the_fault_is_cleared(
    make_queue: MakeQueue, make_panel: MakePanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    queue = make_queue()
    panel = make_panel(queue)
    disk = FaultyDisk()
    disk.deny()
    target = tmp_path / "a.strata"
    job_id = queue.submit(save_job(target, disk))
    settle(queue)
    panel.show_dead_letters()
    panel.flush()
    click_row(qtbot, panel.dead_view(), 0)
    assert "PermissionError" in panel.details().toPlainText()

    disk.heal()
    with qtbot.waitSignal(queue.job_succeeded, timeout=5000) as done:
        click(qtbot, button(panel, "retry"))
    assert done.args is not None and done.args[0] == job_id
    settle(queue)
    panel.flush()
    assert dead_rows(panel) == []
    assert panel.tabs.tabText(1) == "Dead letters (0)"
    assert job_row(panel, job_id)["state"] == "Succeeded"
    assert job_row(panel, job_id)["attempt"] == "1/5"  # a fresh budget
    assert load(target).shapes == SNAPSHOT.shapes
    assert not button(panel, "retry").isEnabled()
    assert not button(panel, "retry_all").isEnabled()


def test_ctrl_r_retries_the_selected_dead_letter(
    queue: JobQueue, make_panel: MakePanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    panel = make_panel(queue, active=True)
    first = dead_lettered(queue, settle, tmp_path / "a.strata", 1)
    disk = FaultyDisk()
    disk.deny()
    second = queue.submit(save_job(tmp_path / "b.strata", disk, 2))
    settle(queue)
    panel.show_dead_letters()
    panel.flush()
    view = panel.dead_view()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home)
    qtbot.keyClick(view, Qt.Key.Key_Down)  # the second dead letter
    disk.heal()
    qtbot.keyClick(view, Qt.Key.Key_R, Ctrl)
    settle(queue)
    assert queue.record(second).state is JobState.SUCCEEDED
    assert queue.record(first).state is JobState.DEAD
    panel.flush()
    assert [d["name"] for d in dead_rows(panel)] == ["Save a.strata"]


def test_retry_all_and_a_full_queue_is_reported(
    make_queue: MakeQueue, make_panel: MakePanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    queue = make_queue(max_queued=1, max_workers=1)
    panel = make_panel(queue)
    for n in range(3):
        dead_lettered(queue, settle, tmp_path / f"{n}.strata", n)
    panel.show_dead_letters()
    panel.flush()
    # Retried jobs run on a disk that still refuses: only one fits in the queue at once.
    click(qtbot, button(panel, "retry_all"))
    assert panel.message.isVisible()
    assert "not retried" in panel.message.text() and "full" in panel.message.text()
    settle(queue)
    panel.flush()
    assert len(dead_rows(panel)) == 3  # the one retried died again; two never left


def test_delete_discards_the_selected_dead_letter(
    queue: JobQueue, make_panel: MakePanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    panel = make_panel(queue, active=True)
    dead_lettered(queue, settle, tmp_path / "a.strata", 1)
    kept = dead_lettered(queue, settle, tmp_path / "b.strata", 2)
    panel.show_dead_letters()
    panel.flush()
    click_row(qtbot, panel.dead_view(), 0)
    qtbot.keyClick(panel.dead_view(), Qt.Key.Key_Delete)
    assert [letter.job_id for letter in queue.dead_letters()] == [kept]
    assert [d["name"] for d in dead_rows(panel)] == ["Save b.strata"]
    assert panel.tabs.tabText(1) == "Dead letters (1)"


def test_discard_button_discards_without_asking(
    queue: JobQueue, panel: JobsPanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    dead_lettered(queue, settle, tmp_path / "a.strata")
    panel.show_dead_letters()
    panel.flush()
    click_row(qtbot, panel.dead_view(), 0)
    click(qtbot, button(panel, "discard"))
    assert queue.dead_letters() == ()
    assert dead_rows(panel) == []
    assert panel.details().toPlainText() == ""


def test_discard_all_asks_first_and_keeps_what_failed_meanwhile(
    queue: JobQueue, panel: JobsPanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    for n in range(2):
        dead_lettered(queue, settle, tmp_path / f"{n}.strata", n)
    panel.show_dead_letters()
    panel.flush()

    click(qtbot, button(panel, "discard_all"))
    box = message_box(qtbot, panel, "discard_all_dialog")
    assert box.text() == "Discard all 2 failed jobs?"
    assert len(queue.dead_letters()) == 2  # asking is not doing
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: not box.isVisible())
    assert len(queue.dead_letters()) == 2

    click(qtbot, button(panel, "discard_all"))
    box = message_box(qtbot, panel, "discard_all_dialog")
    late = dead_lettered(queue, settle, tmp_path / "late.strata", 9)  # fails while asking
    box.button(QMessageBox.StandardButton.Discard).click()
    assert [letter.job_id for letter in queue.dead_letters()] == [late]
    panel.flush()
    assert [d["name"] for d in dead_rows(panel)] == ["Save late.strata"]


def test_details_pane_and_copy_put_the_traceback_on_the_clipboard(
    queue: JobQueue, make_panel: MakePanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    panel = make_panel(queue, active=True)
    job_id = dead_lettered(queue, settle, tmp_path / "a.strata")
    [letter] = queue.dead_letters()
    assert panel.show_dead_letter(job_id)
    traceback = letter.error.traceback.rstrip("\n")
    assert panel.details().toPlainText() == traceback
    assert "Traceback (most recent call last)" in traceback
    clipboard = QApplication.clipboard()
    clipboard.clear()
    qtbot.keyClick(panel.dead_view(), Qt.Key.Key_C, Ctrl)
    assert clipboard.text() == traceback
    clipboard.clear()
    copy = panel.findChild(QPushButton, "dead_copy_button")
    assert copy is not None and copy.accessibleName() == "Copy traceback"
    click(qtbot, copy)
    assert clipboard.text() == traceback


def test_show_folder_opens_the_targets_folder(
    queue: JobQueue, panel: JobsPanel, settle: Settle, qtbot: QtBot, tmp_path: Path, opened: Opened
) -> None:
    dead_lettered(queue, settle, tmp_path / "a.strata")
    panel.show_dead_letters()
    panel.flush()
    assert not button(panel, "show_dead_folder").isEnabled()
    click_row(qtbot, panel.dead_view(), 0)
    click(qtbot, button(panel, "show_dead_folder"))
    assert opened == [tmp_path]


def test_eviction_warning_names_the_dropped_dead_letter(
    make_queue: MakeQueue, make_panel: MakePanel, settle: Settle, tmp_path: Path
) -> None:
    queue = make_queue(dlq_capacity=2)
    panel = make_panel(queue)
    for n in range(2):
        dead_lettered(queue, settle, tmp_path / f"{n}.strata", n)
    panel.flush()
    assert not panel.banner.isVisible()
    dead_lettered(queue, settle, tmp_path / "2.strata", 2)
    panel.flush()
    assert panel.banner.isVisible()
    text = panel.banner.label.text()
    assert "was full" in text and "“Save 0.strata”" in text and "permission" in text
    assert [d["name"] for d in dead_rows(panel)] == ["Save 1.strata", "Save 2.strata"]

    dead_lettered(queue, settle, tmp_path / "3.strata", 3)
    panel.flush()
    text = panel.banner.label.text()
    assert "2 oldest entries" in text
    assert "“Save 0.strata”, “Save 1.strata”" in text

    panel.banner.dismiss.click()
    assert not panel.banner.isVisible()


def test_a_dead_letter_retried_after_its_record_was_dropped_is_listed_again(
    make_queue: MakeQueue, make_panel: MakePanel, settle: Settle, tmp_path: Path
) -> None:
    queue = make_queue(max_finished=0)  # finished records are dropped at once
    panel = make_panel(queue)
    disk = FaultyDisk()
    disk.deny()
    first = queue.submit(save_job(tmp_path / "a.strata", disk, 1))
    settle(queue)
    later = queue.submit(save_job(tmp_path / "b.strata", FaultyDisk(), 2))
    settle(queue)
    panel.flush()
    assert panel.queue_model().rowCount() == 0
    queue.retry_dead(first)  # comes back under its old id
    panel.flush()
    assert [r.id for r in panel.queue_model().records()] == [first]
    assert later > first
    settle(queue)
    panel.flush()
    assert panel.queue_model().records() == queue.records()
