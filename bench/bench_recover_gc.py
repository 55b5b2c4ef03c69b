"""A/B in one run: recovering 100,000 commands with the garbage collector paused (as built)
and running (as before). Prints a table; see docs/performance.md."""

from __future__ import annotations

import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtGui import QGuiApplication

sys.path.insert(0, str(Path(__file__).parent))
import bench_journal

from editor.history import stack
from editor.journal import rebuild


class _RunningGC:
    """Stands in for the gc module so the code under test cannot pause it."""

    isenabled = staticmethod(gc.isenabled)

    @staticmethod
    def disable() -> None:
        pass

    @staticmethod
    def enable() -> None:
        gc.enable()


def main(rounds: int = 3) -> None:
    app = QGuiApplication.instance() or QGuiApplication(["bench"])
    times: dict[str, list[float]] = {"paused (as built)": [], "running (before)": []}

    def timed(fn):  # type: ignore[no-untyped-def]
        for _ in range(rounds):
            for mode, gcmod in (("paused (as built)", gc), ("running (before)", _RunningGC)):
                stack.gc = rebuild.gc = gcmod  # type: ignore[assignment]
                gc.collect()
                t = time.perf_counter()
                fn()
                times[mode].append(time.perf_counter() - t)
        stack.gc = rebuild.gc = gc  # type: ignore[assignment]
        return 0.0

    bench_journal.timed = timed
    bench_journal.row = lambda *_: None  # the A/B table below replaces its row
    with tempfile.TemporaryDirectory() as tmp:
        bench_journal.reopen(Path(tmp), 100_000, 100_000, "(setup)", "", crash=True)
    paused, running = (statistics.median(v) for v in times.values())
    print(f"| recover 100,000 commands on 100,000 shapes | median of {rounds} |")
    print("|---|---|")
    for mode, values in times.items():
        print(f"| gc {mode} | {statistics.median(values):.2f} s |")
    print(f"| ratio paused / running | {paused / running:.2f} |")
    del app


if __name__ == "__main__":
    main()
