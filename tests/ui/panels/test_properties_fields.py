"""The audit of every Properties field: a person's edit (typed, chosen, dragged) is exactly
one undo step, and the wheel never edits a field that does not have the focus.

Real focus in real fields and real key and mouse events on the focused widget.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QColorDialog,
    QScrollArea,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)
from pytestqt.qtbot import QtBot

from editor.model import Text
from editor.ui.panels import PropertiesPanel
from editor.ui.panels.colors import ColorButton
from editor.ui.session import Session
from tests.ui.panels.conftest import show

Ctrl = Qt.KeyboardModifier.ControlModifier

#: (field attribute, selection, typed value, what the document then holds)
NUMBER_FIELDS = [
    ("page_width", [], "1024", lambda s: s.document.page.width == 1024),
    ("page_height", [], "700", lambda s: s.document.page.height == 700),
    ("stroke_width", ["r"], "6", lambda s: s.document["r"].stroke_width == 6),
    ("opacity_spin", ["r"], "40", lambda s: s.document["r"].opacity == pytest.approx(0.4)),
    ("font_size", ["t"], "22", lambda s: s.document["t"].font_size == 22),
    ("x_field", ["r"], "55", lambda s: s.document["r"].x == 55),
    ("y_field", ["r"], "66", lambda s: s.document["r"].y == 66),
    ("width_field", ["r"], "120", lambda s: s.document["r"].width == 120),
    ("height_field", ["r"], "70", lambda s: s.document["r"].height == 70),
    ("rotation_field", ["r"], "30", lambda s: s.document["r"].rotation == 30),
    ("rotation_field", ["t"], "-45", lambda s: s.document["t"].rotation == -45),
]
COLOR_FIELDS = [
    ("page_background", [], lambda s: s.document.page.background),
    ("fill_button", ["r"], lambda s: s.document["r"].fill),
    ("stroke_button", ["r"], lambda s: s.document["r"].stroke),
    ("text_color", ["t"], lambda s: s.document["t"].color),
]


@pytest.fixture
def panel(qtbot: QtBot, props: PropertiesPanel) -> PropertiesPanel:
    show(qtbot, props, active=True)
    return props


def steps(session: Session) -> int:
    return session.history.stack.count()


def focus(field: QWidget) -> None:
    field.setFocus(Qt.FocusReason.TabFocusReason)
    focused = QApplication.focusWidget()
    assert focused is field or field.isAncestorOf(focused)


def type_in(qtbot: QtBot, field: QWidget, text: str) -> None:
    focus(field)
    qtbot.keyClick(field, Qt.Key.Key_A, Ctrl)
    qtbot.keyClicks(field, text)


def family_of(session: Session) -> str:
    shape = session.document["t"]
    assert isinstance(shape, Text)
    return shape.font_family


def wheel(widget: QWidget, notches: int = 1) -> None:
    pos = QPointF(widget.rect().center())
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0),
                        QPoint(0, -120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)  # fmt: skip
    QApplication.sendEvent(widget, event)


# ------------------------------------------------------------------ typed numbers
@pytest.mark.parametrize(("name", "ids", "value", "holds"), NUMBER_FIELDS,
                         ids=[f[0] for f in NUMBER_FIELDS])  # fmt: skip
@pytest.mark.parametrize("commit", ["Enter", "Tab"])
def test_a_typed_number_is_one_step(
    qtbot: QtBot,
    panel: PropertiesPanel,
    session: Session,
    name: str,
    ids: list[str],
    value: str,
    holds: Callable[[Session], bool],
    commit: str,
) -> None:
    session.selection.set(ids)
    field = getattr(panel, name)
    type_in(qtbot, field, value)
    assert steps(session) == 0, "typing alone commits nothing"
    qtbot.keyClick(field, Qt.Key.Key_Return if commit == "Enter" else Qt.Key.Key_Tab)
    assert steps(session) == 1
    assert holds(session)


# ------------------------------------------------------------------------ colours
@pytest.mark.parametrize(("name", "ids", "value"), COLOR_FIELDS, ids=[f[0] for f in COLOR_FIELDS])
def test_a_colour_from_the_dialog_is_one_step(
    qtbot: QtBot,
    panel: PropertiesPanel,
    session: Session,
    name: str,
    ids: list[str],
    value: Callable[[Session], str],
) -> None:
    session.selection.set(ids)
    button: ColorButton = getattr(panel, name)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = button.dialog()
    assert isinstance(dialog, QColorDialog) and dialog.isVisible()
    for color in ("#112233", "#445566", "#778899"):  # browsing in the dialog commits nothing
        dialog.setCurrentColor(QColor(color))
    assert steps(session) == 0
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert steps(session) == 1
    assert value(session) == "#778899"


@pytest.mark.parametrize("name", ["fill_none", "stroke_none"])
def test_a_none_click_is_one_step(
    qtbot: QtBot, panel: PropertiesPanel, session: Session, name: str
) -> None:
    session.selection.set(["r"])
    qtbot.mouseClick(getattr(panel, name), Qt.MouseButton.LeftButton)
    assert steps(session) == 1


# ------------------------------------------------------------------------- slider
def test_an_opacity_drag_is_one_step(
    qtbot: QtBot, panel: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["r"])
    slider = panel.opacity_slider
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    handle = (
        slider.style()
        .subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider
        )
        .center()
    )
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=handle)
    for dx in range(5, slider.width(), 10):
        qtbot.mouseMove(slider, QPoint(handle.x() - dx, handle.y()))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(1, handle.y()))
    assert steps(session) == 1
    assert session.document["r"].opacity < 0.5


# -------------------------------------------------------------------- font family
@pytest.mark.parametrize("commit", ["Enter", "Tab"])
def test_typing_a_font_name_is_one_step_on_commit(
    qtbot: QtBot, panel: PropertiesPanel, session: Session, commit: str
) -> None:
    session.selection.set(["t"])
    type_in(qtbot, panel.font_family, "DejaVu Serif")
    assert steps(session) == 0, "no step per keystroke"
    assert family_of(session) == "DejaVu Sans", "no partial names stored"
    key = Qt.Key.Key_Return if commit == "Enter" else Qt.Key.Key_Tab
    qtbot.keyClick(panel.font_family, key)
    assert steps(session) == 1
    assert family_of(session) == "DejaVu Serif"


def test_a_font_name_in_any_case_is_stored_as_installed(
    qtbot: QtBot, panel: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["t"])
    type_in(qtbot, panel.font_family, "dejavu serif")
    qtbot.keyClick(panel.font_family, Qt.Key.Key_Return)
    assert family_of(session) == "DejaVu Serif"
    assert steps(session) == 1


def test_an_unknown_font_name_reverts_with_a_message(
    qtbot: QtBot, panel: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["t"])
    with qtbot.waitSignal(panel.message) as said:
        type_in(qtbot, panel.font_family, "No Such Font Anywhere")
        qtbot.keyClick(panel.font_family, Qt.Key.Key_Return)
    assert steps(session) == 0
    assert family_of(session) == "DejaVu Sans"
    assert panel.font_family.currentText() == "DejaVu Sans"
    assert said.args == ["No font called “No Such Font Anywhere” is installed."]


def test_browsing_the_font_list_with_the_arrows_is_one_step(
    qtbot: QtBot, panel: PropertiesPanel, session: Session
) -> None:
    # Choosing from the list emits `activated`, as the arrow keys do on the closed list
    # (the popup itself cannot open on the offscreen platform without warnings).
    session.selection.set(["t"])
    combo = panel.font_family
    focus(combo)
    start = combo.currentIndex()
    for _ in range(3):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert steps(session) == 1
    assert family_of(session) == combo.itemText(start + 3)
    session.history.undo()
    assert family_of(session) == "DejaVu Sans"


def test_a_family_that_is_not_installed_is_shown_and_left_alone(
    qtbot: QtBot, panel: PropertiesPanel, session: Session
) -> None:
    from editor.commands import SetStyle  # noqa: PLC0415

    session.push(SetStyle(("t",), "font_family", "Some Font From Elsewhere", joinable=False))
    session.selection.set(["t"])
    assert panel.font_family.currentText() == "Some Font From Elsewhere"
    focus(panel.font_family)
    qtbot.keyClick(panel.font_family, Qt.Key.Key_Tab)  # in and out, nothing typed
    assert steps(session) == 1
    assert family_of(session) == "Some Font From Elsewhere"


# -------------------------------------------------------------------------- wheel
WHEEL_FIELDS = [
    ("page_width", []), ("page_height", []), ("stroke_width", ["r"]),
    ("opacity_slider", ["r"]), ("opacity_spin", ["r"]), ("font_family", ["t"]),
    ("font_size", ["t"]), ("x_field", ["r"]), ("y_field", ["r"]), ("width_field", ["r"]),
    ("height_field", ["r"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "ids"), WHEEL_FIELDS, ids=[f[0] for f in WHEEL_FIELDS])
def test_the_wheel_over_a_field_without_focus_scrolls_and_edits_nothing(
    qtbot: QtBot, panel: PropertiesPanel, session: Session, name: str, ids: list[str]
) -> None:
    panel.resize(panel.width(), 90)  # short: the panel scrolls
    session.selection.set(ids)
    field = getattr(panel, name)
    panel.setFocus()
    area = panel.findChild(QScrollArea)
    assert area is not None
    bar = area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    area.ensureWidgetVisible(field)
    start = bar.value()
    wheel(field, 1 if start < bar.maximum() else -1)
    assert steps(session) == 0, "the wheel changed the field under the pointer"
    assert QApplication.focusWidget() is not field, "the wheel took the focus"
    assert bar.value() != start, "the panel scrolled instead"


@pytest.mark.parametrize("name", ["font_size", "stroke_width", "opacity_slider"])
def test_the_wheel_steps_a_focused_field(
    qtbot: QtBot, panel: PropertiesPanel, session: Session, name: str
) -> None:
    session.selection.set(["t"] if name == "font_size" else ["r"])
    field = getattr(panel, name)
    focus(field)
    wheel(field, 1)
    wheel(field, 1)
    assert steps(session) == 1, "a wheel turn is one step of the field"


# ---------------------------------------------------------------------- line ends
def test_one_line_shows_its_end_points_instead_of_a_box(
    panel: PropertiesPanel, session: Session
) -> None:
    session.selection.set(["l"])  # (0, 0) to (30, 40)
    ends = [panel.x1_field, panel.y1_field, panel.x2_field, panel.y2_field]
    box = [panel.x_field, panel.y_field, panel.width_field, panel.height_field]
    assert all(f.isVisibleTo(panel) for f in ends)
    assert not any(f.isVisibleTo(panel) for f in box)
    assert [f.value() for f in ends] == [0.0, 0.0, 30.0, 40.0]
    session.selection.set(["l", "r"])  # several shapes: their union box again
    assert all(f.isVisibleTo(panel) for f in box)
    assert not any(f.isVisibleTo(panel) for f in ends)


@pytest.mark.parametrize(("name", "end"), [("x1_field", "x1"), ("y1_field", "y1"),
                                          ("x2_field", "x2"), ("y2_field", "y2")])  # fmt: skip
def test_a_typed_end_point_is_one_step(
    qtbot: QtBot, panel: PropertiesPanel, session: Session, name: str, end: str
) -> None:
    session.selection.set(["l"])
    field = getattr(panel, name)
    type_in(qtbot, field, "77")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert steps(session) == 1
    assert getattr(session.document["l"], end) == 77
    others = {"x1": 0, "y1": 0, "x2": 30, "y2": 40}
    del others[end]
    assert {k: getattr(session.document["l"], k) for k in others} == others
    for _ in range(3):  # arrow steps right after are one more step
        qtbot.keyClick(field, Qt.Key.Key_Up)
    assert steps(session) == 2
    assert getattr(session.document["l"], end) == 80
