"""FakeClock (the tests' time) and QtClock (the real one, on Qt timers)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from editor.jobs import FakeClock, QtClock


def test_fake_clock_fires_due_callbacks_in_order_as_time_advances() -> None:
    clock = FakeClock(start=10.0, wall_start=1000.0)
    fired: list[tuple[str, float]] = []
    clock.call_later(2.0, lambda: fired.append(("b", clock.now())))
    clock.call_later(1.0, lambda: fired.append(("a", clock.now())))
    clock.call_later(5.0, lambda: fired.append(("c", clock.now())))
    assert clock.pending() == [1.0, 2.0, 5.0]
    assert clock.advance(0.999) == 0
    assert clock.advance(1.001) == 2
    assert fired == [("a", 11.0), ("b", 12.0)]
    assert clock.now() == 12.0
    assert clock.wall_time() == 1002.0
    assert clock.next_delay() == 3.0


def test_fake_clock_cancel_and_nested_scheduling() -> None:
    clock = FakeClock()
    fired: list[str] = []
    handle = clock.call_later(1.0, lambda: fired.append("cancelled"))

    def schedule_more() -> None:
        clock.call_later(0.5, lambda: fired.append("nested"))

    clock.call_later(1.0, schedule_more)
    handle.cancel()
    clock.advance(2.0)
    assert fired == ["nested"]
    assert clock.pending() == []
    assert clock.next_delay() is None
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_qt_clock_calls_back_on_timers_and_cancel_stops_them(qtbot: QtBot) -> None:
    clock = QtClock()
    fired: list[str] = []
    clock.call_later(0.001, lambda: fired.append("early")).cancel()
    clock.call_later(0.002, lambda: fired.append("late"))
    clock.call_later(-5, lambda: fired.append("now"))
    qtbot.waitUntil(lambda: "late" in fired, timeout=2000)
    assert fired == ["now", "late"]
    assert clock.now() > 0
    assert clock.wall_time() > 1.7e9
