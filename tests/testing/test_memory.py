"""500 windows in a row, one per test, leave memory flat: each test's window, dialogs and
queue are really deleted (before the fix, memory grew ~0.5 MB per test: a lambda held
every window through C++, and deferred deletes never ran between tests)."""

from __future__ import annotations

import pytest

WINDOWS = 500
WARM_UP = 50  # allocator pools, fonts and Python's caches settle during the first tests
MAX_GROWTH_MB = 20.0

CONFTEST = """
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
PAGE = os.sysconf("SC_PAGE_SIZE")


def pytest_runtest_logfinish(nodeid, location):
    with open("/proc/self/statm") as statm:
        resident = int(statm.read().split()[1]) * PAGE
    with open("rss.txt", "a") as out:
        out.write(f"{resident}\\n")
"""

TESTS = f"""
import pytest

from editor.testing import draw_shape


@pytest.mark.parametrize("n", range({WINDOWS}))
def test_a_window(strata_window, n):
    window = strata_window()
    draw_shape(window, "rect", (10, 10), (110, 60))
    window.show_jobs()
"""


@pytest.mark.slow
def test_500_windows_in_a_row_leave_memory_flat(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_windows=TESTS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", timeout=600)
    result.assert_outcomes(passed=WINDOWS)
    rss = [int(line) for line in (pytester.path / "rss.txt").read_text().split()]
    assert len(rss) == WINDOWS
    growth = (rss[-1] - rss[WARM_UP - 1]) / 2**20
    print(f"RSS after test {WARM_UP}: {rss[WARM_UP - 1] / 2**20:.1f} MB, after "
          f"{WINDOWS}: {rss[-1] / 2**20:.1f} MB, growth {growth:.1f} MB")  # fmt: skip
    assert growth <= MAX_GROWTH_MB
