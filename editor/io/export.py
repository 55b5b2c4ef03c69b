"""Export a document snapshot to PNG, SVG or PDF with the shared renderer.

These are plain functions; the export jobs wrap them and pass the job context's
``check`` (raises to cancel) and ``progress``. Each call creates, uses and destroys its
QImage / QSvgGenerator / QPdfWriter and QPainter itself, so it may run on a worker thread
(a QGuiApplication must exist for fonts).

Writing is atomic, through `editor.io.atomic.write_atomic`: the destination folder is
checked and a temporary file created beside the destination *before* rendering (so a
missing folder fails at once, not after seconds of painting); Qt renders into memory;
the bytes are written to the temporary file, fsynced and renamed over the destination.
Qt never writes to disk itself, so a full disk or an I/O error arrives as a real OSError
with its errno instead of a bare ``False``. On any failure, cancellation included, the
temporary file is removed and the exception propagates: a partial export never appears
under the final name, and an existing file there is kept or replaced as a whole. Pass a
`FileOps` (``ops=``) to inject file-system faults in tests.

Output notes
    PNG: ``ceil(page x scale)`` pixels, the page mapped onto the whole image; RGB when
    the page background is opaque, RGBA otherwise; the physical resolution is recorded
    as 96 dpi x scale, so the PNG has the page's physical size.

    SVG: SVG 1.1 (QSvgGenerator's Tiny 1.2 mode drops clip paths, which clipped text
    needs), viewBox = the page, width/height = the page in px (Qt writes whole pixels
    converted to millimetres with six significant digits, so we rewrite them). Text is
    live ``<text>``, one element per laid-out line: the line breaks are ours, but the
    viewer draws the glyphs with its own copy of the font. Qt writes coordinates with six
    significant digits too: exact to 0.01 px below 10,000 px, coarser beyond.

    PDF: one page, resolution 96 dpi so one document pixel is 0.75 pt and a 14 px font is
    10.5 pt. Qt stores page sizes in whole points, so a page whose size in points is not
    whole is rounded, and the drawing is stretched by less than 0.5 pt to fill it.

Threads: painting releases the GIL in every Qt call, and QImage.save releases it while it
encodes. QPainter.end() through the binding does not, and it is the longest single call:
on the QPdfWriter it compresses the page and embeds fonts (~1.7-2.6 s for 100,000
shapes), on the QSvgGenerator it writes the document out (~0.2-0.3 s). So the painter is
ended through `editor.io.native.end_painter`, which calls the C++ function with the GIL
released (and falls back to ``painter.end()`` where it cannot). The output is handed to
`write_atomic` as a memoryview of Qt's QByteArray, not copied into a Python bytes object
(an 85 MB SVG took two copies of ~0.1 s each, holding the GIL): only the SVG's first few
kB are rewritten (its width and height). See bench/bench_save.py.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final, Literal, TypeAlias

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QImage,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
)
from PySide6.QtSvg import QSvgGenerator

from editor.io.atomic import OS_FILE_OPS, FileOps, write_atomic
from editor.io.native import PainterEnd, end_painter
from editor.io.qt_enums import create_enums
from editor.io.render import Check, Progress, paint_page, qcolor
from editor.model.document import Snapshot
from editor.model.shapes import Page

Format: TypeAlias = Literal["png", "svg", "pdf"]
FORMATS: Final[tuple[Format, ...]] = ("png", "svg", "pdf")

# The exporters' own enums, made on the importing thread (editor/io/qt_enums.py).
create_enums(QBuffer, QIODevice, QImage, QPageLayout, QPageSize, QPaintDevice, QPdfWriter,
             QSvgGenerator)  # fmt: skip

#: Refuse bigger PNGs before allocating: 400 MP is already 1.6 GB of pixels.
MAX_PNG_PIXELS: Final = 400_000_000
#: Qt's raster engine works in 16.16 fixed point and clips coordinates beyond this.
MAX_PNG_SIDE: Final = 32_767
#: CSS/SVG pixels per inch, and the resolution that makes 1 document px = 0.75 pt.
DPI: Final = 96
POINTS_PER_PX: Final = 72.0 / DPI

#: Share of the progress bar given to painting; encoding and writing get the rest.
_PAINT_SHARE: Final = 0.9


class InvalidExport(ValueError):
    """The export request cannot be honoured (bad scale, absurd size, bad format)."""


class UnsupportedFormat(InvalidExport):
    """The file suffix (or the format given) is not one we export: png, svg or pdf."""


# ----------------------------------------------------------------------- public
def format_for(path: str | os.PathLike[str], fmt: str | None = None) -> Format:
    """The export format for a path: `fmt` if given, else the path's suffix.

    Case-insensitive; raises UnsupportedFormat for anything but png, svg and pdf.
    """
    name = fmt if fmt is not None else Path(path).suffix.removeprefix(".")
    key = name.lower().removeprefix(".")
    for known in FORMATS:
        if key == known:
            return known
    shown = repr(name) if name else "none"
    raise UnsupportedFormat(
        f"cannot export {os.fspath(path)!r}: format {shown} is not one of {', '.join(FORMATS)}"
    )


def png_size(page: Page, scale: float = 1.0) -> tuple[int, int]:
    """The PNG's size in pixels for a page and scale; raises InvalidExport if absurd."""
    if not math.isfinite(scale) or scale <= 0.0:
        raise InvalidExport(f"scale must be a positive number, got {scale!r}")
    # A tolerance so that 0.1 * 3 style float noise does not add a pixel.
    width = max(1, math.ceil(page.width * scale - 1e-9))
    height = max(1, math.ceil(page.height * scale - 1e-9))
    if width > MAX_PNG_SIDE or height > MAX_PNG_SIDE:
        raise InvalidExport(
            f"a {width}x{height} px image is too large: each side must be at most "
            f"{MAX_PNG_SIDE} px; lower the scale"
        )
    if width * height > MAX_PNG_PIXELS:
        raise InvalidExport(
            f"a {width}x{height} px image ({width * height / 1e6:.0f} MP) is too large: "
            f"the limit is {MAX_PNG_PIXELS // 1_000_000} MP; lower the scale"
        )
    return width, height


def export(
    snapshot: Snapshot,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    scale: float = 1.0,
    *,
    check: Check | None = None,
    progress: Progress | None = None,
    title: str | None = None,
    ops: FileOps = OS_FILE_OPS,
    painter_end: PainterEnd = end_painter,
) -> Path:
    """Export to the format named by `fmt`, or by the path's suffix if `fmt` is None.

    `scale` is for PNG only; any other value with SVG or PDF raises InvalidExport rather
    than being silently ignored (vector output has no pixel size). Returns the path
    written (a symlink's target: `write_atomic` writes through links). `painter_end`
    ends the painter (tests pass ``QPainter.end`` to take the binding's path).
    """
    kind = format_for(path, fmt)
    if kind == "png":
        return export_png(
            snapshot, path, scale=scale, check=check, progress=progress, ops=ops,
            painter_end=painter_end,
        )  # fmt: skip
    if scale != 1.0:
        raise InvalidExport(f"scale applies to PNG only, not to {kind.upper()}")
    exporter = export_svg if kind == "svg" else export_pdf
    return exporter(
        snapshot, path, check=check, progress=progress, title=title, ops=ops,
        painter_end=painter_end,
    )  # fmt: skip


def export_png(
    snapshot: Snapshot,
    path: str | os.PathLike[str],
    *,
    scale: float = 1.0,
    check: Check | None = None,
    progress: Progress | None = None,
    ops: FileOps = OS_FILE_OPS,
    painter_end: PainterEnd = end_painter,
) -> Path:
    """Write the page as a PNG of ``page size x scale`` pixels (see the module notes)."""
    size = png_size(snapshot.page, scale)

    def render() -> Sequence[bytes | memoryview]:
        return [_view(_png_bytes(snapshot, size, scale, check, progress, painter_end))]

    return _write(Path(path), render, ops, check, progress)


def export_svg(
    snapshot: Snapshot,
    path: str | os.PathLike[str],
    *,
    check: Check | None = None,
    progress: Progress | None = None,
    title: str | None = None,
    ops: FileOps = OS_FILE_OPS,
    painter_end: PainterEnd = end_painter,
) -> Path:
    """Write the page as an SVG 1.1 document whose viewBox is the page (see the notes).

    The title defaults to the file name without its suffix.
    """
    target = Path(path)

    def render() -> Sequence[bytes | memoryview]:
        data = _svg_bytes(snapshot, title or target.stem, check, progress, painter_end)
        return _svg_with_exact_size(_view(data), snapshot.page)

    return _write(target, render, ops, check, progress)


def export_pdf(
    snapshot: Snapshot,
    path: str | os.PathLike[str],
    *,
    check: Check | None = None,
    progress: Progress | None = None,
    title: str | None = None,
    ops: FileOps = OS_FILE_OPS,
    painter_end: PainterEnd = end_painter,
) -> Path:
    """Write the page as a one-page PDF of the page's size at 0.75 pt per px.

    The title defaults to the file name without its suffix.
    """
    target = Path(path)

    def render() -> Sequence[bytes | memoryview]:
        return [_view(_pdf_bytes(snapshot, title or target.stem, check, progress, painter_end))]

    return _write(target, render, ops, check, progress)


def _write(
    target: Path,
    render: Callable[[], Sequence[bytes | memoryview]],
    ops: FileOps,
    check: Check | None,
    progress: Progress | None,
) -> Path:
    """Render inside write_atomic (its temp file exists first, so a missing or read-only
    folder fails before seconds of painting), then write the pieces."""

    def chunks() -> Iterator[bytes | memoryview]:
        pieces = render()
        _report(progress, 0.95, f"Writing {target.name}")
        yield from pieces

    written = write_atomic(target, chunks(), ops=ops, check=check)
    _report(progress, 1.0, f"Exported {target.name}")
    return written


# -------------------------------------------------------------------- rendering
# Each _*_bytes function deletes its Qt objects in a `finally`: when an export fails,
# the traceback keeps the frame alive, and the image (megabytes) or the QObjects
# (QSvgGenerator, QPdfWriter, QBuffer) must still die here, on this thread, not whenever
# and wherever the caller lets go of the exception. They return the output as a
# QByteArray that nothing else shares (the QBuffer is gone), so a memoryview of it
# neither copies nor detaches it.


def _png_bytes(
    snapshot: Snapshot,
    size: tuple[int, int],
    scale: float,
    check: Check | None,
    progress: Progress | None,
    painter_end: PainterEnd,
) -> QByteArray:
    page = snapshot.page
    width, height = size
    opaque = qcolor(page.background).alpha() == 255
    fmt = QImage.Format.Format_RGB32 if opaque else QImage.Format.Format_ARGB32_Premultiplied
    image = QImage(width, height, fmt)
    try:
        if image.isNull():
            raise MemoryError(f"could not allocate a {width}x{height} px image")
        dots_per_metre = round(DPI * scale / 0.0254)
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        image.fill(Qt.GlobalColor.transparent)
        # Map the page onto the whole image, even when page x scale is not whole pixels.
        _paint(
            image, snapshot, width / page.width, height / page.height, check, progress, "PNG",
            painter_end,
        )  # fmt: skip
        _step(check, progress, _PAINT_SHARE, "Encoding PNG")
        return _encode_image(image, "PNG")
    finally:
        del image


def _svg_bytes(
    snapshot: Snapshot,
    title: str,
    check: Check | None,
    progress: Progress | None,
    painter_end: PainterEnd,
) -> QByteArray:
    page = snapshot.page
    buffer = QBuffer()
    generator = QSvgGenerator(QSvgGenerator.SvgVersion.Svg11)
    try:
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator.setOutputDevice(buffer)
        generator.setResolution(DPI)
        generator.setSize(QSize(math.ceil(page.width), math.ceil(page.height)))
        generator.setViewBox(QRectF(0.0, 0.0, page.width, page.height))
        generator.setTitle(title)
        generator.setDescription("Exported from Strata")
        _paint(generator, snapshot, 1.0, 1.0, check, progress, "SVG", painter_end)
        data = buffer.data()  # shares the buffer's array until the buffer is gone
    finally:
        del generator, buffer  # the generator first: it points at the buffer
    return data


def _pdf_bytes(
    snapshot: Snapshot,
    title: str,
    check: Check | None,
    progress: Progress | None,
    painter_end: PainterEnd,
) -> QByteArray:
    page = snapshot.page
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    try:
        writer.setResolution(DPI)
        writer.setTitle(title)
        writer.setCreator("Strata")
        points = QSizeF(max(page.width * POINTS_PER_PX, 1.0), max(page.height * POINTS_PER_PX, 1.0))
        page_size = QPageSize(
            points, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch
        )
        layout = QPageLayout(page_size, QPageLayout.Orientation.Portrait, QMarginsF())
        if not writer.setPageLayout(layout):
            raise InvalidExport(
                f"the PDF writer refused a page of {points.width()}x{points.height()} pt"
            )
        # Qt rounds the page to whole points (the MediaBox); stretch the drawing onto it.
        media_box = writer.pageLayout().fullRectPoints()
        sx = media_box.width() / POINTS_PER_PX / page.width
        sy = media_box.height() / POINTS_PER_PX / page.height
        _paint(writer, snapshot, sx, sy, check, progress, "PDF", painter_end)
        data = buffer.data()  # shares the buffer's array until the buffer is gone
    finally:
        del writer, buffer  # the writer first: it points at the buffer
    return data


def _paint(
    device: QPaintDevice,
    snapshot: Snapshot,
    sx: float,
    sy: float,
    check: Check | None,
    progress: Progress | None,
    what: str,
    painter_end: PainterEnd = end_painter,
) -> None:
    """Paint the page on a device, ending the painter (which finishes SVG/PDF output).

    The painter is ended with `painter_end` (see the module notes: the GIL), also when
    painting failed or was cancelled: ending a PDF page costs as much either way.
    """

    def painted(fraction: float, message: str) -> None:
        _report(progress, fraction * _PAINT_SHARE, message)

    painter = QPainter()
    try:
        _begin(painter, device, what)
        try:
            painter.scale(sx, sy)
            paint_page(painter, snapshot, check=check, progress=painted)
        except BaseException:
            painter_end(painter)
            raise
        if not painter_end(painter):
            raise OSError(f"could not finish the {what} output")
    finally:
        del device  # see "rendering" above: a traceback must not keep the device alive


def _begin(painter: QPainter, device: QPaintDevice, what: str) -> None:
    """QPainter.begin that raises OSError instead of returning False."""
    if not painter.begin(device):
        raise OSError(f"could not start painting the {what} output")


def _encode_image(image: QImage, fmt: str) -> QByteArray:
    """Encode an image with Qt; raises OSError when QImage.save returns False."""
    buffer = QBuffer()
    try:
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        # The 6.11 stubs type `format` as bytes, but the binding accepts only str.
        ok = image.save(buffer, fmt)  # type: ignore[call-overload]
        buffer.close()
        if not ok:
            raise OSError(f"could not encode the {image.width()}x{image.height()} image as {fmt}")
        data = buffer.data()
    finally:
        del buffer  # so that `data` is the array's only owner
    return data


_SVG_SIZE_RE: Final = re.compile(rb'(<svg\b[^>]*?)\swidth="[^"]*"\s+height="[^"]*"')


def _view(data: QByteArray) -> memoryview:
    """The bytes of a QByteArray without a copy (PySide6's QByteArray has the buffer
    protocol; its type stubs do not say so)."""
    return memoryview(data)  # type: ignore[arg-type]


#: QSvgGenerator writes the <svg> element right after the XML declaration; its attributes
#: are far inside this many bytes.
_SVG_HEAD: Final = 16_384


def _svg_with_exact_size(data: memoryview, page: Page) -> tuple[bytes, memoryview]:
    """Replace QSvgGenerator's rounded millimetre width/height by the page size in px.

    Only the head of the document is copied and rewritten; the rest is returned as a
    view of `data`. Should a later Qt write the header differently, its own (physically
    right, slightly rounded) size is kept; tests/io/test_export.py notices.
    """
    head = bytes(data[:_SVG_HEAD])
    size = f'\\1 width="{_number(page.width)}" height="{_number(page.height)}"'
    return _SVG_SIZE_RE.sub(size.encode(), head, count=1), data[_SVG_HEAD:]


def _number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


# -------------------------------------------------------------------- progress
def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(1.0, max(0.0, fraction)), message)


def _step(check: Check | None, progress: Progress | None, fraction: float, message: str) -> None:
    if check is not None:
        check()
    _report(progress, fraction, message)
