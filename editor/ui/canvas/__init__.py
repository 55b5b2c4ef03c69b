"""The canvas: the document's shapes on a QGraphicsView, edited by mouse and keyboard.

Only `Canvas` is the window's API; the rest is exported for tests and tools.

    view.py       Canvas: session binding, tools, zoom/pan, keys, text editing
    scene.py      CanvasScene: one item per shape, updated from the document's changes
    items.py      ShapeItem, ShapeLayer (paints them with editor.io.render), PageItem
    handles.py    SelectionOverlay: outlines and resize handles
    tools.py      gestures (move, resize, rubber band, draw, pan) and the CanvasPort
                  they talk to
    registry.py   the tools (the one list) and each shape kind's canvas part, DefaultStyle
    kinds.py      the registrations: each kind's picking, frame, outline, tool, icon
    geometry.py   pure snapping, constraint and resize math
    text_edit.py  in-place text editing on the global history
"""

from editor.ui.canvas import kinds as kinds  # registers the kinds' canvas parts and tools
from editor.ui.canvas.geometry import Handle
from editor.ui.canvas.items import ShapeItem
from editor.ui.canvas.registry import TOOLS, DefaultStyle
from editor.ui.canvas.view import Canvas

__all__ = ["TOOLS", "Canvas", "DefaultStyle", "Handle", "ShapeItem"]
