"""Dock panels: Properties (edit the selection or the page) and History (the undo stack)."""

from editor.ui.panels.colors import ColorButton, from_qcolor, to_qcolor
from editor.ui.panels.history import HistoryPanel
from editor.ui.panels.history_model import HistoryModel
from editor.ui.panels.properties import PropertiesPanel

__all__ = [
    "ColorButton",
    "HistoryModel",
    "HistoryPanel",
    "PropertiesPanel",
    "from_qcolor",
    "to_qcolor",
]
