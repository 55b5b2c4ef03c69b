"""Start the editor window: `strata [FILE]` and `python -m editor [FILE]`.

``STRATA_EXIT_AFTER_FIRST_PAINT=1`` (for bench/bench_open.py): once the main window's
first frame has been painted, print ``first-paint <time.perf_counter()>`` on stdout and
quit, discarding the (empty) document. ``perf_counter`` is CLOCK_MONOTONIC on Linux,
system-wide, so a parent process can subtract the moment it spawned this one. With a
FILE the first frame is still the empty window's: the file opens after it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from editor import __version__
from editor.io.tasks import use_responsive_switch_interval
from editor.journal import Journal

ORGANIZATION = "Strata"
APPLICATION = "Strata"
#: Environment variable: print the time of the first paint and quit (see the docstring).
EXIT_AFTER_FIRST_PAINT = "STRATA_EXIT_AFTER_FIRST_PAINT"


def configure_application(app: QCoreApplication) -> None:
    """Names used by QSettings and QStandardPaths, and the GIL switch interval."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    if isinstance(app, QApplication):
        from editor.ui.icons import app_icon  # noqa: PLC0415 (widgets: only for a GUI app)

        app.setWindowIcon(app_icon())
    use_responsive_switch_interval()


class _FirstPaintProbe(QObject):
    """Reports the end of a window's first painted frame, then quits the application.

    A top-level window paints itself first and its children right after, in the same
    call; the zero timer set at the window's Paint event fires once that call returned.
    """

    def __init__(self, window: QWidget, done: QTimer) -> None:
        super().__init__(window)
        self._done = done
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._done.isActive():
            watched.removeEventFilter(self)
            self._done.start(0)
        return False


def run(path: str | None = None) -> int:
    """Show a window (on `path` if given) and run the event loop; returns the exit code."""
    from editor.ui.main_window import MainWindow  # noqa: PLC0415 (imports all widgets)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    configure_application(app)
    window = MainWindow(journal=open_journal())
    if os.environ.get(EXIT_AFTER_FIRST_PAINT):
        done = QTimer(window)
        done.setSingleShot(True)

        def report() -> None:
            print(f"first-paint {time.perf_counter():.6f}", flush=True)
            window.discard_and_close()
            app.quit()

        done.timeout.connect(report)
        _FirstPaintProbe(window, done)
    window.show()
    if path is not None:
        target = Path(path)
        QTimer.singleShot(0, lambda: window.open_path(target))
    code = app.exec()
    release_offscreen_clipboard()
    return code


def journal_path() -> Path:
    """The user's journal: one database under QStandardPaths' AppDataLocation (never
    beside the person's files). Tests set XDG_DATA_HOME to a temporary folder."""
    from PySide6.QtCore import QStandardPaths  # noqa: PLC0415

    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(folder) / "journal.sqlite3"


def open_journal() -> Journal:
    """Open the user's journal; one that cannot be used says why and journals nothing."""
    from editor.journal import Journal  # noqa: PLC0415

    return Journal(journal_path())


def release_offscreen_clipboard() -> None:
    """Drop clipboard data this process owns, on the offscreen platform only.

    Qt's offscreen clipboard outlives the interpreter: a QMimeData made from Python (a
    copy) and deleted then segfaults the process on exit. There is no real clipboard to
    hand it to there anyway; on a desktop the data is left for the clipboard manager.
    """
    if QApplication.instance() is not None and QApplication.platformName() == "offscreen":
        clipboard = QApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()
