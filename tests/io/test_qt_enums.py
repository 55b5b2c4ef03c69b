"""An export on a worker thread creates no Qt enum (see editor/io/qt_enums.py).

Run in a fresh interpreter, since this test process has made most enums already: it
records every enum created by Python's functional API, imports the exporters, and exports
a drawing with every kind to PNG, SVG and PDF on a worker thread.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import enum, threading, sys, pathlib
made = []
create = enum.EnumType._create_
def spy(cls, class_name, *args, **kwargs):
    made.append((threading.current_thread().name, class_name))
    return create(cls, class_name, *args, **kwargs)
enum.EnumType._create_ = spy
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
from editor.io.export import export
from editor.io.format import load
import editor.samples
doc = load(editor.samples.path("shapes.strata"))
out = pathlib.Path(sys.argv[1])
def work():
    for fmt in ("png", "svg", "pdf"):
        export(doc, out / f"drawing.{fmt}", fmt)
worker = threading.Thread(target=work, name="worker")
worker.start()
worker.join()
print(sorted({name for thread, name in made if thread == "worker"}))
"""


def test_an_export_on_a_worker_thread_creates_no_qt_enum(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], check=False,
                          capture_output=True, text=True, timeout=120, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert {p.suffix for p in tmp_path.iterdir()} == {".png", ".svg", ".pdf"}
