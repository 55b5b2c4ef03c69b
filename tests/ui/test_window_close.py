"""Closing the window: an unmodified document closes at once, however the person asks.

Before issue 8 the window ignored its close event and called close() again from inside
it; Qt ignores a close() re-entered during a close, so Ctrl+Q, File > Quit and the close
button did nothing on a document without unsaved changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from editor.testing import draw_shape, press
from editor.ui.main_window import MainWindow

SAMPLES = Path(__file__).resolve().parents[2] / "editor" / "samples"
Ctrl = Qt.KeyboardModifier.ControlModifier
OpenWindow = Callable[..., MainWindow]


def test_ctrl_q_closes_a_new_unmodified_window(strata_window: OpenWindow) -> None:
    window = strata_window()
    assert not window.isWindowModified()
    press(window, Qt.Key.Key_Q, Ctrl)
    assert not window.isVisible(), "Ctrl+Q on an unmodified document must close the window"


def test_file_quit_and_the_close_button_close_an_opened_file(
    strata_window: OpenWindow,
) -> None:
    quit_window = strata_window(SAMPLES / "welcome.strata")
    quit_window.action_registry["quit"].trigger()  # File > Quit
    assert not quit_window.isVisible()
    closed = strata_window(SAMPLES / "welcome.strata")
    assert closed.close() is True  # what the window manager's close button asks
    assert not closed.isVisible()


def test_undo_back_to_the_saved_state_then_ctrl_q_closes(
    qtbot: QtBot, strata_window: OpenWindow
) -> None:
    window = strata_window(SAMPLES / "welcome.strata")
    draw_shape(window, "rect", (100, 100), (200, 160))
    assert window.isWindowModified()
    press(window, Qt.Key.Key_Escape)
    press(window, Qt.Key.Key_Z, Ctrl)
    assert not window.isWindowModified()
    press(window, Qt.Key.Key_Q, Ctrl)
    assert not window.isVisible()
