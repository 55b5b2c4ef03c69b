"""The Polygon tool and vertex editing, with real mouse and key events on an active canvas."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from editor.commands import Reorder
from editor.model import Page, Polygon, Snapshot, polygon
from editor.ui.canvas import Canvas
from editor.ui.canvas.geometry import Handle
from editor.ui.canvas.items import ShapeItem
from editor.ui.canvas.simulate import click, double_click, drag, key, move, press
from editor.ui.session import Session

from .conftest import history_texts, sample_session

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
HOVER = Qt.MouseButton.NoButton


def added(session: Session, before: set[str]) -> Polygon:
    new = [i for i in session.document.ids() if i not in before]
    assert len(new) == 1, new
    shape = session.document[new[0]]
    assert type(shape) is Polygon
    return shape


def previews(canvas: Canvas) -> list[ShapeItem]:
    """Shape items in the scene that are not the document's (a gesture's preview)."""
    scene = canvas.canvas_scene()
    return [i for i in scene.items() if isinstance(i, ShapeItem)
            and scene.item_for(i.shape_id) is not i]  # fmt: skip


def test_clicks_and_a_double_click_draw_a_closed_polygon_in_one_step(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = set(session.document.ids())
    canvas.set_tool("polygon")
    assert canvas.tool() == "polygon"
    click(qtbot, canvas, (400, 400))
    move(qtbot, canvas, (470, 410), buttons=HOVER)
    # The rubber band runs from the last vertex to the pointer.
    (preview,) = previews(canvas)
    assert preview.painted.points == ((400, 400), (470, 410))  # type: ignore[union-attr]
    click(qtbot, canvas, (480, 400))
    click(qtbot, canvas, (480, 460))
    assert len(session.document) == len(before)  # nothing is added while drawing
    double_click(qtbot, canvas, (420, 470))
    shape = added(session, before)
    assert shape.points == ((400, 400), (480, 400), (480, 460), (420, 470))
    assert shape.closed and shape.fill == "#ffffff" and shape.stroke == "#000000"
    assert history_texts(session) == ["Add Polygon"]
    assert session.selection.ids() == (shape.id,)
    assert canvas.tool() == "select"
    assert previews(canvas) == []


def test_enter_ends_and_two_vertices_make_an_open_polyline(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = set(session.document.ids())
    canvas.set_tool("polygon")
    click(qtbot, canvas, (400, 400))
    click(qtbot, canvas, (500, 450))
    key(qtbot, canvas, Qt.Key.Key_Return)
    shape = added(session, before)
    assert shape.points == ((400, 400), (500, 450)) and not shape.closed
    assert history_texts(session) == ["Add Polygon"]


def test_backspace_takes_the_last_vertex_back_and_escape_cancels(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = set(session.document.ids())
    canvas.set_tool("polygon")
    for point in ((400, 400), (480, 400), (480, 460)):
        click(qtbot, canvas, point)
    key(qtbot, canvas, Qt.Key.Key_Backspace)
    move(qtbot, canvas, (490, 470), buttons=HOVER)
    (preview,) = previews(canvas)
    assert preview.painted.points == ((400, 400), (480, 400), (490, 470))  # type: ignore[union-attr]
    key(qtbot, canvas, Qt.Key.Key_Escape)
    assert previews(canvas) == []
    assert set(session.document.ids()) == before
    assert history_texts(session) == []
    # The next click starts a new polygon.
    click(qtbot, canvas, (400, 500))
    click(qtbot, canvas, (450, 500))
    key(qtbot, canvas, Qt.Key.Key_Enter)
    assert added(session, before).points == ((400, 500), (450, 500))


def test_a_click_on_the_first_vertex_closes_the_polygon(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = set(session.document.ids())
    canvas.set_tool("polygon")
    for point in ((400, 400), (480, 400), (440, 460), (401, 401)):
        click(qtbot, canvas, point)
    shape = added(session, before)
    assert shape.points == ((400, 400), (480, 400), (440, 460)) and shape.closed


def test_shift_draws_the_segment_at_45_degrees(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = set(session.document.ids())
    canvas.set_tool("polygon")
    click(qtbot, canvas, (400, 400))
    click(qtbot, canvas, (500, 408), modifiers=SHIFT)
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert added(session, before).points == ((400, 400), (500, 400))


def test_undo_and_redo_of_a_drawn_polygon(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    before = set(session.document.ids())
    canvas.set_tool("polygon")
    for point in ((400, 400), (480, 400), (440, 460)):
        click(qtbot, canvas, point)
    key(qtbot, canvas, Qt.Key.Key_Return)
    shape = added(session, before)
    session.history.undo()
    assert shape.id not in session.document and canvas.item_for(shape.id) is None
    session.history.redo()
    assert session.document[shape.id] == shape and canvas.item_for(shape.id) is not None


# ------------------------------------------------------------------ editing
TRIANGLE = ((400.0, 400.0), (500.0, 400.0), (450.0, 480.0))


@pytest.fixture
def with_polygon(qapp: object) -> Session:
    session = sample_session()
    shapes = (*session.document.snapshot().shapes,
              polygon("p", TRIANGLE, True, fill="#3366ff"))  # fmt: skip
    return Session(Snapshot(Page(800, 600, "#ffffff"), shapes))


@pytest.fixture
def poly_canvas(make_canvas: object, with_polygon: Session) -> Canvas:
    canvas: Canvas = make_canvas(with_polygon)  # type: ignore[operator]
    return canvas


def points(session: Session) -> tuple[tuple[float, float], ...]:
    shape = session.document["p"]
    assert type(shape) is Polygon
    return shape.points


def test_a_click_inside_a_filled_polygon_selects_it_and_shows_vertex_handles(
    qtbot: QtBot, poly_canvas: Canvas, with_polygon: Session
) -> None:
    click(qtbot, poly_canvas, (450, 420))
    assert with_polygon.selection.ids() == ("p",)
    overlay = poly_canvas.canvas_scene().overlay
    assert [(p.x(), p.y()) for _, p in overlay.vertices()] == list(TRIANGLE)
    click(qtbot, poly_canvas, (405, 470))  # outside the triangle, inside its bounds
    assert with_polygon.selection.ids() == ()


def test_dragging_a_vertex_is_one_step(
    qtbot: QtBot, poly_canvas: Canvas, with_polygon: Session
) -> None:
    click(qtbot, poly_canvas, (450, 420))
    drag(qtbot, poly_canvas, (500, 400), (530, 380))
    assert points(with_polygon) == ((400, 400), (530, 380), (450, 480))
    assert history_texts(with_polygon) == ["Move Vertex of Polygon"]
    with_polygon.history.undo()  # (the window re-selects: tests/ui/test_window_paths.py)
    assert points(with_polygon) == TRIANGLE
    with_polygon.history.redo()
    assert points(with_polygon) == ((400, 400), (530, 380), (450, 480))


def test_escape_during_a_vertex_drag_pushes_nothing(
    qtbot: QtBot, poly_canvas: Canvas, with_polygon: Session
) -> None:
    click(qtbot, poly_canvas, (450, 420))
    press(qtbot, poly_canvas, (450, 480))
    move(qtbot, poly_canvas, (470, 520))
    key(qtbot, poly_canvas, Qt.Key.Key_Escape)
    assert points(with_polygon) == TRIANGLE
    assert history_texts(with_polygon) == []


def test_ctrl_click_on_an_edge_inserts_a_vertex_in_one_step(
    qtbot: QtBot, poly_canvas: Canvas, with_polygon: Session
) -> None:
    click(qtbot, poly_canvas, (450, 420))
    click(qtbot, poly_canvas, (450, 401), modifiers=CTRL)
    assert points(with_polygon) == ((400, 400), (450, 401), (500, 400), (450, 480))
    assert history_texts(with_polygon) == ["Add Vertex to Polygon"]
    assert poly_canvas.canvas_scene().overlay.selected_vertex() == 1
    assert with_polygon.selection.ids() == ("p",)
    # The closing edge (last vertex back to the first) takes one too.
    click(qtbot, poly_canvas, (425, 440), modifiers=CTRL)
    assert points(with_polygon)[-1] == (425, 440)
    with_polygon.history.undo()
    with_polygon.history.undo()
    assert points(with_polygon) == TRIANGLE


def test_delete_removes_the_selected_vertex_never_below_the_minimum(
    qtbot: QtBot, poly_canvas: Canvas, with_polygon: Session
) -> None:
    click(qtbot, poly_canvas, (450, 420))
    click(qtbot, poly_canvas, (450, 401), modifiers=CTRL)  # 4 vertices, #1 selected
    key(qtbot, poly_canvas, Qt.Key.Key_Delete)
    assert points(with_polygon) == TRIANGLE
    assert history_texts(with_polygon) == ["Add Vertex to Polygon", "Delete Vertex of Polygon"]
    assert poly_canvas.canvas_scene().overlay.selected_vertex() is None
    # A closed polygon keeps three vertices: a selected one is not deleted.
    click(qtbot, poly_canvas, (450, 480))  # selects vertex 2 (a click, no drag)
    assert poly_canvas.canvas_scene().overlay.selected_vertex() == 2
    said: list[str] = []
    poly_canvas.message.connect(lambda text, _ms: said.append(text))
    key(qtbot, poly_canvas, Qt.Key.Key_Delete)
    assert points(with_polygon) == TRIANGLE
    assert len(history_texts(with_polygon)) == 2
    assert said == ["A closed polygon needs at least 3 points: this vertex stays"]  # not silent
    with_polygon.history.undo()
    assert len(points(with_polygon)) == 4


def test_resizing_a_polygon_scales_its_points_in_the_box(
    qtbot: QtBot, poly_canvas: Canvas, with_polygon: Session
) -> None:
    click(qtbot, poly_canvas, (450, 420))
    overlay = poly_canvas.canvas_scene().overlay
    se = dict(overlay.visible_handles())[Handle.SE]
    drag(qtbot, poly_canvas, (se.x(), se.y()), (se.x() + 100, se.y() + 80))
    assert points(with_polygon) == ((400, 400), (600, 400), (500, 560))
    assert history_texts(with_polygon) == ["Resize Polygon"]


def test_moving_a_polygon_and_its_z_order(
    qtbot: QtBot, poly_canvas: Canvas, with_polygon: Session
) -> None:
    drag(qtbot, poly_canvas, (450, 420), (470, 450))
    assert points(with_polygon) == ((420, 430), (520, 430), (470, 510))
    assert history_texts(with_polygon) == ["Move Polygon"]
    with_polygon.push(Reorder(("p",), "back"))
    assert with_polygon.document.ids()[0] == "p"
    item = poly_canvas.item_for("p")
    assert item is not None and item.zValue() < poly_canvas.item_for("r").zValue()  # type: ignore[union-attr]


def select_and_knob(qtbot: QtBot, canvas: Canvas) -> tuple[float, float, float]:
    """Select the triangle; its rotation knob (x, y) and the knob's distance from the
    centre of its bounds (450, 440: 400..500 x 400..480)."""
    click(qtbot, canvas, (450, 420))
    knob = dict(canvas.canvas_scene().overlay.visible_handles())[Handle.ROTATE]
    return knob.x(), knob.y(), 440.0 - knob.y()


def test_the_rotation_knob_turns_a_polygons_points_about_their_centre_in_one_step(
    qtbot: QtBot, poly_canvas: Canvas, with_polygon: Session
) -> None:
    kx, ky, radius = select_and_knob(qtbot, poly_canvas)
    cx, cy = 450.0, 440.0
    assert kx == cx and ky < 400
    # A quarter turn clockwise: from straight up to straight right of the centre.
    drag(qtbot, poly_canvas, (kx, ky), (cx + radius, cy))
    assert points(with_polygon) == ((490, 390), (490, 490), (410, 440))
    assert history_texts(with_polygon) == ["Rotate Polygon"]
    with_polygon.history.undo()
    assert points(with_polygon) == TRIANGLE


def test_shift_turns_a_polygon_in_15_degree_steps(
    qtbot: QtBot, poly_canvas: Canvas, with_polygon: Session
) -> None:
    kx, ky, radius = select_and_knob(qtbot, poly_canvas)
    cx, cy = 450.0, 440.0
    a = math.radians(50)  # 50 degrees snaps to 45
    end = (cx + radius * math.sin(a), cy - radius * math.cos(a))
    drag(qtbot, poly_canvas, (kx, ky), end, modifiers=SHIFT)
    x, y = points(with_polygon)[1]  # (500, 400) turned 45 degrees about the centre
    c = math.cos(math.radians(45))
    assert (x, y) == pytest.approx((cx + 50 * c + 40 * c, cy + 50 * c - 40 * c), abs=1e-6)
