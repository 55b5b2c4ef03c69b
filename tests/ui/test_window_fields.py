"""Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y from the docks: real focus in real fields, real keys.

Once a field's edit is committed, the undo keys act on the document's history wherever
the focus is in the window (Properties, History, Jobs). While a field holds typing that
was not committed, the first Ctrl+Z cancels that typing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from editor.model import Rect, Text
from editor.testing import activate, draw_shape, select
from editor.ui.main_window import MainWindow

Ctrl = Qt.KeyboardModifier.ControlModifier
Shift = Qt.KeyboardModifier.ShiftModifier
OpenWindow = Callable[..., MainWindow]


def focus(window: MainWindow, widget: QWidget) -> QWidget:
    """Give `widget` real keyboard focus in the active window; returns the focus widget."""
    activate(window)
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    focused = QApplication.focusWidget()
    assert focused is not None and (focused is widget or widget.isAncestorOf(focused))
    return focused


def key(widget: QWidget, k: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
        ) -> None:  # fmt: skip
    QTest.keyClick(widget, k, modifiers)


def type_into(widget: QWidget, text: str) -> None:
    key(widget, Qt.Key.Key_A, Ctrl)
    QTest.keyClicks(widget, text)


def wheel(widget: QWidget, notches: int) -> None:
    """One real wheel turn over the middle of `widget` (sent to the widget under it)."""
    pos = QPointF(widget.rect().center())
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)  # fmt: skip
    QApplication.sendEvent(widget, event)


def rect_of(window: MainWindow, shape_id: str) -> Rect:
    shape = window.document[shape_id]
    assert isinstance(shape, Rect)
    return shape


def test_ctrl_z_after_a_committed_field_edit_undoes_the_document(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    r = draw_shape(window, "rect", (100, 100), (200, 160))
    assert window.session.selection.ids() == (r,)
    field = focus(window, window.properties.stroke_width)
    type_into(field, "6")
    key(field, Qt.Key.Key_Return)
    assert rect_of(window, r).stroke_width == 6
    assert QApplication.focusWidget() is field  # still in the field
    key(field, Qt.Key.Key_Z, Ctrl)
    assert rect_of(window, r).stroke_width == 1, "Ctrl+Z in the field undid the change"
    key(field, Qt.Key.Key_Z, Ctrl)
    assert len(window.document) == 0, "and the next one undid the drawing"
    key(field, Qt.Key.Key_Z, Ctrl | Shift)
    assert len(window.document) == 1
    key(field, Qt.Key.Key_Y, Ctrl)
    assert rect_of(window, r).stroke_width == 6


def test_ctrl_z_after_a_wheel_step_in_a_focused_field_undoes_it(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    t = draw_shape(window, "text", (100, 100), (300, 160), text="Hi")
    select(window, t)
    field = focus(window, window.properties.font_size)
    before = window.document[t]
    assert isinstance(before, Text)
    wheel(field, 1)
    after = window.document[t]
    assert isinstance(after, Text) and after.font_size == before.font_size + 1
    key(field, Qt.Key.Key_Z, Ctrl)
    restored = window.document[t]
    assert isinstance(restored, Text) and restored.font_size == before.font_size


def test_the_first_ctrl_z_cancels_uncommitted_typing_in_a_field(
    qtbot: QtBot, strata_window: OpenWindow
) -> None:
    window = strata_window()
    r = draw_shape(window, "rect", (100, 100), (200, 160))
    field = focus(window, window.properties.x_field)
    type_into(field, "42")
    assert window.properties.x_field.text() == "42"
    key(field, Qt.Key.Key_Z, Ctrl)
    assert window.properties.x_field.text() == "100.00", "the typing was cancelled"
    assert len(window.document) == 1 and rect_of(window, r).x == 100, "the drawing was not"
    key(field, Qt.Key.Key_Tab)  # leaving the field commits nothing: nothing is typed
    assert window.undo_stack.count() == 1 and rect_of(window, r).x == 100
    field = focus(window, window.properties.x_field)
    key(field, Qt.Key.Key_Z, Ctrl)
    assert len(window.document) == 0, "with nothing typed, Ctrl+Z undoes the drawing"


def test_ctrl_z_works_with_the_focus_in_the_history_and_jobs_docks(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    draw_shape(window, "ellipse", (300, 100), (400, 160))
    view = focus(window, window.history_panel.view())
    key(view, Qt.Key.Key_Z, Ctrl)
    assert len(window.document) == 1
    window.show_jobs()
    jobs = focus(window, window.jobs_panel.queue_view())
    key(jobs, Qt.Key.Key_Z, Ctrl)
    assert len(window.document) == 0
    key(jobs, Qt.Key.Key_Y, Ctrl)
    assert len(window.document) == 1


def test_the_f1_help_states_the_undo_rule(strata_window: OpenWindow) -> None:
    window = strata_window()
    window.action_registry["shortcuts"].trigger()
    dialog = window.findChild(QWidget, "shortcuts_dialog")
    assert dialog is not None and dialog.isVisible()
    rule = dialog.findChild(QWidget, "undo_rule")
    assert rule is not None and rule.isVisible()
    text = rule.property("text")
    assert "Ctrl+Z" in text and "committed" in text.lower()
    dialog.close()


@pytest.mark.parametrize("size", [None, (1024, 700)], ids=["default", "1024x700"])
@pytest.mark.parametrize("kind", ["text", "rect", "line"])
def test_the_properties_dock_fits(
    qtbot: QtBot, strata_window: OpenWindow, size: tuple[int, int] | None, kind: str
) -> None:
    """Nothing is cut off on the right; what is below the fold is reachable by scrolling."""
    window = strata_window()
    if size is not None:
        window.resize(*size)
        qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    shape = draw_shape(window, kind, (100, 100), (300, 160))
    select(window, shape)
    QApplication.processEvents()
    panel = window.properties
    area = panel.findChild(QScrollArea)
    assert area is not None
    viewport = area.viewport()
    fields = [w for w in panel.findChildren(QWidget)
              if w.focusPolicy() != Qt.FocusPolicy.NoFocus and w.isVisibleTo(panel)
              and not isinstance(w, QLineEdit)]  # fmt: skip
    assert len(fields) >= 8
    for field in fields:
        right = field.mapTo(viewport, QPoint(field.width(), 0)).x()
        assert right <= viewport.width(), f"{field.accessibleName()} is cut off on the right"
    bar = area.verticalScrollBar()
    lowest = max(f.mapTo(area.widget(), QPoint(0, f.height())).y() for f in fields)
    assert lowest <= viewport.height() + bar.maximum(), "the lowest field can be scrolled to"


# ------------------------------------------------------------- a new text box
def new_text_box(window: MainWindow) -> None:
    """Draw a text box with the Text tool and leave it empty (being edited, not added)."""
    from editor.testing import drag  # noqa: PLC0415

    activate(window)
    window.canvas.setFocus()
    key(window.canvas, Qt.Key.Key_T)
    drag(window, (400, 300), (600, 360))
    assert window.canvas.is_editing_text()


def test_a_new_text_box_is_what_properties_and_the_status_bar_describe(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    r = draw_shape(window, "rect", (100, 100), (200, 160))
    assert window.session.selection.ids() == (r,)
    new_text_box(window)
    panel = window.properties
    assert window.session.selection.ids() == (), "the previous selection is let go"
    assert panel.font_family.isVisibleTo(panel) and panel.font_size.isVisibleTo(panel)
    assert (panel.x_field.value(), panel.y_field.value()) == (400, 300)
    assert (panel.width_field.value(), panel.height_field.value()) == (200, 60)
    label = window.statusBar().findChild(QLabel, "selection_label")
    assert label is not None and label.text() == "New text box"
    # A field edited now styles the new box; nothing is in the history yet.
    field = focus(window, panel.font_size)
    type_into(field, "30")
    key(field, Qt.Key.Key_Return)
    assert window.undo_stack.count() == 1 and rect_of(window, r).stroke_width == 1
    key(field, Qt.Key.Key_Escape)  # back to the box being edited
    QTest.keyClicks(QApplication.focusWidget(), "Hi")
    [added] = [i for i in window.document.ids() if i != r]
    shape = window.document[added]
    assert isinstance(shape, Text) and (shape.text, shape.font_size) == ("Hi", 30)
    assert window.session.selection.ids() == (added,)
    assert label.text() == "Editing text box"
    assert panel.font_size.value() == 30


def test_an_empty_new_text_box_styled_in_properties_leaves_no_trace(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    new_text_box(window)
    field = focus(window, window.properties.font_size)
    type_into(field, "30")
    key(field, Qt.Key.Key_Return)
    key(field, Qt.Key.Key_Escape)
    key(QApplication.focusWidget(), Qt.Key.Key_Escape)  # stop editing, nothing typed
    assert len(window.document) == 0 and window.undo_stack.count() == 0
    label = window.statusBar().findChild(QLabel, "selection_label")
    assert label is not None and label.text() == ""
