"""Colour values between the model and Qt, and the colour button of the Properties panel.

The model writes colours as "#rrggbb" or "#rrggbbaa" with alpha LAST (like CSS and SVG).
Qt's `QColor.name(QColor.NameFormat.HexArgb)` writes "#aarrggbb" with alpha FIRST, and
`QColor("#rrggbbaa")` would read our alpha as red. So the conversion is done here, by hand,
in one place, and an opaque colour is always written as "#rrggbb" so that files do not grow
a meaningless "ff" on every colour the person picked.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QColorDialog, QPushButton, QWidget

from editor.model import is_color

#: What a mixed value looks like in a field (the same glyph as the spin boxes use).
MIXED_TEXT = "—"

_SWATCH = QSize(28, 14)


def to_qcolor(value: str) -> QColor:
    """A model colour ("#rrggbb" or "#rrggbbaa", alpha last) as a QColor."""
    if not is_color(value):
        raise ValueError(f"not a colour: {value!r}")
    red, green, blue = (int(value[k : k + 2], 16) for k in (1, 3, 5))
    alpha = int(value[7:9], 16) if len(value) == 9 else 255
    return QColor(red, green, blue, alpha)


def from_qcolor(color: QColor) -> str:
    """A QColor as a model colour: "#rrggbb" when opaque, else "#rrggbbaa" (alpha last)."""
    rgb = f"#{color.red():02x}{color.green():02x}{color.blue():02x}"
    alpha = color.alpha()
    return rgb if alpha == 255 else f"{rgb}{alpha:02x}"


def swatch(value: str | None, *, mixed: bool = False) -> QIcon:
    """A small icon showing a colour over a checkerboard (so alpha is visible).

    `None` draws "no colour" (white with a red diagonal); `mixed` draws a hatch.
    """
    pixmap = QPixmap(_SWATCH)
    pixmap.fill(Qt.GlobalColor.white)
    painter = QPainter(pixmap)
    try:
        rect = QRect(0, 0, _SWATCH.width() - 1, _SWATCH.height() - 1)
        if mixed:
            painter.fillRect(rect, QBrush(Qt.GlobalColor.gray, Qt.BrushStyle.BDiagPattern))
        elif value is None:
            painter.setPen(QPen(QColor(200, 0, 0), 2))
            painter.drawLine(rect.bottomLeft(), rect.topRight())
        else:
            cell = 4
            for y in range(0, _SWATCH.height(), cell):
                for x in range(0, _SWATCH.width(), cell):
                    if (x // cell + y // cell) % 2:
                        painter.fillRect(x, y, cell, cell, QColor(204, 204, 204))
            painter.fillRect(rect, to_qcolor(value))
        painter.setPen(QPen(QColor(120, 120, 120), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
    finally:
        painter.end()
    return QIcon(pixmap)


class ColorButton(QPushButton):
    """A button showing a colour swatch that opens a colour dialog (with alpha).

    The dialog is Qt's own (non-native, so it looks and behaves the same everywhere and
    tests can drive it) and is opened with `open()`, not a blocking `exec()`: the choice
    arrives through `colorSelected`, and nothing is committed when the dialog is cancelled.
    Only an accepted choice emits `colorPicked`, so one dialog is one undo step.
    """

    #: The colour the person accepted in the dialog, as a model colour string.
    colorPicked = Signal(str)

    def __init__(self, title: str, default: str = "#000000", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._default = default
        self._value: str | None = default
        self._mixed = False
        self._dialog: QColorDialog | None = None
        self.setIconSize(_SWATCH)
        self.setAutoDefault(False)
        self.clicked.connect(self.open_dialog)
        self.set_value(default)

    def value(self) -> str | None:
        """The colour shown (None for "no colour" or when mixed)."""
        return None if self._mixed else self._value

    def is_mixed(self) -> bool:
        return self._mixed

    def default(self) -> str:
        """The colour the dialog starts from when nothing (or a mix) is shown."""
        return self._default

    def set_value(self, value: str | None, *, mixed: bool = False) -> None:
        """Show a colour, "no colour" (None) or a mixed selection. Emits nothing."""
        self._value = value
        self._mixed = mixed
        self.setIcon(swatch(value, mixed=mixed))
        if mixed:
            label, spoken = MIXED_TEXT, "mixed"
        elif value is None:
            label = spoken = "None"
        else:
            label = spoken = value
        self.setText(label)
        self.setAccessibleDescription(spoken)
        self.setToolTip(f"{self._title}: {spoken}")

    def dialog(self) -> QColorDialog | None:
        """The colour dialog once it has been opened (tests drive it directly)."""
        return self._dialog

    def open_dialog(self) -> None:
        """Open the (window-modal, non-blocking) colour dialog on the current colour."""
        dialog = self._dialog
        if dialog is None:
            dialog = QColorDialog(self)
            dialog.setOption(QColorDialog.ColorDialogOption.ShowAlphaChannel, True)
            dialog.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog, True)
            dialog.setWindowTitle(self._title)
            dialog.colorSelected.connect(self._on_color_selected)
            # Fix the dialog's size (its layout is SetFixedSize) before it first shows: a
            # shown window whose size hints change warns on platforms that cannot pass
            # them on (offscreen, used by the tests, where a Qt warning fails the test).
            dialog.ensurePolished()
            layout = dialog.layout()
            if layout is not None:
                layout.activate()
            self._dialog = dialog
        start = self._value if (self._value is not None and not self._mixed) else self._default
        dialog.setCurrentColor(to_qcolor(start))
        dialog.open()

    def _on_color_selected(self, color: QColor) -> None:
        if color.isValid():
            self.colorPicked.emit(from_qcolor(color))
