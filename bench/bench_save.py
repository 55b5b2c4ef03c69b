"""Does the GUI thread stay responsive while a big document is saved or exported?

Run: ``.venv/bin/python bench/bench_save.py [--shapes 100000] [--repeat 20]``.

A QGuiApplication (offscreen) runs a 5 ms QTimer on the GUI thread and records when each
tick arrives, while a JobQueue runs, on its worker thread:

* a SaveJob of a 100,000-shape document (the app's save path: chunked encoding and an
  atomic write with fsync), with SaveJob's 1,000-shape pieces and, for comparison, the
  file format's 5,000 (`--compare-chunk`), alternating run by run, and
* ExportJobs of the same document to PNG (2000x2000), SVG and PDF,

once with Python's default GIL switch interval (5 ms) and once with the 1 ms interval
the app sets (`editor.io.tasks.use_responsive_switch_interval`). Exports end their
painter through `editor.io.native` (QPainter::end() called with the GIL released);
``--binding-end`` adds rows that end it through PySide6's QPainter.end() instead, which
holds the GIL (what every export did before), for a comparison on the same machine.
For each it prints the total time from submit to result (median of the runs), the
largest gap between two ticks in any run and the 99th percentile of the gaps of all runs
together (targets:
largest <= 16 ms, p99 <= 8 ms). Two baselines: an idle loop (the timer's own jitter)
and a job that keeps a core busy without holding the GIL (what CPU competition alone
costs on this machine, other processes included). A second
table gives the plain export time of 10,000 shapes (see also bench/bench_export.py,
whose random drawing this reuses). Nothing here asserts: the numbers go into
docs/performance.md. Other processes on the machine show up as gaps too: the load
average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export import random_snapshot, run_once
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from editor.io import native
from editor.io.format import ENCODE_CHUNK
from editor.io.tasks import SAVE_CHUNK, ExportJob, SaveJob, use_responsive_switch_interval
from editor.jobs import Job, JobContext, JobLog, JobQueue, JobRecord
from editor.model import Snapshot

TICK_MS = 5
TARGET_MAX_MS = 16.0
TARGET_P99_MS = 8.0


@dataclass
class Sample:
    total: float
    gaps: list[float]
    ok: bool

    @property
    def largest(self) -> float:
        return max(self.gaps, default=0.0)

    @property
    def p99(self) -> float:
        if not self.gaps:
            return 0.0
        ordered = sorted(self.gaps)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


class Ticker:
    """A 5 ms precise timer on the GUI thread that remembers when it fired."""

    def __init__(self) -> None:
        self.stamps: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(lambda: self.stamps.append(time.perf_counter()))

    def gaps(self, start: float, end: float) -> list[float]:
        inside = [t for t in self.stamps if start <= t <= end]
        times = [start, *inside, end]
        return [(b - a) * 1000.0 for a, b in itertools.pairwise(times)]


def spin(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def measure(make_job: Callable[[], Job[object]], log_dir: Path) -> Sample:
    """Submit one job and run the GUI event loop until it ends, ticking all the while."""
    queue = JobQueue(log=JobLog(log_dir, stderr=False), timeout=600.0)
    ticker = Ticker()
    ticker.timer.start()
    spin(0.1)  # let the timer settle
    loop = QEventLoop()
    done: list[JobRecord] = []

    def on_state(record: JobRecord) -> None:
        if record.state.is_final:
            done.append(record)
            loop.quit()

    queue.state_changed.connect(on_state)
    job = make_job()  # built on the GUI thread, like the app (not timed)
    start = time.perf_counter()
    queue.submit(job)
    if not done:
        loop.exec()
    end = time.perf_counter()
    ticker.timer.stop()
    queue.shutdown(timeout=60)
    return Sample(end - start, ticker.gaps(start, end), done[0].state.value == "succeeded")


def idle(seconds: float) -> Sample:
    ticker = Ticker()
    ticker.timer.start()
    spin(0.1)
    start = time.perf_counter()
    spin(seconds)
    end = time.perf_counter()
    ticker.timer.stop()
    return Sample(end - start, ticker.gaps(start, end), True)


class BusyWithoutGil(Job[None]):
    """A baseline: keeps one core busy in C code that releases the GIL (hashlib on big
    buffers) for about as long as a save. What the GUI thread still loses here is CPU
    competition on the machine, not the GIL."""

    DATA = bytes(8 << 20)

    def __init__(self, seconds: float = 0.15) -> None:
        super().__init__("busy", "bench", key=f"busy{id(self)}")
        self.seconds = seconds

    def run(self, context: JobContext) -> None:
        end = time.perf_counter() + self.seconds
        while time.perf_counter() < end:
            context.check()
            hashlib.sha256(self.DATA).digest()


@contextlib.contextmanager
def binding_end(enabled: bool) -> Iterator[None]:
    """While enabled, `editor.io.native.end_painter` finds no native QPainter::end(), so
    exports end their painter through the binding (holding the GIL), as before."""
    if not enabled:
        yield
        return
    found = native.native_end
    native.native_end = lambda: None  # type: ignore[assignment]
    try:
        yield
    finally:
        native.native_end = found


def row(name: str, interval: float, samples: list[Sample]) -> str:
    """Worst largest gap over all runs; p99 over the gaps of all runs pooled."""
    largest = max(s.largest for s in samples)
    p99 = Sample(0.0, [g for s in samples for g in s.gaps], True).p99
    total = statistics.median(s.total for s in samples)
    met = "yes" if largest <= TARGET_MAX_MS and p99 <= TARGET_P99_MS else "NO"
    failed = "" if all(s.ok for s in samples) else "  (job FAILED)"
    return (
        f"{name:<30}{interval * 1000:>7.0f} ms{total:>10.2f}{largest:>12.1f}{p99:>10.1f}"
        f"{met:>8}{failed}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each save")
    parser.add_argument("--export-repeat", type=int, default=1, help="runs of each export")
    parser.add_argument("--export-shapes", type=int, default=10_000, help="second table")
    parser.add_argument(
        "--compare-chunk", type=int, default=ENCODE_CHUNK, help="SaveJob chunk to compare with"
    )
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--skip-saves", action="store_true", help="exports only")
    parser.add_argument(
        "--binding-end", action="store_true", help="also export with PySide6's QPainter.end()"
    )
    parser.add_argument(
        "--intervals", type=float, nargs="*", default=[0.005, 0.001], help="switch intervals"
    )
    parser.add_argument("--skip-small", action="store_true", help="no 10,000-shape table")
    args = parser.parse_args()

    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - fonts and timers need it
    snapshot: Snapshot = random_snapshot(args.shapes, 2000.0)
    load = os.getloadavg()
    print(
        f"{args.shapes:,} shapes (rect/ellipse/line/text, 1/4 each) on a 2000x2000 page; "
        f"{TICK_MS} ms GUI timer; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {load[0]:.2f} at start"
    )
    header = (
        f"{'job':<30}{'switch':>10}{'total s':>10}{'max gap ms':>12}{'p99 ms':>10}{'target':>8}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        logs = folder / "logs"
        for interval in args.intervals:
            sys.setswitchinterval(0.005)
            if interval < 0.005:
                use_responsive_switch_interval()
            assert sys.getswitchinterval() == interval
            print(row("idle (timer jitter)", interval, [idle(1.0)]))
            busy = [measure(BusyWithoutGil, logs) for _ in range(args.repeat)]
            print(row("busy core, no GIL", interval, busy))
            if not args.skip_saves:
                # Alternate the two chunk sizes run by run, so both see the same machine.
                saves: dict[int, list[Sample]] = {SAVE_CHUNK: [], args.compare_chunk: []}
                for _ in range(args.repeat):
                    for chunk, samples in saves.items():
                        save = partial(SaveJob, snapshot, folder / "big.strata", chunk=chunk)
                        samples.append(measure(save, logs))
                for chunk, samples in saves.items():
                    print(row(f"save, chunk {chunk:,}", interval, samples))
            if args.skip_exports:
                continue
            ends = ("native", "binding") if args.binding_end else ("native",)
            for fmt in ("png", "svg", "pdf"):
                # Alternate the two ways run by run, so both see the same machine.
                runs: dict[str, list[Sample]] = {end: [] for end in ends}
                for _ in range(args.export_repeat):
                    for end in ends:
                        export = partial(ExportJob, snapshot, folder / f"big.{fmt}")
                        with binding_end(end == "binding"):
                            runs[end].append(measure(export, logs))
                for end, samples in runs.items():
                    name = f"export {fmt.upper()}" + (", binding end" if end == "binding" else "")
                    print(row(name, interval, samples))
        sys.setswitchinterval(0.005)
        if args.skip_small:
            print(f"\nload average {os.getloadavg()[0]:.2f} at the end")
            return

        small = random_snapshot(args.export_shapes, 2000.0)
        print()
        print(
            f"Export of {args.export_shapes:,} shapes: a plain export() call on the main "
            "thread (no queue), median of 3:"
        )
        header = f"{'format':<8}{'total s':>9}{'paint s':>9}{'rest s':>9}{'size MB':>9}"
        print(header)
        print("-" * len(header))
        for fmt in ("png", "svg", "pdf"):
            plain = [run_once(small, folder / f"small.{fmt}") for _ in range(3)]
            total = statistics.median(r.total for r in plain)
            paint = statistics.median(r.painting for r in plain)
            print(
                f"{fmt:<8}{total:>9.2f}{paint:>9.2f}{total - paint:>9.2f}"
                f"{plain[-1].size / 1e6:>9.2f}"
            )
    load = os.getloadavg()
    print(f"\nload average {load[0]:.2f} at the end")


if __name__ == "__main__":
    main()
