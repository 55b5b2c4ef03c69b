"""A Strata editing process to kill: `child.py JOURNAL FILE SEED OPS [hold]`.

FILE ``-`` is an untitled drawing (script.base_snapshot, not from a file). With ``hold``
the child, once the script is done, prints ``done`` and waits, alive, until its stdin
closes (for a test to kill it there, or to hold a file open).

Opens FILE as Strata does (bytes, sha256, snapshot as the journal's base), journals into
JOURNAL through the real Journal and History, prints ``ready``, then runs the scripted
session (script.py), printing ``op N T`` after operation N, T = time.monotonic() (the
system-wide CLOCK_MONOTONIC, comparable with the parent's). A 1 ms pause between
operations stands for a fast person. Runs until killed (or the script ends: ``done``).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from editor.history import History
from editor.io.format import decode
from editor.journal import Journal
from editor.model import Document
from tests.journal.script import FakeClock, base_snapshot, run


def main() -> None:
    journal_path, file_path = sys.argv[1], Path(sys.argv[2])
    seed, ops = int(sys.argv[3]), int(sys.argv[4])
    journal = Journal(journal_path)
    clock = FakeClock()
    if str(file_path) == "-":
        snapshot = base_snapshot()
        recorder = journal.start(base=snapshot)
    else:
        data = file_path.read_bytes()
        snapshot = decode(data)
        sha = hashlib.sha256(data).hexdigest()
        recorder = journal.start(path=file_path.resolve(), sha256=sha, base=snapshot)
    history = History(Document(snapshot.page, snapshot.shapes), clock=clock)
    history.observer = recorder
    journal.flush()
    out = sys.stdout
    out.write("ready\n")
    out.flush()

    def after(n: int) -> None:
        out.write(f"op {n} {time.monotonic():.6f}\n")
        out.flush()
        time.sleep(0.001)

    run(history, clock, seed, ops, after)
    journal.flush()
    out.write("done\n")
    out.flush()
    if sys.argv[5:] == ["hold"]:
        sys.stdin.read()


if __name__ == "__main__":
    main()
