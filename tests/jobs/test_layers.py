"""editor.jobs stays below documents and widgets (the import-linter contract, checked live)."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = (
    "PySide6.QtWidgets",
    "PySide6.QtGui",
    "editor.model",
    "editor.commands",
    "editor.io",
    "editor.history",
    "editor.ui",
)


def test_importing_the_jobs_package_pulls_in_no_documents_and_no_gui() -> None:
    code = (
        f"import sys, editor.jobs\nprint([m for m in sys.modules if m.startswith({FORBIDDEN!r})])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "[]"
