"""The Export dialog and where file dialogs open (issue 8, item 7, last bullet)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from editor.testing import draw_shape, press, save, wait_until_idle
from editor.ui.dialogs import ExportDialog
from editor.ui.main_window import MainWindow

OpenWindow = Callable[..., MainWindow]
Ctrl = Qt.KeyboardModifier.ControlModifier


def shown(window: MainWindow, kind: type, name: str) -> list:  # type: ignore[type-arg]
    return [d for d in window.findChildren(kind, name) if d.isVisible()]


def export_dialog(qtbot: QtBot, window: MainWindow) -> ExportDialog:
    press(window, Qt.Key.Key_E, Ctrl)
    qtbot.waitUntil(lambda: bool(shown(window, ExportDialog, "export_dialog")))
    (dialog,) = shown(window, ExportDialog, "export_dialog")
    return dialog


def test_the_export_file_field_shows_a_whole_path(qtbot: QtBot, strata_window: OpenWindow) -> None:
    window = strata_window()
    dialog = export_dialog(qtbot, window)
    field = dialog.findChild(QLineEdit, "export_path")
    assert field is not None
    path = "/home/someone/Documents/Drawings/2026/Quarterly plan, second draft.png"
    field.setText(path)
    room = field.contentsRect().width()
    assert field.fontMetrics().horizontalAdvance(path) < room, f"{room} px is too narrow"
    dialog.reject()


def test_an_export_into_a_missing_folder_is_refused_in_the_dialog(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    dialog = export_dialog(qtbot, window)
    field = dialog.findChild(QLineEdit, "export_path")
    assert field is not None
    missing = tmp_path / "no such folder" / "out.png"
    field.setText(str(missing))
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert dialog.isVisible(), "the dialog stays open"
    problem = dialog.findChild(QLabel, "export_problem")
    assert problem is not None and problem.isVisible()
    assert str(missing.parent) in problem.text() and "does not exist" in problem.text()
    assert window.jobs.records() == (), "no export was queued"
    field.setText(str(tmp_path / "out.png"))
    assert not problem.isVisible(), "editing the path clears the message"
    QTest.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    wait_until_idle(window)
    assert (tmp_path / "out.png").exists()


def test_a_relative_export_path_is_relative_to_the_suggested_folder(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    window.settings.set_last_directory(tmp_path)
    dialog = export_dialog(qtbot, window)
    field = dialog.findChild(QLineEdit, "export_path")
    assert field is not None
    assert Path(field.text()).parent == tmp_path
    field.setText("relative.png")
    QTest.keyClick(field, Qt.Key.Key_Return)
    wait_until_idle(window)
    assert (tmp_path / "relative.png").exists()


def save_as_dialog(qtbot: QtBot, window: MainWindow) -> QFileDialog:
    press(window, Qt.Key.Key_S, Ctrl | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: bool(shown(window, QFileDialog, "save_dialog")))
    (dialog,) = shown(window, QFileDialog, "save_dialog")
    return dialog


def test_save_as_opens_in_the_folder_last_saved_to(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    folder = tmp_path / "drawings"
    folder.mkdir()
    save(window, folder / "first.strata", wait=False)
    wait_until_idle(window)
    press(window, Qt.Key.Key_N, Ctrl)  # a new drawing has no folder of its own
    dialog = save_as_dialog(qtbot, window)
    assert Path(dialog.directory().absolutePath()) == folder
    dialog.reject()


def test_save_as_opens_in_home_not_where_strata_was_started(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "started here"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    window = strata_window()  # a fresh settings file: no folder used yet
    dialog = save_as_dialog(qtbot, window)
    assert Path(dialog.directory().absolutePath()) == Path.home()
    dialog.reject()
