"""Fixtures for the dock panels: a small session, a fake clock, shown panels."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from editor.model import Page, Snapshot, ellipse, line, rect, text
from editor.ui.panels import HistoryPanel, PropertiesPanel
from editor.ui.session import Session


class FakeClock:
    """A monotonic clock the test moves by hand (no sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def show(qtbot: QtBot, widget: QWidget, *, active: bool = False) -> None:
    """Show a top-level widget and wait until it is exposed (and active if asked).

    The layout is activated first so that the window's size hints are final before it
    exists: the offscreen platform warns when a shown window's size hints change.
    """
    widget.resize(max(widget.width(), 360), max(widget.height(), 520))
    widget.ensurePolished()
    layout = widget.layout()
    if layout is not None:
        layout.activate()
    widget.show()
    qtbot.waitExposed(widget)
    if active:
        with qtbot.waitActive(widget):
            widget.activateWindow()


def make_session() -> Session:
    return Session(
        Snapshot(
            Page(800.0, 600.0, "#ffffff"),
            (
                rect("r", 10, 20, 100, 50, fill="#ff0000", stroke="#000000"),
                ellipse("e", 200, 100, 40, 40, fill=None, stroke="#00ff00", opacity=0.5),
                line("l", 0, 0, 30, 40, stroke_width=2.0),
                text("t", 50, 50, 120, 30, "hello", font_family="DejaVu Sans", font_size=14),
            ),
        )
    )


@pytest.fixture
def session(qapp: object) -> Iterator[Session]:
    s = make_session()
    yield s
    s.close()
    s.deleteLater()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def props(qtbot: QtBot, session: Session, clock: FakeClock) -> PropertiesPanel:
    panel = PropertiesPanel()
    qtbot.addWidget(panel)
    session.history.clock = clock
    panel.set_session(session)
    show(qtbot, panel)
    return panel


@pytest.fixture
def history_panel(qtbot: QtBot, session: Session) -> HistoryPanel:
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    panel.set_session(session)
    show(qtbot, panel)
    return panel
