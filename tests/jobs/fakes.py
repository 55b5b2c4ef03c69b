"""Small fakes for the job queue tests: scripted jobs, gates, an overlap probe, rngs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from PySide6.QtCore import QTimer

from editor.jobs import FakeClock, Job, JobContext

GATE_LIMIT = 10.0
"""Longest a fake job waits for its gate: a broken test fails instead of hanging a thread."""

Step = BaseException | Callable[[JobContext], object] | object


class Gate:
    """A one-shot door a fake job waits at (on its worker thread) until the test opens it."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def open(self) -> None:
        self._event.set()

    def wait(self) -> None:
        if not self._event.wait(GATE_LIMIT):
            raise TimeoutError("the test never opened the gate")

    def wait_checking(self, context: JobContext) -> None:
        """Like a job working in chunks: call check() between short waits until opened."""
        for _ in range(int(GATE_LIMIT / 0.002)):
            context.check()
            if self._event.wait(0.002):
                context.check()  # the next chunk starts with a check, as real jobs do
                return
        raise TimeoutError("the test never opened the gate")


class OverlapProbe:
    """Counts jobs inside their critical section per path, remembering the worst case."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[str, int] = {}
        self.max_active: dict[str, int] = {}
        self.order: list[str] = []

    @contextmanager
    def writing(self, path: str, name: str) -> Iterator[None]:
        with self._lock:
            self._active[path] = self._active.get(path, 0) + 1
            self.max_active[path] = max(self.max_active.get(path, 0), self._active[path])
            self.order.append(name)
        try:
            yield
        finally:
            with self._lock:
                self._active[path] -= 1


class ScriptedJob(Job[object]):
    """Attempt n takes step n of its script (the last step repeats):

    an exception is raised, a callable is called with the context and its value returned,
    anything else is returned. Optionally waits at a gate first and reports `started`.
    """

    def __init__(
        self,
        name: str = "job",
        *,
        key: str | None = None,
        kind: str = "test",
        target: str | None = None,
        script: Sequence[Step] = ("done",),
        gate: Gate | None = None,
        cooperative: bool = True,
        probe: OverlapProbe | None = None,
        coalesce: bool = True,
    ) -> None:
        super().__init__(name, kind, key=key if key is not None else name, target=target)
        self.script = list(script)
        self.gate = gate
        self.cooperative = cooperative
        self.probe = probe
        self.coalesce = coalesce
        self.started = threading.Event()
        self._lock = threading.Lock()
        self.calls = 0
        self.threads: list[int] = []

    @property
    def coalesce_key(self) -> str | None:
        return super().coalesce_key if self.coalesce else None

    def run(self, context: JobContext) -> object:
        with self._lock:
            self.calls += 1
            step = self.script[min(self.calls, len(self.script)) - 1]
            self.threads.append(threading.get_ident())
        self.started.set()
        if self.probe is not None and self.target is not None:
            with self.probe.writing(self.target, self.name):
                return self._step(step, context)
        return self._step(step, context)

    def _step(self, step: Step, context: JobContext) -> object:
        if self.gate is not None:
            if self.cooperative:
                self.gate.wait_checking(context)
            else:
                self.gate.wait()
        if isinstance(step, BaseException):
            raise step
        if callable(step):
            return step(context)
        return step


class ScriptedRandom:
    """A RandomSource returning fixed fractions of the range, recording each range asked."""

    def __init__(self, fractions: Sequence[float] = (0.5,)) -> None:
        self.fractions = list(fractions)
        self.calls: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        fraction = self.fractions[min(len(self.calls), len(self.fractions) - 1)]
        self.calls.append((a, b))
        return a + (b - a) * fraction


@contextmanager
def ticking(clock: FakeClock, total: float, step: float = 0.01) -> Iterator[None]:
    """Move a fake clock `step` seconds on each pass of the event loop, `total` in all.

    For waits with a timeout (`shutdown(timeout=...)`): they wait on the queue's clock, so
    a wait of 0.05 s ends after five passes of the loop, in no real time. Once `total` has
    passed the clock stands still, so a later wait ends only when its condition holds.
    """
    timer = QTimer()
    timer.setInterval(0)
    end = clock.now() + total

    def tick() -> None:
        clock.advance(max(0.0, min(step, end - clock.now())))
        if clock.now() >= end:
            timer.stop()

    timer.timeout.connect(tick)
    timer.start()
    try:
        yield
    finally:
        timer.stop()
