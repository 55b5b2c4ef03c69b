"""Drawing tools by mouse: one shape, one history entry, the right geometry."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from pytestqt.qtbot import QtBot

from editor.model import Ellipse, Line, Rect, Text
from editor.ui.canvas import Canvas
from editor.ui.canvas.simulate import click, drag, draw, hold_key, key, move, press, release
from editor.ui.canvas.tools import DEFAULT_BOX_SIZE
from editor.ui.session import Session

SHIFT = Qt.KeyboardModifier.ShiftModifier


def history_texts(session: Session) -> list[str]:
    stack = session.history.stack
    return [stack.text(i) for i in range(stack.count())]


def added_shape(session: Session, before: set[str]) -> object:
    new = [i for i in session.document.ids() if i not in before]
    assert len(new) == 1, new
    return session.document[new[0]]


@pytest.mark.parametrize(
    ("tool", "kind", "label"),
    [("rect", Rect, "Add Rectangle"), ("ellipse", Ellipse, "Add Ellipse")],
)
def test_drawing_a_box_adds_one_shape_in_one_step(
    qtbot: QtBot, canvas: Canvas, session: Session, tool: str, kind: type, label: str
) -> None:
    before = set(session.document.ids())
    draw(qtbot, canvas, tool, QRectF(400, 400, 80, 50))
    shape = added_shape(session, before)
    assert isinstance(shape, kind)
    assert (shape.x, shape.y, shape.width, shape.height) == (400, 400, 80, 50)
    assert (shape.fill, shape.stroke, shape.stroke_width) == ("#ffffff", "#000000", 1.0)
    assert history_texts(session) == [label]
    assert session.selection.ids() == (shape.id,)
    assert canvas.tool() == "select"  # draw.io style: back to Select after one shape
    assert canvas.item_for(shape.id) is not None


def test_drawing_up_and_left_normalises_the_box(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = set(session.document.ids())
    draw(qtbot, canvas, "rect", (QPointF(480, 450), QPointF(400, 400)))
    shape = added_shape(session, before)
    assert isinstance(shape, Rect)
    assert (shape.x, shape.y, shape.width, shape.height) == (400, 400, 80, 50)


def test_drawing_a_line(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    before = set(session.document.ids())
    draw(qtbot, canvas, "line", (QPointF(400, 400), QPointF(470, 430)))
    shape = added_shape(session, before)
    assert isinstance(shape, Line)
    assert (shape.x1, shape.y1, shape.x2, shape.y2) == (400, 400, 470, 430)
    assert history_texts(session) == ["Add Line"]


def test_shift_draws_a_square_and_a_circle(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    before = set(session.document.ids())
    draw(qtbot, canvas, "rect", QRectF(400, 400, 80, 30), modifiers=SHIFT)
    square = added_shape(session, before)
    assert isinstance(square, Rect)
    assert (square.x, square.y, square.width, square.height) == (400, 400, 80, 80)
    before = set(session.document.ids())
    draw(qtbot, canvas, "ellipse", (QPointF(300, 500), QPointF(260, 480)), modifiers=SHIFT)
    circle = added_shape(session, before)
    assert isinstance(circle, Ellipse)
    assert (circle.x, circle.y, circle.width, circle.height) == (260, 460, 40, 40)


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        ((470, 410), (470, 400)),  # nearly horizontal -> horizontal
        ((405, 330), (400, 330)),  # nearly vertical -> vertical
        ((460, 350), (455, 345)),  # near 45 degrees -> exactly 45 (mean of both)
    ],
)
def test_shift_constrains_lines_to_45_degrees(
    qtbot: QtBot,
    canvas: Canvas,
    session: Session,
    end: tuple[float, float],
    expected: tuple[float, float],
) -> None:
    before = set(session.document.ids())
    draw(qtbot, canvas, "line", ((400, 400), end), modifiers=SHIFT)
    shape = added_shape(session, before)
    assert isinstance(shape, Line)
    assert (shape.x1, shape.y1, shape.x2, shape.y2) == (400, 400, *expected)


def test_shift_pressed_mid_drag_updates_the_preview(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    canvas.set_tool("rect")
    press(qtbot, canvas, (400, 400))
    move(qtbot, canvas, (440, 420))
    move(qtbot, canvas, (480, 430))
    hold_key(qtbot, canvas, Qt.Key.Key_Shift)  # a square now, without moving the mouse
    preview = [i for i in canvas.canvas_scene().items() if i.zValue() > 1e299 and i.isVisible()]
    rects = [i.boundingRect() for i in preview if i is not canvas.canvas_scene().overlay]
    assert any(abs(r.width() - r.height()) < 1e-9 and r.width() >= 80 for r in rects)
    release(qtbot, canvas, (480, 430), modifiers=SHIFT)
    assert session.document[session.selection.ids()[0]].width == 80


def test_preview_while_drawing_changes_nothing_until_release(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = session.document.snapshot()
    canvas.set_tool("ellipse")
    drag(qtbot, canvas, (400, 400), (480, 460), release_at_end=False)
    assert session.document.snapshot() == before
    assert session.history.stack.count() == 0
    release(qtbot, canvas, (480, 460))
    assert len(session.document) == len(before) + 1


def test_click_with_box_tool_adds_a_default_size_shape(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = set(session.document.ids())
    canvas.set_tool("rect")
    click(qtbot, canvas, (420, 430))
    shape = added_shape(session, before)
    assert isinstance(shape, Rect)
    assert (shape.x, shape.y, shape.width, shape.height) == (420, 430, *DEFAULT_BOX_SIZE)
    assert session.history.stack.count() == 1


def test_click_with_line_tool_adds_nothing_and_keeps_the_tool(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = session.document.snapshot()
    canvas.set_tool("line")
    click(qtbot, canvas, (420, 430))
    assert session.document.snapshot() == before
    assert session.history.stack.count() == 0
    assert canvas.tool() == "line"


def test_escape_cancels_a_drawing_then_returns_to_select(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = session.document.snapshot()
    canvas.set_tool("rect")
    drag(qtbot, canvas, (400, 400), (480, 460), release_at_end=False)
    key(qtbot, canvas, Qt.Key.Key_Escape)
    move(qtbot, canvas, (500, 480))  # further moves of the same press are ignored
    release(qtbot, canvas, (500, 480))
    assert session.document.snapshot() == before
    assert session.history.stack.count() == 0
    assert canvas.tool() == "rect"
    assert not [i for i in canvas.canvas_scene().items() if i.zValue() > 1e299 and i.isVisible()
                and i is not canvas.canvas_scene().overlay]  # fmt: skip
    with qtbot.waitSignal(canvas.toolChanged) as signal:
        key(qtbot, canvas, Qt.Key.Key_Escape)
    assert signal.args == ["select"]
    assert canvas.tool() == "select"


def test_drawing_over_an_existing_shape_draws_rather_than_selects(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = set(session.document.ids())
    draw(qtbot, canvas, "rect", QRectF(110, 110, 30, 30))  # inside the red rectangle
    shape = added_shape(session, before)
    assert session.document.index_of(shape.id) == len(session.document) - 1  # on top


def test_text_tool_opens_an_editor_and_adds_the_box_on_the_first_key(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = set(session.document.ids())
    draw(qtbot, canvas, "text", QRectF(420, 420, 150, 40))
    assert canvas.is_editing_text()
    assert canvas.tool() == "select"
    assert set(session.document.ids()) == before  # nothing until the first character
    assert session.history.stack.count() == 0
    key(qtbot, canvas, Qt.Key.Key_H)
    shape = added_shape(session, before)
    assert isinstance(shape, Text)
    assert (shape.x, shape.y, shape.width, shape.height, shape.text) == (420, 420, 150, 40, "h")
    assert history_texts(session) == ["Add Text Box", "Type 'h'"]
    assert session.selection.ids() == (shape.id,)


def test_an_untouched_new_text_box_leaves_no_trace(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = session.document.snapshot()
    canvas.set_tool("text")
    click(qtbot, canvas, (420, 420))
    assert canvas.is_editing_text()
    key(qtbot, canvas, Qt.Key.Key_Escape)
    assert not canvas.is_editing_text()
    assert session.document.snapshot() == before
    assert session.history.stack.count() == 0


def test_set_tool_rejects_unknown_names_and_signals_changes(qtbot: QtBot, canvas: Canvas) -> None:
    with pytest.raises(ValueError, match="unknown tool"):
        canvas.set_tool("lasso")
    with qtbot.waitSignal(canvas.toolChanged) as signal:
        canvas.set_tool("ellipse")
    assert signal.args == ["ellipse"]
    with qtbot.assertNotEmitted(canvas.toolChanged):
        canvas.set_tool("ellipse")
