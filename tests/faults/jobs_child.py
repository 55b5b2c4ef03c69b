"""Child for test_kill_jobs.py: a Strata job queue on the SQLite job store (as the window
has it), running saves and exports until it is killed.

    python tests/faults/jobs_child.py DATABASE OUT_FOLDER JOBS

Submits JOBS jobs (saves, PNG and SVG exports of `document(i)`), printing ``job ID TARGET``
for each as it is accepted, then ``ready``, then runs the event loop until killed. One
job in three fails its first write (a retryable EIO) and waits for its retry, so a kill
finds jobs queued, running, waiting for a retry and finished.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtGui import QGuiApplication

from editor.io.atomic import FileOps
from editor.io.tasks import ExportJob, SaveJob
from editor.jobs import JobLog, JobQueue, RetryPolicy
from editor.journal import Journal
from editor.model import Document, Snapshot, ellipse, rect
from editor.ui.job_history import open_job_history

POLICY = RetryPolicy(max_attempts=5, base=0.3, cap=0.3)


def document(i: int) -> Snapshot:
    """Job i's drawing: 300 shapes, different for every i (so outputs differ)."""
    shapes = []
    for n in range(300):
        x, y = (n * 37 + i * 11) % 760, (n * 53 + i * 7) % 560
        make = rect if n % 2 else ellipse
        shapes.append(make(f"s{n}", x, y, 20 + n % 30, 15 + (n + i) % 25))
    return Document(shapes=shapes).snapshot()


def target(out: Path, i: int) -> Path:
    return out / (f"doc{i}.strata", f"pic{i}.png", f"pic{i}.svg")[i % 3]


class FailFirstWrite(FileOps):
    """The job's first write fails with EIO (retryable); later ones work."""

    def __init__(self) -> None:
        self.failed = False

    def write(self, fd: int, data: memoryview) -> int:
        if not self.failed:
            self.failed = True
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return super().write(fd, data)


def main() -> None:
    database, out, count = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    app = QGuiApplication(sys.argv[:1])
    journal = Journal(database)
    history = open_job_history(journal)
    assert history.store is not None, history.problem
    queue = JobQueue(policy=POLICY, store=history.store, kinds=history.kinds,
                     log=JobLog(database.parent / "logs", stderr=False))  # fmt: skip
    for i in range(count):
        path = target(out, i)
        ops = FailFirstWrite() if i % 3 == 1 else FileOps()
        if path.suffix == ".strata":
            job: SaveJob | ExportJob = SaveJob(document(i), path, None, ops=ops)
        else:
            job = ExportJob(document(i), path, ops=ops)
        print(f"job {queue.submit(job)} {path}", flush=True)
    print("ready", flush=True)
    app.exec()


if __name__ == "__main__":
    main()
