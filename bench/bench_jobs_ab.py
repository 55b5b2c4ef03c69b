"""Job queue overhead, this tree against an older commit, side by side in one process.

    .venv/bin/python bench/bench_jobs_ab.py [--against REV] [--jobs 5000] [--rounds 5] [--store]

The machine is shared and noisy: two runs of bench_jobs.py minutes apart differ by more
than a refactoring changes. This script takes `editor/` from REV (`git archive`, default
the commit before the JobQueue split, b63af1b~1), imports it as `editor_base` next to the
working tree's `editor`, and alternates no-op-job runs of the two queues in one process,
so both see the same load. Prints, per queue, wall µs per job and the GUI thread's CPU µs
per job (time.thread_time), best and median of the rounds. No asserts. With `--store`,
each queue keeps its jobs in the app's SQLite store (`open_job_history` of its own
package, a fresh database per run), as the window does.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def base_package(rev: str, folder: Path) -> None:
    """Unpack `editor/` at `rev` into folder/editor_base, its imports renamed."""
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "editor"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "editor").rename(folder / "editor_base")
    for path in (folder / "editor_base").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\beditor([.\s])", r"editor_base\1", text)
        path.write_text(text, encoding="utf-8")


def run(package: str, n: int, store: Path | None = None) -> tuple[float, float]:
    """Wall and GUI-thread CPU µs per job for n no-op jobs (logging off); with `store`,
    a database path for the app's SQLite job store."""
    jobs = __import__(f"{package}.jobs", fromlist=["JobQueue"])
    job_class: Any = jobs.Job

    class Noop(job_class):  # type: ignore[misc, valid-type]
        def run(self, context: Any) -> None:
            context.check()

    options: dict[str, Any] = {}
    close: Callable[[], None] = lambda: None  # noqa: E731
    if store is not None:
        journal = __import__(f"{package}.journal", fromlist=["Journal"]).Journal(store)
        history_module = __import__(f"{package}.ui.job_history", fromlist=["open_job_history"])
        history = history_module.open_job_history(journal)
        options = history_module.queue_options(history)

        def close() -> None:
            journal.close()
            history.store.close()

    queue = jobs.JobQueue(max_queued=n, log=jobs.JobLog(file=False, stderr=False), **options)
    start, cpu = time.perf_counter(), time.thread_time()
    for i in range(n):
        queue.submit(Noop(f"noop {i}", "bench", key=f"noop:{i}"))
    if not queue.wait_until_idle(timeout=300):
        raise RuntimeError("the queue did not finish")
    wall, cpu = time.perf_counter() - start, time.thread_time() - cpu
    queue.shutdown(timeout=10)
    close()
    return wall / n * 1e6, cpu / n * 1e6


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{ordered[0]:>7.1f} {ordered[len(ordered) // 2]:>7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", default="b63af1b~1")
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--store", action="store_true", help="with the app's SQLite store")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base_package(args.against, Path(tmp))
        sys.path.insert(0, tmp)
        from PySide6.QtCore import QCoreApplication  # noqa: PLC0415

        app = QCoreApplication.instance() or QCoreApplication([])
        results: dict[str, list[tuple[float, float]]] = {"base": [], "this tree": []}
        packages = {"base": "editor_base", "this tree": "editor"}
        for n in range(args.rounds):
            for name, package in packages.items():
                db = Path(tmp) / f"{package}-{n}" / "journal.sqlite3" if args.store else None
                results[name].append(run(package, args.jobs, db))
    where = "the app's SQLite store" if args.store else "no store"
    print(f"{args.jobs:,} no-op jobs, logging off, {where}, {args.rounds} alternating rounds")
    print(f"base = editor/ at {args.against}\n")
    print(f"{'queue':<12} {'wall us/job best, median':>26} {'GUI CPU us/job best, median':>30}")
    for name, rows in results.items():
        walls, cpus = [w for w, _ in rows], [c for _, c in rows]
        print(f"{name:<12} {summary(walls):>26} {summary(cpus):>30}")
    del app


if __name__ == "__main__":
    main()
