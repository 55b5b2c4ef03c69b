"""Strata's pytest plugin, for developers who test against Strata (and for our own tests).

Registered as the `strata` pytest11 entry point, so installing Strata makes the fixture
available to any pytest-qt test suite:

    from editor.testing import draw_shape

    def test_draw(strata_window):
        window = strata_window()                      # new document, shown and active
        draw_shape(window, "rect", (10, 10), (110, 60))
        assert len(window.document) == 1
        window.undo_stack.undo()
        assert len(window.document) == 0

    def test_open(strata_window, tmp_path):
        window = strata_window("drawing.strata")      # opens a file (or fails the test)

Each window gets its own settings (an INI file in a temporary folder), its own job
queue whose log goes to a temporary folder, and its own journal database there
(`strata_window(journal=PATH)` shares one between windows). After the test every window is closed,
discarding changes, and its queue is shut down.

Helpers drive the real UI with real mouse and key events: `draw_shape`, `drag`, `click`,
`press`, `type_text`, and `wait_until_idle(jobs, timeout)`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QDeadlineTimer, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from editor.app import configure_application, release_offscreen_clipboard
from editor.jobs import JobLog, JobQueue
from editor.journal import Journal
from editor.ui.canvas import simulate

if TYPE_CHECKING:
    from editor.ui.main_window import MainWindow

Point = tuple[float, float]
Modifiers = Qt.KeyboardModifier

__all__ = [
    "activate",
    "click",
    "drag",
    "draw_shape",
    "press",
    "strata_window",
    "type_text",
    "wait_until_idle",
]

TOOL_KEYS = {
    "select": Qt.Key.Key_V,
    "rect": Qt.Key.Key_R,
    "ellipse": Qt.Key.Key_E,
    "line": Qt.Key.Key_L,
    "text": Qt.Key.Key_T,
}


@pytest.fixture
def strata_window(
    qtbot: QtBot, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., MainWindow]]:
    """Factory: `strata_window(path=None)` opens a shown, active main window."""
    # Imported here, not at plugin load: a plugin that fails to import breaks every test.
    from editor.ui.main_window import MainWindow  # noqa: PLC0415
    from editor.ui.settings import Settings  # noqa: PLC0415

    app = QApplication.instance()
    assert app is not None, "strata_window needs pytest-qt's qapp"
    configure_application(app)
    windows: list[tuple[MainWindow, JobQueue]] = []

    def open_window(
        path: str | os.PathLike[str] | None = None,
        *,
        journal: str | os.PathLike[str] | None = None,
    ) -> MainWindow:
        folder = tmp_path_factory.mktemp("strata-window")
        store = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        jobs = JobQueue(log=JobLog(folder / "logs", stderr=False))
        # Each window journals into its own temporary database unless told which one
        # (windows sharing one see each other's kept histories and crashes).
        db = Path(journal) if journal is not None else folder / "journal.sqlite3"
        window = MainWindow(settings=Settings(store), jobs=jobs, journal=Journal(db))
        windows.append((window, jobs))
        window.show()
        qtbot.waitExposed(window)
        with qtbot.waitActive(window):
            window.activateWindow()
        if path is not None and not window.open_path(Path(path)):
            pytest.fail(f"strata_window could not open {path}")
        window.canvas.setFocus()
        return window

    yield open_window

    for window, jobs in windows:
        window.discard_and_close()
        jobs.shutdown(timeout=10)
        window.deleteLater()
    QApplication.processEvents()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Empty the clipboard while Python is still alive.

    On the offscreen platform Qt destroys its clipboard after the interpreter has shut
    down; if it still holds a QMimeData made from Python (a copy in a test), deleting it
    then segfaults the process after every test passed.
    """
    release_clipboard()


#: Re-exported for test suites: empty the offscreen clipboard before exiting.
release_clipboard = release_offscreen_clipboard


# ------------------------------------------------------------------- helpers
def wait_until_idle(jobs: JobQueue, timeout: float = 10.0) -> None:
    """Wait, processing events, until the job queue has nothing left to do."""
    if not jobs.wait_until_idle(timeout):
        raise TimeoutError(f"the job queue was still busy after {timeout} s")


def _focus(window: MainWindow) -> QWidget:
    """The widget keys go to: the focused one if it is in `window`, else the canvas.

    Also makes the window active first (a just-closed dialog may still hold activation),
    since window shortcuts only fire in the active window.
    """
    activate(window)
    focused = QApplication.focusWidget()
    if focused is None or focused.window() is not window:
        window.canvas.setFocus()
        return window.canvas
    return focused


def activate(window: MainWindow, timeout_ms: int = 2000) -> None:
    """Make the window active (as a click on it would) and wait until it is."""
    if window.isActiveWindow():
        return
    window.activateWindow()
    deadline = QDeadlineTimer(timeout_ms)
    while not window.isActiveWindow():
        if deadline.hasExpired():
            raise TimeoutError("the window did not become active")
        QTest.qWait(5)  # processes events while waiting


def press(window: MainWindow, key: Qt.Key, modifiers: Modifiers = Modifiers.NoModifier) -> None:
    """Press and release a key on the focused widget (the canvas by default)."""
    QTest.keyClick(_focus(window), key, modifiers)


def type_text(window: MainWindow, text: str) -> None:
    """Type text into the focused widget (an inline text editor, a field), key by key."""
    target = _focus(window)
    for char in text:
        if char == "\n":
            QTest.keyClick(target, Qt.Key.Key_Return)
        else:
            QTest.keyClicks(target, char)


def click(
    window: MainWindow,
    scene: Point,
    modifiers: Modifiers = Modifiers.NoModifier,
    *,
    double: bool = False,
) -> None:
    """Click (or double-click, as a platform delivers it) at a point in document coords."""
    activate(window)
    if double:
        simulate.double_click(None, window.canvas, scene, modifiers=modifiers)
    else:
        simulate.click(None, window.canvas, scene, modifiers=modifiers)


def drag(
    window: MainWindow,
    start: Point,
    end: Point,
    modifiers: Modifiers = Modifiers.NoModifier,
    steps: int = 8,
) -> None:
    """Press at `start`, move in `steps` real mouse moves, release at `end` (document coords).

    Modifiers are held for the whole gesture (Shift constrains drawing and resizing).
    """
    activate(window)
    simulate.drag(None, window.canvas, start, end, modifiers=modifiers, steps=steps)
    QApplication.processEvents()


def draw_shape(
    window: MainWindow,
    kind: str,
    start: Point,
    end: Point,
    modifiers: Modifiers = Modifiers.NoModifier,
    *,
    text: str = "Text",
) -> str:
    """Draw a rect/ellipse/line/text box by dragging with its tool; returns the new id.

    The tool is chosen with its keyboard shortcut, as a person would. A text box exists
    only once something is typed in it, so for "text" `text` is typed and editing is
    finished with Escape (two undo steps: "Add Text Box", then the typing).
    """
    if kind not in TOOL_KEYS or kind == "select":
        raise ValueError(f"unknown shape kind {kind!r}")
    activate(window)
    window.canvas.setFocus()
    press(window, TOOL_KEYS[kind])
    before = set(window.document.ids())
    drag(window, start, end, modifiers)
    if kind == "text":
        type_text(window, text)
        press(window, Qt.Key.Key_Escape)
    added = [i for i in window.document.ids() if i not in before]
    if len(added) != 1:
        raise AssertionError(f"drawing a {kind} added {len(added)} shapes, not one")
    return added[0]
