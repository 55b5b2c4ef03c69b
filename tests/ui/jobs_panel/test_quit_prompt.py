"""The quit prompt: Wait / Cancel Jobs and Quit / Don't Quit, answered exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, JobQueue, JobState
from editor.ui.jobs_panel import PendingJobsDialog, QuitChoice, ask_pending_jobs, pending_jobs_text

from .conftest import POLICY, MakeQueue, Settle, save_job, show
from .fakes import BlockingDisk, FaultyDisk, eio
from .helpers import click


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    """The window that asks (shown and active; the fixture keeps it alive)."""
    widget = QWidget()
    qtbot.addWidget(widget)
    show(qtbot, widget, active=True)
    return widget


def ask(
    qtbot: QtBot, parent: QWidget, queue: JobQueue, clock: FakeClock
) -> tuple[PendingJobsDialog, list[QuitChoice]]:
    answers: list[QuitChoice] = []
    dialog = ask_pending_jobs(parent, queue, answers.append, wall_time=clock.wall_time)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog, answers


def test_nothing_pending_answers_wait_at_once(queue: JobQueue, parent: QWidget) -> None:
    answers: list[QuitChoice] = []
    assert ask_pending_jobs(parent, queue, answers.append) is None
    assert answers == ["wait"]


def test_pending_jobs_text_names_unfinished_jobs(
    make_queue: MakeQueue, clock: FakeClock, settle: Settle, tmp_path: Path
) -> None:
    queue = make_queue(policy=POLICY, max_workers=1)
    disk = BlockingDisk()
    queue.submit(save_job(tmp_path / "a.strata", disk, 1))
    queue.submit(save_job(tmp_path / "b.strata", FaultyDisk(), 2))
    assert pending_jobs_text(queue.records(), clock.wall_time()) == (
        "2 jobs are not finished:\n• Save a.strata — running\n• Save b.strata — queued"
    )
    disk.proceed.set()
    settle(queue)
    assert pending_jobs_text(queue.records()) == ""
    queue.submit(save_job(tmp_path / "c.strata", FaultyDisk(eio), 3))
    settle(queue)
    assert pending_jobs_text(queue.records(), clock.wall_time()) == (
        "1 job is not finished:\n• Save c.strata — retrying in 4 s (attempt 1/5 failed)"
    )


def test_dont_quit_and_escape_answer_stay(
    queue: JobQueue,
    clock: FakeClock,
    settle: Settle,
    qtbot: QtBot,
    tmp_path: Path,
    parent: QWidget,
) -> None:
    disk = BlockingDisk()
    queue.submit(save_job(tmp_path / "a.strata", disk))
    dialog, answers = ask(qtbot, parent, queue, clock)
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    assert "Save a.strata — running" in dialog.listing.text()
    click(qtbot, dialog.stay_button)
    assert answers == ["stay"]

    dialog, answers = ask(qtbot, parent, queue, clock)
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert answers == ["stay"]
    assert queue.record(1).state is JobState.RUNNING
    disk.proceed.set()
    settle(queue)


def test_cancel_jobs_and_quit_cancels_every_unfinished_job(
    make_queue: MakeQueue,
    clock: FakeClock,
    settle: Settle,
    qtbot: QtBot,
    tmp_path: Path,
    parent: QWidget,
) -> None:
    queue = make_queue(max_workers=1)
    disk = BlockingDisk()
    running = queue.submit(save_job(tmp_path / "a.strata", disk, 1))
    waiting = queue.submit(save_job(tmp_path / "b.strata", FaultyDisk(), 2))
    queue.state_changed.connect(lambda r: disk.proceed.set() if r.cancel_requested else None)
    dialog, answers = ask(qtbot, parent, queue, clock)
    click(qtbot, dialog.cancel_button)
    assert answers == ["cancel"]
    assert queue.record(waiting).state is JobState.CANCELLED
    assert queue.record(running).cancel_requested
    settle(queue)
    assert queue.record(running).state is JobState.CANCELLED


def test_wait_shows_progress_and_answers_wait_when_the_jobs_are_done(
    make_queue: MakeQueue,
    clock: FakeClock,
    settle: Settle,
    qtbot: QtBot,
    tmp_path: Path,
    parent: QWidget,
) -> None:
    queue = make_queue(max_workers=1)
    first, second = BlockingDisk(), BlockingDisk()
    queue.submit(save_job(tmp_path / "a.strata", first, 1))
    queue.submit(save_job(tmp_path / "b.strata", second, 2))
    dialog, answers = ask(qtbot, parent, queue, clock)
    click(qtbot, dialog.wait_button)
    assert dialog.progress.isVisible()
    assert (dialog.progress.value(), dialog.progress.maximum()) == (0, 2)
    assert dialog.heading.text() == "Waiting for 2 jobs to finish…"
    assert not dialog.wait_button.isEnabled()
    first.proceed.set()
    qtbot.waitUntil(lambda: dialog.progress.value() == 1, timeout=3000)
    assert answers == []
    second.proceed.set()
    qtbot.waitUntil(lambda: answers == ["wait"], timeout=3000)
    assert (tmp_path / "b.strata").exists()


def test_a_job_failing_while_waiting_answers_stay(
    queue: JobQueue,
    clock: FakeClock,
    settle: Settle,
    qtbot: QtBot,
    tmp_path: Path,
    parent: QWidget,
) -> None:
    disk = FaultyDisk(eio)
    queue.submit(save_job(tmp_path / "a.strata", disk))
    settle(queue)  # waiting for a retry
    dialog, answers = ask(qtbot, parent, queue, clock)
    assert "retrying in" in dialog.listing.text()
    click(qtbot, dialog.wait_button)
    disk.deny()
    clock.advance(10.0)
    settle(queue)
    qtbot.waitUntil(lambda: answers == ["stay"], timeout=3000)
    assert len(queue.dead_letters()) == 1
