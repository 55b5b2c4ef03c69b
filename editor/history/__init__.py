"""The history: one QUndoStack per document, over pure commands (QtCore/QtGui only)."""

from editor.history.stack import PAUSE_SECONDS, History, Revision, UndoCommand

__all__ = ["PAUSE_SECONDS", "History", "Revision", "UndoCommand"]
