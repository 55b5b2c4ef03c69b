"""The retry schedule: jobs waiting for their next attempt, each on one clock timer.

No thread waits: `add` arms a timer on the injected clock (a QTimer on the GUI thread, or
a FakeClock the test advances) and the callback queues the job again. Cancelling a job
cancels its timer. Knows nothing of job states; tests/jobs/test_parts.py.
"""

from __future__ import annotations

from collections.abc import Callable

from editor.jobs.clock import Clock, TimerHandle
from editor.jobs.job import JobId


class RetrySchedule:
    """Job ids waiting for a retry, with their timers."""

    __slots__ = ("_clock", "_timers")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._timers: dict[JobId, TimerHandle] = {}

    def add(self, job_id: JobId, delay: float, due: Callable[[JobId], None]) -> None:
        """Call `due(job_id)` after `delay` seconds on the clock (replacing a pending one)."""
        self.cancel(job_id)

        def fire() -> None:
            if self._timers.pop(job_id, None) is not None:
                due(job_id)

        self._timers[job_id] = self._clock.call_later(delay, fire)

    def cancel(self, job_id: JobId) -> bool:
        """Forget the job's retry (its timer will not fire); False if none was pending."""
        timer = self._timers.pop(job_id, None)
        if timer is None:
            return False
        timer.cancel()
        return True

    def ids(self) -> list[JobId]:
        """The job ids waiting, in the order they were scheduled."""
        return list(self._timers)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._timers

    def __len__(self) -> int:
        return len(self._timers)
