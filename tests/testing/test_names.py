"""Every dock, tab widget, table, button and Properties field of a window has a stable
object name, listed in docs/testing.md; so does every dialog `wait_for_dialog` knows."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QDockWidget,
    QHeaderView,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QToolBar,
    QWidget,
)

from editor.samples import path as sample
from editor.testing import DIALOG_NAMES, select
from editor.ui.main_window import MainWindow

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
KINDS = (QDockWidget, QTabWidget, QAbstractItemView, QAbstractButton, QAbstractSpinBox,
         QComboBox, QAbstractSlider)  # fmt: skip
#: Parts of other widgets that Qt makes (a tab bar's scroll arrows, a combo box's popup,
#: a toolbar's buttons, which are its actions').
NOT_OURS = (QTabBar, QComboBox, QToolBar)


def documented() -> set[str]:
    return set(re.findall(r"`([a-z][a-z0-9_]*)`", DOC.read_text(encoding="utf-8")))


def _inside_qt_part(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, NOT_OURS) or type(parent).__name__.startswith("QComboBox"):
            return True
        parent = parent.parentWidget()
    return False


def named_widgets(window: MainWindow) -> dict[str, QWidget]:
    found: dict[str, QWidget] = {}
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, KINDS) or isinstance(widget, QHeaderView | QScrollBar):
            continue
        if widget.objectName().startswith("qt_") or _inside_qt_part(widget):
            continue
        what = f"{type(widget).__name__} {widget.accessibleName()!r}"
        assert widget.objectName(), f"a {what} has no object name"
        found[widget.objectName()] = widget
    return found


def test_every_dock_table_button_and_field_has_a_documented_name(
    strata_window: Callable[..., MainWindow],
) -> None:
    window = strata_window()
    window.show_jobs()
    names = set(named_widgets(window))
    assert {"properties_dock", "jobs_tabs", "history_view", "properties_fill"} <= names
    missing = names - documented()
    assert not missing, f"not in docs/testing.md: {sorted(missing)}"


def test_properties_fields_are_found_by_their_documented_accessible_names(
    strata_window: Callable[..., MainWindow],
) -> None:
    window = strata_window(sample("shapes.strata"))
    select(window, "a1")
    text = DOC.read_text(encoding="utf-8")
    for widget in window.properties.findChildren(QWidget):
        if widget.objectName().startswith("properties_"):
            row = f"| {widget.accessibleName()} | `{widget.objectName()}` |"
            assert row in text, f"docs/testing.md lacks the row {row}"


def test_every_dialog_name_is_documented() -> None:
    assert set(DIALOG_NAMES) <= documented()
