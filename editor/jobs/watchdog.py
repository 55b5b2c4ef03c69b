"""The watchdog: gives up on attempts that ran past their deadline and never checked.

Timeouts are cooperative (`JobContext.check()` raises past the deadline); a job that never
calls it would hold its worker for ever. The queue tells the watchdog when each attempt
must be over (deadline + grace) and the watchdog calls `expired(tokens)` once that time
has come on the injected clock. One timer for every attempt, armed for the earliest due
time: a QTimer per attempt cost ~40 µs per job, more than the rest of the queue's
bookkeeping (docs/performance.md). tests/jobs/test_parts.py.
"""

from __future__ import annotations

from collections.abc import Callable

from editor.jobs.clock import Clock, TimerHandle

#: Timers may round; an attempt due a nanosecond from now is due now.
_SLACK = 1e-9


class Watchdog:
    """Due times of running attempts by token, and the one timer that checks them."""

    __slots__ = ("_clock", "_due", "_expired", "_timer", "_timer_due")

    def __init__(self, clock: Clock, expired: Callable[[list[int]], None]) -> None:
        self._clock = clock
        self._expired = expired
        self._due: dict[int, float] = {}  # token -> when to give up (clock.now() units)
        self._timer: TimerHandle | None = None
        self._timer_due = 0.0

    def watch(self, token: int, due: float) -> None:
        """Give up on attempt `token` at `due` (clock.now() units) unless it ends first."""
        self._due[token] = due
        self._arm()

    def unwatch(self, token: int) -> None:
        """The attempt ended. The timer stays armed until `settle()` (cheaper per job)."""
        self._due.pop(token, None)

    def settle(self) -> None:
        """Nothing left to watch: cancel the timer (lazily, not on every attempt)."""
        if not self._due and self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def clear(self) -> None:
        """Stop watching everything (shutdown)."""
        self._due.clear()
        self.settle()

    def __len__(self) -> int:
        return len(self._due)

    def _arm(self) -> None:
        if not self._due:
            return  # an armed timer may stay: it finds nothing and does not re-arm
        due = min(self._due.values())
        if self._timer is not None:
            if self._timer_due <= due:
                return
            self._timer.cancel()
        self._timer_due = due
        self._timer = self._clock.call_later(due - self._clock.now(), self._fire)

    def _fire(self) -> None:
        self._timer = None
        now = self._clock.now() + _SLACK
        tokens = [t for t, due in self._due.items() if due <= now]
        for token in tokens:
            del self._due[token]
        self._arm()
        self._expired(tokens)
