"""Icons: the desktop's icon theme when it has one, drawn fallbacks when it does not.

Minimal desktops (and Xvfb) have no icon theme, and a toolbar of bare words is hard to
scan. Tool icons are drawn with QPainter (they are the shapes themselves); file and edit
actions fall back to Qt's built-in standard icons.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

_SP = QStyle.StandardPixmap
_STANDARD: dict[str, QStyle.StandardPixmap] = {
    "document-new": _SP.SP_FileIcon,
    "document-open": _SP.SP_DialogOpenButton,
    "document-save": _SP.SP_DialogSaveButton,
    "document-save-as": _SP.SP_DialogSaveButton,
    "edit-delete": _SP.SP_TrashIcon,
    "application-exit": _SP.SP_DialogCloseButton,
    "go-up": _SP.SP_ArrowUp,
    "go-down": _SP.SP_ArrowDown,
}

INK = QColor("#30343b")
FILL = QColor("#dbe7f6")


def drawn_icon(draw: Callable[[QPainter], None]) -> QIcon:
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


def ink_pen(width: float = 1.6) -> QPen:
    pen = QPen(INK, width)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def _magnifier(p: QPainter) -> None:
    p.setPen(ink_pen(1.8))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QRectF(3, 3, 13, 13))
    p.setPen(ink_pen(2.6))
    p.drawLine(QPointF(14.5, 14.5), QPointF(20.5, 20.5))


def _zoom_in(p: QPainter) -> None:
    _magnifier(p)
    p.setPen(ink_pen(1.6))
    p.drawLine(QPointF(6.5, 9.5), QPointF(12.5, 9.5))
    p.drawLine(QPointF(9.5, 6.5), QPointF(9.5, 12.5))


def _zoom_out(p: QPainter) -> None:
    _magnifier(p)
    p.setPen(ink_pen(1.6))
    p.drawLine(QPointF(6.5, 9.5), QPointF(12.5, 9.5))


def _zoom_fit(p: QPainter) -> None:
    p.setPen(ink_pen(1.6))
    for x, y, dx, dy in ((3, 3, 1, 1), (21, 3, -1, 1), (3, 21, 1, -1), (21, 21, -1, -1)):
        p.drawLine(QPointF(x, y), QPointF(x + 5 * dx, y))
        p.drawLine(QPointF(x, y), QPointF(x, y + 5 * dy))
    p.setBrush(FILL)
    p.drawRect(QRectF(7.5, 8.5, 9, 7))


def _curved_arrow(p: QPainter, mirror: bool) -> None:
    if mirror:
        p.translate(24, 0)
        p.scale(-1, 1)
    path = QPainterPath(QPointF(19, 18))
    path.cubicTo(QPointF(19, 9), QPointF(13, 7.5), QPointF(6, 8.5))
    p.setPen(ink_pen(2.0))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    head = QPainterPath(QPointF(3, 8.5))
    head.lineTo(QPointF(8.5, 4))
    head.lineTo(QPointF(8.5, 13))
    head.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(INK)
    p.drawPath(head)


def _stack(p: QPainter, front: bool) -> None:
    """Two overlapping squares, the one that moves in the accent colour: on top of the
    other for Bring to Front, underneath it for Send to Back."""
    back_box, front_box = QRectF(3.5, 3.5, 12, 12), QRectF(8.5, 8.5, 12, 12)
    moving, still = (front_box, back_box) if front else (back_box, front_box)
    p.setPen(ink_pen(1.4))
    if front:
        p.setBrush(QColor("#ffffff"))
        p.drawRect(still)
        p.setBrush(_ACCENT)
        p.drawRect(moving)
    else:
        p.setBrush(_ACCENT)
        p.drawRect(moving)
        p.setBrush(QColor("#ffffff"))
        p.drawRect(still)


_ACCENT = QColor("#5f93d6")

_DRAWN: dict[str, Callable[[QPainter], None]] = {
    "go-top": lambda p: _stack(p, front=True),
    "go-bottom": lambda p: _stack(p, front=False),
    "edit-undo": lambda p: _curved_arrow(p, mirror=False),
    "edit-redo": lambda p: _curved_arrow(p, mirror=True),
    "zoom-in": _zoom_in,
    "zoom-out": _zoom_out,
    "zoom-fit-best": _zoom_fit,
}


def icon(name: str) -> QIcon:
    """A themed icon by freedesktop name, else a drawn or standard fallback, else empty."""
    themed = QIcon.fromTheme(name)
    if not themed.isNull():
        return themed
    if name in _DRAWN:
        return drawn_icon(_DRAWN[name])
    style = QApplication.style()
    if name in _STANDARD and style is not None:
        return style.standardIcon(_STANDARD[name])
    return QIcon()


#: Where Strata's own icon is looked for, in order: the source tree's resources/icons (a
#: checkout or an editable install) and where an installed wheel puts it (pyproject's
#: data-files: the freedesktop hicolor theme under the environment's prefix).
APP_ICON_FILES: tuple[Path, ...] = (
    Path(__file__).resolve().parents[2] / "resources" / "icons" / "strata.svg",
    Path(sys.prefix) / "share" / "icons" / "hicolor" / "scalable" / "apps" / "strata.svg",
)


def app_icon() -> QIcon:
    """The window icon: the desktop theme's "strata" icon if it has one, else our file."""
    fallback = QIcon()
    for path in APP_ICON_FILES:
        if path.is_file():
            fallback = QIcon(str(path))
            if not fallback.isNull():
                break
    return QIcon.fromTheme("strata", fallback)
