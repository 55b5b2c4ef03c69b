"""Job queue overhead: no-op jobs through JobQueue vs no-op QRunnables on a bare QThreadPool.

    .venv/bin/python bench/bench_jobs.py [--jobs 10000] [--repeat 3]

Prints a table: total wall time and microseconds per job for
- a bare QThreadPool running no-op QRunnables (the floor),
- the same, each runnable also sending one queued signal back to the GUI thread (what any
  real use needs to get a result),
- JobQueue with logging off, and with the JSON log written to a file (the default set-up
  minus stderr),
and the queue's overhead per job over the bare pool. The target is <= 100 us per job.
Best of `--repeat` runs; no asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
)

from editor.jobs import Job, JobContext, JobLog, JobQueue


class _Noop(QRunnable):
    def run(self) -> None:
        pass


class _Back(QObject):
    done = Signal(int)


class _NoopSignal(QRunnable):
    def __init__(self, relay: _Back, n: int) -> None:
        super().__init__()
        self.relay = relay
        self.n = n

    def run(self) -> None:
        self.relay.done.emit(self.n)


class _NoopJob(Job[None]):
    def __init__(self, n: int) -> None:
        super().__init__(f"noop {n}", "bench", key=f"noop:{n}")

    def run(self, context: JobContext) -> None:
        context.check()


def bare_pool(n: int) -> float:
    pool = QThreadPool()
    start = time.perf_counter()
    for _ in range(n):
        pool.start(_Noop())
    pool.waitForDone()
    return time.perf_counter() - start


def bare_pool_with_signal(n: int) -> float:
    pool = QThreadPool()
    relay = _Back()
    loop = QEventLoop()
    received = 0

    def on_done(_n: int) -> None:
        nonlocal received
        received += 1
        if received == n:
            loop.quit()

    relay.done.connect(on_done, Qt.ConnectionType.QueuedConnection)
    start = time.perf_counter()
    for i in range(n):
        pool.start(_NoopSignal(relay, i))
    if received < n:
        loop.exec()
    elapsed = time.perf_counter() - start
    pool.waitForDone()
    return elapsed


#: GUI-thread CPU seconds of each JobQueue run, by variant (time.thread_time: what the
#: queue's own bookkeeping costs the GUI thread, without the waits for pool threads, so
#: it is steadier than wall time on a busy machine).
GUI_CPU: dict[str, list[float]] = {}


def job_queue(n: int, log: Callable[[], JobLog], variant: str = "") -> float:
    queue = JobQueue(max_queued=n, log=log())
    try:
        start = time.perf_counter()
        cpu = time.thread_time()
        for i in range(n):
            queue.submit(_NoopJob(i))
        if not queue.wait_until_idle(timeout=300):
            raise RuntimeError("the queue did not finish")
        GUI_CPU.setdefault(variant, []).append(time.thread_time() - cpu)
        return time.perf_counter() - start
    finally:
        queue.shutdown(timeout=10)


def submit_only(n: int) -> float:
    """GUI-thread cost of submit() alone: one worker kept busy, so nothing else runs."""
    queue = JobQueue(max_queued=n, max_workers=1, log=JobLog(file=False, stderr=False))
    try:
        start = time.perf_counter()
        for i in range(n):
            queue.submit(_NoopJob(i))
        return time.perf_counter() - start
    finally:
        queue.shutdown(timeout=0, cancel_wait=10)


def best(runs: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n: int = args.jobs
    app = QCoreApplication.instance() or QCoreApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            ("bare QThreadPool, no-op QRunnable", best(args.repeat, lambda: bare_pool(n))),
            (
                "bare pool + one queued signal each",
                best(args.repeat, lambda: bare_pool_with_signal(n)),
            ),
            (
                "JobQueue, logging off",
                best(
                    args.repeat,
                    lambda: job_queue(
                        n, lambda: JobLog(file=False, stderr=False), "JobQueue, logging off"
                    ),
                ),
            ),
            (
                "JobQueue, JSON log to a file",
                best(
                    args.repeat,
                    lambda: job_queue(
                        n, lambda: JobLog(tmp, stderr=False), "JobQueue, JSON log to a file"
                    ),
                ),
            ),
            ("JobQueue.submit() alone (GUI thread)", best(args.repeat, lambda: submit_only(n))),
        ]
    floor = rows[0][1]
    threads = QThreadPool().maxThreadCount()
    print(f"{n:,} no-op jobs, {threads} pool threads, best of {args.repeat}\n")
    head = f"{'variant':<40} {'total ms':>10} {'us/job':>9} {'overhead us/job':>16}"
    print(f"{head} {'GUI CPU us/job':>15}")
    print("-" * 94)
    for name, seconds in rows:
        per_job = seconds / n * 1e6
        overhead = (seconds - floor) / n * 1e6
        floor_like = name.startswith(("bare QThreadPool", "JobQueue.submit"))
        extra = "" if floor_like else f"{overhead:.1f}"
        cpu = f"{min(GUI_CPU[name]) / n * 1e6:.1f}" if name in GUI_CPU else ""
        print(f"{name:<40} {seconds * 1000:>10.1f} {per_job:>9.1f} {extra:>16} {cpu:>15}")
    print("\noverhead = (variant - bare pool) / jobs; target <= 100 us per job")
    print("GUI CPU = the GUI thread's CPU time per job (time.thread_time), best run")
    del app


if __name__ == "__main__":
    main()
