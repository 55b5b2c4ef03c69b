"""Two processes saving one file for 30 s: how many saves, how many failed (target 0).

Run: .venv/bin/python bench/bench_two_writers.py [--seconds 30] [--rounds 1]
Each round starts two racers (tests/faults/racer.py) on one path in a fresh folder and
lets them save a 20-shape document as fast as they can; tests/faults/test_two_writers.py
runs the same loop for 5 s in the suite. Before the fix 0.06-1.2 % of saves failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.faults.test_two_writers import run_race


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(f"{'round':>5} {'seconds':>8} {'saves A':>8} {'saves B':>8} {'failed':>7} {'rate':>8}")
    failed_total = 0
    for n in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "shared"
            folder.mkdir()
            race = run_race(folder / "drawing.strata", args.seconds)
        total = sum(race.saves)
        failed = len(race.failures)
        failed_total += failed
        print(f"{n:>5} {args.seconds:>8.0f} {race.saves[0]:>8} {race.saves[1]:>8} "
              f"{failed:>7} {failed / total:>8.3%}")  # fmt: skip
        for failure in race.failures[:3]:
            print(f"      {failure[:110]}")
    return 1 if failed_total else 0


if __name__ == "__main__":
    sys.exit(main())
