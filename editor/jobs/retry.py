"""How often and how soon a failed job is tried again.

Exponential backoff with *full* jitter: the wait before attempt n+1 is drawn uniformly from
[0, min(cap, base * factor ** (n - 1))]. Full jitter spreads retries of many jobs that
failed together (a full disk, an unplugged drive) instead of having them hammer the disk in
lock-step; see the AWS Architecture Blog, "Exponential Backoff And Jitter".

Some errors never go away by retrying (no permission, a missing folder, a path that is a
directory, bad input): those go straight to the dead-letter queue after one attempt.

A *retry window* (`RetryPolicy.within(seconds)`) bounds retries by time instead of by a
count alone: attempts go on until `window` seconds after the first failure, the waits are
cut so that none reaches past the window, and the last attempt of the budget is made at
the window's end, so a disk freed at any moment inside the window is still written to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from editor.jobs.job import InvalidInput

#: The longest wait, timeout or retry window anything in the queue accepts (a week). A
#: QTimer holds at most 2**31 - 1 ms (24.8 days); beyond that, and for NaN or infinity,
#: a job would wait for a timer that never fires.
MAX_SECONDS = 7 * 24 * 3600.0


def check_seconds(name: str, value: float, *, zero: bool = False) -> None:
    """Raise ValueError unless `value` is a number of seconds a timer can hold."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (value >= 0 if zero else value > 0)
    if not ok or value > MAX_SECONDS:
        bound = ">= 0" if zero else "> 0"
        raise ValueError(
            f"{name} must be a number of seconds {bound} and at most {MAX_SECONDS:g}, not {value!r}"
        )


class RandomSource(Protocol):
    """The part of `random.Random` the policy uses; tests pass a seeded or scripted one."""

    def uniform(self, a: float, b: float) -> float: ...


NON_RETRYABLE: tuple[type[BaseException], ...] = (
    PermissionError,
    IsADirectoryError,
    NotADirectoryError,
    FileNotFoundError,  # a missing folder: waiting will not create it
    InvalidInput,
)
"""Errors that fail a job at once. FileExistsError is not here: an atomic rename may race."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded attempts, exponential backoff with full jitter, and permanent errors.

    Injected per queue (`JobQueue(policy=...)`) and per job (`submit(job, policy=...)`).
    """

    max_attempts: int = 5
    """Attempts in one budget, the first included (1 = never retry)."""
    base: float = 0.5
    """Upper bound of the first wait, in seconds."""
    factor: float = 2.0
    """Growth of the upper bound per failed attempt."""
    cap: float = 30.0
    """No wait is longer than this, however many attempts failed."""
    non_retryable: tuple[type[BaseException], ...] = NON_RETRYABLE
    """Exception types that go straight to the dead-letter queue."""
    window: float | None = None
    """Seconds after the first failure during which the job is retried (None: no limit
    but `max_attempts`). See the module notes and `within()`."""

    def __post_init__(self) -> None:
        # Every value must be finite: an infinite cap or base makes an infinite wait, which
        # no timer can hold, and the job would wait for a retry with no way out.
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")
        check_seconds("base", self.base, zero=True)
        check_seconds("cap", self.cap, zero=True)
        if not (math.isfinite(self.factor) and self.factor >= 1):
            raise ValueError(f"factor must be a finite number >= 1, not {self.factor!r}")
        if self.window is not None:
            check_seconds("window", self.window)

    @classmethod
    def within(
        cls,
        window: float,
        *,
        base: float = 0.5,
        factor: float = 2.0,
        cap: float = 30.0,
        non_retryable: tuple[type[BaseException], ...] = NON_RETRYABLE,
    ) -> RetryPolicy:
        """Retry for `window` seconds after the first failure, with the usual backoff.

        The attempt budget is what the jittered waits need, on average, to fill the
        window (full jitter waits half the ceiling on average), plus one; it stays
        bounded (at most 1,000) and the last attempt lands at the window's end.
        """
        probe = cls(base=base, factor=factor, cap=cap, non_retryable=non_retryable)
        expected, attempts = 0.0, 1
        while expected < window and attempts < _MAX_WINDOW_ATTEMPTS:
            expected += probe.ceiling(attempts) / 2 or window  # base 0: one wait fills it
            attempts += 1
        return cls(max(2, attempts), base, factor, cap, non_retryable, window)

    def ceiling(self, attempt: int) -> float:
        """The longest wait after failed attempt number `attempt` (1-based)."""
        if attempt < 1:
            raise ValueError(f"attempts are numbered from 1, not {attempt}")
        try:
            return min(self.cap, self.base * self.factor ** (attempt - 1))
        except OverflowError:  # factor ** 2000: the cap was reached long ago
            return self.cap

    def delay(self, attempt: int, rng: RandomSource, elapsed: float = 0.0) -> float:
        """The wait after failed attempt number `attempt`: uniform in [0, ceiling].

        With a window, `elapsed` is the time since the first failure: the wait is cut to
        what is left of the window, and before the budget's last attempt it is all of it.
        """
        wait = rng.uniform(0.0, self.ceiling(attempt))
        if self.window is None:
            return wait
        left = max(0.0, self.window - elapsed)
        return left if attempt + 1 >= self.max_attempts else min(wait, left)

    def may_retry(self, attempts: int, elapsed: float) -> bool:
        """Whether a job that failed `attempts` times, the first `elapsed` seconds ago,
        gets another attempt (the error being retryable)."""
        if attempts >= self.max_attempts:
            return False
        return self.window is None or elapsed < self.window

    def is_retryable(self, error: BaseException) -> bool:
        """False for the policy's permanent types, for exceptions that say
        `retryable = False`, and for BaseExceptions that are not Exceptions (SystemExit in a
        job is a bug, not bad luck)."""
        if not isinstance(error, Exception) or isinstance(error, self.non_retryable):
            return False
        return getattr(error, "retryable", True) is not False


_MAX_WINDOW_ATTEMPTS = 1000

DEFAULT_POLICY = RetryPolicy()
