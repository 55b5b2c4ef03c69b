"""Time for the job queue: a real clock on Qt timers, and a fake one for tests.

The queue never sleeps and never reads the time directly. It asks its clock for `now()`
(deadlines, durations), `wall_time()` (timestamps people read) and `call_later()` (retry
backoff, the timeout watchdog). Tests pass a `FakeClock` and move time with `advance()`,
so a 30-second backoff takes no time and happens exactly when the test says.

    clock = FakeClock()
    queue = JobQueue(clock=clock, ...)
    queue.submit(job)            # fails once, schedules a retry 0.37 s later
    clock.advance(0.37)          # fires the retry timer now, on this thread
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer


class TimerHandle(Protocol):
    """A pending `call_later` callback."""

    def cancel(self) -> None:
        """Do not call the callback (no-op if it already ran or was cancelled)."""


class Clock(Protocol):
    """What the queue needs of time. `now()` and `wall_time()` are called from worker
    threads too (`JobContext.check()`); `call_later` only on the queue's thread."""

    def now(self) -> float:
        """Monotonic seconds, for deadlines and durations."""

    def wall_time(self) -> float:
        """Seconds since the epoch, for timestamps shown to people and written to logs."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        """Call `callback` on this thread after `delay` seconds (0 if negative)."""


# ---------------------------------------------------------------------------- real clock
_MAX_TIMER_MS = 2**31 - 1  # QTimer takes an int of milliseconds (~24.8 days)


class _QtTimer(QObject):
    """One single-shot QTimer; the clock keeps it alive until it fires or is cancelled."""

    def __init__(self, clock: QtClock, delay: float, callback: Callable[[], None]) -> None:
        super().__init__()
        self._clock = clock
        self._callback = callback
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # Precise: a coarse timer may fire 5 % early, and a watchdog must not.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._fire)
        self._timer.start(min(_MAX_TIMER_MS, max(0, math.ceil(delay * 1000))))

    def _fire(self) -> None:
        self._clock._pending.discard(self)
        self._callback()

    def cancel(self) -> None:
        self._timer.stop()
        self._clock._pending.discard(self)


class QtClock:
    """The real clock: `time.monotonic`, `time.time`, and single-shot QTimers.

    `call_later` must be called on a thread with a running Qt event loop (the GUI thread);
    the callback runs there.
    """

    def __init__(self) -> None:
        self._pending: set[_QtTimer] = set()

    def now(self) -> float:
        return time.monotonic()

    def wall_time(self) -> float:
        return time.time()

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        timer = _QtTimer(self, delay, callback)
        self._pending.add(timer)
        return timer


# ---------------------------------------------------------------------------- fake clock
class _FakeTimer:
    __slots__ = ("callback", "cancelled", "due")

    def __init__(self, due: float, callback: Callable[[], None]) -> None:
        self.due = due
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        # Let go of the callback: a cancelled timer stays in the heap until its due time
        # and must not keep what it would have called (a shut-down queue) alive.
        self.callback = _nothing


def _nothing() -> None:
    pass


class FakeClock:
    """A clock that moves only when a test calls `advance()`.

    `advance(seconds)` moves time forward and, on the calling thread, runs every callback
    that falls due on the way, in due order, with `now()` set to each one's due time.
    Callbacks scheduled by those callbacks run too if they fall due in the window.

    `now()` may be read from worker threads (a job calling `check()` sees the fake time).
    `call_later` and `advance` belong to one thread (the test's, which is the GUI thread).
    """

    def __init__(self, start: float = 1000.0, wall_start: float = 1_795_000_000.0) -> None:
        self._now = start
        self._wall_offset = wall_start - start
        self._heap: list[tuple[float, int, _FakeTimer]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    def wall_time(self) -> float:
        return self._now + self._wall_offset

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        timer = _FakeTimer(self._now + max(0.0, delay), callback)
        heapq.heappush(self._heap, (timer.due, next(self._seq), timer))
        return timer

    def advance(self, seconds: float) -> int:
        """Move time forward by `seconds`, running due callbacks; returns how many ran."""
        if seconds < 0:
            raise ValueError("time does not go backwards")
        end = self._now + seconds
        fired = 0
        while self._heap and self._heap[0][0] <= end:
            due, _, timer = heapq.heappop(self._heap)
            if timer.cancelled:
                continue
            self._now = max(self._now, due)
            callback = timer.callback
            timer.cancel()  # a handle cancelled after firing stays a no-op
            callback()
            fired += 1
        self._now = end
        return fired

    def pending(self) -> list[float]:
        """Delays from now of the callbacks still due, soonest first."""
        return sorted(t.due - self._now for _, _, t in self._heap if not t.cancelled)

    def next_delay(self) -> float | None:
        """Seconds until the next callback, or None if nothing is pending."""
        delays = self.pending()
        return delays[0] if delays else None
