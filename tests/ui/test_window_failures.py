"""Failed saves in the window: plain words where a person looks, details where they dig.

Issue 8 item 7 (first bullet): the status bar, the dead-letter notice and the Jobs panel
said "FileNotFoundError: [Errno 2] folder does not exist". Now they name the place and
the way out, and the dead letter's details keep the exception type, errno and
traceback. Issue 9: the retry window for saves comes from Preferences; when only the
folder sync fails, the new bytes are in the file, the document stays modified and the
message says so.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from editor.io.atomic import FileOps
from editor.io.format import load
from editor.jobs import JobState, RetryPolicy
from editor.testing import draw_shape, save, wait_until_idle
from editor.ui.main_window import MainWindow

OpenWindow = Callable[..., MainWindow]


class BrokenAt(FileOps):
    """`step` always fails with `code` (a disk that stays broken)."""

    def __init__(self, step: str, code: int) -> None:
        self.step = step
        self.code = code

    def _fail(self, step: str, where: str) -> None:
        if step == self.step:
            raise OSError(self.code, f"fault {errno.errorcode[self.code]}", where)

    def write(self, fd: int, data: memoryview) -> int:
        self._fail("write", "")
        return super().write(fd, data)

    def fsync_dir(self, directory: str) -> None:
        self._fail("fsync_dir", directory)
        super().fsync_dir(directory)


def dead_save(qtbot: QtBot, window: MainWindow) -> int:
    qtbot.waitUntil(lambda: len(window.jobs.dead_letters()) == 1, timeout=15_000)
    return window.jobs.dead_letters()[0].job_id


def test_a_failed_save_reads_as_plain_words_and_keeps_the_details(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    folder = tmp_path / "gone"
    save(window, folder / "drawing.strata", wait=False)
    dead_save(qtbot, window)
    plain = f"The folder {folder} no longer exists. Choose another place with Save As."
    qtbot.waitUntil(lambda: plain in window.statusBar().currentMessage(), timeout=3000)
    notice = window.dead_letter_notice
    qtbot.waitUntil(notice.isVisible, timeout=3000)
    assert plain in notice.label.text()
    assert "Errno" not in notice.label.text() and "Error" not in notice.label.text()
    assert window.isWindowModified()
    # The details pane of the dead letter: the plain words, then type, errno, traceback.
    window.show_jobs(dead=True)
    panel = window.jobs_panel
    qtbot.waitUntil(lambda: panel.dead_model().rowCount() == 1, timeout=3000)
    panel.dead_view().selectRow(0)
    header = panel._details_header.text()
    assert plain in header
    assert "FileNotFoundError, errno 2 (ENOENT): [Errno 2] folder does not exist" in header
    assert panel._details.toPlainText().startswith("Traceback (most recent call last):")


def test_the_retry_window_for_saves_is_a_preference(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    assert window.settings.save_retry_window() == 0  # the default: five quick tries
    dialog = window.show_preferences()
    qtbot.waitExposed(dialog)
    assert dialog.save_retry_window.specialValueText() == "A few seconds (5 tries)"
    dialog.save_retry_window.setValue(1)
    dialog.accept()
    assert window.settings.save_retry_window() == 1
    draw_shape(window, "rect", (100, 100), (200, 160))
    window.documents.file_ops = BrokenAt("write", errno.ENOSPC)
    job_id = window.documents.save_to(tmp_path / "full.strata")
    assert job_id is not None
    assert window.jobs.record(job_id).max_attempts == RetryPolicy.within(1).max_attempts
    dead_save(qtbot, window)
    record = window.jobs.record(job_id)
    assert record.state is JobState.DEAD
    assert 2 <= record.attempts <= record.max_attempts
    (letter,) = window.jobs.dead_letters()
    # Tried until the 1 s window had passed (the last try at its end), not 5 quick tries.
    assert letter.last_failure_at - letter.first_failure_at >= 1.0 - 0.01
    assert record.last_error is not None
    assert record.last_error.summary.startswith(f"The disk holding {tmp_path} is full.")
    assert not (tmp_path / "full.strata").exists()


def test_a_failed_folder_sync_keeps_the_document_modified_and_says_so(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    window.settings.set_save_retry_window(1)
    draw_shape(window, "ellipse", (100, 100), (200, 160))
    target = tmp_path / "drawing.strata"
    window.documents.file_ops = BrokenAt("fsync_dir", errno.EIO)
    save(window, target, wait=False)
    dead_save(qtbot, window)
    wait_until_idle(window)
    assert load(target) == window.document.snapshot()  # the rename happened
    assert window.isWindowModified()  # but it is not known to be durable
    notice = window.dead_letter_notice
    qtbot.waitUntil(notice.isVisible, timeout=3000)
    assert "may already hold the new content" in notice.label.text()
    assert "stays marked unsaved" in notice.label.text()
