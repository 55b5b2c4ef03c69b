"""Which Qt modules each layer may import (import-linter cannot express this one).

ARCHITECTURE.md: jobs use QtCore only; history and io use no widgets; model and commands
use no Qt at all (also enforced by import-linter and by the run without PySide6).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "editor"

ALLOWED_QT = {
    "model": set(),
    "commands": set(),
    "jobs": {"QtCore"},
    "history": {"QtCore", "QtGui"},
    "io": {"QtCore", "QtGui", "QtSvg"},
}


def qt_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "PySide6" and len(parts) > 1 and parts[1].startswith("Qt"):
                found.add(parts[1])
            elif parts[0] in {"PySide6", "shiboken6"} and len(parts) == 1:
                found.add("*")
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED_QT))
def test_layer_imports_only_its_qt_modules(layer: str) -> None:
    offenders = {}
    for path in sorted((ROOT / layer).rglob("*.py")):
        extra = qt_modules(path) - ALLOWED_QT[layer]
        if extra:
            offenders[str(path.relative_to(ROOT))] = sorted(extra)
    assert offenders == {}


def test_the_scanner_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\nimport PySide6.QtGui\n")
    assert qt_modules(sample) == {"QtWidgets", "QtGui"}
