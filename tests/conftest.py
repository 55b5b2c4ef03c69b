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
