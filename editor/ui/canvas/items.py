"""Scene items: one `ShapeItem` per document shape, and the page behind them.

A `ShapeItem` mirrors one immutable shape with plain QGraphicsItem properties, the way the
shared renderer's local frame was designed for (see `editor.io.render`): ``pos()`` is the
shape's centre (a line's midpoint), ``rotation()`` its rotation, ``boundingRect()`` the
renderer's `local_rect`, and ``paint()`` calls `paint_shape_local`. Moving a shape therefore
changes only ``pos()``: Qt repaints the old and new areas and re-indexes one item, and a
drag preview is just ``setPos``. The item never paints anything the renderer would not,
so what you see is what you export.

Caching (measured with bench/bench_canvas.py, 10,000 shapes): every shape item uses
DeviceCoordinateCache, a pixmap of itself at the current zoom. Dragging a shape repaints
the area it uncovers; without the cache that is one Python `paint` (and, for a text box,
a fresh text layout) per neighbour — ~2-4 ms per mouse move when zoomed out over a
dense drawing — with it, a few blits (~0.4 ms). A pure move keeps the pixmap (see
`_same_look`); any other change drops it. The price: the first paint at a new zoom
renders each visible item into its own pixmap, about twice the cost of painting it
directly, which shows only when tens of thousands of shapes are visible at once.
"""

from __future__ import annotations

import math
from typing import Final

import msgspec
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from editor.io.render import local_rect, paint_shape_local, qcolor, shape_origin
from editor.model import Ellipse, Line, Page, Shape, Text

#: Above every document shape. Document z keys are small floats (about the shape count),
#: so helpers (selection, previews, the text editor) stack safely above them.
TOP_Z: Final = 1e300
#: Below every document shape: the page.
BOTTOM_Z: Final = -1e300

_USER_TYPE: Final = 65536  # QGraphicsItem.UserType (untyped in the PySide6 stubs)
SHAPE_ITEM_TYPE: Final = _USER_TYPE + 1
PAGE_ITEM_TYPE: Final = _USER_TYPE + 2

#: Colour of selection outlines, handles, rubber band and previews' guides.
SELECTION_COLOR: Final = QColor(26, 115, 232)


class ShapeItem(QGraphicsItem):
    """One document shape on the canvas, painted by the shared renderer.

    The item holds the document's value (`model`) and the value it paints (`painted`),
    which differs only while a gesture previews a change (a resize) or while the text of
    a text box is being edited in place (the editor draws the text, so the item paints
    the box without it).
    """

    def __init__(self, shape: Shape, z: float) -> None:
        super().__init__()
        self.shape_id: str = shape.id
        self._model: Shape = shape
        self._painted: Shape = shape
        self._text_hidden = False
        #: The value the item's geometry and cached pixmap were last made from.
        self._placed: Shape = shape
        self._rect = local_rect(shape)
        # Selectable only so that the scene's selection mirrors the session's (see
        # CanvasScene); the canvas handles every mouse event itself.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        # Each shape keeps a pixmap of itself at the current zoom: repainting the area a
        # dragged shape uncovers is then a few blits instead of a Python paint (and a
        # text layout) per neighbour. See the module docstring for the trade-off.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(z)
        # As _place() does, minus the checks a new item does not need (100,000 of these
        # are built when a large document opens).
        self.setPos(shape_origin(shape))
        if not isinstance(shape, Line) and shape.rotation != 0.0:
            self.setRotation(shape.rotation)

    # ------------------------------------------------------------------ state
    @property
    def model(self) -> Shape:
        """The shape as the document has it."""
        return self._model

    @property
    def painted(self) -> Shape:
        """The shape as painted now (a preview during a gesture)."""
        return self._painted

    def set_shape(self, shape: Shape) -> None:
        """The document changed this shape: show the new value (ends any preview)."""
        self._model = shape
        self._show(shape)

    def preview(self, shape: Shape) -> None:
        """Paint `shape` instead of the document's value until `end_preview`."""
        self._show(shape)

    def end_preview(self) -> None:
        self._show(self._model)

    def set_text_hidden(self, hidden: bool) -> None:
        """Paint a text box without its text (the in-place editor draws it)."""
        if hidden != self._text_hidden:
            self._text_hidden = hidden
            self._show(self._model)

    def _show(self, shape: Shape) -> None:
        if self._text_hidden and isinstance(shape, Text):
            shape = msgspec.structs.replace(shape, text="")
        self._painted = shape
        self._place(shape)

    def _place(self, shape: Shape) -> None:
        old = self._placed
        self._placed = shape
        rect = local_rect(shape)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.setPos(shape_origin(shape))
        rotation = 0.0 if isinstance(shape, Line) else shape.rotation
        if rotation != self.rotation():
            self.setRotation(rotation)
        if not _same_look(old, shape):
            self.update()  # also drops the cached pixmap; a pure move keeps it

    # ------------------------------------------------------------ hit testing
    def hit(self, scene_point: QPointF, tolerance: float) -> bool:
        """Whether a click at `scene_point` picks this shape.

        `tolerance` is in scene units (a few screen pixels). Filled shapes and text boxes
        are picked anywhere inside; rectangles and ellipses without a visible fill only on
        their outline, like Inkscape, so an empty frame does not hide what is inside it.
        """
        shape = self._painted
        p = self.mapFromScene(scene_point)
        x, y = p.x(), p.y()
        half = _half_stroke(shape)
        if isinstance(shape, Line):
            dx, dy = (shape.x2 - shape.x1) / 2.0, (shape.y2 - shape.y1) / 2.0
            return _segment_distance(x, y, -dx, -dy, dx, dy) <= half + tolerance
        a, b = shape.width / 2.0, shape.height / 2.0
        reach = half + tolerance
        filled = isinstance(shape, Text) or _visible(shape.fill, shape.opacity)
        if isinstance(shape, Ellipse):
            outer = _inside_ellipse(x, y, a + reach, b + reach)
            if filled or not outer:
                return outer
            inner_a, inner_b = a - reach, b - reach
            return inner_a <= 0 or inner_b <= 0 or not _inside_ellipse(x, y, inner_a, inner_b)
        inside = abs(x) <= a + reach and abs(y) <= b + reach
        if filled or not inside:
            return inside
        return abs(x) >= a - reach or abs(y) >= b - reach

    # --------------------------------------------------------------- QGraphicsItem
    def type(self) -> int:
        return SHAPE_ITEM_TYPE

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        paint_shape_local(painter, self._painted)


def _same_look(a: Shape, b: Shape) -> bool:
    """Whether `b` is `a` moved (same size, turn and style): its pixmap can be reused."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Line):
        assert isinstance(b, Line)
        return (
            a.x2 - a.x1 == b.x2 - b.x1
            and a.y2 - a.y1 == b.y2 - b.y1
            and (a.stroke, a.stroke_width, a.opacity) == (b.stroke, b.stroke_width, b.opacity)
        )
    assert not isinstance(b, Line)
    return msgspec.structs.replace(a, x=b.x, y=b.y) == b


def _half_stroke(shape: Shape) -> float:
    return shape.stroke_width / 2.0 if shape.stroke is not None else 0.0


def _visible(color: str | None, opacity: float) -> bool:
    return color is not None and opacity > 0.0 and qcolor(color).alpha() > 0


def _inside_ellipse(x: float, y: float, a: float, b: float) -> bool:
    if a <= 0.0 or b <= 0.0:
        return abs(x) <= max(a, 0.0) and abs(y) <= max(b, 0.0)
    return (x / a) ** 2 + (y / b) ** 2 <= 1.0


def _segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    vx, vy = bx - ax, by - ay
    length2 = vx * vx + vy * vy
    t = 0.0 if length2 == 0.0 else max(0.0, min(1.0, ((px - ax) * vx + (py - ay) * vy) / length2))
    return math.hypot(px - (ax + t * vx), py - (ay + t * vy))


class PageItem(QGraphicsItem):
    """The page: its background colour with a thin border and a soft drop shadow.

    The border and shadow keep a constant on-screen size whatever the zoom; the view
    tells the item how big one screen pixel is in scene units (`set_pixel_size`).
    A translucent background is shown over a checkerboard, as image editors do.
    """

    SHADOW_PX: Final = 4.0

    def __init__(self, page: Page) -> None:
        super().__init__()
        self._page = page
        self._px = 1.0
        self.setZValue(BOTTOM_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def page_rect(self) -> QRectF:
        return QRectF(0.0, 0.0, self._page.width, self._page.height)

    def set_page(self, page: Page) -> None:
        self.prepareGeometryChange()
        self._page = page
        self.update()

    def set_pixel_size(self, px: float) -> None:
        if px != self._px:
            self.prepareGeometryChange()
            self._px = px

    def type(self) -> int:
        return PAGE_ITEM_TYPE

    def boundingRect(self) -> QRectF:
        px = self._px
        grow = (self.SHADOW_PX + 1.0) * px
        return self.page_rect().adjusted(-px, -px, grow, grow)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        rect = self.page_rect()
        px = self._px
        shadow = self.SHADOW_PX * px
        painter.fillRect(rect.translated(shadow, shadow), QColor(0, 0, 0, 40))
        painter.fillRect(rect.translated(shadow / 2.0, shadow / 2.0), QColor(0, 0, 0, 30))
        background = qcolor(self._page.background)
        if background.alpha() < 255:
            painter.fillRect(rect, _checkerboard())
        painter.fillRect(rect, background)
        pen = QPen(QColor(0, 0, 0, 90), 0.0)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)


_CHECKER: list[QBrush] = []


def _checkerboard() -> QBrush:
    """A light grey checkerboard brush (made once: it needs a GUI application)."""
    if not _CHECKER:
        image = QImage(16, 16, QImage.Format.Format_RGB32)
        image.fill(QColor(255, 255, 255))
        grey = QColor(220, 220, 220)
        for x in range(16):
            for y in range(16):
                if (x < 8) != (y < 8):
                    image.setPixelColor(x, y, grey)
        _CHECKER.append(QBrush(image))
    return _CHECKER[0]
