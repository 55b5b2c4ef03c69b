"""The queue's parts, each on its own: lanes, retry schedule, watchdog, finished log, waits.

Plain objects and a FakeClock: no queue, no threads. The queue's behaviour built from
them is tested in the other files of this folder.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock
from editor.jobs.finished import FinishedLog
from editor.jobs.lanes import Lanes
from editor.jobs.schedule import RetrySchedule
from editor.jobs.waiting import Waits
from editor.jobs.watchdog import Watchdog

from .fakes import ticking


@dataclass(eq=False)
class Member:
    seq: int
    target: str | None = "/a"
    coalesce_key: str | None = None


# ---------------------------------------------------------------------------- lanes
def test_only_the_first_job_of_a_lane_may_start_and_only_while_the_path_is_free() -> None:
    lanes: Lanes[Member] = Lanes()
    first, second, elsewhere = Member(1), Member(2), Member(3, target="/b")
    for member in (first, second, elsewhere):
        lanes.join(member)
    assert lanes.may_start(first) and not lanes.may_start(second)
    assert lanes.may_start(elsewhere)
    lanes.hold("/a", token=7)
    assert not lanes.may_start(first)  # held by a thread
    lanes.leave(first)  # finished (perhaps abandoned): its thread may still be writing
    assert not lanes.may_start(second)
    lanes.release("/a", token=99)  # another attempt's token: not the holder
    assert not lanes.may_start(second)
    lanes.release("/a", token=7)
    assert lanes.may_start(second)
    assert lanes.may_start(Member(9, target=None))  # no target, no lane


def test_a_retried_dead_letter_joins_its_lane_by_sequence() -> None:
    lanes: Lanes[Member] = Lanes()
    late, early = Member(5), Member(2)
    lanes.join(late)
    lanes.join(early)
    assert lanes.may_start(early) and not lanes.may_start(late)
    lanes.leave(early)
    lanes.leave(late)
    assert len(lanes) == 0


def test_coalescing_names_the_queued_job_a_new_one_replaces_until_it_starts() -> None:
    lanes: Lanes[Member] = Lanes()
    queued = Member(1, coalesce_key="save /a")
    lanes.join(queued)
    assert lanes.replaceable("save /a") is queued
    assert lanes.replaceable(None) is None
    lanes.started(queued)
    assert lanes.replaceable("save /a") is None
    retried = Member(2, coalesce_key="save /a")
    lanes.join(retried, replaceable=False)
    assert lanes.replaceable("save /a") is None


# ---------------------------------------------------------------------------- schedule
def test_the_schedule_fires_each_retry_once_on_the_clock() -> None:
    clock = FakeClock()
    fired: list[int] = []
    schedule = RetrySchedule(clock)
    schedule.add(1, 0.5, fired.append)
    schedule.add(2, 0.2, fired.append)
    assert len(schedule) == 2 and 1 in schedule
    clock.advance(0.3)
    assert fired == [2] and schedule.ids() == [1]
    assert schedule.cancel(1) and not schedule.cancel(1)
    clock.advance(10)
    assert fired == [2] and len(schedule) == 0


def test_rescheduling_replaces_the_pending_timer() -> None:
    clock = FakeClock()
    fired: list[int] = []
    schedule = RetrySchedule(clock)
    schedule.add(1, 0.5, fired.append)
    schedule.add(1, 2.0, fired.append)
    clock.advance(1.0)
    assert fired == []
    clock.advance(1.0)
    assert fired == [1]


# ---------------------------------------------------------------------------- watchdog
def test_the_watchdog_reports_attempts_past_their_due_time_with_one_timer() -> None:
    clock = FakeClock()
    expired: list[list[int]] = []
    dog = Watchdog(clock, expired.append)
    dog.watch(1, clock.now() + 2.0)
    dog.watch(2, clock.now() + 1.0)  # earlier: the one timer is re-armed for it
    dog.watch(3, clock.now() + 5.0)
    assert clock.pending() == [1.0]
    dog.unwatch(2)  # ended in time: nothing reported for it
    clock.advance(1.0)
    assert expired == [[]]
    clock.advance(1.0)
    assert expired == [[], [1]]
    assert clock.pending() == [3.0]
    dog.unwatch(3)
    dog.settle()  # nothing left: the timer is cancelled
    assert clock.pending() == []


def test_clearing_the_watchdog_stops_its_timer() -> None:
    clock = FakeClock()
    dog = Watchdog(clock, lambda tokens: pytest.fail(f"reported {tokens}"))
    dog.watch(1, clock.now() + 1.0)
    dog.clear()
    assert len(dog) == 0 and clock.pending() == []
    clock.advance(5)


# ---------------------------------------------------------------------------- finished
def test_the_finished_log_keeps_the_newest_and_says_what_it_dropped() -> None:
    log = FinishedLog(limit=2)
    assert log.add(1) == [] and log.add(2) == []
    assert log.add(3) == [1]
    log.discard(2)  # a dead letter retried: unfinished again
    assert 2 not in log and len(log) == 1
    assert log.add(4) == []
    assert log.clear() == [3, 4] and len(log) == 0
    with pytest.raises(ValueError, match="must not be negative"):
        FinishedLog(-1)
    assert FinishedLog(0).add(5) == [5]


# ---------------------------------------------------------------------------- size
JOBS = Path(__file__).resolve().parents[2] / "editor" / "jobs"


@pytest.mark.parametrize("path", sorted(JOBS.glob("*.py")), ids=lambda p: p.name)
def test_no_class_in_editor_jobs_is_over_300_lines(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            assert lines <= 300, f"{node.name} has {lines} lines"


# ---------------------------------------------------------------------------- waits
def test_a_wait_ends_when_its_condition_holds_or_its_clock_passes_the_timeout(
    qtbot: QtBot,
) -> None:
    clock = FakeClock()
    waits = Waits(clock)
    assert waits.wait_for(lambda: True, 5.0)  # already true: no loop at all
    assert not waits.wait_for(lambda: False, 0)
    with ticking(clock, 0.5):
        start = clock.now()
        assert not waits.wait_for(lambda: False, 0.5)  # ends at 0.5 s on the clock
    assert clock.now() - start == pytest.approx(0.5)
    flag: list[bool] = []

    def later() -> None:
        flag.append(True)
        waits.wake()  # what the queue does after every change

    QTimer.singleShot(0, later)
    assert waits.wait_for(lambda: bool(flag), 5.0)  # the clock never moved
    assert clock.pending() == []  # the wait's timer was cancelled
