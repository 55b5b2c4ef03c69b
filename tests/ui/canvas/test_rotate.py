"""The rotation handle: real mouse events turn a box about its centre, one step a drag."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from editor.model import Rect, Text
from editor.ui.canvas import Canvas
from editor.ui.canvas.geometry import Handle
from editor.ui.canvas.handles import ROTATE_CURSOR, ROTATE_HANDLE_PX, ROTATING_CURSOR
from editor.ui.canvas.simulate import click, drag, key, move, release
from editor.ui.session import Session

SHIFT = Qt.KeyboardModifier.ShiftModifier


def history_texts(session: Session) -> list[str]:
    stack = session.history.stack
    return [stack.text(i) for i in range(stack.count())]


def knob(canvas: Canvas) -> tuple[float, float]:
    """The rotation handle's scene position for the current selection."""
    handles = dict(canvas.canvas_scene().overlay.visible_handles())
    point = handles[Handle.ROTATE]
    return point.x(), point.y()


def around(centre: tuple[float, float], radius: float, degrees: float) -> tuple[float, float]:
    """A point at `degrees` clockwise from straight up, `radius` from `centre`."""
    a = math.radians(degrees)
    return centre[0] + radius * math.sin(a), centre[1] - radius * math.cos(a)


def test_the_handle_sits_above_the_top_edge(qtbot: QtBot, canvas: Canvas) -> None:
    click(qtbot, canvas, (140, 130))  # rect r: 100,100 80x60, centre 140,130
    assert knob(canvas) == (140, 100 - ROTATE_HANDLE_PX)


def test_dragging_the_handle_rotates_about_the_centre_in_one_step(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (140, 130))
    before = session.document["r"]
    start = knob(canvas)
    radius = 130 - start[1]
    # Sweep a quarter turn clockwise in several mouse moves, ending at 37 degrees.
    drag(qtbot, canvas, start, around((140, 130), radius, 37), steps=8)
    shape = session.document["r"]
    assert isinstance(shape, Rect)
    assert shape.rotation == pytest.approx(37, abs=0.5)
    assert (shape.x, shape.y, shape.width, shape.height) == (100, 100, 80, 60)  # centre kept
    assert history_texts(session) == ["Rotate Rectangle"]
    session.history.undo()
    assert session.document["r"] == before
    assert session.selection.ids() == ("r",)
    session.history.redo()
    assert session.document["r"].rotation == pytest.approx(37, abs=0.5)  # type: ignore[union-attr]


def test_shift_snaps_the_rotation_to_15_degrees(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (140, 130))
    start = knob(canvas)
    radius = 130 - start[1]
    drag(qtbot, canvas, start, around((140, 130), radius, 37), modifiers=SHIFT, steps=5)
    assert session.document["r"].rotation == 30.0  # type: ignore[union-attr]
    # A second drag, anticlockwise past straight up: -50 snaps to -45.
    start = knob(canvas)
    drag(qtbot, canvas, start, around((140, 130), radius, -50), modifiers=SHIFT, steps=5)
    assert session.document["r"].rotation == -45.0  # type: ignore[union-attr]
    assert session.history.stack.count() == 2


def test_escape_mid_drag_puts_the_box_back_and_pushes_nothing(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (140, 130))
    start = knob(canvas)
    drag(qtbot, canvas, start, (200, 130), release_at_end=False)
    item = canvas.item_for("r")
    assert item is not None and item.painted.rotation != 0  # type: ignore[attr-defined]
    key(qtbot, canvas, Qt.Key.Key_Escape)
    release(qtbot, canvas, (200, 130))
    assert session.history.stack.count() == 0
    assert item.painted == session.document["r"]  # type: ignore[attr-defined]


def test_the_cursor_shows_the_handle_and_the_drag(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (140, 130))
    start = knob(canvas)
    move(qtbot, canvas, start)
    assert canvas.viewport().cursor().shape() == ROTATE_CURSOR
    drag(qtbot, canvas, start, (200, 130), release_at_end=False)
    assert canvas.viewport().cursor().shape() == ROTATING_CURSOR
    release(qtbot, canvas, (200, 130))


def test_a_rotated_box_is_picked_moved_and_resized_in_its_own_frame(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (140, 130))
    start = knob(canvas)
    drag(qtbot, canvas, start, around((140, 130), 130 - start[1], 90), modifiers=SHIFT)
    shape = session.document["r"]
    assert isinstance(shape, Rect) and shape.rotation == 90
    # Turned a quarter, the 80x60 box covers x 110..170, y 90..170: (140, 165) is inside
    # it now and was outside before.
    click(qtbot, canvas, (50, 500))
    click(qtbot, canvas, (140, 165))
    assert session.selection.ids() == ("r",)
    # Its own east handle (the box's right edge) is now at the bottom: drag it down 20.
    handles = dict(canvas.canvas_scene().overlay.visible_handles())
    east = handles[Handle.E]
    assert (east.x(), east.y()) == pytest.approx((140, 170))
    drag(qtbot, canvas, (east.x(), east.y()), (east.x(), east.y() + 20))
    shape = session.document["r"]
    assert isinstance(shape, Rect)
    assert (shape.width, shape.height, shape.rotation) == (100, 60, 90)
    # The west edge (now the top, y = 90) stayed where it was.
    assert shape.y + shape.height / 2 - shape.width / 2 == pytest.approx(90)
    # Moving keeps the rotation.
    drag(qtbot, canvas, (140, 150), (160, 150))
    assert session.document["r"].rotation == 90  # type: ignore[union-attr]


def test_text_boxes_and_ellipses_have_the_handle_lines_and_groups_do_not(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (380, 330))  # text t: 300,300 160x60
    start = knob(canvas)
    drag(qtbot, canvas, start, around((380, 330), 330 - start[1], 15), modifiers=SHIFT)
    shape = session.document["t"]
    assert isinstance(shape, Text) and shape.rotation == 15
    click(qtbot, canvas, (150, 300))  # the line
    assert Handle.ROTATE not in dict(canvas.canvas_scene().overlay.visible_handles())
    session.selection.set(["r", "e"])
    assert Handle.ROTATE not in dict(canvas.canvas_scene().overlay.visible_handles())
    session.selection.set(["e"])
    assert Handle.ROTATE in dict(canvas.canvas_scene().overlay.visible_handles())


def test_the_handle_turns_with_the_box(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    click(qtbot, canvas, (140, 130))
    start = knob(canvas)
    drag(qtbot, canvas, start, around((140, 130), 130 - start[1], 90), modifiers=SHIFT)
    # Rotated 90 degrees clockwise, "above the top edge" points right: the box's top edge
    # is at x = 140 + 30.
    assert knob(canvas) == pytest.approx((170 + ROTATE_HANDLE_PX, 130))
    assert QPointF(*knob(canvas)) != QPointF(*start)


def test_a_move_drag_hides_the_handle_until_release(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (140, 130))
    drag(qtbot, canvas, (140, 130), (170, 150), release_at_end=False)
    assert Handle.ROTATE not in dict(canvas.canvas_scene().overlay.visible_handles())
    release(qtbot, canvas, (170, 150))
    assert knob(canvas) == (170, 120 - ROTATE_HANDLE_PX)
    drag(qtbot, canvas, (170, 150), (190, 150), release_at_end=False)
    key(qtbot, canvas, Qt.Key.Key_Escape)  # a cancelled move shows it again too
    release(qtbot, canvas, (190, 150))
    assert knob(canvas) == (170, 120 - ROTATE_HANDLE_PX)
