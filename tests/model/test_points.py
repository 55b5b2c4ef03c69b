"""The points family (polygons, freehand strokes): pure geometry, picking, simplifying."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from editor.model import MAX_COORD, bounds, freehand, polygon, translated
from editor.model.kinds import kind_of_shape, segment_distance
from editor.model.points import (
    MIN_POINTS,
    POINTS,
    inside,
    nearest_edge,
    points_centre,
    simplify,
    with_vertex,
    without_vertex,
)

SQUARE = ((0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0))


def hit(shape: object, x: float, y: float, reach: float = 1.0) -> bool:
    """A click at document (x, y), in the shape's local frame as the canvas gives it."""
    cx, cy = points_centre(shape.points)  # type: ignore[attr-defined]
    return kind_of_shape(shape).hit(shape, x - cx, y - cy, reach)


def test_bounds_move_and_group_scale() -> None:
    shape = polygon("p", [(10, 20), (50, 5), (30, 60)])
    assert bounds(shape) == (10, 5, 40, 55)
    moved = translated(shape, 5, -5)
    assert moved.points == ((15, 15), (55, 0), (35, 55))  # type: ignore[union-attr]
    assert translated(shape, 2 * MAX_COORD, 0).points[0][0] == MAX_COORD  # type: ignore[union-attr]
    scaled = POINTS.scaled(shape, 2.0, 10.0, 0.5, 5.0, 1.0)
    assert scaled.points == ((10, 12.5), (90, 5), (50, 32.5))
    stretched = POINTS.stretched(shape, "width", 10.0, 40.0, 80.0)
    assert stretched["points"] == ((10, 20), (90, 5), (50, 60))


def test_a_filled_closed_polygon_is_picked_inside_an_open_one_on_its_stroke() -> None:
    filled = polygon("p", SQUARE, True, fill="#ff0000")
    assert hit(filled, 50, 50) and hit(filled, 100.5, 50) and not hit(filled, 110, 50)
    empty = polygon("p", SQUARE, True, fill=None)
    assert not hit(empty, 50, 50) and hit(empty, 50, 0.5) and hit(empty, 0.5, 50)
    open_ = polygon("p", SQUARE, False, fill="#ff0000")
    assert not hit(open_, 50, 50) and not hit(open_, 0.5, 50)  # no closing edge
    assert hit(open_, 100, 50)
    arrow = polygon("p", SQUARE, False, end_marker="arrow", stroke_width=2)
    # The head at (0, 100) points left along the last edge: a wing is off the stroke.
    assert hit(arrow, 7, 105, 0.5)
    assert not hit(polygon("p", SQUARE, False, stroke_width=2), 7, 105, 0.5)


def test_even_odd_inside_leaves_a_stars_centre_out() -> None:
    star = [(math.cos(a * 4 * math.pi / 5), math.sin(a * 4 * math.pi / 5)) for a in range(5)]
    star = [(100 * x, 100 * y) for x, y in star]
    assert not inside(star, 0, 0)
    assert inside(star, 70, 0)


def test_freehand_is_picked_near_its_stroke() -> None:
    stroke = freehand("f", [(0, 0), (50, 10), (100, 0)])
    assert hit(stroke, 50, 11) and not hit(stroke, 50, 30)


def test_vertex_edits() -> None:
    assert nearest_edge(SQUARE, 50, 99, closed=True) == (2, 1.0)
    assert nearest_edge(SQUARE, -1, 50, closed=True)[0] == 3  # the closing edge
    assert nearest_edge(SQUARE, -1, 50, closed=False)[0] in (0, 2)
    assert with_vertex(SQUARE, 0, (50, 0))[:3] == ((0, 0), (50, 0), (100, 0))
    assert without_vertex(SQUARE, 1) == ((0, 0), (100, 100), (0, 100))
    assert without_vertex(((0.0, 0.0), (1.0, 1.0)), 0) is None
    assert MIN_POINTS == 2


def test_simplify_keeps_the_ends_and_drops_collinear_and_repeated_points() -> None:
    line = [(float(x), 0.0) for x in range(100)] + [(99.0, 0.0)]
    assert simplify(line, 0.5) == ((0, 0), (99, 0))
    corner = [(float(x), 0.0) for x in range(50)] + [(49.0, float(y)) for y in range(1, 50)]
    assert simplify(corner, 0.5) == ((0, 0), (49, 0), (49, 49))
    assert simplify([(1.0, 1.0), (1.0, 1.0)], 0.5) == ((1, 1),)


@given(st.lists(st.tuples(st.floats(-1000, 1000), st.floats(-1000, 1000)), min_size=2,
                max_size=200), st.floats(0.1, 20))  # fmt: skip
def test_no_dropped_point_is_farther_than_the_tolerance(
    pts: list[tuple[float, float]], tolerance: float
) -> None:
    kept = simplify(pts, tolerance)
    assert kept[0] == pts[0] and kept[-1] == pts[-1]
    # Each original point lies within the tolerance of the segment between the kept
    # points that enclose it.
    index = 0
    for p in pts:
        if index + 1 < len(kept) and p == kept[index + 1]:
            index += 1
            continue
        if index + 1 >= len(kept):
            break
        a, b = kept[index], kept[index + 1]
        assert segment_distance(*p, *a, *b) <= tolerance + 1e-9
