"""The canvas part of each shape kind, and the tools: one registration per kind.

What a kind needs on the canvas (see `registry.CanvasKind` and `registry.Tool`): its
selection frame and group outline, when a change is only a move,
and its tool: key, icon, cursor, the gesture a press starts and what a drag or a click
draws. Adding a kind means one `register_canvas_kind` and one `register_tool` here (the
Struct and geometry in `editor/model/shapes.py`, the look in `editor/io/render.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Final

import msgspec
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPolygonF

from editor.io.render import TEXT_PADDING, local_transform
from editor.model import Box, Ellipse, Line, Rect, Shape, Text, ellipse, line, rect, text
from editor.model.points import points_bounds
from editor.model.shapes import Freehand, Polygon, freehand, polygon
from editor.ui.icons import FILL, INK, ink_pen

from .geometry import Frame, box_from_drag, clamp_coord, constrain_45
from .paths import PolygonGesture, StrokeGesture
from .registry import (
    DEFAULT_BOX_SIZE,
    DEFAULT_TEXT_WIDTH,
    CanvasKind,
    ClickRule,
    DefaultStyle,
    DragRule,
    Tool,
    register_canvas_kind,
    register_tool,
)
from .tools import DrawGesture

#: A dragged text box is at least this wide (room for a letter or two inside the
#: padding) and one line high.
MIN_TEXT_WIDTH: Final = 20.0 + 2 * TEXT_PADDING

Point = tuple[float, float]
NewId = Callable[[], str]


# --------------------------------------------------------- frames and outlines
def _box_frame(shape: Box) -> Frame:
    w, h = shape.width / 2.0, shape.height / 2.0
    return Frame("box", -w, -h, w, h, shape.rotation % 360.0, shape.x + w, shape.y + h)


def _line_frame(shape: Line) -> Frame:
    return Frame("line", shape.x1, shape.y1, shape.x2, shape.y2)


def _box_outline(shape: Rect | Ellipse | Text) -> QPolygonF:
    """The shape's (possibly rotated) box as a scene polygon (an ellipse shows its box)."""
    w, h = shape.width / 2.0, shape.height / 2.0
    return local_transform(shape).map(QPolygonF(QRectF(-w, -h, 2.0 * w, 2.0 * h)))


def _line_outline(shape: Line) -> QLineF:
    return QLineF(shape.x1, shape.y1, shape.x2, shape.y2)


def _polygon_frame(shape: Polygon) -> Frame:
    """Resize handles on the bounds and a handle on each vertex."""
    x, y, w, h = points_bounds(shape.points)
    return Frame("points", x, y, x + w, y + h, points=shape.points, shape_id=shape.id)


def _freehand_frame(shape: Freehand) -> Frame:
    """Resize handles only (a stroke's hundreds of points are not edited one by one)."""
    x, y, w, h = points_bounds(shape.points)
    return Frame("points", x, y, x + w, y + h, shape_id=shape.id)


def _points_outline(shape: Polygon | Freehand) -> QPolygonF:
    """The bounds of the points (a group shows each member's box)."""
    x, y, w, h = points_bounds(shape.points)
    return QPolygonF(QRectF(x, y, w, h))


# ------------------------------------------------------------- same look, tiny
def _box_same_look(a: Box, b: Box) -> bool:
    return msgspec.structs.replace(a, x=b.x, y=b.y) == b


def _line_same_look(a: Line, b: Line) -> bool:
    return (
        a.x2 - a.x1 == b.x2 - b.x1
        and a.y2 - a.y1 == b.y2 - b.y1
        and (a.stroke, a.stroke_width, a.opacity) == (b.stroke, b.stroke_width, b.opacity)
    )


def _points_same_look(a: Polygon | Freehand, b: Polygon | Freehand) -> bool:
    """`b` is `a` moved: same style, every point offset by the same vector."""
    pa, pb = a.points, b.points
    if len(pa) != len(pb) or msgspec.structs.replace(a, points=pb) != b:
        return False
    dx, dy = pb[0][0] - pa[0][0], pb[0][1] - pa[0][1]
    return all(q[0] - p[0] == dx and q[1] - p[1] == dy for p, q in zip(pa, pb, strict=True))


def _polygon_tiny_key(s: Polygon) -> tuple[Hashable, ...]:
    return (type(s), s.closed, s.fill, s.stroke, s.stroke_width > 0.0, s.opacity)


def _box_tiny_key(s: Box) -> tuple[Hashable, ...]:
    return (type(s), s.fill, s.stroke, s.stroke_width > 0.0, s.opacity)


def _line_tiny_key(s: Line) -> tuple[Hashable, ...]:
    return (type(s), s.stroke, s.stroke_width > 0.0, s.opacity)


def _text_tiny_key(s: Text) -> tuple[Hashable, ...]:
    return (type(s), s.fill, s.stroke, s.stroke_width > 0.0, s.opacity, s.color,
            not s.text.strip())  # fmt: skip


# ------------------------------------------------------------------ drawing
def _box_drag(make: Callable[..., Shape]) -> DragRule:
    def drag(style: DefaultStyle, new_id: NewId, start: Point, end: Point, shift: bool) -> Shape:
        x, y, w, h = box_from_drag(*start, *end, square=shift)
        return make(new_id(), x, y, w, h, fill=style.fill, stroke=style.stroke,
                    stroke_width=style.stroke_width)  # fmt: skip

    return drag


def _box_click(make: Callable[..., Shape]) -> ClickRule:
    def click(style: DefaultStyle, new_id: NewId, at: Point) -> Shape:
        return make(new_id(), *at, *DEFAULT_BOX_SIZE, fill=style.fill, stroke=style.stroke,
                    stroke_width=style.stroke_width)  # fmt: skip

    return click


def _line_drag(
    style: DefaultStyle, new_id: NewId, start: Point, end: Point, shift: bool
) -> Shape | None:
    x0, y0 = start
    dx, dy = end[0] - x0, end[1] - y0
    if shift:
        dx, dy = constrain_45(dx, dy)
    if dx == 0.0 and dy == 0.0:
        return None
    return line(new_id(), x0, y0, clamp_coord(x0 + dx), clamp_coord(y0 + dy),
                stroke=style.stroke, stroke_width=style.line_width)  # fmt: skip


def _new_text(style: DefaultStyle, new_id: NewId, x: float, y: float, w: float, h: float) -> Shape:
    return text(new_id(), x, y, w, h, "", font_family=style.font_family,
                font_size=style.font_size, color=style.text_color, auto_height=True)  # fmt: skip


def _text_drag(style: DefaultStyle, new_id: NewId, start: Point, end: Point, shift: bool) -> Shape:
    x, y, w, h = box_from_drag(*start, *end, square=shift)
    return _new_text(style, new_id, x, y, max(w, MIN_TEXT_WIDTH), max(h, style.line_height()))


def _text_click(style: DefaultStyle, new_id: NewId, at: Point) -> Shape:
    return _new_text(style, new_id, *at, DEFAULT_TEXT_WIDTH, style.line_height())


def _polygon_points(
    style: DefaultStyle, new_id: NewId, points: tuple[Point, ...], closed: bool
) -> Shape:
    return polygon(new_id(), points, closed, fill=style.fill, stroke=style.stroke,
                   stroke_width=style.stroke_width)  # fmt: skip


def _freehand_points(
    style: DefaultStyle, new_id: NewId, points: tuple[Point, ...], closed: bool
) -> Shape:
    return freehand(new_id(), points, stroke=style.stroke, stroke_width=style.line_width)


# ------------------------------------------------------------------- icons
def _icon_select(p: QPainter) -> None:
    path = QPainterPath(QPointF(6, 3))
    for x, y in ((6, 19), (10, 15), (13, 21), (15.5, 20), (12.5, 14), (18, 14)):
        path.lineTo(x, y)
    path.closeSubpath()
    p.setPen(ink_pen(1.3))
    p.setBrush(QColor("#ffffff"))
    p.drawPath(path)


def _icon_rect(p: QPainter) -> None:
    p.setPen(ink_pen())
    p.setBrush(FILL)
    p.drawRect(QRectF(3.5, 6.5, 17, 11))


def _icon_ellipse(p: QPainter) -> None:
    p.setPen(ink_pen())
    p.setBrush(FILL)
    p.drawEllipse(QRectF(3, 5.5, 18, 13))


def _icon_line(p: QPainter) -> None:
    p.setPen(ink_pen(2.0))
    p.drawLine(QPointF(4, 19), QPointF(20, 5))


def _icon_text(p: QPainter) -> None:
    font = QFont("DejaVu Sans")
    font.setPixelSize(19)
    font.setBold(True)
    p.setFont(font)
    p.setPen(INK)
    p.drawText(QRectF(0, 0, 24, 24), Qt.AlignmentFlag.AlignCenter, "T")


def _icon_polygon(p: QPainter) -> None:
    p.setPen(ink_pen())
    p.setBrush(FILL)
    p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in
                             ((12, 3.5), (20.5, 9.5), (17, 20), (7, 20), (3.5, 9.5))]))  # fmt: skip
    p.setBrush(QColor("#ffffff"))
    for x, y in ((12, 3.5), (20.5, 9.5), (17, 20), (7, 20), (3.5, 9.5)):
        p.drawEllipse(QPointF(x, y), 1.6, 1.6)


def _icon_pen(p: QPainter) -> None:
    path = QPainterPath(QPointF(3, 17))
    path.cubicTo(6, 6, 10, 6, 11.5, 12)
    path.cubicTo(13, 18, 17, 18, 21, 6)
    p.setPen(ink_pen(2.0))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)


# ------------------------------------------------------------ registrations
register_tool(
    Tool("select", "&Select", "V", "Select and move", _icon_select, Qt.CursorShape.ArrowCursor)
)

register_canvas_kind(CanvasKind("rect", _box_frame, _box_outline, _box_same_look, _box_tiny_key))
register_tool(Tool("rect", "&Rectangle", "R", "Draw rectangles", _icon_rect,
                   gesture=DrawGesture, drag=_box_drag(rect), click=_box_click(rect)))  # fmt: skip

register_canvas_kind(CanvasKind("ellipse", _box_frame, _box_outline, _box_same_look, _box_tiny_key))
register_tool(Tool("ellipse", "&Ellipse", "E", "Draw ellipses", _icon_ellipse,
                   gesture=DrawGesture, drag=_box_drag(ellipse),
                   click=_box_click(ellipse)))  # fmt: skip

register_canvas_kind(
    CanvasKind("line", _line_frame, _line_outline, _line_same_look, _line_tiny_key)
)
# A click adds no line: a line needs a direction.
register_tool(Tool("line", "&Line", "L", "Draw lines", _icon_line, gesture=DrawGesture,
                   drag=_line_drag))  # fmt: skip

register_canvas_kind(CanvasKind("text", _box_frame, _box_outline, _box_same_look, _text_tiny_key))
register_tool(Tool("text", "&Text", "T", "Add text boxes", _icon_text,
                   Qt.CursorShape.IBeamCursor, gesture=DrawGesture, drag=_text_drag,
                   click=_text_click, edits_text=True))  # fmt: skip

register_canvas_kind(CanvasKind("polygon", _polygon_frame, _points_outline, _points_same_look,
                                _polygon_tiny_key))  # fmt: skip
register_tool(Tool("polygon", "&Polygon", "P",
                   "Draw polygons: click each corner; double-click or Enter ends, "
                   "Backspace takes a corner back", _icon_polygon, gesture=PolygonGesture,
                   points=_polygon_points))  # fmt: skip

register_canvas_kind(CanvasKind("freehand", _freehand_frame, _points_outline, _points_same_look,
                                _line_tiny_key))  # fmt: skip
register_tool(Tool("freehand", "&Pen", "B", "Draw freehand strokes", _icon_pen,
                   gesture=StrokeGesture, points=_freehand_points))  # fmt: skip
