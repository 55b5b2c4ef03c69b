"""The state machine: one writer of a job's state, and every part kept in step with it."""

from __future__ import annotations

import ast
import contextlib
import errno
import random
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, JobQueue, JobState, QueueFull
from editor.jobs.machine import JobMachine

from .conftest import Drive, MakeQueue
from .fakes import Gate, ScriptedJob

JOBS = Path(__file__).resolve().parents[2] / "editor" / "jobs"


def test_only_move_writes_a_jobs_state() -> None:
    """`Entry.state` is assigned in JobMachine.move and nowhere else (bar its birth); a
    saga's batch state, likewise, only in `Sagas._enter`."""
    writers = []
    for path in sorted(JOBS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            for node in ast.walk(func):
                targets = node.targets if isinstance(node, ast.Assign) else []
                targets += [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else []
                if any(isinstance(t, ast.Attribute) and t.attr == "state" for t in targets):
                    writers.append(f"{path.name}:{func.name}")
    assert sorted(writers) == ["entry.py:__init__", "machine.py:move", "saga.py:_enter"]


def parts_agree(queue: JobQueue) -> None:
    """Every part says the same about each job as its state does."""
    m: JobMachine = queue._m
    for entry in m.entries.values():
        state = entry.state
        assert (entry.id in m.pending) == (state is JobState.QUEUED), entry.record()
        assert (entry.id in m.schedule) == (state is JobState.RETRY_SCHEDULED), entry.record()
        assert (entry.id in m.finished) == state.is_final, entry.record()
        unfinished = not state.is_final
        assert (m.by_key.get(entry.job.key) is entry) <= unfinished
        assert (entry.token is not None) == (state is JobState.RUNNING), entry.record()
        assert (entry.next_attempt_at is not None) == (state is JobState.RETRY_SCHEDULED)
    assert set(m.pending) | set(m.schedule.ids()) <= set(m.entries)
    assert all(m.entries[i].state.is_final for i in m.finished._ids)
    assert queue.waiting_count() == len(m.pending) + len(m.schedule)


@pytest.mark.parametrize("seed", range(6))
def test_random_submits_failures_cancels_and_retries_keep_the_parts_in_step(
    seed: int, make_queue: MakeQueue, drive: Drive, clock: FakeClock, qtbot: QtBot
) -> None:
    rnd = random.Random(seed)
    queue = make_queue(max_workers=2, max_queued=12, max_finished=8, dlq_capacity=4)
    gates: list[Gate] = []
    outcomes = [OSError(errno.EIO, "EIO"), PermissionError(errno.EACCES, "no"), "ok"]
    for step in range(40):
        action = rnd.random()
        if action < 0.55:
            gate = Gate() if rnd.random() < 0.3 else None
            if gate is not None:
                gates.append(gate)
            job = ScriptedJob(
                f"job {step}",
                key=f"k{rnd.randrange(8)}",
                kind="save",
                target=f"/t/{rnd.randrange(3)}" if rnd.random() < 0.7 else None,
                script=[rnd.choice(outcomes) for _ in range(3)],
                gate=gate,
            )
            with contextlib.suppress(QueueFull):
                queue.submit(job)
        elif action < 0.7 and queue.records():
            queue.cancel(rnd.choice(queue.records()).id)
        elif action < 0.8 and queue.dead_letters():
            with contextlib.suppress(QueueFull):
                queue.retry_dead(rnd.choice(queue.dead_letters()).job_id)
        elif action < 0.9 and gates:
            gates.pop(rnd.randrange(len(gates))).open()
        else:
            delay = clock.next_delay()
            if delay is not None:
                clock.advance(delay)
        if rnd.random() < 0.5:
            qtbot.wait(0)  # let the attempts that ended come back
        parts_agree(queue)
    for gate in gates:
        gate.open()
    drive(queue)
    parts_agree(queue)
    assert all(r.state.is_final for r in queue.records())
