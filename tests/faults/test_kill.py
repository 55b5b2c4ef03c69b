"""THE KILL TEST: SIGKILL a process at random moments while it saves, hundreds of times.

Design
    A child process (`writer.py`, no Qt) saves documents A and B (2,000 shapes each, ~350
    kB) in turn through `editor.io.format.save` -> `write_atomic`, in a loop, until killed.
    Each round starts a fresh child, waits for its "ready" line on stdout (printed after
    one complete save, just before the loop), then kills it with SIGKILL after a random
    delay of 0-30 ms drawn from a seeded `random.Random`: a few saves' worth, so kills land
    in every phase (encoding, writing, fsync, rename, between saves). The delay is a
    `threading.Timer` in the test process that calls `Popen.kill()` while the test blocks
    reading the child's stdout until EOF (the child's death): no sleeping, no polling,
    and the kill comes from outside at an arbitrary instruction, not from a thread inside
    the child that would need the GIL. The delay is the experiment's input, not a wait for
    something to happen; a guard timer kills a child that hangs, so the test fails
    instead of hanging.

After every kill
    * the target decodes (`load`) to exactly A or B: never torn, empty or a mix;
    * if the killed write left its temp file, that file is a prefix of the document being
      written, and the target is the other one (the last complete save survives);
    * the folder holds the target and at most that one temp file: the next child's first
      save removes it (`write_atomic` deletes temp files of dead writers, see
      editor/io/atomic.py), so temp files never accumulate.

Children alternate which document they save first, so both A and B are seen whatever the
machine's speed. Two lanes (folders) run side by side to use both cores; each lane has its
own seed, so a failure names its lane, round and delay and reproduces.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from editor.io.format import encode, load
from editor.model import Snapshot

from .writer import documents

WRITER = Path(__file__).with_name("writer.py")
NAME = "drawing.strata"
#: write_atomic's temp files: ".<name>." + mkstemp's 8 random characters + ".tmp".
TEMP = re.compile(re.escape(f".{NAME}.") + r"[a-z0-9_]{8}\.tmp")
KILLS_PER_LANE = 125
LANES = 2
SEED = 20261128
MAX_DELAY = 0.030
#: A child that has not died this long after starting is hung: kill it and fail.
CHILD_LIMIT = 30.0


@dataclass
class Tally:
    """What the kills found, for the summary line (and the coverage asserts)."""

    rounds: int = 0
    target: Counter[str] = field(default_factory=Counter)
    mid_write: int = 0
    saves: Counter[int] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        self.rounds += other.rounds
        self.target.update(other.target)
        self.mid_write += other.mid_write
        self.saves.update(other.saves)


@dataclass
class Round:
    returncode: int | None
    saves: int
    stderr: str


def child_env(cache: Path) -> dict[str, str]:
    """Let the children share compiled bytecode in `cache` (a third of their start-up)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def run_and_kill(folder: Path, first: int, delay: float, log: Path) -> Round:
    """Start a writer, wait for "ready", kill it `delay` seconds later; wait for its death."""
    with log.open("wb") as err:
        child = subprocess.Popen(
            [sys.executable, str(WRITER), str(folder / NAME), str(first)],
            stdout=subprocess.PIPE,
            stderr=err,
            bufsize=0,  # raw pipe: readline() reads no further than "ready\n"
            env=child_env(log.parent / "pycache"),
        )
    hung = threading.Event()

    def expire() -> None:
        hung.set()
        child.kill()

    guard = threading.Timer(CHILD_LIMIT, expire)
    killer = threading.Timer(delay, child.kill)
    guard.start()
    try:
        assert child.stdout is not None
        ready = child.stdout.readline()
        if ready == b"ready\n":
            killer.start()
        rest = child.stdout.read()  # returns at EOF: the child is dead
        child.wait()
    finally:
        killer.cancel()
        guard.cancel()
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
    if killer.is_alive():
        killer.join()
    guard.join()
    stderr = log.read_text(errors="replace")
    assert not hung.is_set(), f"the writer hung:\n{stderr}"
    assert ready == b"ready\n", f"the writer never got ready ({ready!r}):\n{stderr}"
    return Round(child.returncode, (rest or b"").count(b"saved "), stderr)


def check_folder(
    folder: Path, docs: tuple[Snapshot, Snapshot], encoded: tuple[bytes, bytes]
) -> tuple[int, str | None]:
    """Assert the invariants after a kill; return (which document, the temp file's name)."""
    names = sorted(os.listdir(folder))
    assert NAME in names, names
    temps = [n for n in names if n != NAME]
    assert all(TEMP.fullmatch(n) for n in temps), f"unexpected files: {names}"
    assert len(temps) <= 1, f"temp files accumulate: {names}"
    snapshot = load(folder / NAME)  # FormatError if torn, truncated or empty
    assert snapshot in docs, "the target is neither document A nor document B"
    which = docs.index(snapshot)
    if temps:
        partial = (folder / temps[0]).read_bytes()
        writing = [n for n in (0, 1) if encoded[n].startswith(partial)]
        assert writing, "the temp file is not a prefix of either document"
        if len(writing) == 1:  # long enough to tell which save was killed
            assert which != writing[0], "the killed save replaced the target anyway"
    return which, temps[0] if temps else None


def lane(number: int, folder: Path, logs: Path) -> Tally:
    rng = random.Random(SEED + number)
    docs = documents()
    encoded = (encode(docs[0]), encode(docs[1]))
    folder.mkdir()
    tally = Tally()
    previous: str | None = None
    for k in range(KILLS_PER_LANE):
        first = k % 2
        delay = rng.uniform(0.0, MAX_DELAY)
        where = f"lane {number}, round {k}, delay {delay * 1000:.1f} ms"
        result = run_and_kill(folder, first, delay, logs / f"lane{number}.stderr")
        assert result.returncode == -signal.SIGKILL, (where, result.returncode, result.stderr)
        which, temp = check_folder(folder, docs, encoded)
        assert previous is None or previous != temp, f"{where}: an old temp file survived"
        previous = temp
        tally.rounds += 1
        tally.target["AB"[which]] += 1
        tally.mid_write += temp is not None
        tally.saves[result.saves] += 1
    # A child that finishes normally: one complete save cleans up after the last kill.
    done = subprocess.run(
        [sys.executable, str(WRITER), str(folder / NAME), "0", "1"],
        capture_output=True,
        timeout=CHILD_LIMIT,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert sorted(os.listdir(folder)) == [NAME]
    assert load(folder / NAME) == docs[1]
    return tally


def test_sigkill_at_random_moments_never_tears_the_file_or_leaks_temp_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    with ThreadPoolExecutor(LANES) as pool:
        futures = [pool.submit(lane, n, tmp_path / f"lane{n}", logs) for n in range(LANES)]
        tallies = [f.result() for f in futures]
    total = Tally()
    for tally in tallies:
        total.add(tally)
    assert total.rounds == LANES * KILLS_PER_LANE
    assert total.target["A"] > 0 and total.target["B"] > 0
    assert total.mid_write > 0, "no kill landed during a write: the experiment missed"
    with capsys.disabled():
        print(
            f"\nkill test: {total.rounds} SIGKILLs; target A {total.target['A']}, "
            f"B {total.target['B']}; killed mid-write (temp file left) {total.mid_write}; "
            f"saves completed before the kill: {dict(sorted(total.saves.items()))}"
        )
