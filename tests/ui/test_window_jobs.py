"""The window and its background jobs: failed saves, the Jobs dock, quitting with jobs."""

from __future__ import annotations

import errno
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QToolButton
from pytestqt.qtbot import QtBot

from editor.io.atomic import FileOps
from editor.io.format import load
from editor.jobs import JobState
from editor.testing import draw_shape, press, save, wait_until_idle
from editor.ui.jobs_panel import PendingJobsDialog
from editor.ui.main_window import MainWindow
from tests.ui.test_window import answer, dialog

OpenWindow = Callable[..., MainWindow]


class DenyingOps(FileOps):
    """The target folder is not writable until `denied` is cleared."""

    def __init__(self) -> None:
        self.denied = True

    def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
        if self.denied:
            raise PermissionError(errno.EACCES, "Permission denied", directory)
        return super().mkstemp(directory, prefix)


class BlockingOps(FileOps):
    """Writes wait until `go` is set (a slow disk), so a save stays running."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.started = threading.Event()

    def write(self, fd: int, data: memoryview) -> int:
        self.started.set()
        self.go.wait(timeout=30)
        return super().write(fd, data)


def test_a_failed_save_is_announced_and_retried_from_the_jobs_dock(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    ops = DenyingOps()
    window.documents.file_ops = ops
    target = tmp_path / "drawing.strata"
    save(window, target, wait=False)
    wait_until_idle(window)
    # the document stays modified and the window says why, without a modal dialog
    assert window.isWindowModified()
    notice = window.dead_letter_notice
    qtbot.waitUntil(notice.isVisible, timeout=3000)
    assert "Save drawing.strata" in notice.label.text()
    assert "You do not have permission to write in" in notice.label.text()
    qtbot.waitUntil(lambda: "1 failed" in window.jobs_summary.text(), timeout=3000)
    # the summary opens the dock on its Dead letters tab
    QTest.mouseClick(window.jobs_summary, Qt.MouseButton.LeftButton)
    assert window.jobs_panel.isVisible()
    panel = window.jobs_panel
    qtbot.waitUntil(lambda: panel.dead_model().rowCount() == 1, timeout=3000)
    # fix the fault, then Retry from the panel: the save succeeds and the document is clean
    ops.denied = False
    view = panel.dead_view()
    view.setFocus()
    view.selectRow(0)
    retry = panel.findChild(QToolButton, "jobs_retry_button")
    assert retry is not None and retry.isEnabled()
    QTest.mouseClick(retry, Qt.MouseButton.LeftButton)
    wait_until_idle(window)
    qtbot.waitUntil(lambda: not window.isWindowModified(), timeout=3000)
    assert len(load(target).shapes) == 1
    assert window.jobs.dead_letters() == ()
    qtbot.waitUntil(lambda: panel.dead_model().rowCount() == 0, timeout=3000)
    assert window.session.last_save_error is None


def test_a_retried_save_does_not_mark_later_edits_clean(
    strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    ops = DenyingOps()
    window.documents.file_ops = ops
    save(window, tmp_path / "drawing.strata", wait=False)
    wait_until_idle(window)
    draw_shape(window, "ellipse", (300, 100), (400, 160))  # edited after the failed save
    ops.denied = False
    (letter,) = window.jobs.dead_letters()
    window.jobs.retry_dead(letter.job_id)
    wait_until_idle(window)
    assert window.isWindowModified(), "the file holds the older state only"


def test_quitting_with_a_running_save_asks_and_can_cancel_it(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    target = tmp_path / "drawing.strata"
    target.write_bytes(b"old contents")
    draw_shape(window, "rect", (100, 100), (200, 160))
    ops = BlockingOps()
    window.documents.file_ops = ops
    job_id = window.documents.save_to(target)
    assert job_id is not None
    qtbot.waitUntil(ops.started.is_set, timeout=5000)
    window.close()
    # the document is still modified (the save has not finished): discard first...
    answer(dialog(qtbot, window, "unsaved_dialog"), QMessageBox.StandardButton.Discard)
    # ...then the running save is listed, never dropped silently
    prompt = pending_prompt(qtbot, window)
    assert "Save drawing.strata" in prompt.listing.text()
    QTest.mouseClick(prompt.stay_button, Qt.MouseButton.LeftButton)
    assert window.isVisible()
    window.close()
    answer(dialog(qtbot, window, "unsaved_dialog"), QMessageBox.StandardButton.Discard)
    QTest.mouseClick(pending_prompt(qtbot, window).cancel_button, Qt.MouseButton.LeftButton)
    ops.go.set()  # the blocked write returns; its next check() sees the cancel
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: window.jobs.record(job_id).state.is_final, timeout=5000)
    assert window.jobs.record(job_id).state is JobState.CANCELLED
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["drawing.strata"]


def pending_prompt(qtbot: QtBot, window: MainWindow) -> PendingJobsDialog:
    def shown() -> list[PendingJobsDialog]:
        return [d for d in window.findChildren(PendingJobsDialog) if d.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()), timeout=3000)
    return shown()[0]


def test_ctrl_j_shows_the_jobs_dock(strata_window: OpenWindow) -> None:
    window = strata_window()
    assert not window.jobs_panel.isVisible()
    press(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert window.jobs_panel.isVisible()
    assert window.findChild(QToolButton, "jobs_summary") is window.jobs_summary


def test_ctrl_j_puts_the_keyboard_in_the_dead_letters_right_after_a_job_died(
    strata_window: OpenWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    job_id = window.documents.export_to(tmp_path / "later" / "out.svg")
    qtbot.waitUntil(lambda: bool(window.jobs.dead_letters()))  # the panel not updated yet
    press(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert window.jobs_panel.dead_view().hasFocus()  # on Dead letters, current
    # ...on a selected row, so Retry (Ctrl+R) and Discard (Delete) act at once, as the
    # highlighted row suggests (they were disabled: the row was current, not selected).
    [letter] = window.jobs_panel.dead_model().letters()
    assert window.jobs_panel.action("retry").isEnabled()
    assert window.jobs_panel.action("discard").isEnabled()
    assert letter.job_id == job_id
    (tmp_path / "later").mkdir()
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window.jobs_panel.dead_view(), Qt.Key.Key_R, ctrl_shift)  # Retry All
    qtbot.waitUntil(lambda: window.jobs.record(job_id).state is JobState.SUCCEEDED)
    press(window, Qt.Key.Key_Escape)  # back to the drawing
    assert window.canvas.hasFocus()
    press(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert window.jobs_panel.queue_view().hasFocus()  # no dead letters: the queue


def test_a_newer_save_discards_older_failed_saves_of_the_same_file(
    strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    ops = DenyingOps()
    window.documents.file_ops = ops
    target = tmp_path / "drawing.strata"
    save(window, target, wait=False)
    wait_until_idle(window)
    assert len(window.jobs.dead_letters()) == 1
    draw_shape(window, "ellipse", (300, 100), (400, 160))
    ops.denied = False
    save(window, target, wait=False)
    wait_until_idle(window)
    assert window.jobs.dead_letters() == (), "retrying it would put the older state back"
    assert len(load(target).shapes) == 2
    assert not window.isWindowModified()
