"""Our PNG against other programs' renders of our SVG and PDF: librsvg (rsvg-convert,
Debian librsvg2-bin) and poppler (pdftoppm, Debian poppler-utils), both installed by
`./dev test`. Text-free drawings with every kind, every end marker and rotated boxes must
agree on at least 98 % of the pixels (antialiased edges may differ)."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from editor.io.export import export_pdf, export_png, export_svg
from editor.model import MARKERS, Page, Shape, Snapshot, ellipse, freehand, line, polygon, rect

#: Channels may differ by this much and still agree (antialiasing, colour rounding).
TOLERANCE = 24


@pytest.fixture(autouse=True)
def _app(qapp: object) -> None:
    """Exports need a Q(Gui)Application."""


def every_kind() -> Snapshot:
    """Boxes plain and rotated, translucent and opaque; a line per marker at each end
    and at several angles and widths."""
    black, green = "#000000", "#00aa00"
    shapes: list[Shape] = [
        rect("r", 40, 40, 200, 120, fill="#ff0000", stroke=black, stroke_width=4),
        rect("rr", 300, 40, 160, 90, fill=green, stroke="#003300", stroke_width=6, rotation=30),
        ellipse("e", 520, 40, 220, 120, fill="#0000ff80", stroke=black, rotation=-20),
        rect("o", 60, 420, 260, 140, fill="#ff00ff", stroke="#00ffff", stroke_width=12,
             opacity=0.5, rotation=75),
    ]  # fmt: skip
    for i, marker in enumerate(MARKERS):
        y = 220 + i * 40
        shapes.append(line(f"l{i}", 60, y, 400, y + 10 * i, stroke="#202020",
                           stroke_width=2 + i, start_marker=marker, end_marker=marker))  # fmt: skip
        shapes.append(line(f"d{i}", 460 + i * 60, 560, 500 + i * 60, 260, stroke="#aa3300",
                           stroke_width=3, opacity=0.7, end_marker=marker))  # fmt: skip
    return Snapshot(Page(800, 600, "#ffffee"), tuple(shapes))


def every_path() -> Snapshot:
    """Polygons (convex, concave, self-crossing: even-odd), polylines with every marker,
    translucent fills, and freehand strokes of several widths, covering the page."""
    shapes: list[Shape] = [
        polygon("star", [(200 + 150 * math.cos(a * 4 * math.pi / 5 - math.pi / 2),
                          160 + 150 * math.sin(a * 4 * math.pi / 5 - math.pi / 2))
                         for a in range(5)], True, fill="#ff8800", stroke="#000000",
                stroke_width=4),
        polygon("hex", [(560 + 130 * math.cos(a * math.pi / 3),
                         160 + 110 * math.sin(a * math.pi / 3)) for a in range(6)], True,
                fill="#0000ff80", stroke="#003300", stroke_width=8, opacity=0.8),
        polygon("u", [(40, 330), (40, 580), (380, 580), (380, 330), (300, 330), (300, 500),
                      (120, 500), (120, 330)], True, fill="#22aa22", stroke=None),
    ]  # fmt: skip
    for i, marker in enumerate(MARKERS):
        x = 420 + i * 70
        shapes.append(polygon(f"p{i}", [(x, 590), (x + 40, 480), (x + 10, 420), (x + 50, 330)],
                              False, fill="#ff0000", stroke="#202020", stroke_width=2 + i,
                              start_marker=marker, end_marker=marker))  # fmt: skip
    for i in range(4):
        wave = [(30 + k * 7.5, 300 + 20 * i + 14 * math.sin(k / 3 + i)) for k in range(100)]
        shapes.append(freehand(f"f{i}", wave, stroke="#aa0066", stroke_width=1 + 3 * i,
                               opacity=0.5 + 0.15 * i))  # fmt: skip
    return Snapshot(Page(800, 600, "#ffffee"), tuple(shapes))


def pixels(path: Path) -> tuple[int, int, bytes]:
    image = QImage(str(path))
    assert not image.isNull(), path
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    return image.width(), image.height(), bytes(image.constBits())[: image.sizeInBytes()]


def agreement(ours: Path, theirs: Path) -> float:
    """The fraction of pixels whose channels all agree within TOLERANCE."""
    w1, h1, a = pixels(ours)
    w2, h2, b = pixels(theirs)
    assert (w1, h1) == (w2, h2)
    same = 0
    for i in range(0, len(a), 4):
        if (
            abs(a[i] - b[i]) <= TOLERANCE
            and abs(a[i + 1] - b[i + 1]) <= TOLERANCE
            and abs(a[i + 2] - b[i + 2]) <= TOLERANCE
            and abs(a[i + 3] - b[i + 3]) <= TOLERANCE
        ):
            same += 1
    return same / (w1 * h1)


def tool(name: str) -> str:
    found = shutil.which(name)
    assert found is not None, f"{name} is not installed (./dev test installs it)"
    return found


def test_librsvg_draws_our_svg_as_we_draw_the_png(tmp_path: Path) -> None:
    snapshot = every_kind()
    png = export_png(snapshot, tmp_path / "ours.png")
    svg = export_svg(snapshot, tmp_path / "ours.svg")
    theirs = tmp_path / "rsvg.png"
    subprocess.run([tool("rsvg-convert"), "-w", "800", "-h", "600", "-o", str(theirs), str(svg)],
                   check=True, timeout=60)  # fmt: skip
    assert agreement(Path(png), theirs) >= 0.98


def test_poppler_draws_our_pdf_as_we_draw_the_png(tmp_path: Path) -> None:
    snapshot = every_kind()
    png = export_png(snapshot, tmp_path / "ours.png")
    pdf = export_pdf(snapshot, tmp_path / "ours.pdf")
    # The PDF page is the page at 96 dpi (600 x 450 pt): 96 dpi gives 800 x 600 pixels.
    stem = tmp_path / "poppler"
    subprocess.run([tool("pdftoppm"), "-png", "-r", "96", "-singlefile", str(pdf), str(stem)],
                   check=True, timeout=60)  # fmt: skip
    assert agreement(Path(png), stem.with_suffix(".png")) >= 0.98


def test_librsvg_and_poppler_draw_polygons_and_strokes_as_we_do(tmp_path: Path) -> None:
    snapshot = every_path()
    png = Path(export_png(snapshot, tmp_path / "ours.png"))
    svg = export_svg(snapshot, tmp_path / "ours.svg")
    theirs = tmp_path / "rsvg.png"
    subprocess.run([tool("rsvg-convert"), "-w", "800", "-h", "600", "-o", str(theirs), str(svg)],
                   check=True, timeout=60)  # fmt: skip
    assert agreement(png, theirs) >= 0.98
    pdf = export_pdf(snapshot, tmp_path / "ours.pdf")
    stem = tmp_path / "poppler"
    subprocess.run([tool("pdftoppm"), "-png", "-r", "96", "-singlefile", str(pdf), str(stem)],
                   check=True, timeout=60)  # fmt: skip
    assert agreement(png, stem.with_suffix(".png")) >= 0.98
    # And the check can fail on these: the strokes drawn straight instead of smooth.
    straight = Snapshot(snapshot.page, tuple(
        polygon(s.id, s.points, False, fill=None, stroke=s.stroke, stroke_width=s.stroke_width * 3,
                opacity=s.opacity) if type(s).__name__ == "Freehand" else s
        for s in snapshot.shapes))  # fmt: skip
    other = Path(export_png(straight, tmp_path / "other.png"))
    assert agreement(png, other) < 0.995


def test_the_check_can_fail(tmp_path: Path) -> None:
    """A drawing that differs (the markers left out of one side) falls below 98 %."""
    snapshot = every_kind()
    plain = Snapshot(snapshot.page, tuple(s for s in snapshot.shapes if s.id in ("r", "e")))
    a = export_png(snapshot, tmp_path / "a.png")
    b = export_png(plain, tmp_path / "b.png")
    assert agreement(Path(a), Path(b)) < 0.98
