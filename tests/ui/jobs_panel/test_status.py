"""The status-bar summary and the dead-letter notice follow the queue by themselves."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, JobQueue, JobState
from editor.ui.jobs_panel import DeadLetterNotice, JobsSummary

from .conftest import POLICY, MakePanel, MakeQueue, Settle, save_job, show
from .fakes import BlockingDisk, FaultyDisk, eio
from .helpers import click, click_row


def test_summary_text_follows_the_queue(
    make_queue: MakeQueue, clock: FakeClock, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    queue = make_queue(policy=POLICY, max_workers=1)
    summary = JobsSummary(queue)
    qtbot.addWidget(summary)
    show(qtbot, summary)
    assert summary.text() == "No jobs"
    assert summary.accessibleName() == "Jobs: No jobs"

    blocking = BlockingDisk()
    flaky = FaultyDisk(eio)
    queue.submit(save_job(tmp_path / "a.strata", blocking, 1))
    queue.submit(save_job(tmp_path / "b.strata", flaky, 2))
    queue.submit(save_job(tmp_path / "c.strata", FaultyDisk(), 3))
    assert summary.text() == "No jobs"  # coalesced: the text changes shortly after
    qtbot.waitUntil(lambda: summary.text() == "1 running · 2 queued", timeout=2000)
    assert "Save b.strata — queued" in summary.toolTip()

    blocking.proceed.set()
    settle(queue)
    summary.refresh()
    assert summary.text() == "1 retrying"

    flaky.deny()
    clock.advance(4.0)
    settle(queue)
    summary.refresh()
    assert summary.text() == "1 failed"
    assert summary.accessibleName() == "Jobs: 1 failed"
    assert "1 failed (see Dead letters)" in summary.toolTip()
    assert not summary.icon().isNull()

    queue.discard_all_dead()
    qtbot.waitUntil(lambda: summary.text() == "No jobs", timeout=2000)
    assert summary.icon().isNull()


def test_clicking_the_summary_emits_clicked(queue: JobQueue, qtbot: QtBot) -> None:
    summary = JobsSummary(queue)
    qtbot.addWidget(summary)
    show(qtbot, summary)
    with qtbot.waitSignal(summary.clicked, timeout=1000):
        qtbot.mouseClick(summary, Qt.MouseButton.LeftButton)


def host(qtbot: QtBot, queue: JobQueue) -> tuple[QWidget, QLineEdit, DeadLetterNotice]:
    """A window with a text field that has focus and the notice below it."""
    window = QWidget()
    qtbot.addWidget(window)
    field = QLineEdit(window)
    notice = DeadLetterNotice(queue, window)
    layout = QVBoxLayout(window)
    layout.addWidget(field)
    layout.addStretch(1)
    layout.addWidget(notice)
    show(qtbot, window, active=True)
    field.setFocus()
    return window, field, notice


def deny(queue: JobQueue, settle: Settle, path: Path, serial: int = 1) -> tuple[int, FaultyDisk]:
    disk = FaultyDisk()
    disk.deny()
    job_id = queue.submit(save_job(path, disk, serial))
    settle(queue)
    return job_id, disk


def test_notice_names_the_job_and_error_without_taking_focus_and_retries(
    queue: JobQueue, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    _window, field, notice = host(qtbot, queue)
    assert not notice.isVisible()
    job_id, disk = deny(queue, settle, tmp_path / "a.strata")
    qtbot.waitUntil(notice.isVisible, timeout=2000)
    text = notice.label.text()
    assert text.startswith("“Save a.strata” failed: You do not have permission to write in")
    assert notice.retry_button.text() == "Retry"
    assert QApplication.focusWidget() is field

    disk.heal()
    with qtbot.waitSignal(notice.retryRequested, timeout=1000) as retried:
        click(qtbot, notice.retry_button)
    assert retried.args == [job_id]
    assert QApplication.focusWidget() is field  # clicking did not take focus either
    assert not notice.isVisible()
    settle(queue)
    assert queue.record(job_id).state is JobState.SUCCEEDED


def test_notice_details_close_and_several_failures(
    queue: JobQueue, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    _window, _field, notice = host(qtbot, queue)
    first, _ = deny(queue, settle, tmp_path / "a.strata", 1)
    second, _ = deny(queue, settle, tmp_path / "b.strata", 2)
    notice.refresh()
    assert notice.isVisible()
    assert notice.announced() == [first, second]
    assert notice.label.text().startswith("“Save b.strata” failed")
    assert "(1 other job also failed)" in notice.label.text()
    assert notice.retry_button.text() == "Retry All"
    with qtbot.waitSignal(notice.detailsRequested, timeout=1000) as details:
        click(qtbot, notice.details_button)
    assert details.args == [second]
    assert not notice.isVisible()

    deny(queue, settle, tmp_path / "c.strata", 3)
    notice.refresh()
    assert notice.announced() == [3]  # a fresh notice: the earlier ones were dismissed
    click(qtbot, notice.close_button)
    assert not notice.isVisible()
    assert len(queue.dead_letters()) == 3  # closing is not discarding


def test_notice_hides_by_itself(
    queue: JobQueue, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    _window, _field, notice = host(qtbot, queue)
    notice.hide_after_ms = 30
    deny(queue, settle, tmp_path / "a.strata")
    qtbot.waitUntil(notice.isVisible, timeout=2000)
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=2000)


def test_notice_goes_away_when_the_panel_retried_or_discarded_its_job(
    queue: JobQueue, make_panel: MakePanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    _window, _field, notice = host(qtbot, queue)
    deny(queue, settle, tmp_path / "a.strata")
    notice.refresh()
    assert notice.isVisible()
    panel = make_panel(queue)
    panel.show_dead_letters()
    panel.flush()
    click_row(qtbot, panel.dead_view(), 0)
    panel.action("discard").trigger()
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=2000)
    assert notice.announced() == []


def test_notice_says_why_a_retry_was_refused(
    make_queue: MakeQueue, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    queue = make_queue(max_queued=1, max_workers=1)
    _window, _field, notice = host(qtbot, queue)
    deny(queue, settle, tmp_path / "a.strata", 1)
    notice.refresh()
    busy = BlockingDisk()
    queue.submit(save_job(tmp_path / "b.strata", busy, 2))  # takes the only worker
    queue.submit(save_job(tmp_path / "c.strata", FaultyDisk(), 3))  # fills the queue
    click(qtbot, notice.retry_button)
    assert notice.isVisible()
    assert "full" in notice.label.text()
    busy.proceed.set()
    settle(queue)
