"""Quitting while a save is in progress (issue 8, item 7, second bullet).

The window gets a job queue on a fake clock, so a save that failed once waits for its
retry (RETRY_SCHEDULED) as long as the test wants: no sleeps.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from editor.io.atomic import FileOps
from editor.jobs import FakeClock, JobLog, JobQueue, JobState
from editor.testing import draw_shape, press
from editor.ui.main_window import MainWindow
from editor.ui.settings import Settings
from tests.ui.test_window import answer, dialog


class FlakyDisk(FileOps):
    """Every write fails with EIO (retryable) until `healthy` is set."""

    def __init__(self) -> None:
        self.healthy = False

    def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
        if not self.healthy:
            raise OSError(errno.EIO, "Input/output error", directory)
        return super().mkstemp(directory, prefix)


class Fixed:
    """An rng that always waits the longest allowed backoff."""

    def uniform(self, low: float, high: float) -> float:
        return high


@pytest.fixture
def setup(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[MainWindow, FakeClock, FlakyDisk]]:
    clock = FakeClock()
    jobs = JobQueue(clock=clock, rng=Fixed(), log=JobLog(tmp_path / "logs", stderr=False))
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=Settings(store), jobs=jobs)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitActive(window):
        window.activateWindow()
    disk = FlakyDisk()
    window.documents.file_ops = disk
    yield window, clock, disk
    window.discard_and_close()
    jobs.shutdown(timeout=10)
    window.deleteLater()


def retrying_save(qtbot: QtBot, window: MainWindow, target: Path) -> int:
    draw_shape(window, "rect", (100, 100), (200, 160))
    job_id = window.documents.save_to(target)
    assert job_id is not None
    jobs = window.jobs
    qtbot.waitUntil(lambda: jobs.record(job_id).state is JobState.RETRY_SCHEDULED, timeout=5000)
    return job_id


def test_the_quit_prompt_lists_the_save_in_progress_and_queues_no_duplicate(
    qtbot: QtBot, setup: tuple[MainWindow, FakeClock, FlakyDisk], tmp_path: Path
) -> None:
    window, clock, disk = setup
    target = tmp_path / "drawing.strata"
    job_id = retrying_save(qtbot, window, target)
    press(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    box = dialog(qtbot, window, "unsaved_dialog")
    assert "drawing.strata" in box.informativeText() and "retry" in box.informativeText()
    answer(box, QMessageBox.StandardButton.Save)
    assert [r.id for r in window.jobs.records() if not r.state.is_final] == [job_id]
    assert window.isVisible()
    disk.healthy = True
    clock.advance(60)  # the retry comes due and succeeds
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert target.exists()
    assert window.jobs.dead_letters() == ()


def test_when_the_save_fails_for_good_quitting_stops_and_says_why(
    qtbot: QtBot, setup: tuple[MainWindow, FakeClock, FlakyDisk], tmp_path: Path
) -> None:
    window, clock, _disk = setup
    target = tmp_path / "drawing.strata"
    job_id = retrying_save(qtbot, window, target)
    window.close()
    answer(dialog(qtbot, window, "unsaved_dialog"), QMessageBox.StandardButton.Save)

    def dead() -> bool:  # every retry fails: the save ends in the dead-letter queue
        clock.advance(60)
        return window.jobs.record(job_id).state is JobState.DEAD

    qtbot.waitUntil(dead, timeout=10000)
    assert len(window.jobs.dead_letters()) == 1, "one failed save, not two"
    stopped = dialog(qtbot, window, "quit_stopped_dialog")
    assert "did not quit" in stopped.text().lower()
    assert "drawing.strata" in stopped.text() + stopped.informativeText()
    assert window.isVisible()
    assert window.isWindowModified()
    answer(stopped, QMessageBox.StandardButton.Ok)


def test_an_untitled_drawing_being_saved_as_is_not_asked_for_a_name_again(
    qtbot: QtBot, setup: tuple[MainWindow, FakeClock, FlakyDisk], tmp_path: Path
) -> None:
    """Save As to a new file is retrying; the drawing has no path until it succeeds."""
    window, clock, disk = setup
    target = tmp_path / "new.strata"
    retrying_save(qtbot, window, target)
    assert window.session.path is None
    window.close()
    answer(dialog(qtbot, window, "unsaved_dialog"), QMessageBox.StandardButton.Save)
    assert not [d for d in window.findChildren(QFileDialog) if d.isVisible()]
    disk.healthy = True
    clock.advance(60)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert target.exists()
