"""Fixtures for canvas tests: a session with a few shapes, shown in an active window."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPointF
from pytestqt.qtbot import QtBot

from editor.model import Page, Snapshot, ellipse, line, rect, text
from editor.ui.canvas import Canvas
from editor.ui.canvas.simulate import activate
from editor.ui.session import Session


class FakeClock:
    """A monotonic clock that only moves when told (typing and nudge pauses)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def history_texts(session: Session) -> list[str]:
    """The history's steps, oldest first, as the History panel names them."""
    stack = session.history.stack
    return [stack.text(i) for i in range(stack.count())]


def sample_session() -> Session:
    """Page 800 x 600; each shape well apart so clicks are unambiguous."""
    shapes = (
        rect("r", 100, 100, 80, 60, fill="#ff0000"),
        ellipse("e", 300, 100, 80, 80, fill="#00ff00"),
        line("l", 100, 300, 200, 300, stroke_width=2),
        text("t", 300, 300, 160, 60, "hello"),
        rect("frame", 500, 100, 200, 150, fill=None),
    )
    return Session(Snapshot(Page(800, 600, "#ffffff"), shapes))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session(qapp: object) -> Session:
    return sample_session()


@pytest.fixture
def make_canvas(qtbot: QtBot, clock: FakeClock) -> Callable[[Session], Canvas]:
    """A shown, active canvas at 100 % with the page centred, on `session`."""

    def make(session: Session) -> Canvas:
        canvas = Canvas()
        qtbot.addWidget(canvas)
        session.history.clock = clock
        canvas.resize(1000, 800)
        activate(qtbot, canvas)
        canvas.set_session(session)
        canvas.zoom_actual()
        canvas.centerOn(QPointF(400, 300))
        return canvas

    return make


@pytest.fixture
def canvas(make_canvas: Callable[[Session], Canvas], session: Session) -> Canvas:
    return make_canvas(session)
