"""Canary for the PySide6 6.12.0 crash on CPython 3.11 (why pyproject pins <6.12).

In 6.12.0 every Python override called from C++ that returns None (QUndoCommand.redo/undo,
QRunnable.run, paint methods) loses a reference to None; after a few thousand calls the
process dies with "Fatal Python error: none_dealloc". This test makes 20,000+ such calls in
a child process (so a crash is reported, not fatal to the test run) and also checks that
None's reference count did not drain, which catches the bug long before the crash.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import os, sys
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QRunnable, QThreadPool
    from PySide6.QtGui import QUndoCommand, QUndoStack

    app = QCoreApplication([])
    calls = 0

    class Command(QUndoCommand):
        def redo(self):
            global calls
            calls += 1

        def undo(self):
            global calls
            calls += 1

    class Task(QRunnable):
        def run(self):
            pass

    stack = QUndoStack()
    for _ in range(5000):
        stack.push(Command("step"))  # redo()
    # Measured from here: creating wrappers legitimately holds references to None.
    before = sys.getrefcount(None)
    for _ in range(5000):
        stack.undo()
    for _ in range(5000):
        stack.redo()
    pool = QThreadPool()
    for _ in range(6000):
        pool.start(Task())
    pool.waitForDone()
    calls += 6000
    drift = before - sys.getrefcount(None)
    print(f"calls={calls} none_drift={drift}")
    """
)


def test_pyside_overrides_called_from_cpp_do_not_leak_none() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"child crashed ({result.returncode}): {result.stderr[-2000:]}"
    fields = dict(part.split("=") for part in result.stdout.split())
    assert int(fields["calls"]) >= 20_000
    # Losing one reference per call would show as a drift of ~16,000.
    assert int(fields["none_drift"]) < 1000, result.stdout
