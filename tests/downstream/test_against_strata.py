"""A downstream project's tests, written only against Strata's documented testing API
(README "Testing against Strata", docs/testing.md). Run against a non-editable install
in a fresh venv by tests/testing/test_downstream.py."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from editor.samples import path as sample
from editor.testing import (
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


def test_draw_style_and_undo(strata_window):
    window = strata_window()
    shape_id = draw_shape(window, "rect", (10, 10), (110, 60))
    set_property(window, "Stroke width", 5)
    assert window.document[shape_id].stroke_width == 5
    assert undo_texts(window) == ["Add Rectangle", "Change Stroke Width of Rectangle"]
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document[shape_id].stroke_width == 1


def test_a_sample_opens_and_saves(strata_window, tmp_path: Path):
    window = strata_window(sample("shapes.strata"))
    count = len(window.document)
    written = save(window, tmp_path / "copy.strata")
    assert written.exists()
    assert not window.isWindowModified()
    other = strata_window(written)
    assert len(other.document) == count


def test_a_bad_file_says_where_it_is_wrong(strata_window, tmp_path: Path):
    bad = tmp_path / "bad.strata"
    good = sample("shapes.strata").read_text()
    bad.write_text(good.replace('"width":100.0', '"width":"wide"', 1))
    window = strata_window()
    draw_shape(window, "ellipse", (0, 0), (50, 50))
    with pytest.raises(OpenFailed, match=r"shapes\[0\]\.width"):
        open_file(window, bad)
    assert len(window.document) == 1  # the open document is untouched


def test_export_every_format(strata_window, tmp_path: Path):
    window = strata_window(sample("welcome.strata"))
    for name in ("out.png", "out.svg", "out.pdf"):
        assert export(window, tmp_path / name).stat().st_size > 0
    assert export(window, tmp_path / "big.png", scale=2.0).exists()
    with pytest.raises(ValueError, match="scale"):
        export(window, tmp_path / "bad.png", scale=-1)


def test_a_full_disk_dead_letters_the_save_and_retry_succeeds(strata_window, tmp_path: Path):
    window = strata_window()
    draw_shape(window, "rect", (10, 10), (60, 60))
    target = tmp_path / "drawing.strata"
    with failing_disk(window, errno.ENOSPC):
        save(window, target, wait=False)
        wait_until_idle(window)
    [letter] = dead_letters(window)
    assert letter.name == "Save drawing.strata"
    assert "No space left on device" in letter.error.message
    assert not target.exists()
    assert window.isWindowModified()
    retry_dead_letter(window, letter.job_id)
    wait_until_idle(window)
    assert dead_letters(window) == ()
    assert target.exists()
    assert not window.isWindowModified()


def test_typing_pauses_follow_the_fake_clock(strata_window, strata_clock):
    window = strata_window(clock=strata_clock)
    draw_shape(window, "text", (20, 20), (220, 80), text="one")
    click(window, (60, 40), double=True)  # back into the text box
    press(window, Qt.Key.Key_End)
    type_text(window, "two")
    type_text(window, "three")  # no time passed: the same step
    strata_clock.advance(5.0)  # a long pause ends the typing step
    type_text(window, "four")
    press(window, Qt.Key.Key_Escape)
    assert undo_texts(window)[-2:] == ["Type 'twothree'", "Type 'four'"]


def test_clicking_a_shape_selects_it(strata_window):
    window = strata_window()
    first = draw_shape(window, "rect", (10, 10), (60, 60))
    second = draw_shape(window, "ellipse", (100, 100), (160, 160))
    select(window)
    click(window, shape_center(window, first))
    assert window.session.selection.ids() == (first,)
    select(window, first, second)
    assert set(window.session.selection.ids()) == {first, second}


def test_dialogs_are_found_by_name(strata_window, qtbot):
    window = strata_window(show=True)
    draw_shape(window, "rect", (10, 10), (60, 60))
    window.documents.new()  # asks about the unsaved drawing
    box = wait_for_dialog(qtbot, "unsaved_dialog")
    box.reject()  # Cancel
    assert len(window.document) == 1


def test_the_undo_limit_keeps_the_latest_steps(strata_window):
    window = strata_window(undo_limit=2)
    for x in (0, 100, 200):
        draw_shape(window, "rect", (x, 0), (x + 50, 50))
    assert len(window.document) == 3
    assert undo_texts(window) == ["Add Rectangle", "Add Rectangle"]


def test_a_hidden_window_exports(strata_window, tmp_path: Path):
    window = strata_window(sample("shapes.strata"), show=False)
    assert not window.isVisible()
    assert export(window, tmp_path / "shapes.svg").read_text().startswith("<?xml")
    with pytest.raises(RuntimeError, match="hidden"):
        draw_shape(window, "rect", (0, 0), (10, 10))
