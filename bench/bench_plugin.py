"""What installing Strata costs a pytest run that never uses its fixtures.

    .venv/bin/python bench/bench_plugin.py [--repeat 7]

Prints a table, asserts nothing. The target (issue 10): loading Strata's pytest plugin adds
nothing measurable to a project that does not use `strata_window` (before, it imported
pytest-qt, Qt and the editor: ~0.25 s and 15 MB per session).

Each run is a whole `python -m pytest -q` in a fresh process on a one-test project, with
the plugin (as installed) and with `-p no:strata`, interleaved; the table shows the median
wall time and the median peak RSS (the child's ru_maxrss), and the ratio. For scale, the
same project with a test that does use the fixture (Qt, one window).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAIN = "def test_nothing():\n    assert True\n"
WINDOW = "def test_window(strata_window):\n    strata_window()\n"


def run_once(folder: Path, *extra: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one pytest process."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
    proc = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"pytest failed in {folder}")
    return elapsed, usage.ru_maxrss / 1024


def project(root: Path, name: str, source: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "pytest.ini").write_text("[pytest]\n")
    (folder / f"test_{name}.py").write_text(source)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plain, window = project(root, "plain", PLAIN), project(root, "window", WINDOW)
        cases = {"plain, plugin loaded": (plain, ()),
                 "plain, -p no:strata": (plain, ("-p", "no:strata")),
                 "one strata_window test": (window, ())}  # fmt: skip
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.repeat):
            for name, (folder, extra) in cases.items():
                results[name].append(run_once(folder, *extra))
    print(f"{'pytest session':<26}{'wall s (median)':>17}{'peak RSS MB':>13}")
    medians = {}
    for name, rows in results.items():
        wall = statistics.median(r[0] for r in rows)
        rss = statistics.median(r[1] for r in rows)
        medians[name] = (wall, rss)
        print(f"{name:<26}{wall:>17.3f}{rss:>13.1f}")
    loaded, without = medians["plain, plugin loaded"], medians["plain, -p no:strata"]
    print(f"plugin cost: {loaded[0] - without[0]:+.3f} s ({loaded[0] / without[0]:.2f}x), "
          f"{loaded[1] - without[1]:+.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
