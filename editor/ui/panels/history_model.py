"""An incremental list model over a QUndoStack: the rows of the History panel.

Why not QUndoView's model? It resets itself on every change of the stack, so the view
throws away and rebuilds its layout of every row: with 10,000 entries one undo cost 31 ms
and filling 10,000 entries with the view open took 171 s. This model keeps the rows and
tells views exactly what changed.

Rows: row 0 is the original state (the session names it: "New drawing", "Opened NAME";
"<empty>" without one, like QUndoView); row i is the state after
command i-1. The current row is `stack.index()`; rows above it can be redone.

How changes are found. QUndoStack only ever *deletes* commands (a discarded redo branch, a
merge that made the top obsolete, an obsolete command met by undo, the undo limit dropping
the oldest, `clear()`) and *appends* them (push, endMacro). So the new list of commands is
the old list with some entries deleted plus new ones at the end, and "old entry k is still
at position k" is true up to some p and false after it. The model keeps the identity of the
command object of every row (`stack.command(i)` returns the same Python wrapper while we
hold it) and finds p by bisection with O(log n) calls, then recognises the usual shapes:

* entries appended (push, endMacro): `beginInsertRows` for the new rows;
* a tail deleted (redo branch discarded, obsolete merge): `beginRemoveRows`;
* one block deleted below surviving entries (undo limit dropped the oldest, an obsolete
  command undone below a redo branch): `beginRemoveRows` for the block, so the survivors
  keep their identity, then one `dataChanged` over the shifted rows (their saved/redo
  markers are computed from row numbers);
* anything else: remove everything from p and insert the new entries (always correct).

Text and markers: the model keeps each row's text (read when the row appears), so what it
answers between `beginRemoveRows` and `endRemoveRows` is still the old state, as Qt's model
rules require (the stack has already deleted those commands by then). A merge changes the
text of the last surviving entry, so that text is re-read and the row reported; moving the
index reports the rows between the old and new index (their "can be redone" dimming
changes); the saved row is reported when it moves. Each sync costs O(log n) stack calls
plus the signals, whatever the history's length. A `setText()` on an older command outside
a merge is not noticed (nothing in Strata does that).

The saved marker comes from `History.saved_index()`, which can move without any stack
signal: `History.clear()` of a saved document updates it after the stack's indexChanged,
and `mark_saved(older revision)` while modified emits nothing at all. The model re-reads it
on cleanChanged and the History's modifiedChanged, once more when control returns to the
event loop after each sync, and on `refresh_saved()`.

QUndoStack emits no indexChanged between beginMacro and endMacro; endMacro does, and the
macro then arrives as one appended row. `redo()` of a command that became obsolete after it
was pushed deletes it without any signal (a Qt quirk); the History never does that, and
the model catches up at the next indexChanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QIcon, QUndoStack
from shiboken6 import Shiboken

_Index = QModelIndex | QPersistentModelIndex

_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole.value

#: Row 0's text, as in QUndoView.
EMPTY_LABEL = "<empty>"


class HistoryModel(QAbstractListModel):
    """Rows of a QUndoStack's history, updated incrementally (see the module docstring)."""

    #: Emitted after every sync: rows and markers match the stack (views follow the index).
    synced = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stack: QUndoStack | None = None
        self._saved_index: Callable[[], int] | None = None
        self._keys: list[object] = []
        self._texts: list[str] = []
        self._index = 0
        self._saved = -1
        self._syncing = False
        self._connections: list[Any] = []
        self._empty_label = EMPTY_LABEL
        self._saved_icon = QIcon()
        self._blank_icon = QIcon()
        self._dim: QBrush | None = None
        # The History updates its saved state after the stack's signals (clear() of a
        # saved document emits nothing afterwards), so each sync re-reads it once more
        # when control returns to the event loop.
        self._saved_check = QTimer(self)
        self._saved_check.setSingleShot(True)
        self._saved_check.setInterval(0)
        self._saved_check.timeout.connect(self.refresh_saved)

    # ------------------------------------------------------------------ binding
    def stack(self) -> QUndoStack | None:
        return self._stack

    def set_stack(
        self,
        stack: QUndoStack | None,
        saved_index: Callable[[], int] | None = None,
        saved_signals: tuple[Any, ...] = (),
    ) -> None:
        """Show `stack` (None: nothing). Resets the model once.

        `saved_index` names the saved state's index, -1 if unreachable (the History's
        `saved_index`, which survives undo-limit drops); by default the stack's clean
        index. `saved_signals` are extra signals after which the saved state may have
        moved (the History's `modifiedChanged`); the stack's `cleanChanged` is always used.
        """
        for connection in self._connections:
            QObject.disconnect(connection)
        self._connections = []
        self.beginResetModel()
        self._stack = stack
        self._saved_index = saved_index
        if stack is None:
            self._keys = []
            self._texts = []
            self._index = 0
            self._saved = -1
        else:
            command, text = stack.command, stack.text
            self._keys = [command(i) for i in range(stack.count())]
            self._texts = [text(i) for i in range(stack.count())]
            self._index = stack.index()
            self._saved = self._read_saved()
        self.endResetModel()
        if stack is not None:
            self._connections = [
                stack.indexChanged.connect(self.sync),
                stack.cleanChanged.connect(self.refresh_saved),
                stack.destroyed.connect(self._on_stack_destroyed),
                *(signal.connect(self.refresh_saved) for signal in saved_signals),
            ]
        self.synced.emit()

    def set_empty_label(self, text: str) -> None:
        self._empty_label = text
        self.dataChanged.emit(self.index(0), self.index(0))

    def set_appearance(self, saved_icon: QIcon, blank_icon: QIcon, dim: QBrush | None) -> None:
        """The saved-state icon, the icon of other rows (keeps text aligned), redo dimming."""
        self._saved_icon, self._blank_icon, self._dim = saved_icon, blank_icon, dim
        if self._keys or self._stack is not None:
            self.dataChanged.emit(self.index(0), self.index(len(self._keys)))

    # ------------------------------------------------------------------- queries
    def current_row(self) -> int:
        """The row of the current state (the stack's index, as last synced)."""
        return self._index

    def saved_row(self) -> int:
        """The row of the saved state, -1 when it can no longer be reached."""
        return self._saved

    def is_syncing(self) -> bool:
        """True while rows are being inserted/removed (views must not jump then)."""
        return self._syncing

    # ---------------------------------------------------------------- Qt model API
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._keys) + 1

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        row = index.row()
        if role == _DISPLAY:
            if row == 0:
                return self._empty_label
            texts = self._texts
            return texts[row - 1] if 0 < row <= len(texts) else None
        if role == _DECORATION:
            return self._saved_icon if row == self._saved else self._blank_icon
        if role == _FOREGROUND:
            return self._dim if row > self._index else None
        if role in (_TOOLTIP, _ACCESSIBLE):
            return self.describe(row)
        return None

    def describe(self, row: int) -> str:
        """The row's text with its state, for tooltips and screen readers."""
        text = self.data(self.index(row), _DISPLAY) or ""
        states = []
        if row == self._index:
            states.append("current")
        elif row > self._index:
            states.append("undone")
        if row == self._saved:
            states.append("saved")
        return f"{text} ({', '.join(states)})" if states else str(text)

    # --------------------------------------------------------------------- syncing
    def sync(self, *_: object) -> None:
        """Bring rows and markers in line with the stack (connected to indexChanged)."""
        stack = self._live_stack()
        if stack is None:
            return
        self._syncing = True
        try:
            kept, shifted = self._sync_rows(stack)
            self._sync_marks(stack, kept, shifted)
        finally:
            self._syncing = False
        if self._saved_index is not None:
            self._saved_check.start()
        self.synced.emit()

    def refresh_saved(self, *_: object) -> None:
        """Re-read the saved state's index and repaint the marker if it moved."""
        stack = self._live_stack()
        if stack is None or stack.count() != len(self._keys):
            return  # inside a macro: the closing indexChanged syncs everything
        old, self._saved = self._saved, self._read_saved()
        if old != self._saved:
            self._emit_rows([(old, old), (self._saved, self._saved)])

    def _live_stack(self) -> QUndoStack | None:
        """The stack, or None once it is being destroyed.

        A stack created from Python loses its Python wrapper before ~QUndoStack runs, and
        that destructor still emits indexChanged (from clear()): calling it then raises.
        """
        stack = self._stack
        if stack is not None and not Shiboken.isValid(stack):
            self._on_stack_destroyed()
            return None
        return stack

    def _read_saved(self) -> int:
        stack = self._stack
        if stack is None:
            return -1
        return self._saved_index() if self._saved_index is not None else stack.cleanIndex()

    def _sync_rows(self, stack: QUndoStack) -> tuple[int, int | None]:
        """Mirror deletions and appends; returns (kept prefix length, first shifted row)."""
        keys = self._keys
        command = stack.command
        old_n, new_n = len(keys), stack.count()
        m = min(old_n, new_n)
        if m == 0 or keys[m - 1] is command(m - 1):
            kept = m
        else:  # bisect for the first entry that is not where it was
            lo, hi = 0, m - 1
            while lo < hi:
                mid = (lo + hi) // 2
                if keys[mid] is command(mid):
                    lo = mid + 1
                else:
                    hi = mid
            kept = lo
        shifted: int | None = None
        root = QModelIndex()
        if kept < old_n:
            resume = self._find_resume(keys, command, kept, old_n, new_n)
            end = resume if resume >= 0 else old_n
            self.beginRemoveRows(root, kept + 1, end)
            del keys[kept:end]
            del self._texts[kept:end]
            self.endRemoveRows()
            if resume >= 0:
                shifted = kept + 1
        n = len(keys)
        if n < new_n:
            self.beginInsertRows(root, n + 1, new_n)
            keys.extend(command(i) for i in range(n, new_n))
            self._texts.extend(stack.text(i) for i in range(n, new_n))
            self.endInsertRows()
        if kept:  # a merge may have changed the text of the last kept entry
            self._texts[kept - 1] = stack.text(kept - 1)
        return kept, shifted

    @staticmethod
    def _find_resume(
        keys: list[object], command: Callable[[int], object], kept: int, old_n: int, new_n: int
    ) -> int:
        """Old position q > kept where the survivors resume (old[kept:q] deleted), or -1."""
        if kept >= new_n:
            return -1
        head = command(kept)
        if kept + 1 < old_n and keys[kept + 1] is head:
            resume = kept + 1  # the usual case: one entry deleted
        else:
            try:  # identity search: commands define no __eq__
                resume = keys.index(head, kept + 1)
            except ValueError:
                return -1
        survivors = old_n - resume
        # Deletions only: if the last survivor sits where the shift puts it, so do all.
        if kept + survivors > new_n or keys[old_n - 1] is not command(kept + survivors - 1):
            return -1
        return resume

    def _sync_marks(self, stack: QUndoStack, kept: int, shifted: int | None) -> None:
        old_index, old_saved = self._index, self._saved
        self._index = stack.index()
        self._saved = self._read_saved()
        last = len(self._keys)
        ranges = [(kept, kept)]  # a merge changed the last kept entry's text
        lo, hi = sorted((old_index, self._index))
        ranges.append((lo, hi))
        if old_saved != self._saved:
            ranges += [(old_saved, old_saved), (self._saved, self._saved)]
        if shifted is not None:
            ranges.append((shifted, last))
        self._emit_rows(ranges)

    def _emit_rows(self, ranges: list[tuple[int, int]]) -> None:
        """One dataChanged per merged run of rows within the model."""
        last = len(self._keys)
        clipped = sorted((max(a, 0), min(b, last)) for a, b in ranges if b >= 0 and a <= last)
        merged: list[tuple[int, int]] = []
        for a, b in clipped:
            if a > b:
                continue
            if merged and a <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        for a, b in merged:
            self.dataChanged.emit(self.index(a), self.index(b))

    def _on_stack_destroyed(self) -> None:
        # The stack is gone: never call it again (its commands are deleted too).
        if self._stack is None:
            return
        self._connections = []
        self.beginResetModel()
        self._stack = None
        self._saved_index = None
        self._keys = []
        self._texts = []
        self._index = 0
        self._saved = -1
        self.endResetModel()
        self.synced.emit()
