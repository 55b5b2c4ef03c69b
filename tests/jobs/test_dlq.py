"""The dead-letter queue: entries, retry with a fresh budget, discard, bounded eviction."""

from __future__ import annotations

import errno
import json
import logging
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from editor.jobs import (
    DeadLetter,
    DeadLetterQueue,
    JobContext,
    JobQueue,
    JobState,
    QueueClosed,
    RetryPolicy,
)

from .conftest import Drive, MakeQueue
from .fakes import Gate, ScriptedJob


class Fault:
    """A disk that fails until it is fixed."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def write(self, context: JobContext) -> str:
        if self.failures > 0:
            self.failures -= 1
            raise OSError(errno.ENOSPC, "No space left on device")
        return f"written on attempt {context.attempt}"


def denied() -> PermissionError:
    return PermissionError(errno.EACCES, "Permission denied")


def test_retry_from_the_dlq_gets_a_fresh_budget_and_keeps_its_id(
    queue: JobQueue, drive: Drive
) -> None:
    fault = Fault(failures=3)
    policy = RetryPolicy(max_attempts=2)
    job_id = queue.submit(ScriptedJob("Save", script=[fault.write]), policy=policy)
    drive(queue)
    assert queue.record(job_id).state is JobState.DEAD
    (letter,) = queue.dead_letters()
    assert letter.attempts == 2
    results: list[tuple[int, object]] = []
    queue.job_succeeded.connect(lambda i, r: results.append((i, r)))
    changes: list[None] = []
    queue.dead_letters_changed.connect(lambda: changes.append(None))

    assert queue.retry_dead(job_id) == job_id
    assert queue.dead_letters() == ()
    assert changes == [None]
    record = queue.record(job_id)
    assert record.state in (JobState.QUEUED, JobState.RUNNING)
    assert (record.attempts, record.last_error) == (record.attempts, None)
    drive(queue)
    # one failure left: attempt 1 of the new budget fails, attempt 2 succeeds
    assert results == [(job_id, "written on attempt 2")]
    record = queue.record(job_id)
    assert (record.state, record.attempts, record.max_attempts) == (JobState.SUCCEEDED, 2, 2)


def test_retry_of_a_letter_whose_record_was_dropped_adds_it_again(
    make_queue: MakeQueue, drive: Drive
) -> None:
    queue = make_queue(max_finished=0)
    fault = Fault(failures=1)
    job_id = queue.submit(ScriptedJob(script=[fault.write]), policy=RetryPolicy(max_attempts=1))
    drive(queue)
    with pytest.raises(KeyError):
        queue.record(job_id)
    added: list[int] = []
    queue.job_added.connect(lambda r: added.append(r.id))
    assert queue.retry_dead(job_id) == job_id
    assert added == [job_id]
    drive(queue)
    assert queue.dead_letters() == ()


def test_retry_all_discard_one_and_discard_all(make_queue: MakeQueue, drive: Drive) -> None:
    queue = make_queue(max_workers=1)  # one worker: they die in order
    ids = [queue.submit(ScriptedJob(f"j{n}", script=[denied(), "ok"])) for n in range(4)]
    drive(queue)
    assert [d.job_id for d in queue.dead_letters()] == ids
    discarded = queue.discard_dead(ids[0])
    assert discarded.job_id == ids[0]
    with pytest.raises(KeyError):
        queue.discard_dead(ids[0])
    assert queue.retry_all_dead() == ids[1:]
    drive(queue)
    assert [queue.record(i).state for i in ids] == [JobState.DEAD] + [JobState.SUCCEEDED] * 3
    queue.submit(ScriptedJob("again", script=[denied()]))
    drive(queue)
    assert len(queue.discard_all_dead()) == 1
    assert queue.dead_letters() == ()
    assert queue.discard_all_dead() == ()


def test_retry_all_stops_when_the_queue_is_full(make_queue: MakeQueue, drive: Drive) -> None:
    queue = make_queue(max_queued=2, max_workers=1)
    ids = []
    for n in range(4):
        ids.append(queue.submit(ScriptedJob(f"j{n}", script=[denied(), "ok"])))
        drive(queue)
    gate = Gate()
    queue.submit(ScriptedJob("blocker", gate=gate))  # holds the only worker
    assert queue.retry_all_dead() == ids[:2]
    assert [d.job_id for d in queue.dead_letters()] == ids[2:]
    gate.open()
    drive(queue)
    assert queue.retry_all_dead() == ids[2:]
    drive(queue)
    assert queue.dead_letters() == ()
    assert all(queue.record(i).state is JobState.SUCCEEDED for i in ids)


def test_a_letter_whose_key_is_pending_again_is_just_dropped(queue: JobQueue, drive: Drive) -> None:
    first = queue.submit(ScriptedJob("Save", key="save:a:3", script=[denied()]))
    drive(queue)
    fresh = queue.submit(ScriptedJob("Save", key="save:a:3", script=[lambda ctx: "ok"]))
    assert queue.retry_dead(first) == fresh
    assert queue.dead_letters() == ()
    drive(queue)


def test_a_full_dlq_evicts_the_oldest_with_a_signal_and_a_log_line(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="editor.jobs")
    queue = make_queue(dlq_capacity=2, max_workers=1)
    evicted: list[DeadLetter] = []
    queue.dead_letter_evicted.connect(evicted.append)
    ids = [queue.submit(ScriptedJob(f"Save {n}", script=[denied()])) for n in range(3)]
    drive(queue)
    assert [e.job_id for e in evicted] == [ids[0]]
    assert [d.job_id for d in queue.dead_letters()] == ids[1:]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    line = json.loads(warnings[0].getMessage())
    assert (line["event"], line["job_id"], line["job"]) == ("dead_letter_evicted", ids[0], "Save 0")
    assert line["capacity"] == 2
    assert queue.log.flush()
    logged = (tmp_path / "logs/jobs.log").read_text()
    assert '"event": "dead_letter_evicted"' in logged


def test_the_dlq_container_is_bounded_and_ordered() -> None:
    queue = DeadLetterQueue(capacity=500)
    assert queue.capacity == 500
    with pytest.raises(ValueError, match="capacity"):
        DeadLetterQueue(capacity=0)


def test_retry_after_shutdown_is_refused(qtbot: QtBot, make_queue: MakeQueue, drive: Drive) -> None:
    queue = make_queue()
    job_id = queue.submit(ScriptedJob(script=[denied()]))
    drive(queue)
    queue.shutdown()
    with pytest.raises(QueueClosed):
        queue.retry_dead(job_id)
    assert len(queue.dead_letters()) == 1  # kept for the application to persist or show
