"""`call_later(owner, ms, callback)`: run a callback once, soon, unless `owner` is deleted.

The same as `QTimer.singleShot(ms, owner, callback)`, except that nothing outlives the
owner. With PySide6 6.11 the single-shot form keeps its Python callback (and what it
refers to: a scene, its session, the document) alive for ever when the context object is
deleted before the timer fires; that left every closed window's document in memory
(tests/testing/test_memory.py). A QTimer child of the owner dies with it, and with it
the connection that held the callback.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


def call_later(owner: QObject, ms: int, callback: Callable[[], object]) -> QTimer:
    """Call `callback` after `ms` milliseconds on this thread, unless `owner` dies first."""
    timer = QTimer(owner)
    timer.setSingleShot(True)

    def fire() -> None:
        timer.deleteLater()
        callback()

    timer.timeout.connect(fire)
    timer.start(ms)
    return timer
