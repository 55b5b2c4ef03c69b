"""The canvas's pure geometry: snapping, Shift constraints, frames and resizing."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from editor.model import Line, Rect, ellipse, line, rect, text
from editor.ui.canvas.geometry import (
    MIN_SIZE,
    Frame,
    Handle,
    box_from_drag,
    constrain_45,
    constrain_axis,
    constrain_square,
    geometry_change,
    quantum,
    resize,
    snap,
)


@pytest.mark.parametrize(
    ("zoom", "step"), [(0.05, 1.0), (1.0, 1.0), (1.99, 1.0), (2.0, 0.5), (5.0, 0.25), (32, 1 / 32)]
)
def test_quantum(zoom: float, step: float) -> None:
    assert quantum(zoom) == step


def test_snap_never_gives_negative_zero() -> None:
    assert math.copysign(1.0, snap(-0.2, 1.0)) == 1.0
    assert snap(2.6, 0.5) == 2.5


def test_constraints() -> None:
    assert constrain_square(30, -10) == (30, -30)
    assert constrain_axis(5, -9) == (0, -9)
    assert constrain_45(10, 1) == (10, 0)
    assert constrain_45(-3, 40) == (0, 40)
    assert constrain_45(-10, -12) == (-11, -11)
    assert constrain_45(0, 0) == (0, 0)


def test_box_from_drag_normalises_and_keeps_a_minimum() -> None:
    assert box_from_drag(10, 10, 0, 4, square=False) == (0, 4, 10, 6)
    assert box_from_drag(10, 10, 30, 10, square=False) == (10, 10, 20, MIN_SIZE)


def test_frames() -> None:
    assert Frame.of([]) is None
    one = Frame.of([rect("a", 10, 20, 40, 30, rotation=90)])
    assert one is not None and one.kind == "box"
    assert one.handle_point(Handle.NW) == pytest.approx((45, 15))  # turned a quarter
    group = Frame.of([rect("a", 10, 20, 40, 30), line("b", 0, 100, 5, 90)])
    assert group is not None
    assert (group.kind, group.left, group.top, group.right, group.bottom) == (
        "group", 0, 20, 50, 100,
    )  # fmt: skip
    ends = Frame.of([line("b", 0, 100, 5, 90)])
    assert ends is not None and ends.handles() == (Handle.START, Handle.END)


def test_resize_a_rotated_box_along_its_own_axes() -> None:
    shape = rect("a", 0, 0, 40, 20, rotation=90)  # centre (20, 10); its x axis points down
    frame = Frame.of([shape])
    assert frame is not None
    (new,) = resize([shape], frame, Handle.E, 0, 10)  # drag the east handle 10 down
    assert isinstance(new, Rect)
    assert (new.width, new.height, new.rotation) == (50, 20, 90)
    assert (new.x + new.width / 2, new.y + new.height / 2) == pytest.approx((20, 15))


def test_flipping_a_group_mirrors_positions_and_rotations() -> None:
    shapes = [rect("a", 0, 0, 10, 10), rect("b", 90, 0, 10, 10, rotation=30)]
    frame = Frame.of(shapes)
    assert frame is not None
    a, b = resize(shapes, frame, Handle.E, -2 * frame.width, 0)  # mirrored about x = 0
    assert isinstance(a, Rect) and isinstance(b, Rect)
    assert (a.x, a.width) == (-10, 10)
    assert b.x == pytest.approx(-100) and b.width == pytest.approx(10)
    assert b.rotation == pytest.approx(-30)


def test_shift_on_an_edge_scales_the_other_axis_about_the_centre() -> None:
    shape = rect("a", 0, 0, 100, 50)
    frame = Frame.of([shape])
    assert frame is not None
    (new,) = resize([shape], frame, Handle.E, 100, 0, keep_aspect=True)
    assert isinstance(new, Rect)
    assert (new.x, new.y, new.width, new.height) == (0, -25, 200, 100)


def test_a_line_end_snaps_to_45_degrees_with_shift() -> None:
    shape = line("l", 0, 0, 100, 0)
    frame = Frame.of([shape])
    assert frame is not None
    (new,) = resize([shape], frame, Handle.END, -10, 95, keep_aspect=True)
    assert isinstance(new, Line)
    assert (new.x2, new.y2) == (92.5, 92.5)


def test_geometry_change_names_only_what_changed() -> None:
    old = rect("a", 0, 0, 10, 10)
    new = rect("a", 0, 5, 10, 20)
    change = geometry_change(old, new)
    assert change is not None and change.values() == {"y": 5.0, "height": 20.0}
    assert geometry_change(old, old) is None


boxes = st.builds(
    lambda kind, x, y, w, h, r: kind("s", x, y, w, h, rotation=r),
    st.sampled_from([rect, ellipse, text]),
    st.floats(-1000, 1000),
    st.floats(-1000, 1000),
    st.floats(0, 500),
    st.floats(0, 500),
    st.sampled_from([0.0, 30.0, 90.0, -45.0]),
)


@given(
    shapes=st.lists(boxes, min_size=1, max_size=4),
    handle=st.sampled_from([h for h in Handle if h not in (Handle.START, Handle.END)]),
    dx=st.floats(-2000, 2000),
    dy=st.floats(-2000, 2000),
    keep_aspect=st.booleans(),
)
# Found by hypothesis in CI: a group 5e-324 high (a subnormal) scaled by MIN_SIZE / 5e-324 = inf.
@example(shapes=[rect("s", 0.0, 0.0, 0.0, 0.0), rect("s", 0.0, 5e-324, 0.0, 0.0)],
         handle=Handle.NW, dx=0.0, dy=0.0, keep_aspect=False)  # fmt: skip
def test_resize_never_makes_negative_or_degenerate_boxes(
    shapes: list[Rect], handle: Handle, dx: float, dy: float, keep_aspect: bool
) -> None:
    shapes = [s.__class__(**{**{f: getattr(s, f) for f in s.__struct_fields__}, "id": f"s{n}"})
              for n, s in enumerate(shapes)]  # fmt: skip
    frame = Frame.of(shapes)
    assert frame is not None
    for old, new in zip(shapes, resize(shapes, frame, handle, dx, dy, keep_aspect=keep_aspect),
                        strict=True):  # fmt: skip
        assert not isinstance(new, Line) and not isinstance(old, Line)
        assert new.width >= min(old.width, MIN_SIZE) - 1e-9
        assert new.height >= min(old.height, MIN_SIZE) - 1e-9
        assert all(math.isfinite(v) for v in (new.x, new.y, new.width, new.height))
        assert -360 <= new.rotation <= 360
        change = geometry_change(old, new)  # the command accepts every value
        assert change is None or change.id == old.id
