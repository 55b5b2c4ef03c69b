"""Core benchmarks: command cost vs document size, memory per history entry, load/save.

Run: .venv/bin/python bench/bench_core.py   (prints a table; targets are in the table,
nothing here fails a build: docs/performance.md records the numbers).
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtGui import QGuiApplication

from editor.commands import (
    AddShapes,
    Command,
    DeleteShapes,
    MoveShapes,
    Reorder,
    SetStyle,
)
from editor.history import History
from editor.io.format import load, save
from editor.model import Document, Snapshot, ellipse, line, rect, text

SIZES = (100, 10_000, 100_000)


def make_document(n: int) -> Document:
    shapes = []
    for i in range(n):
        x, y = (i * 37) % 2000, (i * 91) % 2000
        kind = i % 4
        if kind == 0:
            shapes.append(rect(f"s{i}", x, y, 40, 30, fill="#ff6347"))
        elif kind == 1:
            shapes.append(ellipse(f"s{i}", x, y, 30, 30))
        elif kind == 2:
            shapes.append(line(f"s{i}", x, y, x + 50, y + 20))
        else:
            shapes.append(text(f"s{i}", x, y, 120, 30, f"label {i}"))
    return Document(shapes=shapes)


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def time_per_op(history: History, make: Callable[[int], Command], reps: int) -> dict[str, float]:
    """Median µs for push (apply), undo and redo of one command, on a live history."""
    push, undo, redo = [], [], []
    for k in range(reps):
        command = make(k)
        t0 = time.perf_counter()
        history.push(command)
        t1 = time.perf_counter()
        history.undo()
        t2 = time.perf_counter()
        history.redo()
        t3 = time.perf_counter()
        history.undo()  # untimed: keep the document the same size for the next rep
        push.append(t1 - t0)
        undo.append(t2 - t1)
        redo.append(t3 - t2)
    return {
        "apply": statistics.median(push) * 1e6,
        "undo": statistics.median(undo) * 1e6,
        "redo": statistics.median(redo) * 1e6,
    }


def bench_commands() -> list[tuple[str, int, dict[str, float]]]:
    rows = []
    for n in SIZES:
        doc = make_document(n)
        history = History(doc)
        mid = f"s{n // 2}"
        cases: dict[str, Callable[[int], Command]] = {
            "MoveShapes (1 shape)": lambda k, mid=mid: MoveShapes((mid,), 1, 1, joinable=False),
            "SetStyle (1 shape)": lambda k, mid=mid: SetStyle(
                (mid,), "stroke", "#00000" + "0123456789"[k % 10], joinable=False
            ),
            "Reorder to front": lambda k, mid=mid: Reorder((mid,), "front"),
            "DeleteShapes (middle)": lambda k, n=n: DeleteShapes((f"s{(k * 7919) % n}",)),
            "AddShapes (1 shape)": lambda k: AddShapes((rect(f"new{k}", 0, 0, 5, 5),)),
        }
        for name, make in cases.items():
            reps = 300
            rows.append((name, n, time_per_op(history, make, reps)))
            history.set_index(0)
            history.clear()
        history.close()
    return rows


def bench_memory(n_doc: int, entries: int = 100_000) -> tuple[float, float]:
    """Bytes per history entry: (RSS delta, Python-heap delta) / entries.

    Two separate runs: tracemalloc's own bookkeeping would inflate the RSS figure.
    """

    def fill(history: History, ids: tuple[str, ...]) -> None:
        for k in range(entries):
            history.push(MoveShapes((ids[k % len(ids)],), 1, 0, joinable=False))
        gc.collect()

    results = []
    for traced in (False, True):
        doc = make_document(n_doc)
        history = History(doc)
        gc.collect()
        if traced:
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            fill(history, doc.ids())
            results.append((tracemalloc.get_traced_memory()[0] - before) / entries)
            tracemalloc.stop()
        else:
            rss0 = rss_bytes()
            fill(history, doc.ids())
            results.append((rss_bytes() - rss0) / entries)
        history.clear()
        history.close()
        del doc, history
        gc.collect()
    return results[0], results[1]


def bench_load_save(n: int = 100_000) -> tuple[float, float, int]:
    doc = make_document(n)
    snap = doc.snapshot()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.strata"
        saves, loads = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            save(path, snap)
            saves.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            loaded: Snapshot = load(path)
            Document(loaded.page, loaded.shapes)  # to a live document, as Open does
            loads.append(time.perf_counter() - t0)
        size = path.stat().st_size
    return min(loads), min(saves), size


def main() -> None:
    app = QGuiApplication.instance() or QGuiApplication([])
    print("## Commands: median time per operation through History (QUndoStack), µs\n")
    print("| command | shapes | apply | undo | redo |")
    print("|---|---:|---:|---:|---:|")
    rows = bench_commands()
    for name, n, t in rows:
        print(f"| {name} | {n:,} | {t['apply']:.1f} | {t['undo']:.1f} | {t['redo']:.1f} |")
    print("\n### Ratio 100,000 / 100 shapes (target ≤ 2)\n")
    print("| command | apply | undo | redo |")
    print("|---|---:|---:|---:|")
    by = {(name, n): t for name, n, t in rows}
    for name in dict.fromkeys(name for name, _, _ in rows):
        small, big = by[(name, 100)], by[(name, 100_000)]
        r = {k: big[k] / small[k] for k in small}
        print(f"| {name} | {r['apply']:.2f} | {r['undo']:.2f} | {r['redo']:.2f} |")

    print("\n## Memory per history entry, 100,000 MoveShapes entries (target ≤ 1 KB)\n")
    print("| document shapes | RSS per entry | Python heap per entry |")
    print("|---:|---:|---:|")
    for n in (100, 100_000):
        # A fresh process per size: RSS in a process that already freed memory is noise.
        out = subprocess.run(
            [sys.executable, __file__, "--memory", str(n)],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        per_rss, per_py = float(out[0]), float(out[1])
        print(f"| {n:,} | {per_rss:.0f} B | {per_py:.0f} B |")

    print("\n## Load and save, 100,000 shapes (target ≤ 1 s each)\n")
    t_load, t_save, size = bench_load_save()
    print("| operation | time | file size |")
    print("|---|---:|---:|")
    print(
        f"| load (read, validate, build Document) | {t_load * 1000:.0f} ms | {size / 1e6:.1f} MB |"
    )
    print(f"| save (encode in chunks, atomic write + fsync) | {t_save * 1000:.0f} ms | |")
    del app


if __name__ == "__main__":
    if sys.argv[1:2] == ["--memory"]:
        _app = QGuiApplication([])
        print(*bench_memory(int(sys.argv[2])))
    else:
        main()
