"""A child for the two-writer race: saves one document to TARGET again and again. No Qt.

    python racer.py TARGET SECONDS SEED

Builds a small document (different per SEED), prints "ready", waits for a line on stdin
(so both racers start together), then saves it through `editor.io.format.save` (the
chunked encoder and `write_atomic`, as a SaveJob does) until SECONDS have passed, and
prints one JSON line: {"saves": N, "failures": ["FileNotFoundError: ...", ...]}. Every
save that raises is a failure: two Strata processes saving one file must never fail each
other's saves (each save's rename wins or loses, whole).
"""

from __future__ import annotations

import json
import sys
import time

from writer import document  # run as a script: tests/faults is on sys.path

from editor.io.format import save

SHAPES = 20


def main(argv: list[str]) -> int:
    target, seconds, seed = argv[0], float(argv[1]), int(argv[2])
    doc = document(seed, SHAPES)
    print("ready", flush=True)
    sys.stdin.readline()
    saves, failures = 0, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            save(target, doc)
        except Exception as exc:  # reported to the test, which fails on any
            failures.append(f"{type(exc).__name__}: {exc}")
        saves += 1
    print(json.dumps({"saves": saves, "failures": failures}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
