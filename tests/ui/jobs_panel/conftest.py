"""Fixtures for the Jobs panel: a real JobQueue on a FakeClock, save jobs on fake disks,
and the panel, summary and notice shown on screen (offscreen)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from editor.io.atomic import FileOps
from editor.io.tasks import SaveJob
from editor.jobs import FakeClock, JobQueue, RetryPolicy
from editor.model import Page, Snapshot, rect
from editor.ui.jobs_panel import JobsPanel
from tests.jobs import conftest as jobs_fixtures

from .fakes import Revision

# The job queue tests' fixtures: a queue on a FakeClock and a scripted rng (every backoff
# is half its ceiling), logging to tmp_path, shut down and checked for threads after each
# test.
clock = jobs_fixtures.clock
rng = jobs_fixtures.rng
make_queue = jobs_fixtures.make_queue
MakeQueue = jobs_fixtures.MakeQueue

#: Backoff ceilings 8, 16, 30 s: with the scripted rng the waits are 4, 8, 15, 15 s.
POLICY = RetryPolicy(max_attempts=5, base=8.0, factor=2.0, cap=30.0)

SNAPSHOT = Snapshot(Page(200, 100, "#ffffff"), (rect("r", 10, 10, 40, 30, fill="#ff0000"),))


def save_job(path: Path, ops: FileOps, serial: int = 1) -> SaveJob:
    """A save of a small drawing to `path` through `ops` (distinct serials: distinct jobs)."""
    return SaveJob(SNAPSHOT, path, Revision(serial), ops=ops)


@pytest.fixture
def queue(make_queue: MakeQueue) -> JobQueue:
    return make_queue(policy=POLICY)


def show(qtbot: QtBot, widget: QWidget, *, active: bool = False) -> None:
    """Show a top-level widget, exposed (and active: key events need an active window).

    The layout is activated first so the size hints are final before the window exists
    (the offscreen platform warns when a shown window's size hints change).
    """
    widget.resize(max(widget.width(), 900), max(widget.height(), 480))
    widget.ensurePolished()
    layout = widget.layout()
    if layout is not None:
        layout.activate()
    widget.show()
    qtbot.waitExposed(widget)
    if active:
        with qtbot.waitActive(widget):
            widget.activateWindow()


Opened = list[Path]


@pytest.fixture
def opened() -> Opened:
    """Folders the panel's "Show Folder" asked to open."""
    return []


MakePanel = Callable[..., JobsPanel]


@pytest.fixture
def make_panel(qtbot: QtBot, clock: FakeClock, opened: Opened) -> MakePanel:
    def make(jobs: JobQueue, *, active: bool = False) -> JobsPanel:
        panel = JobsPanel(jobs, wall_time=clock.wall_time)
        qtbot.addWidget(panel)
        panel.open_folder = opened.append
        show(qtbot, panel, active=active)
        return panel

    return make


@pytest.fixture
def panel(make_panel: MakePanel, queue: JobQueue) -> JobsPanel:
    return make_panel(queue)


Settle = Callable[[JobQueue], None]


@pytest.fixture
def settle(qtbot: QtBot) -> Settle:
    """Wait until no attempt's thread runs and its outcome was handled by the queue."""

    def wait(jobs: JobQueue) -> None:
        qtbot.waitUntil(lambda: not jobs.has_threads(), timeout=5000)

    return wait
