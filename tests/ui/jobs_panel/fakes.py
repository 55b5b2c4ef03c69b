"""Fakes for the Jobs panel tests: disks that fail on cue, a disk that blocks, an inline pool,
and a job source that emits the queue's signals without a queue (for bursts)."""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from editor.io.atomic import FileOps
from editor.jobs import DeadLetter, JobRecord, JobState
from tests.jobs.fakes import GATE_LIMIT


def oserror(code: int) -> OSError:
    """OSError(EIO) and friends as the OS raises them; EACCES becomes PermissionError."""
    return OSError(code, os.strerror(code))


def eio() -> OSError:
    """A retryable fault: an I/O error that may go away."""
    return oserror(errno.EIO)


def eacces() -> OSError:
    """ "The folder is not writable": PermissionError, which is never retried."""
    return oserror(errno.EACCES)


class FaultyDisk(FileOps):
    """Raises the next scripted fault when a save creates its temp file, then `after`.

    `after` None means the disk works. Thread-safe: a worker thread consumes the script
    while the test thread rewrites it between attempts.
    """

    def __init__(self, *faults: Callable[[], BaseException]) -> None:
        self._lock = threading.Lock()
        self._faults = list(faults)
        self._after: Callable[[], BaseException] | None = None
        self.calls = 0

    def fail(self, *faults: Callable[[], BaseException]) -> None:
        """The next attempts raise these, one each."""
        with self._lock:
            self._faults = list(faults)

    def deny(self) -> None:
        """From now on, every attempt: the folder is not writable."""
        with self._lock:
            self._faults = []
            self._after = eacces

    def heal(self) -> None:
        """From now on the disk works."""
        with self._lock:
            self._faults = []
            self._after = None

    def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
        with self._lock:
            self.calls += 1
            fault = self._faults.pop(0) if self._faults else self._after
        if fault is not None:
            raise fault()
        return super().mkstemp(directory, prefix)


class BlockingDisk(FileOps):
    """Each write waits until `proceed` is set: a save that is RUNNING until the test says."""

    def __init__(self) -> None:
        self.writing = threading.Event()
        self.proceed = threading.Event()

    def write(self, fd: int, data: memoryview) -> int:
        self.writing.set()
        if not self.proceed.wait(GATE_LIMIT):
            raise TimeoutError("the test never released the disk")
        return super().write(fd, data)


class InlinePool(QThreadPool):
    """Runs each attempt at once on the calling (GUI) thread.

    The queue still receives the outcome through its queued relay signal, so the job is
    RUNNING until events are processed: deterministic, and no threads to wait for.
    """

    def start(self, runnable: QRunnable, priority: int = 0) -> None:  # type: ignore[override]
        runnable.run()


@dataclass(frozen=True)
class Revision:
    """What SaveJob needs of a history revision."""

    serial: int


# ------------------------------------------------------------------ a queue without a queue
class FakeJobSource(QObject):
    """The JobQueue's signals and read methods, driven by hand: bursts of any size, fast.

    Keeps records and dead letters like the queue does, so views can be checked against
    `records()` and `dead_letters()` after any sequence of events.
    """

    job_added = Signal(object)
    state_changed = Signal(object)
    progress_changed = Signal(int, float, str)
    job_removed = Signal(int)
    job_succeeded = Signal(int, object)
    dead_letters_changed = Signal()
    dead_letter_evicted = Signal(object)
    idle = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._records: dict[int, JobRecord] = {}
        self._dead: dict[int, DeadLetter] = {}
        self._next = 1

    def add(self, name: str = "job", target: str | None = None) -> JobRecord:
        record = JobRecord(
            self._next, name, "test", name, target, JobState.QUEUED, 0, 5, 60.0, 1_795_000_000.0
        )
        self._next += 1
        self._records[record.id] = record
        self.job_added.emit(record)
        return record

    def change(self, job_id: int, **fields: object) -> JobRecord:
        record = self._records[job_id]._replace(**fields)  # type: ignore[arg-type]
        self._records[job_id] = record
        self.state_changed.emit(record)
        return record

    def progress(self, job_id: int, fraction: float, message: str = "") -> None:
        self._records[job_id] = self._records[job_id]._replace(
            progress=fraction, progress_message=message
        )
        self.progress_changed.emit(job_id, fraction, message)

    def remove(self, job_id: int) -> None:
        del self._records[job_id]
        self.job_removed.emit(job_id)

    def records(self) -> tuple[JobRecord, ...]:
        return tuple(self._records[i] for i in sorted(self._records))

    def record(self, job_id: int) -> JobRecord:
        return self._records[job_id]

    def dead_letters(self) -> tuple[DeadLetter, ...]:
        return tuple(self._dead.values())
