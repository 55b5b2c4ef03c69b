"""The documented helpers in editor.testing, in our own suite (in-process, fast).

Each test names the defect it guards: `wait_until_idle` returned before the Jobs dock
showed the outcome; a full disk took 2-4 s of random backoff to reach the dead-letter
queue; typing steps were grouped by the wall clock; a failed open said only "could not
open PATH"; testing saves, exports and the docks meant reaching into private attributes.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, JobState
from editor.model import Rect, Text
from editor.samples import path as sample
from editor.testing import (
    FIXTURE_RETRY,
    OpenFailed,
    click,
    dead_letters,
    draw_shape,
    export,
    failing_disk,
    open_file,
    press,
    retry_dead_letter,
    save,
    select,
    set_property,
    shape_center,
    type_text,
    undo_texts,
    wait_for_dialog,
    wait_until_idle,
)
from editor.ui.main_window import MainWindow

Window = Callable[..., MainWindow]


def test_wait_until_idle_returns_once_the_jobs_dock_shows_the_outcome(
    strata_window: Window, tmp_path: Path
) -> None:
    window = strata_window()
    window.show_jobs()
    draw_shape(window, "rect", (10, 10), (60, 60))
    with failing_disk(window, errno.ENOSPC):
        save(window, tmp_path / "full.strata", wait=False)
        wait_until_idle(window)
    # Read straight after, with no further event processing: the views already show it.
    assert window.jobs_panel.dead_model().rowCount() == 1
    [record] = window.jobs_panel.queue_model().records()
    assert record.state is JobState.DEAD
    assert window.dead_letter_notice.isVisible()


def test_a_full_disk_reaches_the_dead_letters_without_any_waiting(
    strata_window: Window, strata_clock: FakeClock, tmp_path: Path, qtbot: QtBot
) -> None:
    window = strata_window(clock=strata_clock)
    draw_shape(window, "rect", (10, 10), (60, 60))
    start = strata_clock.now()
    with failing_disk(window, errno.ENOSPC):
        save(window, tmp_path / "full.strata", wait=False)
        # Every retry is due at once: advancing by nothing runs them all.
        qtbot.waitUntil(lambda: strata_clock.advance(0) >= 0 and bool(dead_letters(window)))
    [letter] = dead_letters(window)
    assert letter.attempts == FIXTURE_RETRY.max_attempts
    assert strata_clock.now() == start  # no time passed on the window's clock


def test_typing_steps_follow_the_fake_clock_not_the_wall_clock(
    strata_window: Window, strata_clock: FakeClock
) -> None:
    window = strata_window(clock=strata_clock)
    shape_id = draw_shape(window, "text", (20, 20), (220, 80), text="ab")
    click(window, shape_center(window, shape_id), double=True)
    press(window, Qt.Key.Key_End)
    type_text(window, "cd")
    strata_clock.advance(0.5)  # a short pause: the same step
    type_text(window, "ef")
    strata_clock.advance(1.5)  # a long one ends it
    type_text(window, "gh")
    press(window, Qt.Key.Key_Escape)
    assert undo_texts(window)[-2:] == ["Type 'cdef'", "Type 'gh'"]
    text = window.document[shape_id]
    assert isinstance(text, Text) and text.text == "abcdefgh"


def test_a_bad_file_raises_with_the_loaders_located_message(
    strata_window: Window, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.strata"
    bad.write_text(sample("shapes.strata").read_text().replace('"height":50.0', '"height":-1', 1))
    with pytest.raises(OpenFailed, match=r"bad\.strata: shapes\[0\]\.height"):
        strata_window(bad)
    window = strata_window(sample("shapes.strata"))
    before = window.document.snapshot()
    with pytest.raises(OpenFailed, match=r"shapes\[0\]\.height"):
        open_file(window, bad)
    assert window.document.snapshot() == before
    assert QApplication.activeModalWidget() is None  # no error box left behind


def test_save_and_export_return_what_they_wrote(strata_window: Window, tmp_path: Path) -> None:
    window = strata_window(sample("welcome.strata"))
    assert save(window, tmp_path / "a.strata") == tmp_path / "a.strata"
    assert export(window, tmp_path / "a.png", scale=0.5).read_bytes().startswith(b"\x89PNG")
    assert export(window, tmp_path / "picture", fmt="svg").read_text().startswith("<?xml")
    with pytest.raises(ValueError, match="scale applies to PNG only"):
        export(window, tmp_path / "a.pdf", scale=2.0)
    assert QApplication.activeModalWidget() is None
    with failing_disk(window, errno.EROFS), pytest.raises(AssertionError, match="Read-only"):
        export(window, tmp_path / "b.png")


def test_retry_dead_letter_uses_the_dead_letters_tab(strata_window: Window, tmp_path: Path) -> None:
    window = strata_window()
    draw_shape(window, "rect", (10, 10), (60, 60))
    with failing_disk(window, errno.ENOSPC):
        save(window, tmp_path / "d.strata", wait=False)
        wait_until_idle(window)
    [letter] = dead_letters(window)
    retry_dead_letter(window, letter.job_id)
    assert window.jobs_panel.tabs.currentWidget().objectName() == "dead_page"
    wait_until_idle(window)
    assert dead_letters(window) == ()
    assert (tmp_path / "d.strata").exists()
    with pytest.raises(KeyError):
        retry_dead_letter(window, 999)


def test_set_property_drives_each_kind_of_field(strata_window: Window) -> None:
    window = strata_window()
    r = draw_shape(window, "rect", (10, 10), (110, 60))
    set_property(window, "Fill colour", "#00ff00")
    set_property(window, "Width", 150)
    set_property(window, "No stroke", True)
    shape = window.document[r]
    assert isinstance(shape, Rect)
    assert (shape.fill, shape.width, shape.stroke) == ("#00ff00", 150, None)
    assert len(undo_texts(window)) == 4  # each field edit is one step
    with pytest.raises(LookupError, match="known: "):
        set_property(window, "Colour of the sky", "#0000ff")
    with pytest.raises(LookupError, match="not shown"):
        set_property(window, "Font size", 12)  # a rectangle has no font
    t = draw_shape(window, "text", (200, 200), (300, 260))
    select(window, t)
    set_property(window, "Font size", 30)
    text = window.document[t]
    assert isinstance(text, Text) and text.font_size == 30


def test_select_and_wait_for_dialog_check_their_arguments(
    strata_window: Window, qtbot: QtBot
) -> None:
    window = strata_window()
    with pytest.raises(KeyError, match="nope"):
        select(window, "nope")
    with pytest.raises(ValueError, match="known: about_dialog"):
        wait_for_dialog(qtbot, "no_such_dialog")
    window.action_registry["about"].trigger()
    box = wait_for_dialog(qtbot, "about_dialog")
    box.close()


def test_shape_center_is_the_middle_of_the_shape(strata_window: Window) -> None:
    """It read bounds() as two corners, not (x, y, width, height): for a box at (100, 100)
    sized 100 x 60 it gave (100, 80), outside the shape (found by another engineer)."""
    window = strata_window()
    box = draw_shape(window, "rect", (100, 100), (200, 160))
    line = draw_shape(window, "line", (300, 300), (400, 340))
    assert shape_center(window, box) == (150, 130)
    assert shape_center(window, line) == (350, 320)
    select(window)
    click(window, shape_center(window, box))
    assert window.session.selection.ids() == (box,)
