"""The Pen tool: a real stroke of mouse events is one simplified freehand shape."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from editor.model import Freehand
from editor.model.kinds import segment_distance
from editor.ui.canvas import Canvas
from editor.ui.canvas.simulate import click, key, move, press, release
from editor.ui.session import Session

from .conftest import history_texts


def wave(n: int) -> list[tuple[float, float]]:
    """n points along two periods of a sine wave, 500 px wide, 60 px high."""
    return [(150 + 500 * i / (n - 1), 480 + 60 * math.sin(4 * math.pi * i / (n - 1)))
            for i in range(n)]  # fmt: skip


def stroke(qtbot: QtBot, canvas: Canvas, path: list[tuple[float, float]]) -> None:
    press(qtbot, canvas, path[0])
    for point in path[1:]:
        move(qtbot, canvas, point)
    release(qtbot, canvas, path[-1])


def test_a_stroke_of_2000_mouse_moves_is_one_shape_of_a_few_hundred_points(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    before = set(session.document.ids())
    canvas.set_tool("freehand")
    path = wave(2000)
    stroke(qtbot, canvas, path)
    (new,) = [i for i in session.document.ids() if i not in before]
    shape = session.document[new]
    assert type(shape) is Freehand
    assert 10 <= len(shape.points) <= 500, len(shape.points)
    assert history_texts(session) == ["Add Freehand Stroke"]
    assert canvas.tool() == "freehand"  # the pen stays for the next stroke
    # Every point the mouse passed (at whole pixels, 100 %) is within the tolerance plus
    # the quarter-pixel grid of the stored path.
    pts = shape.points
    for fx, fy in path[::7]:
        x, y = round(fx), round(fy)
        d = min(segment_distance(x, y, *pts[k], *pts[k + 1]) for k in range(len(pts) - 1))
        assert d <= 0.5 + 0.25, (x, y, d)


def test_the_tolerance_follows_the_zoom(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    canvas.set_tool("freehand")
    stroke(qtbot, canvas, wave(400))
    canvas.set_zoom(4.0)
    canvas.centerOn(400, 480)
    small = [(400 + (x - 400) / 8, 480 + (y - 480) / 8) for x, y in wave(400)]
    stroke(qtbot, canvas, small)
    first, second = (session.document[i] for i in session.document.ids()[-2:])
    assert type(first) is Freehand and type(second) is Freehand
    # Drawn 4x bigger on screen than the first is on the page: more points kept.
    assert len(second.points) >= 4


def test_a_click_with_the_pen_draws_nothing(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    canvas.set_tool("freehand")
    before = set(session.document.ids())
    click(qtbot, canvas, (400, 400))
    assert set(session.document.ids()) == before and history_texts(session) == []


def test_escape_mid_stroke_pushes_nothing(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    canvas.set_tool("freehand")
    before = set(session.document.ids())
    press(qtbot, canvas, (400, 400))
    for x in range(401, 460, 3):
        move(qtbot, canvas, (x, 400 + (x % 7)))
    key(qtbot, canvas, Qt.Key.Key_Escape)
    release(qtbot, canvas, (460, 400))
    assert set(session.document.ids()) == before and history_texts(session) == []


def test_undo_and_redo_of_a_stroke(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    canvas.set_tool("freehand")
    stroke(qtbot, canvas, wave(300))
    sid = session.document.ids()[-1]
    shape = session.document[sid]
    session.history.undo()
    assert sid not in session.document
    session.history.redo()
    assert session.document[sid] == shape and canvas.item_for(sid) is not None
