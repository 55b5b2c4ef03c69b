"""The keyboard path through the window: Tab and Shift+Tab cycle canvas -> Properties ->
History -> Jobs -> canvas, F6 and Shift+F6 jump between those regions, Escape in a dock
goes back to the canvas. Real focus, real key events on the focused widget."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableWidget, QWidget

from editor.testing import activate, draw_shape
from editor.ui.main_window import MainWindow

OpenWindow = Callable[..., MainWindow]
Shift = Qt.KeyboardModifier.ShiftModifier


def region(window: MainWindow) -> str:
    """Which region of the window has the keyboard focus."""
    focus = QApplication.focusWidget()
    assert focus is not None
    for name, root in (("canvas", window.canvas), ("properties", window.properties),
                       ("history", window.history_panel), ("jobs", window.jobs_panel)):  # fmt: skip
        if focus is root or root.isAncestorOf(focus):
            return name
    return f"other: {type(focus).__name__} {focus.objectName()}"


def walk(window: MainWindow, key: Qt.Key, modifiers: Qt.KeyboardModifier, presses: int
         ) -> list[str]:  # fmt: skip
    """Press a key `presses` times; the regions visited, repeats collapsed."""
    visited = [region(window)]
    for _ in range(presses):
        focus = QApplication.focusWidget()
        assert focus is not None
        QTest.keyClick(focus, key, modifiers)
        name = region(window)
        if name != visited[-1]:
            visited.append(name)
    return visited


@pytest.fixture
def window(strata_window: OpenWindow) -> MainWindow:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (300, 160))  # selected: Properties has fields
    activate(window)
    window.canvas.setFocus()
    return window


@pytest.mark.parametrize("jobs", [True, False], ids=["jobs-shown", "jobs-hidden"])
def test_tab_cycles_through_the_regions_and_back_to_the_canvas(
    window: MainWindow, jobs: bool
) -> None:
    if jobs:
        window.show_jobs()
        window.canvas.setFocus()
    loop = ["canvas", "properties", "history", *(["jobs"] if jobs else []), "canvas"]
    forward = walk(window, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier, 40)
    assert forward[: len(loop)] == loop
    assert set(forward) == set(loop), forward
    window.canvas.setFocus()
    backward = walk(window, Qt.Key.Key_Backtab, Shift, 40)
    assert backward[: len(loop)] == loop[::-1], backward
    assert set(backward) == set(loop), backward


def test_f6_and_shift_f6_move_between_regions(window: MainWindow) -> None:
    window.show_jobs()
    window.canvas.setFocus()
    assert walk(window, Qt.Key.Key_F6, Qt.KeyboardModifier.NoModifier, 4) == [
        "canvas", "properties", "history", "jobs", "canvas"]  # fmt: skip
    assert walk(window, Qt.Key.Key_F6, Shift, 4) == [
        "canvas", "jobs", "history", "properties", "canvas"]  # fmt: skip


def test_f6_skips_a_hidden_dock_and_works_from_inside_a_field(window: MainWindow) -> None:
    window.properties.width_field.setFocus()
    QTest.keyClick(window.properties.width_field, Qt.Key.Key_F6)
    assert region(window) == "history"
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
    assert region(window) == "canvas", "the hidden Jobs dock is skipped"


def test_f6_returns_to_the_field_last_used_in_a_region(window: MainWindow) -> None:
    window.properties.height_field.setFocus()
    QTest.keyClick(window.properties.height_field, Qt.Key.Key_F6)  # -> history
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)  # -> canvas
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)  # -> properties
    assert QApplication.focusWidget() is window.properties.height_field


@pytest.mark.parametrize("where", ["field", "typing", "history", "jobs"])
def test_escape_in_a_dock_returns_focus_to_the_canvas(window: MainWindow, where: str) -> None:
    window.show_jobs()
    target: QWidget = {
        "field": window.properties.stroke_width,
        "typing": window.properties.x_field,
        "history": window.history_panel.view(),
        "jobs": window.jobs_panel.queue_view(),
    }[where]
    target.setFocus()
    assert QApplication.focusWidget() is target
    if where == "typing":
        QTest.keyClick(target, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(target, "250")
    QTest.keyClick(target, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.canvas
    assert window.undo_stack.count() == 1, "Escape committed nothing"
    assert window.document[window.session.selection.ids()[0]].x == 100  # type: ignore[union-attr]
    assert window.session.selection, "and the canvas keeps its selection"


def test_f6_while_editing_a_text_box_leaves_the_box(strata_window: OpenWindow) -> None:
    window = strata_window()
    activate(window)
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_T)
    from editor.testing import drag  # noqa: PLC0415

    drag(window, (100, 100), (300, 160))
    QTest.keyClicks(QApplication.focusWidget(), "Hi")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
    assert region(window) == "properties"


def test_the_f1_help_lists_the_keyboard_path(window: MainWindow) -> None:
    window.action_registry["shortcuts"].trigger()
    dialog = window.findChild(QWidget, "shortcuts_dialog")
    assert dialog is not None
    table = dialog.findChild(QTableWidget, "shortcuts_table")
    assert table is not None
    rows = [
        (table.item(r, 0).text(), table.item(r, 1).text())
        for r in range(table.rowCount())
        if table.item(r, 1) is not None
    ]
    assert ("Next Panel", "F6") in rows and ("Previous Panel", "Shift+F6") in rows
    note = dialog.findChild(QWidget, "keyboard_path")
    assert note is not None and note.isVisible()
    text = note.property("text")
    assert "Tab" in text and "Escape" in text and "F6" in text
    dialog.close()
