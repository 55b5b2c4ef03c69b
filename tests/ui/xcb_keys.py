"""Strata in a real xcb window that reports its state, for key tests through the X server.

    python tests/ui/xcb_keys.py SCENARIO [ARGS]

Run by tests/ui/test_xcb.py on Xvfb. The test sends real key events with xdotool (XTEST,
through the X server, to the focused window); this child sets a scene up the way a person
would and answers on stdout:

* prints ``READY`` once the window is shown, active and set up;
* for each ``state`` line on stdin prints one JSON line: the history index and count, the
  rectangle's stroke width, which region has the keyboard focus and that widget's name;
* exits 0 on ``quit`` (or at the end of stdin).

Scenarios: ``field`` (a rectangle selected, the Stroke width field focused), ``canvas``
(a rectangle selected, the Jobs dock shown, the canvas focused), ``marker`` (a line
selected, the End marker list focused), and ``fit W H KIND``
(no keys: the window at W x H with a KIND shape selected prints which Properties fields
are cut off on the right or cannot be scrolled to, then exits).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

from PySide6.QtCore import QPoint, QSettings, QSocketNotifier, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QScrollArea, QWidget

from editor.app import configure_application
from editor.commands import AddShapes
from editor.jobs import JobLog, JobQueue
from editor.model import line, rect, text
from editor.ui.main_window import MainWindow
from editor.ui.settings import Settings

SHAPES = {
    "rect": rect("r", 100, 100, 120, 80, fill="#ff0000"),
    "text": text("r", 100, 100, 300, 60, "Hello", font_family="DejaVu Sans", font_size=26),
    "line": line("r", 100, 100, 300, 160, stroke_width=3),
}


def region(window: MainWindow) -> str:
    focus = QApplication.focusWidget()
    for name, root in (("canvas", window.canvas), ("properties", window.properties),
                       ("history", window.history_panel), ("jobs", window.jobs_panel)):  # fmt: skip
        if focus is not None and (focus is root or root.isAncestorOf(focus)):
            return name
    return "none" if focus is None else f"other:{type(focus).__name__}"


def state(window: MainWindow) -> dict[str, object]:
    stack = window.undo_stack
    shape = window.document.get("r")
    focus = QApplication.focusWidget()
    return {
        "index": stack.index(),
        "count": stack.count(),
        "stroke_width": getattr(shape, "stroke_width", None),
        "end_marker": getattr(shape, "end_marker", None),
        "region": region(window),
        "focus": focus.accessibleName() if focus is not None else "",
        "widget": f"{type(focus).__name__}:{id(focus):x}",
        "text": focus.text() if hasattr(focus, "text") and callable(focus.text) else "",
        "active": window.isActiveWindow(),
    }


def cut_off(window: MainWindow) -> list[str]:
    """Properties fields cut off on the right, or below what scrolling can reach."""
    panel = window.properties
    area = panel.findChild(QScrollArea)
    assert area is not None
    viewport, content = area.viewport(), area.widget()
    reach = viewport.height() + area.verticalScrollBar().maximum()
    problems = []
    for field in panel.findChildren(QWidget):
        if field.focusPolicy() == Qt.FocusPolicy.NoFocus or not field.isVisibleTo(panel):
            continue
        if isinstance(field, QLineEdit):
            continue  # inside a spin box or combo box, which are checked
        right = field.mapTo(viewport, QPoint(field.width(), 0)).x()
        bottom = field.mapTo(content, QPoint(0, field.height())).y()
        if right > viewport.width():
            problems.append(f"{field.accessibleName()}: right edge {right} > {viewport.width()}")
        if bottom > reach:
            problems.append(f"{field.accessibleName()}: bottom {bottom} beyond {reach}")
    return problems


def main() -> int:
    scenario, args = sys.argv[1], sys.argv[2:]
    app = QApplication(["strata"])
    configure_application(app)
    folder = Path(tempfile.mkdtemp(prefix="strata-xcb-keys-"))
    settings = Settings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    jobs = JobQueue(log=JobLog(stderr=False, file=False))
    window = MainWindow(settings=settings, jobs=jobs)
    kind = args[2] if scenario == "fit" else "line" if scenario == "marker" else "rect"
    if scenario == "fit":
        window.resize(int(args[0]), int(args[1]))
    else:
        window.resize(1200, 800)
    window.move(0, 0)
    window.show()
    code = {"value": 0}

    def finish(value: int = 0) -> None:
        code["value"] = value
        window.discard_and_close()
        app.exit(value)

    def stage() -> None:
        window.activateWindow()
        session = window.session
        session.push(AddShapes((SHAPES[kind],)))
        session.selection.set(["r"])
        app.processEvents()
        if scenario == "fit":
            print(json.dumps({"cut_off": cut_off(window)}), flush=True)
            finish()
            return
        if scenario == "canvas":
            window.show_jobs()
            window.canvas.setFocus(Qt.FocusReason.OtherFocusReason)
        elif scenario == "field":
            window.properties.stroke_width.setFocus(Qt.FocusReason.OtherFocusReason)
        elif scenario == "marker":
            window.properties.end_marker.setFocus(Qt.FocusReason.OtherFocusReason)
        QTimer.singleShot(200, ready)

    def ready() -> None:
        if not window.isActiveWindow():
            QTimer.singleShot(100, ready)
            return
        print("READY", flush=True)

    def command() -> None:
        line_ = sys.stdin.readline()
        if not line_ or line_.strip() == "quit":
            notifier.setEnabled(False)
            finish()
        elif line_.strip() == "state":
            print(json.dumps(state(window)), flush=True)

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.setEnabled(scenario != "fit")  # "fit" reads nothing
    notifier.activated.connect(command)
    QTimer.singleShot(200, stage)
    result = app.exec()
    jobs.shutdown(timeout=5)
    return result or code["value"]


if __name__ == "__main__":
    sys.exit(main())
