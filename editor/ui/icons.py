"""Icons: the desktop's icon theme when it has one, drawn fallbacks when it does not.

Minimal desktops (and Xvfb) have no icon theme, and a toolbar of bare words is hard to
scan. Tool icons are drawn with QPainter (they are the shapes themselves); file and edit
actions fall back to Qt's built-in standard icons.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

_SP = QStyle.StandardPixmap
_STANDARD: dict[str, QStyle.StandardPixmap] = {
    "document-new": _SP.SP_FileIcon,
    "document-open": _SP.SP_DialogOpenButton,
    "document-save": _SP.SP_DialogSaveButton,
    "document-save-as": _SP.SP_DialogSaveButton,
    "edit-undo": _SP.SP_ArrowBack,
    "edit-redo": _SP.SP_ArrowForward,
    "edit-delete": _SP.SP_TrashIcon,
    "application-exit": _SP.SP_DialogCloseButton,
    "go-up": _SP.SP_ArrowUp,
    "go-down": _SP.SP_ArrowDown,
    "go-top": _SP.SP_ToolBarVerticalExtensionButton,
    "go-bottom": _SP.SP_ToolBarVerticalExtensionButton,
}

_INK = QColor("#30343b")
_FILL = QColor("#dbe7f6")


def _canvas(draw: Callable[[QPainter], None]) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(size / 24, size / 24)
        draw(painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def _pen(width: float = 1.6) -> QPen:
    pen = QPen(_INK, width)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def _select(p: QPainter) -> None:
    path = QPainterPath(QPointF(6, 3))
    for x, y in ((6, 19), (10, 15), (13, 21), (15.5, 20), (12.5, 14), (18, 14)):
        path.lineTo(x, y)
    path.closeSubpath()
    p.setPen(_pen(1.3))
    p.setBrush(QColor("#ffffff"))
    p.drawPath(path)


def _rect(p: QPainter) -> None:
    p.setPen(_pen())
    p.setBrush(_FILL)
    p.drawRect(QRectF(3.5, 6.5, 17, 11))


def _ellipse(p: QPainter) -> None:
    p.setPen(_pen())
    p.setBrush(_FILL)
    p.drawEllipse(QRectF(3, 5.5, 18, 13))


def _line(p: QPainter) -> None:
    p.setPen(_pen(2.0))
    p.drawLine(QPointF(4, 19), QPointF(20, 5))


def _text(p: QPainter) -> None:
    font = QFont("DejaVu Sans")
    font.setPixelSize(19)
    font.setBold(True)
    p.setFont(font)
    p.setPen(_INK)
    p.drawText(QRectF(0, 0, 24, 24), Qt.AlignmentFlag.AlignCenter, "T")


_DRAWN: dict[str, Callable[[QPainter], None]] = {
    "tool-select": _select,
    "tool-rect": _rect,
    "tool-ellipse": _ellipse,
    "tool-line": _line,
    "tool-text": _text,
}


def icon(name: str) -> QIcon:
    """A themed icon by freedesktop name, else a drawn or standard fallback, else empty."""
    if name in _DRAWN:
        return _canvas(_DRAWN[name])
    themed = QIcon.fromTheme(name)
    if not themed.isNull():
        return themed
    style = QApplication.style()
    if name in _STANDARD and style is not None:
        return style.standardIcon(_STANDARD[name])
    return QIcon()
