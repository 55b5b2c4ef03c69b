"""The History panel: the undo stack as a list; click or arrow to an entry to go there.

Built on `HistoryModel` (incremental: inserts, removes and repaints only what changed) and
a one-column QTableView with fixed-height rows.

Why a QTableView and not a QListView with `setUniformItemSizes(True)`? QListView lays out
*every* row again whenever rows are inserted or removed (its `rowsInserted` clears the
layout; "be smarter about inserted items" says the Qt source), and that layout asks the
model for an index of every row — for a Python model, two calls into Python per row. With
this very model a QListView took 25 ms per push (median) at 10,000 entries and 240 ms at
100,000; QUndoView (C++ model, reset on every change) 2.4 ms and 5.6 ms. A QTableView keeps
row positions in its vertical header, which with fixed-size sections only adjusts a count
on insert, so a push costs the same at 10,000 and 100,000 entries (about 2 ms, nearly all
of it Qt repainting the scrolled list and its scroll bar; an undo about 0.3-1.2 ms). See
bench/bench_history_panel.py.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QKeyEvent, QMouseEvent, QPalette, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from editor.history import History
from editor.ui.panels.history_model import EMPTY_LABEL, HistoryModel
from editor.ui.session import Session

_ICON = QSize(16, 16)


class _HistoryView(QTableView):
    """A one-column table that navigates like a list: Home/End go to the first/last row.

    Before handling a key or a click it lets the panel select the stack's current row if
    that is still pending, so that Up or a click always starts from the real current row.
    """

    def __init__(self, parent: QWidget, before_input: Callable[[], None]) -> None:
        super().__init__(parent)
        self._before_input = before_input

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self._before_input()
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._before_input()
        super().mousePressEvent(event)

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        if cursorAction in (
            QAbstractItemView.CursorAction.MoveHome,
            QAbstractItemView.CursorAction.MoveEnd,
        ):
            modifiers |= Qt.KeyboardModifier.ControlModifier  # a table's Home is "first column"
        return super().moveCursor(cursorAction, modifiers)


class HistoryPanel(QWidget):
    """The History dock's content: every undo step, the current one selected.

    Clicking a row, or moving the current row with the keyboard (Up/Down, Page Up/Down,
    Home/End), jumps there with `History.set_index`. The saved state carries a disk icon;
    steps that can be redone are dimmed. The window calls `set_session` on New/Open.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history: History | None = None
        self._following = False
        self._model = HistoryModel(self)
        view = self._view = _HistoryView(self, self._follow_before_input)
        view.setModel(self._model)
        view.setAccessibleName("History")
        view.setObjectName("history_view")
        view.horizontalHeader().hide()
        view.horizontalHeader().setStretchLastSection(True)
        rows = view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setCornerButtonEnabled(False)
        view.setTabKeyNavigation(False)  # Tab leaves the list, as in any list box
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setIconSize(_ICON)
        view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        # The view selects and scrolls to the current row at the first stack change of an
        # event-loop turn (so one edit is painted once), and further changes in the same
        # turn (a replay of 100,000 pushes) are followed once when the turn ends: moving
        # the selection costs more than the model's own update. The timer marks the turn.
        self._follow_pending = False
        self._follow_timer = QTimer(self)
        self._follow_timer.setSingleShot(True)
        self._follow_timer.setInterval(0)
        self._follow_timer.timeout.connect(self._follow_if_pending)
        self._model.synced.connect(self._on_synced)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(view)
        self.setFocusProxy(view)
        self._apply_style()
        self._follow_stack()

    # ---------------------------------------------------------------- public API
    def set_session(self, session: Session | None) -> None:
        """Show `session`'s history (None: nothing); the previous one is unbound."""
        history = session.history if session is not None else None
        self._history = history
        if history is None:
            self._model.set_stack(None)
        else:
            self._model.set_stack(
                history.stack,
                history.saved_index,
                saved_signals=(history.modifiedChanged, history.savedChanged),
            )
        self._model.set_empty_label(session.origin if session is not None else EMPTY_LABEL)

    def set_stack(
        self, stack: QUndoStack | None, saved_index: Callable[[], int] | None = None
    ) -> None:
        """Show a bare QUndoStack (tests, tools); the saved row is its clean index."""
        self._history = None
        self._model.set_stack(stack, saved_index)
        self._model.set_empty_label(EMPTY_LABEL)

    def view(self) -> QTableView:
        """The list of entries (a one-column table: see the module docstring)."""
        return self._view

    def model(self) -> HistoryModel:
        return self._model

    def refresh_saved(self) -> None:
        """Re-read the saved state (after `History.mark_saved` of an older revision,
        which emits no signal when the document stays modified)."""
        self._model.refresh_saved()

    # ---------------------------------------------------------------- internals
    def _apply_style(self) -> None:
        view = self._view
        height = max(view.fontMetrics().height(), _ICON.height()) + 6
        rows = view.verticalHeader()
        rows.setMinimumSectionSize(min(rows.minimumSectionSize(), height))
        rows.setDefaultSectionSize(height)
        blank = QPixmap(_ICON)
        blank.fill(Qt.GlobalColor.transparent)
        saved = self.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton)
        dim = view.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        self._model.set_appearance(saved, QIcon(blank), dim)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if hasattr(self, "_view") and event.type() in (
            QEvent.Type.FontChange,
            QEvent.Type.PaletteChange,
            QEvent.Type.StyleChange,
        ):
            self._apply_style()

    def _on_synced(self) -> None:
        if self._follow_timer.isActive():  # already followed during this turn
            self._follow_pending = True
        else:
            self._follow_stack()
            self._follow_timer.start()

    def _follow_if_pending(self) -> None:
        if self._follow_pending:
            self._follow_stack()

    def _follow_before_input(self) -> None:
        # Select the real current row, but do not scroll (a view scrolls to a new current
        # index by itself unless autoScroll is off): the click is aimed at the rows on
        # screen.
        if self._follow_pending:
            view = self._view
            auto = view.hasAutoScroll()
            view.setAutoScroll(False)
            try:
                self._follow_stack(scroll=False)
            finally:
                view.setAutoScroll(auto)

    def _follow_stack(self, *, scroll: bool = True) -> None:
        """Select the stack's current row without jumping back (no feedback loop)."""
        self._follow_pending = False
        model = self._model
        index = model.index(model.current_row(), 0)
        selection = self._view.selectionModel()
        if selection.currentIndex() != index or not selection.isSelected(index):
            self._following = True
            try:
                selection.setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
            finally:
                self._following = False
        if scroll:
            self._view.scrollTo(index)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        model = self._model
        if self._following or model.is_syncing() or not current.isValid():
            return
        stack = model.stack()
        row = current.row()
        if stack is None or row == stack.index():
            return
        if self._history is not None:
            self._history.set_index(row)
        else:
            stack.setIndex(row)
