"""Exporters, checked by reading the files back (QImage, xml.etree, the PDF's bytes)."""

from __future__ import annotations

import errno
import inspect
import os
import re
import stat
import threading
import traceback
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QRectF
from PySide6.QtGui import QColor, QImage, QPaintDevice, QPainter
from PySide6.QtSvg import QSvgGenerator, QSvgRenderer
from pytestqt.qtbot import QtBot

from editor.io.atomic import FileOps
from editor.io.export import (
    _SVG_HEAD,
    InvalidExport,
    UnsupportedFormat,
    _begin,
    _encode_image,
    export,
    export_pdf,
    export_png,
    export_svg,
    format_for,
    png_size,
)
from editor.io.native import end_painter
from editor.io.render import text_layout
from editor.model import Page, Shape, Snapshot, ellipse, line, rect, text

SVG = "{http://www.w3.org/2000/svg}"
RGBA = tuple[int, int, int, int]

HELLO = text("t", 420, 300, 300, 120, "Hello export", font_size=14, color="#000000")


@pytest.fixture(autouse=True)
def _app(qapp: object) -> None:
    """Exports paint text, and fonts need a Q(Gui)Application."""


def drawing(*extra: Shape, page: Page | None = None) -> Snapshot:
    shapes: tuple[Shape, ...] = (
        rect("r", 100, 100, 200, 100, fill="#ff0000", stroke=None),
        ellipse("e", 400, 100, 200, 100, fill="#0000ff", stroke="#000000", stroke_width=4),
        line("l", 50, 500, 750, 500, stroke="#00ff00", stroke_width=6),
        HELLO,
        *extra,
    )
    return Snapshot(page or Page(800, 600, "#336699"), shapes)


def rgba(image: QImage, x: int, y: int) -> RGBA:
    c = image.pixelColor(x, y)
    return c.red(), c.green(), c.blue(), c.alpha()


def listing(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


# -------------------------------------------------------------------------- PNG
@pytest.mark.parametrize("scale", [1.0, 2.0, 0.5])
def test_png_is_page_size_times_scale_with_the_right_pixels(tmp_path: Path, scale: float) -> None:
    path = export_png(drawing(), tmp_path / "out.png", scale=scale)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (800 * scale, 600 * scale)

    def at(x: float, y: float) -> RGBA:
        return rgba(image, int(x * scale), int(y * scale))

    assert at(10, 10) == (0x33, 0x66, 0x99, 255)  # background
    assert at(200, 150) == (255, 0, 0, 255)  # rect
    assert at(500, 150) == (0, 0, 255, 255)  # ellipse
    assert at(400, 500) == (0, 255, 0, 255)  # line
    assert at(350, 150) == (0x33, 0x66, 0x99, 255)  # between them


def test_png_of_a_fractional_page_rounds_up_and_fills_the_image(tmp_path: Path) -> None:
    snapshot = Snapshot(Page(100.5, 50.2, "#00ff00"), ())
    image = QImage(str(export_png(snapshot, tmp_path / "f.png")))
    assert (image.width(), image.height()) == (101, 51)
    assert rgba(image, 100, 50) == (0, 255, 0, 255)


def test_png_keeps_a_transparent_background(tmp_path: Path) -> None:
    snapshot = drawing(page=Page(800, 600, "#ffffff00"))
    image = QImage(str(export_png(snapshot, tmp_path / "t.png")))
    assert image.hasAlphaChannel()
    assert rgba(image, 10, 10)[3] == 0
    assert rgba(image, 200, 150) == (255, 0, 0, 255)


def test_png_records_its_physical_resolution(tmp_path: Path) -> None:
    image = QImage(str(export_png(drawing(), tmp_path / "d.png", scale=2)))
    assert image.dotsPerMeterX() == round(192 / 0.0254)


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), float("inf")])
def test_png_refuses_a_bad_scale(tmp_path: Path, scale: float) -> None:
    with pytest.raises(InvalidExport, match="scale"):
        export_png(drawing(), tmp_path / "x.png", scale=scale)
    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    ("page", "scale"),
    [
        (Page(20_000, 20_001, "#ffffff"), 1.0),
        (Page(800, 600, "#ffffff"), 200.0),
        (Page(40_000, 10, "#ffffff"), 1.0),
    ],
)
def test_png_refuses_absurd_sizes_before_allocating(
    tmp_path: Path, page: Page, scale: float
) -> None:
    with pytest.raises(InvalidExport, match="too large"):
        export_png(drawing(page=page), tmp_path / "x.png", scale=scale)
    assert listing(tmp_path) == []


def test_png_size_limit_is_exactly_400_megapixels() -> None:
    assert png_size(Page(20_000, 20_000, "#ffffff")) == (20_000, 20_000)
    with pytest.raises(InvalidExport):
        png_size(Page(20_000, 20_000, "#ffffff"), 1.0001)


# -------------------------------------------------------------------------- SVG
def test_svg_has_the_page_as_size_and_viewbox_and_the_shapes(tmp_path: Path) -> None:
    root = ET.parse(export_svg(drawing(), tmp_path / "My drawing.svg")).getroot()
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == ("800", "600")
    assert root.get("viewBox") == "0 0 800 600"
    assert root.findtext(f"{SVG}title") == "My drawing"
    assert root.find(f".//{SVG}rect") is not None
    assert root.find(f".//{SVG}ellipse") is not None
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["Hello export"]
    (element,) = root.iter(f"{SVG}text")
    assert element.get("font-size") == "14"
    assert element.get("font-family") == "DejaVu Sans"


def test_svg_of_a_fractional_page_is_exact(tmp_path: Path) -> None:
    snapshot = drawing(page=Page(800.25, 600.5, "#ffffff"))
    title = "Plan <A & B> über"
    root = ET.parse(export_svg(snapshot, tmp_path / "f.svg", title=title)).getroot()
    assert (root.get("width"), root.get("height")) == ("800.25", "600.5")
    assert root.get("viewBox") == "0 0 800.25 600.5"
    assert root.findtext(f"{SVG}title") == title


def test_svg_text_keeps_our_line_breaks_and_clip(tmp_path: Path) -> None:
    long = text("w", 10, 10, 120, 40, "alpha beta gamma delta epsilon zeta eta", font_size=14)
    snapshot = Snapshot(Page(800, 600, "#ffffff"), (long,))
    root = ET.parse(export_svg(snapshot, tmp_path / "w.svg")).getroot()
    layout = text_layout(long)
    expected = [
        long.text[ln.textStart() : ln.textStart() + ln.textLength()].rstrip()
        for ln in (layout.lineAt(i) for i in range(layout.lineCount()))
    ]
    # Spaces at a line break are not drawn, so they are not written either.
    assert [t.text for t in root.iter(f"{SVG}text")] == expected
    assert len(expected) > 1
    assert root.find(f".//{SVG}clipPath") is not None


def render_svg(path: Path, width: int, height: int) -> QImage:
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(0, 0, 0, 0))
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid()
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, width, height))
    painter.end()
    return image


def test_svg_looks_like_the_png(tmp_path: Path) -> None:
    """Opacity, alpha and strokes survive the SVG round trip (text left out: SVG text is
    drawn by the viewer's own font code)."""
    translucent = rect(
        "o", 150, 250, 300, 150, fill="#ff00ff", stroke="#00ffff", stroke_width=20, opacity=0.5
    )
    alpha = ellipse("a", 500, 250, 200, 150, fill="#ffff0080", stroke=None, rotation=30)
    snapshot = Snapshot(Page(800, 600, "#ffffff"), (*drawing().shapes[:3], translucent, alpha))
    png = QImage(str(export_png(snapshot, tmp_path / "s.png")))
    svg = render_svg(export_svg(snapshot, tmp_path / "s.svg"), 800, 600)
    for x, y in [(160, 260), (150, 320), (300, 320), (600, 325), (200, 150), (400, 500)]:
        assert all(abs(a - b) <= 3 for a, b in zip(rgba(png, x, y), rgba(svg, x, y), strict=True))
    differing = sum(
        1
        for y in range(0, 600, 3)
        for x in range(0, 800, 3)
        if max(abs(a - b) for a, b in zip(rgba(png, x, y), rgba(svg, x, y), strict=True)) > 24
    )
    assert differing < 0.01 * (800 * 600 / 9)  # only antialiased edges may differ


# -------------------------------------------------------------------------- PDF
def pdf_pages(data: bytes) -> list[tuple[float, ...]]:
    """The MediaBox of every /Type /Page object (not /Pages)."""
    boxes = []
    for match in re.finditer(rb"/Type\s*/Page(?![a-zA-Z])", data):
        obj = data[match.start() : data.find(b"endobj", match.start())]
        box = re.search(rb"/MediaBox\s*\[([^\]]*)\]", obj)
        assert box is not None
        boxes.append(tuple(float(v) for v in box.group(1).split()))
    return boxes


@pytest.mark.parametrize(("width", "height"), [(800, 600), (1000, 400), (96, 96)])
def test_pdf_is_one_page_of_the_page_size_at_three_quarter_points(
    tmp_path: Path, width: float, height: float
) -> None:
    data = export_pdf(drawing(page=Page(width, height, "#ffffff")), tmp_path / "d.pdf").read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert pdf_pages(data) == [(0.0, 0.0, width * 0.75, height * 0.75)]


def test_pdf_of_an_odd_page_rounds_to_whole_points(tmp_path: Path) -> None:
    data = export_pdf(drawing(page=Page(801, 599, "#ffffff")), tmp_path / "d.pdf").read_bytes()
    assert pdf_pages(data) == [(0.0, 0.0, 601.0, 449.0)]  # 600.75 and 449.25 pt


# ----------------------------------------------------------------- format choice
@pytest.mark.parametrize(
    ("name", "magic"), [("a.PNG", b"\x89PNG"), ("b.Svg", b"<?xml"), ("c.pdf", b"%PDF-")]
)
def test_export_picks_the_format_by_suffix_in_any_case(
    tmp_path: Path, name: str, magic: bytes
) -> None:
    assert export(drawing(), tmp_path / name).read_bytes().startswith(magic)


def test_an_explicit_format_wins_over_the_suffix(tmp_path: Path) -> None:
    path = export(drawing(), tmp_path / "drawing.out", fmt="SVG")
    assert path.read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize("name", ["x.bmp", "x", "x.png.bak", ".png"])
def test_unknown_suffix_raises_unsupported_format(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsupportedFormat, match="png, svg, pdf"):
        export(drawing(), tmp_path / name)
    assert listing(tmp_path) == []
    assert issubclass(UnsupportedFormat, ValueError)


def test_unknown_explicit_format_raises(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat):
        export(drawing(), tmp_path / "x.png", fmt="jpeg")
    assert format_for("x.png", ".pdf") == "pdf"


def test_scale_is_refused_for_vector_formats(tmp_path: Path) -> None:
    with pytest.raises(InvalidExport, match="PNG only"):
        export(drawing(), tmp_path / "x.svg", scale=2.0)
    assert listing(tmp_path) == []


# -------------------------------------------------------------- atomic writing
class Cancelled(Exception):
    pass


def many_shapes() -> Snapshot:
    shapes = [rect(f"r{i}", i % 700, i % 500, 50, 50, fill="#ff0000") for i in range(1200)]
    return Snapshot(Page(800, 600, "#ffffff"), (*shapes, HELLO))


def counting_check(fail_at: int | None = None) -> tuple[Callable[[], None], list[int]]:
    calls = [0]

    def check() -> None:
        calls[0] += 1
        if calls[0] == fail_at:
            raise Cancelled

    return check, calls


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_cancelling_mid_export_leaves_no_file(tmp_path: Path, suffix: str) -> None:
    check, calls = counting_check(fail_at=2)
    with pytest.raises(Cancelled):
        export(many_shapes(), tmp_path / f"out.{suffix}", check=check)
    assert calls == [2]
    assert listing(tmp_path) == []


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_cancelling_at_the_last_check_leaves_the_old_file(tmp_path: Path, suffix: str) -> None:
    count, calls = counting_check()
    export(many_shapes(), tmp_path / f"count.{suffix}", check=count)
    last = calls[0]
    target = tmp_path / f"out.{suffix}"
    target.write_bytes(b"old")
    check, _ = counting_check(fail_at=last)
    with pytest.raises(Cancelled):
        export(many_shapes(), target, check=check)
    assert target.read_bytes() == b"old"
    assert listing(tmp_path) == [f"count.{suffix}", f"out.{suffix}"]


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_a_failed_export_keeps_no_qt_object_alive_in_its_traceback(
    tmp_path: Path, suffix: str
) -> None:
    """The image/generator/writer die inside the call, on its thread, even when the
    caller (a job recording the failure) holds on to the exception."""
    check, _ = counting_check(fail_at=2)
    with pytest.raises(Cancelled) as caught:
        export(many_shapes(), tmp_path / f"out.{suffix}", check=check)
    held = [
        (frame.f_code.co_name, name)
        for frame, _ in traceback.walk_tb(caught.value.__traceback__)
        for name, value in frame.f_locals.items()
        if isinstance(value, QImage | QPaintDevice | QObject)
    ]
    assert held == []


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_missing_directory_raises_file_not_found(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        export(drawing(), tmp_path / "missing" / f"out.{suffix}")
    assert listing(tmp_path) == []


def test_exporting_onto_a_folder_raises_and_leaves_it_alone(tmp_path: Path) -> None:
    (tmp_path / "taken.png").mkdir()
    with pytest.raises(IsADirectoryError):
        export_png(drawing(), tmp_path / "taken.png")
    assert listing(tmp_path) == ["taken.png"]
    assert listing(tmp_path / "taken.png") == []


class FailingFsync(FileOps):
    """A disk that fails to flush: the export must fail and leave the old file."""

    def fsync(self, fd: int) -> None:
        raise OSError(errno.EIO, "injected I/O error")


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_a_write_error_fails_the_export_and_keeps_the_old_file(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"out.{suffix}"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="injected") as caught:
        export(drawing(), target, ops=FailingFsync())
    assert caught.value.errno == errno.EIO
    assert target.read_bytes() == b"old"
    assert listing(tmp_path) == [target.name]


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_export_replaces_an_existing_file_atomically(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"out.{suffix}"
    target.write_bytes(b"old contents")
    target.chmod(0o640)
    old_inode = target.stat().st_ino
    with open(target, "rb") as reader:
        export(drawing(), target)
        # Replaced, not rewritten in place: a reader of the old file still sees it whole.
        assert reader.read() == b"old contents"
    assert target.stat().st_ino != old_inode
    assert target.read_bytes()[:4] in (b"\x89PNG", b"<?xm", b"%PDF")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert listing(tmp_path) == [target.name]


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    path = export_png(drawing(), tmp_path / "new.png")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


# -------------------------------------------------------------------- progress
@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_progress_rises_from_painting_to_done(tmp_path: Path, suffix: str) -> None:
    events: list[tuple[float, str]] = []
    export(many_shapes(), tmp_path / f"p.{suffix}", progress=lambda f, m: events.append((f, m)))
    fractions = [f for f, _ in events]
    assert fractions == sorted(fractions)
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert len([m for _, m in events if m.startswith("Painted")]) == 3  # 1201 shapes, 500 each
    assert events[-1] == (1.0, f"Exported p.{suffix}")


# ------------------------------------------------------------ threads, failures
def test_exports_run_on_a_worker_thread(tmp_path: Path, qtbot: QtBot) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for suffix in ("png", "svg", "pdf"):
                export(drawing(), tmp_path / f"w.{suffix}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    qtbot.waitUntil(lambda: not worker.is_alive(), timeout=20_000)
    worker.join()
    assert errors == []
    assert listing(tmp_path) == ["w.pdf", "w.png", "w.svg"]
    image = QImage(str(tmp_path / "w.png"))
    assert rgba(image, 200, 150) == (255, 0, 0, 255)


@pytest.mark.qt_log_ignore(r"QSvgPaintEngine::begin\(\), no output device", r"QPainter::begin")
def test_a_painter_that_cannot_begin_raises_os_error() -> None:
    with pytest.raises(OSError, match="could not start painting the SVG output"):
        _begin(QPainter(), QSvgGenerator(), "SVG")  # no output device


def test_an_image_that_cannot_be_encoded_raises_os_error() -> None:
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    with pytest.raises(OSError, match="could not encode the 4x4 image as NOPE"):
        _encode_image(image, "NOPE")


# ---------------------------------------------------- ending the painter (the GIL)
def binding_end(painter: QPainter) -> bool:
    """The fallback: QPainter.end() through the binding, holding the GIL."""
    return end_painter(painter, native=False)


def busy_drawing() -> Snapshot:
    """Enough shapes and text that the SVG is far longer than the head we rewrite."""
    shapes: list[Shape] = [
        rect(f"r{i}", (i * 37) % 760, (i * 53) % 560, 30, 20, fill="#ff000080", rotation=i % 90)
        for i in range(400)
    ]
    shapes += [text(f"t{i}", (i * 71) % 700, (i * 29) % 540, 90, 50, "Lorem ipsum dolor " * 3)
               for i in range(60)]  # fmt: skip
    return drawing(*shapes)


def normalised_pdf(data: bytes) -> bytes:
    """The PDF without its creation time and random document ids."""
    data = re.sub(rb"D:\d{14}Z?", b"", data)
    data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^<]*", b"", data)
    data = re.sub(rb"/ID \[.*?\]", b"", data, flags=re.S)
    return re.sub(rb"uuid:[0-9a-f-]+", b"", data)


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_the_native_and_the_binding_end_write_the_same_file(tmp_path: Path, suffix: str) -> None:
    snapshot = busy_drawing()
    native = export(snapshot, tmp_path / f"native.{suffix}", title="T").read_bytes()
    fallback = export(snapshot, tmp_path / f"binding.{suffix}", title="T", painter_end=binding_end)
    if suffix == "png":
        assert QImage.fromData(native) == QImage(str(fallback))
        assert not QImage.fromData(native).isNull()
    elif suffix == "svg":
        assert len(native) > 4 * _SVG_HEAD  # the rewritten head is a small part of it
        assert native == fallback.read_bytes()
        root = ET.fromstring(native)
        assert (root.get("width"), root.get("height")) == ("800", "600")
        assert len(root.findall(f".//{SVG}rect")) >= 400
        assert QSvgRenderer(native).isValid()
    else:
        assert normalised_pdf(native) == normalised_pdf(fallback.read_bytes())
        assert pdf_pages(native) == [(0.0, 0.0, 600.0, 450.0)]


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_exports_end_the_painter_with_the_function_given(tmp_path: Path, suffix: str) -> None:
    ended: list[QPainter] = []

    def spy(painter: QPainter) -> bool:
        ended.append(painter)
        return end_painter(painter)

    export(drawing(), tmp_path / f"spy.{suffix}", painter_end=spy)
    assert len(ended) == 1
    assert not ended[0].isActive()


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_a_cancelled_export_ends_its_painter_the_same_way(tmp_path: Path, suffix: str) -> None:
    ended: list[QPainter] = []

    def spy(painter: QPainter) -> bool:
        ended.append(painter)
        return end_painter(painter)

    check, _ = counting_check(fail_at=2)
    with pytest.raises(Cancelled):
        export(many_shapes(), tmp_path / f"c.{suffix}", check=check, painter_end=spy)
    assert len(ended) == 1
    assert listing(tmp_path) == []


def test_every_exporter_ends_painters_without_the_gil_by_default() -> None:
    for exporter in (export, export_png, export_svg, export_pdf):
        assert inspect.signature(exporter).parameters["painter_end"].default is end_painter


def test_an_svg_whose_size_attributes_cannot_be_found_is_kept_as_qt_wrote_it() -> None:
    from editor.io.export import _svg_with_exact_size  # noqa: PLC0415

    data = b'<?xml version="1.0"?>\n<svg viewBox="0 0 1 1">' + b" " * (2 * _SVG_HEAD) + b"</svg>"
    head, rest = _svg_with_exact_size(memoryview(data), Page(10, 20, "#ffffff"))
    assert head + bytes(rest) == data
    sized = b'<svg width="1mm" height="2mm" viewBox="0 0 1 1"></svg>'
    head, rest = _svg_with_exact_size(memoryview(sized), Page(10.5, 20, "#ffffff"))
    assert head + bytes(rest) == b'<svg width="10.5" height="20" viewBox="0 0 1 1"></svg>'
