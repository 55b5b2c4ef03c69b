"""The selection overlay: outlines of the selected shapes and their resize handles.

One item above every shape draws all selection cues, so a selected shape low in the
stacking order still shows its outline and handles. Handles keep their on-screen size
at every zoom: the view tells the overlay how big a screen pixel is in scene units.
Handle picking is geometry in the same units (`handle_at`), not item hit-testing, so the
handles never get in the way of the scene's index.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from editor.model import Shape

from .geometry import CORNER_HANDLES, Frame, Handle, rotation_handle_point
from .items import SELECTION_COLOR, TOP_Z
from .registry import canvas_kind

#: Drawn size of a handle, in screen pixels.
HANDLE_PX: Final = 8.0
#: A press within this many screen pixels of a handle's centre picks it.
HANDLE_HIT_PX: Final = 6.0
#: Below this on-screen side length the middle handles are hidden (they would cover
#: the shape and make it impossible to grab for a move).
MIDDLE_HANDLES_MIN_PX: Final = 28.0
#: The rotation handle's distance above a single box's top edge, in screen pixels
#: (Figma and draw.io put it a little above the box; it turns with the box).
ROTATE_HANDLE_PX: Final = 24.0
#: The cursor over the rotation handle, and while it is dragged.
ROTATE_CURSOR: Final = Qt.CursorShape.PointingHandCursor
ROTATING_CURSOR: Final = Qt.CursorShape.ClosedHandCursor
#: Beyond this many selected shapes only the frame is drawn, not every outline.
OUTLINE_LIMIT: Final = 2000
#: A polygon's resize handles sit this many screen pixels outside its bounds, so that
#: they never cover a vertex handle on the bounds (Inkscape's scale arrows sit outside).
POINTS_GAP_PX: Final = 10.0
#: Beyond this many vertices a polygon shows no vertex handles (they would cover it).
VERTEX_LIMIT: Final = 1000

_CURSORS: Final = (
    Qt.CursorShape.SizeHorCursor,
    Qt.CursorShape.SizeFDiagCursor,
    Qt.CursorShape.SizeVerCursor,
    Qt.CursorShape.SizeBDiagCursor,
)


class SelectionOverlay(QGraphicsItem):
    """Selection outlines and handles for the current selection (or a gesture's preview)."""

    def __init__(self) -> None:
        super().__init__()
        self._frame: Frame | None = None
        self._outlines: list[QPolygonF] = []
        self._lines: list[QLineF] = []
        self._px = 1.0
        self._extent = QRectF()
        self._knob = True
        #: The selected vertex: (shape id, index), or None.
        self._vertex: tuple[str, int] | None = None
        self.setZValue(TOP_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    # ------------------------------------------------------------------ state
    @property
    def frame(self) -> Frame | None:
        return self._frame

    def set_shapes(self, shapes: Sequence[Shape]) -> None:
        """Show the cues for these shapes (the selection, or a resize preview of it)."""
        self.prepareGeometryChange()
        self.setPos(0.0, 0.0)
        self._frame = Frame.of(shapes)
        self._outlines = []
        self._lines = []
        extent = QRectF()
        frame = self._frame
        if frame is not None:
            if frame.kind == "line":
                line = QLineF(frame.left, frame.top, frame.right, frame.bottom)
                self._lines.append(line)
                extent = QRectF(line.p1(), line.p2()).normalized()
            else:
                polygon = QPolygonF([QPointF(x, y) for x, y in frame.corners()])
                if frame.kind in ("group", "points"):
                    self._outlines.append(polygon)
                extent = polygon.boundingRect()
            if frame.kind == "group" and len(shapes) <= OUTLINE_LIMIT:
                for shape in shapes:
                    self._add_outline(canvas_kind(shape).outline(shape))
            elif frame.kind == "box":
                self._add_outline(canvas_kind(shapes[0]).outline(shapes[0]))
        self._extent = extent
        vertex = self._vertex
        if vertex is not None and (
            frame is None or frame.shape_id != vertex[0] or vertex[1] >= len(frame.points)
        ):
            self._vertex = None
        self.update()

    # --------------------------------------------------------------- vertices
    def vertices(self) -> list[tuple[int, QPointF]]:
        """The vertex handles shown now (a single polygon's), with scene positions."""
        frame = self._frame
        if (
            frame is None or frame.kind != "points" or len(frame.points) > VERTEX_LIMIT
            or not self._knob
        ):  # fmt: skip
            return []
        offset = self.pos()
        ox, oy = offset.x(), offset.y()
        return [(i, QPointF(x + ox, y + oy)) for i, (x, y) in enumerate(frame.points)]

    def vertex_at(self, scene_point: QPointF) -> int | None:
        """The vertex handle under a scene point (the nearest within HANDLE_HIT_PX)."""
        reach = HANDLE_HIT_PX * self._px
        best: int | None = None
        best_distance = math.inf
        for index, point in self.vertices():
            d = max(abs(point.x() - scene_point.x()), abs(point.y() - scene_point.y()))
            if d <= reach and d < best_distance:
                best, best_distance = index, d
        return best

    def selected_vertex(self) -> int | None:
        """The selected vertex of the polygon shown alone, or None."""
        return None if self._vertex is None else self._vertex[1]

    def select_vertex(self, index: int | None) -> None:
        """Select a vertex of the polygon shown alone (None: no vertex)."""
        frame = self._frame
        if index is None or frame is None or frame.kind != "points":
            new = None
        else:
            new = (frame.shape_id, index)
        if new != self._vertex:
            self._vertex = new
            self.update()

    def _add_outline(self, outline: QPolygonF | QLineF) -> None:
        if isinstance(outline, QLineF):
            self._lines.append(outline)
        else:
            self._outlines.append(outline)

    def set_knob_shown(self, shown: bool) -> None:
        """Show or hide the rotation handle (and a polygon's vertex handles and the gap
        around its frame). A move drag hides them, as Inkscape hides its handles while
        moving: they would make every move repaint a larger area."""
        if shown != self._knob:
            self.prepareGeometryChange()
            self._knob = shown

    def set_pixel_size(self, px: float) -> None:
        """One screen pixel in scene units (1 / zoom)."""
        if px != self._px:
            self.prepareGeometryChange()
            self._px = px

    # ---------------------------------------------------------------- handles
    def visible_handles(self) -> list[tuple[Handle, QPointF]]:
        """The handles shown now, with their scene positions (including a move preview)."""
        frame = self._frame
        if frame is None:
            return []
        offset = self.pos()
        handles = frame.handles()
        if frame.kind != "line":
            small = min(abs(frame.width), abs(frame.height)) / self._px
            if small < MIDDLE_HANDLES_MIN_PX:
                handles = CORNER_HANDLES
        gap = POINTS_GAP_PX * self._px if frame.kind == "points" and self._knob else 0.0
        result = []
        for handle in handles:
            x, y = frame.handle_point(handle)
            ux, uy = handle.value
            x += (2.0 * ux - 1.0) * gap
            y += (2.0 * uy - 1.0) * gap
            result.append((handle, QPointF(x + offset.x(), y + offset.y())))
        if frame.kind in ("box", "points") and self._knob:
            x, y = rotation_handle_point(frame, self._knob_distance(frame))
            result.append((Handle.ROTATE, QPointF(x + offset.x(), y + offset.y())))
        return result

    def _knob_distance(self, frame: Frame) -> float:
        """The rotation knob's distance above the top edge, in scene units (a polygon's
        resize handles sit in a gap outside its bounds: the knob goes that much higher)."""
        gap = POINTS_GAP_PX if frame.kind == "points" else 0.0
        return (ROTATE_HANDLE_PX + gap) * self._px

    def handle_at(self, scene_point: QPointF) -> Handle | None:
        """The handle under a scene point (the nearest within HANDLE_HIT_PX), or None."""
        reach = HANDLE_HIT_PX * self._px
        best: Handle | None = None
        best_distance = math.inf
        for handle, point in self.visible_handles():
            dx = abs(point.x() - scene_point.x())
            dy = abs(point.y() - scene_point.y())
            if dx <= reach and dy <= reach and max(dx, dy) < best_distance:
                best, best_distance = handle, max(dx, dy)
        return best

    def cursor_for(self, handle: Handle) -> Qt.CursorShape:
        """A resize cursor pointing the way `handle` moves (follows a rotated box)."""
        frame = self._frame
        if handle is Handle.ROTATE:
            return ROTATE_CURSOR
        if frame is None or frame.kind == "line":
            return Qt.CursorShape.CrossCursor
        hx, hy = frame.handle_point(handle)
        cx, cy = frame.to_scene((frame.left + frame.right) / 2.0, (frame.top + frame.bottom) / 2.0)
        angle = math.degrees(math.atan2(hy - cy, hx - cx))
        if handle.is_corner and frame.kind != "box":
            # A group frame's corners always point diagonally on screen.
            angle = 45.0 if (hx - cx) * (hy - cy) > 0 else 135.0
        return _CURSORS[round(angle / 45.0) % 4]

    # --------------------------------------------------------------- QGraphicsItem
    def boundingRect(self) -> QRectF:
        if self._frame is None:
            return QRectF()
        frame = self._frame
        grow = (HANDLE_PX + 2.0) * self._px
        if frame.kind == "points" and self._knob:
            grow += POINTS_GAP_PX * self._px
        rect = self._extent.adjusted(-grow, -grow, grow, grow)
        if frame.kind in ("box", "points") and self._knob:
            # Only the knob's own square: growing every side by the stem's length made
            # each move of a dragged box repaint five times the area (bench_canvas).
            x, y = rotation_handle_point(frame, self._knob_distance(frame))
            rect = rect.united(QRectF(x - grow, y - grow, 2.0 * grow, 2.0 * grow))
        return rect

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        frame = self._frame
        if frame is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(SELECTION_COLOR, 1.0)
        pen.setCosmetic(True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        first = 0
        if frame.kind in ("group", "points") and self._outlines:
            dashed = QPen(pen)
            dashed.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(dashed)
            painter.drawPolygon(self._outlines[0])
            first = 1
        painter.setPen(pen)
        for polygon in self._outlines[first:]:
            painter.drawPolygon(polygon)
        for line in self._lines:
            painter.drawLine(line)
        pos = self.pos()
        half = HANDLE_PX * self._px / 2.0
        painter.setBrush(QColor(255, 255, 255))
        for handle, point in self.visible_handles():
            local = point - pos
            box = QRectF(local.x() - half, local.y() - half, 2.0 * half, 2.0 * half)
            if handle is Handle.ROTATE:
                # A stem from the top edge's middle to a round knob.
                x, y = frame.handle_point(Handle.N)
                painter.drawLine(QPointF(x, y), local)  # both in the overlay's frame
                painter.drawEllipse(box)
            elif handle in (Handle.START, Handle.END):
                painter.drawEllipse(box)
            else:
                painter.drawRect(box)
        selected = self.selected_vertex()
        for index, point in self.vertices():
            local = point - pos
            box = QRectF(local.x() - half, local.y() - half, 2.0 * half, 2.0 * half)
            painter.setBrush(SELECTION_COLOR if index == selected else QColor(255, 255, 255))
            painter.drawEllipse(box)
