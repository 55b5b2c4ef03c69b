"""Loader fuzzing campaign: hostile files against the documentation's oracle.

Run: .venv/bin/python bench/bench_fuzz.py [--examples 50000]
The same check as tests/io/test_fuzz_format.py (which runs 2,000 in CI), for as many
examples as asked, seeded: prints a table of what was generated, accepted and refused,
the most common errors, and the speed. Exits 1 on the first disagreement (printed).
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, settings

from editor.io.format import FormatError, decode
from tests.fuzz_documents import hostile_files
from tests.io.test_fuzz_format import check_one


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=50_000)
    parser.add_argument(
        "--collect", action="store_true",
        help="count disagreements by kind instead of stopping at the first (old loaders)",
    )  # fmt: skip
    args = parser.parse_args()
    accepted = 0
    errors: collections.Counter[str] = collections.Counter()
    disagreements: collections.Counter[str] = collections.Counter()
    sizes: list[int] = []

    @settings(
        max_examples=args.examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(hostile_files())
    def run(data: bytes) -> None:
        nonlocal accepted
        sizes.append(len(data))
        try:
            ok = check_one(data)
        except AssertionError as exc:
            if not args.collect:
                raise
            disagreements[re.sub(r"'.*'|\d+", "#", str(exc).partition("\n")[0])[:90]] += 1
            return
        if ok:
            accepted += 1
            return
        try:
            decode(data)
        except FormatError as exc:  # the kind of error, without values and numbers
            kind = re.sub(r"'.*'|\d+", "#", exc.message)
            errors[kind[:70]] += 1

    started = time.perf_counter()
    try:
        run()
    except AssertionError as exc:
        print(f"DISAGREEMENT after {len(sizes)} examples:\n{exc}")
        return 1
    elapsed = time.perf_counter() - started
    n = len(sizes)
    print(f"{'examples':<28}{n:>10}")
    print(f"{'accepted (valid per doc)':<28}{accepted:>10}  {accepted / n:6.1%}")
    print(f"{'refused (one clean line)':<28}{n - accepted:>10}  {(n - accepted) / n:6.1%}")
    print(f"{'distinct error kinds':<28}{len(errors):>10}")
    print(f"{'file size median / max (B)':<28}{sorted(sizes)[n // 2]:>10} / {max(sizes)}")
    print(f"{'time (s)':<28}{elapsed:>10.1f}  ({n / elapsed:,.0f} files/s)")
    if args.collect:
        print(f"{'disagreements':<28}{sum(disagreements.values()):>10}")
        for kind, count in disagreements.most_common(20):
            print(f"{count:>8}  {kind}")
    print("\nmost common errors:")
    for kind, count in errors.most_common(25):
        print(f"{count:>8}  {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
