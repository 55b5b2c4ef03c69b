"""Pure geometry for canvas gestures: snapping, Shift constraints, selection frames, resizing.

No Qt here: these are plain functions of floats and shapes, so the rules (how a handle
drag flips, what Shift keeps, how small a shape may get) are tested without a window.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

import msgspec

from editor.commands import GeometryChange
from editor.model import MAX_COORD, MAX_SIZE, Line, Shape, bounds, geometry_fields, kind_of_shape

#: The smallest width or height a resize or a drawing gesture produces, in document units.
MIN_SIZE: Final = 1.0


# ------------------------------------------------------------------- snapping
def quantum(zoom: float) -> float:
    """The step gestures snap to at this zoom: whole units up to 200 %, then finer.

    Powers of two, so sums of snapped values stay exact in binary floating point and
    documents keep clean coordinates ("x": 120.5, never 120.49999999999997) while a
    zoomed-in person can still place things between whole units.
    """
    if zoom <= 1.0:
        return 1.0
    return 2.0 ** -math.floor(math.log2(zoom))


def snap(value: float, step: float) -> float:
    """`value` rounded to a multiple of `step` (0.0, never -0.0)."""
    return round(value / step) * step + 0.0


def clamp_coord(value: float) -> float:
    return max(-MAX_COORD, min(MAX_COORD, value))


def clamp_size(value: float) -> float:
    return max(0.0, min(MAX_SIZE, value))


# ---------------------------------------------------------------- constraints
def constrain_square(dx: float, dy: float) -> tuple[float, float]:
    """Shift while drawing a box: equal sides, in the direction of the drag."""
    side = max(abs(dx), abs(dy))
    return math.copysign(side, dx), math.copysign(side, dy)


def constrain_45(dx: float, dy: float) -> tuple[float, float]:
    """Shift while drawing a line: the nearest multiple of 45 degrees.

    Axis directions keep the dominant component; diagonals use the mean of both, so
    snapped end points stay on the snapping grid (no 0.7071 factors).
    """
    if dx == 0.0 and dy == 0.0:
        return 0.0, 0.0
    octant = round(math.atan2(dy, dx) / (math.pi / 4.0)) % 8
    if octant % 2 == 0:
        return (dx, 0.0) if octant in (0, 4) else (0.0, dy)
    d = (abs(dx) + abs(dy)) / 2.0
    return math.copysign(d, dx), math.copysign(d, dy)


def constrain_axis(dx: float, dy: float) -> tuple[float, float]:
    """Shift while moving: only horizontally or only vertically (the larger offset)."""
    return (dx, 0.0) if abs(dx) >= abs(dy) else (0.0, dy)


def box_from_drag(
    x0: float, y0: float, x1: float, y1: float, *, square: bool
) -> tuple[float, float, float, float]:
    """(x, y, width, height) of a box drawn from (x0, y0) to (x1, y1), at least MIN_SIZE."""
    dx, dy = x1 - x0, y1 - y0
    if square:
        dx, dy = constrain_square(dx, dy)
    width = max(abs(dx), MIN_SIZE)
    height = max(abs(dy), MIN_SIZE)
    x = x0 if dx >= 0 else x0 - width
    y = y0 if dy >= 0 else y0 - height
    return clamp_coord(x), clamp_coord(y), clamp_size(width), clamp_size(height)


# -------------------------------------------------------------------- frames
class Handle(enum.Enum):
    """A resize handle: eight on a box frame, or the two ends of a single line."""

    NW = (0.0, 0.0)
    N = (0.5, 0.0)
    NE = (1.0, 0.0)
    E = (1.0, 0.5)
    SE = (1.0, 1.0)
    S = (0.5, 1.0)
    SW = (0.0, 1.0)
    W = (0.0, 0.5)
    START = (-1.0, 0.0)
    END = (-1.0, 1.0)
    #: The rotation handle of a single box, above its top edge (`rotation_handle_point`).
    ROTATE = (0.5, -1.0)

    @property
    def is_corner(self) -> bool:
        ux, uy = self.value
        return ux in (0.0, 1.0) and uy in (0.0, 1.0)


BOX_HANDLES: Final = (
    Handle.NW, Handle.N, Handle.NE, Handle.E, Handle.SE, Handle.S, Handle.SW, Handle.W,
)  # fmt: skip
CORNER_HANDLES: Final = (Handle.NW, Handle.NE, Handle.SE, Handle.SW)


@dataclass(frozen=True, slots=True)
class Frame:
    """Where a selection's handles sit, and the coordinates a resize works in.

    * ``"box"`` — one box shape: the frame is the shape's own local box (centred on its
      origin, unrotated); `angle` and (`cx`, `cy`) map it to the scene, so handles sit
      on the rotated box and a resize stretches the shape along its own axes.
    * ``"group"`` — several shapes: the axis-aligned union of their geometry bounds, in
      scene coordinates (angle 0, origin 0).
    * ``"line"`` — one line: two handles on its end points (`left, top` and
      `right, bottom` hold x1, y1 and x2, y2).
    * ``"points"`` — one polygon or freehand stroke: box handles on the bounds of its
      points, in scene coordinates (a resize scales the points, as for a group), and,
      for a polygon, a handle on each vertex (`points`; empty for a stroke).
    """

    kind: Literal["box", "group", "line", "points"]
    left: float
    top: float
    right: float
    bottom: float
    angle: float = 0.0
    cx: float = 0.0
    cy: float = 0.0
    #: A "points" frame's vertices that get handles (a polygon's points).
    points: tuple[tuple[float, float], ...] = ()
    #: The id of the shape a single-shape frame belongs to ("" for a group).
    shape_id: str = ""

    @staticmethod
    def of(shapes: Sequence[Shape]) -> Frame | None:
        """The frame for a selection (None when nothing is selected): a shape's own
        (its kind's `CanvasKind.frame`), or the group's."""
        if not shapes:
            return None
        if len(shapes) == 1:
            return SINGLE_FRAMES[type(shapes[0])](shapes[0])
        left = top = math.inf
        right = bottom = -math.inf
        for shape in shapes:
            x, y, w, h = bounds(shape)
            left, top = min(left, x), min(top, y)
            right, bottom = max(right, x + w), max(bottom, y + h)
        return Frame("group", left, top, right, bottom)

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def to_scene(self, x: float, y: float) -> tuple[float, float]:
        """A frame point in scene coordinates."""
        if self.angle == 0.0:
            return x + self.cx, y + self.cy
        a = math.radians(self.angle)
        c, s = math.cos(a), math.sin(a)
        return x * c - y * s + self.cx, x * s + y * c + self.cy

    def vector_to_frame(self, dx: float, dy: float) -> tuple[float, float]:
        """A scene displacement expressed along the frame's axes."""
        if self.angle == 0.0:
            return dx, dy
        a = math.radians(self.angle)
        c, s = math.cos(a), math.sin(a)
        return dx * c + dy * s, -dx * s + dy * c

    def handle_point(self, handle: Handle) -> tuple[float, float]:
        """Where `handle` sits, in scene coordinates."""
        if self.kind == "line":
            if handle is Handle.START:
                return self.left, self.top
            return self.right, self.bottom
        ux, uy = handle.value
        return self.to_scene(
            self.left + ux * (self.right - self.left), self.top + uy * (self.bottom - self.top)
        )

    def handles(self) -> tuple[Handle, ...]:
        return (Handle.START, Handle.END) if self.kind == "line" else BOX_HANDLES

    def corners(self) -> list[tuple[float, float]]:
        """The box's four corners in scene coordinates, clockwise from the top left."""
        return [
            self.to_scene(self.left, self.top),
            self.to_scene(self.right, self.top),
            self.to_scene(self.right, self.bottom),
            self.to_scene(self.left, self.bottom),
        ]


def rotation_handle_point(frame: Frame, distance: float) -> tuple[float, float]:
    """Where a box frame's rotation handle sits: `distance` scene units above the middle
    of its top edge, along the box's own up direction (it turns with the box)."""
    return frame.to_scene((frame.left + frame.right) / 2.0, frame.top - distance)


def snap_angle(degrees: float, step: float = 15.0) -> float:
    """`degrees` rounded to a multiple of `step` (Shift while rotating)."""
    return round(degrees / step) * step + 0.0


def normal_angle(degrees: float) -> float:
    """An angle in [-180, 180), the range Properties shows (Inkscape's)."""
    return (degrees + 180.0) % 360.0 - 180.0 + 0.0


def rotated(shape: Shape, frame: Frame, start: tuple[float, float], end: tuple[float, float],
            *, snap15: bool) -> Shape:  # fmt: skip
    """The box shape after its rotation handle was dragged from `start` to `end` (scene
    points): turned about its centre by the angle the pointer swept there; `snap15`
    (Shift) makes the resulting rotation a multiple of 15 degrees. A polygon or stroke
    (a "points" frame) has no stored rotation: its points turn about the centre of their
    bounds, by the swept angle (Shift: a multiple of 15 degrees of it)."""
    if frame.kind == "points":
        turned: Shape = _rotated_points(shape, frame, start, end, snap15=snap15)
        return turned
    a0 = math.atan2(start[1] - frame.cy, start[0] - frame.cx)
    a1 = math.atan2(end[1] - frame.cy, end[0] - frame.cx)
    angle = frame.angle + math.degrees(a1 - a0)
    if snap15:
        angle = snap_angle(angle)
    angle = normal_angle(round(angle, 6))
    if angle == normal_angle(getattr(shape, "rotation", 0.0)):
        return shape
    return msgspec.structs.replace(shape, rotation=angle)


def _rotated_points(shape: Any, frame: Frame, start: tuple[float, float],
                    end: tuple[float, float], *, snap15: bool) -> Any:  # fmt: skip
    cx, cy = (frame.left + frame.right) / 2.0, (frame.top + frame.bottom) / 2.0
    a0 = math.atan2(start[1] - cy, start[0] - cx)
    a1 = math.atan2(end[1] - cy, end[0] - cx)
    degrees = math.degrees(a1 - a0)
    if snap15:
        degrees = snap_angle(degrees)
    degrees = normal_angle(round(degrees, 6))
    if degrees == 0.0:
        return shape
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    points = tuple(
        (clamp_coord(round(cx + (x - cx) * c - (y - cy) * s, 6) + 0.0),
         clamp_coord(round(cy + (x - cx) * s + (y - cy) * c, 6) + 0.0))
        for x, y in shape.points
    )  # fmt: skip
    return msgspec.structs.replace(shape, points=points)


#: Each kind's own frame when it is selected alone, by shape class: filled in by
#: `registry.register_canvas_kind` from `CanvasKind.frame`.
SINGLE_FRAMES: Final[dict[type[Any], Callable[[Any], Frame]]] = {}


# ------------------------------------------------------------------- resizing
def resize(
    shapes: Sequence[Shape],
    frame: Frame,
    handle: Handle,
    dx: float,
    dy: float,
    *,
    keep_aspect: bool = False,
) -> list[Shape]:
    """The shapes after dragging `handle` of `frame` by (dx, dy) scene units.

    The edge opposite the handle stays put. Dragging past it flips the box: widths and
    heights stay positive, and in a group the shapes' positions mirror (a rotated shape's
    rotation mirrors too). No side gets smaller than MIN_SIZE. `keep_aspect` (Shift)
    scales both axes by the same factor: from a corner by the larger of the two, from
    an edge symmetrically about the frame's centre line. A single line's handles move its
    end points; `keep_aspect` then snaps the line to 45 degrees.
    """
    if frame.kind == "line":
        # A "line" frame is an end-points kind's (`EndsGeometry`): x1, y1, x2, y2.
        return [_move_line_end(cast(Line, shapes[0]), handle, dx, dy, keep_aspect)]
    fdx, fdy = frame.vector_to_frame(dx, dy)
    sx, ax, sy, ay = _scales(frame, handle, fdx, fdy, keep_aspect)
    if frame.kind == "box":
        return [_resize_box(shapes[0], frame, sx, ax, sy, ay)]
    # A group, or one shape stored as points: each shape's family scales it.
    return [
        kind_of_shape(shape).geometry.scaled(shape, sx, ax, sy, ay, MIN_SIZE) for shape in shapes
    ]


def _axis(u: float, lo: float, hi: float, d: float) -> tuple[float, float, float] | None:
    """(scale, anchor, old extent) along one axis for a handle at unit position `u`."""
    if u == 1.0:
        anchor, extent = lo, hi - lo
    elif u == 0.0:
        anchor, extent = hi, lo - hi
    else:
        return None
    if abs(extent) < 1e-9:  # degenerate (or subnormal: MIN_SIZE / 5e-324 is inf)
        return 1.0, anchor, 0.0
    new = extent + d
    if abs(new) < MIN_SIZE:
        new = math.copysign(MIN_SIZE, new if new != 0.0 else extent)
    return new / extent, anchor, extent


def _scales(
    frame: Frame, handle: Handle, dx: float, dy: float, keep_aspect: bool
) -> tuple[float, float, float, float]:
    ux, uy = handle.value
    x = _axis(ux, frame.left, frame.right, dx)
    y = _axis(uy, frame.top, frame.bottom, dy)
    sx, ax = (x[0], x[1]) if x else (1.0, 0.0)
    sy, ay = (y[0], y[1]) if y else (1.0, 0.0)
    if keep_aspect:
        ex = abs(x[2]) if x else frame.width
        ey = abs(y[2]) if y else frame.height
        if x and y:
            s = max(abs(sx), abs(sy))
        elif x:
            s = abs(sx)
            ay = (frame.top + frame.bottom) / 2.0
        elif y:
            s = abs(sy)
            ax = (frame.left + frame.right) / 2.0
        else:  # pragma: no cover - every box handle moves at least one axis
            s = 1.0
        # No side below the minimum, whichever axis drove the scale.
        for extent in (ex, ey):
            if extent > 0.0:
                s = max(s, MIN_SIZE / extent)
        sx = math.copysign(s, sx) if ex > 0.0 else 1.0
        sy = math.copysign(s, sy) if ey > 0.0 else 1.0
    return sx, ax, sy, ay


def _resize_box(shape: Shape, frame: Frame, sx: float, ax: float, sy: float, ay: float) -> Shape:
    """One (possibly rotated) box stretched along its own axes."""
    left, right = sorted((ax + sx * (frame.left - ax), ax + sx * (frame.right - ax)))
    top, bottom = sorted((ay + sy * (frame.top - ay), ay + sy * (frame.bottom - ay)))
    width = clamp_size(right - left)
    height = clamp_size(bottom - top)
    cx, cy = frame.to_scene((left + right) / 2.0, (top + bottom) / 2.0)
    return msgspec.structs.replace(
        shape,
        x=clamp_coord(cx - width / 2.0),
        y=clamp_coord(cy - height / 2.0),
        width=width,
        height=height,
    )


def _move_line_end(shape: Line, handle: Handle, dx: float, dy: float, snap45: bool) -> Line:
    if handle is Handle.START:
        x, y, ox, oy = shape.x1 + dx, shape.y1 + dy, shape.x2, shape.y2
    else:
        x, y, ox, oy = shape.x2 + dx, shape.y2 + dy, shape.x1, shape.y1
    if snap45:
        vx, vy = constrain_45(x - ox, y - oy)
        x, y = ox + vx, oy + vy
    x, y = clamp_coord(x), clamp_coord(y)
    if handle is Handle.START:
        return msgspec.structs.replace(shape, x1=x, y1=y)
    return msgspec.structs.replace(shape, x2=x, y2=y)


def moved_vertex(shape: Any, index: int, dx: float, dy: float) -> Any:
    """The polygon with its vertex `index` moved by (dx, dy), clamped."""
    points = list(shape.points)
    x, y = points[index]
    points[index] = (clamp_coord(x + dx), clamp_coord(y + dy))
    return msgspec.structs.replace(shape, points=tuple(points))


def geometry_change(old: Shape, new: Shape) -> GeometryChange | None:
    """The `SetGeometry` entry that turns `old` into `new` (None if the geometry is equal)."""
    values = {
        name: getattr(new, name)
        for name in geometry_fields(old)
        if getattr(new, name) != getattr(old, name)
    }
    return GeometryChange(id=old.id, **values) if values else None
