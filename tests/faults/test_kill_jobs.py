"""Kill -9 a Strata process while its stored jobs are queued, running and waiting for a
retry, 100 times; after each, the next start finishes every job, exactly once in effect.

Each run starts `jobs_child.py` on a fresh database: a job queue on the SQLite job store
(the window's), submitting saves and PNG/SVG exports of different drawings, one in three
failing its first write so that it waits for a retry. When the child prints ``ready`` a
`threading.Timer` SIGKILLs it after a seeded random delay (0-`MAX_DELAY` s) while this
thread reads its lines until EOF (no sleeping, no polling; the delay is the experiment's
input). Then, here, as the next Strata start does: open the store, `restore()`, run until
idle. After every run:

* every job accepted more than `GUARANTEE` before the kill is in the store, and it
  succeeded: interrupted jobs ran again (at-least-once), finished ones stayed finished;
  none is lost, none dead (a restored job writes through the real disk);
* each target holds exactly what its job writes (a save decodes to its drawing; an
  export equals the same export made here), so a job that ran twice wrote the same bytes;
* no temp file is left in the output folder.

Figures (how many jobs were found in each state when the store was reopened) are printed
with -s.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from editor.io.format import load
from editor.io.tasks import ExportJob
from editor.jobs import JobLog, JobQueue, JobState, RetryPolicy
from editor.journal import Journal
from editor.ui.job_history import open_job_history
from tests.faults.jobs_child import document, target

CHILD = Path(__file__).with_name("jobs_child.py")
RUNS = int(__import__("os").environ.get("KILL_JOB_RUNS", "100"))
JOBS = 9
SEED = 20261203
MAX_DELAY = 0.400
#: A job accepted longer ago than this before the kill must be in the store.
GUARANTEE = 0.100
CHILD_LIMIT = 30.0
TEMP = re.compile(r"^\..*\.tmp$")


def expected_export(folder: Path, i: int) -> bytes:
    """The bytes job i's export writes, made here once."""
    path = target(folder, i)
    if not path.exists():
        job = ExportJob(document(i), path)
        job.run(_NoContext())
    return path.read_bytes()


class _NoContext:
    """What ExportJob.run asks of its context, for an export made directly."""

    def check(self) -> None:
        return None

    def progress(self, fraction: float, message: str = "") -> None:
        return None


def run_child(
    database: Path, out: Path, delay: float
) -> tuple[dict[int, tuple[Path, float]], float]:
    """Start the child, kill it `delay` s after ``ready``: (job id -> (target, accepted
    at), the kill's time)."""
    errors = out / "child-stderr.txt"
    with errors.open("w") as stderr:
        child = subprocess.Popen([sys.executable, str(CHILD), str(database), str(out), str(JOBS)],
                                 stdout=subprocess.PIPE, stderr=stderr, text=True)  # fmt: skip
    guard = threading.Timer(CHILD_LIMIT, child.kill)
    guard.start()
    killed_at = [float("inf")]

    def kill() -> None:
        killed_at[0] = time.monotonic()
        child.kill()

    jobs: dict[int, tuple[Path, float]] = {}
    assert child.stdout is not None
    try:
        with child.stdout:
            for line in child.stdout:
                now = time.monotonic()
                if line.startswith("job "):
                    _, job_id, path = line.split(maxsplit=2)
                    jobs[int(job_id)] = (Path(path.strip()), now)
                elif line.strip() == "ready":
                    threading.Timer(delay, kill).start()
        child.wait()
    finally:
        guard.cancel()
    if killed_at[0] == float("inf"):
        tail = errors.read_text(errors="replace")[-2000:]
        pytest.fail(f"the child ended before it was killed (exit {child.returncode},"
                    f" {CHILD_LIMIT:.0f} s guard); its stderr ends:\n{tail}")  # fmt: skip
    errors.unlink()
    return jobs, killed_at[0]


@pytest.mark.slow
def test_kill_9_while_jobs_are_stored_loses_none_and_finishes_each_once(
    qapp: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    reference = tmp_path / "reference"
    reference.mkdir()
    found: Counter[str] = Counter()
    for run in range(RUNS):
        folder = tmp_path / f"run{run}"
        out = folder / "out"
        out.mkdir(parents=True)
        database = folder / "journal.sqlite3"
        delay = rng.uniform(0.0, MAX_DELAY)
        jobs, killed_at = run_child(database, out, delay)
        where = f"run {run} (delay {delay * 1000:.0f} ms)"

        journal = Journal(database)
        history = open_job_history(journal)
        assert history.store is not None, f"{where}: {history.problem}"
        queue = JobQueue(policy=RetryPolicy(max_attempts=3, base=0.0, cap=0.0),
                         store=history.store, kinds=history.kinds,
                         log=JobLog(folder / "logs", stderr=False))  # fmt: skip
        try:
            before = {job_id: _state(history.store, job_id) for job_id in jobs}
            found.update(before.values())
            queue.restore()
            assert queue.wait_until_idle(30.0), f"{where}: restored jobs did not finish"
            assert history.store.flush()
            for job_id, (path, accepted) in jobs.items():
                state = _state(history.store, job_id)
                if state == "missing":  # only a job accepted just before the kill
                    assert accepted >= killed_at - GUARANTEE, f"{where}: job {job_id} lost"
                    continue
                row = history.store.get(job_id)
                why = f"{row.error.type}: {row.error.message}" if row.error else ""
                assert state == JobState.SUCCEEDED.value, f"{where}: job {job_id} {state} {why}"
                i = int(re.sub(r"\D", "", path.stem))
                if path.suffix == ".strata":
                    assert load(path) == document(i), f"{where}: {path.name}"
                else:
                    assert path.read_bytes() == expected_export(reference, i), (
                        f"{where}: {path.name}"
                    )
            left = [p.name for p in out.iterdir() if TEMP.match(p.name)]
            assert not left, f"{where}: temp files left: {left}"
        finally:
            queue.shutdown(timeout=10)
            history.store.close()
            journal.close()
    with capsys.disabled():
        print(f"\nkill -9 x {RUNS}, states found at restart: {dict(sorted(found.items()))}")
    # The kills landed in every phase the issue names.
    assert found["queued"] and found["running"] and found["succeeded"]
    assert found["retry scheduled"]


def _state(store: object, job_id: int) -> str:
    try:
        return str(store.get(job_id).state.value)  # type: ignore[attr-defined]
    except KeyError:
        return "missing"
