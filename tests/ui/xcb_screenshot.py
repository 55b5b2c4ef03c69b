"""Open Strata in a real xcb window, set a scene up like a person would, grab the screen.

    python tests/ui/xcb_screenshot.py OUT.png [FILE]

Run on an X server (Xvfb in CI: tests/ui/test_xcb.py; docs/screenshot.png is made with
it). Uses QT_QPA_PLATFORM=xcb unless set. It selects a shape (so the handles show), makes
a few undoable changes (so the History panel has entries), grabs the whole screen through
the platform (QScreen.grabWindow(0): what X shows, not a widget render) and exits 0. Any
failure exits non-zero with a message.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from editor.app import configure_application
from editor.commands import MoveShapes, SetStyle
from editor.jobs import JobLog, JobQueue
from editor.ui.main_window import MainWindow
from editor.ui.settings import Settings


def main() -> int:
    out = Path(sys.argv[1])
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    app = QApplication(["strata"])
    configure_application(app)
    if app.platformName() != os.environ["QT_QPA_PLATFORM"]:
        print(f"wrong platform {app.platformName()}", file=sys.stderr)
        return 2
    settings = Settings(QSettings(str(out.with_suffix(".ini")), QSettings.Format.IniFormat))
    jobs = JobQueue(log=JobLog(stderr=False, file=False))
    window = MainWindow(settings=settings, jobs=jobs)
    screen = app.primaryScreen()
    geometry = screen.availableGeometry()
    window.setGeometry(geometry.adjusted(0, 0, -1, -1))
    window.show()
    result = {"code": 1}

    def stage() -> None:
        if path is not None and not window.open_path(path):
            print(f"could not open {path}", file=sys.stderr)
            app.exit(3)
            return
        session = window.session
        ids = session.document.ids()
        if ids:
            target = ids[min(4, len(ids) - 1)]
            session.push(MoveShapes((target,), 12, 6, joinable=False))
            session.push(SetStyle((target,), "stroke_width", 3))
            session.selection.set([target])
        QTimer.singleShot(400, grab)

    def grab() -> None:
        window.canvas.zoom_fit()
        app.processEvents()
        image = screen.grabWindow(0)
        if image.isNull() or not image.save(str(out)):
            print("screen grab failed", file=sys.stderr)
            app.exit(4)
            return
        result["code"] = 0
        window.discard_and_close()
        app.exit(0)

    QTimer.singleShot(300, stage)
    code = app.exec()
    jobs.shutdown(timeout=5)
    return code or result["code"]


if __name__ == "__main__":
    sys.exit(main())
