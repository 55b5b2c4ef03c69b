"""Opening a big document, and starting the app: time to the first paint.

Run: ``.venv/bin/python bench/bench_open.py [--repeat 5] [--sizes 10000 100000]``.
Prints tables; no asserts (the targets are printed beside the numbers, and
docs/performance.md records them).

T1, open to first paint. Each sample is a fresh Python process (so every sample pays
what a user pays: cold imports aside, font set-up, first text layouts) that builds a real
`MainWindow` on the offscreen platform, shows it with the empty document and lets it
settle. Then the clock starts, ``window.open_path(file)`` runs (load on the GUI thread,
Session, scene build, zoom to fit), and the event loop runs until the canvas viewport's
first paint has *completed*: an event filter on the viewport takes the Paint event,
hands it on to the view itself and stops the clock when the view's paint returns. The
view is at "zoom to fit" then (every shape visible: the worst case for painting). The
row splits the total into ``open_path()`` (load + session + scene) and the paint.
Drawings: "grid", the canvas benchmark's mix of rects, ellipses, lines and text labels
on a 4000 x 4000 page (bench/bench_canvas.py `make_shapes`; at fit each shape is ~2 px
on screen), and "random", bench_export's seeded mix of overlapping shapes of 5-200 px
with paragraphs of text on a 2000 x 2000 page (at fit many shapes are 10-70 px on screen
and really have to be drawn), and "paths" (issue 13: target 1 s at 10,000), polygons of 20
vertices and freehand strokes of 200 points, alternating on a 4000 x 4000 page
(bench_canvas `make_paths`; run with ``--drawings paths --sizes 10000``).

T2, start-up to the first window: ``.venv/bin/python -m editor`` (what the ``strata``
script runs) with ``STRATA_EXIT_AFTER_FIRST_PAINT=1``: `editor.app.run` then prints
``first-paint <time.perf_counter()>`` once the main window's first frame has been
painted, and quits. CLOCK_MONOTONIC is system-wide, so the parent subtracts its own
``perf_counter()`` taken just before spawning the process. "exit" is the whole process
run, including shutdown.

Load on the machine distorts all of this (2 cores): the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

T1_TARGET_S = 2.0
T2_TARGET_S = 1.0


# ---------------------------------------------------------------- the child (T1)
def child_open(path: Path, folder: Path) -> dict[str, float]:
    """In a fresh process: show a window, open `path`, time until the first paint."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject, QSettings  # noqa: PLC0415
    from PySide6.QtTest import QTest  # noqa: PLC0415
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    from editor.app import configure_application  # noqa: PLC0415
    from editor.jobs import JobLog, JobQueue  # noqa: PLC0415
    from editor.ui.main_window import MainWindow  # noqa: PLC0415
    from editor.ui.settings import Settings  # noqa: PLC0415

    app = QApplication([sys.argv[0]])
    configure_application(app)
    store = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    jobs = JobQueue(log=JobLog(folder / "logs", stderr=False))
    window = MainWindow(settings=Settings(store), jobs=jobs)
    window.show()
    QTest.qWaitForWindowExposed(window)
    for _ in range(5):
        app.processEvents()
    viewport = window.canvas.viewport()

    class FirstPaint(QObject):
        """Runs the view's own paint for the first Paint event and times it."""

        def __init__(self) -> None:
            super().__init__()
            self.start = 0.0
            self.end = 0.0
            self.zoom = 0.0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if self.end or event.type() != QEvent.Type.Paint or watched is not viewport:
                return False
            self.start = time.perf_counter()
            # The scroll area's own filter (installed earlier, so it runs after ours)
            # paints the view; send the same event through it now and time it.
            viewport.removeEventFilter(self)
            QApplication.sendEvent(viewport, event)
            self.end = time.perf_counter()
            self.zoom = window.canvas.zoom()
            return True

    probe = FirstPaint()
    t0 = time.perf_counter()
    viewport.installEventFilter(probe)
    ok = window.open_path(path)
    t1 = time.perf_counter()
    while not probe.end and time.perf_counter() - t0 < 120:
        app.processEvents()
    shapes = len(window.document)
    fit_zoom = window.canvas.zoom()
    result = {
        "ok": float(ok and probe.end > 0),
        "shapes": float(shapes),
        "open_path": t1 - t0,
        "wait": probe.start - t1,
        "paint": probe.end - probe.start,
        "total": probe.end - t0,
        "zoom": probe.zoom,
        "fit_zoom": fit_zoom,
    }
    window.discard_and_close()
    jobs.shutdown(timeout=10)
    return result


# --------------------------------------------------------------------- drawings
def write_drawing(kind: str, n: int, path: Path) -> None:
    from bench_canvas import make_paths, make_shapes  # noqa: PLC0415
    from bench_export import random_snapshot  # noqa: PLC0415

    from editor.io.format import save  # noqa: PLC0415
    from editor.model import Page, Snapshot  # noqa: PLC0415

    if kind == "grid":
        page = Page(4000.0, 4000.0, "#ffffff")
        snapshot = Snapshot(page, tuple(make_shapes(n, page)))
    elif kind == "paths":
        page = Page(4000.0, 4000.0, "#ffffff")
        snapshot = Snapshot(page, tuple(make_paths(n, page)))
    else:
        snapshot = random_snapshot(n, 2000.0)
    save(path, snapshot)


def time_load(path: Path) -> float:
    from editor.io.format import load  # noqa: PLC0415

    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        load(path)
        best = min(best, time.perf_counter() - t0)
    return best


# ----------------------------------------------------------------------- parent
def env() -> dict[str, str]:
    e = dict(os.environ)
    e.setdefault("QT_QPA_PLATFORM", "offscreen")
    e.setdefault("XDG_RUNTIME_DIR", "/tmp/strata-bench-runtime")
    Path(e["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
    return e


def run_t1(path: Path, repeat: int, folder: Path) -> list[dict[str, float]]:
    runs = []
    for _ in range(repeat):
        # A fresh settings file each time: no restored window layout from a previous run.
        work = Path(tempfile.mkdtemp(dir=folder))
        out = subprocess.run(
            [sys.executable, __file__, "--child-open", str(path), "--work", str(work)],
            capture_output=True, text=True, env=env(), check=False, cwd=ROOT,
        )  # fmt: skip
        line = [row for row in out.stdout.splitlines() if row.startswith("{")]
        if out.returncode != 0 or not line:
            print(out.stdout, out.stderr, file=sys.stderr)
            raise SystemExit(f"child failed with {out.returncode}")
        runs.append(json.loads(line[-1]))
    return runs


def run_t2(repeat: int, folder: Path) -> list[tuple[float, float]]:
    runs = []
    for k in range(repeat):
        e = env()
        e["STRATA_EXIT_AFTER_FIRST_PAINT"] = "1"
        # A fresh settings and state folder: no saved layout, no recent files.
        e["HOME"] = str(folder / f"home{k}")
        e["XDG_CONFIG_HOME"] = str(folder / f"home{k}" / ".config")
        e["XDG_STATE_HOME"] = str(folder / f"home{k}" / ".state")
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "editor"], capture_output=True, text=True, env=e,
            check=False, cwd=ROOT,
        )  # fmt: skip
        t_exit = time.perf_counter()
        stamp = [r for r in out.stdout.splitlines() if r.startswith("first-paint ")]
        if out.returncode != 0 or not stamp:
            print(out.stdout, out.stderr, file=sys.stderr)
            raise SystemExit(f"strata failed with {out.returncode}")
        first = float(stamp[-1].split()[1])
        runs.append((first - t0, t_exit - t0))
    return runs


def spread(values: list[float], scale: float = 1.0, fmt: str = "{:.2f}") -> str:
    lo, med, hi = min(values), statistics.median(values), max(values)
    return f"{fmt.format(med * scale)} ({fmt.format(lo * scale)}-{fmt.format(hi * scale)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--drawings", nargs="*", default=["grid", "random"])
    parser.add_argument("--skip-t2", action="store_true")
    parser.add_argument("--child-open", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_open is not None:
        print(json.dumps(child_open(args.child_open, args.work)))
        return

    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at start; median (min-max) of {args.repeat}"
    )
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        print(f"\nT1: open_path() to the first completed paint of the canvas (target "
              f"<= {T1_TARGET_S:g} s)")  # fmt: skip
        header = (
            f"{'drawing':<8}{'shapes':>9}{'load s':>8}  {'open_path s':<20}"
            f"{'first paint s':<20}{'total s':<20}{'zoom':>6}"
        )
        print(header)
        print("-" * len(header))
        for kind in args.drawings:
            for n in args.sizes:
                path = folder / f"{kind}-{n}.strata"
                write_drawing(kind, n, path)
                runs = run_t1(path, args.repeat, folder)
                assert all(r["ok"] and r["shapes"] == n for r in runs), runs
                assert all(abs(r["zoom"] - r["fit_zoom"]) < 1e-9 for r in runs), runs
                print(
                    f"{kind:<8}{n:>9,}{time_load(path):>8.2f}  "
                    f"{spread([r['open_path'] for r in runs]):<20}"
                    f"{spread([r['paint'] for r in runs]):<20}"
                    f"{spread([r['total'] for r in runs]):<20}"
                    f"{runs[0]['zoom'] * 100:>5.0f}%"
                )
        if not args.skip_t2:
            print(f"\nT2: process start to the main window's first paint (target "
                  f"<= {T2_TARGET_S:g} s), `python -m editor`, no file")  # fmt: skip
            runs = run_t2(args.repeat, folder)
            print(f"first paint s  {spread([r[0] for r in runs])}")
            print(f"exit s         {spread([r[1] for r in runs])}")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
