"""Jobs panel under a burst of job events: how long does the GUI thread stall?

    .venv/bin/python bench/bench_jobs_panel.py [--events 10000] [--jobs 10000] [--repeat 3]

Prints a table, asserts nothing. The target: no stall of the GUI thread above 16 ms (one
frame at 60 Hz) while 10,000 job events arrive.

What is measured. The Jobs panel, the status-bar summary and the dead-letter notice are
shown (offscreen platform, panel 900x480) and listen to one job source. While events
arrive, a 5 ms PreciseTimer records when it fires: the largest gap between two ticks is
the longest the GUI thread was busy without handling events ("max gap"; an idle loop gives
~5 ms). Every coalesced update (model flush, summary, notice, banner) is timed on its own
("max flush", "flushes"). "handler" is the cost per event of the widgets' signal handlers
(the burst's total time with the widgets minus without, per event).

Scenarios:
* synthetic, N per turn — a fake source with the JobQueue's signals replays a realistic
  mix (job added, running, two progress reports, succeeded or retrying or dead, the oldest
  finished record removed beyond 100, dead-letter changes and evictions beyond 500),
  N events per event-loop turn, as a queue delivers its worker results. "all at once"
  emits all 10,000 in one turn: that stall is the emitting loop's own (about `handler` x
  events), shown to give the per-event cost a scale.
* real queue — a JobQueue (real clock, its own 2-thread pool, logging off) runs `--jobs`
  instant jobs, topped up to 64 waiting jobs each turn; about 4 events per job. With the
  widgets and without ("no panel"), to separate the panel's cost from the queue's.

The GIL switch interval is set to 1 ms, as the application does at start-up
(`editor.app`): with Python's default 5 ms, worker threads and the GUI thread hand the GIL
back and forth so slowly that the real-queue scenario measures mostly that.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from editor.io.tasks import use_responsive_switch_interval
from editor.jobs import (
    DeadLetter,
    Job,
    JobContext,
    JobError,
    JobLog,
    JobQueue,
    JobRecord,
    JobState,
    RetryPolicy,
)
from editor.ui.jobs_panel import DeadLetterNotice, JobsPanel, JobsSummary
from editor.ui.jobs_panel.models import DeadLetterModel, JobTableModel
from editor.ui.jobs_panel.notice import DeadLetterNotice as _Notice
from editor.ui.jobs_panel.panel import EvictionBanner
from editor.ui.jobs_panel.summary import JobsSummary as _Summary

TICK_MS = 5
TARGET_MS = 16.0


# ------------------------------------------------------------------ timing the updates
@dataclass
class Flushes:
    """Durations (ms) of every coalesced update, by kind."""

    times: dict[str, list[float]] = field(default_factory=dict)

    def reset(self) -> None:
        self.times = {}

    def all(self) -> list[float]:
        return [t for values in self.times.values() for t in values]


FLUSHES = Flushes()


def instrument(cls: type, name: str, label: str) -> None:
    """Time `cls.name` (before widgets are made: coalescers keep the bound method)."""
    original = getattr(cls, name)

    @functools.wraps(original)
    def timed(self: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(self, *args)
        finally:
            FLUSHES.times.setdefault(label, []).append((time.perf_counter() - t0) * 1e3)

    setattr(cls, name, timed)


instrument(JobTableModel, "flush", "queue model")
instrument(DeadLetterModel, "flush", "dead model")
instrument(_Summary, "refresh", "summary")
instrument(_Notice, "refresh", "notice")
instrument(EvictionBanner, "refresh", "banner")


class GapProbe(QObject):
    """A 5 ms timer; the largest gap between its ticks is the longest GUI stall."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.gaps: list[float] = []

    def start(self) -> None:
        self.gaps = []
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self.last) * 1e3)
        self.last = now


# ------------------------------------------------------------------ a synthetic source
class FakeSource(QObject):
    """The JobQueue's signals and read methods, driven by a script (no threads)."""

    job_added = Signal(object)
    state_changed = Signal(object)
    progress_changed = Signal(int, float, str)
    job_removed = Signal(int)
    job_succeeded = Signal(int, object)
    dead_letters_changed = Signal()
    dead_letter_evicted = Signal(object)
    idle = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._records: dict[int, JobRecord] = {}
        self._finished: list[int] = []
        self._dead: dict[int, DeadLetter] = {}

    def records(self) -> tuple[JobRecord, ...]:
        return tuple(self._records[i] for i in sorted(self._records))

    def dead_letters(self) -> tuple[DeadLetter, ...]:
        return tuple(self._dead.values())


_ERROR = JobError("OSError", "[Errno 5] Input/output error", "Traceback ...\nOSError: EIO")
_DENIED = JobError("PermissionError", "[Errno 13] Permission denied", "Traceback ...", False, False)
_POLICY = RetryPolicy()


def script(source: FakeSource, events: int) -> list[Callable[[], None]]:
    """`events` emissions of a realistic mix, as closures to replay in batches."""
    steps: list[Callable[[], None]] = []
    records = source._records
    now = 1_795_000_000.0
    job_id = 0

    def emit_record(record: JobRecord, added: bool = False) -> Callable[[], None]:
        def step() -> None:
            records[record.id] = record
            (source.job_added if added else source.state_changed).emit(record)

        return step

    def emit_progress(jid: int, fraction: float) -> Callable[[], None]:
        def step() -> None:
            records[jid] = replace(records[jid], progress=fraction)
            source.progress_changed.emit(jid, fraction, "Saving")

        return step

    def finish(record: JobRecord) -> Callable[[], None]:
        def step() -> None:
            records[record.id] = record
            source.state_changed.emit(record)
            source._finished.append(record.id)
            if len(source._finished) > 100:
                old = source._finished.pop(0)
                del records[old]
                source.job_removed.emit(old)

        return step

    def die(record: JobRecord) -> Callable[[], None]:
        def step() -> None:
            letter = DeadLetter(
                record.id, record.name, "save", record.key, record.target, _DENIED, 1,
                now, now, None, _POLICY, 60.0,  # type: ignore[arg-type]
            )  # fmt: skip
            source._dead[record.id] = letter
            if len(source._dead) > 500:
                oldest = next(iter(source._dead))
                source.dead_letter_evicted.emit(source._dead.pop(oldest))
            source.dead_letters_changed.emit()

        return step

    while len(steps) < events:
        job_id += 1
        base = JobRecord(
            job_id, f"Save drawing {job_id}.strata", "save", f"k{job_id}",
            f"/tmp/drawing {job_id}.strata", JobState.QUEUED, 0, 5, 60.0, now,
        )  # fmt: skip
        running = replace(base, state=JobState.RUNNING, attempts=1, started_at=now)
        steps += [emit_record(base, added=True), emit_record(running)]
        steps += [emit_progress(job_id, 0.3), emit_progress(job_id, 0.7)]
        kind = job_id % 10
        if kind == 0:  # one in ten waits for a retry, then succeeds on its second attempt
            retry = replace(running, state=JobState.RETRY_SCHEDULED, last_error=_ERROR,
                            next_attempt_at=now + 3)  # fmt: skip
            again = replace(retry, state=JobState.RUNNING, attempts=2, next_attempt_at=None)
            steps += [emit_record(retry), emit_record(again)]
        if kind == 5:  # one in ten is dead-lettered
            dead = replace(running, state=JobState.DEAD, last_error=_DENIED, finished_at=now)
            steps += [finish(dead), die(dead)]
        else:
            done = replace(running, state=JobState.SUCCEEDED, progress=1.0, finished_at=now)
            steps.append(finish(done))
    return steps[:events]


# ------------------------------------------------------------------ the widgets
@dataclass
class Widgets:
    window: QWidget
    panel: JobsPanel


def make_widgets(source: Any) -> Widgets:
    window = QWidget()
    panel = JobsPanel(source)
    summary = JobsSummary(source)
    notice = DeadLetterNotice(source)
    layout = QVBoxLayout(window)
    layout.addWidget(panel, 1)
    layout.addWidget(notice)
    layout.addWidget(summary)
    window.resize(900, 560)
    layout.activate()
    window.show()
    QTest.qWaitForWindowExposed(window)
    return Widgets(window, panel)


def settle(ms: int = 150) -> None:
    """Run the event loop for `ms` (lets pending coalesced updates happen)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def run_until(done: Callable[[], bool], *signals: Any) -> None:
    """Run the event loop (sleeping when idle, as an application does) until `done()`.

    Checked after each of `signals` and every 10 ms; never a busy loop, which would keep
    the GIL from the worker threads.
    """
    loop = QEventLoop()

    def check(*_: object) -> None:
        if done():
            loop.quit()

    for signal in signals:
        signal.connect(check)
    poll = QTimer()
    poll.setInterval(10)
    poll.timeout.connect(check)
    poll.start()
    if not done():
        loop.exec()
    poll.stop()
    for signal in signals:
        signal.disconnect(check)


@dataclass
class Row:
    scenario: str
    events: int
    seconds: float
    max_gap: float
    p99_gap: float
    flushes: int
    max_flush: float
    worst: str
    handler_us: float | None = None
    best_gap: float = 0.0


def gaps_summary(gaps: list[float]) -> tuple[float, float]:
    if not gaps:
        return 0.0, 0.0
    ordered = sorted(gaps)
    return ordered[-1], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run_synthetic(events: int, per_turn: int, with_widgets: bool) -> Row:
    source = FakeSource()
    steps = script(source, events)
    widgets = make_widgets(source) if with_widgets else None
    settle()
    FLUSHES.reset()
    probe = GapProbe()
    feeder = QTimer()
    feeder.setInterval(0)
    position = 0
    done = False

    def feed() -> None:
        nonlocal position, done
        for step in steps[position : position + per_turn]:
            step()
        position += per_turn
        if position >= len(steps):
            feeder.stop()
            done = True

    feeder.timeout.connect(feed)
    probe.start()
    settle(30)
    t0 = time.perf_counter()
    feeder.start()
    run_until(lambda: done)
    burst = time.perf_counter() - t0
    settle(200)  # the last coalesced updates
    probe.stop()
    max_gap, p99 = gaps_summary(probe.gaps)
    flush_times = FLUSHES.all()
    worst = max(FLUSHES.times.items(), key=lambda kv: max(kv[1]), default=("-", [0.0]))
    if widgets is not None:
        widgets.window.close()
        widgets.window.deleteLater()
    QCoreApplication.processEvents()
    label = "all at once" if per_turn >= events else f"{per_turn} per turn"
    return Row(
        f"synthetic, {label}" + ("" if with_widgets else " (no panel)"),
        events,
        burst,
        max_gap,
        p99,
        len(flush_times),
        max(flush_times, default=0.0),
        worst[0],
    )


class _Instant(Job[None]):
    def __init__(self, n: int) -> None:
        super().__init__(f"Export {n}", "bench", key=f"bench-{n}")

    def run(self, context: JobContext) -> None:
        context.check()


def run_real(jobs: int, with_widgets: bool) -> Row:
    queue = JobQueue(log=JobLog(stderr=False, file=False), max_workers=2)
    widgets = make_widgets(queue) if with_widgets else None
    settle()
    FLUSHES.reset()
    events = 0

    def count(*_: object) -> None:
        nonlocal events
        events += 1

    for signal in (queue.job_added, queue.state_changed, queue.job_removed):
        signal.connect(count)
    probe = GapProbe()
    submitted = 0

    def top_up() -> None:
        nonlocal submitted
        while submitted < jobs and queue.waiting_count() < 64:
            queue.submit(_Instant(submitted))
            submitted += 1
        if submitted >= jobs:
            feeder.stop()

    feeder = QTimer()
    feeder.setInterval(0)
    feeder.timeout.connect(top_up)
    probe.start()
    settle(30)
    t0 = time.perf_counter()
    feeder.start()
    run_until(lambda: submitted >= jobs and queue.is_idle(), queue.idle)
    burst = time.perf_counter() - t0
    settle(200)
    probe.stop()
    queue.shutdown(timeout=5)
    max_gap, p99 = gaps_summary(probe.gaps)
    flush_times = FLUSHES.all()
    worst = max(FLUSHES.times.items(), key=lambda kv: max(kv[1]), default=("-", [0.0]))
    if widgets is not None:
        widgets.window.close()
        widgets.window.deleteLater()
    QCoreApplication.processEvents()
    return Row(
        f"real queue, {jobs} instant jobs" + ("" if with_widgets else " (no panel)"),
        events,
        burst,
        max_gap,
        p99,
        len(flush_times),
        max(flush_times, default=0.0),
        worst[0],
    )


def best(rows: list[Row]) -> Row:
    """The run with the median max gap, noting the best run's max gap too.

    The median is robust against one noisy run either way; the best run is what the
    code costs when nothing else competes for the CPU (other processes on a shared
    machine show up as long gaps that no code of ours caused).
    """
    ordered = sorted(rows, key=lambda r: r.max_gap)
    median = ordered[len(ordered) // 2]
    median.best_gap = ordered[0].max_gap
    median.seconds = min(r.seconds for r in rows)
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    assert app is not None
    use_responsive_switch_interval()  # as the application does (editor.app)

    # Warm-up (not reported): the first paint of each kind of cell rasterises glyphs and
    # fills style caches, a one-off cost of the process, not of a burst.
    run_synthetic(min(args.events, 2000), 20, True)

    rows: list[Row] = []
    for per_turn in (1, 20, 100, 1000, args.events):
        with_panel = best([run_synthetic(args.events, per_turn, True) for _ in range(args.repeat)])
        without = best([run_synthetic(args.events, per_turn, False) for _ in range(args.repeat)])
        with_panel.handler_us = (with_panel.seconds - without.seconds) / args.events * 1e6
        rows += [with_panel, without]
    for with_widgets in (True, False):
        rows.append(best([run_real(args.jobs, with_widgets) for _ in range(args.repeat)]))
    real, bare = rows[-2], rows[-1]
    real.handler_us = (real.seconds - bare.seconds) / max(1, real.events) * 1e6

    head = (
        f"{'scenario':<44} {'events':>7} {'burst s':>8} {'max gap':>8} {'best':>6} "
        f"{'p99 gap':>8} {'flushes':>7} {'max flush':>9} {'slowest update':<14} {'handler':>9}"
    )
    print(f"Jobs panel under bursts ({args.repeat} runs each; max gap: median run, best: "
          f"best run; p99 gap and flushes of the median run; times in ms; "
          f"a {TICK_MS} ms timer; target max gap <= {TARGET_MS:g} ms)")  # fmt: skip
    print(head)
    print("-" * len(head))
    for r in rows:
        handler = f"{r.handler_us:.1f} us" if r.handler_us is not None else ""
        flag = "" if r.max_gap <= TARGET_MS else "  > target"
        print(
            f"{r.scenario:<44} {r.events:>7} {r.seconds:>8.3f} {r.max_gap:>8.1f} "
            f"{r.best_gap:>6.1f} {r.p99_gap:>8.1f} {r.flushes:>7} {r.max_flush:>9.2f} "
            f"{r.worst:<14} {handler:>9}{flag}"
        )
    flushes = [r.max_flush for r in rows if r.flushes]
    print(f"\nslowest single coalesced update over all runs: {max(flushes):.2f} ms; "
          f"median of the scenarios' worst: {statistics.median(flushes):.2f} ms")  # fmt: skip
    print("handler: extra burst time per event with the widgets (burst s is the best run).")


if __name__ == "__main__":
    main()
