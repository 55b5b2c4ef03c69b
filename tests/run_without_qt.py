"""Run the core's tests in a process where PySide6 cannot be imported.

The model, the commands and the file format must not need Qt (ARCHITECTURE.md). A meta
path finder refuses PySide6 and shiboken6 before anything is imported, and pytest runs
without the pytest-qt and strata plugins.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from pathlib import Path

import pytest

CORE_TESTS = [
    "tests/model",
    "tests/commands",
    "tests/io/test_format.py",
    "tests/io/test_format_strict.py",
    "tests/io/test_atomic.py",
]


class _RefuseQt(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname.split(".", maxsplit=1)[0] in {"PySide6", "shiboken6"}:
            raise ImportError(f"{fullname} is blocked: the core must not import Qt")


def main() -> int:
    sys.meta_path.insert(0, _RefuseQt())
    os.environ["STRATA_NO_QT"] = "1"
    root = Path(__file__).resolve().parent.parent
    os.chdir(root)
    args = [
        "-p", "no:pytest-qt", "-p", "no:strata", "-p", "no:cacheprovider",
        "-W", "ignore::pytest.PytestConfigWarning",
        "-o", "qt_log_level_fail=",
        *sys.argv[1:],
        *[t for t in CORE_TESTS if (root / t).exists()],
    ]  # fmt: skip
    code = pytest.main(args)
    if any(name.split(".")[0] in {"PySide6", "shiboken6"} for name in sys.modules):
        print("error: PySide6 was imported during the core tests", file=sys.stderr)
        return 1
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
