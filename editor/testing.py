"""Testing against Strata: the window factory behind `strata_window`, and typed helpers.

The fixtures come from Strata's pytest plugin (editor/pytest_plugin.py, loaded lazily);
this module is what they run and what tests import:

    from editor.testing import draw_shape, save, undo_texts

    def test_draw_and_save(strata_window, tmp_path):
        window = strata_window()                      # a new document, shown and active
        shape_id = draw_shape(window, "rect", (10, 10), (110, 60))
        written = save(window, tmp_path / "drawing.strata")
        assert undo_texts(window) == ["Add Rectangle"]

Each window gets its own settings (an INI file in a temporary folder), its own job queue
(a deterministic retry policy: no jitter, no delay) logging to a temporary folder, and its
own journal database there. After the test every window is closed, discarding changes,
its queue is shut down and Qt's deferred deletes are run, so nothing survives into the
next test; what does is reported by the plugin's leak check. Process-wide settings the
factory changes (the application's names and icon, the GIL switch interval) are put back.

Helpers drive the real UI with real mouse and key events (`draw_shape`, `drag`, `click`,
`press`, `type_text`, `set_property`), or the window's own actions (`save`, `export`,
`open_file`, `retry_dead_letter`); the rest read state (`undo_texts`, `dead_letters`,
`shape_center`) or wait for it (`wait_until_idle`, `wait_for_dialog`). Stable object
names of docks, tabs, tables, buttons, fields and dialogs are listed in docs/testing.md.
"""

from __future__ import annotations

import contextlib
import gc
import os
import random
import sys
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import shiboken6
from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPixmapCache
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QApplication,
    QCheckBox,
    QComboBox,
    QMessageBox,
    QWidget,
)

from editor.app import configure_application, release_offscreen_clipboard
from editor.io.atomic import FileOps
from editor.io.format import FormatError, decode, read_file
from editor.jobs import DeadLetter, FakeClock, JobLog, JobQueue, JobState, RetryPolicy, live_queues
from editor.journal import Journal
from editor.model import bounds
from editor.ui.canvas import simulate
from editor.ui.canvas.items import clear_caches as clear_canvas_caches
from editor.ui.canvas.registry import TOOLS as REGISTERED_TOOLS
from editor.ui.jobs_panel.coalesce import Coalescer
from editor.ui.panels import ColorButton
from editor.ui.panels.fields import FontField, NumberField

if TYPE_CHECKING:
    from editor.ui.main_window import MainWindow

Point = tuple[float, float]
Modifiers = Qt.KeyboardModifier

__all__ = [
    "DIALOG_NAMES",
    "FIXTURE_RETRY",
    "OpenFailed",
    "WindowFactory",
    "activate",
    "click",
    "dead_letters",
    "drag",
    "draw_path",
    "draw_shape",
    "export",
    "failing_disk",
    "open_file",
    "press",
    "release_clipboard",
    "retry_dead_letter",
    "save",
    "select",
    "set_property",
    "shape_center",
    "type_text",
    "undo_texts",
    "wait_for_dialog",
    "wait_until_idle",
]

#: The fixture's retry policy: five attempts, no backoff, so no random jitter either (a
#: failing save reaches the dead-letter queue at once, the same way every run).
FIXTURE_RETRY = RetryPolicy(base=0.0, cap=0.0)

#: Object names of the dialogs `wait_for_dialog` knows, and what each one is.
DIALOG_NAMES: dict[str, str] = {
    "about_dialog": "Help > About Strata",
    "discard_all_dialog": "Jobs > Dead letters > Discard All: are you sure?",
    "error_dialog": "a failed open, save or export, in plain words",
    "export_dialog": "File > Export",
    "publish_dialog": "File > Publish: which files to write beside the drawing",
    "locked_dialog": "another running Strata has this file open",
    "open_dialog": "File > Open (Qt's file dialog)",
    "pending_jobs_dialog": "quitting while jobs are queued, running or waiting to retry",
    "preferences_dialog": "Edit > Preferences",
    "quit_stopped_dialog": "the save that quitting waited for failed",
    "save_dialog": "File > Save As (Qt's file dialog)",
    "shortcuts_dialog": "Help > Keyboard Shortcuts",
    "unsaved_dialog": "Save / Discard / Cancel before closing or opening",
}

#: Each tool's one-key shortcut (Select: V, Rectangle: R, ...), from the one tool list.
TOOL_KEYS: dict[str, Qt.Key] = {
    name: QKeySequence(tool.key)[0].key()  # type: ignore[index]
    for name, tool in REGISTERED_TOOLS.items()
}


class OpenFailed(Exception):
    """`open_file` (or `strata_window(path)`) could not open a file: the loader's located
    one-line message, e.g. "shapes[2].width: Expected `float`, got `str`"."""


Waiting = contextlib.AbstractContextManager[None]


class _QtBot(Protocol):
    """What the factory uses of pytest-qt's qtbot (typed here: pytest-qt is optional)."""

    def waitExposed(self, widget: QWidget, *, timeout: int = ...) -> Waiting: ...
    def waitActive(self, widget: QWidget, *, timeout: int = ...) -> Waiting: ...
    def waitUntil(self, callback: Callable[[], object], *, timeout: int = ...) -> None: ...


# --------------------------------------------------------------- the window factory
@dataclass(frozen=True)
class _ProcessState:
    """What configure_application changes for the whole process, to put it back."""

    organization: str
    domain: str
    application: str
    version: str
    icon: QIcon
    switch_interval: float

    @classmethod
    def capture(cls, app: QApplication) -> _ProcessState:
        return cls(QCoreApplication.organizationName(), QCoreApplication.organizationDomain(),
                   QCoreApplication.applicationName(), QCoreApplication.applicationVersion(),
                   app.windowIcon(), sys.getswitchinterval())  # fmt: skip

    def restore(self, app: QApplication) -> None:
        QCoreApplication.setOrganizationName(self.organization)
        QCoreApplication.setOrganizationDomain(self.domain)
        QCoreApplication.setApplicationName(self.application)
        QCoreApplication.setApplicationVersion(self.version)
        app.setWindowIcon(self.icon)
        sys.setswitchinterval(self.switch_interval)


def flush_deletes() -> None:
    """Run Qt's deferred deletes now (deleteLater), which processEvents alone does not do
    outside an event loop, then collect Python's cycles."""
    for _ in range(3):
        QApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


class WindowFactory:
    """What `strata_window` gives a test: call it to open a window (see `__call__`)."""

    def __init__(self, qtbot: _QtBot, tmp_path_factory: object) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            raise RuntimeError("strata_window needs a QApplication (pytest-qt's qapp)")
        self._app = app
        self._qtbot = qtbot
        self._tmp = tmp_path_factory
        self._state = _ProcessState.capture(app)
        self._windows: list[tuple[MainWindow, JobQueue]] = []
        #: What must be gone after the test: (what it is, a weak reference to it).
        self._refs: list[tuple[str, weakref.ref[object]]] = []
        self._top_before = list(QApplication.topLevelWidgets())
        self._queues_before = set(map(id, live_queues()))
        #: Seconds running jobs get at teardown (then they are cancelled; a thread that
        #: still has not returned fails the test).
        self.shutdown_timeout = 10.0
        configure_application(app)

    def __call__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        show: bool = True,
        size: tuple[int, int] = (1200, 800),
        retry: RetryPolicy | None = None,
        clock: FakeClock | None = None,
        undo_limit: int | None = None,
        journal: str | os.PathLike[str] | None = None,
    ) -> MainWindow:
        """Open a main window on a new document, or on `path` (raises OpenFailed).

        `show=False` leaves it hidden: faster, for tests that use the document, files
        and jobs (`save`, `export`, `open_file`, `select`); the mouse and key helpers
        need a shown window and say so. `retry`:
        the policy of its saves and exports (default FIXTURE_RETRY). `clock`: a fake clock
        (the `strata_clock` fixture) for the queue's retries and timeouts and for the
        pause that ends a typing step; without one, real time. `undo_limit`: steps kept
        (default unlimited). `journal`: a database path to share between windows (they
        see each other's kept histories and crashes); default, one of its own.
        """
        from editor.ui.main_window import MainWindow  # noqa: PLC0415 (imports all widgets)
        from editor.ui.settings import Settings  # noqa: PLC0415

        folder: Path = self._tmp.mktemp("strata-window")  # type: ignore[attr-defined]
        store = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        settings = Settings(store)
        if undo_limit is not None:
            settings.set_undo_limit(undo_limit)
        policy = retry if retry is not None else FIXTURE_RETRY
        jobs = JobQueue(policy=policy, clock=clock, rng=random.Random(0),
                        log=JobLog(folder / "logs", stderr=False))  # fmt: skip
        db = Path(journal) if journal is not None else folder / "journal.sqlite3"
        window = MainWindow(settings=settings, jobs=jobs, journal=Journal(db), retry=policy,
                            clock=clock.now if clock is not None else None)  # fmt: skip
        self._windows.append((window, jobs))
        self._refs += [("a Strata window", weakref.ref(window)),
                       ("a window's job queue", weakref.ref(jobs))]  # fmt: skip
        window.resize(*size)
        if show:
            window.show()
            self._qtbot.waitExposed(window)
            with self._qtbot.waitActive(window):
                window.activateWindow()
        if path is not None:
            open_file(window, path)
        window.canvas.setFocus()
        return window

    def close_all(self) -> list[str]:
        """Close every window (discarding changes), shut its queue down, delete it; put
        back the process-wide settings. Returns what went wrong (a stuck job thread)."""
        problems: list[str] = []
        for window, jobs in self._windows:
            if shiboken6.isValid(window):
                self._refs += [("a window's document", weakref.ref(window.document)),
                               ("a window's session", weakref.ref(window.session))]  # fmt: skip
                window.discard_and_close()
                window.deleteLater()
            wait = self.shutdown_timeout
            report = jobs.shutdown(timeout=wait, cancel_wait=min(2.0, wait))
            if not report.clean:
                names = ", ".join(record.name for record in report.stuck)
                problems.append(f"a job thread was still running after the test: {names}")
        self._windows.clear()
        flush_deletes()
        # Caches that outlive windows, bounded but large: the canvas's looks and layouts
        # (20,000 shapes) and Qt's pixmap cache (10 MB: icons, swatches, style pixmaps).
        # Emptied so one test's leftovers do not fill memory for the next ones.
        clear_canvas_caches()
        QPixmapCache.clear()
        self._state.restore(self._app)
        return problems

    def leaks(self, keep: Callable[[QWidget], bool] = lambda _w: False) -> list[str]:
        """What outlived the test: windows, queues, running queues, other top-level widgets."""
        flush_deletes()
        problems = []
        for what, ref in self._refs:
            thing = ref()
            if thing is None:
                continue
            valid = not isinstance(thing, QObject) or shiboken6.isValid(thing)
            where = "still open" if valid else "deleted, but referenced"
            problems.append(f"{what} outlived its test ({where}): a reference to it is kept "
                            "somewhere (a global, a cache, a closure)")  # fmt: skip
        running = [q for q in live_queues() if id(q) not in self._queues_before]
        if running:
            problems.append(f"{len(running)} job queue(s) left running: call shutdown()")
        before = self._top_before
        left = [w for w in QApplication.topLevelWidgets() if shiboken6.isValid(w)
                and not any(w is b for b in before) and not keep(w)]  # fmt: skip
        for widget in left:
            kind = type(widget).__name__
            problems.append(f"a top-level {kind} {widget.objectName() or widget.windowTitle()!r}"
                            " outlived its test (close and delete it)")  # fmt: skip
            widget.close()
            widget.deleteLater()
        self._refs.clear()
        return problems


#: Re-exported for test suites: empty the offscreen clipboard before exiting.
release_clipboard = release_offscreen_clipboard


# ------------------------------------------------------------------ files and jobs
def open_file(window: MainWindow, path: str | os.PathLike[str]) -> Path:
    """Open `path` in the window as File > Open would; returns it resolved.

    Raises OpenFailed with the loader's located one-line message if the file is not a
    Strata document (the window's error dialog is closed: the open document is untouched),
    or with what the window said if it did not open for another reason.
    """
    target = Path(path)
    try:  # first: a window with unsaved changes asks before it would read the file
        decode(read_file(target))
    except FormatError as exc:
        raise OpenFailed(f"{target}: {exc}") from None
    if not window.open_path(target):
        said = window.statusBar().currentMessage() or "the window did not open it"
        _close_dialogs(window)
        raise OpenFailed(f"{target}: {said}")
    return target.resolve()


def save(window: MainWindow, path: str | os.PathLike[str], *, wait: bool = True) -> Path:
    """Save the document to `path` through the window's job queue; returns the path.

    With `wait` (the default) it returns once the save is written and raises
    AssertionError with the plain-words reason if it failed for good. `wait=False`
    returns at once (then `wait_until_idle`), e.g. to watch a save fail.
    """
    target = Path(path).absolute()
    job_id = window.documents.save_to(target)
    if job_id is None:
        raise AssertionError(f"the save of {target} could not be queued")
    if wait:
        _wait_for_job(window, job_id, f"saving {target}")
    return target


def export(
    window: MainWindow,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    scale: float = 1.0,
    *,
    wait: bool = True,
) -> Path:
    """Export the drawing to `path` (PNG, SVG or PDF, from `fmt` or the suffix); returns
    the path. Raises ValueError for a request that can never succeed (an unknown format,
    a bad scale) and, with `wait`, AssertionError if the export failed for good."""
    target = Path(path).absolute()
    job_id = window.documents.export_to(target, fmt, scale)
    if job_id is None:
        said = _close_dialogs(window) or "the export could not be queued"
        raise ValueError(f"cannot export {target}: {said}")
    if wait:
        _wait_for_job(window, job_id, f"exporting {target}")
    return target


def _wait_for_job(window: MainWindow, job_id: int, doing: str, timeout: float = 30.0) -> None:
    wait_until_idle(window, timeout)
    record = window.jobs.record(job_id)
    if record.state is not JobState.SUCCEEDED:
        error = record.last_error
        why = f"{error.type}: {error.message}" if error else record.reason or record.state.value
        raise AssertionError(f"{doing} failed ({record.state.value}): {why}")


def _close_dialogs(window: MainWindow) -> str:
    """Close the window's open error boxes; returns what the last one said."""
    said = ""
    for box in window.findChildren(QMessageBox, "error_dialog"):
        if box.isVisible():
            said = box.informativeText() or box.text()
            box.close()
    return said


def wait_until_idle(target: MainWindow | JobQueue, timeout: float = 10.0) -> None:
    """Wait, processing events, until the window's job queue has nothing left to do and
    its views (the Jobs dock, the dead-letter notice) show the outcome.

    Also takes a JobQueue (then only the queue). Retries waiting on a fake clock never
    become due here: advance the clock. Raises TimeoutError after `timeout` seconds.
    """
    jobs = target if isinstance(target, JobQueue) else target.jobs
    if not jobs.wait_until_idle(timeout):
        raise TimeoutError(f"the job queue was still busy after {timeout} s")
    QApplication.processEvents()
    if not isinstance(target, JobQueue):
        # The views coalesce queue events on short timers: show what they hold now.
        target.jobs_panel.flush()
        for pending in target.findChildren(Coalescer):
            pending.flush()
        QApplication.processEvents()


def dead_letters(window: MainWindow) -> tuple[DeadLetter, ...]:
    """The window's dead letters, oldest first: each has `job_id`, `name`, `attempts` and
    `error` (`error.type`, `error.message`, `error.traceback`)."""
    return window.jobs.dead_letters()


def retry_dead_letter(window: MainWindow, job_id: int) -> None:
    """Retry a dead letter as a person does: select its row in the Jobs dock's Dead
    letters tab and press Retry. Then `wait_until_idle(window)` to see it end."""
    window.show_jobs(dead=True)
    if not window.jobs_panel.show_dead_letter(job_id, focus=False):
        raise KeyError(f"no dead letter has job id {job_id}")
    action = window.jobs_panel.action("retry")
    if not action.isEnabled():
        raise AssertionError(f"Retry is not enabled for dead letter {job_id}")
    action.trigger()


class _FailingDisk(FileOps):
    """File operations whose writes fail with one errno (a full disk, a read-only one)
    while `failing`; then they are the real ones again (the disk was freed)."""

    def __init__(self, code: int) -> None:
        self.code = code
        self.failing = True

    def write(self, fd: int, data: memoryview) -> int:
        if self.failing:
            raise OSError(self.code, os.strerror(self.code))
        return super().write(fd, data)


@contextlib.contextmanager
def failing_disk(window: MainWindow, code: int) -> Iterator[None]:
    """Inside the block, the window's saves and exports fail writing with errno `code`
    (e.g. errno.ENOSPC), through the same file-operations seam the real disk uses. After
    it the disk works again, also for jobs submitted inside it (a retried dead letter).

        with failing_disk(window, errno.ENOSPC):
            save(window, tmp_path / "a.strata", wait=False)
            wait_until_idle(window)
        [letter] = dead_letters(window)
    """
    documents = window.documents
    before = documents.file_ops
    disk = documents.file_ops = _FailingDisk(code)
    try:
        yield
    finally:
        disk.failing = False
        documents.file_ops = before


def wait_for_dialog(qtbot: _QtBot, name: str, timeout: int = 5000) -> QWidget:
    """Wait until a dialog with this object name (one of DIALOG_NAMES) is shown; return it."""
    if name not in DIALOG_NAMES:
        raise ValueError(f"unknown dialog {name!r}; known: {', '.join(sorted(DIALOG_NAMES))}")
    found: list[QWidget] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets()
                    if w.objectName() == name and w.isVisible()]  # fmt: skip
        return bool(found)

    qtbot.waitUntil(shown, timeout=timeout)
    return found[-1]


# ------------------------------------------------------------------ document state
def undo_texts(window: MainWindow) -> list[str]:
    """The history's steps, oldest first, as the Edit menu and the History dock name them."""
    stack = window.undo_stack
    return [stack.text(i) for i in range(stack.count())]


def select(window: MainWindow, *ids: str) -> None:
    """Select these shapes (none: clear the selection), as a click or Ctrl+A would."""
    missing = [i for i in ids if i not in window.document]
    if missing:
        raise KeyError(f"no shape with id {', '.join(map(repr, missing))}")
    window.session.selection.set(ids)
    QApplication.processEvents()


def shape_center(window: MainWindow, shape_id: str) -> Point:
    """The centre of a shape's bounding box, in document coordinates (for `click`)."""
    x, y, width, height = bounds(window.document[shape_id])
    return (x + width / 2, y + height / 2)


def set_property(window: MainWindow, name: str, value: object) -> None:
    """Set a Properties field, found by its accessible name ("Stroke width", "Fill colour",
    "No fill", "Font family", "X", ...; listed in docs/testing.md), with real keys and
    clicks: a number or font is typed and committed with Enter, a colour ("#rrggbb") is
    picked in the colour dialog, a check box is clicked until it says `value` (a partly
    checked one too), a marker ("arrow", ...) is chosen in its list with the arrow keys."""
    panel = window.properties
    dock = panel.parentWidget()
    if dock is not None and not dock.isVisible():
        dock.show()
    QApplication.processEvents()
    fields = [w for w in panel.findChildren(QWidget) if w.accessibleName() == name]
    if not fields:
        known = sorted({w.accessibleName() for w in panel.findChildren(QWidget)
                        if w.accessibleName() and w is not panel})  # fmt: skip
        raise LookupError(f"no Properties field is called {name!r}; known: {', '.join(known)}")
    field = fields[0]
    if not field.isVisibleTo(window):
        raise LookupError(f"the Properties field {name!r} is not shown for this selection")
    activate(window)
    if isinstance(field, ColorButton):
        QTest.mouseClick(field, Qt.MouseButton.LeftButton)
        dialog = field.dialog()
        if dialog is None or not dialog.isVisible():
            raise AssertionError(f"clicking {name!r} did not open its colour dialog")
        dialog.setCurrentColor(QColor(str(value)))
        dialog.accept()
    elif isinstance(field, QCheckBox):
        # A partly checked box (a mixed selection) is clicked until it says `value`.
        want = Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
        for _ in range(3):
            if field.checkState() == want:
                break
            QTest.mouseClick(field, Qt.MouseButton.LeftButton)
    elif isinstance(field, QComboBox) and not field.isEditable():
        # A list of choices (an end marker): chosen with the arrow keys, as a person
        # does without opening the list. `value` is the item's data ("arrow").
        index = field.findData(value)
        if index < 0:
            raise LookupError(f"{name!r} has no choice {value!r}")
        field.setFocus(Qt.FocusReason.TabFocusReason)
        while field.currentIndex() != index:
            step = Qt.Key.Key_Down if field.currentIndex() < index else Qt.Key.Key_Up
            QTest.keyClick(field, step)
    elif isinstance(field, NumberField | FontField | QComboBox):
        target = field.lineEdit() if isinstance(field, QComboBox) else field
        assert target is not None
        target.setFocus(Qt.FocusReason.TabFocusReason)
        QTest.keyClick(target, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(target, str(value))
        QTest.keyClick(target, Qt.Key.Key_Return)
    elif isinstance(field, QAbstractSlider | QAbstractButton):
        raise LookupError(f"{name!r} is not a field set_property types into")
    else:
        raise LookupError(f"{name!r} is a {type(field).__name__}, not a field it can set")
    QApplication.processEvents()


# ------------------------------------------------------------ mouse and keyboard
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
    """Make the window active (as a click on it would) and wait until it is.

    A hidden window (`strata_window(show=False)`) cannot be active, and the mouse and key
    helpers need one: they raise RuntimeError for it instead of doing nothing.
    """
    if window.isActiveWindow():
        return
    if not window.isVisible():
        raise RuntimeError("this window is hidden (strata_window(show=False)): mouse and key "
                           "helpers need a shown one")  # fmt: skip
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
    tool = REGISTERED_TOOLS.get(kind)
    if tool is not None and tool.points is not None:
        raise ValueError(f"a {kind} is drawn through points: use draw_path")
    if tool is None or tool.gesture is None or tool.drag is None:
        raise ValueError(f"unknown shape kind {kind!r}")
    activate(window)
    window.canvas.setFocus()
    press(window, TOOL_KEYS[kind])
    before = set(window.document.ids())
    drag(window, start, end, modifiers)
    if tool.edits_text:
        type_text(window, text)
        press(window, Qt.Key.Key_Escape)
    added = [i for i in window.document.ids() if i not in before]
    if len(added) != 1:
        raise AssertionError(f"drawing a {kind} added {len(added)} shapes, not one")
    return added[0]


def draw_path(window: MainWindow, kind: str, points: list[Point], *, end: str = "enter") -> str:
    """Draw a polygon or freehand stroke through `points` (document coords) with its
    tool, chosen by its key; returns the new id.

    "polygon": a click at each point, then `end`: "enter" (Enter: three points or more
    make a closed polygon, two an open polyline), "double" (a double click at the last
    point instead of its click) or "first" (a click on the first point: closed).
    "freehand": a press at the first point, a real mouse move to each next one, a
    release at the last (the stroke is simplified as a person's is)."""
    tool = REGISTERED_TOOLS.get(kind)
    if tool is None or tool.points is None:
        raise ValueError(f"{kind!r} is not drawn through points (use draw_shape)")
    if len(points) < 2:
        raise ValueError("a path needs at least two points")
    activate(window)
    canvas = window.canvas
    canvas.setFocus()
    press(window, TOOL_KEYS[kind])
    before = set(window.document.ids())
    if kind == "freehand":
        simulate.press(None, canvas, points[0])
        for point in points[1:]:
            simulate.move(None, canvas, point)
        simulate.release(None, canvas, points[-1])
    else:
        clicks = points[:-1] if end == "double" else points
        for point in clicks:
            simulate.click(None, canvas, point)
        if end == "double":
            simulate.double_click(None, canvas, points[-1])
        elif end == "first":
            simulate.click(None, canvas, points[0])
        else:
            press(window, Qt.Key.Key_Return)
    QApplication.processEvents()
    added = [i for i in window.document.ids() if i not in before]
    if len(added) != 1:
        raise AssertionError(f"drawing a {kind} added {len(added)} shapes, not one")
    return added[0]
