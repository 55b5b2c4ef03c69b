"""The history: one QUndoStack per document, over pure commands (QtCore/QtGui only)."""

from editor.history.stack import (
    PAUSE_SECONDS,
    AdoptedStep,
    History,
    HistoryObserver,
    Revision,
    UndoCommand,
)

__all__ = [
    "PAUSE_SECONDS",
    "AdoptedStep",
    "History",
    "HistoryObserver",
    "Revision",
    "UndoCommand",
]
