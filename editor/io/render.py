"""The one renderer: paints shapes for the canvas and for every exporter.

The canvas (a QGraphicsItem per shape) and the PNG/SVG/PDF exporters call the functions
here, so what you see is what you export. Everything is a plain function of a painter and
an immutable shape; no Qt object outlives a call, nothing touches widgets, QPixmap or the
application object, so a worker thread may paint a snapshot onto a QImage, QSvgGenerator
or QPdfWriter while the GUI thread paints the canvas.

Coordinates
    `paint_shape` paints in document coordinates. `paint_shape_local` paints in the
    shape's own frame: origin at the centre of its box (the midpoint of a line), axes
    *unrotated*. `local_transform` maps that frame to the document (translate to the
    centre, then rotate clockwise), and `paint_shape` is exactly
    "apply `local_transform`, then `paint_shape_local`". The centre was chosen as origin so
    that a canvas item can mirror a shape with plain QGraphicsItem properties and no
    per-paint arithmetic::

        item.setPos(shape_origin(shape))      # moving a shape changes only pos()
        item.setRotation(shape.rotation)      # rotates about the item's (0, 0) = centre
        item.boundingRect() -> local_rect(shape)
        item.paint(...)     -> paint_shape_local(painter, shape)

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
    Wrapped at word boundaries (anywhere inside a word longer than the box), top-left
    aligned, no padding, ``\\n`` starts a new line, drawn with the text colour. The text
    is **clipped to its box**: a shape never paints outside `shape_rect`, so the canvas
    item's bounding rect and update regions are exact and an overflowing text box looks
    the same on screen and in every export (QSvgGenerator is used in SVG 1.1 mode, which
    writes clip paths). Layout is done with QTextLayout using design metrics and no
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
from collections.abc import Callable, Sequence
from typing import Final, TypeAlias

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPen,
    QTextLayout,
    QTextOption,
    QTransform,
)

from editor.model.document import Snapshot
from editor.model.shapes import COLOR_PATTERN, Ellipse, Line, Shape, Text

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

_HINTS: Final = QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
_LINE_SEPARATOR: Final = "\u2028"


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


def _pen(value: str | None, width: float, opacity: float, *, line: bool) -> QPen | None:
    color = _faded(value, opacity)
    if color is None or width <= 0.0:
        return None
    if line:
        return QPen(
            QBrush(color), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )  # fmt: skip
    return QPen(
        QBrush(color), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.SquareCap,
        Qt.PenJoinStyle.MiterJoin,
    )  # fmt: skip


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
    if isinstance(shape, Line):
        return QPointF((shape.x1 + shape.x2) / 2.0, (shape.y1 + shape.y2) / 2.0)
    return QPointF(shape.x + shape.width / 2.0, shape.y + shape.height / 2.0)


def local_transform(shape: Shape) -> QTransform:
    """Maps the shape's local frame to document coordinates (translate, then rotate).

    The same transform a QGraphicsItem builds from ``setPos(shape_origin(shape))`` and
    ``setRotation(shape.rotation)`` (Qt rotates clockwise on screen, like the model).
    """
    origin = shape_origin(shape)
    transform = QTransform.fromTranslate(origin.x(), origin.y())
    if not isinstance(shape, Line) and shape.rotation % 360.0 != 0.0:
        transform.rotate(shape.rotation)
    return transform


def _local_box(shape: Shape) -> QRectF:
    """The unpadded geometry in local coordinates (a line's box may be degenerate)."""
    if isinstance(shape, Line):
        dx = (shape.x2 - shape.x1) / 2.0
        dy = (shape.y2 - shape.y1) / 2.0
        return QRectF(-abs(dx), -abs(dy), 2.0 * abs(dx), 2.0 * abs(dy))
    return QRectF(-shape.width / 2.0, -shape.height / 2.0, shape.width, shape.height)


def local_rect(shape: Shape) -> QRectF:
    """Everything `paint_shape_local` may paint, in local (unrotated) coordinates.

    The box or the line's extent, grown by half the stroke width on every side (strokes
    are centred; round line caps and mitred 90-degree corners stay within that). Text is
    clipped to its box, so it adds nothing. This is the canvas item's boundingRect().
    """
    half = _half_stroke(shape)
    return _local_box(shape).adjusted(-half, -half, half, half)


def shape_rect(shape: Shape) -> QRectF:
    """Everything `paint_shape` may paint, in document coordinates (axis-aligned).

    `local_rect` mapped through `local_transform`, so it includes half the stroke width
    and the rotation. Use it for update regions and culling.
    """
    return local_transform(shape).mapRect(local_rect(shape))


# --------------------------------------------------------------------- painting
def _require_active(painter: QPainter) -> None:
    if not painter.isActive():
        raise ValueError("the painter is not active (call QPainter.begin first)")


def paint_shape(painter: QPainter, shape: Shape) -> None:
    """Paint one shape in document coordinates, on top of the painter's transform.

    Turns antialiasing on for the shape and leaves the painter's state (pen, brush,
    transform, clip, hints, font) as it found it, even if painting raises.
    """
    _require_active(painter)
    painter.save()
    try:
        painter.setRenderHints(_HINTS)
        painter.setTransform(local_transform(shape), True)
        _paint_local(painter, shape)
    finally:
        painter.restore()


def paint_shape_local(painter: QPainter, shape: Shape) -> None:
    """Paint one shape in its local frame (origin at its centre, rotation NOT applied).

    For a canvas item positioned at `shape_origin` and rotated by ``shape.rotation``
    (see the module docstring). Leaves the painter's state as it found it.
    """
    _require_active(painter)
    painter.save()
    try:
        painter.setRenderHints(_HINTS)
        _paint_local(painter, shape)
    finally:
        painter.restore()


def _paint_local(painter: QPainter, shape: Shape) -> None:
    """Paint without saving state; the callers save and restore around it."""
    opacity = shape.opacity
    if opacity <= 0.0:
        return
    if isinstance(shape, Line):
        pen = _pen(shape.stroke, shape.stroke_width, opacity, line=True)
        if pen is not None:
            painter.setPen(pen)
            dx = (shape.x2 - shape.x1) / 2.0
            dy = (shape.y2 - shape.y1) / 2.0
            painter.drawLine(QLineF(-dx, -dy, dx, dy))
        return

    box = _local_box(shape)
    fill = _faded(shape.fill, opacity)
    pen = _pen(shape.stroke, shape.stroke_width, opacity, line=False)
    if isinstance(shape, Text):
        # Fill, then the text, then the border on top so clipped glyphs end under it.
        if fill is not None:
            painter.fillRect(box, fill)
        _paint_text(painter, shape, box, opacity)
        if pen is not None:
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(box)
        return
    if fill is None and pen is None:
        return
    if pen is None:
        painter.setPen(Qt.PenStyle.NoPen)
    else:
        painter.setPen(pen)
    if fill is None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
    else:
        painter.setBrush(fill)
    if isinstance(shape, Ellipse):
        painter.drawEllipse(box)
    else:
        painter.drawRect(box)


def _paint_text(painter: QPainter, shape: Text, box: QRectF, opacity: float) -> None:
    color = _faded(shape.color, opacity)
    if color is None or not shape.text or box.width() <= 0.0 or box.height() <= 0.0:
        return
    layout = text_layout(shape)
    # The clip must not outlive the text: the border drawn next straddles the box edge.
    painter.save()
    try:
        painter.setClipRect(box, Qt.ClipOperation.IntersectClip)
        # QTextLayout draws glyphs with the painter's pen.
        painter.setPen(QPen(color))
        layout.draw(painter, box.topLeft())
    finally:
        painter.restore()


def text_font(shape: Text) -> QFont:
    """The font for a text shape: family, whole-pixel size, no hinting.

    No hinting, so glyph advances scale linearly with zoom and match the exports.
    """
    font = QFont(shape.font_family)
    font.setPixelSize(max(1, math.floor(shape.font_size + 0.5)))
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def text_layout(shape: Text) -> QTextLayout:
    """Lay out the shape's text in its box, box top-left at (0, 0).

    Lines entirely below the box are not laid out (they would be clipped away); the
    line that crosses the bottom edge is kept and clipped by the painter. The canvas can
    use the layout for caret placement and hit testing during text editing.
    """
    text = shape.text.replace("\r\n", "\n").replace("\n", _LINE_SEPARATOR)
    layout = QTextLayout(text, text_font(shape))
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    option.setUseDesignMetrics(True)
    layout.setTextOption(option)
    width, height = shape.width, shape.height
    y = 0.0
    layout.beginLayout()
    try:
        while y < height:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0.0, y))
            y += line.height()
    finally:
        layout.endLayout()
    return layout


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
        # No save()/restore() per shape: _paint_local sets every pen and brush it uses
        # and scopes its own clip, so only the transform changes between shapes. (Each
        # restore() makes QSvgGenerator write another <g>, doubling the SVG's size.)
        base = painter.transform()
        for start in range(0, total, chunk):
            if check is not None:
                check()
            for shape in shapes[start : start + chunk]:
                if _overlaps_page(shape, page.width, page.height):
                    painter.setTransform(local_transform(shape) * base)
                    _paint_local(painter, shape)
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
