"""THE JOURNAL KILL TEST: SIGKILL a journaling process at random moments, 200 times.

See tests/journal/killrun.py for the design. After every kill, recovery yields exactly
the document (and history index) after some prefix of the scripted operations, and that
prefix includes every operation done more than 100 ms before the kill. bench/
bench_kill_journal.py runs the same 1,000 times and prints the figures.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.journal.killrun import Tally, lane

LANES = 2
RUNS_PER_LANE = 100
SEED = 20261203


@pytest.mark.slow
def test_kill_9_loses_nothing_older_than_100_ms(tmp_path: Path) -> None:
    with ThreadPoolExecutor(LANES) as pool:
        futures = [pool.submit(lane, tmp_path / f"lane{n}", SEED + n, RUNS_PER_LANE)
                   for n in range(LANES)]  # fmt: skip
        total = Tally()
        for future in futures:
            total.add(future.result())
    print(f"\njournal kill test: {total.runs} kills, {total.ops_done} operations done, "
          f"{total.lost_recent} runs lost their newest (<100 ms old) operations, "
          f"oldest lost {total.max_lost_age * 1000:.1f} ms")  # fmt: skip
    assert total.failures == []
    assert total.runs == LANES * RUNS_PER_LANE
    assert total.ops_done > total.runs  # the kills landed mid-session, not before it
