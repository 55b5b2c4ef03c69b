"""Small things a user notices (issue 8, item 8): the F1 list, History labels, icons, About."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QTableWidget
from pytestqt.qtbot import QtBot

from editor import __version__
from editor.testing import draw_shape, press, save, type_text
from editor.ui.icons import APP_ICON_FILES
from editor.ui.main_window import MainWindow
from editor.ui.shortcuts import readable

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "editor" / "samples"
Ctrl = Qt.KeyboardModifier.ControlModifier
OpenWindow = Callable[..., MainWindow]
#: What a readable key looks like: modifiers, then one key name.
KEY = re.compile(
    r"^((Ctrl|Alt|Shift|Meta)\+)*(F([1-9]|1[0-2])|[!-~]|Delete|Backspace|Insert|Home|End|"
    r"Page Up|Page Down|Left|Right|Up|Down|Enter|Escape|Tab|Space)$"
)


def shortcuts_table(qtbot: QtBot, window: MainWindow) -> QTableWidget:
    press(window, Qt.Key.Key_F1)

    def shown() -> list[QDialog]:
        return [d for d in window.findChildren(QDialog, "shortcuts_dialog") if d.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()))
    (dialog,) = shown()
    table = dialog.findChild(QTableWidget, "shortcuts_table")
    assert table is not None
    return table


def sections(table: QTableWidget) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for row in range(table.rowCount()):
        action = table.item(row, 0)
        keys = table.item(row, 1)
        assert action is not None
        if table.columnSpan(row, 0) == 2:  # a heading
            current = found.setdefault(action.text(), [])
        else:
            assert keys is not None
            current.append((action.text(), keys.text()))
    return found


def test_f1_lists_the_shortcuts_by_menu_with_readable_keys(
    qtbot: QtBot, strata_window: OpenWindow
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    assert window.action_registry["undo"].text().startswith("&Undo Add")  # the menu's text
    found = sections(shortcuts_table(qtbot, window))
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert [title for title in found if title != "Canvas"] == [m for m in menus if m in found], (
        "grouped by menu, in the menus' order"
    )
    assert {"File", "Edit", "Arrange", "Tools", "View", "Help", "Canvas"} <= set(found)
    edit = dict(found["Edit"])
    assert edit["Undo"] == "Ctrl+Z"
    assert edit["Redo"] == "Ctrl+Shift+Z, Ctrl+Y"
    assert edit["Delete"] == "Delete, Backspace"
    assert dict(found["View"])["Jobs"] == "Ctrl+J"
    for title, rows in found.items():
        if title == "Canvas":
            continue
        for action, keys in rows:
            assert "Undo " not in action and "Redo " not in action
            for key in keys.split(", "):
                assert KEY.match(key), f"{title} > {action}: {key!r} is not a readable key"


def test_readable_drops_keys_of_special_keyboards() -> None:
    for odd in ("F18", "F20", "F16", "Ctrl+F14"):
        assert readable(QKeySequence(odd)) is None
    assert readable(QKeySequence(Qt.Key.Key_Copy)) is None
    assert readable(QKeySequence("Shift+Del")) == "Shift+Delete"
    assert readable(QKeySequence("Ctrl+Shift+]")) == "Ctrl+Shift+]"
    assert readable(QKeySequence("Ctrl+PgDown")) == "Ctrl+Page Down"


def test_the_readme_key_table_lists_every_menu_shortcut(
    qtbot: QtBot, strata_window: OpenWindow
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Keyboard", 1)[1].split("\n## ", 1)[0]
    cells = {
        token.strip()
        for line in table.splitlines()
        if line.startswith("|")
        for token in re.split(r"[,()/|]", line.split("|")[2] if line.count("|") > 2 else "")
    }
    window = strata_window()
    for title, rows in sections(shortcuts_table(qtbot, window)).items():
        if title == "Canvas":
            continue
        for action, keys in rows:
            # the offscreen platform lists Ctrl+F4 before Ctrl+W for Close
            first = "Ctrl+W" if "Ctrl+W" in keys else keys.split(", ")[0]
            assert first in cells, f"README's key table lacks {action}: {first}"


def history_rows(window: MainWindow) -> list[str]:
    model = window.history_panel.model()
    return [model.data(model.index(row, 0)) for row in range(model.rowCount())]


def test_the_first_history_row_names_the_origin(strata_window: OpenWindow, tmp_path: Path) -> None:
    window = strata_window()
    assert history_rows(window)[0] == "New drawing"
    window.open_path(SAMPLES / "welcome.strata")
    assert history_rows(window)[0] == "Opened welcome.strata"
    draw_shape(window, "rect", (100, 100), (200, 160))
    save(window, tmp_path / "renamed.strata", wait=False)
    window.jobs.wait_until_idle(10)
    assert history_rows(window)[0] == "Opened welcome.strata", "the origin, not the file name"
    press(window, Qt.Key.Key_N, Ctrl)
    assert history_rows(window)[0] == "New drawing"


def test_a_paste_into_a_text_box_is_labelled_a_paste(strata_window: OpenWindow) -> None:
    window = strata_window()
    shape_id = draw_shape(window, "text", (100, 100), (300, 140), text="Hi")
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("pasted words")
    press(window, Qt.Key.Key_Return)  # edit the selected box
    press(window, Qt.Key.Key_End, Ctrl)
    press(window, Qt.Key.Key_V, Ctrl)
    type_text(window, "x")
    press(window, Qt.Key.Key_Escape)
    assert window.document[shape_id].text == "Hipasted wordsx"  # type: ignore[union-attr]
    assert history_rows(window)[-2:] == ["Paste 'pasted words'", "Type 'x'"]


def test_typing_a_space_is_labelled_with_the_space(strata_window: OpenWindow) -> None:
    window = strata_window()
    draw_shape(window, "text", (100, 100), (300, 140), text=" ")
    assert history_rows(window)[-1] == "Type ' '"


def test_bring_to_front_and_send_to_back_have_different_icons(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    front = window.action_registry["to_front"].icon().pixmap(24).toImage()
    back = window.action_registry["to_back"].icon().pixmap(24).toImage()
    assert not front.isNull() and not back.isNull()
    assert front != back


def test_the_window_icon_is_stratas_own_when_the_theme_has_none(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    assert QIcon.themeName() == "" or not QIcon.hasThemeIcon("strata")
    ours = QIcon(str(APP_ICON_FILES[0]))
    assert APP_ICON_FILES[0].is_file() and APP_ICON_FILES[0].parent.parent.name == "resources"
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert not app.windowIcon().isNull()
    assert app.windowIcon().pixmap(32).toImage() == ours.pixmap(32).toImage()
    assert window.windowIcon().pixmap(32).toImage() == ours.pixmap(32).toImage()


def test_about_names_the_version_the_licence_and_the_project(
    qtbot: QtBot, strata_window: OpenWindow
) -> None:
    window = strata_window()
    window.action_registry["about"].trigger()
    qtbot.waitUntil(lambda: bool(window.findChildren(QMessageBox, "about_dialog")))
    (box,) = window.findChildren(QMessageBox, "about_dialog")
    text = box.text() + box.informativeText()
    assert f"Strata {__version__}" in text
    assert "Licence: MIT" in text
    assert "Strata project" in text
    box.close()
