"""The journal kill test at bench size: 1,000 SIGKILLs of a journaling process.

Run: .venv/bin/python bench/bench_kill_journal.py [RUNS]   (default 1,000, two lanes)

Same runs as tests/journal/test_kill_journal.py (200 there; design in
tests/journal/killrun.py): after each kill, recovery must give exactly the document and
history index after some prefix of the scripted operations that includes every operation
done more than 100 ms before the kill. Prints the figures; exits 1 if any run failed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.journal.killrun import GUARANTEE, MAX_DELAY, Tally, lane

LANES = 2
SEED = 20261204


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(LANES) as pool:
        per_lane = [runs // LANES + (1 if n < runs % LANES else 0) for n in range(LANES)]
        futures = [pool.submit(lane, Path(tmp) / f"lane{n}", SEED + n, count)
                   for n, count in enumerate(per_lane)]  # fmt: skip
        total = Tally()
        for future in futures:
            total.add(future.result())
    seconds = time.perf_counter() - started
    print("| measure                                             |      value |")
    print(f"|{'-' * 53}|{'-' * 12}|")
    rows = [
        (f"kills (SIGKILL at 0-{MAX_DELAY * 1000:.0f} ms after ready)", f"{total.runs}"),
        ("operations done before the kills (total)", f"{total.ops_done}"),
        (f"runs that lost an operation older than {GUARANTEE * 1000:.0f} ms",
         f"{len(total.failures)}"),
        ("runs that lost their newest (< 100 ms old) operations", f"{total.lost_recent}"),
        ("oldest operation lost (age at the kill)", f"{total.max_lost_age * 1000:.1f} ms"),
        ("wall time", f"{seconds:.0f} s"),
    ]  # fmt: skip
    for name, value in rows:
        print(f"| {name:<51} | {value:>10} |")
    for failure in total.failures[:10]:
        print("FAILED:", failure)
    return 1 if total.failures else 0


if __name__ == "__main__":
    sys.exit(main())
