"""How long exporting a big drawing takes: PNG, SVG and PDF of random shapes.

Run: ``.venv/bin/python bench/bench_export.py [--shapes 10000] [--repeat 3]``.
Prints one row per format (median of the repeats): the whole export, the painting part
(until the last "Painted" progress report), the rest (encoding and the atomic write), the
file size and the longest gap between two progress reports, which bounds how long a
cancel request waits.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtGui import QGuiApplication

from editor.io.export import export
from editor.model import Page, Shape, Snapshot, ellipse, line, rect, text

WORDS = ("lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit")


def random_color(rng: random.Random, alpha: bool = False) -> str:
    value = f"#{rng.randrange(0x1000000):06x}"
    return value + f"{rng.randrange(256):02x}" if alpha else value


def random_shape(rng: random.Random, n: int, size: float) -> Shape:
    """Shape number n: rect, ellipse, line, text in turn, with varied styles."""
    x, y = rng.uniform(-50, size), rng.uniform(-50, size)
    w, h = rng.uniform(5, 200), rng.uniform(5, 200)
    stroke = random_color(rng) if rng.random() < 0.8 else None
    stroke_width = rng.choice([0.0, 1.0, 2.0, 5.0])
    opacity = rng.choice([1.0, 1.0, 0.5])
    kind = n % 4
    if kind == 0:
        fill = random_color(rng, alpha=rng.random() < 0.3)
        rotation = rng.choice([0.0, 0.0, 15.0, 90.0])
        return rect(
            f"s{n}", x, y, w, h, fill=fill, stroke=stroke, stroke_width=stroke_width,
            opacity=opacity, rotation=rotation,
        )  # fmt: skip
    if kind == 1:
        return ellipse(
            f"s{n}", x, y, w, h, fill=random_color(rng), stroke=stroke,
            stroke_width=stroke_width, opacity=opacity, rotation=rng.choice([0.0, 30.0]),
        )  # fmt: skip
    if kind == 2:
        x2, y2 = x + rng.uniform(-200, 200), y + rng.uniform(-200, 200)
        return line(
            f"s{n}", x, y, x2, y2, stroke=random_color(rng),
            stroke_width=rng.choice([1.0, 3.0]), opacity=opacity,
        )  # fmt: skip
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(2, 25)))
    return text(
        f"s{n}", x, y, w, h, words, font_size=rng.choice([10.0, 14.0, 24.0]),
        color=random_color(rng), fill=rng.choice([None, "#ffffcc"]),
        rotation=rng.choice([0.0, 0.0, 10.0]), opacity=opacity,
    )  # fmt: skip


def random_snapshot(count: int, size: float, seed: int = 1) -> Snapshot:
    """A fixed (seeded) mix of rects, ellipses, lines and text boxes, a quarter each."""
    rng = random.Random(seed)
    shapes = tuple(random_shape(rng, n, size) for n in range(count))
    return Snapshot(Page(size, size, "#ffffff"), shapes)


@dataclass
class Run:
    total: float
    painting: float
    size: int
    longest_gap: float


def run_once(snapshot: Snapshot, path: Path) -> Run:
    stamps: list[tuple[float, str]] = []
    start = time.perf_counter()
    export(snapshot, path, progress=lambda _f, m: stamps.append((time.perf_counter(), m)))
    end = time.perf_counter()
    painted = max(t for t, m in stamps if m.startswith("Painted"))
    times = [start, *(t for t, _ in stamps)]
    gap = max(b - a for a, b in itertools.pairwise(times))
    return Run(end - start, painted - start, path.stat().st_size, gap)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", type=int, default=10_000)
    parser.add_argument("--size", type=float, default=2000.0, help="page side in px")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - fonts need it alive
    snapshot = random_snapshot(args.shapes, args.size)
    print(
        f"{args.shapes} shapes (rect/ellipse/line/text, 1/4 each) on a "
        f"{args.size:g}x{args.size:g} page, median of {args.repeat}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    header = (
        f"{'format':<7}{'total s':>9}{'paint s':>9}{'rest s':>9}{'size MB':>9}{'max gap ms':>12}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as directory:
        for fmt in ("png", "svg", "pdf"):
            runs = [
                run_once(snapshot, Path(directory) / f"bench.{fmt}") for _ in range(args.repeat)
            ]
            total = statistics.median(r.total for r in runs)
            paint = statistics.median(r.painting for r in runs)
            gap = statistics.median(r.longest_gap for r in runs)
            print(
                f"{fmt:<7}{total:>9.2f}{paint:>9.2f}{total - paint:>9.2f}"
                f"{runs[-1].size / 1e6:>9.2f}{gap * 1000:>12.0f}"
            )


if __name__ == "__main__":
    main()
