"""How often and how soon a failed job is tried again.

Exponential backoff with *full* jitter: the wait before attempt n+1 is drawn uniformly from
[0, min(cap, base * factor ** (n - 1))]. Full jitter spreads retries of many jobs that
failed together (a full disk, an unplugged drive) instead of having them hammer the disk in
lock-step; see the AWS Architecture Blog, "Exponential Backoff And Jitter".

Some errors never go away by retrying (no permission, a missing folder, a path that is a
directory, bad input): those go straight to the dead-letter queue after one attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from editor.jobs.job import InvalidInput


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

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")
        if self.base < 0 or self.cap < 0:
            raise ValueError("base and cap must not be negative")
        if self.factor < 1:
            raise ValueError(f"factor must be at least 1, not {self.factor}")

    def ceiling(self, attempt: int) -> float:
        """The longest wait after failed attempt number `attempt` (1-based)."""
        if attempt < 1:
            raise ValueError(f"attempts are numbered from 1, not {attempt}")
        try:
            return min(self.cap, self.base * self.factor ** (attempt - 1))
        except OverflowError:  # factor ** 2000: the cap was reached long ago
            return self.cap

    def delay(self, attempt: int, rng: RandomSource) -> float:
        """The wait after failed attempt number `attempt`: uniform in [0, ceiling]."""
        return rng.uniform(0.0, self.ceiling(attempt))

    def is_retryable(self, error: BaseException) -> bool:
        """False for the policy's permanent types, for exceptions that say
        `retryable = False`, and for BaseExceptions that are not Exceptions (SystemExit in a
        job is a bug, not bad luck)."""
        if not isinstance(error, Exception) or isinstance(error, self.non_retryable):
            return False
        return getattr(error, "retryable", True) is not False


DEFAULT_POLICY = RetryPolicy()
