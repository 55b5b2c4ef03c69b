"""Zoom, scrolling, panning, revealing shapes, and cursors."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from editor.commands import MoveShapes
from editor.ui.canvas import Canvas
from editor.ui.canvas.simulate import (
    drag,
    hold_key,
    let_go_key,
    move,
    release_view,
    view_point,
    wheel,
)
from editor.ui.canvas.view import MAX_ZOOM, MIN_ZOOM, ZOOM_STEP
from editor.ui.session import Session

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def visible_centre(canvas: Canvas) -> QPointF:
    return canvas.mapToScene(canvas.viewport().rect().center())


def test_zoom_steps_and_limits(qtbot: QtBot, canvas: Canvas) -> None:
    with qtbot.waitSignal(canvas.zoomChanged) as signal:
        canvas.zoom_in()
    assert signal.args == [pytest.approx(ZOOM_STEP)]
    assert canvas.zoom() == pytest.approx(ZOOM_STEP)
    assert canvas.transform().m11() == pytest.approx(ZOOM_STEP)
    canvas.zoom_out()
    canvas.zoom_out()
    assert canvas.zoom() == pytest.approx(1 / ZOOM_STEP)
    for _ in range(60):
        canvas.zoom_in()
    assert canvas.zoom() == MAX_ZOOM
    for _ in range(80):
        canvas.zoom_out()
    assert canvas.zoom() == MIN_ZOOM
    canvas.zoom_actual()
    assert canvas.zoom() == 1.0


def test_zoom_in_keeps_the_centre(qtbot: QtBot, canvas: Canvas) -> None:
    before = visible_centre(canvas)
    canvas.zoom_in()
    after = visible_centre(canvas)
    assert abs(after.x() - before.x()) <= 2 and abs(after.y() - before.y()) <= 2


def test_zoom_fit_shows_the_whole_page_centred(qtbot: QtBot, canvas: Canvas) -> None:
    canvas.zoom_in()
    canvas.zoom_in()
    canvas.zoom_fit()
    viewport = canvas.viewport().rect()
    top_left = canvas.mapFromScene(QPointF(0, 0))
    bottom_right = canvas.mapFromScene(QPointF(800, 600))
    assert viewport.contains(top_left) and viewport.contains(bottom_right)
    # Fitted: one dimension fills the view up to the margin.
    assert min(top_left.x(), top_left.y()) <= 30
    centre = visible_centre(canvas)
    assert abs(centre.x() - 400) <= 2 and abs(centre.y() - 300) <= 2


def test_ctrl_wheel_zooms_about_the_cursor(qtbot: QtBot, canvas: Canvas) -> None:
    anchor = QPointF(140, 130)
    at = view_point(canvas, anchor)
    wheel(qtbot, canvas, anchor, 1, modifiers=CTRL)
    assert canvas.zoom() == pytest.approx(ZOOM_STEP)
    still = canvas.mapToScene(at)
    assert abs(still.x() - anchor.x()) <= 1.5 and abs(still.y() - anchor.y()) <= 1.5
    wheel(qtbot, canvas, anchor, -2, modifiers=CTRL)
    assert canvas.zoom() == pytest.approx(1 / ZOOM_STEP)


def test_plain_wheel_scrolls_and_shift_wheel_scrolls_sideways(qtbot: QtBot, canvas: Canvas) -> None:
    v, h = canvas.verticalScrollBar().value(), canvas.horizontalScrollBar().value()
    wheel(qtbot, canvas, (400, 300), -1)
    assert canvas.verticalScrollBar().value() > v
    assert canvas.zoom() == 1.0
    wheel(qtbot, canvas, (400, 300), -1, modifiers=SHIFT)
    assert canvas.horizontalScrollBar().value() > h


def test_middle_button_pans(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    before = visible_centre(canvas)
    drag(qtbot, canvas, (400, 300), (450, 340), button=Qt.MouseButton.MiddleButton)
    after = visible_centre(canvas)
    assert after == before - QPointF(50, 40)
    assert session.history.stack.count() == 0
    assert session.selection.ids() == ()


def test_space_drag_pans_with_hand_cursors(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    before = visible_centre(canvas)
    hold_key(qtbot, canvas, Qt.Key.Key_Space)
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.OpenHandCursor
    end = view_point(canvas, (180, 150))
    drag(qtbot, canvas, (140, 130), (180, 150), release_at_end=False)  # over a shape
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.ClosedHandCursor
    let_go_key(qtbot, canvas, Qt.Key.Key_Space)
    release_view(qtbot, canvas, end)
    assert visible_centre(canvas) == before - QPointF(40, 20)
    assert session.history.stack.count() == 0  # nothing moved
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.ArrowCursor


def test_reveal_scrolls_to_shapes_out_of_view(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    session.push(MoveShapes(("r",), 3000, 2000, joinable=False))
    item = canvas.item_for("r")
    assert item is not None
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert not visible.intersects(item.sceneBoundingRect())
    zoom = canvas.zoom()
    canvas.reveal(["r"])
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(item.sceneBoundingRect())
    assert canvas.zoom() == zoom
    centre = visible_centre(canvas)
    canvas.reveal(["r"])  # already visible: no scrolling
    assert visible_centre(canvas) == centre


def test_cursor_shows_resize_handles_and_tools(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    session.selection.set(["r"])
    move(qtbot, canvas, (180, 160), buttons=Qt.MouseButton.NoButton)
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.SizeFDiagCursor
    move(qtbot, canvas, (180, 130), buttons=Qt.MouseButton.NoButton)
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.SizeHorCursor
    move(qtbot, canvas, (50, 500), buttons=Qt.MouseButton.NoButton)
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.ArrowCursor
    canvas.set_tool("rect")
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.CrossCursor
    canvas.set_tool("text")
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.IBeamCursor


def test_handles_keep_their_screen_size_at_any_zoom(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    session.selection.set(["r"])
    canvas.set_zoom(4.0, QPointF(canvas.mapFromScene(QPointF(180, 160))))
    corner = QPointF(180, 160)
    # 5 screen pixels away is on the handle; at 4x that is 1.25 scene units.
    drag(qtbot, canvas, corner + QPointF(1.25, 1.25), corner + QPointF(11.25, 1.25))
    shape = session.document["r"]
    assert shape.width == 90  # type: ignore[union-attr]
