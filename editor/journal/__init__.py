"""The durable command journal: crash recovery and history that survives closing.

Standard library sqlite3 + model + commands; no Qt. The History reports every change to a
`Recorder` (its observer); a writer thread commits them to one SQLite database per user.
`rebuild` turns a document's entries back into the document and its undo steps.
"""

from editor.journal.journal import DEFAULT_MAX_ENTRIES, DocumentInfo, Journal, Recorder
from editor.journal.rebuild import Entry, RebuildError, Rebuilt, Step, rebuild
from editor.journal.saves import SaveRequest
from editor.journal.store import SCHEMA_VERSION, JournalUnavailable
from editor.journal.writer import SYNC_SECONDS

__all__ = [
    "DEFAULT_MAX_ENTRIES",
    "SCHEMA_VERSION",
    "SYNC_SECONDS",
    "DocumentInfo",
    "Entry",
    "Journal",
    "JournalUnavailable",
    "RebuildError",
    "Rebuilt",
    "Recorder",
    "SaveRequest",
    "Step",
    "rebuild",
]
