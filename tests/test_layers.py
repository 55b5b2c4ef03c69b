"""Which Qt modules each layer may import (import-linter cannot express this one).

ARCHITECTURE.md: jobs use QtCore only; history and io use no widgets; model and commands
use no Qt at all (also enforced by import-linter and by the run without PySide6).

One exception, for one module: `editor/io/native.py` may import ``shiboken6``, the
binding's runtime (not a Qt module, and no widgets). It needs
``shiboken6.getCppPointer`` to call ``QPainter::end()`` through ctypes, which releases
the GIL; PySide6's own ``QPainter.end()`` holds it for seconds at the end of a large PDF
export and freezes the GUI thread (docs/architecture.md, "Save and export jobs"). The
rest of `editor.io` must not import it: poking at C++ pointers stays in the one place
that documents why it is safe, and a bare ``shiboken6`` import anywhere else still
counts as "any Qt".
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
    "journal": set(),
}
#: Single modules allowed more than their layer, and what (see the module docstring).
EXCEPTIONS = {
    "io/native.py": {"shiboken6"},
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
            elif parts[0] == "shiboken6":
                found.add("shiboken6")
            elif parts[0] == "PySide6" and len(parts) == 1:
                found.add("*")
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED_QT))
def test_layer_imports_only_its_qt_modules(layer: str) -> None:
    offenders = {}
    for path in sorted((ROOT / layer).rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        extra = qt_modules(path) - ALLOWED_QT[layer] - EXCEPTIONS.get(name, set())
        if extra:
            offenders[name] = sorted(extra)
    assert offenders == {}


def test_only_the_native_module_of_io_uses_shiboken() -> None:
    users = sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "io").rglob("*.py")
        if "shiboken6" in qt_modules(path)
    )
    assert users == ["io/native.py"]


def test_the_scanner_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\nimport PySide6.QtGui\n")
    assert qt_modules(sample) == {"QtWidgets", "QtGui"}
    sample.write_text("import shiboken6\nfrom shiboken6 import Shiboken\nimport PySide6\n")
    assert qt_modules(sample) == {"shiboken6", "*"}
