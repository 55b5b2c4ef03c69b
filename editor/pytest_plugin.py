"""Strata's pytest plugin: the `strata_window` and `strata_clock` fixtures.

Registered as the `strata` pytest11 entry point, so installing Strata offers the fixtures
to every pytest run in that environment. Loading this module imports only pytest and the
standard library: Qt, pytest-qt and the editor are imported when a test first asks for a
fixture, so a project that never uses them pays nothing (no PySide6 import, no startup
time) and an environment without pytest-qt keeps working. Using `strata_window` without
pytest-qt fails that test with one line saying what to install.

What the plugin adds to a test that uses `strata_window` (see docs/testing.md):

- Strict Qt logging: a Qt warning during the test fails it, as pytest-qt's
  `qt_log_level_fail = WARNING` does, whatever the project's own setting
  (`strata_qt_log_level_fail` in the ini file changes it; "NO" turns it off). Known
  harmless platform messages (`HARMLESS_QT_MESSAGES`) are ignored by the plugin itself.
- A leak check after teardown: a window, a job queue, a running job thread or another
  top-level widget that outlives the test fails it (`strata_leak_check = false` turns it
  off). It is skipped when the test itself failed: a failure's traceback keeps the
  test's locals, windows included, alive.

The implementation (the window factory and the helpers) is in `editor.testing`.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from editor.jobs import FakeClock
    from editor.testing import WindowFactory

#: Qt messages that say nothing about Strata: the offscreen platform cannot pass a
#: window's size hints on to a native window (every dock and dialog says so).
HARMLESS_QT_MESSAGES = (r"This plugin does not support propagateSizeHints\(\)",)

#: What a test that uses `strata_window` without pytest-qt reads.
NEEDS_PYTEST_QT = (
    "strata_window needs pytest-qt, which is not installed here: pip install 'strata[testing]'"
)

#: pytest-qt's levels, least strict first ("DEBUG" and "INFO" fail on everything).
_LEVELS = ("NO", "CRITICAL", "WARNING", "DEBUG", "INFO")
_PYTEST_QT = "pytest-qt"
_FIXTURE = "strata_window"
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "strata_qt_log_level_fail",
        "Qt messages at this level fail a test that uses strata_window (pytest-qt's "
        "levels: NO, CRITICAL, WARNING, DEBUG, INFO); default WARNING",
        default="WARNING",
    )
    parser.addini(
        "strata_shutdown_timeout",
        "seconds a window's running jobs get to finish at teardown before the test fails "
        "with a stuck job thread (default 10)",
        default="10",
    )
    parser.addini(
        "strata_leak_check",
        "fail a passing test that leaves a Strata window, job queue, job thread or "
        "top-level widget behind (default true)",
        type="bool",
        default=True,
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Strict Qt logging, minus the harmless platform messages, for strata_window tests."""
    if not config.pluginmanager.has_plugin(_PYTEST_QT):
        return
    level = str(config.getini("strata_qt_log_level_fail")).upper()
    if level not in _LEVELS:
        raise pytest.UsageError(
            f"strata_qt_log_level_fail must be one of {', '.join(_LEVELS)}, not {level!r}"
        )
    configured = str(config.getini("qt_log_level_fail")).upper()
    stricter = _LEVELS.index(level) > _LEVELS.index(configured) if configured in _LEVELS else True
    for item in items:
        if _FIXTURE not in getattr(item, "fixturenames", ()):
            continue
        ignore = item.get_closest_marker("qt_log_ignore")
        args = (*ignore.args, *HARMLESS_QT_MESSAGES) if ignore else HARMLESS_QT_MESSAGES
        kwargs = dict(ignore.kwargs) if ignore else {}
        item.add_marker(pytest.mark.qt_log_ignore(*args, **kwargs), append=False)
        if stricter and item.get_closest_marker("qt_log_level_fail") is None:
            item.add_marker(pytest.mark.qt_log_level_fail(level))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item: teardown checks leaks only after a pass."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _passed(item: pytest.Item) -> bool:
    reports = item.stash.get(_REPORTS, {})
    return all(reports[when].passed for when in ("setup", "call") if when in reports)


@pytest.fixture
def strata_clock() -> FakeClock:
    """A fake clock: pass it as `strata_window(clock=strata_clock)`; `advance(seconds)`
    moves the window's retries, timeouts and typing pauses forward."""
    from editor.jobs import FakeClock  # noqa: PLC0415 (imports Qt)

    return FakeClock()


@pytest.fixture
def strata_window(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WindowFactory]:
    """Factory: `strata_window(path=None, *, show=True, size=(1200, 800), retry=None,
    clock=None, undo_limit=None)` opens a main window; see editor.testing.WindowFactory."""
    if importlib.util.find_spec("pytestqt") is None:
        pytest.fail(NEEDS_PYTEST_QT, pytrace=False)
    qtbot = request.getfixturevalue("qtbot")
    from editor.testing import WindowFactory  # noqa: PLC0415 (imports Qt and the editor)

    factory = WindowFactory(qtbot, tmp_path_factory)
    factory.shutdown_timeout = float(request.config.getini("strata_shutdown_timeout"))
    try:
        yield factory
    finally:
        problems = factory.close_all()
    if request.config.getini("strata_leak_check") and _passed(request.node):
        _forget_values_built_on_us(request.node)
        # Widgets the test gave to qtbot.addWidget are closed by pytest-qt, after this.
        registered = [ref() for ref, _close in getattr(request.node, "qt_widgets", ())]
        problems += factory.leaks(keep=lambda w: any(w is r for r in registered))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def _forget_values_built_on_us(node: pytest.Item) -> None:
    """Drop the test's arguments made by fixtures built on strata_window (a `window`
    fixture returning `strata_window()`): those fixtures are torn down already, but pytest
    keeps their values in `item.funcargs` until the test's teardown ends, which would
    look like a leaked window. Nothing reads them any more."""
    funcargs = getattr(node, "funcargs", None)
    info = getattr(node, "_fixtureinfo", None)
    if not isinstance(funcargs, dict) or info is None:
        return
    built: set[str] = set()
    grew = True
    while grew:
        grew = False
        for name, defs in info.name2fixturedefs.items():
            if name in built or name == _FIXTURE:
                continue
            if any(_FIXTURE in d.argnames or built.intersection(d.argnames) for d in defs):
                built.add(name)
                grew = True
    for name in built:
        funcargs.pop(name, None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Empty the offscreen clipboard while Python is still alive (if Strata was used).

    On the offscreen platform Qt destroys its clipboard after the interpreter has shut
    down; if it still holds a QMimeData made from Python (a copy in a test), deleting it
    then segfaults the process after every test passed.
    """
    if "editor.app" in sys.modules:  # Strata's windows were used (never import it here)
        app = importlib.import_module("editor.app")
        release: Callable[[], Any] = app.release_offscreen_clipboard
        release()
