"""Start the editor window: `strata [FILE]` and `python -m editor [FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from editor import __version__
from editor.io.tasks import use_responsive_switch_interval

ORGANIZATION = "Strata"
APPLICATION = "Strata"


def configure_application(app: QCoreApplication) -> None:
    """Names used by QSettings and QStandardPaths, and the GIL switch interval."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    if isinstance(app, QApplication):
        app.setWindowIcon(QIcon.fromTheme("applications-graphics"))
    use_responsive_switch_interval()


def run(path: str | None = None) -> int:
    """Show a window (on `path` if given) and run the event loop; returns the exit code."""
    from editor.ui.main_window import MainWindow  # noqa: PLC0415 (imports all widgets)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    configure_application(app)
    window = MainWindow()
    window.show()
    if path is not None:
        target = Path(path)
        QTimer.singleShot(0, lambda: window.open_path(target))
    return app.exec()
