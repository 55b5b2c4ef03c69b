"""What a job is, what it sees while it runs, and what views see of it.

A `Job` is a small object with a human name, a kind, an idempotency key, an optional target
path and a `run(context)` method. It knows nothing about queues, threads, retries, timeouts
or logging: the queue wraps every attempt from outside (see `editor.jobs.queue`).

Everything a view receives is an immutable snapshot (`JobRecord`, `JobError`), so a record
handed to the Jobs panel never changes under its feet and may be kept or compared freely.
"""

from __future__ import annotations

import math
import os
import threading
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

if TYPE_CHECKING:
    from editor.jobs.clock import Clock

R_co = TypeVar("R_co", covariant=True)

JobId = int
"""Each submit returns one: a positive integer, unique within its queue."""


# ---------------------------------------------------------------------------------- errors
class JobInterrupted(BaseException):
    """Raised by `JobContext.check()` when the attempt must stop.

    A BaseException (like asyncio.CancelledError) so that a job's broad `except Exception`
    around some I/O does not swallow a cancellation by accident. Jobs clean up in `finally`.
    """


class JobCancelled(JobInterrupted):
    """The job was cancelled (by the person, a newer job, or shutdown). Never retried."""


class JobTimedOut(JobInterrupted):
    """The attempt is past its deadline. A failed attempt; retried if the budget allows."""


class InvalidInput(ValueError):
    """The job's input can never succeed (bad data, an unsupported format): do not retry.

    Raise it (or a subclass) from `Job.run`; the attempt goes straight to the dead-letter
    queue. Any exception with a class or instance attribute `retryable = False` is treated
    the same way.
    """

    retryable = False


class QueueFull(RuntimeError):
    """`submit` refused a job because the queue already holds its maximum of waiting jobs.

    Raised at once: the GUI thread never blocks waiting for room.
    """


class QueueClosed(RuntimeError):
    """`submit` (or a dead-letter retry) was called after `shutdown()`."""


# ---------------------------------------------------------------------------------- states
class JobState(Enum):
    """Where a job is in its life. The Jobs panel shows one column per state."""

    QUEUED = "queued"
    """Accepted and waiting for a worker (or for an earlier job on the same path)."""

    RUNNING = "running"
    """An attempt is running on a worker thread."""

    RETRY_SCHEDULED = "retry scheduled"
    """An attempt failed with a retryable error; a timer will queue the next attempt at
    `JobRecord.next_attempt_at`. No thread is used while waiting."""

    SUCCEEDED = "succeeded"
    """An attempt returned; `JobRecord.result` holds what it returned. Final."""

    DEAD = "dead"
    """The job used up its attempts or hit a non-retryable error, and sits in the
    dead-letter queue, from which it can be retried with a fresh budget. Final until then."""

    CANCELLED = "cancelled"
    """Cancelled before it could finish: by the person, superseded by a newer job for the
    same target, or by shutdown. `JobRecord.reason` says which. Final."""

    @property
    def is_final(self) -> bool:
        """True for states a job leaves only by an explicit dead-letter retry."""
        return self in _FINAL


_FINAL = frozenset({JobState.SUCCEEDED, JobState.DEAD, JobState.CANCELLED})


# ------------------------------------------------------------------------------ snapshots
@dataclass(frozen=True, slots=True)
class JobError:
    """Why one attempt failed, as text: exceptions themselves are not kept.

    An exception object holds its traceback, whose frames hold the job's locals (perhaps a
    whole document snapshot); keeping the text keeps the memory of dead letters small.
    """

    type: str
    """The exception's class: `PermissionError`, `editor.jobs.job.InvalidInput`."""
    message: str
    """`str(exception)`."""
    traceback: str
    """The formatted traceback ("" for a watchdog timeout, which has none)."""
    timed_out: bool = False
    """True when the attempt ran past its deadline."""
    retryable: bool = True
    """False when the error can never go away by trying again."""
    summary: str = ""
    """What happened in plain words for a person, naming the place and the way out ("The
    disk holding /a/b is full. ..."), from `Job.describe`; "" when the job has none. Views
    show it; the type, errno, message and traceback stay for the details and the log."""
    errno: int | None = None
    """The `OSError.errno`, if the exception had one."""

    @classmethod
    def from_exception(
        cls,
        exc: BaseException,
        *,
        timed_out: bool = False,
        retryable: bool = True,
        summary: str = "",
    ) -> JobError:
        """Capture an exception (call it in the `except` block, on the worker thread).

        Never raises: an exception whose `__str__` is broken still becomes a record.
        """
        try:
            message = str(exc)
        except Exception as broken:
            message = f"<unprintable {exception_name(exc)}: {exception_name(broken)}>"
        try:
            text = "".join(traceback.format_exception(exc))
        except Exception:
            text = f"{exception_name(exc)}: {message} (the traceback could not be formatted)"
        number = getattr(exc, "errno", None) if isinstance(exc, OSError) else None
        return cls(
            exception_name(exc), message, text, timed_out, retryable, summary,
            number if isinstance(number, int) else None,
        )  # fmt: skip


def exception_name(exc: BaseException) -> str:
    """`PermissionError` for builtins, `module.Class` otherwise."""
    cls = type(exc)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


class JobRecord(NamedTuple):
    """An immutable snapshot of one job, as views and signal handlers see it.

    Times are wall-clock seconds since the epoch (from the queue's clock), for display.
    A NamedTuple rather than a frozen dataclass: the queue makes three per job on the GUI
    thread, and a frozen dataclass of 20 fields takes ~6 us to make (one
    object.__setattr__ per field), a NamedTuple ~0.7 us (bench/bench_job_store.py).
    Change one with `record._replace(...)`.
    """

    id: JobId
    name: str
    """Human name: "Save drawing.strata"."""
    kind: str
    """"save", "export", ...: what the Jobs panel groups or filters by."""
    key: str
    """Idempotency key: a job whose key is already queued or running is not queued twice."""
    target: str | None
    """The normalised path the job writes, if any; two jobs on one path never overlap."""
    state: JobState
    attempts: int
    """Attempts started so far in the current budget."""
    max_attempts: int
    """The attempt budget (from the retry policy)."""
    timeout: float
    """Seconds each attempt may run."""
    enqueued_at: float
    started_at: float | None = None
    """When the first attempt of the current budget started."""
    finished_at: float | None = None
    """When the job reached SUCCEEDED, DEAD or CANCELLED."""
    next_attempt_at: float | None = None
    """While RETRY_SCHEDULED: when the next attempt will be queued."""
    last_error: JobError | None = None
    progress: float = 0.0
    """0..1, as last reported by the job."""
    progress_message: str = ""
    result: object = None
    """What `run` returned (SUCCEEDED only)."""
    cancel_requested: bool = False
    """Cancel was asked while running; the job stops at its next `check()`."""
    reason: str = ""
    """Why a job was cancelled: "cancelled", "superseded by job 7", "shutdown"."""
    interrupted: bool = False
    """Read back from the job store at start: an earlier Strata died (or quit) while this
    job was queued, running or waiting for a retry, and it is being run again."""


# -------------------------------------------------------------------------------- context
class JobContext:
    """What a running attempt sees: its attempt number and deadline, `check()`, `progress()`.

    Made on the GUI thread, used on the worker thread. The only state shared between the
    two is the interruption reason (one assignment, atomic under the GIL) and the latest
    progress report (under a lock).
    """

    __slots__ = (
        "_clock",
        "_in_flight",
        "_interrupt",
        "_latest",
        "_lock",
        "_send_progress",
        "attempt",
        "deadline",
        "job_id",
        "max_attempts",
    )

    def __init__(
        self,
        job_id: JobId,
        attempt: int,
        max_attempts: int,
        deadline: float,
        clock: Clock,
        send_progress: Callable[[], None] | None = None,
    ) -> None:
        self.job_id = job_id
        #: 1 for the first attempt of a budget.
        self.attempt = attempt
        self.max_attempts = max_attempts
        #: In the clock's `now()` units: `check()` raises JobTimedOut from then on.
        self.deadline = deadline
        self._clock = clock
        self._send_progress = send_progress
        self._interrupt: type[JobInterrupted] | None = None
        self._lock = threading.Lock()
        self._latest: tuple[float, str] | None = None
        self._in_flight = False

    # ----------------------------------------------------------------- for the job
    def check(self) -> None:
        """Raise JobCancelled or JobTimedOut if the attempt must stop; else return at once.

        Call it between chunks of work (every few milliseconds of CPU or each file write).
        """
        interrupt = self._interrupt
        if interrupt is JobCancelled:
            raise JobCancelled(f"job {self.job_id} was cancelled")
        if interrupt is JobTimedOut or self._clock.now() >= self.deadline:
            raise JobTimedOut(f"job {self.job_id} attempt {self.attempt} passed its deadline")

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once past it)."""
        return self.deadline - self._clock.now()

    @property
    def cancelled(self) -> bool:
        """True once cancel was requested (the next `check()` raises JobCancelled)."""
        return self._interrupt is JobCancelled

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress (clamped to 0..1). Cheap: call it as often as you like.

        Reports coalesce: while one is on its way to the GUI thread, newer ones replace the
        pending value instead of queueing more events, so a chatty job cannot flood the GUI.
        """
        if math.isnan(fraction):
            raise ValueError("progress fraction is NaN")
        value = (min(1.0, max(0.0, fraction)), message)
        with self._lock:
            self._latest = value
            if self._in_flight or self._send_progress is None:
                return
            self._in_flight = True
        self._send_progress()

    # ------------------------------------------------------------- for the queue
    def interrupt(self, reason: type[JobInterrupted]) -> None:
        """Ask the attempt to stop; a cancel is never downgraded to a timeout."""
        if self._interrupt is not JobCancelled:
            self._interrupt = reason

    def take_progress(self) -> tuple[float, str] | None:
        """The latest report, if any, and allow the next one to be sent (GUI thread)."""
        with self._lock:
            value, self._latest = self._latest, None
            self._in_flight = False
        return value

    def timed_out(self) -> bool:
        """True if the attempt is past its deadline or was abandoned by the watchdog."""
        return self._interrupt is JobTimedOut or self._clock.now() >= self.deadline


# ------------------------------------------------------------------------------------ job
def normalise_path(path: str | os.PathLike[str]) -> str:
    """An absolute, case-normalised path, so "a/../x.strata" and "x.strata" are one target.

    No symlink resolution: that would touch the disk on the GUI thread.
    """
    return os.path.normcase(os.path.abspath(os.fspath(path)))


class Job(ABC, Generic[R_co]):
    """One unit of background work, e.g. saving a document snapshot to a path.

    Subclasses call `super().__init__(...)` and implement `run()`. A job must be safe to run
    more than once (the queue retries it), and should call `context.check()` between chunks
    so that cancel and the deadline take effect.

    `run` runs on a worker thread: give a job immutable data (a document snapshot, a path),
    never live GUI objects, and return the result instead of touching the GUI.
    """

    def __init__(
        self,
        name: str,
        kind: str,
        *,
        key: str,
        target: str | os.PathLike[str] | None = None,
    ) -> None:
        #: Human name shown in the Jobs panel: "Export PNG drawing.png".
        self.name = name
        #: "save", "export", ...
        self.kind = kind
        #: Idempotency key: the same work submitted twice while the first is pending runs once.
        self.key = key
        #: The path this job writes, normalised; None for jobs that write no file.
        self.target: str | None = None if target is None else normalise_path(target)

    @abstractmethod
    def run(self, context: JobContext) -> R_co:
        """Do the work on a worker thread and return the result (delivered on the GUI
        thread by `JobQueue.job_succeeded`). Raise to fail the attempt."""

    @property
    def coalesce_key(self) -> str | None:
        """Jobs with the same coalescing key replace each other while still queued.

        By default: same kind and same target path (a second save to a path replaces a
        queued, not-yet-started save to it). None disables coalescing for this job.
        """
        if self.target is None:
            return None
        return f"{self.kind}\0{self.target}"

    def retryable(self, error: BaseException) -> bool:
        """Whether an attempt that raised `error` may be tried again (worker thread).

        Called after the retry policy's own non-retryable checks; override to mark more
        errors as permanent (e.g. a codec error for one particular format).
        """
        return True

    def describe(self, error: BaseException) -> str:
        """What went wrong, in plain words for a person (worker thread; "" for none).

        Name the place and the way out: "The folder /a/b no longer exists. Choose another
        place with Save As." Becomes `JobError.summary`; a broken hook only loses it.
        """
        return ""

    def restored(self, order: int) -> None:
        """This job was built from a stored row: an earlier run's request, whose place
        among stored requests is `order` (the row's id). Jobs that order their writes
        (editor.io.targets) put it before every request of this run, however late it
        is built (a dead letter's job is built only when retried)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} key={self.key!r}>"
