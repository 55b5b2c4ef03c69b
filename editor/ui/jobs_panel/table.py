"""A table view whose own actions win over the window's shortcuts while it has focus.

The main window binds Delete (delete shapes) and Ctrl+C (copy shapes) as window
shortcuts. If the table bound the same keys as widget shortcuts, both would be "in
context" while the table has focus, Qt would call that ambiguous, trigger neither and log
a warning. So the table claims its keys in `ShortcutOverride` (the focus widget is asked
before any shortcut) and triggers its action from `keyPressEvent`. The actions still carry
their shortcuts, so menus and tooltips show them, and they form the context menu.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QHeaderView, QTableView, QWidget

if TYPE_CHECKING:
    _View = QAbstractItemView
else:
    _View = object  # a plain mixin: shiboken cannot mix two wrapped view classes


class ActionKeys(_View):
    """The key handling above, for any item view (the table here, the Publish tab's
    tree). Listed first among a view's bases: its `event` and `keyPressEvent` come
    before the Qt view's."""

    def add_action(self, action: QAction) -> None:
        """Add `action` to the context menu and bind its keys while the table has focus."""
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.addAction(action)

    def action_for(self, event: QKeyEvent) -> QAction | None:
        """The action whose shortcut is exactly this key press, if any."""
        pressed = QKeySequence(event.keyCombination())
        for action in self.actions():
            for shortcut in action.shortcuts():
                if shortcut.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch:
                    return action
        return None

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self.action_for(event) is not None
        ):
            # Ours, even when disabled: Delete on an empty selection must not delete shapes.
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self.action_for(event)
        if action is None:
            super().keyPressEvent(event)
            return
        event.accept()
        if action.isEnabled():
            action.trigger()


class ActionTable(ActionKeys, QTableView):
    """A read-only, row-selecting table with keyboard actions and an actions context menu."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name.lower().replace(" ", "_") + "_view")
        self.setAccessibleName(name)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setTabKeyNavigation(False)  # Tab leaves the table, as in any list
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setCornerButtonEnabled(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        rows = self.verticalHeader()
        rows.hide()
        # Fixed row heights: inserting rows then only adjusts a count, never measures rows.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        columns = self.horizontalHeader()
        columns.setStretchLastSection(True)
        columns.setHighlightSections(False)
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setAccessibleName(f"{name} columns")
        rows.setAccessibleName(f"{name} rows")
        corner = self.findChild(QAbstractButton, "qt_tableview_cornerbutton")
        if corner is not None:
            corner.setAccessibleName(f"Select all of {name}")

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        if cursorAction in (
            QAbstractItemView.CursorAction.MoveHome,
            QAbstractItemView.CursorAction.MoveEnd,
        ):
            modifiers |= Qt.KeyboardModifier.ControlModifier  # first/last row, not column
        return super().moveCursor(cursorAction, modifiers)

    def selected_rows(self) -> list[int]:
        """Selected rows, top to bottom."""
        return sorted(index.row() for index in self.selectionModel().selectedRows())
