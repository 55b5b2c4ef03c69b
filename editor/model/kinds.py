"""Shape kinds: what differs between a rectangle, an ellipse, a line and a text box.

A `Kind` is the pure part of one kind of shape, registered by the name files use
("rect"): its msgspec Struct, its geometry (a `Geometry` family: how the shape's place
and size are stored, measured, moved and scaled), the style properties it has, the noun
menu texts use ("Rectangle") and the factory that builds one with the editor's default
style. Code that works on any shape looks the kind up (`kind_of_shape(shape)`, one dict
lookup by type) instead of asking `isinstance` about each class.

Geometry families are shared between kinds: rectangles, ellipses and text boxes are
all boxes (x, y, width, height, rotation about the centre); a line is two end points.
A kind with a new way of storing its geometry (a list of points) brings its own family.

The Qt parts of a kind (its look and paint, its handles, its tool) are registered under
the same name in `editor.io.render` and `editor.ui.canvas.kinds`. Nothing here imports Qt.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol, get_args

import msgspec

#: Coordinates are bounded so that every document we hold can be saved, loaded and
#: painted: Qt's raster engine misbehaves far beyond this and JSON has no Infinity.
MAX_COORD: Final = 10_000_000.0
MAX_SIZE: Final = 10_000_000.0


def clamp(value: float) -> float:
    """`value` within the coordinate bounds."""
    return MAX_COORD if value > MAX_COORD else -MAX_COORD if value < -MAX_COORD else value


def clamp_size(value: float) -> float:
    """`value` within [0, MAX_SIZE]."""
    return max(0.0, min(MAX_SIZE, value))


class Geometry(Protocol):
    """How a family of kinds stores its place and size (pure functions of a shape)."""

    @property
    def name(self) -> str:
        """ "box", "ends" or "points": the family's name (the canvas picks its selection
        frame by it)."""
        ...

    @property
    def fields(self) -> tuple[str, ...]:
        """The shape's geometry fields, in order, as `SetGeometry` sets them."""
        ...

    def values(self, shape: Any) -> dict[str, Any]:
        """The geometry fields by name (numbers; a points family's tuple of points)."""
        ...

    def bounds(self, shape: Any) -> tuple[float, float, float, float]:
        """Axis-aligned (x, y, width, height) of the geometry; rotation included,
        stroke width not."""
        ...

    def translated(self, shape: Any, dx: float, dy: float) -> Any:
        """The shape moved by (dx, dy), clamped to the coordinate bounds."""
        ...

    def extent(self, shape: Any) -> tuple[float, float, float, float]:
        """The (x, y, width, height) a Properties panel edits: a box's own fields
        (rotation aside), the bounds of a line's end points."""
        ...

    def stretched(
        self, shape: Any, axis: Axis, origin: float, old: float, size: float
    ) -> dict[str, Any]:
        """The geometry values that stretch the shape along `axis` ("width": x) as one
        of a selection whose extent along it goes from `old` to `size`, about `origin`."""
        ...

    def scaled(
        self, shape: Any, sx: float, ax: float, sy: float, ay: float, min_size: float
    ) -> Any:
        """The shape as one of a group scaled about (ax, ay) by (sx, sy) (a resize of a
        multiple selection); no side shrinks below `min_size` unless it already was."""
        ...


Axis = Literal["width", "height"]


def _scale(offset: float, old: float, new: float) -> float:
    # Exact at the far edge: a shape spanning the union gets exactly the typed size.
    return new if offset == old else offset * new / old


class BoxGeometry:
    """x, y, width, height and a rotation in degrees, clockwise about the box's centre."""

    name: Final[str] = "box"
    fields: Final[tuple[str, ...]] = ("x", "y", "width", "height", "rotation")

    def values(self, shape: Any) -> dict[str, float]:
        return {
            "x": shape.x, "y": shape.y, "width": shape.width, "height": shape.height,
            "rotation": shape.rotation,
        }  # fmt: skip

    def bounds(self, shape: Any) -> tuple[float, float, float, float]:
        if shape.rotation % 360 == 0:
            return shape.x, shape.y, shape.width, shape.height
        cx = shape.x + shape.width / 2
        cy = shape.y + shape.height / 2
        a = math.radians(shape.rotation)
        c, s = abs(math.cos(a)), abs(math.sin(a))
        w = shape.width * c + shape.height * s
        h = shape.width * s + shape.height * c
        return cx - w / 2, cy - h / 2, w, h

    def translated(self, shape: Any, dx: float, dy: float) -> Any:
        x, y = shape.x + dx, shape.y + dy  # clamp inlined: a recovery moves 100,000 shapes
        if not -MAX_COORD <= x <= MAX_COORD:
            x = clamp(x)
        if not -MAX_COORD <= y <= MAX_COORD:
            y = clamp(y)
        return msgspec.structs.replace(shape, x=x, y=y)

    def extent(self, shape: Any) -> tuple[float, float, float, float]:
        return shape.x, shape.y, shape.width, shape.height

    def stretched(
        self, shape: Any, axis: Axis, origin: float, old: float, size: float
    ) -> dict[str, float]:
        pos_name, size_name = ("x", "width") if axis == "width" else ("y", "height")
        pos, extent = getattr(shape, pos_name), getattr(shape, size_name)
        if old > 0:
            return {pos_name: origin + _scale(pos - origin, old, size),
                    size_name: _scale(extent, old, size)}  # fmt: skip
        return {size_name: size}

    def scaled(
        self, shape: Any, sx: float, ax: float, sy: float, ay: float, min_size: float
    ) -> Any:
        fx, fy = _along(sx, ax), _along(sy, ay)

        w, h = shape.width, shape.height
        if shape.rotation % 360.0 == 0.0:
            left, right = sorted((fx(shape.x), fx(shape.x + w)))
            top, bottom = sorted((fy(shape.y), fy(shape.y + h)))
            width, height = right - left, bottom - top
            rotation = shape.rotation
        else:
            # A rotated box cannot be skewed: scale its own axes by how much the group's
            # scaling stretches them, and turn it to where its x axis now points.
            a = math.radians(shape.rotation)
            c, s = math.cos(a), math.sin(a)
            width = w * math.hypot(sx * c, sy * s)
            height = h * math.hypot(sx * s, sy * c)
            cx, cy = fx(shape.x + w / 2.0), fy(shape.y + h / 2.0)
            left, top = cx - width / 2.0, cy - height / 2.0
            rotation = _nearest_turn(math.degrees(math.atan2(sy * s, sx * c)), shape.rotation)
        # A shape in a group never shrinks below the minimum (unless it already was smaller).
        width = clamp_size(max(width, min(w, min_size)))
        height = clamp_size(max(height, min(h, min_size)))
        return msgspec.structs.replace(
            shape, x=clamp(left), y=clamp(top), width=width, height=height,
            rotation=rotation,
        )  # fmt: skip


class EndsGeometry:
    """Two end points (x1, y1) and (x2, y2)."""

    name: Final[str] = "ends"
    fields: Final[tuple[str, ...]] = ("x1", "y1", "x2", "y2")

    def values(self, shape: Any) -> dict[str, float]:
        return {"x1": shape.x1, "y1": shape.y1, "x2": shape.x2, "y2": shape.y2}

    def bounds(self, shape: Any) -> tuple[float, float, float, float]:
        x = min(shape.x1, shape.x2)
        y = min(shape.y1, shape.y2)
        return x, y, abs(shape.x2 - shape.x1), abs(shape.y2 - shape.y1)

    def translated(self, shape: Any, dx: float, dy: float) -> Any:
        return msgspec.structs.replace(
            shape,
            x1=clamp(shape.x1 + dx),
            y1=clamp(shape.y1 + dy),
            x2=clamp(shape.x2 + dx),
            y2=clamp(shape.y2 + dy),
        )

    def extent(self, shape: Any) -> tuple[float, float, float, float]:
        x, y = min(shape.x1, shape.x2), min(shape.y1, shape.y2)
        return x, y, abs(shape.x2 - shape.x1), abs(shape.y2 - shape.y1)

    def stretched(
        self, shape: Any, axis: Axis, origin: float, old: float, size: float
    ) -> dict[str, float]:
        a, b = ("x1", "x2") if axis == "width" else ("y1", "y2")
        p, q = getattr(shape, a), getattr(shape, b)
        if old > 0:
            return {a: origin + _scale(p - origin, old, size),
                    b: origin + _scale(q - origin, old, size)}  # fmt: skip
        return {b: q + size}  # p == q == origin: grow towards the right / bottom

    def scaled(
        self, shape: Any, sx: float, ax: float, sy: float, ay: float, min_size: float
    ) -> Any:
        fx, fy = _along(sx, ax), _along(sy, ay)

        return msgspec.structs.replace(
            shape, x1=fx(shape.x1), y1=fy(shape.y1), x2=fx(shape.x2), y2=fy(shape.y2)
        )


def _nearest_turn(angle: float, reference: float) -> float:
    """`angle` or its half-turn twin (the same box), whichever is closer to `reference`.

    Ties go to the smaller magnitude, so a flipped group turns a 30-degree box to -30,
    not 330 (which looks the same); text boxes stay upright-ish. The result is within
    the model's [-360, 360].
    """
    candidates = (angle, angle + 180.0, angle - 180.0)
    best = min(candidates, key=lambda a: (round(_turn_distance(a, reference), 9), abs(a)))
    return round(best, 9) + 0.0


def _turn_distance(a: float, b: float) -> float:
    d = (a - b) % 360.0
    return min(d, 360.0 - d)


BOX: Final = BoxGeometry()
ENDS: Final = EndsGeometry()


# -------------------------------------------------------------------- picking
# Hit tests work in the shape's local frame: origin at the centre of its geometry (a
# box's centre, a line's midpoint), axes unrotated. `reach` is half the stroke width plus
# the pick tolerance (a few screen pixels, in document units).
def _shows(color: str | None, opacity: float) -> bool:
    """Whether a "#rrggbb[aa]" colour paints anything (alpha above 0, opacity above 0)."""
    return color is not None and opacity > 0.0 and color[7:9] != "00"


def hit_box(shape: Any, x: float, y: float, reach: float, *, filled: bool = False) -> bool:
    """Inside a filled box, or on the outline of an empty one (like Inkscape, so an
    empty frame does not hide what is inside it)."""
    a, b = shape.width / 2.0, shape.height / 2.0
    inside: bool = abs(x) <= a + reach and abs(y) <= b + reach
    if filled or _shows(shape.fill, shape.opacity) or not inside:
        return inside
    return bool(abs(x) >= a - reach or abs(y) >= b - reach)


def hit_filled_box(shape: Any, x: float, y: float, reach: float) -> bool:
    """Anywhere inside the box (a text box is picked by its area, fill or not)."""
    return hit_box(shape, x, y, reach, filled=True)


def _inside_ellipse(x: float, y: float, a: float, b: float) -> bool:
    if a <= 0.0 or b <= 0.0:
        return abs(x) <= max(a, 0.0) and abs(y) <= max(b, 0.0)
    return (x / a) ** 2 + (y / b) ** 2 <= 1.0


def hit_ellipse(shape: Any, x: float, y: float, reach: float) -> bool:
    """Inside a filled ellipse, or near the outline of an empty one."""
    a, b = shape.width / 2.0, shape.height / 2.0
    outer: bool = _inside_ellipse(x, y, a + reach, b + reach)
    if _shows(shape.fill, shape.opacity) or not outer:
        return outer
    inner_a, inner_b = a - reach, b - reach
    return bool(inner_a <= 0 or inner_b <= 0 or not _inside_ellipse(x, y, inner_a, inner_b))


def segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    """The distance from (px, py) to the segment from (ax, ay) to (bx, by)."""
    vx, vy = bx - ax, by - ay
    length2 = vx * vx + vy * vy
    t = 0.0 if length2 == 0.0 else max(0.0, min(1.0, ((px - ax) * vx + (py - ay) * vy) / length2))
    return math.hypot(px - (ax + t * vx), py - (ay + t * vy))


def hit_segment(shape: Any, x: float, y: float, reach: float) -> bool:
    """Within `reach` of a line."""
    dx, dy = (shape.x2 - shape.x1) / 2.0, (shape.y2 - shape.y1) / 2.0
    return segment_distance(x, y, -dx, -dy, dx, dy) <= reach


# ------------------------------------------------------------------ markers
#: What an open path's end may carry (`start_marker` / `end_marker`; absent = "none").
Marker = Literal["none", "arrow", "open_arrow", "circle", "bar"]
MARKERS: Final[tuple[Marker, ...]] = get_args(Marker)


def marker_length(stroke_width: float) -> float:
    """A marker's size along its path, in document units: an arrow head's length, a
    circle's diameter, a bar's length. It grows with the stroke (Inkscape's markers scale
    with it) from a readable minimum for hairlines. `editor.io.render` builds every
    marker's outline from this number; the hit test uses it too."""
    return 4.0 * stroke_width + 6.0


def hit_marker(
    marker: str, tip: tuple[float, float], back: tuple[float, float], width: float,
    x: float, y: float, reach: float,
) -> bool:  # fmt: skip
    """Whether (x, y) is on the marker at `tip` of a path whose previous point is `back`:
    within `reach` of a disc covering the marker (the head of an arrow, the circle, the
    bar)."""
    if marker == "none":
        return False
    length = marker_length(width)
    tx, ty = tip
    if marker in ("arrow", "open_arrow"):
        dx, dy = back[0] - tx, back[1] - ty
        d = math.hypot(dx, dy)
        if d > 0.0:  # the disc's centre: halfway up the head
            tx, ty = tx + dx / d * length / 2.0, ty + dy / d * length / 2.0
    return math.hypot(x - tx, y - ty) <= length / 2.0 + reach


def hit_line(shape: Any, x: float, y: float, reach: float) -> bool:
    """Within `reach` of a line or of one of its end markers."""
    dx, dy = (shape.x2 - shape.x1) / 2.0, (shape.y2 - shape.y1) / 2.0
    if segment_distance(x, y, -dx, -dy, dx, dy) <= reach:
        return True
    width = shape.stroke_width
    return hit_marker(shape.start_marker, (-dx, -dy), (dx, dy), width, x, y, reach) or (
        hit_marker(shape.end_marker, (dx, dy), (-dx, -dy), width, x, y, reach)
    )


def _replace(shape: Any, values: Mapping[str, float]) -> Any:
    return msgspec.structs.replace(shape, **values)


@dataclass(frozen=True, slots=True, eq=False)
class Kind:
    """The pure part of one kind of shape (see the module docstring)."""

    #: The name in files and commands: "rect".
    name: str
    #: The msgspec Struct (its tag is `name`).
    cls: type[Any]
    #: For menu texts: "Add Rectangle", "Move Line".
    noun: str
    geometry: Geometry
    #: The style properties a person can set on it (see `STYLE_TYPES` in shapes.py).
    style: frozenset[str]
    #: Builds one with the editor's default style: ``make(id, *geometry, **style)``.
    make: Callable[..., Any]
    #: ``hit(shape, x, y, reach)``: whether a click at (x, y) in the shape's local frame
    #: picks it (see `hit_box`).
    hit: Callable[[Any, float, float, float], bool]
    #: `SetGeometry`'s way to give the shape new geometry values (the caller validated
    #: them): a plain replace, or a kind's own rule (a text box given a height keeps it).
    set_geometry: Callable[[Any, Mapping[str, float]], Any] = field(default=_replace)
    #: ``format_version(shape)``: the lowest file format version that can hold this shape,
    #: for a kind whose later fields an older Strata would drop silently (None: version 1
    #: holds every shape of the kind). The writer asks only the kinds that have one.
    format_version: Callable[[Any], int] | None = None
    #: ``unshown(shape)``: style properties the kind has but this shape does not show
    #: now (a closed polygon keeps its end markers for when it is opened again, but draws
    #: none); the Properties panel hides their rows. None: every one is shown.
    unshown: Callable[[Any], frozenset[str]] | None = None


#: Every kind by name, in registration order (the order of tools and of the docs).
KINDS: Final[dict[str, Kind]] = {}
_BY_TYPE: Final[dict[type[Any], Kind]] = {}
#: Each class's `geometry.translated`, one lookup away (a recovery moves 100,000 shapes).
TRANSLATORS: Final[dict[type[Any], Callable[[Any, float, float], Any]]] = {}
#: The `format_version` of each class whose kind has one.
VERSIONED: Final[dict[type[Any], Callable[[Any], int]]] = {}


def register(kind: Kind) -> Kind:
    """Add a kind to the registry (once per name and class)."""
    if kind.name in KINDS or kind.cls in _BY_TYPE:
        raise ValueError(f"shape kind {kind.name!r} is registered already")
    if kind.cls.__struct_config__.tag != kind.name:
        raise ValueError(f"{kind.cls.__name__}'s tag is not {kind.name!r}")
    KINDS[kind.name] = kind
    _BY_TYPE[kind.cls] = kind
    TRANSLATORS[kind.cls] = kind.geometry.translated
    if kind.format_version is not None:
        VERSIONED[kind.cls] = kind.format_version
    return kind


def kind_of_shape(shape: object) -> Kind:
    """The registered kind of a shape (KeyError for a value that is not a shape)."""
    return _BY_TYPE[type(shape)]


def _along(scale: float, anchor: float) -> Callable[[float], float]:
    """One axis of a group resize: `v` scaled by `scale` about `anchor`, clamped."""
    return lambda v: clamp(anchor + scale * (v - anchor))
