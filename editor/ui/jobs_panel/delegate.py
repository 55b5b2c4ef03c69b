"""A progress bar drawn in a table cell.

Painted with the style's own progress bar (`QStyleOptionProgressBar`, `CE_ProgressBar`)
rather than a QProgressBar widget per row (`setIndexWidget`): widgets per row cost a
QWidget each, do not scroll with the view's fast paths, and must be created and deleted as
rows come and go. A delegate paints only the visible cells, on demand.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from editor.ui.jobs_panel.models import PROGRESS_ROLE

_STEPS = 1000  # the bar's range: 0.1 % steps


class ProgressDelegate(QStyledItemDelegate):
    """Paints `PROGRESS_ROLE` (0..1) as a progress bar; cells without it as usual."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        fraction = index.data(PROGRESS_ROLE)
        if not isinstance(fraction, float):
            super().paint(painter, option, index)
            return
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        # The row's selection background first, so a selected running row stays marked.
        background = QStyleOptionViewItem(option)
        self.initStyleOption(background, index)
        background.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, background, painter, widget)
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.direction = option.direction
        bar.fontMetrics = option.fontMetrics
        bar.palette = option.palette
        bar.minimum = 0
        bar.maximum = _STEPS
        bar.progress = round(min(1.0, max(0.0, fraction)) * _STEPS)
        bar.text = f"{fraction * 100:.0f} %"
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)
