"""Input widgets of the Properties panel."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QFont, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QFontComboBox,
    QWidget,
)

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


class FontField(QFontComboBox):
    """The font family: a list of the installed families with completion while typing.

    Typing changes nothing until it is committed (Enter, choosing from the list, leaving
    the field): then `committed(family, chosen)` is emitted once, with the family's
    installed spelling ("dejavu serif" -> "DejaVu Serif"); `chosen` is True for a choice
    from the list (arrow keys on the closed list browse it: those choices are one step).
    A name that is not installed is refused: the field shows the shape's family again
    and `refused(name)` says what was typed. A shape's family that is not installed here
    (a file from another machine) is still shown as it is, and committing it unchanged
    does nothing.
    """

    committed = Signal(str, bool)
    refused = Signal(str)
    #: The field got keyboard focus.
    focused = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # never add a typed name
        # The longest installed family name would set the dock's width.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(10)
        self._shown = ""
        self.activated.connect(lambda index: self._commit(self.itemText(index), chosen=True))
        editor = self.lineEdit()
        assert editor is not None  # a QFontComboBox is editable
        editor.editingFinished.connect(lambda: self._commit(editor.text()))

    def set_family(self, family: str | None) -> None:
        """Show `family` (None: a mixed selection, an empty field). Emits nothing."""
        blocked = self.blockSignals(True)
        try:
            if family is None:
                self.setCurrentIndex(-1)
                self.clearEditText()
            else:
                self.setCurrentFont(QFont(family))
                self.setEditText(family)  # even when not installed
        finally:
            self.blockSignals(blocked)
        self._shown = family or ""

    def family(self) -> str:
        """The family shown as committed ("" when mixed)."""
        return self._shown

    def has_uncommitted_edit(self) -> bool:
        return self.currentText() != self._shown

    def revert_edit(self) -> None:
        blocked = self.blockSignals(True)
        try:
            self.setEditText(self._shown)
        finally:
            self.blockSignals(blocked)

    @staticmethod
    def installed(name: str) -> str | None:
        """The installed family called `name` (any case), or None."""
        wanted = name.strip().casefold()
        for family in QFontDatabase.families():
            if family.casefold() == wanted:
                return family
        return None

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()

    def _commit(self, text: str, *, chosen: bool = False) -> None:
        name = text.strip()
        if name == self._shown:
            return
        if not name:  # emptied: nothing to set
            self.revert_edit()
            return
        family = self.installed(name)
        if family is None:
            self.revert_edit()
            self.refused.emit(name)
            return
        self._shown = family
        if self.currentText() != family:
            self.revert_edit()
        self.committed.emit(family, chosen)


class WheelGuard(QObject):
    """The wheel scrolls the panel; a field takes it only when it already has focus.

    Installed on the Properties fields. A wheel over a field without focus goes to the
    scroll area around it, so scrolling down a dock never changes the value under the
    pointer (a stray "Change Font Size" step) nor moves the focus into the field.
    """

    def guard(self, *fields: QWidget) -> None:
        for field in fields:
            field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not WheelFocus
            field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        focus = QApplication.focusWidget()
        if focus is not None and (focus is watched or watched.isAncestorOf(focus)):
            return False  # the focused field takes the wheel
        area = _scroll_area_of(watched)
        if area is not None:
            QApplication.sendEvent(area.viewport(), event)
        event.accept()
        return True


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent
