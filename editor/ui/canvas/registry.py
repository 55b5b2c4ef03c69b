"""The canvas's registry of tools and of each shape kind's Qt part.

`editor.model.kinds` holds what a kind *is* (its Struct, geometry, style, noun);
`editor.io.render` how it *looks*. This module holds how the canvas *handles* it: the
frame its handles sit on when it is selected alone, its outline in a
group selection, what counts as "only moved" (same look), and its tool (the toolbar
button, key, cursor, icon and the gesture that draws it). The registrations themselves
are in `editor.ui.canvas.kinds`; the tool list here is the only one: the window's actions
and toolbars, the canvas's cursors and `editor.testing`'s tool keys are made from it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QLineF, Qt
from PySide6.QtGui import QPainter, QPolygonF

from editor.io.render import fitted_height
from editor.model import KINDS, Shape, text

from .geometry import SINGLE_FRAMES, Frame

if TYPE_CHECKING:
    from .tools import CanvasPort, Gesture, Pointer

#: Size of a rectangle or ellipse added by a click (no drag), in document units.
DEFAULT_BOX_SIZE: Final = (100.0, 100.0)
#: Width of a text box added by a click; its height is one line of its font (it grows
#: as text is typed: the Text tool's boxes have `auto_height`).
DEFAULT_TEXT_WIDTH: Final = 200.0


@dataclass(frozen=True, slots=True)
class DefaultStyle:
    """The style of newly drawn shapes (the window may replace `Canvas.default_style`)."""

    fill: str | None = "#ffffff"
    stroke: str | None = "#000000"
    stroke_width: float = 1.0
    line_width: float = 2.0
    font_family: str = "DejaVu Sans"
    font_size: float = 14.0
    text_color: str = "#000000"

    def line_height(self) -> float:
        """The height of a text box of one line in this font, padding included."""
        return _one_line_height(self.font_family, self.font_size)


@functools.lru_cache(maxsize=64)
def _one_line_height(family: str, size: float) -> float:
    probe = text("probe", 0, 0, DEFAULT_TEXT_WIDTH, 0, "", font_family=family, font_size=size)
    return float(math.ceil(fitted_height(probe)))


#: ``drag(style, new_id, (x0, y0), (x1, y1), shift)``: the shape a drag from the first
#: point to the second draws (None: nothing yet, e.g. a line of length 0). `new_id()`
#: gives the shape's id (the same one on every call of one gesture).
DragRule = Callable[
    [DefaultStyle, Callable[[], str], tuple[float, float], tuple[float, float], bool], Any
]
#: ``click(style, new_id, (x, y))``: the shape a click without a drag adds (None: nothing).
ClickRule = Callable[[DefaultStyle, Callable[[], str], tuple[float, float]], Any]
#: ``points(style, new_id, points, closed)``: the shape a points tool (Polygon, Pen)
#: draws through these points.
PointsRule = Callable[[DefaultStyle, Callable[[], str], tuple[tuple[float, float], ...], bool], Any]
#: Makes the gesture that a press with the tool starts.
GestureFactory = Callable[["CanvasPort", "Pointer", "Tool"], "Gesture"]


@dataclass(frozen=True, slots=True, eq=False)
class Tool:
    """One tool of the toolbar and the Tools menu."""

    #: "select", or the kind it draws ("rect").
    name: str
    #: Menu text with its mnemonic ("&Rectangle").
    text: str
    #: Its one-key shortcut ("R").
    key: str
    #: Tool tip and status tip ("Draw rectangles").
    tip: str
    #: Draws the toolbar icon on a 24 x 24 canvas.
    icon: Callable[[QPainter], None]
    #: The canvas's cursor while the tool is active.
    cursor: Qt.CursorShape = Qt.CursorShape.CrossCursor
    #: The gesture a press starts (None for the Select tool: the canvas picks one).
    gesture: GestureFactory | None = None
    drag: DragRule | None = None
    click: ClickRule | None = None
    #: What a points tool draws through the points its gesture collected.
    points: PointsRule | None = None
    #: The shape it draws is a text box: edited in place before it is added.
    edits_text: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class CanvasKind:
    """How the canvas handles one kind of shape (see the module docstring)."""

    name: str
    #: The frame its handles sit on when it is selected alone.
    frame: Callable[[Any], Frame]
    #: Its outline in a group selection, in scene coordinates.
    outline: Callable[[Any], QPolygonF | QLineF]
    #: ``same_look(a, b)``: whether `b` is `a` moved (same size, turn and style).
    same_look: Callable[[Any, Any], bool]
    #: The fields its tiny stand-in's colour depends on.
    tiny_key: Callable[[Any], tuple[Hashable, ...]]


#: Every tool by name, in toolbar order: the Select tool first, then one per kind.
TOOLS: Final[dict[str, Tool]] = {}
_CANVAS_KINDS: Final[dict[type[Any], CanvasKind]] = {}


def register_tool(tool: Tool) -> Tool:
    """Add a tool (once per name and per key)."""
    if tool.name in TOOLS:
        raise ValueError(f"tool {tool.name!r} is registered already")
    if any(t.key == tool.key for t in TOOLS.values()):
        raise ValueError(f"tool key {tool.key!r} is taken")
    TOOLS[tool.name] = tool
    return tool


def register_canvas_kind(kind: CanvasKind) -> CanvasKind:
    """Register the canvas part of the model's kind `kind.name` (once)."""
    cls = KINDS[kind.name].cls
    if cls in _CANVAS_KINDS:
        raise ValueError(f"shape kind {kind.name!r} has a canvas part already")
    _CANVAS_KINDS[cls] = kind
    SINGLE_FRAMES[cls] = kind.frame
    return kind


def canvas_kind(shape: Shape) -> CanvasKind:
    """The canvas part of a shape's kind."""
    return _CANVAS_KINDS[type(shape)]
