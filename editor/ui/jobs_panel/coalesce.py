"""One deferred call for many events: how every jobs widget keeps the GUI thread free.

A burst of job events (ten thousand instant jobs, a disk that fails every queued save at
once) arrives as one signal per event. Doing view work per event — a `dataChanged`, a
`setText`, a relayout — makes the cost of a burst grow with its size. Instead each widget
records what changed in O(1) and calls `Coalescer.mark()`; the widget's `flush` then runs
once, at most `interval_ms` after the first event of a burst, and does the view work for
everything that changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from shiboken6 import Shiboken

#: The default delay between the first event of a burst and the update: long enough to
#: batch a burst, short enough to feel immediate (a progress bar at 20 Hz looks smooth).
FLUSH_INTERVAL_MS = 50


class Coalescer(QObject):
    """Calls `callback` once, `interval_ms` after the first `mark()` since the last call."""

    def __init__(
        self, callback: Callable[[], None], parent: QObject, interval_ms: int = FLUSH_INTERVAL_MS
    ) -> None:
        super().__init__(parent)
        self._callback = callback
        self._marked = False  # a Python flag: cheaper per event than QTimer.isActive()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._fire)

    def mark(self) -> None:
        """Something changed: make sure the callback runs soon (O(1), no timer restart)."""
        if not self._marked:
            self._marked = True
            self._timer.start()

    @property
    def pending(self) -> bool:
        """True between a `mark()` and the callback."""
        return self._marked

    def cancel(self) -> None:
        """Forget a pending call (the owner flushed by hand)."""
        self._marked = False
        self._timer.stop()

    def flush(self) -> None:
        """Run a pending call now (tests: `editor.testing.wait_until_idle`)."""
        if self._marked:
            self.cancel()
            self._callback()

    def _fire(self) -> None:
        self._marked = False
        self._callback()


def alive(obj: QObject) -> bool:
    """False once `obj`'s C++ side was deleted (a queue destroyed before its views).

    Deferred updates that read the queue check this first: a view may outlive its queue
    by one pending update, and then it should leave the half-destroyed queue alone (any
    Qt method of it would raise RuntimeError) rather than show one last stale state.
    """
    return bool(Shiboken.isValid(obj))
