"""The main window end to end, through the public `strata_window` fixture and helpers,
with real mouse and key events."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from editor.commands import MoveShapes
from editor.io.format import load
from editor.io.format import save as write_file
from editor.model import Rect, Snapshot, rect
from editor.testing import (
    activate,
    click,
    drag,
    draw_shape,
    press,
    save,
    select,
    type_text,
    wait_until_idle,
)
from editor.ui.main_window import MainWindow

SAMPLES = Path(__file__).resolve().parents[2] / "editor" / "samples"
Ctrl = Qt.KeyboardModifier.ControlModifier
Shift = Qt.KeyboardModifier.ShiftModifier
OpenWindow = Callable[..., MainWindow]


def dialog(qtbot: QtBot, window: MainWindow, name: str) -> QMessageBox:
    found: list[QMessageBox] = []

    def present() -> bool:
        found[:] = [w for w in window.findChildren(QMessageBox, name) if w.isVisible()]
        return bool(found)

    qtbot.waitUntil(present, timeout=3000)
    return found[0]


def answer(box: QMessageBox, button: QMessageBox.StandardButton) -> None:
    box.button(button).click()


def test_the_window_has_no_shortcut_conflicts(strata_window: OpenWindow) -> None:
    window = strata_window()
    assert window.action_registry.conflicts() == {}
    keys = {name: [s.toString() for s in window.action_registry[name].shortcuts()]
            for name in ("undo", "redo")}  # fmt: skip
    assert keys == {"undo": ["Ctrl+Z"], "redo": ["Ctrl+Shift+Z", "Ctrl+Y"]}


def test_keyboard_undo_and_both_redo_keys(strata_window: OpenWindow) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    assert len(window.document) == 1
    press(window, Qt.Key.Key_Escape)
    press(window, Qt.Key.Key_Z, Ctrl)
    assert len(window.document) == 0
    press(window, Qt.Key.Key_Z, Ctrl | Shift)
    assert len(window.document) == 1
    press(window, Qt.Key.Key_Z, Ctrl)
    assert len(window.document) == 0
    press(window, Qt.Key.Key_Y, Ctrl)
    assert len(window.document) == 1
    assert window.action_registry["undo"].text() == "&Undo Add Rectangle"


def test_undo_reselects_what_changed(strata_window: OpenWindow) -> None:
    window = strata_window()
    a = draw_shape(window, "rect", (100, 100), (200, 160))
    b = draw_shape(window, "ellipse", (300, 100), (400, 160))
    select(window, a)
    press(window, Qt.Key.Key_Right)
    select(window, b)
    press(window, Qt.Key.Key_Z, Ctrl)
    assert window.session.selection.ids() == (a,)
    shape = window.document[a]
    assert isinstance(shape, Rect) and shape.x == 100


def test_modified_marker_follows_saves_and_undo(strata_window: OpenWindow, tmp_path: Path) -> None:
    window = strata_window()
    assert not window.isWindowModified()
    draw_shape(window, "rect", (100, 100), (200, 160))
    assert window.isWindowModified()
    target = tmp_path / "drawing.strata"
    save(window, target, wait=False)
    wait_until_idle(window)
    assert not window.isWindowModified()
    assert window.windowTitle() == "drawing.strata[*] — Strata"
    assert len(load(target).shapes) == 1
    draw_shape(window, "ellipse", (300, 100), (400, 160))
    assert window.isWindowModified()
    press(window, Qt.Key.Key_Escape)
    press(window, Qt.Key.Key_Z, Ctrl)
    assert not window.isWindowModified(), "undoing back to the saved state is clean"


def test_ctrl_s_saves_to_the_open_file(strata_window: OpenWindow, tmp_path: Path) -> None:
    path = tmp_path / "doc.strata"
    write_file(path, Snapshot(load(SAMPLES / "shapes.strata").page, (rect("r", 0, 0, 5, 5),)))
    window = strata_window(path)
    window.session.push(MoveShapes(("r",), 7, 0))
    press(window, Qt.Key.Key_S, Ctrl)
    wait_until_idle(window)
    assert load(path).shapes[0].x == 7  # type: ignore[union-attr]
    assert not window.isWindowModified()


def test_a_failed_save_keeps_the_document_modified_and_says_so(
    strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    save(window, tmp_path / "missing-folder" / "x.strata", wait=False)
    wait_until_idle(window)
    assert window.isWindowModified()
    assert window.session.last_save_error
    label = window.statusBar().findChild(type(window._save_label), "save_label")
    assert label is not None and "save failed" in label.text().lower()


def test_a_bad_file_shows_a_located_error_and_keeps_the_document(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window(SAMPLES / "shapes.strata")
    before = window.document.snapshot()
    bad = tmp_path / "bad.strata"
    data = json.loads((SAMPLES / "shapes.strata").read_text())
    data["shapes"][3]["width"] = -5
    bad.write_text(json.dumps(data))
    assert not window.open_path(bad)
    box = dialog(qtbot, window, "error_dialog")
    assert "shapes[3].width: expected a number >= 0" in box.informativeText()
    answer(box, QMessageBox.StandardButton.Ok)
    assert window.document.snapshot() == before
    assert window.session.path == (SAMPLES / "shapes.strata").resolve()


def test_unsaved_changes_prompt_cancel_discard_and_save(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    path = tmp_path / "doc.strata"
    write_file(path, load(SAMPLES / "shapes.strata"))
    window = strata_window(path)
    window.session.push(MoveShapes(("a1",), 5, 5))
    # Cancel keeps everything
    press(window, Qt.Key.Key_N, Ctrl)
    answer(dialog(qtbot, window, "unsaved_dialog"), QMessageBox.StandardButton.Cancel)
    assert window.session.path == path.resolve() and window.isWindowModified()
    # Save writes the file, then proceeds to the new document
    press(window, Qt.Key.Key_N, Ctrl)
    answer(dialog(qtbot, window, "unsaved_dialog"), QMessageBox.StandardButton.Save)
    qtbot.waitUntil(lambda: window.session.path is None, timeout=5000)
    assert load(path).shapes[0].x == 15  # type: ignore[union-attr]
    # Discard drops the changes
    draw_shape(window, "rect", (100, 100), (200, 160))
    window.open_path(path)
    answer(dialog(qtbot, window, "unsaved_dialog"), QMessageBox.StandardButton.Discard)
    qtbot.waitUntil(lambda: window.session.path == path.resolve(), timeout=3000)
    assert len(window.document) == 4


def test_closing_with_unsaved_changes_asks(qtbot: QtBot, strata_window: OpenWindow) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    window.close()
    box = dialog(qtbot, window, "unsaved_dialog")
    assert window.isVisible()
    answer(box, QMessageBox.StandardButton.Cancel)
    assert window.isVisible()
    window.close()
    answer(dialog(qtbot, window, "unsaved_dialog"), QMessageBox.StandardButton.Discard)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)


def test_copy_paste_between_windows(strata_window: OpenWindow) -> None:
    first = strata_window(SAMPLES / "shapes.strata")
    second = strata_window()
    first.session.selection.set(["a1", "a2"])
    first.operations.copy()
    with_focus(second)
    press(second, Qt.Key.Key_V, Ctrl)
    assert len(second.document) == 2
    pasted = second.document.shapes()
    assert {type(s).__name__ for s in pasted} == {"Rect", "Ellipse"}
    assert set(second.session.selection.ids()) == {s.id for s in pasted}
    press(second, Qt.Key.Key_Z, Ctrl)
    assert len(second.document) == 0


def with_focus(window: MainWindow) -> None:
    activate(window)
    window.canvas.setFocus()


def test_cut_duplicate_delete_and_arrange_from_the_keyboard(strata_window: OpenWindow) -> None:
    window = strata_window(SAMPLES / "shapes.strata")
    doc = window.document
    select(window, "a1")
    press(window, Qt.Key.Key_D, Ctrl)
    assert len(doc) == 5
    copy = window.session.selection.ids()[0]
    assert doc[copy].x == doc["a1"].x + 10  # type: ignore[union-attr]
    press(window, Qt.Key.Key_BracketLeft, Ctrl | Shift)  # send to back
    assert doc.ids()[0] == copy
    press(window, Qt.Key.Key_Delete)
    assert copy not in doc
    select(window, "a2")
    press(window, Qt.Key.Key_X, Ctrl)
    assert "a2" not in doc
    assert window.undo_stack.text(window.undo_stack.index() - 1) == "Cut Ellipse"
    press(window, Qt.Key.Key_V, Ctrl)
    pasted = window.session.selection.ids()
    assert len(pasted) == 1 and doc[pasted[0]].x == 150  # type: ignore[union-attr]
    press(window, Qt.Key.Key_A, Ctrl)
    assert len(window.session.selection) == len(doc)


def test_drop_a_file_to_open_it(qtbot: QtBot, strata_window: OpenWindow) -> None:
    window = strata_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(SAMPLES / "shapes.strata"))])
    pos, action = QPoint(50, 50), Qt.DropAction.CopyAction
    none, no_mods = Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, action, mime, none, no_mods)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(pos), action, mime, none, no_mods)
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: len(window.document) == 4, timeout=3000)


def test_recent_files_remember_opened_documents(strata_window: OpenWindow) -> None:
    window = strata_window(SAMPLES / "shapes.strata")
    window.open_path(SAMPLES / "welcome.strata")
    recent = window.documents.recent_files()
    assert recent[:2] == [(SAMPLES / "welcome.strata").resolve(),
                          (SAMPLES / "shapes.strata").resolve()]  # fmt: skip


def test_the_canvas_has_focus_when_a_document_opens(strata_window: OpenWindow) -> None:
    window = strata_window(SAMPLES / "shapes.strata")
    window.open_path(SAMPLES / "welcome.strata")
    assert QApplication.focusWidget() is window.canvas


def test_click_select_then_history_dock_jump(strata_window: OpenWindow) -> None:
    window = strata_window(SAMPLES / "shapes.strata")
    click(window, (60, 45))  # inside a1
    assert window.session.selection.ids() == ("a1",)
    for _ in range(3):
        window.session.push(MoveShapes(("a1",), 10, 0, joinable=False))
    view = window.history_panel.view()
    index = view.model().index(1, 0)
    from PySide6.QtTest import QTest  # noqa: PLC0415

    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, view.visualRect(index).center())  # fmt: skip
    assert window.undo_stack.index() == 1
    assert window.document["a1"].x == 20  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["rect", "ellipse", "line", "text"])
def test_draw_every_kind_with_the_public_helper(strata_window: OpenWindow, kind: str) -> None:
    window = strata_window()
    shape_id = draw_shape(window, kind, (100, 100), (220, 180))
    assert shape_id in window.document
    assert window.undo_stack.count() >= 1


def test_undo_limit_preference_applies_to_the_next_document(
    qtbot: QtBot, strata_window: OpenWindow
) -> None:
    window = strata_window()
    dialog = window.show_preferences()
    qtbot.waitExposed(dialog)
    dialog.undo_limit.setValue(2)
    dialog.accept()
    assert window.settings.undo_limit() == 2
    assert window.undo_stack.undoLimit() == 0  # the open document keeps its history
    window.documents.new()
    for n in range(4):
        draw_shape(window, "rect", (100 + n * 5, 100), (150 + n * 5, 150))
    assert window.undo_stack.undoLimit() == 2
    assert window.undo_stack.count() == 2


def test_typing_undoes_by_words_through_the_one_history(strata_window: OpenWindow) -> None:
    window = strata_window()
    press(window, Qt.Key.Key_T)
    drag(window, (100, 100), (400, 160))
    assert window.canvas.is_editing_text()
    type_text(window, "hello big world")
    (text_id,) = window.document.ids()
    assert window.document[text_id].text == "hello big world"  # type: ignore[union-attr]
    press(window, Qt.Key.Key_Z, Ctrl)  # while editing: the global history, one word
    assert window.document[text_id].text == "hello big "  # type: ignore[union-attr]
    assert window.canvas.is_editing_text()
    press(window, Qt.Key.Key_Y, Ctrl)
    assert window.document[text_id].text == "hello big world"  # type: ignore[union-attr]
    texts = [window.undo_stack.text(i) for i in range(window.undo_stack.count())]
    assert texts == ["Add Text Box", "Type 'hello'", "Type 'big'", "Type 'world'"]


def test_tool_letters_type_into_a_text_box_while_editing(strata_window: OpenWindow) -> None:
    window = strata_window()
    press(window, Qt.Key.Key_T)
    drag(window, (100, 100), (400, 160))
    type_text(window, "vretl")
    assert window.canvas.tool() in ("text", "select")
    assert [s.text for s in window.document] == ["vretl"]  # type: ignore[union-attr]
    press(window, Qt.Key.Key_Backspace)  # deletes a character, not the text box
    assert [s.text for s in window.document] == ["vret"]  # type: ignore[union-attr]
    press(window, Qt.Key.Key_Escape)
    assert not window.canvas.is_editing_text()
    press(window, Qt.Key.Key_R)
    assert window.canvas.tool() == "rect"
