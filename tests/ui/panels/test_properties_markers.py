"""End markers and rotation in Properties: real focus, real keys, one step per field edit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from editor.model import Line
from editor.testing import draw_shape, set_property
from editor.ui.panels import PropertiesPanel
from editor.ui.session import Session
from tests.ui.panels.conftest import show


def marker(session: Session, end: str) -> str:
    shape = session.document["l"]
    assert isinstance(shape, Line)
    return str(getattr(shape, end))


def focus_on(qtbot: QtBot, props: PropertiesPanel, session: Session, shape_id: str,
             field: QWidget) -> None:  # fmt: skip
    """Show the panel active, select one shape and give `field` real keyboard focus."""
    show(qtbot, props, active=True)
    session.selection.set([shape_id])
    assert field.isVisibleTo(props)
    field.setFocus(Qt.FocusReason.TabFocusReason)
    assert QApplication.focusWidget() is field


def test_a_marker_is_chosen_with_the_keyboard_in_one_step(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    combo = props.end_marker
    focus_on(qtbot, props, session, "l", combo)
    assert combo.objectName() == "properties_end_marker"
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # none -> arrow
    assert marker(session, "end_marker") == "arrow"
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # browsing on joins the step: open arrow
    assert marker(session, "end_marker") == "open_arrow"
    assert session.history.stack.count() == 1
    assert session.history.stack.text(0) == "Change End Marker of Line"
    # Another field: its own step.
    props.start_marker.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(props.start_marker, Qt.Key.Key_End)  # bar
    assert marker(session, "start_marker") == "bar"
    assert session.history.stack.count() == 2
    session.history.undo()
    assert marker(session, "start_marker") == "none"
    session.history.undo()
    assert marker(session, "end_marker") == "none"
    assert session.selection.ids() == ("l",)
    qtbot.waitUntil(lambda: props.end_marker.currentData() == "none")  # follows undo
    session.history.redo()
    qtbot.waitUntil(lambda: props.end_marker.currentData() == "open_arrow")


def test_markers_and_rotation_show_only_for_shapes_that_have_them(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    show(qtbot, props)
    session.selection.set(["r"])
    assert not props.end_marker.isVisibleTo(props)
    assert props.rotation_field.isVisibleTo(props)
    session.selection.set(["l"])
    assert props.end_marker.isVisibleTo(props)
    assert not props.rotation_field.isVisibleTo(props)
    session.selection.set(["r", "l"])
    assert not props.rotation_field.isVisibleTo(props)  # a line cannot turn


def test_rotation_steps_wrap_and_keep_a_mixed_selections_differences(
    qtbot: QtBot, props: PropertiesPanel, session: Session
) -> None:
    field = props.rotation_field
    focus_on(qtbot, props, session, "r", field)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, "179")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.keyClick(field, Qt.Key.Key_Up)
    qtbot.keyClick(field, Qt.Key.Key_Up)
    assert session.document["r"].rotation == -179  # type: ignore[union-attr]
    assert session.history.stack.count() == 2  # typed, then the held arrow
    session.selection.set(["r", "t"])
    assert field.text() != "-179.00 °"  # mixed: "—"
    field.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(field, Qt.Key.Key_Up)  # from "—": each box from its own angle
    assert session.document["r"].rotation == -178  # type: ignore[union-attr]
    assert session.document["t"].rotation == 1  # type: ignore[union-attr]


def test_set_property_chooses_a_marker_with_keys(strata_window: object) -> None:
    window = strata_window()  # type: ignore[operator]
    draw_shape(window, "line", (100, 100), (300, 200))
    set_property(window, "End marker", "circle")
    shapes = window.session.document.snapshot().shapes  # type: ignore[attr-defined]
    assert [s.end_marker for s in shapes] == ["circle"]
    assert window.session.history.stack.count() == 2  # type: ignore[attr-defined]
