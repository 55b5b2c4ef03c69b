"""The canvas: a QGraphicsView on the document's scene, with tools, zoom, pan and text editing.

The canvas owns no document state. It shows a `CanvasScene` that follows the document's
change reports, turns mouse and key gestures into commands pushed to the session's one
history, and follows `session.selection`. Everything the window does to the document
(clipboard, delete, z-order, undo/redo actions) goes through commands; the canvas only
sees the resulting changes, like any other view. So the canvas claims no window
shortcut except while a text box is being edited, when the editor types, and Ctrl+Z goes
to the same global history.

Mouse events are handled here rather than by the items (no ItemIsMovable): a gesture
object (`tools.py`) previews the drag and pushes one command on release.

Indexing: the scene keeps Qt's BSP tree index, built once just after the first paint
(see CanvasScene.build). Moving an item costs one index update, but every repaint and
every pick then visits only the items in the area. With NoIndex each repaint asks every
item for its bounding rect — a Python call per shape — and a mouse move while dragging
one of 10,000 shapes took 5-14 ms instead of 0.3-0.6 ms (bench/bench_canvas.py).

Painting: the scene's ShapeLayer paints every document shape, with a level of detail
for shapes and text a few pixels big (see items.py). Opening a document builds its
items after the (still empty) scene is given to the view, which is cheaper.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Final

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QResizeEvent,
    QShowEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QGraphicsItem, QGraphicsScene, QGraphicsView, QWidget

from editor.commands import MoveShapes
from editor.model import Change, Text
from editor.ui.later import call_later
from editor.ui.session import Session

from .geometry import Handle, quantum
from .paths import VertexGesture, delete_vertex, insert_vertex
from .registry import TOOLS, DefaultStyle
from .scene import CanvasScene
from .text_edit import InPlaceTextEdit
from .tools import (
    Gesture,
    MoveGesture,
    PanGesture,
    Pointer,
    ResizeGesture,
    RotateGesture,
    RubberBandGesture,
)

MIN_ZOOM: Final = 0.05
MAX_ZOOM: Final = 32.0
ZOOM_STEP: Final = 1.25
#: Space left around the page by zoom_fit, in screen pixels.
FIT_MARGIN_PX: Final = 24.0
#: How near (in screen pixels) a click must be to pick a thin shape or an outline.
PICK_TOLERANCE_PX: Final = 3.0
#: Arrow keys move the selection this far (Shift: NUDGE_BIG), in document units.
NUDGE: Final = 1.0
NUDGE_BIG: Final = 10.0
#: Outside the page.
BACKGROUND: Final = QColor(214, 214, 214)

_K = Qt.Key
_ARROWS: Final[dict[int, tuple[float, float]]] = {
    _K.Key_Left: (-1.0, 0.0),
    _K.Key_Right: (1.0, 0.0),
    _K.Key_Up: (0.0, -1.0),
    _K.Key_Down: (0.0, 1.0),
}
#: Platforms differ in whether a modifier key's own press/release event lists it in
#: modifiers(); the canvas adds (press) or removes (release) it itself.
_MODIFIER_KEYS: Final[dict[int, Qt.KeyboardModifier]] = {
    _K.Key_Shift: Qt.KeyboardModifier.ShiftModifier,
    _K.Key_Control: Qt.KeyboardModifier.ControlModifier,
    _K.Key_Meta: Qt.KeyboardModifier.MetaModifier,
    _K.Key_Alt: Qt.KeyboardModifier.AltModifier,
}


class Canvas(QGraphicsView):
    """The drawing area: shows a session's document and edits it through commands."""

    #: The current tool changed: its name in `registry.TOOLS` ("select", "rect", ...).
    toolChanged = Signal(str)
    #: The zoom changed (1.0 = 100 %).
    zoomChanged = Signal(float)
    #: Text editing started, ended or its box changed: (the Text being edited or None,
    #: whether it is a new box not in the document yet). Views describe that box.
    editingChanged = Signal(object, bool)
    #: A short status-bar message: text, timeout in ms.
    message = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Style of newly drawn shapes.
        self.default_style = DefaultStyle()
        self._session: Session | None = None
        self._scene: CanvasScene | None = None
        self._blank = QGraphicsScene(self)
        self._tool = "select"
        self._zoom = 1.0
        self._gesture: Gesture | None = None
        self._swallow_until_release = False
        self._editor_mouse = False
        self._space = False
        self._last_pointer: Pointer | None = None
        self._text: InPlaceTextEdit | None = None
        self._retired: list[QGraphicsItem] = []
        self._fit_pending = False
        self._cursor: Qt.CursorShape | None = None

        self.setScene(self._blank)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(BACKGROUND)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        # Zoom anchoring is done by hand (about the cursor, or the centre). Resizing keeps
        # the drawing where it is on screen (see _keep_drawing_still), so a dock or the
        # failed-job notice appearing covers an edge instead of making the page jump.
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self._origin_in_window: QPoint | None = None
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.viewport().setMouseTracking(True)  # hover cursors over handles
        self._set_cursor(Qt.CursorShape.ArrowCursor)

    # ================================================================= session
    def set_session(self, session: Session | None) -> None:
        """Show `session`'s document (None: show nothing).

        Builds the scene's items once; from then on only the document's change reports
        update it. The previous session is let go cleanly: its gesture cancelled, its text
        edit closed, its scene unsubscribed from its document and deleted.
        """
        if session is self._session:
            return
        self._cancel_gesture()
        self.finish_text_edit()
        old = self._scene
        if old is not None:
            old.documentChanged.disconnect(self._on_document_changed)
            old.close()
        self._session = session
        if session is None:
            self._scene = None
            self.setScene(self._blank)
        else:
            # Items are built after setScene(): see CanvasScene.
            scene = CanvasScene(session, self, build=False)
            scene.documentChanged.connect(self._on_document_changed)
            scene.set_pixel_size(1.0 / self._zoom)
            self._scene = scene
            self.setScene(scene)
            scene.build()
        if old is not None:
            old.deleteLater()
        if session is not None:
            if self.isVisible() and self.viewport().width() > 1:
                self.zoom_fit()
            else:
                self._fit_pending = True
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def session(self) -> Session | None:
        return self._session

    def require_session(self) -> Session:
        """The bound session (gestures only exist while one is bound)."""
        if self._session is None:
            raise RuntimeError("the canvas shows no session")
        return self._session

    def canvas_scene(self) -> CanvasScene:
        """The scene of the bound session."""
        if self._scene is None:
            raise RuntimeError("the canvas shows no session")
        return self._scene

    def item_for(self, shape_id: str) -> QGraphicsItem | None:
        """The scene item that shows `shape_id` (None if there is none)."""
        return self._scene.item_for(shape_id) if self._scene is not None else None

    def _on_document_changed(self, change: Change) -> None:
        if self._gesture is not None:
            # The document changed under a drag (a window action, a timer): the preview
            # no longer matches it. Drop the gesture rather than push a stale command.
            self._cancel_gesture()
        if self._text is not None:
            self._text.on_change(change)

    # ==================================================================== tools
    def tool(self) -> str:
        return self._tool

    def say(self, text: str) -> None:
        self.message.emit(text, 4000)

    def set_tool(self, name: str) -> None:
        """Switch tool; cancels a gesture in progress and ends text editing."""
        if name not in TOOLS:
            raise ValueError(f"unknown tool {name!r} (known: {', '.join(TOOLS)})")
        self._cancel_gesture()
        self.finish_text_edit()
        if name != self._tool:
            self._tool = name
            self._refresh_cursor()
            self.toolChanged.emit(name)

    def snap_step(self) -> float:
        """The step gestures snap document coordinates to at the current zoom."""
        return quantum(self._zoom)

    # ===================================================================== zoom
    def zoom(self) -> float:
        return self._zoom

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom / ZOOM_STEP)

    def zoom_actual(self) -> None:
        self.set_zoom(1.0)

    def zoom_fit(self) -> None:
        """Fit the page in the view, with a margin, and centre it."""
        self._fit_pending = False
        if self._scene is None:
            return
        page = self._scene.page_rect()
        viewport = self.viewport()
        room_w = max(viewport.width() - 2 * FIT_MARGIN_PX, 1.0)
        room_h = max(viewport.height() - 2 * FIT_MARGIN_PX, 1.0)
        self.set_zoom(min(room_w / page.width(), room_h / page.height()))
        self.centerOn(page.center())

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Set the zoom (clamped), keeping the scene point under `anchor` (viewport
        pixels; default: the centre) still. Every zoom action comes through here."""
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        if math.isclose(zoom, self._zoom, rel_tol=1e-12):
            return
        viewport = self.viewport()
        if anchor is None:
            anchor = QPointF(viewport.width() / 2.0, viewport.height() / 2.0)
        fixed = self._to_scene(anchor)
        self._zoom = zoom
        self.setTransform(QTransform.fromScale(zoom, zoom))
        moved = self.viewportTransform().map(fixed) - anchor
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(moved.x()))
        v.setValue(v.value() + round(moved.y()))
        if self._scene is not None:
            self._scene.set_pixel_size(1.0 / zoom)
        self.zoomChanged.emit(zoom)

    def reveal(self, ids: Iterable[str]) -> None:
        """Scroll (without zooming) so that these shapes are in view."""
        if self._scene is None:
            return
        area = QRectF()
        for shape_id in ids:
            item = self._scene.item_for(shape_id)
            if item is not None:
                area = area.united(item.sceneBoundingRect())
        if area.isNull():
            return
        visible = self._to_scene_rect()
        if visible.contains(area):
            return
        margin = 40
        if area.width() * self._zoom < visible.width() * self._zoom - 2 * margin and (
            area.height() * self._zoom < visible.height() * self._zoom - 2 * margin
        ):
            self.ensureVisible(area, margin, margin)
        else:
            self.centerOn(area.center())

    # ============================================================= text editing
    def is_editing_text(self) -> bool:
        return self._text is not None

    def begin_text_edit(
        self,
        shape: Text,
        *,
        pending: bool = False,
        caret: QPointF | None = None,
    ) -> None:
        """Edit `shape`'s text in place (`pending`: a new box, added on the first key).

        The caret goes to the scene point `caret` if given, else to the end of the text.
        """
        self.finish_text_edit()
        session = self.require_session()
        scene = self.canvas_scene()
        if pending:
            session.selection.clear()  # the new box is what is being worked on
        else:
            session.selection.set([shape.id])
        self._text = InPlaceTextEdit(
            session, scene, shape, pending=pending, finish=self.finish_text_edit,
            added=self._announce_editing,
        )  # fmt: skip
        scene.set_overlay_hidden(True)
        if caret is not None:
            self._text.editor.caret_at_point(caret)
        else:
            self._text.editor.caret_to(len(shape.text))
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self._refresh_cursor()
        self._announce_editing()

    def editing(self) -> tuple[Text | None, bool]:
        """The text box being edited (None when not editing) and whether it is new."""
        edit = self._text
        return (None, False) if edit is None else (edit.shape(), edit.pending)

    def restyle_new_box(self, shape: Text) -> None:
        """Give the new box being edited (not in the document yet) another style or box:
        the Properties panel edits it this way, without a history step."""
        edit = self._text
        if edit is not None and edit.pending:
            edit.set_pending_shape(shape)
            self._announce_editing()

    def _announce_editing(self) -> None:
        shape, pending = self.editing()
        self.editingChanged.emit(shape, pending)

    def finish_text_edit(self) -> None:
        """Stop editing text (no-op if not editing). The box stays selected."""
        edit = self._text
        if edit is None:
            return
        self._text = None
        self._editor_mouse = False
        edit.close()
        # The editor may be finishing from inside its own key handler (Escape, or an
        # undo that removed the box): keep the item alive until control returns to the
        # event loop, so Qt never runs code on a deleted item.
        self._retired.append(edit.editor)
        call_later(self, 0, self._retired.clear)
        if self._scene is not None:
            self._scene.set_overlay_hidden(False)
            if edit.exists():
                self.require_session().selection.set([edit.shape_id])
        self._refresh_cursor()
        self._announce_editing()

    # =================================================================== mouse
    def _to_scene(self, view_point: QPointF) -> QPointF:
        inverse, _ok = self.viewportTransform().inverted()
        return inverse.map(view_point)

    def _to_scene_rect(self) -> QRectF:
        inverse, _ok = self.viewportTransform().inverted()
        return inverse.mapRect(QRectF(self.viewport().rect()))

    def _pointer(self, event: QMouseEvent) -> Pointer:
        view = event.position()
        return Pointer(view, self._to_scene(view), event.modifiers())

    def pick_tolerance(self) -> float:
        return PICK_TOLERANCE_PX / self._zoom

    def mousePressEvent(self, event: QMouseEvent) -> None:
        scene = self._scene
        if scene is None:
            super().mousePressEvent(event)
            return
        event.accept()
        if self._swallow_until_release and event.buttons() == event.button():
            self._swallow_until_release = False  # the release was lost: a fresh press
        p = self._pointer(event)
        gesture = self._gesture
        if gesture is not None and gesture.multi_click and event.button() == gesture.button:
            self._last_pointer = p
            gesture.next_press(p)  # the next vertex of a polygon
            return
        if gesture is not None or self._swallow_until_release:
            return  # a second button during a drag
        self._last_pointer = p
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (
            button == Qt.MouseButton.LeftButton and self._space
        ):
            self._start(PanGesture(self, p, button))
            return
        if self._text is not None:
            if button == Qt.MouseButton.LeftButton and self._text.contains(p.scene):
                self._editor_mouse = True
                super().mousePressEvent(event)
                return
            self.finish_text_edit()
        if button == Qt.MouseButton.RightButton:
            # The window's context menu acts on the selection: make it what was clicked.
            item = scene.shape_at(p.scene, self.pick_tolerance())
            selection = self.require_session().selection
            if item is None:
                selection.clear()
            elif item.shape_id not in selection:
                selection.set([item.shape_id])
            return
        if button != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        tool = TOOLS[self._tool]
        if tool.gesture is None:  # the Select tool
            self._start(self._select_press(p))
            return
        if tool.edits_text:  # a press on a text box edits it
            item = scene.shape_at(p.scene, self.pick_tolerance())
            if item is not None and isinstance(item.model, Text):
                self.set_tool("select")
                self.begin_text_edit(item.model, caret=p.scene)
                self._swallow_until_release = True
                return
        self._start(tool.gesture(self, p, tool))

    def _select_press(self, p: Pointer) -> Gesture:
        scene = self.canvas_scene()
        overlay = scene.overlay
        frame = overlay.frame
        # Shift+drag on a handle keeps the aspect ratio; only Ctrl makes it a toggle-click.
        shown = frame is not None and overlay.isVisible()
        ctrl = bool(p.modifiers & Qt.KeyboardModifier.ControlModifier)
        if shown and not ctrl:
            vertex = overlay.vertex_at(p.scene)
            if vertex is not None:
                return VertexGesture(self, p, vertex)
        overlay.select_vertex(None)  # a press anywhere else lets a selected vertex go
        if shown and not ctrl:
            handle = overlay.handle_at(p.scene)
            if handle is Handle.ROTATE and frame is not None:
                return RotateGesture(self, p, frame)
            if handle is not None and frame is not None:
                return ResizeGesture(self, p, handle, frame)
        if shown and ctrl and insert_vertex(self, p):
            self._swallow_until_release = True
            return Gesture(self, p, Qt.MouseButton.LeftButton)  # the step is pushed
        item = scene.shape_at(p.scene, self.pick_tolerance())
        if item is not None:
            return MoveGesture(self, p, item.shape_id)
        return RubberBandGesture(self, p)

    def _start(self, gesture: Gesture) -> None:
        self._gesture = gesture
        self._refresh_cursor()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._editor_mouse:
            super().mouseMoveEvent(event)
            return
        if self._scene is None:
            super().mouseMoveEvent(event)
            return
        event.accept()
        p = self._pointer(event)
        self._last_pointer = p
        gesture = self._gesture
        if gesture is not None:
            was_dragging = gesture.dragging
            gesture.move(p)
            if gesture.dragging != was_dragging:
                self._refresh_cursor()
            return
        if not self._swallow_until_release:
            self._refresh_cursor(p)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._editor_mouse and event.button() == Qt.MouseButton.LeftButton:
            self._editor_mouse = False
            super().mouseReleaseEvent(event)
            return
        if self._scene is None:
            super().mouseReleaseEvent(event)
            return
        event.accept()
        p = self._pointer(event)
        self._last_pointer = p
        gesture = self._gesture
        if gesture is not None and event.button() == gesture.button:
            if not gesture.multi_click:
                self._gesture = None
            gesture.release(p)  # a polygon's gesture goes on to the next vertex
        if event.buttons() == Qt.MouseButton.NoButton:
            self._swallow_until_release = False
        self._refresh_cursor(p)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        scene = self._scene
        if scene is None:
            super().mouseDoubleClickEvent(event)
            return
        p = self._pointer(event)
        gesture = self._gesture
        if gesture is not None and gesture.multi_click:
            event.accept()
            gesture.double_click(p)  # ends a polygon
            return
        if event.button() == Qt.MouseButton.LeftButton and self._gesture is None:
            if self._text is not None and self._text.contains(p.scene):
                self._editor_mouse = True
                super().mouseDoubleClickEvent(event)  # selects a word
                return
            tool = TOOLS[self._tool]
            if (tool.gesture is None or tool.edits_text) and not self._space:
                item = scene.shape_at(p.scene, self.pick_tolerance())
                if item is not None and isinstance(item.model, Text):
                    event.accept()
                    self.set_tool("select")
                    self.begin_text_edit(item.model, caret=p.scene)
                    self._swallow_until_release = True
                    return
        # Otherwise a double click is just a second press.
        self.mousePressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        modifiers = event.modifiers()
        delta = event.angleDelta()
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            steps = delta.y() / 120.0 if delta.y() else delta.x() / 120.0
            if steps:
                self.set_zoom(self._zoom * ZOOM_STEP**steps, event.position())
            event.accept()
            return
        if modifiers & Qt.KeyboardModifier.ShiftModifier and delta.y() and not delta.x():
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - round(delta.y() / 120.0 * bar.singleStep() * 3))
            event.accept()
            return
        super().wheelEvent(event)

    # ===================================================================== keys
    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and self._text is None
            and isinstance(event, QKeyEvent)
            and self._claims(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def _claims(self, event: QKeyEvent) -> bool:
        """Keys the canvas itself handles when not editing text (everything else is the
        window's: Delete, Ctrl+A, Ctrl+Z, tool letters...)."""
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
        if key == _K.Key_Escape:
            return self._gesture is not None or self._tool != "select"
        if self._gesture is not None and self._gesture.claims(key):
            return True
        if key in (_K.Key_Delete, _K.Key_Backspace) and self._gesture is None:
            # Delete with a polygon's vertex selected deletes the vertex, not the shape.
            scene = self._scene
            return scene is not None and scene.overlay.selected_vertex() is not None
        if key in _ARROWS:
            return plain and self._session is not None and bool(self._session.selection)
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._text is not None:
            super().keyPressEvent(event)  # the scene sends it to the editor
            return
        key = event.key()
        gesture = self._gesture
        if key in _MODIFIER_KEYS:
            self._update_gesture_modifiers(event.modifiers() | _MODIFIER_KEYS[key])
            event.ignore()
            return
        if gesture is not None and gesture.claims(key):
            gesture.key(key)
            event.accept()
            return
        if key in (_K.Key_Delete, _K.Key_Backspace) and gesture is None and delete_vertex(self):
            event.accept()
            return
        if key == _K.Key_Escape:
            if gesture is not None:
                self._cancel_gesture()
                self._swallow_until_release = True
            elif self._tool != "select":
                self.set_tool("select")
            elif self._session is not None and self._session.selection:
                self._session.selection.clear()
            else:
                event.ignore()
                return
            event.accept()
            return
        if key == _K.Key_Space:
            if not event.isAutoRepeat():
                self._space = True
                self._refresh_cursor()
            event.accept()
            return
        if key in _ARROWS and gesture is None and self._session is not None:
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
                step = NUDGE_BIG if modifiers & Qt.KeyboardModifier.ShiftModifier else NUDGE
                ux, uy = _ARROWS[key]
                if self._nudge_selection(ux * step, uy * step):
                    event.accept()
                    return
        if key in (_K.Key_Return, _K.Key_Enter, _K.Key_F2) and gesture is None:
            session = self._session
            if session is not None and len(session.selection) == 1:
                shape = session.document.get(session.selection.ids()[0])
                if isinstance(shape, Text):
                    self.begin_text_edit(shape)
                    event.accept()
                    return
        event.ignore()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if self._text is not None:
            super().keyReleaseEvent(event)
            return
        key = event.key()
        if key == _K.Key_Space and not event.isAutoRepeat():
            self._space = False
            self._refresh_cursor()
            event.accept()
            return
        if key in _MODIFIER_KEYS:
            self._update_gesture_modifiers(event.modifiers() & ~_MODIFIER_KEYS[key])
        event.ignore()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._space = False
        super().focusOutEvent(event)

    def _update_gesture_modifiers(self, modifiers: Qt.KeyboardModifier) -> None:
        """Shift pressed or released mid-drag: re-apply the constraint at once."""
        if self._gesture is not None and self._last_pointer is not None:
            p = self._last_pointer.with_modifiers(modifiers)
            self._last_pointer = p
            self._gesture.move(p)

    def _nudge_selection(self, dx: float, dy: float) -> bool:
        """Move the selection by an arrow key. A burst of nudges is one undo step.

        The burst is one open step of the history for these shapes: anything else (another
        command, an undo, another selection) or a pause starts a new step.
        """
        session = self._session
        if session is None or not session.selection:
            return False
        ids = session.selection.ids()
        session.push(MoveShapes(ids, dx, dy), step=("nudge", frozenset(ids)))
        return True

    def _cancel_gesture(self) -> None:
        gesture = self._gesture
        if gesture is not None:
            self._gesture = None
            gesture.cancel()
            self._refresh_cursor()

    # ================================================================= cursors
    def _refresh_cursor(self, p: Pointer | None = None) -> None:
        shape = self._cursor_for(p)
        if shape != self._cursor:
            self._set_cursor(shape)

    def _cursor_for(self, p: Pointer | None) -> Qt.CursorShape:
        gesture = self._gesture
        if gesture is not None:
            if gesture.dragging and gesture.drag_cursor is not None:
                return gesture.drag_cursor
            return self._cursor or Qt.CursorShape.ArrowCursor
        if self._space:
            return Qt.CursorShape.OpenHandCursor
        if p is not None and self._scene is not None:
            if self._text is not None and self._text.contains(p.scene):
                return Qt.CursorShape.IBeamCursor
            if self._tool == "select":
                overlay = self._scene.overlay
                shown = overlay.frame is not None and overlay.isVisible()
                handle = overlay.handle_at(p.scene) if shown else None
                if handle is not None:
                    return overlay.cursor_for(handle)
        return TOOLS[self._tool].cursor

    def _set_cursor(self, shape: Qt.CursorShape) -> None:
        self._cursor = shape
        self.viewport().setCursor(shape)

    # ================================================================== events
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._fit_pending:
            self.zoom_fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._keep_drawing_still()
        if self._fit_pending and self.isVisible():
            self.zoom_fit()

    def _keep_drawing_still(self) -> None:
        """After a resize, scroll so that the drawing stays where it was in the window.

        With NoAnchor Qt keeps the scene point at the viewport's top-left corner; when
        that corner itself moved in the window (a dock opened on the left or the top),
        the drawing would move with it, so the scroll bars take the move back.
        """
        origin = self.viewport().mapTo(self.window(), QPoint(0, 0))
        old, self._origin_in_window = self._origin_in_window, origin
        if old is None or origin == old:
            return
        moved = origin - old
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + moved.x())
        v.setValue(v.value() + moved.y())
