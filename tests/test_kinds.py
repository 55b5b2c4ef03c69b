"""Shape kinds: one registration per layer, looked up instead of isinstance chains.

The model's kinds (`editor.model.kinds`), their looks (`editor.io.render`) and their
canvas parts and tools (`editor.ui.canvas.registry`, registered in `kinds.py`) must agree;
the tool list is the registry's and nobody else's; no code asks `isinstance` about the
shape classes of box or line kinds; and a kind registered from outside the editor, in
one place per layer, can be drawn, undone, moved and styled like the built-in ones
(docs/architecture.md, "Shape kinds").
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from editor.io import render
from editor.model import KINDS, Kind, rect
from editor.model.kinds import BOX, hit_box, register
from editor.testing import TOOL_KEYS
from editor.ui import actions
from editor.ui.canvas import registry

ROOT = Path(__file__).resolve().parent.parent
EDITOR = ROOT / "editor"


def test_every_kind_has_a_look_a_canvas_part_and_a_tool() -> None:
    assert list(KINDS) == ["rect", "ellipse", "line", "text", "polygon", "freehand"]
    for kind in KINDS.values():
        assert kind.cls in render._RENDERERS, kind.name
        assert kind.cls in registry._CANVAS_KINDS, kind.name
        tool = registry.TOOLS[kind.name]
        assert tool.gesture is not None
        # A press-drag tool says what a drag draws; a points tool what its points do.
        assert (tool.drag is not None) != (tool.points is not None), kind.name
    assert list(registry.TOOLS) == ["select", *KINDS]


def test_the_tool_list_is_the_registrys() -> None:
    tools = registry.TOOLS
    assert tuple(tools) == actions.TOOLS
    specs = [s for s in actions.SPECS if s.name.startswith("tool_")]
    assert [(s.name, s.keys) for s in specs] == [(f"tool_{t}", (tools[t].key,)) for t in tools]
    assert list(TOOL_KEYS) == list(tools)


def test_a_kind_is_registered_once() -> None:
    with pytest.raises(ValueError, match="registered already"):
        register(
            Kind("rect", type(rect("a", 0, 0, 1, 1)), "Rectangle", BOX, frozenset(), rect, hit_box)
        )


def _shape_class_checks(path: Path) -> list[str]:
    """`isinstance(x, Rect/Ellipse/Line/Box)` and `type(x) is Rect/Ellipse/Line` in a file."""
    names = {"Rect", "Ellipse", "Line", "Box", "Polygon", "Freehand"}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance":
            classes = node.args[1]
            elements = classes.elts if isinstance(classes, ast.Tuple) else [classes]
            if any(getattr(e, "id", None) in names for e in elements):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        elif (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Call)
            and getattr(node.left.func, "id", None) == "type"
            and any(getattr(c, "id", None) in names for c in node.comparators)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_isinstance_chains_on_shape_classes() -> None:
    """What differs between kinds is the kind's (text editing asks about Text: it is a
    feature of text boxes, not a difference between kinds)."""
    offenders = [hit for path in sorted(EDITOR.rglob("*.py")) for hit in _shape_class_checks(path)]
    assert offenders == []


def test_the_gestures_do_not_import_the_view() -> None:
    tree = ast.parse((EDITOR / "ui" / "canvas" / "tools.py").read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "view" not in modules
    assert "editor.ui.canvas.view" not in modules


#: A kind added from outside the editor: its model part, its look and its canvas part,
#: one registration each (a kind of the editor's own goes in shapes.py, render.py and
#: ui/canvas/kinds.py instead, and joins the `Shape` union there, so files load it).
DIAMOND_TEST = '''
import msgspec
from PySide6.QtCore import QPointF
from PySide6.QtGui import QPolygonF

from editor.model import Box
from editor.model.kinds import BOX, Kind, hit_box, register


class Diamond(Box, frozen=True, tag="diamond"):
    """A diamond inscribed in its box."""


def diamond(id, x, y, width, height, *, fill="#ffffff", stroke="#000000", stroke_width=1.0):
    return Diamond(id=id, x=float(x), y=float(y), width=float(width), height=float(height),
                   rotation=0.0, fill=fill, stroke=stroke, stroke_width=float(stroke_width),
                   opacity=1.0)


register(Kind("diamond", Diamond, "Diamond", BOX,
              frozenset({"fill", "stroke", "stroke_width", "opacity"}), diamond, hit_box))

from editor.io import render


def paint_diamond(painter, look, layout_of, greek):
    render._fill_and_pen(painter, look)
    box = look.box
    c = box.center()
    painter.drawPolygon(QPolygonF([QPointF(c.x(), box.top()), QPointF(box.right(), c.y()),
                                   QPointF(c.x(), box.bottom()), QPointF(box.left(), c.y())]))


render.register_renderer("diamond", render.Renderer(render._box_frame, render._dress_box,
                                                    paint_diamond, render._tiny_box))

from editor.ui.canvas import kinds as canvas_kinds
from editor.ui.canvas.registry import CanvasKind, Tool, register_canvas_kind, register_tool
from editor.ui.canvas.tools import DrawGesture

register_canvas_kind(CanvasKind("diamond", canvas_kinds._box_frame,
                                canvas_kinds._box_outline, canvas_kinds._box_same_look,
                                canvas_kinds._box_tiny_key))
register_tool(Tool("diamond", "&Diamond", "D", "Draw diamonds", canvas_kinds._icon_rect,
                   gesture=DrawGesture, drag=canvas_kinds._box_drag(diamond),
                   click=canvas_kinds._box_click(diamond)))


def test_a_registered_kind_is_drawn_undone_moved_and_styled(strata_window):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage
    from editor.testing import draw_shape, drag, press, set_property, undo_texts, select

    window = strata_window()
    assert window.action_registry["tool_diamond"].shortcuts()[0].toString() == "D"
    sid = draw_shape(window, "diamond", (100, 100), (200, 160))
    shape = window.document[sid]
    assert type(shape) is Diamond
    assert (shape.x, shape.y, shape.width, shape.height) == (100, 100, 100, 60)
    assert window.canvas.tool() == "select"
    assert undo_texts(window) == ["Add Diamond"]

    drag(window, (150, 130), (160, 140))
    assert (window.document[sid].x, window.document[sid].y) == (110, 110)
    assert undo_texts(window)[-1] == "Move Diamond"

    select(window, sid)
    set_property(window, "Stroke width", 4)
    assert window.document[sid].stroke_width == 4.0
    assert undo_texts(window)[-1] == "Change Stroke Width of Diamond"

    for _ in range(3):
        press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sid not in window.document

    image = QImage(300, 300, QImage.Format.Format_ARGB32)
    image.fill(0)
    from PySide6.QtGui import QPainter
    from editor.model import Snapshot, DEFAULT_PAGE
    painter = QPainter(image)
    red = diamond("d", 0, 0, 100, 100, fill="#ff0000")
    render.paint_page(painter, Snapshot(DEFAULT_PAGE, (red,)))
    painter.end()
    # Painted by its own look: red in the middle, page white in its box's corners.
    assert image.pixelColor(50, 50).name() == "#ff0000"
    assert image.pixelColor(5, 5).name() == "#ffffff"
'''


def test_a_kind_added_in_one_place_per_layer(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\nqt_api = pyside6\n", encoding="utf-8")
    (tmp_path / "test_diamond.py").write_text(DIAMOND_TEST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_diamond.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
