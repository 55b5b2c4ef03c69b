"""Test configuration shared by every test.

Qt runs headless (offscreen) unless the caller chose a platform. When STRATA_NO_QT is set
(tests/run_without_qt.py), PySide6 cannot be imported at all: the core's tests must pass
without it.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Qt prints a warning when XDG_RUNTIME_DIR is unset; with qt_log_level_fail that fails tests.
os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp/strata-test-runtime")
os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
# Strata's journal lives under XDG_DATA_HOME (QStandardPaths' AppDataLocation): tests, and
# every strata process they start, use a temporary one, never the person's.
if not os.environ.get("STRATA_TEST_DATA_HOME"):
    import atexit
    import shutil
    import tempfile

    os.environ["STRATA_TEST_DATA_HOME"] = tempfile.mkdtemp(prefix="strata-test-data-")
    atexit.register(shutil.rmtree, os.environ["STRATA_TEST_DATA_HOME"], ignore_errors=True)
os.environ["XDG_DATA_HOME"] = os.environ["STRATA_TEST_DATA_HOME"]


#: tests/downstream is a separate project (its own conftest and pytest.ini), run against a
#: non-editable install by tests/testing/test_downstream.py, never collected here.
collect_ignore = ["downstream"]


def pytest_addoption(parser: object) -> None:
    """`--fuzz`: run the loader fuzzer (tests/io/test_fuzz_format.py) with 50,000 examples."""
    parser.addoption(  # type: ignore[attr-defined]
        "--fuzz", action="store_true", default=False, help="run the long fuzzing campaigns"
    )


if not os.environ.get("STRATA_NO_QT"):
    from collections.abc import Iterator

    import pytest
    from PySide6.QtCore import QThreadPool

    from editor.jobs import live_queues

    @pytest.fixture(autouse=True)
    def no_leaked_threads() -> Iterator[None]:
        """Fail a test that leaves a job queue or a global-pool thread running."""
        yield
        leaked = live_queues()
        for queue in leaked:
            queue.shutdown(timeout=1.0, cancel_wait=1.0)
        pool = QThreadPool.globalInstance()
        busy = pool.activeThreadCount()
        pool.waitForDone(2000)
        if leaked:
            pytest.fail(f"{len(leaked)} job queue(s) left running: call shutdown()")
        if busy:
            pytest.fail(f"{busy} QThreadPool.globalInstance() thread(s) still running")
