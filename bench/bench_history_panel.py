"""History panel benchmark: cost per push/undo/redo with a long history on screen.

Run: .venv/bin/python bench/bench_history_panel.py [--quick] [--all]  (prints a table, asserts
nothing; the target is <= 2 ms per push or undo at 100,000 entries with the panel open).

What is measured, for each view and history length N:

* setup: a Session with two shapes; the view is shown (offscreen platform, 320x600) and
  exposed. The history is filled with N `MoveShapes` commands that do not merge.
* fill: the N pushes with the view open; the event loop runs (`processEvents()`, so the
  view lays out and paints) after every 100 pushes, as a replay that keeps the window
  alive would. Total seconds.
* push / undo / redo: one `History.push` (or `undo()`/`redo()`) followed by
  `processEvents()`, i.e. the command itself, the model's signals, the view's layout,
  scrolling to the current row and painting the viewport. Minimum, median and 95th
  percentile of `samples` operations, in ms, at a history of about N entries.
* "no view": the same operations with no view at all: the cost of the command and the
  History itself. "view cost" = median(view) - median(no view).

The offscreen platform paints into memory with the raster engine; a real screen adds its
own flush. Other processes on the machine show up as noise: compare minima.

Views: "panel" is HistoryPanel (incremental HistoryModel + one-column QTableView);
"QUndoView" is Qt's stock view with setUniformItemSizes(True) (its model resets on every
change); "QListView" is QListView(setUniformItemSizes(True)) over the same incremental
HistoryModel, to show why the panel does not use a QListView (it lays out every row again
on each insert, asking the Python model twice per row).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QCoreApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QListView, QUndoView, QWidget

from editor.commands import MoveShapes
from editor.model import DEFAULT_PAGE, Snapshot, ellipse, rect
from editor.ui.panels import HistoryModel, HistoryPanel
from editor.ui.session import Session

FILL_BATCH = 100


def new_session() -> Session:
    return Session(Snapshot(DEFAULT_PAGE, (rect("r", 0, 0, 10, 10), ellipse("e", 5, 5, 10, 10))))


_steps = itertools.count()


def push(session: Session) -> None:
    # Alternate directions so that coordinates stay small however long the history.
    dx = 1.0 if next(_steps) % 2 else -1.0
    session.push(MoveShapes(("r",), dx, 0.0, joinable=False))


def show(widget: QWidget) -> None:
    widget.resize(320, 600)
    layout = widget.layout()
    if layout is not None:
        layout.activate()
    widget.show()
    QTest.qWaitForWindowExposed(widget)


def make_view(kind: str, session: Session) -> QWidget | None:
    if kind == "no view":
        return None
    if kind == "panel":
        panel = HistoryPanel()
        panel.set_session(session)
        show(panel)
        return panel
    if kind == "QUndoView":
        undo_view = QUndoView(session.history.stack)
        undo_view.setUniformItemSizes(True)
        show(undo_view)
        return undo_view
    model = HistoryModel()
    model.set_stack(session.history.stack, session.history.saved_index)
    list_view = QListView()
    list_view.setUniformItemSizes(True)
    list_view.setModel(model)
    model.setParent(list_view)
    show(list_view)
    return list_view


def timed(op: Callable[[], None], samples: int) -> list[float]:
    process = QCoreApplication.processEvents
    out = []
    for _ in range(samples):
        t0 = time.perf_counter()
        op()
        process()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def stats(values: list[float]) -> tuple[float, float, float]:
    """(min, median, 95th percentile). On a shared machine the minimum is the most
    repeatable figure for CPU-bound work; the median and p95 show what noise adds."""
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return values[0], statistics.median(values), p95


def run(kind: str, n: int, samples: int) -> dict[str, float]:
    session = new_session()
    view = make_view(kind, session)
    process = QCoreApplication.processEvents
    t0 = time.perf_counter()
    for k in range(n):
        push(session)
        if k % FILL_BATCH == FILL_BATCH - 1:
            process()
    process()
    fill = time.perf_counter() - t0
    history = session.history
    result = {"fill": fill}
    for name, op in (("push", lambda: push(session)), ("undo", history.undo),
                     ("redo", history.redo)):  # fmt: skip
        low, mid, high = stats(timed(op, samples))
        result[f"{name}_min"], result[name], result[f"{name}95"] = low, mid, high
    # Sanity: the view shows every entry.
    if isinstance(view, HistoryPanel):
        assert view.model().rowCount() == history.stack.count() + 1
    if view is not None:
        view.close()
        view.deleteLater()
    session.close()
    session.deleteLater()
    process()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 samples per op, not 200")
    parser.add_argument(
        "--all",
        action="store_true",
        help="also QUndoView and QListView at 100,000 (their fills take minutes)",
    )
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    samples = 50 if args.quick else 200
    configs = [
        ("no view", 10_000, samples),
        ("panel", 10_000, samples),
        ("QUndoView", 10_000, samples),
        ("QListView", 10_000, 20),
        ("no view", 100_000, samples),
        ("panel", 100_000, samples),
    ]
    if args.all:
        configs += [("QUndoView", 100_000, 50), ("QListView", 100_000, 10)]
    load = os.getloadavg()[0]
    print(
        f"Qt platform: {QApplication.platformName()}; {os.cpu_count()} CPUs, load average "
        f"{load:.2f} at start; n = samples per op; per-op times in ms as min/median/p95"
    )
    header = (
        f"{'view':<10} {'entries':>8} {'n':>4} {'fill s':>8} "
        f"{'push':>19} {'undo':>19} {'redo':>19} {'view cost push/undo':>20}"
    )
    print(header)
    print("-" * len(header))
    baseline: dict[int, dict[str, float]] = {}
    for kind, n, k in configs:
        r = run(kind, n, k)
        if kind == "no view":
            baseline[n] = r
            extra = ""
        else:
            base = baseline[n]
            extra = f"{r['push'] - base['push']:.2f} / {r['undo'] - base['undo']:.2f}"
        ops = " ".join(
            f"{r[f'{op}_min']:>5.2f}/{r[op]:>5.2f}/{r[f'{op}95']:>5.2f}"
            for op in ("push", "undo", "redo")
        )
        print(f"{kind:<10} {n:>8,} {k:>4} {r['fill']:>8.2f} {ops} {extra:>20}", flush=True)
    del app


if __name__ == "__main__":
    main()
