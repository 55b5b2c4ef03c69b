"""Input widgets of the Properties panel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from editor.ui.panels.colors import MIXED_TEXT


class NumberField(QDoubleSpinBox):
    """A spin box that can show "—" for a mixed selection and tells steps from typing.

    Mixed: the spin box's special value text is shown only at its minimum, so a mixed
    field lowers its minimum by one step and sits there ("—"); a real minimum such as a
    stroke width of 0 is therefore never shown as "—". Stepping from "—" starts from a
    representative value (the first selected shape's), not from the sentinel.

    `edited(value, stepped, previous)` is emitted only for the person's changes (never for
    `set_value`): `stepped` is True for arrow keys, arrow buttons (auto-repeat), Page
    Up/Down and the wheel, False for a typed value committed with Enter or by leaving the
    field (keyboard tracking is off, so typing "125" is one change, not three).
    """

    edited = Signal(float, bool, float)
    #: The field got keyboard focus: the next change starts a new undo step.
    focused = Signal()

    def __init__(
        self,
        minimum: float,
        maximum: float,
        *,
        decimals: int = 2,
        step: float = 1.0,
        suffix: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._minimum = minimum
        self._mixed = False
        self._representative = minimum
        self._stepping = False
        self.setDecimals(decimals)
        self.setRange(minimum, maximum)
        self.setSingleStep(step)
        self.setSuffix(suffix)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self._previous = self.value()
        self.valueChanged.connect(self._on_value_changed)

    def is_mixed(self) -> bool:
        return self._mixed

    def set_value(self, value: float | None, representative: float | None = None) -> None:
        """Show `value` without emitting `edited`; None shows "—" (mixed values)."""
        blocked = self.blockSignals(True)
        try:
            if value is None:
                self._mixed = True
                self._representative = self._minimum if representative is None else representative
                self.setSpecialValueText(MIXED_TEXT)
                self.setMinimum(self._minimum - self.singleStep())
                self.setValue(self.minimum())
            else:
                self._leave_mixed()
                self.setValue(value)
        finally:
            self.blockSignals(blocked)
        self._previous = self.value()

    def shown_text(self) -> str:
        """What the field shows for its committed value (its text when nothing is typed)."""
        if self.specialValueText() and self.value() == self.minimum():
            return self.specialValueText()
        return self.prefix() + self.textFromValue(self.value()) + self.suffix()

    def has_uncommitted_edit(self) -> bool:
        """Typing that Enter, Tab or leaving the field has not committed yet."""
        return self.lineEdit().text() != self.shown_text()

    def revert_edit(self) -> None:
        """Cancel uncommitted typing: show the committed value again."""
        if self.has_uncommitted_edit():
            editor = self.lineEdit()
            editor.setText(self.shown_text())
            editor.selectAll()

    def _leave_mixed(self) -> None:
        if self._mixed or self.minimum() != self._minimum:
            self._mixed = False
            self.setSpecialValueText("")
            self.setMinimum(self._minimum)

    def stepBy(self, steps: int) -> None:
        if self._mixed:
            self.set_value(self._representative)
        self._stepping = True
        try:
            super().stepBy(steps)
        finally:
            self._stepping = False

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()

    def _on_value_changed(self, value: float) -> None:
        if self._mixed:  # a value typed over "—"
            blocked = self.blockSignals(True)
            try:
                self._leave_mixed()
            finally:
                self.blockSignals(blocked)
            value = self.value()
        previous, self._previous = self._previous, value
        self.edited.emit(value, self._stepping, previous)
