"""Waiting on the GUI thread for a condition, with a timeout on the injected clock.

`JobQueue.wait_until_idle` and `shutdown` process Qt events until their condition holds
or `timeout` seconds pass *on the queue's clock*: real seconds on a `QtClock`; on a
`FakeClock`, only when the test advances it, so no test waits in real time for a timeout
(tests/jobs/fakes.py `ticking()` moves a fake clock while a wait runs). Tested in
tests/jobs/test_parts.py.

A fake clock that nobody advances would make a wait for something that never happens
hang; `BACKSTOP` real seconds end such a wait anyway, so a broken test fails instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QEventLoop, QTimer

from editor.jobs.clock import Clock

#: Real seconds after which a wait ends whatever its clock says (a guard for fake clocks).
BACKSTOP: Final = 120.0


class Waits:
    """Event-loop waits woken by `wake()` (the queue calls it after every change)."""

    __slots__ = ("_clock", "_waiters")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._waiters: list[Callable[[], None]] = []

    def wake(self) -> None:
        """Let each running wait look at its condition again."""
        for waiter in list(self._waiters):
            waiter()

    def wait_for(self, done: Callable[[], bool], timeout: float) -> bool:
        """Process events until `done()` or `timeout` clock seconds pass; return `done()`."""
        if done():
            return True
        if timeout <= 0:
            return False
        loop = QEventLoop()
        timer = self._clock.call_later(timeout, loop.quit)
        backstop = QTimer()
        backstop.setSingleShot(True)
        backstop.timeout.connect(loop.quit)

        def wake() -> None:
            if done():
                loop.quit()

        self._waiters.append(wake)
        backstop.start(round(max(timeout, BACKSTOP) * 1000))
        try:
            loop.exec()
        finally:
            self._waiters.remove(wake)
            timer.cancel()
            backstop.stop()
        return done()
