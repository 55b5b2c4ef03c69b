"""Scene items: one `ShapeItem` per document shape, the layer that paints them, the page.

A `ShapeItem` mirrors one immutable shape with plain QGraphicsItem properties, the way the
shared renderer's local frame was designed for (see `editor.io.render`): ``pos()`` is the
shape's centre (a line's midpoint), ``rotation()`` its rotation, ``boundingRect()`` the
renderer's `local_rect`. Moving a shape therefore changes only ``pos()``, and a drag
preview is `ShapeItem.move_to`. The item is what the scene indexes, picks, selects and
moves; what it *looks like* is the renderer's `ShapeLook` of its shape, painted with
`paint_look` exactly as the exporters paint it.

Who paints: the `ShapeLayer`, not each item. Document items are `layered`: they have
ItemHasNoContents, and one layer item (above the page, below every helper) paints, on
each repaint, the items in the exposed area bottom to top, in one Python call. Qt's own
per-item painting costs ~5 µs of C++ and binding overhead per visible item before any of
our code runs (two Python boundingRect() calls, a Python paint() call with three wrapped
arguments, a painter save/restore, a style option): at "zoom to fit" on 100,000 shapes
that alone was 0.5 s per repaint, and the first paint after opening took 1.4 s even with
every shape reduced to one fillRect. Through the layer the same repaint costs ~0.2 s (a
tight loop; see ShapeLayer) and the first one ~0.25 s. The price: Qt does not repaint a
moved or changed item that has no contents, so every change of a document item goes
through methods that tell the layer which area to repaint (`move_to`, `set_shape`,
`preview`, `set_text_hidden`, the scene's add, remove and restack). Do not call
setPos/setRotation/setZValue on a document item directly. Items that are not layered
(a drawing gesture's preview) paint themselves.

Level of detail (canvas only; exports always paint everything in full). Decided per
item on device pixels, from the painter's world transform:

* a shape whose larger side is under `TINY_PX` device pixels is one ``fillRect`` of its
  bounding rect (unrotated) in the colour that dominates it
  (`editor.io.render.tiny_color`: fill, else stroke, else the grey of greeked text).
  At "zoom to fit" on a dense drawing nearly every shape is this small, and a full
  paint (~10-40 µs of Python each, more for text) is what made the first paint of a
  100,000-shape document take 5-9 s;
* text whose font is under `GREEK_PX` device pixels is "greeked": grey bars where the
  lines are (``paint_look(..., greek=True)``), as Illustrator does; no text layout is
  made. Fill and border are painted in full;
* otherwise the shape is painted in full from a cached look and text layout (`_LOOKS`,
  `_LAYOUTS`: bounded, most recently used, GUI thread only).

Overflowing text (canvas only). A text box whose visible text does not fit its height
(`editor.io.render.text_overflows`: a box whose height the person set, or text made
larger) gets an overflow marker when painted in full: its bottom edge in red and a red
tab with a white "+" in its bottom-right corner, a constant size on screen. The marker
is inside the box, so the item's bounding rect and update regions stay the renderer's.
Exports show the box as it is (text clipped at the edge), without the marker.

`ShapeItem.paint_observer` is a seam for tests and benchmarks: when set, it is called
with (item, detail) for every shape painted, detail being "tiny", "greek" or "full".

No DeviceCoordinateCache: a pixmap per item at the current zoom made a drag over a dense
drawing cheaper when every neighbour's repaint was a full Python paint with a fresh text
layout, but it doubled the first paint at every zoom (each visible item rendered into its
own pixmap) and thrashed QPixmapCache with tens of thousands of items (1.4 s instead of
0.5 s per repaint of 100,000 trivial items). With the layer, the level of detail and the
cached looks, a neighbour's repaint costs a few microseconds (docs/performance.md).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import ClassVar, Final, Literal

import msgspec
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QTextLayout
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from editor.io.render import (
    ShapeLook,
    coarse_look,
    coarse_stride,
    item_geometry,
    look_of,
    paint_look,
    qcolor,
    shape_rotation,
    text_layout,
    text_overflows,
    tiny_color,
)
from editor.model import Page, Shape, Text, kind_of_shape
from editor.ui.later import call_later

from .registry import canvas_kind

#: Above every document shape. Document z keys are small floats (about the shape count),
#: so helpers (selection, previews, the text editor) stack safely above them.
TOP_Z: Final = 1e300
#: Below every document shape: the page.
BOTTOM_Z: Final = -1e300
#: The shape layer: above the page, below the helpers (document items have no contents,
#: so their own z only orders them for the layer and for picking).
LAYER_Z: Final = -1e299

_USER_TYPE: Final = 65536  # QGraphicsItem.UserType (untyped in the PySide6 stubs)
SHAPE_ITEM_TYPE: Final = _USER_TYPE + 1
PAGE_ITEM_TYPE: Final = _USER_TYPE + 2
LAYER_ITEM_TYPE: Final = _USER_TYPE + 3

#: Colour of selection outlines, handles, rubber band and previews' guides.
SELECTION_COLOR: Final = QColor(26, 115, 232)
#: Colour of the marker on a text box whose text does not fit (see the module docstring).
OVERFLOW_COLOR: Final = QColor(217, 48, 37)
#: The overflow marker's tab, in device pixels (at most a third of the box).
OVERFLOW_MARK_PX: Final = 11.0

#: A shape whose larger side is below this many device pixels is painted as a filled
#: rectangle (see the module docstring).
TINY_PX: Final = 3.0
#: Text whose font is below this many device pixels is greeked.
GREEK_PX: Final = 4.0
_TINY2: Final = TINY_PX * TINY_PX
_GREEK2: Final = GREEK_PX * GREEK_PX

#: How many looks and text layouts the canvas keeps (most recently painted first). A
#: look is ~1 kB, a layout 3-10 kB; a full view of shapes rarely needs more.
LOOK_CACHE: Final = 20_000
LAYOUT_CACHE: Final = 4_000

Detail = Literal["tiny", "greek", "coarse", "full"]
PaintObserver = Callable[["ShapeItem", Detail], None]

# Enum members and flags looked up once: each PySide6 enum attribute access costs ~1-2
# µs, several per item when 100,000 items are built.
_ITEM_FLAGS: Final = QGraphicsItem.GraphicsItemFlag
_NO_FLAGS: Final = _ITEM_FLAGS(0)
_LAYER_ITEM_FLAGS: Final = _ITEM_FLAGS.ItemHasNoContents
_NO_BUTTON: Final = Qt.MouseButton.NoButton
_HINTS: Final = QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
_INTERSECTS: Final = Qt.ItemSelectionMode.IntersectsItemBoundingRect
_BOTTOM_FIRST: Final = Qt.SortOrder.AscendingOrder


class _Recent(OrderedDict[Hashable, object]):
    """A bounded most-recently-used map. Only the GUI thread paints items: no lock."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def find(self, key: Hashable) -> object | None:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def keep(self, key: Hashable, value: object) -> None:
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)


#: Looks by the shape's identity (a look is made from the whole value and costs a few
#: µs; hashing the value would cost about as much). Each entry holds the shape, so its
#: id() cannot be reused while the entry exists.
_LOOKS = _Recent(LOOK_CACHE)
#: Layouts by what a layout depends on, so a moved or restyled text box, and every box
#: with the same label, reuses one.
_LAYOUTS = _Recent(LAYOUT_CACHE)
#: Whether a text box's text overflows, by the same key as its layout.
_OVERFLOWS = _Recent(LAYOUT_CACHE)
#: Tiny-shape colours by the style fields they depend on (a few per drawing).
_TINY_COLORS: dict[tuple[object, ...], QColor | None] = {}


def cached_look(shape: Shape) -> ShapeLook:
    """The renderer's look of `shape`, made once while it is in recent use."""
    entry = _LOOKS.find(id(shape))
    if isinstance(entry, tuple) and entry[0] is shape:
        look = entry[1]
    else:
        look = look_of(shape)
        _LOOKS.keep(id(shape), (shape, look))
    assert isinstance(look, ShapeLook)
    return look


def cached_coarse_look(shape: Shape, stride: int) -> ShapeLook:
    """A coarse look of `shape` (`render.coarse_look`), made once while in recent use."""
    key = (id(shape), stride)
    entry = _LOOKS.find(key)
    if isinstance(entry, tuple) and entry[0] is shape:
        look = entry[1]
    else:
        look = coarse_look(shape, stride)
        _LOOKS.keep(key, (shape, look))
    assert isinstance(look, ShapeLook)
    return look


def _layout_key(shape: Text) -> tuple[object, ...]:
    return (shape.text, shape.font_family, shape.font_size, shape.width, shape.height)


def cached_layout(shape: Text) -> QTextLayout:
    """The renderer's text layout of `shape`, made once while it is in recent use."""
    key = _layout_key(shape)
    layout = _LAYOUTS.find(key)
    if layout is None:
        layout = text_layout(shape)
        _LAYOUTS.keep(key, layout)
    assert isinstance(layout, QTextLayout)
    return layout


def cached_overflow(shape: Text) -> bool:
    """`text_overflows(shape)`, worked out once per layout while in recent use."""
    key = _layout_key(shape)
    found = _OVERFLOWS.find(key)
    if found is None:
        found = text_overflows(shape, cached_layout(shape))
        _OVERFLOWS.keep(key, found)
    return bool(found)


def paint_overflow_marker(painter: QPainter, shape: Text) -> None:
    """The overflow marker of a text box, in its local frame (see the module docstring)."""
    scale = math.sqrt(abs(painter.worldTransform().determinant())) or 1.0
    px = 1.0 / scale  # one device pixel in local units
    w, h = shape.width, shape.height
    left, top = -w / 2.0, -h / 2.0
    side = min(OVERFLOW_MARK_PX * px, w / 3.0, h / 3.0)
    edge = QPen(OVERFLOW_COLOR, 2.0 * px)
    edge.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(edge)
    painter.drawLine(QPointF(left, top + h - px), QPointF(left + w, top + h - px))
    tab = QRectF(left + w - side, top + h - side, side, side)
    painter.fillRect(tab, OVERFLOW_COLOR)
    if side >= 5.0 * px:
        plus = QPen(QColor(255, 255, 255), max(1.0, side / 6.0 / px) * px)
        plus.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(plus)
        c, arm = tab.center(), side * 0.3
        painter.drawLine(QPointF(c.x() - arm, c.y()), QPointF(c.x() + arm, c.y()))
        painter.drawLine(QPointF(c.x(), c.y() - arm), QPointF(c.x(), c.y() + arm))


def cached_tiny_color(shape: Shape) -> QColor | None:
    """`tiny_color(shape)`, looked up by the fields it depends on."""
    key = canvas_kind(shape).tiny_key(shape)
    try:
        return _TINY_COLORS[key]
    except KeyError:
        if len(_TINY_COLORS) >= 4096:
            _TINY_COLORS.clear()
        color = _TINY_COLORS[key] = tiny_color(shape)
        return color


def clear_caches() -> None:
    """Forget every cached look, layout and colour (tests; memory pressure)."""
    _LOOKS.clear()
    _LAYOUTS.clear()
    _OVERFLOWS.clear()
    _TINY_COLORS.clear()


_UNSET: Final = QColor()  # a sentinel: "tiny colour not worked out yet"


class ShapeItem(QGraphicsItem):
    """One document shape on the canvas, painted by the shared renderer.

    The item holds the document's value (`model`) and the value it paints (`painted`),
    which differs only while a gesture previews a change (a resize) or while the text of
    a text box is being edited in place (the editor draws the text, so the item paints
    the box without it). A `layered` item (every document item) is painted by its
    scene's `ShapeLayer`; any other (a gesture's preview) paints itself. The item holds
    no reference to the layer or the scene (a cycle through 100,000 items would leave
    them all to the cyclic garbage collector).
    """

    #: Called with (item, detail) for every shape painted when set (tests, benchmarks).
    paint_observer: ClassVar[PaintObserver | None] = None
    # Defaults on the class: attribute stores fewer for each of 100,000 new items.
    _text_hidden = False
    _layered = False
    #: The tiny stand-in's colour, worked out on first use.
    _tiny: QColor | None = _UNSET

    def __init__(
        self,
        shape: Shape,
        z: float,
        geometry: tuple[float, float, QRectF, float] | None = None,
        layered: bool = False,
    ) -> None:
        """An item for `shape` at stacking key `z`; `geometry` is `item_geometry(shape)`
        if the caller has it already."""
        # Built 100,000 times when a large document opens: every call here counts
        # (~5 µs per item in all). See _place() for the general case.
        QGraphicsItem.__init__(self)
        self.shape_id: str = shape.id
        self._model: Shape = shape
        self._painted: Shape = shape
        #: The value the item's geometry was last made from.
        self._placed: Shape = shape
        if layered:
            self._layered = True
        x, y, rect, extent = item_geometry(shape) if geometry is None else geometry
        self._rect = rect
        self._extent2 = extent * extent
        #: (x, y, rotated): pos() as floats, for the layer's tiny stand-ins.
        self._at = (x, y, False)
        # Not selectable: the selection is `session.selection` alone (see CanvasScene), and
        # the canvas handles every mouse event itself.
        self.setFlags(_LAYER_ITEM_FLAGS if layered else _NO_FLAGS)
        self.setAcceptedMouseButtons(_NO_BUTTON)
        self.setZValue(z)
        self.setPos(x, y)
        rotation = shape_rotation(shape)
        if rotation != 0.0:
            self.setRotation(rotation)
            self._at = (x, y, True)

    # ------------------------------------------------------------------ state
    @property
    def model(self) -> Shape:
        """The shape as the document has it."""
        return self._model

    @property
    def painted(self) -> Shape:
        """The shape as painted now (a preview during a gesture)."""
        return self._painted

    @property
    def layered(self) -> bool:
        """Whether the scene's ShapeLayer paints this item (else it paints itself)."""
        return self._layered

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

    def move_to(self, pos: QPointF) -> None:
        """Move the item (a drag preview); the document is not changed."""
        if pos != self.pos():
            self.repaint_area()
            self.setPos(pos)
            self._at = (pos.x(), pos.y(), self._at[2])
            self.repaint_area()

    def repaint_area(self) -> None:
        """Have the area the item covers now repainted (by its layer, or by Qt)."""
        if not self._layered:
            self.update()
            return
        layer = getattr(self.scene(), "layer", None)
        if isinstance(layer, ShapeLayer):
            layer.update(self.sceneBoundingRect())

    def _show(self, shape: Shape) -> None:
        if self._text_hidden and type(shape) is Text:
            shape = msgspec.structs.replace(shape, text="")
        self._painted = shape
        self._place(shape)

    def _place(self, shape: Shape) -> None:
        old = self._placed
        self._placed = shape
        layered = self._layered
        if layered:
            self.repaint_area()
        x, y, rect, extent = item_geometry(shape)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
            self._extent2 = extent * extent
        self.setPos(x, y)
        rotation = shape_rotation(shape)
        if rotation != self.rotation():
            self.setRotation(rotation)
        self._at = (x, y, rotation % 360.0 != 0.0)
        if not _same_look(old, shape):
            self._tiny = _UNSET
            if not layered:
                self.update()  # a pure move needs no repaint of the item itself
        if layered:
            self.repaint_area()

    # ------------------------------------------------------------ hit testing
    def hit(self, scene_point: QPointF, tolerance: float) -> bool:
        """Whether a click at `scene_point` picks this shape.

        `tolerance` is in scene units (a few screen pixels). Filled shapes and text boxes
        are picked anywhere inside; rectangles and ellipses without a visible fill only on
        their outline, like Inkscape, so an empty frame does not hide what is inside it.
        """
        shape = self._painted
        p = self.mapFromScene(scene_point)
        return kind_of_shape(shape).hit(shape, p.x(), p.y(), _half_stroke(shape) + tolerance)

    # --------------------------------------------------------------- painting
    def detail(self, scale2: float) -> Detail:
        """How this shape is painted at `scale2` device pixels² per unit² (|det| of the
        painter's world transform)."""
        if self._extent2 * scale2 < _TINY2:
            return "tiny"
        shape = self._painted
        if coarse_stride(shape, math.sqrt(self._extent2 * scale2)) > 1:
            return "coarse"
        if type(shape) is Text:
            assert isinstance(shape, Text)
            px = max(1.0, math.floor(shape.font_size + 0.5))
            if px * px * scale2 < _GREEK2:
                return "greek"
        return "full"

    def tiny_color(self) -> QColor | None:
        """The colour of the tiny stand-in (None: nothing to paint)."""
        color = self._tiny
        if color is _UNSET:
            color = self._tiny = cached_tiny_color(self._painted)
        return color

    def paint_tiny(self, painter: QPainter) -> None:
        """The stand-in for a shape a few pixels big, in the painter's local frame: its
        bounding rect filled with its main colour."""
        color = self.tiny_color()
        if color is not None:
            painter.fillRect(self._rect, color)

    def paint_shape(self, painter: QPainter, greek: bool, coarse: float = 0.0) -> None:
        """The shape in full (text greeked if asked; a points kind coarse at `coarse`
        device pixels² per unit², see `render.coarse_look`), in the painter's *local*
        frame, with the overflow marker of a text box whose text does not fit."""
        shape = self._painted
        if coarse:
            stride = coarse_stride(shape, math.sqrt(self._extent2 * coarse))
            paint_look(painter, cached_coarse_look(shape, stride))
            return
        paint_look(painter, cached_look(shape), cached_layout, greek=greek)
        if type(shape) is Text and not greek:
            assert isinstance(shape, Text)
            if shape.text and shape.opacity > 0.0 and cached_overflow(shape):
                paint_overflow_marker(painter, shape)

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
        # Only items without a layer get here (document items have no contents). The
        # view saves and restores the painter around each item (QGraphicsView's
        # painter-state protection is on), so no save() here.
        detail = self.detail(abs(painter.worldTransform().determinant()))
        painter.setRenderHints(_HINTS)
        if detail == "tiny":
            self.paint_tiny(painter)
        else:
            scale2 = abs(painter.worldTransform().determinant()) if detail == "coarse" else 0.0
            self.paint_shape(painter, detail == "greek", scale2)
        if ShapeItem.paint_observer is not None:
            ShapeItem.paint_observer(self, detail)


class ShapeLayer(QGraphicsItem):
    """Paints the document's shape items in the exposed area, bottom to top.

    One item between the page and the helpers; its bounding rect is the scene rect (kept
    by the scene). ItemUsesExtendedStyleOption makes Qt pass the exposed area, so a
    repaint after a drag step asks the index for the few items there, not all of them.

    When the exposed area covers all the content (the first paint after opening, any
    repaint at "zoom to fit"), the layer does not ask the index: its scene's
    ``shape_items_in_order()`` gives every item bottom to top (the document's order)
    for ~0.2 µs each, where the index query costs ~1 µs per item. The scene's
    ``layer_painted()`` runs from the event loop right after the layer's first paint
    (the scene builds its index then: see CanvasScene.build). A scene without these
    methods gets index queries only.
    """

    def __init__(self, rect: QRectF) -> None:
        super().__init__()
        self._rect = QRectF(rect)
        self._content = QRectF()
        self._painted_once = False
        self.setFlags(_ITEM_FLAGS.ItemUsesExtendedStyleOption)
        self.setAcceptedMouseButtons(_NO_BUTTON)
        self.setZValue(LAYER_Z)

    def set_rect(self, rect: QRectF) -> None:
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = QRectF(rect)

    def set_content(self, content: QRectF) -> None:
        """Where the document's shapes are (the scene keeps it; it only grows)."""
        self._content = QRectF(content)

    def type(self) -> int:
        return LAYER_ITEM_TYPE

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        # The layer stays at the scene's origin, unturned: its coordinates are the scene's.
        exposed = option.exposedRect
        scene = self.scene()  # only a layer in a scene is painted
        if not self._painted_once:
            self._painted_once = True
            painted = getattr(scene, "layer_painted", None)
            if painted is not None:
                # With the scene as context: dropped if the scene is deleted first.
                call_later(scene, 0, painted)
        ordered = getattr(scene, "shape_items_in_order", None)
        found: Iterable[QGraphicsItem]
        if ordered is not None and exposed.contains(self._content):
            found = ordered()
        else:
            found = scene.items(exposed, _INTERSECTS, _BOTTOM_FIRST)
        scene_to_device = painter.worldTransform()
        scale2 = abs(scene_to_device.determinant())
        painter.setRenderHints(_HINTS)
        observer = ShapeItem.paint_observer
        # Tiny shapes are filled in their local rect after a relative translate() to
        # their position: no QRectF or QTransform is made per shape (making a Qt value
        # object from Python costs ~1 µs, as much as the rest of the stand-in). Their
        # rotation is ignored: they are a few pixels big.
        at_x = at_y = 0.0
        for item in found:
            if type(item) is not ShapeItem or not item._layered:
                continue
            if item._extent2 * scale2 < _TINY2:
                color = item._tiny
                if color is _UNSET:
                    color = item._tiny = cached_tiny_color(item._painted)
                if color is not None:
                    x, y, _turned = item._at
                    painter.translate(x - at_x, y - at_y)
                    at_x, at_y = x, y
                    painter.fillRect(item._rect, color)
                if observer is not None:
                    observer(item, "tiny")
                continue
            detail = item.detail(scale2)
            painter.setWorldTransform(item.sceneTransform() * scene_to_device)
            item.paint_shape(painter, detail == "greek", scale2 if detail == "coarse" else 0.0)
            painter.setWorldTransform(scene_to_device)
            at_x = at_y = 0.0
            if observer is not None:
                observer(item, detail)


def _same_look(a: Shape, b: Shape) -> bool:
    """Whether `b` is `a` moved (same size, turn and style): it looks the same."""
    return type(a) is type(b) and canvas_kind(a).same_look(a, b)


def _half_stroke(shape: Shape) -> float:
    return shape.stroke_width / 2.0 if shape.stroke is not None else 0.0


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
