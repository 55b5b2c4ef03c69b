"""Gestures and edits of the shapes stored as points: polygons and freehand strokes.

* `PolygonGesture` (the Polygon tool) is click-per-point: each press adds a vertex, a
  rubber-band segment runs from the last vertex to the pointer (Shift: at a multiple of
  45 degrees), Backspace takes the last vertex back, a double click or Enter ends it
  (three or more vertices make a closed polygon, two an open polyline; a click on the
  first vertex closes it), Escape cancels it. One shape, one "Add Polygon" step.
* `StrokeGesture` (the Pen tool) records the pointer from press to release and
  simplifies it (Ramer-Douglas-Peucker, `STROKE_TOLERANCE_PX` screen pixels at the
  current zoom) into one freehand stroke, one "Add Freehand Stroke" step.
* `VertexGesture` drags one vertex handle of a selected polygon (one step on release);
  `insert_vertex` (Ctrl+click on an edge) and `delete_vertex` (Delete with a vertex
  selected) are one step each.
"""

from __future__ import annotations

from typing import Final

import msgspec
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from editor.commands import AddShapes, SetGeometry
from editor.model import Shape
from editor.model.points import (
    MIN_POINTS,
    nearest_edge,
    simplify,
    with_vertex,
    without_vertex,
)

from .geometry import constrain_45, geometry_change, moved_vertex, snap
from .items import TOP_Z, ShapeItem
from .registry import Tool
from .tools import CanvasPort, Gesture, Pointer, PreviewGesture, add_drawn

#: A freehand stroke keeps no point closer than this to the simplified path, in screen
#: pixels at the zoom it was drawn at.
STROKE_TOLERANCE_PX: Final = 0.5
#: Recorded stroke points are snapped to this fraction of the zoom's snap step (a
#: quarter of a screen pixel), so files hold short numbers.
_STROKE_GRID: Final = 0.25
#: A closed polygon keeps at least three vertices when one is deleted.
MIN_CLOSED_POINTS: Final = 3

Point = tuple[float, float]

_K = Qt.Key


class PolygonGesture(PreviewGesture):
    """The Polygon tool's click-per-vertex gesture (see the module docstring)."""

    drag_cursor = Qt.CursorShape.CrossCursor
    multi_click = True

    def __init__(self, canvas: CanvasPort, press: Pointer, tool: Tool) -> None:
        super().__init__(canvas, press, Qt.MouseButton.LeftButton)
        self.tool = tool
        self.dragging = True
        self.points: list[Point] = []
        self._pointer: Point | None = None
        self._shape_id = ""
        self.next_press(press)

    def _new_id(self) -> str:
        if not self._shape_id:
            self._shape_id = self.canvas.require_session().document.new_id()
        return self._shape_id

    def _at(self, p: Pointer) -> Point:
        step = self.canvas.snap_step()
        x, y = snap(p.scene.x(), step), snap(p.scene.y(), step)
        if p.shift and self.points:
            x0, y0 = self.points[-1]
            dx, dy = constrain_45(x - x0, y - y0)
            x, y = x0 + dx, y0 + dy
        return x, y

    def next_press(self, p: Pointer) -> None:
        at = self._at(p)
        if len(self.points) >= MIN_CLOSED_POINTS:
            x0, y0 = self.points[0]
            reach = 2.0 * self.canvas.pick_tolerance()
            if abs(at[0] - x0) <= reach and abs(at[1] - y0) <= reach:
                self.finish(closed=True)
                return
        if not self.points or at != self.points[-1]:
            self.points.append(at)
        self._pointer = at
        self._show()

    def move(self, p: Pointer) -> None:
        self._pointer = self._at(p)
        self._show()

    def double_click(self, p: Pointer) -> None:
        self.finish()

    def claims(self, key: int) -> bool:
        return key in (_K.Key_Return, _K.Key_Enter, _K.Key_Backspace)

    def key(self, key: int) -> None:
        if key == _K.Key_Backspace:
            if len(self.points) <= 1:
                self.canvas.set_tool(self.tool.name)  # nothing left: cancels the gesture
                return
            self.points.pop()
            self._show()
        else:
            self.finish()

    def _shape(self, points: list[Point], closed: bool) -> Shape:
        assert self.tool.points is not None
        shape: Shape = self.tool.points(self.canvas.default_style, self._new_id, tuple(points),
                                        closed)  # fmt: skip
        return shape

    def _show(self) -> None:
        points = list(self.points)
        if self._pointer is not None and self._pointer != points[-1]:
            points.append(self._pointer)
        if len(points) < MIN_POINTS:
            if self._preview is not None:
                self._preview.hide()
            return
        shape = self._shape(points, False)
        preview = self._preview
        if preview is None:
            preview = self._preview = ShapeItem(shape, TOP_Z)
            self.canvas.canvas_scene().add_helper(preview)
        else:
            assert isinstance(preview, ShapeItem)
            preview.preview(shape)
        preview.show()

    def finish(self, *, closed: bool | None = None) -> None:
        """End the gesture: add the polygon (three vertices or more: closed, unless
        `closed` says) or polyline (two) and select it; fewer adds nothing."""
        points = list(self.points)
        canvas = self.canvas
        if len(points) < MIN_POINTS:
            canvas.set_tool(self.tool.name)  # cancels this gesture; the tool stays
            return
        shape = self._shape(points, len(points) >= MIN_CLOSED_POINTS if closed is None else closed)
        canvas.set_tool("select")  # cancels this gesture (its preview goes)
        add_drawn(canvas, shape)


class StrokeGesture(PreviewGesture):
    """The Pen tool's press-drag-release freehand stroke (see the module docstring).

    The tool stays active after a stroke (as Excalidraw's pen does), so strokes follow
    one another; the selection is cleared."""

    drag_cursor = Qt.CursorShape.CrossCursor

    def __init__(self, canvas: CanvasPort, press: Pointer, tool: Tool) -> None:
        super().__init__(canvas, press, Qt.MouseButton.LeftButton)
        self.tool = tool
        self.raw: list[Point] = [self._at(press)]
        self._path = QPainterPath(QPointF(*self.raw[0]))
        self._item: QGraphicsPathItem | None = None  # the preview, as its own type

    def _at(self, p: Pointer) -> Point:
        step = self.canvas.snap_step() * _STROKE_GRID
        return snap(p.scene.x(), step), snap(p.scene.y(), step)

    def move(self, p: Pointer) -> None:
        at = self._at(p)
        if at == self.raw[-1]:
            return
        self.raw.append(at)
        self.dragging = True
        self._path.lineTo(*at)
        if self._item is None:
            self._item = self._preview = _stroke_preview(self.canvas)
            self.canvas.canvas_scene().add_helper(self._item)
        self._item.setPath(self._path)

    def release(self, p: Pointer) -> None:
        self.move(p)
        self.cancel()
        points = simplify(self.raw, STROKE_TOLERANCE_PX / self.canvas.zoom())
        if len(points) < MIN_POINTS:
            return  # a click draws nothing: a stroke needs a direction
        assert self.tool.points is not None
        session = self.canvas.require_session()
        new_id = session.document.new_id
        shape = self.tool.points(self.canvas.default_style, new_id, points, False)
        session.selection.clear()
        session.push(AddShapes((shape,)))

    def cancel(self) -> None:
        super().cancel()
        self._item = None


def _stroke_preview(canvas: CanvasPort) -> QGraphicsPathItem:
    style = canvas.default_style
    item = QGraphicsPathItem()
    color = QColor(style.stroke or "#000000")
    pen = QPen(color, style.line_width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)  # fmt: skip
    item.setPen(pen)
    item.setZValue(TOP_Z)
    item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    return item


class VertexGesture(Gesture):
    """Select tool, press on a vertex handle: select that vertex, and move it if
    dragged (snapped; Shift: at a multiple of 45 degrees from where it was); one
    "Move Vertex of Polygon" step on release."""

    drag_cursor = Qt.CursorShape.SizeAllCursor

    def __init__(self, canvas: CanvasPort, press: Pointer, index: int) -> None:
        super().__init__(canvas, press, Qt.MouseButton.LeftButton)
        scene = canvas.canvas_scene()
        scene.overlay.select_vertex(index)
        self.index = index
        self.shape = scene.shapes_of(canvas.require_session().selection.ids())[0]
        self.result = self.shape

    def move(self, p: Pointer) -> None:
        if not self._past_threshold(p):
            return
        dx, dy = self._offset(p)
        if p.shift:
            dx, dy = constrain_45(dx, dy)
        self.result = moved_vertex(self.shape, self.index, dx, dy)
        scene = self.canvas.canvas_scene()
        item = scene.item_for(self.shape.id)
        if item is not None:
            item.preview(self.result)
        scene.overlay.set_shapes([self.result])

    def release(self, p: Pointer) -> None:
        change = geometry_change(self.shape, self.result)
        if self.dragging and change is not None:
            self.canvas.require_session().push(
                SetGeometry((change,), joinable=False, verb="Move Vertex of")
            )
        self.cancel()

    def cancel(self) -> None:
        scene = self.canvas.canvas_scene()
        item = scene.item_for(self.shape.id)
        if item is not None:
            item.end_preview()
        scene.refresh_overlay()


def insert_vertex(canvas: CanvasPort, p: Pointer) -> bool:
    """Ctrl+click on an edge of the polygon selected alone: a new vertex there (snapped),
    selected; one "Add Vertex to Polygon" step. False if the click is on no edge."""
    scene = canvas.canvas_scene()
    frame = scene.overlay.frame
    if frame is None or frame.kind != "points" or not frame.points:
        return False
    shape = canvas.require_session().document.get(frame.shape_id)
    if shape is None:
        return False
    closed = bool(getattr(shape, "closed", False))
    x, y = p.scene.x(), p.scene.y()
    edge, distance = nearest_edge(shape.points, x, y, closed=closed)  # type: ignore[union-attr]
    if distance > canvas.pick_tolerance() + getattr(shape, "stroke_width", 0.0) / 2.0:
        return False
    step = canvas.snap_step()
    points = with_vertex(shape.points, edge, (snap(x, step), snap(y, step)))  # type: ignore[union-attr]
    change = geometry_change(shape, _with_points(shape, points))
    if change is None:
        return False
    canvas.require_session().push(SetGeometry((change,), joinable=False, verb="Add Vertex to"))
    scene.overlay.select_vertex(edge + 1)
    return True


def delete_vertex(canvas: CanvasPort) -> bool:
    """Delete the selected vertex of the polygon selected alone (one "Delete Vertex of
    Polygon" step), never below two points (three for a closed polygon). False when no
    vertex is selected (the window's Delete then deletes the shape); True, doing
    nothing, when the polygon is at its minimum."""
    scene = canvas.canvas_scene()
    overlay = scene.overlay
    index = overlay.selected_vertex()
    frame = overlay.frame
    if index is None or frame is None:
        return False
    shape = canvas.require_session().document.get(frame.shape_id)
    if shape is None:
        return False
    points = shape.points  # type: ignore[union-attr]
    minimum = MIN_CLOSED_POINTS if getattr(shape, "closed", False) else MIN_POINTS
    left = without_vertex(points, index) if len(points) > minimum else None
    if left is None:
        what = "A closed polygon" if minimum == MIN_CLOSED_POINTS else "A polyline"
        canvas.say(f"{what} needs at least {minimum} points: this vertex stays")
        return True
    change = geometry_change(shape, _with_points(shape, left))
    assert change is not None
    canvas.require_session().push(SetGeometry((change,), joinable=False, verb="Delete Vertex of"))
    overlay.select_vertex(None)
    return True


def _with_points(shape: Shape, points: tuple[Point, ...]) -> Shape:
    new: Shape = msgspec.structs.replace(shape, points=points)
    return new
