"""Fixtures for the job queue tests: a queue on a FakeClock (the leak check is global)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, JobLog, JobQueue, JobState

from .fakes import ScriptedRandom


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def rng() -> ScriptedRandom:
    return ScriptedRandom()


MakeQueue = Callable[..., JobQueue]


@pytest.fixture
def make_queue(
    qtbot: QtBot, clock: FakeClock, rng: ScriptedRandom, tmp_path: Path
) -> Iterator[MakeQueue]:
    """Build queues on the fake clock and rng, logging to tmp_path; shut down after."""
    queues: list[JobQueue] = []

    def make(**options: Any) -> JobQueue:
        options.setdefault("clock", clock)
        options.setdefault("rng", rng)
        if "log" not in options:
            options["log"] = JobLog(tmp_path / "logs", stderr=False)
        queue = JobQueue(**options)
        queues.append(queue)
        return queue

    yield make
    for queue in queues:
        report = queue.shutdown(timeout=2.0, cancel_wait=2.0)
        assert report.clean, report.stuck
        assert queue.pool.activeThreadCount() == 0


@pytest.fixture
def queue(make_queue: MakeQueue) -> JobQueue:
    return make_queue()


@pytest.fixture
def wait_state(qtbot: QtBot) -> Callable[[JobQueue, int, JobState], None]:
    """Process events until a job reaches a state."""

    def wait(queue: JobQueue, job_id: int, state: JobState) -> None:
        qtbot.waitUntil(lambda: queue.record(job_id).state is state, timeout=5000)

    return wait


Drive = Callable[[JobQueue], None]


@pytest.fixture
def drive(qtbot: QtBot, clock: FakeClock) -> Drive:
    """Run a queue to idle: wait for its threads, fire due retry timers, repeat."""

    def run(queue: JobQueue) -> None:
        for _ in range(100):
            qtbot.waitUntil(lambda: not queue.has_threads(), timeout=5000)
            if queue.is_idle():
                return
            delay = clock.next_delay()
            assert delay is not None, "not idle, no thread running and no timer due"
            clock.advance(delay)
        raise AssertionError("the queue did not become idle")

    return run
