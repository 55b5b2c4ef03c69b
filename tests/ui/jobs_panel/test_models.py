"""The models behind the panel: always equal to the queue after a flush, and cheap in bursts.

The consistency check drives a real JobQueue (on a FakeClock, with an inline pool so that
attempts run on this thread and nothing races) through random sequences of submits,
attempt outcomes, retries, cancels, discards and clears, and compares the panel with
`queue.records()` and `queue.dead_letters()` after every flush. Qt's own model tester
watches every model signal on the way (a broken begin/end pair is a Qt warning, which
fails the test).
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QCoreApplication, QModelIndex
from PySide6.QtTest import QAbstractItemModelTester

from editor.jobs import (
    FakeClock,
    JobContext,
    JobLog,
    JobQueue,
    JobState,
    QueueFull,
    RetryPolicy,
)
from editor.ui.jobs_panel import JobsPanel, JobsSummary
from editor.ui.jobs_panel.models import JobTableModel, ranges
from editor.ui.jobs_panel.text import (
    countdown_text,
    duration_text,
    pending_jobs_text,
    summary_text,
)
from tests.jobs.fakes import ScriptedJob, ScriptedRandom

from .fakes import FakeJobSource, InlinePool


def watch(model: Any) -> QAbstractItemModelTester:
    """Qt's model checker; a violation is a Qt warning, which fails the test."""
    return QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)


# ------------------------------------------------------------------------- scripts
def fail_eio(context: JobContext) -> object:
    raise OSError(errno.EIO, "I/O error")


def deny(context: JobContext) -> object:
    raise PermissionError(errno.EACCES, "Permission denied")


def half_then_done(context: JobContext) -> object:
    context.progress(0.5, "half way")
    return "done"


SCRIPTS: list[list[Callable[[JobContext], object] | str]] = [
    ["done"],
    [half_then_done],
    [fail_eio, "done"],
    [fail_eio],  # retried until its budget is spent, then dead
    [deny],  # dead at once
    [fail_eio, deny],
]
TARGETS = [None, "/nonexistent/strata/one.strata"]  # a shared target: lanes, coalescing

submit = st.tuples(st.just("submit"), st.integers(0, len(SCRIPTS) - 1), st.integers(0, 1))
events = st.tuples(st.just("events"), st.just(0), st.just(0))
advance = st.tuples(st.just("advance"), st.integers(0, 8), st.just(0))
operation = st.one_of(  # one_of picks branches evenly: submits and outcomes come often
    submit,
    submit,
    submit,
    events,
    events,
    advance,
    advance,
    st.tuples(st.just("cancel"), st.integers(1, 25), st.just(0)),
    st.tuples(st.just("retry"), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("discard"), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("discard_all"), st.just(0), st.just(0)),
    st.tuples(st.just("clear"), st.just(0), st.just(0)),
    st.tuples(st.just("flush"), st.just(0), st.just(0)),
)


def check(panel: JobsPanel, summary: JobsSummary, queue: JobQueue) -> None:
    panel.flush()
    summary.refresh()
    model = panel.queue_model()
    records = queue.records()
    assert model.rowCount() == len(records)
    assert model.records() == records
    assert panel.dead_model().letters() == queue.dead_letters()
    assert panel.tabs.tabText(1) == f"Dead letters ({len(queue.dead_letters())})"
    counts = summary.counts()
    assert summary.text() == summary_text(
        counts[JobState.RUNNING],
        counts[JobState.QUEUED],
        counts[JobState.RETRY_SCHEDULED],
        len(queue.dead_letters()),
    )
    assert sum(counts.values()) == len(records)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=20, max_size=80))
def test_the_panel_equals_the_queue_after_any_sequence_of_events(
    qapp: object, ops: list[tuple[str, int, int]]
) -> None:
    clock = FakeClock()
    queue = JobQueue(
        policy=RetryPolicy(max_attempts=3, base=2.0),
        clock=clock,
        rng=ScriptedRandom(),
        pool=InlinePool(),
        max_workers=2,
        max_finished=4,  # finished records are dropped often
        dlq_capacity=2,  # and dead letters evicted
        log=JobLog(stderr=False, file=False),
    )
    panel = JobsPanel(queue, wall_time=clock.wall_time)
    summary = JobsSummary(queue)
    testers = [watch(panel.queue_model()), watch(panel.dead_model())]
    count = 0
    try:
        for op, a, b in ops:
            if op == "submit":
                count += 1
                job = ScriptedJob(f"job {count}", script=SCRIPTS[a], target=TARGETS[b])
                with contextlib.suppress(QueueFull):
                    queue.submit(job)
            elif op == "events":
                QCoreApplication.processEvents()
            elif op == "advance":
                clock.advance(a)
            elif op == "cancel":
                queue.cancel(a)
            elif op in ("retry", "discard"):
                letters = queue.dead_letters()
                if letters:
                    letter = letters[a % len(letters)]
                    if op == "retry":
                        with contextlib.suppress(QueueFull):
                            queue.retry_dead(letter.job_id)
                    else:
                        queue.discard_dead(letter.job_id)
            elif op == "discard_all":
                queue.discard_all_dead()
            elif op == "clear":
                queue.clear_finished()
            else:
                check(panel, summary, queue)
        check(panel, summary, queue)
        # Let every attempt end (fake time moves on), and check once more.
        for _ in range(50):
            QCoreApplication.processEvents()
            delay = clock.next_delay()
            if queue.is_idle() or delay is None:
                break
            clock.advance(delay)
        check(panel, summary, queue)
    finally:
        report = queue.shutdown(timeout=1.0, cancel_wait=1.0)
        assert report.clean
        del testers
        panel.deleteLater()
        summary.deleteLater()


# ------------------------------------------------------------------------- bursts
def test_a_burst_of_events_costs_one_flush_with_few_model_signals(qapp: object) -> None:
    source = FakeJobSource()
    model = JobTableModel(source, wall_time=lambda: 1_795_000_000.0)  # type: ignore[arg-type]
    tester = watch(model)
    signals: list[str] = []
    model.rowsInserted.connect(lambda *_: signals.append("inserted"))
    model.rowsRemoved.connect(lambda *_: signals.append("removed"))
    model.dataChanged.connect(lambda *_: signals.append("changed"))
    model.modelReset.connect(lambda *_: signals.append("reset"))

    # 2,000 jobs, 5 events each: added, running, progress, succeeded, and the oldest removed.
    for _ in range(2000):
        job_id = source.add().id
        source.change(job_id, state=JobState.RUNNING, attempts=1)
        source.progress(job_id, 0.5)
        source.change(job_id, state=JobState.SUCCEEDED, progress=1.0)
        if job_id > 100:
            source.remove(job_id - 100)
    assert signals == []  # nothing happened to the view yet
    assert model.has_pending
    model.flush()
    assert signals == ["inserted"]  # the 100 survivors, in one block
    assert model.records() == source.records()
    assert not model.has_pending

    # Progress of every other running job: one dataChanged per contiguous block of rows.
    signals.clear()
    for job_id in range(1901, 2001):
        source.change(job_id, state=JobState.RUNNING)
    model.flush()
    signals.clear()
    for job_id in range(1901, 2001, 2):
        source.progress(job_id, 0.25)
    for job_id in range(1901, 1911):
        source.progress(job_id, 0.75)
    model.flush()
    # Rows 0-10 (ids 1901-1911) form one block; ids 1913, 1915, ... 1999 one each.
    assert signals.count("changed") == 1 + 44
    assert model.records() == source.records()

    # Removing scattered rows: one beginRemoveRows per contiguous block.
    signals.clear()
    for job_id in (*range(1901, 1911), 1950, 1960, *range(1990, 2001)):
        source.remove(job_id)
    model.flush()
    assert signals == ["removed"] * 4
    assert model.records() == source.records()
    del tester


def test_records_revived_under_old_ids_are_inserted_in_id_order(qapp: object) -> None:
    source = FakeJobSource()
    model = JobTableModel(source)  # type: ignore[arg-type]
    tester = watch(model)
    ids = [source.add(f"job {n}").id for n in range(6)]
    model.flush()
    revived = {i: source.record(i) for i in (ids[1], ids[2], ids[4])}
    for job_id in revived:
        source.remove(job_id)
    model.flush()
    assert [r.id for r in model.records()] == [ids[0], ids[3], ids[5]]
    for record in revived.values():  # as JobQueue.retry_dead does after a drop
        source._records[record.id] = record
        source.job_added.emit(record)
    model.flush()
    assert model.records() == source.records()
    del tester


def test_ranges() -> None:
    assert ranges([]) == []
    assert ranges([7, 1, 2, 3, 3]) == [(1, 3), (7, 7)]
    assert ranges([0, 2, 4]) == [(0, 0), (2, 2), (4, 4)]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "1 s"), (3.0, "3 s"), (3.01, "4 s"), (59.5, "1 min 00 s"), (125, "2 min 05 s")],
)
def test_countdown_text(seconds: float, text: str) -> None:
    assert countdown_text(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.42, "0.4 s"), (12.9, "12 s"), (125, "2 min 05 s"), (3725, "1 h 02 min"), (-1, "0.0 s")],
)
def test_duration_text(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def test_summary_and_pending_texts() -> None:
    assert summary_text(0, 0, 0, 0) == "No jobs"
    assert summary_text(1, 2, 0, 1) == "1 running · 2 queued · 1 failed"
    assert summary_text(0, 0, 3, 0) == "3 retrying"
    assert pending_jobs_text(()) == ""


def test_the_model_has_no_children(qapp: object) -> None:
    source = FakeJobSource()
    model = JobTableModel(source)  # type: ignore[arg-type]
    source.add()
    model.flush()
    parent = model.index(0, 0)
    assert model.rowCount(parent) == 0 and model.columnCount(parent) == 0
    assert model.rowCount(QModelIndex()) == 1
