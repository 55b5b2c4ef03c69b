"""Gestures: what one press-drag-release does, for each tool.

"One gesture, one command." A gesture previews its effect on the scene while the mouse
moves (moving items, previewing resized shapes, a rubber band, the shape being drawn)
and changes the document only on release, with one command. A click that does not move
past `DRAG_THRESHOLD_PX` is a click, not a drag. `cancel()` (Escape, a tool change, a
document change from elsewhere) takes the preview back and pushes nothing.

Drawing (Rectangle, Ellipse, Line, Text) follows draw.io and Figma rather than
Inkscape: after one shape the canvas returns to the Select tool with the new shape
selected, ready to be moved, resized or styled. A click without a drag with the
Rectangle or Ellipse tool adds a shape of the default size at that point (Figma);
with the Line tool it adds nothing (a line needs a direction). The Text tool always
opens the in-place editor: on the box it drew, on a default-size box at a click, or on
the existing text box that was clicked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QScrollBar

from editor.commands import AddShapes, MoveShapes, SetGeometry
from editor.model import Shape, Text, bounds
from editor.ui.session import Session

from .geometry import (
    Frame,
    Handle,
    constrain_axis,
    geometry_change,
    resize,
    rotated,
    snap,
)
from .handles import ROTATING_CURSOR
from .items import SELECTION_COLOR, TOP_Z, ShapeItem
from .registry import DEFAULT_BOX_SIZE, DEFAULT_TEXT_WIDTH, DefaultStyle, Tool

if TYPE_CHECKING:
    from .scene import CanvasScene

#: A press that moves less than this many screen pixels (on either axis) is a click.
DRAG_THRESHOLD_PX: Final = 3.0

__all__ = [
    "DEFAULT_BOX_SIZE",
    "DEFAULT_TEXT_WIDTH",
    "DRAG_THRESHOLD_PX",
    "CanvasPort",
    "DefaultStyle",
    "DrawGesture",
    "Gesture",
    "MoveGesture",
    "PanGesture",
    "Pointer",
    "PreviewGesture",
    "ResizeGesture",
    "RotateGesture",
    "RubberBandGesture",
]


class CanvasPort(Protocol):
    """What a gesture may ask of the canvas (`Canvas` is one). Gestures talk to this,
    not to the view, so tools.py does not import view.py."""

    default_style: DefaultStyle

    def require_session(self) -> Session: ...

    def canvas_scene(self) -> CanvasScene: ...

    def snap_step(self) -> float: ...

    def zoom(self) -> float: ...

    def pick_tolerance(self) -> float: ...

    def set_tool(self, name: str) -> None: ...

    def say(self, text: str) -> None:
        """A short status-bar message (why a key did nothing, say)."""

    def begin_text_edit(
        self, shape: Text, *, pending: bool = False, caret: QPointF | None = None
    ) -> None: ...

    def horizontalScrollBar(self) -> QScrollBar: ...

    def verticalScrollBar(self) -> QScrollBar: ...


@dataclass(frozen=True, slots=True)
class Pointer:
    """Where the mouse is, in viewport pixels and scene units, and the modifiers held."""

    view: QPointF
    scene: QPointF
    modifiers: Qt.KeyboardModifier

    @property
    def shift(self) -> bool:
        return bool(self.modifiers & Qt.KeyboardModifier.ShiftModifier)

    @property
    def toggles(self) -> bool:
        """Shift or Ctrl: add to / toggle in the selection."""
        return bool(
            self.modifiers
            & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
        )

    def with_modifiers(self, modifiers: Qt.KeyboardModifier) -> Pointer:
        return Pointer(self.view, self.scene, modifiers)


class Gesture:
    """One press-drag-release. The canvas routes mouse events here until release.

    A click-per-point gesture (`multi_click`: the Polygon tool) outlives its first
    release: the canvas routes every further press, release, double click, move (with
    or without a button) and the keys it `claims` to it, until it ends itself (through
    `CanvasPort.set_tool`, which cancels it) or is cancelled (Escape, another tool).
    """

    #: The cursor shown while the gesture drags (None: leave it alone).
    drag_cursor: Qt.CursorShape | None = None
    #: True: one gesture spans several clicks (see the class docstring).
    multi_click: bool = False

    def __init__(self, canvas: CanvasPort, press: Pointer, button: Qt.MouseButton) -> None:
        self.canvas = canvas
        self.press = press
        self.button = button
        self.dragging = False

    def _past_threshold(self, p: Pointer) -> bool:
        if not self.dragging:
            d = p.view - self.press.view
            if max(abs(d.x()), abs(d.y())) >= DRAG_THRESHOLD_PX:
                self.dragging = True
        return self.dragging

    def _offset(self, p: Pointer) -> tuple[float, float]:
        """The scene offset from the press, snapped to the zoom's step."""
        step = self.canvas.snap_step()
        d = p.scene - self.press.scene
        return snap(d.x(), step), snap(d.y(), step)

    def move(self, p: Pointer) -> None:
        """The mouse moved (or a modifier changed) while the button is held."""

    def release(self, p: Pointer) -> None:
        """The button was released: commit (one command at most)."""

    def cancel(self) -> None:
        """Take back the preview; push nothing."""

    def next_press(self, p: Pointer) -> None:
        """A further press of a `multi_click` gesture."""

    def double_click(self, p: Pointer) -> None:
        """A double click during a `multi_click` gesture."""

    def claims(self, key: int) -> bool:
        """Whether the gesture handles this key (the canvas then gives it the key)."""
        return False

    def key(self, key: int) -> None:
        """A key the gesture `claims` was pressed."""


class MoveGesture(Gesture):
    """Select tool, press on a shape: select it, and move the selection if dragged.

    Plain press on an unselected shape selects just it; on a selected shape it keeps the
    selection (so a multi-selection can be dragged) and a click without a drag then
    selects just that shape. Shift/Ctrl+press toggles the shape. Dragging moves items
    (and the selection cues) as a preview; release pushes one MoveShapes. Shift limits
    the move to horizontal or vertical.
    """

    drag_cursor = Qt.CursorShape.SizeAllCursor

    def __init__(self, canvas: CanvasPort, press: Pointer, shape_id: str) -> None:
        super().__init__(canvas, press, Qt.MouseButton.LeftButton)
        selection = canvas.require_session().selection
        self.shape_id = shape_id
        self._select_on_click = False
        if press.toggles:
            selection.toggle(shape_id)
        elif shape_id in selection:
            self._select_on_click = True
        else:
            selection.set([shape_id])
        self.ids = selection.ids() if shape_id in selection else ()
        self._items: list[tuple[ShapeItem, QPointF]] = []
        self._delta = (0.0, 0.0)

    def move(self, p: Pointer) -> None:
        if not self.ids or not self._past_threshold(p):
            return
        scene = self.canvas.canvas_scene()
        if not self._items:
            scene.overlay.set_knob_shown(False)
            for shape_id in self.ids:
                found = scene.item_for(shape_id)
                if found is not None:
                    self._items.append((found, found.pos()))
        dx, dy = self._offset(p)
        if p.shift:
            dx, dy = constrain_axis(dx, dy)
        self._delta = (dx, dy)
        offset = QPointF(dx, dy)
        for item, start in self._items:
            item.move_to(start + offset)
        scene.overlay.setPos(offset)

    def release(self, p: Pointer) -> None:
        if not self.dragging:
            if self._select_on_click:
                self.canvas.require_session().selection.set([self.shape_id])
            return
        dx, dy = self._delta
        if dx == 0.0 and dy == 0.0:
            self.cancel()
            return
        # The document moves the items to the same places; nothing to undo in the scene.
        self.canvas.require_session().push(MoveShapes(self.ids, dx, dy, joinable=False))
        self.canvas.canvas_scene().overlay.setPos(0.0, 0.0)
        self.canvas.canvas_scene().overlay.set_knob_shown(True)

    def cancel(self) -> None:
        for item, start in self._items:
            item.move_to(start)
        self.canvas.canvas_scene().overlay.setPos(0.0, 0.0)
        self.canvas.canvas_scene().overlay.set_knob_shown(True)


class ResizeGesture(Gesture):
    """Select tool, press on a handle: resize the selection; one SetGeometry on release."""

    #: The step's verb ("" : SetGeometry works it out: "Resize").
    verb = ""

    def __init__(self, canvas: CanvasPort, press: Pointer, handle: Handle, frame: Frame) -> None:
        super().__init__(canvas, press, Qt.MouseButton.LeftButton)
        session = canvas.require_session()
        self.handle = handle
        self.frame = frame
        self.shapes = canvas.canvas_scene().shapes_of(session.selection.ids())
        self.result: list[Shape] = list(self.shapes)
        self.drag_cursor = canvas.canvas_scene().overlay.cursor_for(handle)

    def move(self, p: Pointer) -> None:
        if not self._past_threshold(p):
            return
        dx, dy = self._offset(p)
        self.result = resize(self.shapes, self.frame, self.handle, dx, dy, keep_aspect=p.shift)
        scene = self.canvas.canvas_scene()
        for shape in self.result:
            item = scene.item_for(shape.id)
            if item is not None:
                item.preview(shape)
        scene.overlay.set_shapes(self.result)

    def release(self, p: Pointer) -> None:
        changes = [
            change
            for old, new in zip(self.shapes, self.result, strict=True)
            if (change := geometry_change(old, new)) is not None
        ]
        if self.dragging and changes:
            self.canvas.require_session().push(
                SetGeometry(tuple(changes), joinable=False, verb=self.verb)
            )
        self.cancel()  # ends the previews of shapes the command did not change

    def cancel(self) -> None:
        scene = self.canvas.canvas_scene()
        for shape in self.shapes:
            item = scene.item_for(shape.id)
            if item is not None:
                item.end_preview()
        scene.refresh_overlay()


class RotateGesture(ResizeGesture):
    """Select tool, press on a box's rotation handle: turn it about its centre by the
    angle the pointer sweeps (Shift: to a multiple of 15 degrees); one SetGeometry of
    its rotation on release, as for a resize."""

    verb = "Rotate"  # a polygon's turn sets its points, not a rotation

    def __init__(self, canvas: CanvasPort, press: Pointer, frame: Frame) -> None:
        super().__init__(canvas, press, Handle.ROTATE, frame)
        self.drag_cursor = ROTATING_CURSOR

    def move(self, p: Pointer) -> None:
        if not self._past_threshold(p):
            return
        start = (self.press.scene.x(), self.press.scene.y())
        end = (p.scene.x(), p.scene.y())
        self.result = [rotated(self.shapes[0], self.frame, start, end, snap15=p.shift)]
        scene = self.canvas.canvas_scene()
        item = scene.item_for(self.shapes[0].id)
        if item is not None:
            item.preview(self.result[0])
        scene.overlay.set_shapes(self.result)


class RubberBandGesture(Gesture):
    """Select tool, press on empty space: a click clears the selection; a drag selects
    the shapes the band encloses (with Shift or Ctrl, adds them)."""

    def __init__(self, canvas: CanvasPort, press: Pointer) -> None:
        super().__init__(canvas, press, Qt.MouseButton.LeftButton)
        self._band: QGraphicsRectItem | None = None

    def _rect(self, p: Pointer) -> QRectF:
        return QRectF(self.press.scene, p.scene).normalized()

    def move(self, p: Pointer) -> None:
        if not self._past_threshold(p):
            return
        if self._band is None:
            self._band = _band_item()
            self.canvas.canvas_scene().add_helper(self._band)
        self._band.setRect(self._rect(p))

    def release(self, p: Pointer) -> None:
        selection = self.canvas.require_session().selection
        adding = p.toggles or self.press.toggles
        if self.dragging:
            ids = self.canvas.canvas_scene().ids_within(self._rect(p))
            if adding:
                selection.add(ids)
            else:
                selection.set(ids)
        elif not adding:
            selection.clear()
        self.cancel()

    def cancel(self) -> None:
        if self._band is not None:
            self.canvas.canvas_scene().removeItem(self._band)
            self._band = None


class PreviewGesture(Gesture):
    """A gesture that shows one helper item (the shape being drawn) while it runs."""

    _preview: QGraphicsItem | None = None

    def cancel(self) -> None:
        if self._preview is not None:
            self.canvas.canvas_scene().removeItem(self._preview)
            self._preview = None


def add_drawn(canvas: CanvasPort, shape: Shape) -> None:
    """The end of drawing a shape: one "Add ..." step, and the new shape selected."""
    session = canvas.require_session()
    session.push(AddShapes((shape,)))
    session.selection.set([shape.id])


class DrawGesture(PreviewGesture):
    """A press-drag-release drawing tool (Rectangle, Ellipse, Line, Text): drag from
    corner to corner (end to end); what a drag and a click draw is the tool's
    (`Tool.drag`, `Tool.click`, registered in kinds.py).

    Shift draws a square, a circle, or a line at a multiple of 45 degrees. The preview is
    painted by the shared renderer with the default style, so it looks like the result;
    a text box's preview is its frame.
    """

    drag_cursor = Qt.CursorShape.CrossCursor

    def __init__(self, canvas: CanvasPort, press: Pointer, tool: Tool) -> None:
        super().__init__(canvas, press, Qt.MouseButton.LeftButton)
        self.tool = tool
        step = canvas.snap_step()
        self.start = QPointF(snap(press.scene.x(), step), snap(press.scene.y(), step))
        self._preview: QGraphicsItem | None = None
        self._shape_id = ""

    def _new_id(self) -> str:
        if not self._shape_id:
            self._shape_id = self.canvas.require_session().document.new_id()
        return self._shape_id

    def _shape(self, p: Pointer) -> Shape | None:
        step = self.canvas.snap_step()
        end = (snap(p.scene.x(), step), snap(p.scene.y(), step))
        assert self.tool.drag is not None
        shape: Shape | None = self.tool.drag(
            self.canvas.default_style, self._new_id, (self.start.x(), self.start.y()), end,
            p.shift,
        )  # fmt: skip
        return shape

    def move(self, p: Pointer) -> None:
        if not self._past_threshold(p):
            return
        shape = self._shape(p)
        scene = self.canvas.canvas_scene()
        if shape is None:
            if self._preview is not None:
                self._preview.hide()
            return
        if self.tool.edits_text:
            if self._preview is None:
                self._preview = _band_item(filled=False)
                scene.add_helper(self._preview)
            assert isinstance(self._preview, QGraphicsRectItem)
            x, y, w, h = bounds(shape)
            self._preview.setRect(QRectF(x, y, w, h))
        elif self._preview is None:
            item = ShapeItem(shape, TOP_Z)
            self._preview = item
            scene.add_helper(item)
        else:
            assert isinstance(self._preview, ShapeItem)
            self._preview.preview(shape)
        self._preview.show()

    def release(self, p: Pointer) -> None:
        self.cancel()
        canvas = self.canvas
        shape: Shape | None = None
        if self.dragging:
            shape = self._shape(p)
        elif self.tool.click is not None:
            at = (self.start.x(), self.start.y())
            shape = self.tool.click(canvas.default_style, self._new_id, at)
        if shape is None:
            return
        canvas.set_tool("select")
        if self.tool.edits_text:
            assert type(shape) is Text
            canvas.begin_text_edit(shape, pending=True)
            return
        add_drawn(canvas, shape)


class PanGesture(Gesture):
    """Middle button, or Space + left button: scroll the view with the hand."""

    drag_cursor = Qt.CursorShape.ClosedHandCursor

    def __init__(self, canvas: CanvasPort, press: Pointer, button: Qt.MouseButton) -> None:
        super().__init__(canvas, press, button)
        self.dragging = True
        self._last = press.view

    def move(self, p: Pointer) -> None:
        d = p.view - self._last
        self._last = p.view
        h, v = self.canvas.horizontalScrollBar(), self.canvas.verticalScrollBar()
        h.setValue(h.value() - round(d.x()))
        v.setValue(v.value() - round(d.y()))


def _band_item(*, filled: bool = True) -> QGraphicsRectItem:
    band = QGraphicsRectItem()
    pen = QPen(SELECTION_COLOR, 1.0, Qt.PenStyle.DashLine)
    pen.setCosmetic(True)
    band.setPen(pen)
    if filled:
        fill = QColor(SELECTION_COLOR)
        fill.setAlpha(40)
        band.setBrush(fill)
    band.setZValue(TOP_Z)
    band.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    return band
