"""How the undo keys and Escape behave in the docks' fields.

Qt's line edits (and the spin boxes and editable combo boxes built on them) claim Ctrl+Z,
Ctrl+Shift+Z and Ctrl+Y for their own little undo history of the text. In an editor that
makes Ctrl+Z dead as soon as a Properties field has focus: the value was committed long
ago, the field's own history is empty or stale, and the window's Undo never fires. The rule
here, stated in the F1 help (`UNDO_RULE`), is Inkscape's:

* A field that holds typing not yet committed (Enter, Tab, leaving the field) keeps the
  first Ctrl+Z: it cancels that typing and shows the value again. Redo keys go to the
  field's own text history while typing.
* Otherwise the undo keys act on the document's history, wherever the focus is in the
  window. Dialogs (separate windows) keep their own keys.
* Escape in a dock cancels uncommitted typing and gives the focus back to the canvas.

`FieldKeys` is an event filter installed on the focusable widgets of the docks (not on the
application: a Python filter there would run for every mouse move on the canvas). A widget
can say what "uncommitted" means for it with `has_uncommitted_edit()` and how to cancel it
with `revert_edit()` (the Properties fields do); a plain QLineEdit counts as uncommitted
while its own undo is available.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QWidget

from editor.ui.canvas.text_edit import is_redo, is_undo

#: The rule as the F1 help states it.
UNDO_RULE: Final = (
    "Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y undo and redo changes to the drawing from anywhere "
    "in the window, also while a Properties field, the History list or the Jobs panel "
    "has the focus, once the field's value is committed (Enter, Tab or leaving the "
    "field). While you are still typing a value, the first Ctrl+Z cancels the typing. "
    "Escape in a panel cancels the typing and goes back to the drawing."
)


def has_uncommitted_edit(widget: QObject) -> bool:
    """Whether `widget` holds typing that was not committed yet."""
    probe = getattr(widget, "has_uncommitted_edit", None)
    if callable(probe):
        return bool(probe())
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly() and widget.isUndoAvailable()
    return False


def revert_edit(widget: QObject) -> None:
    """Cancel uncommitted typing in `widget` (no-op if it has none)."""
    revert = getattr(widget, "revert_edit", None)
    if callable(revert):
        revert()
    elif isinstance(widget, QLineEdit):
        while widget.isUndoAvailable():
            widget.undo()


class FieldKeys(QObject):
    """Routes the undo keys to the document's history and Escape back to the canvas."""

    def __init__(self, back_to_canvas: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._back = back_to_canvas

    def watch(self, roots: Iterable[QWidget]) -> None:
        """Filter the keys of every focusable widget under `roots` (and the roots)."""
        for root in roots:
            for widget in (root, *root.findChildren(QWidget)):
                if widget.focusPolicy() != Qt.FocusPolicy.NoFocus or isinstance(
                    widget, (QLineEdit, QAbstractSpinBox, QComboBox)
                ):
                    widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if not isinstance(event, QKeyEvent):
            return False
        owner = _field_of(watched)
        if is_undo(event) or is_redo(event):
            if not has_uncommitted_edit(owner):
                # Not claimed: the window's Undo/Redo action takes the key. A key press
                # that still arrives (nothing to undo) must not reach the field's history.
                event.ignore()
                return True
            if is_undo(event) and kind == QEvent.Type.KeyPress:
                revert_edit(owner)
                event.accept()
                return True
            return False  # redo while typing: the field's own text history
        if kind == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            revert_edit(owner)
            event.accept()
            self._back()
            return True
        return False


def _field_of(widget: QObject) -> QObject:
    """The field a widget belongs to: a spin box's or combo box's line edit is theirs."""
    parent = widget.parent()
    if isinstance(widget, QLineEdit) and isinstance(parent, (QAbstractSpinBox, QComboBox)):
        return parent
    return widget
