"""The shared renderer, checked on real pixels painted onto QImages."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator

import msgspec
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTransform
from pytestqt.qtbot import QtBot

from editor.io.render import (
    TEXT_PADDING,
    fitted_height,
    local_rect,
    local_transform,
    look_of,
    marker_outline,
    paint_look,
    paint_page,
    qcolor,
    shape_origin,
    shape_rect,
    text_font,
    text_layout,
    text_overflows,
)
from editor.model import Page, Shape, Snapshot, Text, ellipse, line, marker_length, rect, text
from editor.model.kinds import kind_of_shape

RGBA = tuple[int, int, int, int]
WHITE: RGBA = (255, 255, 255, 255)
RED: RGBA = (255, 0, 0, 255)
BLUE: RGBA = (0, 0, 255, 255)

LONG_TEXT = "The quick brown fox jumps over the lazy dog. " * 8


@pytest.fixture(autouse=True)
def _app(qapp: object) -> None:
    """Every test paints, and fonts need a Q(Gui)Application."""


def new_image(width: int = 100, height: int = 100, fill: QColor | None = None) -> QImage:
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(fill if fill is not None else QColor(255, 255, 255))
    return image


def paint_shape(painter: QPainter, shape: Shape) -> None:
    """One shape in document coordinates, as `paint_page` paints each (no background)."""
    painter.save()
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.setTransform(local_transform(shape), True)
    paint_look(painter, look_of(shape))
    painter.restore()


def painted(*shapes: Shape, size: int = 100, fill: QColor | None = None) -> QImage:
    image = new_image(size, size, fill)
    painter = QPainter(image)
    for shape in shapes:
        paint_shape(painter, shape)
    painter.end()
    return image


def rgba(image: QImage, x: int, y: int) -> RGBA:
    c = image.pixelColor(x, y)
    return c.red(), c.green(), c.blue(), c.alpha()


def near(actual: RGBA, expected: RGBA, tolerance: int = 2) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def pixels(image: QImage) -> Iterator[tuple[int, int, RGBA]]:
    """Every pixel as (x, y, (r, g, b, a)), unpremultiplied."""
    rgba8888 = image.convertToFormat(QImage.Format.Format_RGBA8888)
    data = bytes(rgba8888.constBits())
    stride = rgba8888.bytesPerLine()
    for y in range(rgba8888.height()):
        row = data[y * stride : y * stride + 4 * rgba8888.width()]
        for x in range(rgba8888.width()):
            r, g, b, a = row[4 * x : 4 * x + 4]
            yield x, y, (r, g, b, a)


def dark_pixels(image: QImage) -> list[tuple[int, int]]:
    return [(x, y) for x, y, (r, g, b, _) in pixels(image) if r + g + b < 300]


def dark_bounds(image: QImage) -> tuple[int, int, int, int]:
    dark = dark_pixels(image)
    xs = [x for x, _ in dark]
    ys = [y for _, y in dark]
    return min(xs), min(ys), max(xs), max(ys)


# ----------------------------------------------------------------------- colours
def test_qcolor_reads_alpha_last_unlike_qt() -> None:
    color = qcolor("#ff000080")
    assert (color.red(), color.green(), color.blue(), color.alpha()) == (255, 0, 0, 128)
    # The trap qcolor exists for: Qt reads the same string as #aarrggbb.
    assert QColor("#ff000080").red() == 0


def test_qcolor_six_digits_is_opaque_and_case_insensitive() -> None:
    color = qcolor("#12AB3c")
    assert (color.red(), color.green(), color.blue(), color.alpha()) == (0x12, 0xAB, 0x3C, 255)


def test_qcolor_none_is_fully_transparent() -> None:
    assert qcolor(None).alpha() == 0


@pytest.mark.parametrize("value", ["red", "#12345", "#gggggg", "#ff000080ff", "ff0000", ""])
def test_qcolor_rejects_malformed_colours(value: str) -> None:
    with pytest.raises(ValueError, match="invalid colour"):
        qcolor(value)


# ------------------------------------------------------------------------ shapes
def test_rect_fills_inside_and_leaves_outside_alone() -> None:
    image = painted(rect("r", 20, 30, 60, 40, fill="#ff0000", stroke=None))
    assert rgba(image, 50, 50) == RED
    assert rgba(image, 21, 31) == RED
    assert rgba(image, 78, 68) == RED
    assert rgba(image, 10, 50) == WHITE
    assert rgba(image, 50, 25) == WHITE
    assert rgba(image, 85, 50) == WHITE
    assert rgba(image, 50, 75) == WHITE


def test_none_fill_leaves_the_inside_background_and_strokes_the_edge() -> None:
    image = painted(rect("r", 20, 20, 60, 60, fill=None, stroke="#0000ff", stroke_width=4))
    assert rgba(image, 50, 50) == WHITE
    # The stroke is centred on the edge: x = 18..22.
    assert rgba(image, 19, 50) == BLUE
    assert rgba(image, 21, 50) == BLUE
    assert rgba(image, 16, 50) == WHITE
    assert rgba(image, 24, 50) == WHITE


def test_none_stroke_draws_no_outline() -> None:
    image = painted(rect("r", 20, 20, 60, 60, fill="#ff0000", stroke=None, stroke_width=6))
    assert rgba(image, 18, 50) == WHITE
    assert rgba(image, 20, 50) == RED


def test_zero_stroke_width_draws_no_hairline() -> None:
    image = painted(rect("r", 20, 20, 60, 60, fill=None, stroke="#0000ff", stroke_width=0))
    assert all(color == WHITE for _, _, color in pixels(image))


def test_opacity_half_blends_with_what_is_below() -> None:
    image = painted(rect("r", 20, 20, 60, 60, fill="#ff0000", stroke=None, opacity=0.5))
    assert near(rgba(image, 50, 50), (255, 128, 128, 255))


def test_opacity_zero_paints_nothing() -> None:
    image = painted(rect("r", 20, 20, 60, 60, fill="#ff0000", stroke="#000000", opacity=0.0))
    assert all(color == WHITE for _, _, color in pixels(image))


def test_alpha_last_fill_is_half_transparent_red() -> None:
    shape = rect("r", 20, 20, 60, 60, fill="#ff000080", stroke=None)
    on_white = painted(shape)
    assert near(rgba(on_white, 50, 50), (255, 127, 127, 255))
    on_nothing = painted(shape, fill=QColor(0, 0, 0, 0))
    assert near(rgba(on_nothing, 50, 50), (255, 0, 0, 128))


def test_opacity_applies_to_fill_and_stroke_separately() -> None:
    """Per-primitive: the fill shows through the inner half of a translucent stroke.

    SVG's group opacity would hide the fill there; folding opacity into colour alpha
    gives this result in every output (see test_export's SVG round trip).
    """
    shape = rect("r", 20, 20, 60, 60, fill="#ff0000", stroke="#0000ff", stroke_width=8)
    image = painted(msgspec.structs.replace(shape, opacity=0.5))
    fill_then_stroke = (128, 64, 191, 255)  # white, then red at 50%, then blue at 50%
    assert near(rgba(image, 22, 50), fill_then_stroke)
    assert near(rgba(image, 17, 50), (128, 128, 255, 255))  # stroke over white only
    assert near(rgba(image, 50, 50), (255, 128, 128, 255))  # fill only


def test_rotation_90_turns_a_wide_rect_into_a_tall_one() -> None:
    # 60 x 10 centred on (50, 50): after a quarter turn it covers x 45..55, y 20..80.
    image = painted(rect("r", 20, 45, 60, 10, fill="#ff0000", stroke=None, rotation=90))
    assert rgba(image, 50, 22) == RED
    assert rgba(image, 50, 77) == RED
    assert rgba(image, 46, 50) == RED
    assert rgba(image, 25, 50) == WHITE
    assert rgba(image, 75, 50) == WHITE
    assert rgba(image, 57, 30) == WHITE


def test_rotation_is_clockwise_about_the_centre() -> None:
    image = painted(rect("r", 20, 48, 60, 4, fill="#ff0000", stroke=None, rotation=30))
    # The right end moves down on screen: (50 + 26 cos 30, 50 + 26 sin 30) = (72.5, 63).
    assert rgba(image, 72, 63) == RED
    assert rgba(image, 72, 37) == WHITE
    assert rgba(image, 28, 37) == RED


def test_ellipse_covers_its_centre_but_not_its_box_corners() -> None:
    image = painted(ellipse("e", 10, 20, 80, 60, fill="#0000ff", stroke=None))
    assert rgba(image, 50, 50) == BLUE
    assert rgba(image, 12, 50) == BLUE
    assert rgba(image, 13, 23) == WHITE
    assert rgba(image, 87, 77) == WHITE


def test_line_midpoint_is_stroke_coloured() -> None:
    image = painted(line("l", 10, 10, 90, 90, stroke="#00ff00", stroke_width=4))
    assert rgba(image, 50, 50) == (0, 255, 0, 255)
    assert rgba(image, 50, 20) == WHITE
    assert rgba(image, 95, 95) == WHITE


def test_line_without_stroke_paints_nothing() -> None:
    image = painted(line("l", 10, 10, 90, 90, stroke=None, stroke_width=4))
    assert all(color == WHITE for _, _, color in pixels(image))


def test_text_paints_inside_its_box_and_is_clipped_to_it() -> None:
    shape = text("t", 20, 20, 60, 45, LONG_TEXT, font_size=14, color="#000000")
    image = painted(shape)
    dark = dark_pixels(image)
    assert len(dark) > 100
    assert all(20 <= x < 80 and 20 <= y < 65 for x, y in dark)
    # Wrapped: more than one line of text is visible in a 45 px tall box.
    assert max(y for _, y in dark) - min(y for _, y in dark) > 17
    assert text_overflows(shape)


def test_text_starts_inside_the_padding() -> None:
    """The first letter is TEXT_PADDING from the box's corner, clear of the handles."""
    shape = text("t", 20, 20, 70, 40, "Hi", font_size=14, color="#000000")
    dark = dark_pixels(painted(shape))
    assert min(x for x, _ in dark) >= 20 + TEXT_PADDING - 1  # "H" has a ~1 px bearing
    assert min(y for _, y in dark) >= 20 + TEXT_PADDING
    layout = text_layout(shape)
    assert layout.lineAt(0).position() == QPointF(TEXT_PADDING, TEXT_PADDING)
    assert layout.lineAt(0).width() == 70 - 2 * TEXT_PADDING


def test_fitted_height_holds_every_line_and_overflow_is_detected() -> None:
    shape = text("t", 0, 0, 120, 30, "one\ntwo\nthree\nfour", font_size=14)
    assert text_overflows(shape)
    need = fitted_height(shape)
    layout = text_layout(msgspec.structs.replace(shape, height=need))
    assert layout.lineCount() == 4
    last = layout.lineAt(3)
    assert need == pytest.approx(last.y() + last.height() + TEXT_PADDING)
    assert not text_overflows(msgspec.structs.replace(shape, height=need))
    # hidden empty lines and spaces are not "text that hides"
    assert not text_overflows(text("t", 0, 0, 120, 30, "one\n\n\n\n   ", font_size=14))
    assert fitted_height(shape, "") == fitted_height(shape, "x")  # one line at least


def test_text_box_fill_is_under_the_text() -> None:
    shape = text("t", 10, 10, 80, 80, "Hi", fill="#ffff00", color="#000000", font_size=20)
    image = painted(shape)
    assert rgba(image, 85, 85) == (255, 255, 0, 255)
    assert dark_pixels(image)


def test_text_box_border_is_not_clipped_with_the_text() -> None:
    shape = text("t", 20, 20, 60, 60, LONG_TEXT, stroke="#ff0000", stroke_width=6)
    image = painted(shape)
    assert rgba(image, 18, 50) == RED  # outer half of the border, outside the box
    assert rgba(image, 22, 50)[:3] != (255, 255, 255)


def line_texts(shape: Text) -> list[str]:
    layout = text_layout(shape)
    lines = (layout.lineAt(i) for i in range(layout.lineCount()))
    return [shape.text[ln.textStart() : ln.textStart() + ln.textLength()] for ln in lines]


def test_text_wraps_at_word_boundaries() -> None:
    words = ["alpha", "beta", "gamma", "delta", "epsilon"]
    shape = text("t", 0, 0, 100, 200, " ".join(words), font_size=14)
    lines = line_texts(shape)
    assert len(lines) > 1
    assert [w for ln in lines for w in ln.split()] == words  # no word is split


def test_a_word_longer_than_the_box_breaks_anywhere() -> None:
    shape = text("t", 0, 0, 40, 400, "Supercalifragilistic", font_size=14)
    layout = text_layout(shape)
    assert layout.lineCount() > 2
    assert all(layout.lineAt(i).naturalTextWidth() <= 40 for i in range(layout.lineCount()))


def test_newline_starts_a_new_line() -> None:
    shape = text("t", 0, 0, 500, 200, "one\ntwo\r\nthree", font_size=14)
    assert text_layout(shape).lineCount() == 3


@pytest.mark.parametrize(("font_size", "pixels"), [(14, 14), (14.5, 15), (14.4, 14), (0.2, 1)])
def test_font_size_is_in_whole_document_pixels(font_size: float, pixels: int) -> None:
    shape = text("t", 0, 0, 10_000, 100, "0" * 10, font_size=font_size)
    assert text_font(shape).pixelSize() == pixels
    # DejaVu Sans digits advance 1303/2048 em (ten at n px: 6.362 n), each kept in 1/64 px.
    layout = text_layout(shape)  # keep it alive: a QTextLine points into its layout
    width = layout.lineAt(0).naturalTextWidth()
    assert width == pytest.approx(10 * 1303 / 2048 * pixels, abs=10 / 64)


def test_text_pixels_do_not_depend_on_image_resolution() -> None:
    shape = text("t", 10, 10, 80, 80, "Hello wrapped world", font_size=14)
    plain = painted(shape)
    high = new_image()
    high.setDotsPerMeterX(round(300 / 0.0254))
    high.setDotsPerMeterY(round(300 / 0.0254))
    painter = QPainter(high)
    paint_shape(painter, shape)
    painter.end()
    assert dark_pixels(high) == dark_pixels(plain)


def test_text_scales_with_the_painter() -> None:
    shape = text("t", 5, 5, 90, 40, "Hello", font_size=20)
    small = painted(shape)
    big = new_image(200, 200)
    painter = QPainter(big)
    painter.scale(2, 2)
    paint_shape(painter, shape)
    painter.end()
    x0, y0, x1, y1 = dark_bounds(small)
    bx0, by0, bx1, by1 = dark_bounds(big)
    assert (bx1 - bx0) == pytest.approx(2 * (x1 - x0), abs=3)
    assert (by1 - by0) == pytest.approx(2 * (y1 - y0), abs=3)


# ---------------------------------------------------------------------- geometry
def test_shape_rect_pads_half_the_stroke() -> None:
    assert shape_rect(rect("r", 10, 20, 30, 40, stroke="#000000", stroke_width=10)) == QRectF(
        5, 15, 40, 50
    )
    assert shape_rect(rect("r", 10, 20, 30, 40, stroke=None, stroke_width=10)) == QRectF(
        10, 20, 30, 40
    )
    assert shape_rect(rect("r", 10, 20, 30, 40, stroke="#000000", stroke_width=0)) == QRectF(
        10, 20, 30, 40
    )


def test_shape_rect_includes_rotation() -> None:
    r = shape_rect(rect("r", 20, 45, 60, 10, stroke="#000000", stroke_width=2, rotation=90))
    assert (r.x(), r.y(), r.width(), r.height()) == pytest.approx((44, 19, 12, 62))
    r45 = shape_rect(rect("r", 0, 0, 10, 10, stroke=None, rotation=45))
    assert r45.width() == pytest.approx(10 * math.sqrt(2))
    assert r45.center() == QPointF(5, 5)


def test_shape_rect_of_a_line_and_a_text() -> None:
    r = shape_rect(line("l", 90, 10, 10, 50, stroke="#000000", stroke_width=4))
    assert (r.x(), r.y(), r.width(), r.height()) == pytest.approx((8, 8, 84, 44))
    assert shape_rect(text("t", 1, 2, 3, 4, LONG_TEXT)) == QRectF(1, 2, 3, 4)


SHAPES_FOR_BOUNDS: list[Shape] = [
    rect("r", 30, 40, 50, 20, fill="#ff0000", stroke="#000000", stroke_width=9, rotation=33),
    ellipse("e", 30, 40, 50, 20, fill=None, stroke="#000000", stroke_width=12, rotation=-70),
    line("l", 20, 100, 100, 30, stroke="#000000", stroke_width=14),
    line("h", 20, 60, 100, 60, stroke="#000000", stroke_width=7),
    text("t", 30, 40, 60, 40, LONG_TEXT, fill="#00ff00", stroke="#000000", rotation=200),
    text("u", 30, 40, 60, 40, LONG_TEXT, font_size=30, rotation=10),
]


@pytest.mark.parametrize("shape", SHAPES_FOR_BOUNDS, ids=lambda s: s.id)
def test_nothing_is_painted_outside_shape_rect(shape: Shape) -> None:
    image = painted(shape, size=130, fill=QColor(0, 0, 0, 0))
    r = shape_rect(shape)
    left, top = math.floor(r.left()), math.floor(r.top())
    right, bottom = math.ceil(r.right()), math.ceil(r.bottom())
    inked = [(x, y) for x, y, color in pixels(image) if color[3] > 0]
    assert inked
    assert all(left <= x < right and top <= y < bottom for x, y in inked)


def test_local_frame_is_the_box_centre_and_the_line_midpoint() -> None:
    assert shape_origin(rect("r", 10, 20, 30, 40)) == QPointF(25, 40)
    assert shape_origin(line("l", 10, 20, 30, 60)) == QPointF(20, 40)
    assert local_rect(rect("r", 10, 20, 30, 40, stroke=None)) == QRectF(-15, -20, 30, 40)


def test_local_painting_matches_a_graphics_item_transform() -> None:
    """What a QGraphicsItem at shape_origin with setRotation paints equals paint_shape."""
    shape = text("t", 20, 30, 60, 30, LONG_TEXT, fill="#ffcc00", stroke="#0000ff", rotation=25)
    direct = painted(shape)
    via_item = new_image()
    painter = QPainter(via_item)
    origin = shape_origin(shape)
    item_transform = QTransform().translate(origin.x(), origin.y()).rotate(shape.rotation)
    assert item_transform == local_transform(shape)
    painter.setTransform(item_transform)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    paint_look(painter, look_of(shape))
    painter.end()
    assert via_item == direct


def test_painting_leaves_the_painter_state_alone() -> None:
    image = new_image()
    painter = QPainter(image)
    pen = QPen(QColor(1, 2, 3), 7)
    painter.setPen(pen)
    painter.setBrush(QColor(4, 5, 6))
    painter.translate(3, 4)
    painter.setOpacity(0.75)
    painter.setClipRect(QRectF(0, 0, 90, 90))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    shapes = [*SHAPES_FOR_BOUNDS, rect("x", 1, 1, 5, 5, fill="#ff000080", opacity=0.3)]
    paint_page(painter, Snapshot(Page(100, 100, "#ffffff"), tuple(shapes)))
    assert painter.pen() == pen
    assert painter.brush().color() == QColor(4, 5, 6)
    assert painter.transform() == QTransform.fromTranslate(3, 4)
    assert painter.opacity() == 0.75
    assert painter.clipBoundingRect() == QRectF(0, 0, 90, 90)
    assert not painter.testRenderHint(QPainter.RenderHint.Antialiasing)
    painter.end()


def test_painting_needs_an_active_painter() -> None:
    with pytest.raises(ValueError, match="not active"):
        paint_page(QPainter(), Snapshot(Page(10, 10, "#ffffff"), (rect("r", 0, 0, 1, 1),)))


# -------------------------------------------------------------------------- page
def page_of(*shapes: Shape, background: str = "#ffffff") -> Snapshot:
    return Snapshot(Page(100, 100, background), shapes)


def paint_to_image(snapshot: Snapshot, **kwargs: object) -> QImage:
    image = new_image(fill=QColor(0, 0, 0, 0))
    painter = QPainter(image)
    try:
        paint_page(painter, snapshot, **kwargs)  # type: ignore[arg-type]
    finally:
        painter.end()
    return image


def test_page_paints_background_then_shapes_bottom_to_top() -> None:
    snapshot = page_of(
        rect("bottom", 10, 10, 50, 50, fill="#ff0000", stroke=None),
        rect("top", 30, 30, 50, 50, fill="#0000ff", stroke=None),
        background="#00ff00",
    )
    image = paint_to_image(snapshot)
    assert rgba(image, 5, 5) == (0, 255, 0, 255)
    assert rgba(image, 20, 20) == RED
    assert rgba(image, 45, 45) == BLUE
    assert rgba(image, 70, 70) == BLUE


def test_transparent_background_stays_transparent() -> None:
    image = paint_to_image(page_of(background="#ffffff00"))
    assert rgba(image, 50, 50)[3] == 0


def test_page_reports_progress_and_checks_between_chunks() -> None:
    shapes = [rect(f"r{i}", i, i, 5, 5) for i in range(5)]
    events: list[object] = []
    paint_to_image(
        page_of(*shapes),
        check=lambda: events.append("check"),
        progress=lambda f, m: events.append((f, m)),
        chunk=2,
    )
    assert events == [
        "check",
        (0.4, "Painted 2 of 5 shapes"),
        "check",
        (0.8, "Painted 4 of 5 shapes"),
        "check",
        (1.0, "Painted 5 of 5 shapes"),
    ]


def test_an_empty_page_still_checks_and_completes() -> None:
    events: list[object] = []
    paint_to_image(
        page_of(), check=lambda: events.append("check"), progress=lambda f, _: events.append(f)
    )
    assert events == ["check", 1.0]


class Cancelled(Exception):
    pass


def test_check_raising_cancels_and_restores_the_painter() -> None:
    calls = 0

    def check() -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Cancelled

    image = new_image()
    painter = QPainter(image)
    painter.translate(7, 7)
    shapes = [rect(f"r{i}", 0, 0, 5, 5) for i in range(10)]
    with pytest.raises(Cancelled):
        paint_page(painter, page_of(*shapes), check=check, chunk=3)
    assert painter.transform() == QTransform.fromTranslate(7, 7)
    # A leaked save() would make end() warn, which fails the test (qt_log_level_fail).
    painter.end()
    assert calls == 2


def test_chunk_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk"):
        paint_to_image(page_of(), chunk=0)


def test_shapes_off_the_page_are_skipped() -> None:
    far = rect("far", 5000, 5000, 10, 10, fill="#ff0000")
    edge = rect("edge", 95, 95, 10, 10, fill="#ff0000", stroke=None)
    image = paint_to_image(page_of(far, edge))
    assert rgba(image, 97, 97) == RED


def test_painting_on_a_worker_thread_gives_the_same_pixels(qtbot: QtBot) -> None:
    snapshot = page_of(*SHAPES_FOR_BOUNDS)
    expected = paint_to_image(snapshot)
    result: list[QImage] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            result.append(paint_to_image(snapshot))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    qtbot.waitUntil(lambda: not worker.is_alive(), timeout=10_000)
    worker.join()
    assert errors == []
    assert result[0] == expected


def test_fully_transparent_colours_paint_nothing() -> None:
    shape = rect("r", 10, 10, 80, 80, fill="#ff000000", stroke="#00000000", stroke_width=5)
    assert all(c == WHITE for _, _, c in pixels(painted(shape)))


def test_painter_opacity_of_the_caller_still_applies() -> None:
    image = new_image()
    painter = QPainter(image)
    painter.setOpacity(0.5)
    paint_shape(painter, rect("r", 10, 10, 80, 80, fill="#0000ff", stroke=None))
    painter.end()
    assert near(rgba(image, 50, 50), (128, 128, 255, 255))


def test_local_rect_is_what_a_canvas_item_reports() -> None:
    shape = ellipse("e", 0, 0, 40, 20, stroke="#000000", stroke_width=4, rotation=90)
    assert local_rect(shape) == QRectF(-22, -12, 44, 24)
    assert local_transform(shape).mapRect(local_rect(shape)) == shape_rect(shape)


# ---------------------------------------------------------------------- markers
@pytest.mark.parametrize("marker", ["arrow", "open_arrow", "circle", "bar"])
def test_every_marker_paints_within_the_shapes_rect(marker: str) -> None:
    """A marker reaches beyond the line and its stroke; `shape_rect` (the canvas item's
    bounds and update region) covers all of it, and the plain line's does not."""
    shape = line("l", 20, 50, 80, 50, stroke="#000000", stroke_width=4,
                 start_marker=marker, end_marker=marker)  # fmt: skip
    plain = msgspec.structs.replace(shape, start_marker="none", end_marker="none")
    image = painted(shape)
    left, top, right, bottom = dark_bounds(image)
    rect_of = shape_rect(shape)
    assert rect_of.contains(QRectF(left, top, right - left + 1, bottom - top + 1).adjusted(
        0.5, 0.5, -0.5, -0.5))  # fmt: skip
    assert not shape_rect(plain).contains(rect_of)
    assert top < 48 and bottom > 52  # every marker is wider than the 4-unit stroke


def test_a_filled_arrow_shortens_the_line_under_it() -> None:
    """The line stops at the head's base: a translucent arrow shows no darker overlap."""
    shape = line("l", 10, 50, 90, 50, stroke="#0000ff80", stroke_width=4, end_marker="arrow")
    look = look_of(shape)
    assert look.line is not None and look.markers
    length = marker_length(4)
    assert look.line.p2().x() == pytest.approx(40 - length)  # local frame: ends at +-40
    image = painted(shape)
    head = rgba(image, 90 - round(length / 3), 50)
    shaft = rgba(image, 40, 50)
    assert near(head, shaft, tolerance=3)  # one layer of the half-transparent blue


def test_an_unknown_marker_is_refused_by_the_builder() -> None:
    with pytest.raises(ValueError, match="unknown marker"):
        marker_outline("star", QPointF(0, 0), QPointF(10, 0), 2)


def test_markers_are_hit_and_far_points_are_not() -> None:
    shape = line("l", 0, 0, 100, 0, stroke_width=2, end_marker="circle")
    kind = kind_of_shape(shape)
    r = marker_length(2) / 2  # local frame: the line runs from -50 to +50
    assert kind.hit(shape, 50, r - 0.5, 0.0)  # on the disc, off the line
    assert not kind.hit(shape, 50, r + 2, 0.0)
    assert not kind.hit(msgspec.structs.replace(shape, end_marker="none"), 50, r - 0.5, 0.0)
