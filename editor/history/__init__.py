"""The history: one QUndoStack per document, over pure commands (QtCore/QtGui only)."""

from editor.history.stack import History, Revision, UndoCommand

__all__ = ["History", "Revision", "UndoCommand"]
