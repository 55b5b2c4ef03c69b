"""Level of detail and the shape layer: what the canvas paints, checked on real pixels.

The canvas paints tiny shapes as filled rects and greeks small text (items.py); the
exporters never do. Document items have no contents of their own: the scene's
ShapeLayer paints them, so every change must have the right area repainted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from editor.commands import DeleteShapes, MoveShapes, Reorder
from editor.io.export import export_png, export_svg
from editor.io.render import paint_page
from editor.model import Page, Shape, Snapshot, ellipse, freehand, line, polygon, rect, text
from editor.ui.canvas import Canvas, ShapeItem
from editor.ui.canvas.items import GREEK_PX, TINY_PX, Detail, clear_caches
from editor.ui.canvas.simulate import drag, key, release_view, view_point
from editor.ui.session import Session

WHITE = (255, 255, 255)
RED = (255, 0, 0)
BLUE = (0, 0, 255)

LONG = "The quick brown fox jumps over the lazy dog " * 4


@pytest.fixture
def painted() -> Iterator[dict[str, list[Detail]]]:
    """Records how each shape was painted (ShapeItem.paint_observer, the seam)."""
    seen: dict[str, list[Detail]] = {}

    def observe(item: ShapeItem, detail: Detail) -> None:
        seen.setdefault(item.shape_id, []).append(detail)

    clear_caches()
    ShapeItem.paint_observer = observe
    try:
        yield seen
    finally:
        ShapeItem.paint_observer = None


def lod_session() -> Session:
    shapes = (
        rect("small", 100, 100, 8, 8, fill="#ff0000", stroke=None),
        ellipse("round", 300, 100, 8, 8, fill="#0000ff", stroke=None),
        text("words", 100, 300, 400, 200, LONG, font_size=12, color="#000000"),
        rect("big", 500, 100, 200, 150, fill="#00ff00", stroke=None),
    )
    return Session(Snapshot(Page(800, 600, "#ffffff"), shapes))


def repaint(canvas: Canvas, seen: dict[str, list[Detail]]) -> QImage:
    """Paint the viewport (grab() paints it once more) and return the picture."""
    seen.clear()
    return canvas.viewport().grab().toImage()


def how(seen: dict[str, list[Detail]]) -> dict[str, set[Detail]]:
    """How each shape was painted, over all the paints since the last `repaint`."""
    return {shape_id: set(details) for shape_id, details in seen.items()}


def rgb_at(canvas: Canvas, image: QImage, x: float, y: float) -> tuple[int, int, int]:
    c = image.pixelColor(canvas.mapFromScene(QPointF(x, y)))
    return c.red(), c.green(), c.blue()


def near(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


# ------------------------------------------------------------------ level of detail
def test_at_a_quarter_tiny_shapes_are_stand_ins_and_small_text_is_greeked(
    make_canvas: Callable[[Session], Canvas], painted: dict[str, list[Detail]]
) -> None:
    canvas = make_canvas(lod_session())
    canvas.set_zoom(0.25)  # 8 units -> 2 px (< TINY_PX); 12 px font -> 3 px (< GREEK_PX)
    assert TINY_PX > 8 * 0.25 and GREEK_PX > 12 * 0.25
    repaint(canvas, painted)
    assert how(painted) == {
        "small": {"tiny"}, "round": {"tiny"}, "words": {"greek"}, "big": {"full"},
    }  # fmt: skip


def test_at_100_percent_everything_is_painted_in_full(
    make_canvas: Callable[[Session], Canvas], painted: dict[str, list[Detail]]
) -> None:
    canvas = make_canvas(lod_session())
    repaint(canvas, painted)
    assert how(painted) == {
        "small": {"full"}, "round": {"full"}, "words": {"full"}, "big": {"full"},
    }  # fmt: skip


def test_the_decision_is_made_on_device_pixels_at_the_thresholds(
    make_canvas: Callable[[Session], Canvas], painted: dict[str, list[Detail]]
) -> None:
    canvas = make_canvas(lod_session())
    canvas.set_zoom(TINY_PX / 8 * 1.02)  # the 8-unit shapes are just over 3 px
    repaint(canvas, painted)
    assert how(painted)["small"] == {"full"}
    canvas.set_zoom(TINY_PX / 8 * 0.98)
    repaint(canvas, painted)
    assert how(painted)["small"] == {"tiny"}
    canvas.set_zoom(GREEK_PX / 12 * 1.02)
    repaint(canvas, painted)
    assert how(painted)["words"] == {"full"}
    canvas.set_zoom(GREEK_PX / 12 * 0.98)
    repaint(canvas, painted)
    assert how(painted)["words"] == {"greek"}


def test_a_tiny_stand_in_shows_the_shapes_colour(
    make_canvas: Callable[[Session], Canvas], painted: dict[str, list[Detail]]
) -> None:
    shapes = (rect("r", 100, 100, 10, 10, fill="#ff0000", stroke=None),
              line("l", 300, 100, 304, 100, stroke="#0000ff", stroke_width=4))  # fmt: skip
    canvas = make_canvas(Session(Snapshot(Page(800, 600, "#ffffff"), shapes)))
    canvas.set_zoom(0.25)  # 10 units: 2.5 px; the line with its caps: 8 units, 2 px
    image = repaint(canvas, painted)
    assert how(painted) == {"r": {"tiny"}, "l": {"tiny"}}
    assert near(rgb_at(canvas, image, 105, 105), RED)
    r, g, b = rgb_at(canvas, image, 302, 100)  # a 2 x 1 px stand-in: blended, but blue
    assert b >= 240 and r <= 230 and g <= 230
    assert rgb_at(canvas, image, 200, 200) == WHITE


def test_greeked_text_is_grey_bars_inside_its_box(
    make_canvas: Callable[[Session], Canvas], painted: dict[str, list[Detail]]
) -> None:
    canvas = make_canvas(lod_session())
    canvas.set_zoom(0.25)
    image = repaint(canvas, painted)
    assert how(painted)["words"] == {"greek"}
    box = canvas.mapFromScene(QRectF(100, 300, 400, 200)).boundingRect()
    inked = [
        image.pixelColor(x, y)
        for x in range(box.left(), box.right())
        for y in range(box.top(), box.bottom())
        if image.pixelColor(x, y).lightness() < 250
    ]
    assert inked  # bars where the lines are
    assert all(abs(c.red() - c.green()) <= 2 and abs(c.green() - c.blue()) <= 2 for c in inked)
    below = canvas.mapFromScene(QPointF(300, 520))
    assert image.pixelColor(below).lightness() >= 250  # nothing below the box


def test_exports_never_use_the_level_of_detail(
    tmp_path: Path, painted: dict[str, list[Detail]]
) -> None:
    """A PNG at a tenth of the size is what the full renderer paints at that scale (no
    stand-ins, no greeking), and SVG text at any size stays live text."""
    snapshot = lod_session().document.snapshot()
    png = QImage(str(export_png(snapshot, tmp_path / "small.png", scale=0.1)))
    direct = QImage(80, 60, QImage.Format.Format_RGB32)
    direct.fill(QColor(0, 0, 0, 0))
    painter = QPainter(direct)
    painter.scale(0.1, 0.1)
    paint_page(painter, snapshot)
    painter.end()
    assert png.convertToFormat(QImage.Format.Format_RGB32) == direct
    svg = export_svg(snapshot, tmp_path / "small.svg").read_text(encoding="utf-8")
    assert "<text" in svg and "quick brown fox" in svg
    assert painted == {}  # no canvas item painted anything


# ----------------------------------------------------------------- the shape layer
def test_items_have_no_contents_and_the_layer_paints_them(
    qtbot: QtBot, canvas: Canvas, painted: dict[str, list[Detail]]
) -> None:
    item = canvas.item_for("r")
    assert isinstance(item, ShapeItem) and item.layered
    assert item.flags() & ShapeItem.GraphicsItemFlag.ItemHasNoContents
    image = repaint(canvas, painted)
    assert rgb_at(canvas, image, 140, 130) == RED
    assert set(painted) == {"r", "e", "l", "t", "frame"}


def on_screen(canvas: Canvas) -> QImage:
    """What the screen shows: the window's backing store as last painted.

    Unlike ``viewport().grab()``, which paints the whole viewport afresh, this repaints
    nothing: an area nobody asked to be repainted (the update region missed it) still
    shows its old pixels.
    """
    window = canvas.window()
    return window.screen().grabWindow(window.winId()).toImage()


def shows(canvas: Canvas, *expected: tuple[float, float, tuple[int, int, int]]) -> bool:
    """Whether the screen shows each (x, y, colour), points in document coordinates."""
    image = on_screen(canvas)
    window = canvas.window()
    for x, y, color in expected:
        point = canvas.viewport().mapTo(window, canvas.mapFromScene(QPointF(x, y)))
        c = image.pixelColor(point)
        if (c.red(), c.green(), c.blue()) != color:
            return False
    return True


def settle(
    qtbot: QtBot, canvas: Canvas, *expected: tuple[float, float, tuple[int, int, int]]
) -> None:
    """Wait until the screen shows `expected` (fails if the area is never repainted)."""
    qtbot.waitUntil(lambda: shows(canvas, *expected), timeout=2000)


def quiet(
    qtbot: QtBot, canvas: Canvas, *expected: tuple[float, float, tuple[int, int, int]]
) -> None:
    """The first paint is done and the index is built (building it repaints the whole
    viewport once): from now on only the areas the canvas asks for are repainted."""
    scene = canvas.canvas_scene()
    qtbot.waitUntil(lambda: scene.itemIndexMethod() == scene.ItemIndexMethod.BspTreeIndex)
    settle(qtbot, canvas, *expected)
    QApplication.processEvents()


def test_a_pushed_move_repaints_the_old_and_the_new_place(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    quiet(qtbot, canvas, (140, 130, RED), (140, 380, WHITE))
    session.push(MoveShapes(("r",), 0, 250))
    settle(qtbot, canvas, (140, 130, WHITE), (140, 380, RED))


def test_a_drag_preview_and_escape_repaint_both_places(qtbot: QtBot, canvas: Canvas) -> None:
    quiet(qtbot, canvas, (140, 130, RED), (140, 430, WHITE))
    drag(qtbot, canvas, (140, 130), (140, 430), release_at_end=False)
    settle(qtbot, canvas, (140, 130, WHITE), (140, 430, RED))
    key(qtbot, canvas, Qt.Key.Key_Escape)  # cancels the drag: the item goes back
    settle(qtbot, canvas, (140, 130, RED), (140, 430, WHITE))
    release_view(qtbot, canvas, view_point(canvas, (140, 430)))


def test_deleting_and_undeleting_repaints(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    quiet(qtbot, canvas, (140, 130, RED))
    session.push(DeleteShapes(("r",)))
    settle(qtbot, canvas, (140, 130, WHITE))
    session.history.undo()
    settle(qtbot, canvas, (140, 130, RED))


def test_raising_a_shape_repaints_it_on_top(
    qtbot: QtBot, make_canvas: Callable[[Session], Canvas]
) -> None:
    shapes: tuple[Shape, ...] = (
        rect("under", 100, 100, 100, 100, fill="#ff0000", stroke=None),
        rect("over", 150, 150, 100, 100, fill="#0000ff", stroke=None),
    )
    session = Session(Snapshot(Page(800, 600, "#ffffff"), shapes))
    canvas = make_canvas(session)
    quiet(qtbot, canvas, (175, 175, BLUE))
    session.push(Reorder(("under",), "front"))
    settle(qtbot, canvas, (175, 175, RED))


def test_the_screen_check_sees_a_missed_repaint(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    """The helper above can fail: a change applied without any repaint stays unseen."""
    quiet(qtbot, canvas, (140, 130, RED))
    item = canvas.item_for("r")
    assert isinstance(item, ShapeItem)
    item.setPos(item.pos() + QPointF(0, 250))  # bypasses move_to: nothing is repainted
    QApplication.processEvents()
    assert shows(canvas, (140, 130, RED), (140, 380, WHITE)), "the old pixels stay"


def test_a_big_document_at_fit_is_painted_from_the_document_order(
    make_canvas: Callable[[Session], Canvas], painted: dict[str, list[Detail]]
) -> None:
    """Zoomed out over all the content, the layer paints every item bottom to top
    without asking the index; overlapping shapes keep their stacking order."""
    shapes = [rect(f"s{i}", (i % 50) * 16, (i // 50) * 12, 20, 14,
                   fill="#ff0000" if i % 2 else "#0000ff", stroke=None)
              for i in range(2000)]  # fmt: skip
    session = Session(Snapshot(Page(800, 600, "#ffffff"), tuple(shapes)))
    canvas = make_canvas(session)
    canvas.zoom_fit()
    repaint(canvas, painted)
    assert len(painted) == 2000
    order = [int(shape_id[1:]) for shape_id in painted]
    assert order == sorted(order)


# ----------------------------------------------------------------------- the index
def grid_session(n: int) -> Session:
    shapes = tuple(rect(f"s{i}", (i % 50) * 16, (i // 50) * 12, 10, 8) for i in range(n))
    return Session(Snapshot(Page(800, 600, "#ffffff"), shapes))


def test_queries_work_before_the_first_paint(
    make_canvas: Callable[[Session], Canvas],
) -> None:
    """The scene has no index until just after its first paint; queries still answer."""
    canvas = Canvas()
    canvas.set_session(grid_session(200))  # never shown: never painted
    scene = canvas.canvas_scene()
    assert scene.itemIndexMethod() == scene.ItemIndexMethod.NoIndex
    found = scene.shape_at(QPointF(21, 13), 1.0)
    assert found is not None and found.shape_id == "s51"
    canvas.deleteLater()


def test_after_the_first_paint_the_index_is_built_and_used(
    qtbot: QtBot, make_canvas: Callable[[Session], Canvas]
) -> None:
    """A pick then asks only the items near the point for their bounds, not all 2,000.

    (A BSP index made after the scene rect was set used to cover a null rect, so every
    query visited every item; see CanvasScene._warm_index.) The binding looks for Python
    overrides in an item's own attributes first, which is how the calls are counted.
    """
    canvas = make_canvas(grid_session(2000))
    scene = canvas.canvas_scene()
    canvas.viewport().repaint()
    qtbot.waitUntil(lambda: scene.itemIndexMethod() == scene.ItemIndexMethod.BspTreeIndex)
    asked: list[str] = []

    def counting(item: ShapeItem) -> Callable[[], QRectF]:
        rect = item.boundingRect()

        def bounds() -> QRectF:
            asked.append(item.shape_id)
            return rect

        return bounds

    for item in scene.shape_items():
        item.boundingRect = counting(item)  # type: ignore[method-assign]
    found = scene.shape_at(QPointF(21, 13), 1.0)
    assert found is not None and found.shape_id == "s51"
    assert 0 < len(asked) < 100


# ------------------------------------------------------ coarse polygons and strokes
def wave(x0: float, y0: float, width: float, n: int) -> list[tuple[float, float]]:
    return [(x0 + width * k / (n - 1), y0 + width / 8 * math.sin(k / 6)) for k in range(n)]


def test_a_stroke_of_many_points_small_on_screen_is_coarse_and_looks_the_same(
    make_canvas: Callable[[Session], Canvas], painted: dict[str, list[Detail]]
) -> None:
    shapes = (
        freehand("stroke", wave(100, 300, 600, 700), stroke="#0000ff", stroke_width=6),
        polygon("few", [(100, 100), (200, 100), (150, 180)], True, fill="#ff0000"),
    )
    canvas = make_canvas(Session(Snapshot(Page(800, 600, "#ffffff"), shapes)))
    image = repaint(canvas, painted)
    # 700 points over 600 px: under 1 px apart, under the 2 px spacing: coarse at 100 %.
    assert how(painted) == {"stroke": {"coarse"}, "few": {"full"}}
    canvas.set_zoom(4.0)
    canvas.centerOn(QPointF(400, 300))
    repaint(canvas, painted)
    assert how(painted)["stroke"] == {"full"}
    # The coarse polyline and the full curve agree on the pixels (antialiased edges aside).
    canvas.set_zoom(1.0)
    canvas.centerOn(QPointF(400, 300))
    coarse = repaint(canvas, painted)
    full = QImage(coarse.size(), QImage.Format.Format_ARGB32)
    full.fill(QColor("#ffffff"))
    painter = QPainter(full)
    try:
        painter.setTransform(canvas.viewportTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_page(painter, Snapshot(Page(800, 600, "#ffffff"), shapes))
    finally:
        painter.end()
    differ = 0
    area = canvas.mapFromScene(QRectF(90, 200, 620, 200)).boundingRect()  # the stroke's
    for y in range(area.top(), area.bottom(), 2):
        for x in range(area.left(), area.right(), 2):
            a, b = coarse.pixelColor(x, y), full.pixelColor(x, y)
            if max(abs(a.red() - b.red()), abs(a.green() - b.green()),
                   abs(a.blue() - b.blue())) > 96:  # fmt: skip
                differ += 1
    assert image.size() == coarse.size()
    assert differ <= 20, differ  # of ~31,000 samples
