"""Bounds, coalescing, one writer per path, idempotency keys, the finished-record limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from editor.jobs import JobQueue, JobState, QueueFull

from .conftest import Drive, MakeQueue
from .fakes import Gate, OverlapProbe, ScriptedJob


def test_the_65th_waiting_job_is_refused_at_once(make_queue: MakeQueue, drive: Drive) -> None:
    queue = make_queue(max_workers=1)
    gate = Gate()
    queue.submit(ScriptedJob("running", gate=gate))
    for n in range(64):
        queue.submit(ScriptedJob(f"job {n}"))
    assert queue.waiting_count() == 64
    with pytest.raises(QueueFull, match="64 jobs waiting"):
        queue.submit(ScriptedJob("one too many"))  # refused, not blocked: the gate is shut
    assert queue.submit(ScriptedJob("job 3")) == 5  # a duplicate key still answers
    gate.open()
    drive(queue)
    assert all(r.state is JobState.SUCCEEDED for r in queue.records())


def test_the_bound_is_configurable_and_counts_retry_waits(
    qtbot: QtBot, make_queue: MakeQueue, drive: Drive
) -> None:
    queue = make_queue(max_queued=1)
    job_id = queue.submit(ScriptedJob("flaky", script=[OSError(5, "EIO"), "ok"]))
    qtbot.waitUntil(lambda: queue.record(job_id).state is JobState.RETRY_SCHEDULED, timeout=5000)
    with pytest.raises(QueueFull):
        queue.submit(ScriptedJob("another"))
    drive(queue)


def test_a_new_save_replaces_a_queued_save_to_the_same_path(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path
) -> None:
    queue = make_queue(max_workers=1)
    path = str(tmp_path / "a.strata")
    gate = Gate()
    queue.submit(ScriptedJob("busy", gate=gate))
    old = ScriptedJob("Save a (rev 1)", key="save:a:1", kind="save", target=path, script=[1])
    new = ScriptedJob("Save a (rev 2)", key="save:a:2", kind="save", target=path, script=[2])
    old_id = queue.submit(old)
    new_id = queue.submit(new)
    record = queue.record(old_id)
    assert (record.state, record.reason) == (JobState.CANCELLED, f"superseded by job {new_id}")
    assert queue.waiting_count() == 1
    gate.open()
    drive(queue)
    assert (old.calls, new.calls) == (0, 1)
    assert queue.record(new_id).result == 2


def test_coalescing_does_not_touch_a_started_save(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path
) -> None:
    queue = make_queue()
    path = str(tmp_path / "a.strata")
    gate = Gate()
    running = ScriptedJob("rev 1", key="1", kind="save", target=path, gate=gate)
    running_id = queue.submit(running)
    assert running.started.wait(5)
    waiting_id = queue.submit(ScriptedJob("rev 2", key="2", kind="save", target=path))
    assert queue.record(waiting_id).state is JobState.QUEUED  # waits its turn
    assert queue.record(running_id).state is JobState.RUNNING
    gate.open()
    drive(queue)
    assert queue.record(running_id).state is JobState.SUCCEEDED
    assert queue.record(waiting_id).state is JobState.SUCCEEDED


def test_two_jobs_on_one_path_never_overlap_and_keep_their_order(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path
) -> None:
    queue = make_queue(max_workers=4)
    probe = OverlapProbe()
    paths = [str(tmp_path / "a.strata"), str(tmp_path / "b.png")]
    jobs = [
        ScriptedJob(
            f"{n}",
            target=paths[n % 2],
            probe=probe,
            coalesce=False,
            script=[lambda ctx: sum(range(20_000))],
        )
        for n in range(24)
    ]
    for job in jobs:
        queue.submit(job)
    drive(queue)
    assert probe.max_active == dict.fromkeys(paths, 1)
    for parity in (0, 1):
        mine = [name for name in probe.order if int(name) % 2 == parity]
        assert mine == sorted(mine, key=int)
    assert all(r.state is JobState.SUCCEEDED for r in queue.records())


def test_paths_are_compared_normalised(make_queue: MakeQueue, tmp_path: Path) -> None:
    queue = make_queue()
    job = ScriptedJob(target=str(tmp_path / "x" / ".." / "a.strata"))
    assert job.target == str(tmp_path / "a.strata")
    queue.submit(job)
    assert queue.wait_until_idle(5)


def test_an_idempotency_key_is_queued_once(
    make_queue: MakeQueue, drive: Drive, qtbot: QtBot
) -> None:
    queue = make_queue(max_workers=1)
    gate = Gate()
    running = ScriptedJob("Save rev 7", key="save:a:7", gate=gate)
    running_id = queue.submit(running)
    queued_id = queue.submit(ScriptedJob("Export", key="export:a"))
    assert queue.submit(ScriptedJob("Save rev 7 again", key="save:a:7")) == running_id
    assert queue.submit(ScriptedJob("Export again", key="export:a")) == queued_id
    assert len(queue.records()) == 2
    gate.open()
    drive(queue)
    assert running.calls == 1
    again = queue.submit(ScriptedJob("Save rev 7 later", key="save:a:7"))
    assert again not in (running_id, queued_id)  # finished: a new submission is new work
    drive(queue)


def test_finished_records_are_bounded_and_removed_with_a_signal(
    make_queue: MakeQueue, drive: Drive
) -> None:
    queue = make_queue(max_finished=3, max_workers=1)  # one worker: finish in order
    removed: list[int] = []
    queue.job_removed.connect(removed.append)
    ids = [queue.submit(ScriptedJob(f"j{n}")) for n in range(5)]
    drive(queue)
    assert removed == ids[:2]
    assert [r.id for r in queue.records()] == ids[2:]
    with pytest.raises(KeyError):
        queue.record(ids[0])
    assert queue.clear_finished() == 3
    assert removed == ids
    assert queue.records() == ()


def test_default_finished_limit_is_100(queue: JobQueue, drive: Drive) -> None:
    for n in range(60):
        queue.submit(ScriptedJob(f"a{n}"))
    drive(queue)
    for n in range(60):
        queue.submit(ScriptedJob(f"b{n}"))
    drive(queue)
    assert len(queue.records()) == 100
