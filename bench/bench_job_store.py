"""The SQLite job store: queue overhead per no-op job, and what a stored history adds to
the start.

    .venv/bin/python bench/bench_job_store.py [--jobs 5000] [--repeat 3]

Prints two tables (best of `--repeat`; no asserts; targets from issue 12 §6):

1. no-op jobs through JobQueue with no store, with `MemoryJobStore`, and with the app's
   store (`open_job_history` on a fresh database: the journal's writer thread, WAL):
   microseconds per job (wall, submit to idle) and GUI-thread CPU per job
   (time.thread_time), the whole thread's time over the jobs and, per job, the median of
   its submit plus the handling of its end (the pump that starts the next job included;
   the event loop's dispatch not). Targets: <= 150 us with SQLite, <= 100 us in memory,
   GUI <= 30 us median.
2. the start with 1,000 succeeded and 1,000 dead export jobs stored (each dead letter's
   snapshot file present): `open_job_history` (opening the store, its checks, the first
   id block, queuing the prune and the sweep) and `JobQueue.restore()` (reading the rows,
   dead letters back), side by side with a queue over an empty store. Target: <= 100 ms
   added to the first window.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QCoreApplication

from editor.io.tasks import ExportJob
from editor.jobs import Job, JobContext, JobError, JobLog, JobQueue, JobState
from editor.jobs.store import MemoryJobStore
from editor.journal import Journal
from editor.model import Document, rect
from editor.ui.job_history import open_job_history, queue_options

Options = Callable[[], tuple[dict[str, Any], Callable[[], None]]]


class _NoopJob(Job[None]):
    def __init__(self, n: int) -> None:
        super().__init__(f"noop {n}", "bench", key=f"noop:{n}")

    def run(self, context: JobContext) -> None:
        context.check()


def _quiet() -> JobLog:
    return JobLog(file=False, stderr=False)


class _PerJob(JobQueue):
    """A JobQueue that adds up, per job, the GUI thread's CPU time in `submit` and in the
    handling of its attempt's end (which also starts the next job: the pump). The event
    loop's own dispatch is not in it; the whole thread's time is the other column."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.cpu_ns: list[int] = []

    def submit(self, job: Job[Any], **options: Any) -> int:
        t0 = time.thread_time_ns()
        job_id = super().submit(job, **options)
        self.cpu_ns.append(time.thread_time_ns() - t0)
        return job_id

    def _on_finished(self, outcome: Any) -> None:
        t0 = time.thread_time_ns()
        super()._on_finished(outcome)
        self.cpu_ns.append(time.thread_time_ns() - t0)


def run_queue(n: int, options: Options, per_job: bool = False) -> tuple[float, float, float]:
    """(wall seconds, GUI CPU seconds, median GUI CPU seconds per job or nan) for n no-op
    jobs; `options()` gives the queue's store options and what closes them."""
    extra, close = options()
    queue = (_PerJob if per_job else JobQueue)(max_queued=n, log=_quiet(), **extra)
    try:
        start, cpu = time.perf_counter(), time.thread_time()
        for i in range(n):
            queue.submit(_NoopJob(i))
        if not queue.wait_until_idle(timeout=600):
            raise RuntimeError("the queue did not finish")
        wall, cpu = time.perf_counter() - start, time.thread_time() - cpu
        median = float("nan")
        if isinstance(queue, _PerJob):  # submits, then ends (in about the same order: FIFO)
            per = queue.cpu_ns
            submits, ends = per[:n], per[n:]  # every submit comes before the loop runs
            median = statistics.median(a + b for a, b in zip(submits, ends, strict=True)) / 1e9
        return wall, cpu, median
    finally:
        queue.shutdown(timeout=10)
        close()


def no_store() -> tuple[dict[str, Any], Callable[[], None]]:
    return {}, lambda: None


def memory_store() -> tuple[dict[str, Any], Callable[[], None]]:
    return {"store": MemoryJobStore()}, lambda: None


def sqlite_store(folder: Path) -> Options:
    counter = iter(range(1_000_000))

    def make() -> tuple[dict[str, Any], Callable[[], None]]:
        journal = Journal(folder / f"q{next(counter)}" / "journal.sqlite3")
        history = open_job_history(journal)
        assert history.store is not None, history.problem

        def close() -> None:
            journal.close()
            assert history.store is not None
            history.store.close()

        return queue_options(history), close

    return make


def fill(db: Path, finished: int, dead: int) -> None:
    """A database an earlier run left: `finished` succeeded and `dead` dead exports."""
    journal = Journal(db)
    history = open_job_history(journal)
    store, kinds = history.store, history.kinds
    assert store is not None
    assert kinds is not None
    snapshot = Document(shapes=[rect(f"r{i}", i, i, 10, 10) for i in range(50)]).snapshot()
    error = JobError("FileNotFoundError", "[Errno 2] folder does not exist", "Traceback",
                     retryable=False, summary="The folder /x is gone.", errno=2)  # fmt: skip
    for n in range(finished + dead):
        job = ExportJob(snapshot, db.parent / f"out{n}.svg", "svg")
        job_id, _ = store.add(kinds.envelope(job), job.key, float(n), name=job.name,
                              kind=job.kind, target=job.target)  # fmt: skip
        state = JobState.SUCCEEDED if n < finished else JobState.DEAD
        store.update(job_id, state, float(n) + 0.5, attempts=1, error=error)
    store.flush(60)
    journal.close()
    store.close()


def start(db: Path) -> tuple[float, float, int]:
    """(open_job_history seconds, restore seconds, dead letters back) on `db`."""
    journal = Journal(db)
    t0 = time.perf_counter()
    history = open_job_history(journal)
    t1 = time.perf_counter()
    queue = JobQueue(log=_quiet(), **queue_options(history))
    t2 = time.perf_counter()
    report = queue.restore()
    t3 = time.perf_counter()
    queue.shutdown(timeout=10)
    journal.close()
    if history.store is not None:
        history.store.close()
    return t1 - t0, t3 - t2, len(report.dead)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    n = args.jobs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"no-op jobs: {n}, best of {args.repeat}")
        print(f"{'queue':<28}{'us/job (wall)':>16}{'GUI CPU us/job':>16}"
              f"{'per job, median':>17}")  # fmt: skip
        rows = [("no store", no_store), ("MemoryJobStore", memory_store),
                ("SQLite store (app's)", sqlite_store(folder))]  # fmt: skip
        for name, options in rows:
            runs = [run_queue(n, options) for _ in range(args.repeat)]
            wall = min(r[0] for r in runs) / n * 1e6
            cpu = min(r[1] for r in runs) / n * 1e6
            per = [run_queue(n, options, per_job=True)[2] for _ in range(args.repeat)]
            print(f"{name:<28}{wall:>16.1f}{cpu:>16.1f}{min(per) * 1e6:>17.1f}")
        print()
        stored, empty = folder / "stored" / "journal.sqlite3", folder / "empty" / "journal.sqlite3"
        fill(stored, 1000, 1000)
        fill(empty, 0, 0)
        print("start: 1,000 succeeded + 1,000 dead letters stored vs an empty store")
        print(f"{'store':<28}{'open ms':>10}{'restore ms':>12}{'total ms':>10}{'back':>6}")
        for name, db in (("empty", empty), ("1,000 + 1,000", stored)):
            runs = [start(db) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r[0] + r[1])
            print(f"{name:<28}{best[0] * 1e3:>10.1f}{best[1] * 1e3:>12.1f}"
                  f"{(best[0] + best[1]) * 1e3:>10.1f}{best[2]:>6}")  # fmt: skip
    del app


if __name__ == "__main__":
    main()
