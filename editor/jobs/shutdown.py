"""Shutting a queue down: stop accepting, cancel what waits, give running jobs time.

The steps (`shut_down`), run by `JobQueue.shutdown()` on the GUI thread: close the queue,
cancel waiting jobs (queued or waiting for a retry), wait `timeout` seconds on the queue's
clock for running jobs, cancel those still running (cooperatively) and wait `cancel_wait`
more for their threads, then join the pool. A thread that still has not returned (a job
that never calls `check()`) cannot be killed: it is reported as stuck, and the queue stays
in `live_queues()` until it returns. tests/jobs/test_shutdown.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from editor.jobs.job import JobId, JobRecord, JobState

if TYPE_CHECKING:
    from editor.jobs.machine import JobMachine
    from editor.jobs.waiting import Waits


@dataclass(frozen=True, slots=True)
class ShutdownReport:
    """What `shutdown()` did, so the application can tell the person (or resubmit later)."""

    cancelled: tuple[JobRecord, ...] = ()
    """Jobs that were waiting (queued or for a retry) and will not run."""
    interrupted: tuple[JobRecord, ...] = ()
    """Jobs still running at the timeout, cancelled cooperatively."""
    stuck: tuple[JobRecord, ...] = ()
    """Jobs whose threads had still not returned when shutdown gave up waiting."""

    @property
    def clean(self) -> bool:
        """True when no thread is left running."""
        return not self.stuck


def shut_down(
    m: JobMachine,
    waits: Waits,
    join_pool: Callable[[float], None],
    timeout: float,
    cancel_wait: float,
) -> ShutdownReport:
    """Run the shutdown steps once (see the module docstring) and report."""
    m.closed = True
    waiting = [*m.pending.values(), *(m.entries[i] for i in m.schedule.ids())]
    cancelled: list[JobRecord] = []
    for entry in sorted(waiting, key=lambda e: e.id):
        if entry.state.is_final:  # cancelled meanwhile by a handler of an earlier cancel
            continue
        m.drop_waiting(entry, "shutdown")
        cancelled.append(entry.record())

    def nothing_running() -> bool:
        return not any(e.state is JobState.RUNNING for e in m.entries.values())

    waits.wait_for(nothing_running, timeout)
    interrupted = [e for e in m.entries.values() if e.state is JobState.RUNNING]
    for entry in interrupted:
        m.cancel(entry, "shutdown")
    waits.wait_for(lambda: not m.workers, cancel_wait)
    join_pool(cancel_wait)
    m.watchdog.clear()
    report = ShutdownReport(
        cancelled=(*cancelled, *m.shutdown_cancelled),
        interrupted=_records(m, [e.id for e in interrupted]),
        stuck=stuck_records(m),
    )
    if not report.clean:
        m.log.event(
            logging.ERROR,
            "shutdown_incomplete",
            ts=m.clock.wall_time(),
            stuck=[r.name for r in report.stuck],
        )
    m.log.close()
    m.settled()
    return report


def wait_again(
    m: JobMachine,
    waits: Waits,
    join_pool: Callable[[float], None],
    report: ShutdownReport,
    timeout: float,
) -> ShutdownReport:
    """A second shutdown: wait for stuck threads once more and report again."""
    waits.wait_for(lambda: not m.workers, timeout)
    join_pool(0.0)
    return ShutdownReport(report.cancelled, report.interrupted, stuck_records(m))


def stuck_records(m: JobMachine) -> tuple[JobRecord, ...]:
    """Jobs whose attempt threads have not returned."""
    return _records(m, sorted({w.job_id for w in m.workers.values()}))


def _records(m: JobMachine, ids: list[JobId]) -> tuple[JobRecord, ...]:
    return tuple(m.entries[i].record() for i in ids if i in m.entries)
