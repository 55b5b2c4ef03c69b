"""The Properties panel: every change is one command, gestures are one undo step, the
fields follow the selection, the document and the history, and refreshing never pushes."""

from __future__ import annotations

import msgspec
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractSlider,
    QApplication,
    QColorDialog,
    QLabel,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)
from pytestqt.qtbot import QtBot

from editor.commands import AddShapes, GeometryChange, MoveShapes, SetGeometry, SetPage, SetStyle
from editor.model import Line, Rect, Text, line, rect
from editor.ui.panels import PropertiesPanel, from_qcolor, to_qcolor
from editor.ui.panels.fields import NumberField
from editor.ui.panels.properties import resize_changes
from editor.ui.session import Session
from tests.ui.panels.conftest import FakeClock, make_session, show


# ------------------------------------------------------------------------- helpers
def commands(session: Session) -> list[object]:
    stack = session.history.stack
    return [stack.command(i).command for i in range(stack.count())]  # type: ignore[attr-defined]


def shape(session: Session, shape_id: str) -> Rect:
    s = session.document[shape_id]
    assert isinstance(s, Rect)
    return s


def pick_color(button_dialog: QColorDialog | None, color: QColor) -> None:
    assert button_dialog is not None and button_dialog.isVisible()
    button_dialog.setCurrentColor(color)
    button_dialog.accept()


def type_value(qtbot: QtBot, field: NumberField, value: str) -> None:
    """Focus the field, select its text, type `value` and press Enter (real key events)."""
    field.setFocus(Qt.FocusReason.TabFocusReason)
    assert QApplication.focusWidget() is field
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, value)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def handle_center(slider: QSlider) -> QPoint:
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    rect_ = slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider
    )
    return rect_.center()


# -------------------------------------------------------------------------- colours
@pytest.mark.parametrize(
    ("model", "rgba"),
    [
        ("#ff0000", (255, 0, 0, 255)),
        ("#12345678", (0x12, 0x34, 0x56, 0x78)),
        ("#abcdef00", (0xAB, 0xCD, 0xEF, 0)),
    ],
)
def test_colours_convert_with_alpha_last(qapp: object, model: str, rgba: tuple[int, ...]) -> None:
    color = to_qcolor(model)
    assert (color.red(), color.green(), color.blue(), color.alpha()) == rgba
    assert from_qcolor(color) == model
    # Qt's own hex form puts alpha first: the reason for converting by hand.
    if rgba[3] != 255:
        assert color.name(QColor.NameFormat.HexArgb) != model


def test_opaque_colour_is_written_without_alpha(qapp: object) -> None:
    assert from_qcolor(QColor(1, 2, 3, 255)) == "#010203"
    with pytest.raises(ValueError, match="not a colour"):
        to_qcolor("#12")


# ------------------------------------------------------------------------ fill/stroke
def test_fill_from_the_colour_dialog_is_one_set_style(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r"])
    qtbot.mouseClick(props.fill_button, Qt.MouseButton.LeftButton)
    dialog = props.fill_button.dialog()
    assert dialog is not None
    assert dialog.testOption(QColorDialog.ColorDialogOption.ShowAlphaChannel)
    assert dialog.testOption(QColorDialog.ColorDialogOption.DontUseNativeDialog)
    assert dialog.currentColor() == QColor("#ff0000")  # starts from the shape's fill
    pick_color(dialog, QColor(0, 0, 255))
    assert shape(session, "r").fill == "#0000ff"
    [command] = commands(session)
    assert isinstance(command, SetStyle) and command.prop == "fill"
    assert props.fill_button.value() == "#0000ff"


def test_a_translucent_colour_is_stored_alpha_last(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r"])
    qtbot.mouseClick(props.stroke_button, Qt.MouseButton.LeftButton)
    pick_color(props.stroke_button.dialog(), QColor(0x12, 0x34, 0x56, 0x78))
    assert shape(session, "r").stroke == "#12345678"


def test_cancelling_the_dialog_changes_nothing(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r"])
    qtbot.mouseClick(props.fill_button, Qt.MouseButton.LeftButton)
    dialog = props.fill_button.dialog()
    assert dialog is not None
    dialog.setCurrentColor(QColor(0, 255, 0))
    dialog.reject()
    assert shape(session, "r").fill == "#ff0000"
    assert session.history.stack.count() == 0


def test_none_fill_toggles_off_and_back_to_the_colour(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r"])
    assert not props.fill_none.isChecked()
    qtbot.mouseClick(props.fill_none, Qt.MouseButton.LeftButton)
    assert shape(session, "r").fill is None
    assert props.fill_none.isChecked()
    assert props.fill_button.text() == "None"
    qtbot.mouseClick(props.fill_none, Qt.MouseButton.LeftButton)
    assert shape(session, "r").fill == "#ff0000"
    assert [type(c) for c in commands(session)] == [SetStyle, SetStyle]


def test_none_is_partly_checked_for_a_mixed_selection_and_a_click_clears_all(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r", "e"])  # red fill and no fill
    assert props.fill_none.checkState() == Qt.CheckState.PartiallyChecked
    assert props.fill_button.value() == "#ff0000"
    qtbot.mouseClick(props.fill_none, Qt.MouseButton.LeftButton)
    assert shape(session, "r").fill is None
    assert session.document["e"].fill is None  # type: ignore[union-attr]
    assert props.fill_none.checkState() == Qt.CheckState.Checked
    assert session.history.stack.count() == 1


def test_mixed_colours_show_as_mixed(props: PropertiesPanel, session: Session) -> None:
    session.selection.set(["r", "e"])  # strokes #000000 and #00ff00
    assert props.stroke_button.is_mixed()
    assert props.stroke_button.text() == "—"
    assert props.stroke_none.checkState() == Qt.CheckState.Unchecked


# ----------------------------------------------------------------------- opacity
def test_dragging_the_opacity_slider_is_one_undo_step(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r"])
    slider = props.opacity_slider
    assert slider.value() == 100
    start = handle_center(slider)
    seen: list[int] = []
    slider.valueChanged.connect(seen.append)
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    for dx in range(-10, -slider.width(), -15):
        qtbot.mouseMove(slider, QPoint(start.x() + dx, start.y()))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(2, start.y()))
    assert len(set(seen)) >= 5, "the drag went through many values"
    assert session.history.stack.count() == 1
    [command] = commands(session)
    assert isinstance(command, SetStyle) and command.prop == "opacity"
    assert shape(session, "r").opacity == pytest.approx(slider.value() / 100)
    assert shape(session, "r").opacity < 0.5
    session.history.undo()
    assert shape(session, "r").opacity == 1.0
    qtbot.waitUntil(lambda: slider.value() == 100 and props.opacity_spin.value() == 100)


def test_each_slider_press_is_its_own_step(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r"])
    slider = props.opacity_slider
    for _ in range(2):
        slider.setSliderDown(True)  # emits sliderPressed, as a mouse press does
        for _ in range(7):
            slider.triggerAction(QAbstractSlider.SliderAction.SliderSingleStepSub)
        slider.setSliderDown(False)
    assert session.history.stack.count() == 2
    assert shape(session, "r").opacity == pytest.approx(0.86)
    session.history.undo()
    assert shape(session, "r").opacity == pytest.approx(0.93)


def test_arrow_keys_on_the_slider_join_like_spin_steps(
    qtbot: QtBot, props: PropertiesPanel, session: Session, clock: FakeClock
) -> None:
    show(qtbot, props, active=True)
    session.selection.set(["r"])
    slider = props.opacity_slider
    slider.setFocus(Qt.FocusReason.TabFocusReason)
    for _ in range(3):
        qtbot.keyClick(slider, Qt.Key.Key_Left)
        clock.advance(0.2)
    assert session.history.stack.count() == 1
    assert shape(session, "r").opacity == pytest.approx(0.97)
    clock.advance(2.0)
    qtbot.keyClick(slider, Qt.Key.Key_PageDown)
    assert session.history.stack.count() == 2
    assert shape(session, "r").opacity == pytest.approx(0.87)


def test_enter_without_a_change_pushes_nothing(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    show(qtbot, props, active=True)
    session.selection.set(["r"])
    type_value(qtbot, props.x_field, "10")
    assert session.history.stack.count() == 0


def test_opacity_spin_and_slider_show_the_same_value(
    props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["e"])
    assert props.opacity_slider.value() == 50
    assert props.opacity_spin.value() == 50
    props.opacity_spin.stepBy(5)
    assert session.document["e"].opacity == pytest.approx(0.55)
    assert props.opacity_slider.value() == 55


# ------------------------------------------------------------------ spin-box steps
def test_holding_a_spin_arrow_is_one_step_and_a_pause_starts_another(
    props: PropertiesPanel, session: Session, clock: FakeClock
) -> None:
    session.selection.set(["r"])
    for _ in range(5):  # auto-repeat: steps a tenth of a second apart
        props.stroke_width.stepUp()
        clock.advance(0.1)
    assert session.history.stack.count() == 1
    assert shape(session, "r").stroke_width == 3.5
    clock.advance(0.5)  # still within the join window
    props.stroke_width.stepUp()
    assert session.history.stack.count() == 1
    clock.advance(1.0)  # a pause: the next step is a new undo step
    props.stroke_width.stepUp()
    assert session.history.stack.count() == 2
    assert shape(session, "r").stroke_width == 4.5
    session.history.undo()
    assert shape(session, "r").stroke_width == 4.0
    session.history.undo()
    assert shape(session, "r").stroke_width == 1.0


def test_steps_of_another_field_start_a_new_step(props: PropertiesPanel, session: Session) -> None:
    session.selection.set(["r"])
    props.x_field.stepUp()
    props.x_field.stepUp()
    props.y_field.stepUp()
    props.x_field.stepUp()
    assert [type(c) for c in commands(session)] == [MoveShapes, MoveShapes, MoveShapes]
    assert (shape(session, "r").x, shape(session, "r").y) == (13.0, 21.0)


def test_focus_in_starts_a_new_step(qtbot: QtBot, props: PropertiesPanel, session: Session) -> None:
    show(qtbot, props, active=True)
    session.selection.set(["r"])
    props.stroke_width.stepUp()
    props.x_field.setFocus(Qt.FocusReason.TabFocusReason)
    props.stroke_width.setFocus(Qt.FocusReason.TabFocusReason)
    props.stroke_width.stepUp()
    assert session.history.stack.count() == 2


def test_an_undo_between_steps_starts_a_new_step(props: PropertiesPanel, session: Session) -> None:
    session.selection.set(["r"])
    session.push(MoveShapes(("r",), 1, 1, joinable=False))
    props.stroke_width.stepUp()
    session.history.undo()  # undoes the stroke width change
    props.stroke_width.stepUp()
    assert [type(c) for c in commands(session)] == [MoveShapes, SetStyle]


def test_typing_a_value_and_pressing_enter_is_one_step(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    show(qtbot, props, active=True)
    session.selection.set(["r"])
    type_value(qtbot, props.width_field, "250")
    assert shape(session, "r").width == 250.0
    assert shape(session, "r").x == 10.0
    [command] = commands(session)
    assert isinstance(command, SetGeometry)
    # An arrow right after a typed value is a separate step.
    props.width_field.stepUp()
    assert session.history.stack.count() == 2


# ------------------------------------------------------------------------ geometry
def test_typing_x_and_y_moves_the_shape(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    show(qtbot, props, active=True)
    session.selection.set(["r"])
    assert (props.x_field.value(), props.y_field.value()) == (10.0, 20.0)
    type_value(qtbot, props.x_field, "55")
    type_value(qtbot, props.y_field, "-7.5")
    r = shape(session, "r")
    assert (r.x, r.y, r.width, r.height) == (55.0, -7.5, 100.0, 50.0)
    assert [type(c) for c in commands(session)] == [MoveShapes, MoveShapes]


def test_stepping_x_moves_by_exactly_the_step(props: PropertiesPanel, session: Session) -> None:
    session.push(MoveShapes(("r",), 0.123, 0, joinable=False))
    session.selection.set(["r"])
    props.x_field.stepUp()  # the field shows 10.12; the step is still exactly 1
    assert shape(session, "r").x == pytest.approx(11.123)


def test_height_resizes_one_box_keeping_its_top_left(
    props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r"])
    props.height_field.stepBy(10)
    r = shape(session, "r")
    assert (r.x, r.y, r.width, r.height) == (10.0, 20.0, 100.0, 60.0)


def test_width_of_a_multi_selection_scales_about_its_top_left(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    show(qtbot, props, active=True)
    session.selection.set(["r", "l"])  # union: (0, 0) to (110, 70)
    assert (props.x_field.value(), props.y_field.value()) == (0.0, 0.0)
    assert (props.width_field.value(), props.height_field.value()) == (110.0, 70.0)
    type_value(qtbot, props.width_field, "220")
    r, ln = shape(session, "r"), session.document["l"]
    assert isinstance(ln, Line)
    assert (r.x, r.width, r.y, r.height) == (20.0, 200.0, 20.0, 50.0)
    assert (ln.x1, ln.x2, ln.y1, ln.y2) == (0.0, 60.0, 0.0, 40.0)
    assert props.width_field.value() == 220.0
    [command] = commands(session)
    assert isinstance(command, SetGeometry)


def test_line_width_moves_its_end_points(props: PropertiesPanel, session: Session) -> None:
    session.selection.set(["l"])
    props.width_field.stepBy(30)
    ln = session.document["l"]
    assert isinstance(ln, Line)
    assert (ln.x1, ln.y1, ln.x2, ln.y2) == (0.0, 0.0, 60.0, 40.0)


def test_a_zero_extent_grows_from_its_position(qapp: object) -> None:
    vertical = line("v", 5, 0, 5, 10)
    [change] = resize_changes([vertical], "width", 20.0)
    assert change.values() == {"x2": 25.0}
    [change] = resize_changes([rect("z", 3, 4, 0, 10)], "width", 7.0)
    assert change.values() == {"width": 7.0}


def test_a_rotated_box_shows_its_box_fields_not_its_rotated_bounds(
    props: PropertiesPanel, session: Session
) -> None:
    session.push(SetGeometry((GeometryChange("r", rotation=45.0),), joinable=False))
    session.selection.set(["r"])
    assert (props.x_field.value(), props.y_field.value()) == (10.0, 20.0)
    assert (props.width_field.value(), props.height_field.value()) == (100.0, 50.0)


def test_a_value_the_model_rejects_changes_nothing_and_snaps_back(
    props: PropertiesPanel, session: Session
) -> None:
    session.push(AddShapes((line("far", 5_000_000, 0, 5_000_010, 0),
                            line("far2", 5_000_000, 5, 5_000_010, 5))))  # fmt: skip
    session.selection.set(["far", "far2"])
    count = session.history.stack.count()
    props.width_field.set_value(9_000_000.0)  # stands for a typed value...
    props.width_field.edited.emit(9_000_000.0, False, 10.0)  # ...committed with Enter
    assert session.history.stack.count() == count  # x2 would pass the coordinate limit
    assert props.width_field.value() == 10.0


# ----------------------------------------------------------------- fields by kind
def visible(panel: PropertiesPanel, widget: QWidget) -> bool:
    return widget.isVisibleTo(panel)


def test_fields_shown_depend_on_the_selected_kinds(
    props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["l"])
    assert not visible(props, props.fill_button)
    assert visible(props, props.stroke_button) and visible(props, props.stroke_width)
    assert not visible(props, props.font_family)
    assert not visible(props, props.page_width)
    session.selection.set(["t"])
    assert visible(props, props.fill_button)
    assert visible(props, props.font_family) and visible(props, props.font_size)
    assert visible(props, props.text_color)
    session.selection.set(["l", "r"])
    assert visible(props, props.fill_button)  # applies to the rectangle
    assert not visible(props, props.font_size)


def test_mixed_numbers_show_a_dash(props: PropertiesPanel, session: Session) -> None:
    session.selection.set(["r", "l"])  # stroke widths 1 and 2, opacity 1 and 1
    assert props.stroke_width.text() == "—"
    assert props.stroke_width.is_mixed()
    assert props.opacity_spin.text() == "100 %"
    session.selection.set(["r", "e"])  # opacity 1 and 0.5
    assert props.opacity_spin.text() == "—"


def test_typing_over_a_dash_sets_every_shape(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    show(qtbot, props, active=True)
    session.selection.set(["r", "l"])
    type_value(qtbot, props.stroke_width, "3")
    assert shape(session, "r").stroke_width == 3.0
    assert session.document["l"].stroke_width == 3.0
    assert props.stroke_width.text() == "3.00"


def test_stepping_from_a_dash_starts_from_the_first_shape(
    props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r", "l"])  # 1 and 2
    props.stroke_width.stepUp()
    assert shape(session, "r").stroke_width == 1.5
    assert session.document["l"].stroke_width == 1.5


def test_a_zero_stroke_width_is_a_number_not_a_dash(
    props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["t"])  # text boxes have no border by default
    assert props.stroke_width.text() == "0.00"


# -------------------------------------------------------------------------- text
def test_font_family_size_and_colour(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    show(qtbot, props, active=True)
    session.selection.set(["t"])
    assert props.font_family.currentText() == "DejaVu Sans"
    assert props.font_size.value() == 14.0
    family = props.font_family
    family.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(family, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(family, "DejaVu Serif")
    qtbot.keyClick(family, Qt.Key.Key_Return)
    props.font_size.stepUp()
    qtbot.mouseClick(props.text_color, Qt.MouseButton.LeftButton)
    pick_color(props.text_color.dialog(), QColor("#336699"))
    t = session.document["t"]
    assert isinstance(t, Text)
    assert (t.font_family, t.font_size, t.color) == ("DejaVu Serif", 15.0, "#336699")
    assert [c.prop for c in commands(session)] == ["font_family", "font_size", "color"]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- page
def test_page_properties_when_nothing_is_selected(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    show(qtbot, props, active=True)
    session.selection.clear()
    assert visible(props, props.page_width) and visible(props, props.page_background)
    assert not visible(props, props.fill_button) and not visible(props, props.x_field)
    assert (props.page_width.value(), props.page_height.value()) == (800.0, 600.0)
    type_value(qtbot, props.page_width, "1024")
    props.page_height.stepDown()
    qtbot.mouseClick(props.page_background, Qt.MouseButton.LeftButton)
    pick_color(props.page_background.dialog(), QColor(0x33, 0x66, 0x99, 0x80))
    page = session.document.page
    assert (page.width, page.height, page.background) == (1024.0, 599.0, "#33669980")
    assert [type(c) for c in commands(session)] == [SetPage, SetPage, SetPage]
    session.history.undo()
    qtbot.waitUntil(lambda: props.page_background.value() == "#ffffff")


# -------------------------------------------------------------------- refreshing
def test_fields_refresh_after_undo_and_redo(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r"])
    props.stroke_width.stepBy(4)
    props.x_field.stepBy(5)
    session.history.undo()
    qtbot.waitUntil(lambda: props.x_field.value() == 10.0)
    session.history.undo()
    qtbot.waitUntil(lambda: props.stroke_width.value() == 1.0)
    session.history.redo()
    qtbot.waitUntil(lambda: props.stroke_width.value() == 3.0)


def test_fields_follow_changes_made_elsewhere(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r"])
    session.push(SetStyle(("r",), "fill", "#00ff00", joinable=False))
    session.push(MoveShapes(("r",), 5, 0, joinable=False))
    qtbot.waitUntil(lambda: props.fill_button.value() == "#00ff00")
    assert props.x_field.value() == 15.0


def test_refreshing_never_pushes(qtbot: QtBot, props: PropertiesPanel, session: Session) -> None:
    pushed: list[int] = []
    session.history.stack.indexChanged.connect(pushed.append)
    for ids in (["r"], ["e"], ["l"], ["t"], ["r", "e", "l", "t"], []):
        session.selection.set(ids)
        props.refresh()
    session.selection.set(["r", "t"])
    session.push(SetStyle(("r", "t"), "opacity", 0.25, joinable=False))
    session.push(SetStyle(("t",), "font_family", "DejaVu Serif", joinable=False))
    session.push(SetStyle(("t",), "font_size", 30, joinable=False))
    for _ in range(3):
        session.history.undo()
        qtbot.wait(1)
    for _ in range(3):
        session.history.redo()
        qtbot.wait(1)
    assert session.history.stack.count() == 3
    assert pushed == [1, 2, 3, 2, 1, 0, 1, 2, 3]


def test_unrelated_changes_do_not_schedule_a_refresh(
    props: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r"])
    session.push(MoveShapes(("e",), 5, 0, joinable=False))
    assert not props._refresh_timer.isActive()
    session.push(MoveShapes(("r",), 5, 0, joinable=False))
    assert props._refresh_timer.isActive()


def test_set_session_unbinds_the_previous_one(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    other = make_session()
    try:
        other.push(MoveShapes(("r",), 100, 0, joinable=False))
        other.selection.set(["r"])
        props.set_session(other)
        assert props.x_field.value() == 110.0
        session.selection.set(["e"])  # the old session no longer drives the panel
        session.push(MoveShapes(("r",), 1, 0, joinable=False))
        qtbot.wait(1)
        assert props.x_field.value() == 110.0
        props.x_field.stepUp()
        assert shape(other, "r").x == 111.0
        assert shape(session, "r").x == 11.0
    finally:
        props.set_session(None)
        other.close()
        other.deleteLater()


def test_a_destroyed_session_leaves_an_empty_disabled_panel(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    other = make_session()
    props.set_session(other)
    document = other.document
    other.close()
    with qtbot.waitSignal(other.destroyed):
        other.deleteLater()
    assert props.session() is None
    assert not props.isEnabled()
    # No listener of the panel is left behind: a page change (which the page fields of a
    # bound panel would schedule a refresh for) reaches nothing of the panel.
    heard: list[object] = []
    props._refresh_timer.timeout.connect(lambda: heard.append("refresh"))
    document.set_page(msgspec.structs.replace(document.page, width=999.0))
    assert not props._refresh_timer.isActive()
    qtbot.wait(10)
    assert heard == []


# ----------------------------------------------------------------------- keyboard
def field_widgets(panel: PropertiesPanel) -> list[QWidget]:
    return [
        panel.page_width, panel.page_height, panel.page_background,
        panel.fill_button, panel.fill_none, panel.stroke_button, panel.stroke_none,
        panel.stroke_width, panel.opacity_slider, panel.opacity_spin,
        panel.start_marker, panel.end_marker,
        panel.font_family, panel.font_size, panel.text_color,
        panel.x_field, panel.y_field, panel.width_field, panel.height_field,
        panel.rotation_field, panel.x1_field, panel.y1_field, panel.x2_field, panel.y2_field,
    ]  # fmt: skip


@pytest.mark.parametrize("ids", [["r"], ["l"], ["t"], ["r", "l", "t"], []])
def test_every_field_has_an_accessible_name_and_a_labelled_buddy(
    props: PropertiesPanel, session: Session, ids: list[str]
) -> None:
    session.selection.set(ids)
    buddies = {label.buddy(): label.text() for label in props.findChildren(QLabel) if label.buddy()}
    for widget in field_widgets(props):
        assert widget.accessibleName(), widget
        assert "&" in buddies.get(widget, "&"), widget
    for widget in (props.page_width, props.fill_button, props.opacity_slider, props.x_field,
                   props.font_family, props.height_field, props.x1_field):  # fmt: skip
        assert "&" in buddies[widget]
    shown = [t for w, t in buddies.items() if w is not None and w.isVisibleTo(props)]
    mnemonics = [t[t.index("&") + 1].lower() for t in shown]
    assert len(mnemonics) == len(set(mnemonics)), "mnemonics shown together are unique"


@pytest.mark.parametrize("ids", [["r"], ["t", "l"], []])
def test_tab_reaches_every_visible_field(
    qtbot: QtBot, props: PropertiesPanel, session: Session, ids: list[str]
) -> None:
    show(qtbot, props, active=True)
    session.selection.set(ids)
    expected = [w for w in field_widgets(props) if w.isVisibleTo(props)]
    expected[0].setFocus(Qt.FocusReason.TabFocusReason)
    reached: list[QWidget] = []
    for _ in range(len(expected)):
        focus = QApplication.focusWidget()
        while focus is not None and focus not in expected:
            focus = focus.parentWidget()
        assert focus is not None
        reached.append(focus)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert reached == expected


def test_a_mnemonic_focuses_its_field(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    show(qtbot, props, active=True)
    session.selection.set(["r"])
    props.fill_button.setFocus()
    qtbot.keyClick(props.fill_button, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is props.height_field
