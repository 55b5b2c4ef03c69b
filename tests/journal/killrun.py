"""Kill a journaling Strata process at random moments and check what recovery gives back.

Used by tests/journal/test_kill_journal.py (200 runs) and bench/bench_kill_journal.py
(1,000). Each run starts `child.py` on a fresh journal, waits for its ``ready`` line,
and a `threading.Timer` SIGKILLs it after a seeded random delay (0-`MAX_DELAY` s) while
this thread reads the child's ``op N T`` lines until EOF (its death): no sleeping, no
polling. The delay is the experiment's input. Then, in this process:

* the journal opens without a problem and holds exactly one document, left ``open`` by
  a process that is gone (so it is what the recovery bar would offer, when modified);
* rebuilding it gives exactly the document and history index after some operation j
  of the same script replayed here (script.states), with j at least the last operation
  printed more than `GUARANTEE` s before the kill, and at most one past the last printed.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from editor.journal import Journal
from tests.journal.script import states, write_base

CHILD = Path(__file__).with_name("child.py")
ROOT = Path(__file__).resolve().parents[2]
#: Anything pushed longer ago than this before a kill must be recovered.
GUARANTEE = 0.100
MAX_DELAY = 0.250
#: A child still alive this long after starting is hung: kill it and fail.
CHILD_LIMIT = 30.0


@dataclass
class Tally:
    runs: int = 0
    ops_done: int = 0
    #: Operations recovered beyond the guarantee (done < 100 ms before the kill).
    beyond: int = 0
    #: Runs where the last printed operation was not recovered (it was < 100 ms old).
    lost_recent: int = 0
    #: Longest age (s) of an operation that was not recovered.
    max_lost_age: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.runs += other.runs
        self.ops_done += other.ops_done
        self.beyond += other.beyond
        self.lost_recent += other.lost_recent
        self.max_lost_age = max(self.max_lost_age, other.max_lost_age)
        self.failures.extend(other.failures)


def one_run(folder: Path, base: Path, seed: int, delay: float) -> Tally:
    tally = Tally(runs=1)
    db = folder / f"journal-{seed}.sqlite3"
    with subprocess.Popen(
        [sys.executable, str(CHILD), str(db), str(base), str(seed), "100000"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    ) as proc:  # fmt: skip
        ops, killed_at = _watch(proc, delay, seed, tally)
    if tally.failures:
        return tally
    return _check(db, seed, ops, killed_at, tally)


def _watch(proc: subprocess.Popen[str], delay: float, seed: int,
           tally: Tally) -> tuple[list[tuple[int, float]], list[float]]:  # fmt: skip
    guard = threading.Timer(CHILD_LIMIT, proc.kill)
    guard.start()
    killed_at: list[float] = []

    def kill() -> None:
        killed_at.append(time.monotonic())
        proc.kill()

    timer = threading.Timer(delay, kill)
    ops: list[tuple[int, float]] = []
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if first.strip() != "ready":
            tally.failures.append(f"seed {seed}: child said {first!r}")
            return ops, killed_at
        timer.start()
        for line in proc.stdout:
            parts = line.split()
            if parts and parts[0] == "op":
                ops.append((int(parts[1]), float(parts[2])))
        proc.wait()
    finally:
        timer.cancel()
        guard.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return ops, killed_at


def _check(db: Path, seed: int, ops: list[tuple[int, float]], killed_at: list[float],
           tally: Tally) -> Tally:  # fmt: skip
    if not killed_at:
        tally.failures.append(f"seed {seed}: the child ended before it was killed")
        return tally
    kill_time = killed_at[0]
    last = ops[-1][0] if ops else 0
    required = max((n for n, t in ops if t < kill_time - GUARANTEE), default=0)
    tally.ops_done = last
    expected = states(seed, last + 1)
    journal = Journal(db)
    try:
        if journal.problem is not None:
            tally.failures.append(f"seed {seed}: journal problem {journal.problem}")
            return tally
        docs = journal.documents()
        if (
            len(docs) != 1
            or docs[0].state != "open"
            or journal.recoverable() != ([docs[0]] if docs[0].modified else [])
        ):
            tally.failures.append(f"seed {seed}: journal lists {docs}")
            return tally
        rebuilt = journal.load(docs[0].id)
    finally:
        journal.close()
    got = (rebuilt.document.snapshot(), rebuilt.index)
    matches = [j for j in range(len(expected) - 1, -1, -1) if expected[j] == got]
    if not matches or matches[0] < required:
        tally.failures.append(
            f"seed {seed}: recovered state is op {matches[:1] or 'none'},"
            f" needed at least op {required} of {last} printed"
        )
        return tally
    j = matches[0]
    tally.beyond = max(0, j - required)
    if j < last:
        tally.lost_recent += 1
        lost = [t for n, t in ops if n > j]
        tally.max_lost_age = max(tally.max_lost_age, kill_time - min(lost))
    return tally


def lane(folder: Path, seed: int, runs: int) -> Tally:
    folder.mkdir(parents=True, exist_ok=True)
    base = write_base(folder)
    rng = random.Random(seed)
    tally = Tally()
    for n in range(runs):
        run_seed = seed * 100_000 + n
        tally.add(one_run(folder, base, run_seed, rng.uniform(0, MAX_DELAY)))
        for leftover in folder.glob(f"journal-{run_seed}.sqlite3*"):
            leftover.unlink()
    return tally


def crash(db: Path, file: Path | str, seed: int, ops: int) -> None:
    """Run the scripted session for `ops` operations, then SIGKILL the child (a crash)."""
    with subprocess.Popen(
        [sys.executable, str(CHILD), str(db), str(file), str(seed), str(ops), "hold"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    ) as proc:  # fmt: skip
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "done":
                break
        else:
            raise AssertionError("the child ended before its script did")
        proc.kill()
        proc.wait()


class Holder:
    """A live journaling process that has `file` open (the lock), until `release()`."""

    def __init__(self, db: Path, file: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(db), str(file), "1", "0", "hold"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.strip() == "done":
                return
        raise AssertionError("the holder ended early")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def release(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait()
        self.proc.stdout.close()
