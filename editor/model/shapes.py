"""Shapes, the page and their value rules.

Every value here is an immutable msgspec Struct. Immutability is what makes a document
snapshot safe to hand to a worker thread: the snapshot is a tuple of references to values
that nobody can change. The same Structs are the file format's schema (see docs/format.md),
so decoding a file validates it and builds the model in one pass, with located errors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal, TypeAlias

import msgspec
from msgspec import Meta, Struct

from editor.model.kinds import (
    BOX,
    ENDS,
    KINDS,
    MAX_COORD,
    MAX_SIZE,
    TRANSLATORS,
    Kind,
    Marker,
    hit_box,
    hit_ellipse,
    hit_filled_box,
    hit_line,
    kind_of_shape,
    register,
)
from editor.model.points import (
    MAX_POINTS,
    MIN_POINTS,
    POINTS,
    hit_freehand,
    hit_polygon,
)

MAX_FONT_SIZE: Final = 10_000.0
MAX_STROKE_WIDTH: Final = 10_000.0
MAX_ID_LENGTH: Final = 256

#: `\Z`, not `$`: msgspec applies patterns with `re.search`, and `$` also matches before
#: a final newline, which let "#ffffff\n" through the loader and into the renderer.
COLOR_PATTERN: Final = r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?\Z"
_COLOR_RE: Final = re.compile(COLOR_PATTERN)

Id = Annotated[str, Meta(min_length=1, max_length=MAX_ID_LENGTH)]
Coord = Annotated[float, Meta(ge=-MAX_COORD, le=MAX_COORD)]
Size = Annotated[float, Meta(ge=0, le=MAX_SIZE)]
PageSize = Annotated[float, Meta(gt=0, le=MAX_SIZE)]
StrokeWidth = Annotated[float, Meta(ge=0, le=MAX_STROKE_WIDTH)]
FontSize = Annotated[float, Meta(gt=0, le=MAX_FONT_SIZE)]
Opacity = Annotated[float, Meta(ge=0, le=1)]
Rotation = Annotated[float, Meta(ge=-360, le=360)]
#: "#rrggbb" or "#rrggbbaa" (alpha last, unlike Qt's "#aarrggbb").
Color = Annotated[str, Meta(pattern=COLOR_PATTERN)]
MAX_FONT_FAMILY_LENGTH: Final = 256
FontFamily = Annotated[str, Meta(min_length=1, max_length=MAX_FONT_FAMILY_LENGTH)]

ShapeKind: TypeAlias = Literal["rect", "ellipse", "line", "text", "polygon", "freehand"]
#: One [x, y] point of a polygon, polyline or freehand stroke.
PointValue = tuple[Coord, Coord]
#: A path's points: at least MIN_POINTS, at most MAX_POINTS.
PointList = Annotated[tuple[PointValue, ...], Meta(min_length=MIN_POINTS, max_length=MAX_POINTS)]


class Page(Struct, frozen=True):
    """The drawing's page: its size in pixels and its background colour.

    No field has a default: a file that leaves one out is refused (docs/format.md), it
    never silently gets a page size. New documents start from `DEFAULT_PAGE`.
    """

    width: PageSize
    height: PageSize
    background: Color


#: The page of a new document.
DEFAULT_PAGE: Final = Page(800.0, 600.0, "#ffffff")


class _ShapeBase(Struct, frozen=True, tag_field="type"):
    id: Id


class Box(_ShapeBase, frozen=True):
    """Fields shared by shapes defined by a box (x, y, width, height, rotation).

    Rotation is in degrees, clockwise, about the centre of the box.
    """

    x: Coord
    y: Coord
    width: Size
    height: Size
    rotation: Rotation
    fill: Color | None
    stroke: Color | None
    stroke_width: StrokeWidth
    opacity: Opacity


class Rect(Box, frozen=True, tag="rect"):
    """A rectangle."""


class Ellipse(Box, frozen=True, tag="ellipse"):
    """An ellipse inscribed in its box."""


class Line(_ShapeBase, frozen=True, tag="line", omit_defaults=True):
    """A straight line from (x1, y1) to (x2, y2), with optional end markers.

    The markers are format version 2 fields, written only when not "none" (omit_defaults:
    a line without markers is written as version 1 wrote it).
    """

    x1: Coord
    y1: Coord
    x2: Coord
    y2: Coord
    stroke: Color | None
    stroke_width: StrokeWidth
    opacity: Opacity
    start_marker: Marker = "none"
    end_marker: Marker = "none"


class Text(Box, frozen=True, tag="text"):
    """A text box: wrapped text inside its box, with an optional fill and border.

    `auto_height` says who decides the box's height. True (a box made with the Text
    tool): the text does, the box grows as text is typed into it. False (the person set
    the height, or the file predates the field): the height stays, and text that does
    not fit is cut off at the bottom edge (the canvas marks such a box).
    """

    text: str
    font_family: FontFamily
    font_size: FontSize
    color: Color
    #: Optional in files (added within format version 1): older files have fixed boxes.
    auto_height: bool = False


class Polygon(_ShapeBase, frozen=True, tag="polygon", omit_defaults=True):
    """A path through its points: closed (a polygon: filled and stroked, the last point
    joined to the first) or open (a polyline: stroked, with optional end markers; a
    closed one keeps its markers but does not draw them). Format version 2."""

    points: PointList
    closed: bool
    fill: Color | None
    stroke: Color | None
    stroke_width: StrokeWidth
    opacity: Opacity
    start_marker: Marker = "none"
    end_marker: Marker = "none"


class Freehand(_ShapeBase, frozen=True, tag="freehand"):
    """A freehand stroke: a smooth curve through its points (Catmull-Rom splines drawn
    as cubic Bezier segments, see editor.io.render). Format version 2."""

    points: PointList
    stroke: Color | None
    stroke_width: StrokeWidth
    opacity: Opacity


Shape: TypeAlias = Rect | Ellipse | Line | Text | Polygon | Freehand

BOX_FIELDS: Final = BOX.fields
LINE_FIELDS: Final = ENDS.fields

_STYLE_TYPES: Final[dict[str, Any]] = {
    "fill": Color | None,
    "stroke": Color | None,
    "stroke_width": StrokeWidth,
    "opacity": Opacity,
    "font_family": FontFamily,
    "font_size": FontSize,
    "color": Color,
    "start_marker": Marker,
    "end_marker": Marker,
    "closed": bool,
}
_GEOMETRY_TYPES: Final[dict[str, Any]] = {
    "x": Coord,
    "y": Coord,
    "width": Size,
    "height": Size,
    "rotation": Rotation,
    "x1": Coord,
    "y1": Coord,
    "x2": Coord,
    "y2": Coord,
    "points": PointList,
}


def kind_of(shape: Shape) -> ShapeKind:
    """The shape's kind as written in files ("rect", "ellipse", "line", "text")."""
    return kind_of_shape(shape).name  # type: ignore[return-value]


def is_color(value: object) -> bool:
    """True for "#rrggbb" and "#rrggbbaa" strings."""
    return isinstance(value, str) and _COLOR_RE.fullmatch(value) is not None


def supports_property(shape: Shape, prop: str) -> bool:
    """Whether a style property applies to this kind of shape (lines have no fill)."""
    return prop in kind_of_shape(shape).style


def check_style_value(prop: str, value: object) -> Any:
    """Validate a style value, returning it normalised (ints become floats).

    Raises ValueError naming the property and the rule, like the file loader does.
    """
    if prop not in _STYLE_TYPES:
        raise ValueError(f"unknown style property {prop!r}")
    return _convert(prop, value, _STYLE_TYPES[prop])


def check_geometry_value(field: str, value: object) -> Any:
    """Validate one geometry field value (finite, within the coordinate bounds; a list of
    points: 2 to 100,000 finite [x, y] pairs), returning it normalised."""
    if field not in _GEOMETRY_TYPES:
        raise ValueError(f"unknown geometry field {field!r}")
    return _convert(field, value, _GEOMETRY_TYPES[field])


def _convert(name: str, value: object, typ: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    if typ is PointList and isinstance(value, list | tuple):
        for n, point in enumerate(value):
            if isinstance(point, list | tuple) and not all(
                isinstance(v, int | float) and math.isfinite(v) for v in point
            ):
                raise ValueError(f"{name}[{n}]: expected finite numbers, got {point!r}")
    try:
        return msgspec.convert(value, typ)
    except msgspec.ValidationError as exc:
        raise ValueError(f"{name}: {exc}") from None


def style_value(shape: Shape, prop: str) -> Any:
    """The current value of a style property, or None when the shape lacks it."""
    return getattr(shape, prop, None) if supports_property(shape, prop) else None


def with_property(shape: Shape, prop: str, value: Any) -> Shape:
    """A copy of the shape with one field changed (the caller validated the value)."""
    return msgspec.structs.replace(shape, **{prop: value})


def translated(shape: Shape, dx: float, dy: float) -> Shape:
    """The shape moved by (dx, dy), clamped to the coordinate bounds."""
    moved: Shape = TRANSLATORS[type(shape)](shape, dx, dy)
    return moved


def bounds(shape: Shape) -> tuple[float, float, float, float]:
    """Axis-aligned bounding box (x, y, width, height) of the shape's geometry.

    Rotation is taken into account; stroke width is not (the renderer pads for it).
    """
    return kind_of_shape(shape).geometry.bounds(shape)


def geometry_of(shape: Shape) -> dict[str, float]:
    """The shape's geometry fields by name (box fields, or line end points)."""
    return kind_of_shape(shape).geometry.values(shape)


def geometry_fields(shape: Shape) -> tuple[str, ...]:
    """The names of the geometry fields this kind of shape has."""
    return kind_of_shape(shape).geometry.fields


def _box_fields(
    id: str,
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    fill: str | None = "#ffffff",
    stroke: str | None = "#000000",
    stroke_width: float = 1.0,
    opacity: float = 1.0,
    rotation: float = 0.0,
) -> dict[str, Any]:
    """The fields of a box shape with the editor's default style, as floats."""
    return {
        "id": id, "x": float(x), "y": float(y), "width": float(width),
        "height": float(height), "rotation": float(rotation), "fill": fill, "stroke": stroke,
        "stroke_width": float(stroke_width), "opacity": float(opacity),
    }  # fmt: skip


def rect(id: str, x: float, y: float, width: float, height: float, **style: Any) -> Rect:
    """A rectangle; style keywords (fill, stroke, stroke_width, opacity, rotation) as in
    `_box_fields`, defaulting to the editor's style."""
    return Rect(**_box_fields(id, x, y, width, height, **style))


def ellipse(id: str, x: float, y: float, width: float, height: float, **style: Any) -> Ellipse:
    """An ellipse; style keywords as for `rect`."""
    return Ellipse(**_box_fields(id, x, y, width, height, **style))


def line(
    id: str,
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    *,
    stroke: str | None = "#000000",
    stroke_width: float = 2.0,
    opacity: float = 1.0,
    start_marker: Marker = "none",
    end_marker: Marker = "none",
) -> Line:
    """A line with the editor's default style (no markers)."""
    return Line(
        id=id, x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2),
        stroke=stroke, stroke_width=float(stroke_width), opacity=float(opacity),
        start_marker=start_marker, end_marker=end_marker,
    )  # fmt: skip


def text(
    id: str,
    x: float,
    y: float,
    width: float,
    height: float,
    text: str = "",
    *,
    font_family: str = "DejaVu Sans",
    font_size: float = 14.0,
    color: str = "#000000",
    fill: str | None = None,
    stroke: str | None = None,
    stroke_width: float = 0.0,
    opacity: float = 1.0,
    rotation: float = 0.0,
    auto_height: bool = False,
) -> Text:
    """A text box with the editor's default style."""
    return Text(
        id=id, x=float(x), y=float(y), width=float(width), height=float(height),
        rotation=float(rotation), fill=fill, stroke=stroke,
        stroke_width=float(stroke_width), opacity=float(opacity), text=text,
        font_family=font_family, font_size=float(font_size), color=color,
        auto_height=auto_height,
    )  # fmt: skip


def _text_geometry(shape: Text, values: Mapping[str, float]) -> Text:
    """A text box given a new height keeps it: the person chose it (`auto_height` off)."""
    if shape.auto_height and values.get("height", shape.height) != shape.height:
        return msgspec.structs.replace(shape, auto_height=False, **values)
    return msgspec.structs.replace(shape, **values)


_SHAPE_STYLE: Final = frozenset({"fill", "stroke", "stroke_width", "opacity"})

# The kinds, in the order of the tools. A new kind registers here with its Struct.
register(Kind("rect", Rect, "Rectangle", BOX, _SHAPE_STYLE, rect, hit_box))
register(Kind("ellipse", Ellipse, "Ellipse", BOX, _SHAPE_STYLE, ellipse, hit_ellipse))
_LINE_STYLE: Final = (_SHAPE_STYLE - {"fill"}) | {"start_marker", "end_marker"}


def _line_version(shape: Line) -> int:
    """Markers are version-2 fields: a plain line is still version 1."""
    return 1 if shape.start_marker == "none" and shape.end_marker == "none" else 2


register(Kind("line", Line, "Line", ENDS, _LINE_STYLE, line, hit_line,
              format_version=_line_version))  # fmt: skip
register(
    Kind("text", Text, "Text Box", BOX, _SHAPE_STYLE | {"font_family", "font_size", "color"},
         text, hit_filled_box, set_geometry=_text_geometry)
)  # fmt: skip


def polygon(
    id: str,
    points: Any,
    closed: bool = True,
    *,
    fill: str | None = "#ffffff",
    stroke: str | None = "#000000",
    stroke_width: float = 1.0,
    opacity: float = 1.0,
    start_marker: Marker = "none",
    end_marker: Marker = "none",
) -> Polygon:
    """A polygon (`closed`) or polyline with the editor's default style."""
    return Polygon(
        id=id, points=tuple((float(x), float(y)) for x, y in points), closed=closed,
        fill=fill, stroke=stroke, stroke_width=float(stroke_width), opacity=float(opacity),
        start_marker=start_marker, end_marker=end_marker,
    )  # fmt: skip


def freehand(
    id: str,
    points: Any,
    *,
    stroke: str | None = "#000000",
    stroke_width: float = 2.0,
    opacity: float = 1.0,
) -> Freehand:
    """A freehand stroke with the editor's default style."""
    return Freehand(id=id, points=tuple((float(x), float(y)) for x, y in points),
                    stroke=stroke, stroke_width=float(stroke_width),
                    opacity=float(opacity))  # fmt: skip


def _version_2(_shape: Any) -> int:
    """A kind that version 1 did not have."""
    return 2


_MARKERS_OF_CLOSED: Final = frozenset({"start_marker", "end_marker"})
_NONE_UNSHOWN: Final[frozenset[str]] = frozenset()


def _polygon_unshown(shape: Any) -> frozenset[str]:
    """A closed polygon draws no end markers (it keeps them for when it is opened)."""
    return _MARKERS_OF_CLOSED if shape.closed else _NONE_UNSHOWN


register(Kind("polygon", Polygon, "Polygon", POINTS,
              _SHAPE_STYLE | {"closed", "start_marker", "end_marker"}, polygon, hit_polygon,
              format_version=_version_2, unshown=_polygon_unshown))  # fmt: skip
register(Kind("freehand", Freehand, "Freehand Stroke", POINTS, _SHAPE_STYLE - {"fill"},
              freehand, hit_freehand, format_version=_version_2))  # fmt: skip


def style_properties() -> dict[str, frozenset[str]]:
    """Style properties a person can set on a selection, with the kinds that have them
    (of every kind registered now)."""
    return {
        prop: frozenset(k.name for k in KINDS.values() if prop in k.style) for prop in _STYLE_TYPES
    }


#: `style_properties()` of the built-in kinds.
STYLE_PROPERTIES: Final[dict[str, frozenset[str]]] = style_properties()
assert all(f in _GEOMETRY_TYPES for k in KINDS.values() for f in k.geometry.fields)
