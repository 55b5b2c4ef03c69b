"""Journal benchmarks: GUI-thread cost per push / undo / merged keystroke, bytes per step,
reopening a 10,000-step history, recovering a 100,000-command journal.

Run: .venv/bin/python bench/bench_journal.py   (prints a table; the targets are issue 11's
and docs/performance.md records the numbers; nothing here fails a build).

"GUI-thread cost added" is the time of the History observer's calls (Recorder.pushed /
moved: what the journal adds to a push, an undo or a keystroke), measured around each call
with perf_counter_ns, side by side with the push itself without a journal. os.fsync is
wrapped to record which thread calls it: the writer thread does, the GUI thread never.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtGui import QGuiApplication

from editor.commands import Command, EditText, MoveShapes
from editor.history import History
from editor.journal import Journal, Recorder
from editor.model import Document, rect, text

FSYNC_THREADS: list[str] = []
_real_fsync = os.fsync


def _spy_fsync(fd: int) -> None:
    FSYNC_THREADS.append(threading.current_thread().name)
    _real_fsync(fd)


os.fsync = _spy_fsync


class Timed:
    """Wraps a Recorder: times each observer call (the journal's GUI-thread cost)."""

    def __init__(self, inner: Recorder) -> None:
        self.inner = inner
        self.times: dict[str, list[int]] = {"pushed": [], "moved": [], "macro": []}

    def pushed(self, command: Command, merged: bool, index: int) -> None:
        t = time.perf_counter_ns()
        self.inner.pushed(command, merged, index)
        self.times["pushed"].append(time.perf_counter_ns() - t)

    def macro_pushed(self, text_: str, commands: Any, index: int) -> None:
        self.inner.macro_pushed(text_, commands, index)

    def moved(self, kind: str, index: int) -> None:
        t = time.perf_counter_ns()
        self.inner.moved(kind, index)
        self.times["moved"].append(time.perf_counter_ns() - t)


def stats(ns: list[int]) -> tuple[float, float]:
    ordered = sorted(ns)
    median = statistics.median(ordered) / 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] / 1000
    return median, p99


def row(name: str, value: str, target: str) -> None:
    print(f"| {name:<52} | {value:>26} | {target:>22} |")


def gui_cost(folder: Path) -> None:
    journal = Journal(folder / "cost.sqlite3")
    doc = Document(shapes=[rect(f"r{i}", i, 0, 10, 10) for i in range(1000)]
                   + [text("t", 0, 0, 400, 40, "")])  # fmt: skip
    history = History(doc)
    timed = Timed(journal.start(base=doc.snapshot()))
    history.observer = timed
    plain_doc = Document(shapes=[rect(f"r{i}", i, 0, 10, 10) for i in range(1000)])
    plain = History(plain_doc)
    pushes_plain: list[int] = []
    for n in range(5000):
        t = time.perf_counter_ns()
        plain.push(MoveShapes((f"r{n % 1000}",), 1, 0, joinable=False))
        pushes_plain.append(time.perf_counter_ns() - t)
        history.push(MoveShapes((f"r{n % 1000}",), 1, 0, joinable=False))
    push = stats(timed.times["pushed"])
    for _ in range(2000):
        history.undo()
    for _ in range(2000):
        history.redo()
    move = stats(timed.times["moved"])
    timed.times["pushed"].clear()
    clock = [0.0]
    history.clock = lambda: clock[0]
    body = ""
    for n in range(5000):
        clock[0] += 0.05
        ch = "ab c"[n % 4]
        history.push(EditText("t", len(body), "", ch), step="typing")
        body += ch
    keys = stats(timed.times["pushed"])
    journal.flush()
    journal.close()
    base = stats(pushes_plain)
    row("push without a journal (median / p99)", f"{base[0]:.1f} / {base[1]:.1f} µs", "")
    row("journal cost per push (median / p99)", f"{push[0]:.1f} / {push[1]:.1f} µs",
        "≤ 50 / ≤ 500 µs")  # fmt: skip
    row("journal cost per undo or redo (median / p99)", f"{move[0]:.1f} / {move[1]:.1f} µs",
        "≤ 50 / ≤ 500 µs")  # fmt: skip
    row("journal cost per merged keystroke (median / p99)", f"{keys[0]:.1f} / {keys[1]:.1f} µs",
        "≤ 50 / ≤ 500 µs")  # fmt: skip
    gui = [t for t in FSYNC_THREADS if t == threading.main_thread().name]
    row("fsync calls: GUI thread / writer thread", f"{len(gui)} / {len(FSYNC_THREADS) - len(gui)}",
        "0 on the GUI thread")  # fmt: skip


def bytes_per_step(folder: Path) -> None:
    path = folder / "size.sqlite3"
    journal = Journal(path)
    doc = Document(shapes=[rect(f"shape-{i:05d}", i, 0, 10, 10) for i in range(100)])
    history = History(doc)
    recorder = journal.start(base=doc.snapshot())
    history.observer = recorder
    history.push(MoveShapes(("shape-00000",), 1, 0, joinable=False))
    journal.flush()
    before = _db_bytes(path)
    n = 10_000
    for i in range(n):
        history.push(MoveShapes((f"shape-{i % 100:05d}", f"shape-{(i + 1) % 100:05d}"),
                                1.5, -2.25, joinable=False))  # fmt: skip
    journal.flush()
    journal.close()
    after = _db_bytes(path)
    row("journal bytes per MoveShapes step (2 shapes)", f"{(after - before) / n:.0f} B", "≤ 200 B")


def _db_bytes(path: Path) -> int:
    import sqlite3  # noqa: PLC0415

    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    return int((pages - free) * size)


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def reopen(folder: Path, shapes: int, steps: int, label: str, target: str, *,
           crash: bool = False) -> None:  # fmt: skip
    """Reopen a closed file's history (`crash`: recover a document a killed Strata left)."""
    path = folder / f"reopen-{shapes}-{steps}.sqlite3"
    journal = Journal(path)
    journal.max_entries = steps + 10  # Preferences' limit, raised to keep every step
    doc = Document(shapes=[rect(f"s{i}", i % 2000, i // 2000, 10, 10) for i in range(shapes)])
    history = History(doc)
    recorder = journal.start(path=folder / "d.strata", sha256="0" * 64, base=doc.snapshot())
    history.observer = recorder
    for i in range(steps):
        history.push(MoveShapes((f"s{(i * 7919) % shapes}",), 1, 0, joinable=False))
    if not crash:
        recorder.close()
    journal.flush()
    journal.close()
    if crash:  # the process that wrote it is gone: its owner names a pid that is not there
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE documents SET owner = ?", (f"{socket.gethostname()}:4194305:0",))
        conn.close()
    again = Journal(path)

    def load_and_adopt() -> None:
        if crash:
            (info,) = again.recoverable()
        else:
            found = again.closed_history(folder / "d.strata")
            assert found is not None
            info = found
        rebuilt = again.load(info.id)
        live = History(rebuilt.document)
        live.set_undo_limit(0)  # as JournalLink._adopt does
        live.adopt(rebuilt.history_steps(), rebuilt.index, rebuilt.saved_index)
        assert live.stack.count() == steps

    seconds = timed(load_and_adopt)
    again.close()
    row(label, f"{seconds:.2f} s", target)


def main() -> None:
    app = QGuiApplication.instance() or QGuiApplication(["bench"])
    print(
        "| measure                                              |                      value"
        " |                 target |"
    )
    print(f"|{'-' * 54}|{'-' * 28}|{'-' * 24}|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        gui_cost(folder)
        bytes_per_step(folder)
        reopen(folder, 1000, 10_000, "reopen a 10,000-step history (load + rebuild + adopt)",
               "≤ 2 s")  # fmt: skip
        reopen(folder, 100_000, 100_000, "recover 100,000 commands on 100,000 shapes", "≤ 2 s",
               crash=True)  # fmt: skip
    del app


if __name__ == "__main__":
    main()
