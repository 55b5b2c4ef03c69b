"""The one renderer: paints shapes for the canvas and for every exporter.

The canvas (a QGraphicsItem per shape, painted by its scene's shape layer) and the
PNG/SVG/PDF exporters call the functions here, so what you see is what you export.
Everything is a plain function of a painter and an immutable shape; nothing touches
widgets, QPixmap or the application object, so a worker thread may paint a snapshot onto
a QImage, QSvgGenerator or QPdfWriter while the GUI thread paints the canvas.

Looks
    Painting a shape is two steps: `look_of` works out its `ShapeLook` (local box, fill
    colour, pens, the line) and `paint_look` draws it in the shape's local frame;
    `paint_page` does both, for every shape, for the exporters. The canvas keeps the
    looks (and text layouts) of shapes it has painted, on the GUI thread only, so a
    repaint does not rebuild pens and colours: same code, same pixels.

Level of detail
    `paint_look(..., greek=True)` and `tiny_color` exist for the canvas alone (text a
    few pixels tall drawn as grey bars, the colour of a shape a few pixels big). No
    exporter uses them; `paint_page` always paints every shape in full.

Coordinates
    `paint_look` paints in the shape's own frame: origin at the centre of its box (the
    midpoint of a line), axes *unrotated*. `local_transform` maps that frame to the
    document (translate to the centre, then rotate clockwise); `paint_page` sets it
    before each shape. The centre was chosen as origin so that a canvas item can mirror a
    shape with plain QGraphicsItem properties and no per-paint arithmetic::

        item.setPos(shape_origin(shape))      # moving a shape changes only pos()
        item.setRotation(shape.rotation)      # rotates about the item's (0, 0) = centre
        item.boundingRect() -> local_rect(shape)
        paint               -> paint_look(painter, look_of(shape)) in the local frame

    `item_geometry` gives the origin and `local_rect` in one call (items are built by
    the hundred thousand).

    The item must not also call setOpacity(shape.opacity): the renderer applies it.

Opacity
    A shape's opacity is folded into the alpha of its fill, stroke and text colours
    instead of being set with QPainter.setOpacity. QSvgGenerator writes painter opacity
    as a *group* ``opacity`` on a ``<g>``, which SVG viewers composite as a whole (the
    fill does not show through the stroke), while the raster and PDF engines apply it to
    each primitive. Colour alpha means per-primitive blending in all three outputs, so
    they agree. A painter opacity set by the caller still multiplies on top.

Strokes
    Centred on the geometry. A missing stroke or a stroke width of 0 draws no outline (a
    0-width QPen is a cosmetic hairline; we never create one). Boxes use mitre joins
    (sharp corners); lines use round caps, so half the stroke width pads every side of
    the bounds exactly (`shape_rect`).

Text
    Laid out inside the box less `TEXT_PADDING` on every side (so the first letter is
    clear of the border and of the canvas's selection handles), wrapped at word
    boundaries (anywhere inside a word longer than that width), top-left aligned,
    ``\\n`` starts a new line, drawn with the text colour. The text is **clipped to its
    box** (not to the padding): a shape never paints outside `shape_rect`, so the canvas
    item's bounding rect and update regions are exact and an overflowing text box looks
    the same on screen and in every export (QSvgGenerator is used in SVG 1.1 mode, which
    writes clip paths). Text does not hide silently, though: `fitted_height` is the
    height a box needs for all its text (the canvas grows a box to it while typing) and
    `text_overflows` says when text is cut off (the canvas then shows a marker; exports
    show the box as it is). Layout is done with QTextLayout using design metrics and no
    hinting, so line breaks do not depend on the device, its resolution or the zoom.

    Font sizes are pixel sizes in document units, set with QFont.setPixelSize, so the
    device's DPI plays no part: a 14 px font is 14 document units on a screen, on a
    QImage of any dots-per-metre, in a QSvgGenerator (``font-size="14"``) and in a
    QPdfWriter at 96 dpi (10.5 pt). setPixelSize takes whole pixels, so a fractional
    size is rounded half up; Qt's FreeType engine rounds a fractional size to whole
    pixels anyway, and rounding ourselves keeps the SVG's font-size equal to the size the
    lines were broken for.
"""

from __future__ import annotations

import functools
import math
import operator
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTextLayout,
    QTextLine,
    QTextOption,
    QTransform,
)

from editor.io.qt_enums import create_enums
from editor.model.document import Snapshot
from editor.model.kinds import KINDS, marker_length
from editor.model.points import points_bounds, points_centre
from editor.model.shapes import COLOR_PATTERN, Shape, Text

#: Called between chunks of work; raises (any exception) to cancel.
Check: TypeAlias = Callable[[], None]
#: Called between chunks of work with a fraction in [0, 1] and a short message.
Progress: TypeAlias = Callable[[float, str], None]

#: Shapes painted between two calls of `check`/`progress` in `paint_page`: it bounds how
#: long a cancel request waits. 500 mixed shapes take about 60 ms on a 2000 px QImage and
#: 20-40 ms for SVG/PDF (bench/bench_export.py). It does not need to be smaller for the
#: GUI thread's sake: the Python part is short and Qt's drawing calls let the GIL go,
#: so a worker painting a page holds the GUI thread up for ~15 ms at most.
DEFAULT_CHUNK: Final = 500

# Every enum the painting calls may ask for, made here (on the importing thread), not by
# the first two workers at once (editor/io/qt_enums.py).
create_enums(Qt, QBrush, QColor, QFont, QGradient, QPainter, QPainterPath, QPen, QPolygonF,
             QTextLayout, QTextLine, QTextOption, QTransform)  # fmt: skip

_HINTS: Final = QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
_LINE_SEPARATOR: Final = "\u2028"

#: Space between a text box's edges and its text, in document units, on every side.
#: The canvas's selection handles (8 screen px, centred on the corners) reach 4 px into
#: the box at 100 %; the first letter starts clear of them.
TEXT_PADDING: Final = 6.0


# ------------------------------------------------------------------------ colours
@functools.lru_cache(maxsize=4096)
def _rgba(value: str) -> tuple[int, int, int, int]:
    """Parse "#rrggbb" / "#rrggbbaa" (alpha LAST, unlike Qt's "#aarrggbb")."""
    if len(value) not in (7, 9) or value[0] != "#":
        raise ValueError(f"invalid colour {value!r}: expected {COLOR_PATTERN}")
    try:
        channels = [int(value[i : i + 2], 16) for i in range(1, len(value), 2)]
    except ValueError:
        raise ValueError(f"invalid colour {value!r}: expected {COLOR_PATTERN}") from None
    if len(channels) == 3:
        channels.append(255)
    r, g, b, a = channels
    return r, g, b, a


def qcolor(value: str | None) -> QColor:
    """The QColor for a document colour; None (no fill / no stroke) is fully transparent.

    Never pass a document colour to ``QColor(str)``: Qt reads "#ff000080" as
    alpha=ff, red=00, green=00, blue=80 (an opaque navy), not as half-transparent red.
    Raises ValueError for anything but "#rrggbb" or "#rrggbbaa".
    """
    if value is None:
        return QColor(0, 0, 0, 0)
    return QColor(*_rgba(value))


def _faded(value: str | None, opacity: float) -> QColor | None:
    """The colour with the shape's opacity folded into its alpha; None if invisible."""
    if value is None:
        return None
    r, g, b, a = _rgba(value)
    if a == 0 or opacity <= 0.0:
        return None
    color = QColor(r, g, b)
    color.setAlphaF(a / 255.0 * opacity)
    return color


# Enum members looked up once: each PySide6 enum attribute access costs ~1 µs, which
# showed up in every pen built.
_SOLID: Final = Qt.PenStyle.SolidLine
_NO_PEN: Final = Qt.PenStyle.NoPen
_NO_BRUSH: Final = Qt.BrushStyle.NoBrush
_ROUND_CAP: Final = Qt.PenCapStyle.RoundCap
_SQUARE_CAP: Final = Qt.PenCapStyle.SquareCap
_ROUND_JOIN: Final = Qt.PenJoinStyle.RoundJoin
_MITER_JOIN: Final = Qt.PenJoinStyle.MiterJoin
_INTERSECT: Final = Qt.ClipOperation.IntersectClip


class _Pens(threading.local):
    """Each thread's pens by (colour, width, opacity, line): a drawing's shapes mostly
    share a few styles, and making a QPen with its QBrush and QColor from Python costs
    ~10-20 µs. Per thread, because Qt's value classes are reentrant, not thread-safe:
    an export worker never shares a pen object with the GUI thread. Never changed after
    it is made (looks only pass it to setPen or read its colour)."""

    def __init__(self) -> None:
        self.pens: dict[tuple[str, float, float, bool], QPen] = {}


_PENS: Final = _Pens()
#: A thread keeps at most this many pens (emptied when full).
_PEN_CACHE: Final = 1024


def _pen(value: str | None, width: float, opacity: float, *, line: bool) -> QPen | None:
    if value is None or width <= 0.0:
        return None
    pens = _PENS.pens
    key = (value, width, opacity, line)
    pen = pens.get(key)
    if pen is not None:
        return pen
    color = _faded(value, opacity)
    if color is None:
        return None
    if line:
        pen = QPen(QBrush(color), width, _SOLID, _ROUND_CAP, _ROUND_JOIN)
    else:
        pen = QPen(QBrush(color), width, _SOLID, _SQUARE_CAP, _MITER_JOIN)
    if len(pens) >= _PEN_CACHE:
        pens.clear()
    pens[key] = pen
    return pen


# --------------------------------------------------------------------- geometry
def _half_stroke(shape: Shape) -> float:
    if shape.stroke is None or shape.stroke_width <= 0.0:
        return 0.0
    return shape.stroke_width / 2.0


def shape_origin(shape: Shape) -> QPointF:
    """The document point that is (0, 0) of the shape's local frame.

    The centre of the box (rotation is about it), or the midpoint of a line. A canvas
    item uses it as its pos().
    """
    cx, cy, _, _, _ = _RENDERERS[type(shape)].frame(shape)
    return QPointF(cx, cy)


def local_transform(shape: Shape) -> QTransform:
    """Maps the shape's local frame to document coordinates (translate, then rotate).

    The same transform a QGraphicsItem builds from ``setPos(shape_origin(shape))`` and
    ``setRotation(shape.rotation)`` (Qt rotates clockwise on screen, like the model).
    """
    cx, cy, _, _, rotation = _RENDERERS[type(shape)].frame(shape)
    transform = QTransform.fromTranslate(cx, cy)
    if rotation % 360.0 != 0.0:
        transform.rotate(rotation)
    return transform


def shape_rotation(shape: Shape) -> float:
    """The shape's rotation in degrees (0 for a kind that has none: a line)."""
    return _RENDERERS[type(shape)].frame(shape)[4]


def _local_box(shape: Shape) -> QRectF:
    """The unpadded geometry in local coordinates (a line's box may be degenerate)."""
    _, _, w, h, _ = _RENDERERS[type(shape)].frame(shape)
    return QRectF(-w / 2.0, -h / 2.0, w, h)


def item_geometry(shape: Shape) -> tuple[float, float, QRectF, float]:
    """``(x, y, rect, extent)``: `shape_origin`, `local_rect` and the rect's larger side.

    One call for what a canvas item needs when it is built or moved (100,000 items are
    built when a large document opens, so this avoids the QPointF and a second lookup
    of the kind). The rect is computed with the same float operations as
    ``_local_box(shape).adjusted(-half, -half, half, half)``, so it equals `local_rect`.
    """
    renderer = _RENDERERS[type(shape)]
    x, y, w, h, _ = renderer.frame(shape)
    if renderer.extent is not None:
        extra = renderer.extent(shape)
        if extra is not None:  # markers reach beyond the geometry and its stroke
            return x, y, extra, max(extra.width(), extra.height())
    half_w, half_h = w / 2.0, h / 2.0
    stroke_width = shape.stroke_width
    half = stroke_width / 2.0 if shape.stroke is not None and stroke_width > 0.0 else 0.0
    w = w + half + half
    h = h + half + half
    rect = QRectF(-half_w - half, -half_h - half, w, h)
    return x, y, rect, w if w > h else h


def local_rect(shape: Shape) -> QRectF:
    """Everything `paint_look` may paint for the shape, in local (unrotated) coordinates.

    The box or the line's extent, grown by half the stroke width on every side (strokes
    are centred; round line caps and mitred 90-degree corners stay within that). Text is
    clipped to its box, so it adds nothing. This is the canvas item's boundingRect().
    """
    return item_geometry(shape)[2]


def shape_rect(shape: Shape) -> QRectF:
    """Everything the shape may paint, in document coordinates (axis-aligned).

    `local_rect` mapped through `local_transform`, so it includes half the stroke width
    and the rotation. Use it for update regions and culling.
    """
    return local_transform(shape).mapRect(local_rect(shape))


# --------------------------------------------------------------------- painting
class ShapeLook:
    """How one shape paints in its local frame, worked out once: box, colours, pens.

    `look_of` makes one and `paint_look` paints it; painting a shape *is* painting its
    look, for the canvas and for every exporter alike. The canvas keeps the looks of the shapes
    it painted in full most recently (so a repaint does not rebuild pens, colours and
    rectangles); exporters make a fresh one per shape. The text layout is not part of
    the look (it is large: ~3-10 kB), `paint_look` asks for it. What a look holds and
    how it paints is the kind's (`Renderer.dress` and `Renderer.paint`).

    Holds Qt value objects: use a look on the thread that made it.
    """

    __slots__ = ("box", "fill", "line", "markers", "origin", "paint", "path", "pen", "shape",
                 "text_pen", "visible")  # fmt: skip

    def __init__(self, shape: Shape, stride: int = 1) -> None:
        #: The shape this look was made from.
        self.shape: Shape = shape
        #: False when painting would draw nothing at all.
        self.visible = shape.opacity > 0.0
        self.box = QRectF()
        self.fill: QColor | None = None
        self.pen: QPen | None = None
        #: The text's pen, None if no text is drawn.
        self.text_pen: QPen | None = None
        self.line: QLineF | None = None
        #: End markers (`marker_outline`): filled heads and stroked ones, painted after
        #: the path.
        self.markers: tuple[MarkerOutline, ...] = ()
        self.origin: QPointF | None = None
        #: A polygon's or stroke's path (None for the other kinds).
        self.path: QPainterPath | None = None
        renderer = _RENDERERS[type(shape)]
        #: The kind's painting function.
        self.paint: PaintFunction = renderer.paint
        if stride > 1 and renderer.coarse is not None:
            renderer.coarse(self, shape, stride)
        else:
            renderer.dress(self, shape)


def look_of(shape: Shape) -> ShapeLook:
    """The look of a shape (see `ShapeLook`)."""
    return ShapeLook(shape)


#: A coarse look keeps a point every this many screen pixels of the shape's extent.
COARSE_SPACING_PX: Final = 2.0


def coarse_stride(shape: Shape, extent_px: float) -> int:
    """For the canvas's level of detail only: 1 (paint in full), or the stride of a
    coarse look (`coarse_look`) of a points kind whose many points would be closer than
    `COARSE_SPACING_PX` apart on screen, the shape being `extent_px` big there."""
    if _RENDERERS[type(shape)].coarse is None:
        return 1
    n = len(shape.points)  # type: ignore[union-attr]
    return max(1, int(n * COARSE_SPACING_PX / max(extent_px, 1.0)))


def coarse_look(shape: Shape, stride: int) -> ShapeLook:
    """The canvas's look of a polygon or stroke a few dozen pixels big: a polyline
    through every `stride`-th point (and the last), which on screen is within a fraction
    of a pixel of the full path at a small fraction of its cost. Exports never use it."""
    return ShapeLook(shape, stride)


#: Where `paint_look` gets a text box's layout: `text_layout`, or a cache of it.
LayoutSource: TypeAlias = Callable[[Text], QTextLayout]
#: A kind's way to paint its look: (painter, look, layout_of, greek).
PaintFunction: TypeAlias = Callable[[QPainter, ShapeLook, "LayoutSource | None", bool], None]


def paint_look(
    painter: QPainter,
    look: ShapeLook,
    layout_of: LayoutSource | None = None,
    *,
    greek: bool = False,
) -> None:
    """Paint a look in the shape's local frame, WITHOUT saving the painter's state.

    It sets every pen and brush it uses and scopes its own clip, but leaves pen and
    brush changed: callers save and restore around it (a QGraphicsView's painter-state
    protection) or do not care (`paint_page`).
    `layout_of` gives a text box's layout (default: `text_layout`, a fresh one).

    ``greek=True`` is for the canvas only, never for an export: a text box's text is
    drawn as grey bars where its lines would be (see `_paint_greek`), which is what text
    a few pixels tall looks like anyway, at a fraction of the cost. Fill and border are
    painted as usual.
    """
    if look.visible:
        look.paint(painter, look, layout_of, greek)


# ------------------------------------------------------------------ the kinds
@dataclass(frozen=True, slots=True, eq=False)
class Renderer:
    """The Qt part of one kind's look, registered under the kind's name."""

    #: ``(cx, cy, width, height, rotation)``: the document point that is the local
    #: frame's origin, the geometry's extent in that frame (centred on the origin), and
    #: the rotation.
    frame: Callable[[Any], tuple[float, float, float, float, float]]
    #: Fills in a new `ShapeLook` (box, colours, pens; `visible` False if it paints
    #: nothing).
    dress: Callable[[ShapeLook, Any], None]
    paint: PaintFunction
    #: The colour of the shape a few pixels big (see `tiny_color`).
    tiny: Callable[[Any], QColor | None]
    #: Everything the shape paints in its local frame when that is more than its frame
    #: padded by half the stroke (end markers), else None. None: never more.
    extent: Callable[[Any], QRectF | None] | None = None
    #: ``coarse(look, shape, stride)``: fills in a coarse look (`coarse_look`), for a
    #: kind with many points; None: the kind is always painted in full.
    coarse: Callable[[ShapeLook, Any, int], None] | None = None


_RENDERERS: dict[type[Any], Renderer] = {}


def register_renderer(kind: str, renderer: Renderer) -> Renderer:
    """Register the look of the model's kind `kind` (once)."""
    cls = KINDS[kind].cls
    if cls in _RENDERERS:
        raise ValueError(f"shape kind {kind!r} has a renderer already")
    _RENDERERS[cls] = renderer
    return renderer


def _box_frame(shape: Any) -> tuple[float, float, float, float, float]:
    w, h = shape.width, shape.height
    return shape.x + w / 2.0, shape.y + h / 2.0, w, h, shape.rotation


def _line_frame(shape: Any) -> tuple[float, float, float, float, float]:
    x1, y1, x2, y2 = shape.x1, shape.y1, shape.x2, shape.y2
    w, h = 2.0 * abs((x2 - x1) / 2.0), 2.0 * abs((y2 - y1) / 2.0)
    return (x1 + x2) / 2.0, (y1 + y2) / 2.0, w, h, 0.0


def _dress_box(look: ShapeLook, shape: Any) -> None:
    opacity = shape.opacity
    look.box = QRectF(-shape.width / 2.0, -shape.height / 2.0, shape.width, shape.height)
    look.fill = _faded(shape.fill, opacity)
    look.pen = _pen(shape.stroke, shape.stroke_width, opacity, line=False)
    if look.fill is None and look.pen is None:
        look.visible = False


def _dress_line(look: ShapeLook, shape: Any) -> None:
    look.pen = _pen(shape.stroke, shape.stroke_width, shape.opacity, line=True)
    if look.pen is None:
        look.visible = False
        return
    dx = (shape.x2 - shape.x1) / 2.0
    dy = (shape.y2 - shape.y1) / 2.0
    start, end = QPointF(-dx, -dy), QPointF(dx, dy)
    if shape.start_marker == "none" and shape.end_marker == "none":
        look.line = QLineF(start, end)
        return
    width = shape.stroke_width
    head = marker_outline(shape.start_marker, start, end, width)
    tail = marker_outline(shape.end_marker, end, start, width)
    look.markers = tuple(m for m in (head, tail) if m is not None)
    look.line = QLineF(_trimmed(start, end, head), _trimmed(end, start, tail))


def _line_extent(shape: Any) -> QRectF | None:
    if shape.start_marker == "none" and shape.end_marker == "none":
        return None
    half = _half_stroke(shape)
    dx = (shape.x2 - shape.x1) / 2.0
    dy = (shape.y2 - shape.y1) / 2.0
    start, end = QPointF(-dx, -dy), QPointF(dx, dy)
    rect = QRectF(start, end).normalized().adjusted(-half, -half, half, half)
    for marker in (
        marker_outline(shape.start_marker, start, end, shape.stroke_width),
        marker_outline(shape.end_marker, end, start, shape.stroke_width),
    ):
        if marker is not None:
            grow = half if not marker.filled else 0.0
            rect = rect.united(marker.path.boundingRect().adjusted(-grow, -grow, grow, grow))
    return rect


# ------------------------------------------------------- polygons and strokes
def _points_frame(shape: Any) -> tuple[float, float, float, float, float]:
    x, y, w, h = points_bounds(shape.points)
    return x + w / 2.0, y + h / 2.0, w, h, 0.0


def _kept(points: Sequence[tuple[float, float]], stride: int) -> Sequence[tuple[float, float]]:
    """Every `stride`-th point, and the last."""
    if stride == 1:
        return points
    kept = points[::stride]
    return kept if (len(points) - 1) % stride == 0 else (*kept, points[-1])


def _polyline(points: Sequence[tuple[float, float]], closed: bool, cx: float, cy: float,
              ) -> QPainterPath:  # fmt: skip
    """The path through `points` (document coordinates), moved by (-cx, -cy): lineTo
    with plain floats and one translate in C++ cost a third of QPointF objects."""
    path = QPainterPath()
    path.moveTo(*points[0])
    line_to = path.lineTo
    for x, y in points[1:]:
        line_to(x, y)
    if closed:
        path.closeSubpath()
    path.translate(-cx, -cy)
    return path


def _path_markers(shape: Any, points: list[tuple[float, float]], cx: float, cy: float,
                  ) -> tuple[MarkerOutline, ...]:  # fmt: skip
    """An open polygon's end markers, in the local frame; under filled ones the end
    points in `points` (document coordinates) are moved back (trimmed)."""
    if shape.closed or (shape.start_marker == "none" and shape.end_marker == "none"):
        return ()
    width = shape.stroke_width
    ends = [(QPointF(points[i][0] - cx, points[i][1] - cy),
             QPointF(points[j][0] - cx, points[j][1] - cy))
            for i, j in ((0, 1), (-1, -2))]  # fmt: skip
    head = marker_outline(shape.start_marker, *ends[0], width)
    tail = marker_outline(shape.end_marker, *ends[1], width)
    for index, end, marker in ((0, ends[0], head), (-1, ends[1], tail)):
        if marker is not None and marker.trim != 0.0:
            moved = _trimmed(end[0], end[1], marker)
            points[index] = (moved.x() + cx, moved.y() + cy)
    return tuple(m for m in (head, tail) if m is not None)


def _dress_polygon(look: ShapeLook, shape: Any, stride: int = 1) -> None:
    opacity = shape.opacity
    look.pen = _pen(shape.stroke, shape.stroke_width, opacity, line=True)
    look.fill = _faded(shape.fill, opacity) if shape.closed else None
    if look.fill is None and look.pen is None:
        look.visible = False
        return
    cx, cy = points_centre(shape.points)
    points = _kept(shape.points, stride)
    if look.pen is not None and not shape.closed:
        trimmed = list(points)
        look.markers = _path_markers(shape, trimmed, cx, cy)
        points = trimmed
    look.path = _polyline(points, shape.closed, cx, cy)


def smooth_segments(
    points: Sequence[tuple[float, float]],
) -> list[tuple[float, float, float, float, float, float]]:
    """The cubic Bezier segments of the uniform Catmull-Rom spline through `points`
    (the ends repeat themselves as their missing neighbour): (c1x, c1y, c2x, c2y, x, y)
    for each segment after the first point. A freehand stroke is drawn as this curve on
    the canvas and in every export."""
    n = len(points)
    segments = []
    for i in range(n - 1):
        x0, y0 = points[i - 1] if i > 0 else points[i]
        x1, y1 = points[i]
        x2, y2 = points[i + 1]
        x3, y3 = points[i + 2] if i + 2 < n else points[i + 1]
        segments.append((x1 + (x2 - x0) / 6.0, y1 + (y2 - y0) / 6.0,
                         x2 - (x3 - x1) / 6.0, y2 - (y3 - y1) / 6.0, x2, y2))  # fmt: skip
    return segments


def _dress_freehand(look: ShapeLook, shape: Any) -> None:
    look.pen = _pen(shape.stroke, shape.stroke_width, shape.opacity, line=True)
    if look.pen is None:
        look.visible = False
        return
    points = shape.points
    path = QPainterPath()
    path.moveTo(*points[0])
    cubic = path.cubicTo
    for c1x, c1y, c2x, c2y, x, y in smooth_segments(points):
        cubic(c1x, c1y, c2x, c2y, x, y)
    cx, cy = points_centre(points)
    path.translate(-cx, -cy)
    look.path = path


def _coarse_freehand(look: ShapeLook, shape: Any, stride: int) -> None:
    look.pen = _pen(shape.stroke, shape.stroke_width, shape.opacity, line=True)
    if look.pen is None:
        look.visible = False
        return
    cx, cy = points_centre(shape.points)
    look.path = _polyline(_kept(shape.points, stride), False, cx, cy)


def _paint_path(painter: QPainter, look: ShapeLook, _: LayoutSource | None, g: bool) -> None:
    assert look.path is not None
    _fill_and_pen(painter, look)
    painter.drawPath(look.path)
    if look.markers:
        paint_markers(painter, look)


def _tiny_polygon(shape: Any) -> QColor | None:
    return _tiny_box(shape) if shape.closed else _tiny_stroke(shape)


def _polygon_extent(shape: Any) -> QRectF | None:
    if shape.closed or (shape.start_marker == "none" and shape.end_marker == "none"):
        return None
    half = _half_stroke(shape)
    cx, cy = points_centre(shape.points)
    x, y, w, h = points_bounds(shape.points)
    rect = QRectF(x - cx - half, y - cy - half, w + 2.0 * half, h + 2.0 * half)
    for marker in _path_markers(shape, list(shape.points), cx, cy):
        grow = half if not marker.filled else 0.0
        rect = rect.united(marker.path.boundingRect().adjusted(-grow, -grow, grow, grow))
    return rect


def _freehand_extent(shape: Any) -> QRectF:
    """A bound of the curve's control points (the curve stays inside them), padded by
    half the stroke: a Catmull-Rom curve may bulge a little past its points' bounds, by
    at most a sixth of the largest |next - previous| difference of a coordinate (each
    control point is a point plus a sixth of such a difference)."""
    _, _, w, h = points_bounds(shape.points)
    xs, ys = zip(*shape.points, strict=True)
    # (x[i+1] - x[i-1]) over the inner points, and the ends' own steps (C-speed map).
    dx = [*map(operator.sub, xs[2:], xs), xs[1] - xs[0], xs[-1] - xs[-2]]
    dy = [*map(operator.sub, ys[2:], ys), ys[1] - ys[0], ys[-1] - ys[-2]]
    grow_x = max(-min(dx), *dx) / 6.0
    grow_y = max(-min(dy), *dy) / 6.0
    half = _half_stroke(shape)
    return QRectF(-w / 2.0 - grow_x - half, -h / 2.0 - grow_y - half,
                  w + 2.0 * (grow_x + half), h + 2.0 * (grow_y + half))  # fmt: skip


# ---------------------------------------------------------------------- markers
@dataclass(frozen=True, slots=True, eq=False)
class MarkerOutline:
    """One end marker in the shape's local frame: its outline, whether it is filled
    with the stroke colour (else stroked with the path's pen), and how far the path is
    shortened under it (a filled head covers the end; drawing the path to the tip would
    poke its round cap through the point and double translucent colour)."""

    path: QPainterPath
    filled: bool
    trim: float


def marker_outline(marker: str, tip: QPointF, back: QPointF, width: float) -> MarkerOutline | None:
    """The one marker geometry builder: `marker` at `tip` of a path whose previous point
    is `back`, for a stroke `width` (`editor.model.marker_length`). The canvas, PNG, SVG
    and PDF all paint this outline (`paint_look`), so markers look the same everywhere.

    * ``arrow``: a filled triangle, point on the tip, `marker_length` long and as wide;
      the path stops at its base.
    * ``open_arrow``: two strokes from the tip back at the same angle; the path runs on.
    * ``circle``: a filled disc of that diameter centred on the tip; the path stops at it.
    * ``bar``: a stroke across the tip, that long; the path runs on.

    None for "none" (and for an end whose direction is undefined: `tip` == `back`, except
    for a circle, which needs none).
    """
    if marker == "none":
        return None
    length = marker_length(width)
    tx, ty = tip.x(), tip.y()
    if marker == "circle":
        path = QPainterPath()
        r = length / 2.0
        path.addEllipse(tip, r, r)
        return MarkerOutline(path, True, r)
    dx, dy = back.x() - tx, back.y() - ty
    d = math.hypot(dx, dy)
    if d == 0.0:
        return None
    ux, uy = dx / d, dy / d  # along the path, from the tip back
    nx, ny = -uy, ux  # across it
    path = QPainterPath()
    if marker == "bar":
        half = length / 2.0
        path.moveTo(tx + nx * half, ty + ny * half)
        path.lineTo(tx - nx * half, ty - ny * half)
        return MarkerOutline(path, False, 0.0)
    bx, by = tx + ux * length, ty + uy * length
    half = length / 2.0
    wing1 = QPointF(bx + nx * half, by + ny * half)
    wing2 = QPointF(bx - nx * half, by - ny * half)
    if marker == "arrow":
        path.addPolygon(QPolygonF([tip, wing1, wing2]))
        path.closeSubpath()
        return MarkerOutline(path, True, length)
    if marker == "open_arrow":
        path.moveTo(wing1)
        path.lineTo(tip)
        path.lineTo(wing2)
        return MarkerOutline(path, False, 0.0)
    raise ValueError(f"unknown marker {marker!r}")


def _trimmed(tip: QPointF, back: QPointF, marker: MarkerOutline | None) -> QPointF:
    """`tip` moved towards `back` by the marker's trim (never past the middle)."""
    if marker is None or marker.trim == 0.0:
        return tip
    line = QLineF(tip, back)
    length = line.length()
    if length == 0.0:
        return tip
    return line.pointAt(min(marker.trim, length / 2.0) / length)


def paint_markers(painter: QPainter, look: ShapeLook) -> None:
    """Paint a look's end markers with its pen (stroked) or its pen's colour (filled)."""
    pen = look.pen
    assert pen is not None
    for marker in look.markers:
        if marker.filled:
            painter.setPen(_NO_PEN)
            painter.setBrush(pen.color())
        else:
            painter.setPen(pen)
            painter.setBrush(_NO_BRUSH)
        painter.drawPath(marker.path)


def _dress_text(look: ShapeLook, shape: Any) -> None:
    opacity = shape.opacity
    look.box = QRectF(-shape.width / 2.0, -shape.height / 2.0, shape.width, shape.height)
    look.fill = _faded(shape.fill, opacity)
    look.pen = _pen(shape.stroke, shape.stroke_width, opacity, line=False)
    color = _faded(shape.color, opacity)
    if color is not None and shape.text and shape.width > 0.0 and shape.height > 0.0:
        look.text_pen = QPen(color)
        look.origin = look.box.topLeft()


def _fill_and_pen(painter: QPainter, look: ShapeLook) -> None:
    pen, fill = look.pen, look.fill
    if pen is None:
        painter.setPen(_NO_PEN)
    else:
        painter.setPen(pen)
    if fill is None:
        painter.setBrush(_NO_BRUSH)
    else:
        painter.setBrush(fill)


def _paint_rect(painter: QPainter, look: ShapeLook, _: LayoutSource | None, g: bool) -> None:
    _fill_and_pen(painter, look)
    painter.drawRect(look.box)


def _paint_ellipse(painter: QPainter, look: ShapeLook, _: LayoutSource | None, g: bool) -> None:
    _fill_and_pen(painter, look)
    painter.drawEllipse(look.box)


def _paint_line(painter: QPainter, look: ShapeLook, _: LayoutSource | None, g: bool) -> None:
    assert look.pen is not None
    assert look.line is not None
    painter.setPen(look.pen)
    painter.drawLine(look.line)
    if look.markers:
        paint_markers(painter, look)


def _paint_text(
    painter: QPainter, look: ShapeLook, layout_of: LayoutSource | None, greek: bool
) -> None:
    box, fill, pen = look.box, look.fill, look.pen
    shape = look.shape
    assert type(shape) is Text
    # Fill, then the text, then the border on top so clipped glyphs end under it.
    if fill is not None:
        painter.fillRect(box, fill)
    text_pen = look.text_pen
    if text_pen is not None:
        # The clip must not outlive the text: the border next straddles the box edge.
        painter.save()
        try:
            painter.setClipRect(box, _INTERSECT)
            if greek:
                _paint_greek(painter, shape, box, text_pen.color())
            else:
                layout = (layout_of or text_layout)(shape)
                # QTextLayout draws glyphs with the painter's pen.
                painter.setPen(text_pen)
                assert look.origin is not None
                layout.draw(painter, look.origin)
        finally:
            painter.restore()
    if pen is not None:
        painter.setPen(pen)
        painter.setBrush(_NO_BRUSH)
        painter.drawRect(box)


#: Greeked text: line pitch, bar height and mean advance as fractions of the font's
#: pixel size (DejaVu Sans, the default family: 1.16 em line spacing, ~0.55 em per
#: character of running text).
_GREEK_PITCH: Final = 1.17
_GREEK_BAR: Final = 0.45
_GREEK_ADVANCE: Final = 0.55
_GREEK_GREY: Final = (128, 128, 128)


def _paint_greek(painter: QPainter, shape: Text, box: QRectF, color: QColor) -> None:
    """Grey bars where the lines of text would be, estimated without a text layout.

    Paragraphs (``\\n``) start new lines; a paragraph needs as many lines as its
    estimated width fills, the last one partly. Bars below the box are not drawn (the
    clip would hide them anyway).
    """
    px = float(max(1, math.floor(shape.font_size + 0.5)))
    pitch = px * _GREEK_PITCH
    bar = px * _GREEK_BAR
    pad = TEXT_PADDING
    top, left = box.top() + pad, box.left() + pad
    advance = px * _GREEK_ADVANCE
    # At least one character per line, as the real layout does in a too-narrow box.
    width, height = max(advance, box.width() - 2.0 * pad), box.height() - pad
    grey = QColor(*_GREEK_GREY)
    grey.setAlphaF(color.alphaF() * 0.6)
    y = 0.0
    for paragraph in shape.text.replace("\r\n", "\n").split("\n"):
        remaining = len(paragraph.rstrip()) * advance
        while True:
            if y >= height:
                return
            if remaining > 0.0:
                w = remaining if remaining < width else width
                painter.fillRect(QRectF(left, top + y + px * 0.35, w, bar), grey)
            y += pitch
            remaining -= width
            if remaining <= 0.0:
                break


def tiny_color(shape: Shape) -> QColor | None:
    """The colour a shape shows when it is a few pixels big; None if it shows nothing.

    For the canvas's level of detail only (exports always paint in full): the fill if
    visible, else the stroke (a line's colour), else, for a text box, the grey of its
    greeked text (see `paint_look`), with the shape's opacity folded in.
    """
    if shape.opacity <= 0.0:
        return None
    return _RENDERERS[type(shape)].tiny(shape)


def _tiny_stroke(shape: Any) -> QColor | None:
    if shape.stroke_width > 0.0:
        return _faded(shape.stroke, shape.opacity)
    return None


def _tiny_box(shape: Any) -> QColor | None:
    fill = _faded(shape.fill, shape.opacity)
    return fill if fill is not None else _tiny_stroke(shape)


def _tiny_text(shape: Any) -> QColor | None:
    box = _tiny_box(shape)
    if box is not None:
        return box
    color = _faded(shape.color, shape.opacity)
    if color is not None and shape.text.strip():
        grey = QColor(*_GREEK_GREY)
        grey.setAlphaF(color.alphaF() * 0.6)
        return grey
    return None


# The kinds' looks, by the model's kind names. A new kind registers its look here.
register_renderer("rect", Renderer(_box_frame, _dress_box, _paint_rect, _tiny_box))
register_renderer("ellipse", Renderer(_box_frame, _dress_box, _paint_ellipse, _tiny_box))
register_renderer(
    "line", Renderer(_line_frame, _dress_line, _paint_line, _tiny_stroke, _line_extent)
)
register_renderer("text", Renderer(_box_frame, _dress_text, _paint_text, _tiny_text))
register_renderer("polygon", Renderer(_points_frame, _dress_polygon, _paint_path, _tiny_polygon,
                                      _polygon_extent, _dress_polygon))  # fmt: skip
register_renderer("freehand", Renderer(_points_frame, _dress_freehand, _paint_path, _tiny_stroke,
                                       _freehand_extent, _coarse_freehand))  # fmt: skip


def _require_active(painter: QPainter) -> None:
    if not painter.isActive():
        raise ValueError("the painter is not active (call QPainter.begin first)")


def text_font(shape: Text) -> QFont:
    """The font for a text shape: family, whole-pixel size, no hinting.

    No hinting, so glyph advances scale linearly with zoom and match the exports.
    """
    font = QFont(shape.font_family)
    font.setPixelSize(max(1, math.floor(shape.font_size + 0.5)))
    font.setHintingPreference(_NO_HINTING)
    return font


_NO_HINTING: Final = QFont.HintingPreference.PreferNoHinting
_WRAP: Final = QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere


def _layout(shape: Text, text: str, limit: float | None) -> QTextLayout:
    """Lay `text` out in `shape`'s box: lines start at `TEXT_PADDING` from the top-left
    corner and are `TEXT_PADDING` short of the right edge. Lines that would start at or
    below `limit` (a y in the box's frame) are not laid out; None lays out every line."""
    layout = QTextLayout(text.replace("\r\n", "\n").replace("\n", _LINE_SEPARATOR),
                         text_font(shape))  # fmt: skip
    option = QTextOption()
    option.setWrapMode(_WRAP)
    option.setUseDesignMetrics(True)
    layout.setTextOption(option)
    width = max(0.0, shape.width - 2.0 * TEXT_PADDING)
    y = TEXT_PADDING
    layout.beginLayout()
    try:
        while limit is None or y < limit:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(TEXT_PADDING, y))
            y += line.height()
    finally:
        layout.endLayout()
    return layout


def text_layout(shape: Text) -> QTextLayout:
    """Lay out the shape's text in its box, box top-left at (0, 0), inside the padding.

    Lines entirely below the box are not laid out (they would be clipped away); the
    line that crosses the bottom edge is kept and clipped by the painter. The canvas can
    use the layout for caret placement and hit testing during text editing.
    """
    return _layout(shape, shape.text, shape.height)


def fitted_height(shape: Text, text: str | None = None) -> float:
    """The height the box needs to show all of `text` (default: its own text) with its
    padding, at its width and font: padding, every line, padding. At least one line."""
    layout = _layout(shape, shape.text if text is None else text, None)
    n = layout.lineCount()
    if n == 0:
        return 2.0 * TEXT_PADDING + float(text_font(shape).pixelSize())
    last = layout.lineAt(n - 1)
    return last.y() + last.height() + TEXT_PADDING


def text_overflows(shape: Text, layout: QTextLayout | None = None) -> bool:
    """Whether some of the box's visible text is cut off by its bottom edge.

    `layout` is the box's `text_layout` if the caller has it (the canvas caches it).
    Trailing white space and empty lines do not count: nothing visible is hidden.
    """
    visible = len(shape.text.replace("\r\n", "\n").rstrip())
    if visible == 0 or shape.width <= 0.0 or shape.height <= 0.0:
        return False
    if layout is None:
        layout = text_layout(shape)
    n = layout.lineCount()
    if n == 0:
        return True
    last = layout.lineAt(n - 1)
    if last.textStart() + last.textLength() < visible:
        return True  # lines below the box were never laid out
    for i in range(n - 1, -1, -1):
        line = layout.lineAt(i)
        if line.y() + line.height() <= shape.height + 1e-6:
            return False
        if line.textStart() < visible:
            return True
    return False


def _overlaps_page(shape: Shape, width: float, height: float) -> bool:
    r = shape_rect(shape)
    return r.right() >= 0.0 and r.bottom() >= 0.0 and r.left() <= width and r.top() <= height


def paint_page(
    painter: QPainter,
    snapshot: Snapshot,
    *,
    check: Check | None = None,
    progress: Progress | None = None,
    chunk: int = DEFAULT_CHUNK,
) -> None:
    """Paint the page background and every shape, bottom to top, in document coordinates.

    The caller sets the painter's transform (scale for PNG, page mapping for PDF). Shapes
    entirely outside the page are skipped: no export shows them, and skipping them keeps
    SVG/PDF files small. Nothing is clipped to the page: the image, the SVG viewBox and
    the PDF page do that.

    ``check()`` runs before each chunk of `chunk` shapes and may raise to cancel; the
    exception propagates with the painter's state restored. ``progress(fraction,
    message)`` runs after each chunk, ending with 1.0.
    """
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, got {chunk}")
    _require_active(painter)
    page = snapshot.page
    shapes: Sequence[Shape] = snapshot.shapes
    total = len(shapes)
    painter.save()
    try:
        painter.setRenderHints(_HINTS)
        background = _faded(page.background, 1.0)
        if background is not None:
            painter.fillRect(QRectF(0.0, 0.0, page.width, page.height), background)
        # No save()/restore() per shape: paint_look sets every pen and brush it uses
        # and scopes its own clip, so only the transform changes between shapes. (Each
        # restore() makes QSvgGenerator write another <g>, doubling the SVG's size.)
        base = painter.transform()
        for start in range(0, total, chunk):
            if check is not None:
                check()
            for shape in shapes[start : start + chunk]:
                if _overlaps_page(shape, page.width, page.height):
                    painter.setTransform(local_transform(shape) * base)
                    paint_look(painter, ShapeLook(shape))
            if progress is not None:
                done = min(start + chunk, total)
                progress(done / total, f"Painted {done} of {total} shapes")
        if total == 0:
            if check is not None:
                check()
            if progress is not None:
                progress(1.0, "Painted the empty page")
    finally:
        painter.restore()
