"""RetryPolicy: bounded attempts, full-jitter exponential backoff, permanent errors."""

from __future__ import annotations

import errno
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.jobs import InvalidInput, RetryPolicy

from .fakes import ScriptedRandom


def test_defaults() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.base, policy.factor, policy.cap) == (5, 0.5, 2.0, 30.0)
    assert [policy.ceiling(n) for n in range(1, 10)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]


def test_delay_is_uniform_between_zero_and_the_ceiling() -> None:
    rng = ScriptedRandom([1.0, 0.0, 0.25])
    policy = RetryPolicy()
    assert [policy.delay(n, rng) for n in (1, 2, 3)] == [0.5, 0.0, 0.5]
    assert rng.calls == [(0.0, 0.5), (0.0, 1.0), (0.0, 2.0)]


@given(
    attempt=st.integers(1, 5000),
    base=st.floats(0, 100),
    factor=st.floats(1, 10),
    cap=st.floats(0, 1000),
    seed=st.integers(0, 2**32),
)
def test_full_jitter_stays_within_bounds(
    attempt: int, base: float, factor: float, cap: float, seed: int
) -> None:
    policy = RetryPolicy(base=base, factor=factor, cap=cap)
    ceiling = policy.ceiling(attempt)
    assert 0 <= ceiling <= cap
    if attempt < 50:
        assert ceiling == min(cap, base * factor ** (attempt - 1))
    assert 0 <= policy.delay(attempt, random.Random(seed)) <= ceiling


@pytest.mark.parametrize(
    "error",
    [
        PermissionError(errno.EACCES, "denied"),
        IsADirectoryError(errno.EISDIR, "is a directory"),
        NotADirectoryError(errno.ENOTDIR, "not a directory"),
        FileNotFoundError(errno.ENOENT, "no such folder"),
        InvalidInput("bad page size"),
        SystemExit(1),
    ],
)
def test_permanent_errors_are_not_retryable(error: BaseException) -> None:
    assert not RetryPolicy().is_retryable(error)


@pytest.mark.parametrize(
    "error",
    [OSError(errno.EIO, "I/O error"), OSError(errno.ENOSPC, "disk full"), TimeoutError()],
)
def test_transient_errors_are_retryable(error: BaseException) -> None:
    assert RetryPolicy().is_retryable(error)


def test_an_exception_can_mark_itself_permanent() -> None:
    class CodecError(Exception):
        retryable = False

    error = OSError(errno.EIO, "I/O error")
    error.retryable = False  # type: ignore[attr-defined]
    assert not RetryPolicy().is_retryable(CodecError())
    assert not RetryPolicy().is_retryable(error)


def test_the_permanent_list_is_configurable() -> None:
    policy = RetryPolicy(non_retryable=(KeyError,))
    assert policy.is_retryable(PermissionError())
    assert not policy.is_retryable(KeyError())


@pytest.mark.parametrize(
    "options", [{"max_attempts": 0}, {"base": -1}, {"cap": -1}, {"factor": 0.5}]
)
def test_nonsense_is_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**options)  # type: ignore[arg-type]


def test_attempts_are_numbered_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        RetryPolicy().ceiling(0)
