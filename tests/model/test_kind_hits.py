"""Picking is part of a kind's pure model (editor.model.kinds): a click in the shape's
local frame (origin at its centre, axes unrotated) with a reach in document units."""

from __future__ import annotations

import pytest

from editor.model import ellipse, kind_of_shape, line, rect, text


def hits(shape: object, x: float, y: float, reach: float = 1.0) -> bool:
    return kind_of_shape(shape).hit(shape, x, y, reach)


@pytest.mark.parametrize("fill", [None, "#ff000000", "#ffffff00"])
def test_an_empty_rectangle_is_picked_on_its_outline_only(fill: str | None) -> None:
    frame = rect("r", 0, 0, 100, 50, fill=fill)
    assert hits(frame, 50, 0)  # on the right edge
    assert hits(frame, 0, -25.5)  # on the top edge, within reach
    assert not hits(frame, 0, 0)  # inside: what is under it stays pickable
    assert not hits(frame, 60, 0)  # outside


def test_a_filled_rectangle_is_picked_anywhere_inside() -> None:
    assert hits(rect("r", 0, 0, 100, 50, fill="#ff000001"), 0, 0)
    assert not hits(rect("r", 0, 0, 100, 50, fill="#ff0000", opacity=0.0), 0, 0)


def test_a_text_box_is_picked_by_its_area_fill_or_not() -> None:
    assert hits(text("t", 0, 0, 100, 50, "hi"), 0, 0)


def test_an_ellipse_is_picked_inside_its_curve_not_in_its_box_corners() -> None:
    filled = ellipse("e", 0, 0, 100, 50)
    assert hits(filled, 0, 0)
    assert not hits(filled, 48, 23)  # a corner of the box
    empty = ellipse("e", 0, 0, 100, 50, fill=None)
    assert hits(empty, 50, 0)
    assert not hits(empty, 0, 0)


def test_a_line_is_picked_near_its_segment() -> None:
    diagonal = line("l", 0, 0, 100, 100)  # local frame: from (-50, -50) to (50, 50)
    assert hits(diagonal, 10, 10, 0.5)
    assert hits(diagonal, 10, 12, 1.5)
    assert not hits(diagonal, 10, 14, 1.5)
    assert not hits(diagonal, 60, 60, 1.0)  # past the end
