"""Shared helpers for journal tests: a History recorded into a Journal, and comparisons."""

from __future__ import annotations

from pathlib import Path

from editor.history import History
from editor.journal import Journal, Rebuilt, Recorder
from editor.model import Document, Snapshot


def recorded(journal: Journal, doc: Document, path: Path | None = None,
             sha: str | None = None) -> tuple[History, Recorder]:  # fmt: skip
    history = History(doc)
    base = doc.snapshot() if path or len(doc) else None
    recorder = journal.start(path=path, sha256=sha, base=base)
    history.observer = recorder
    return history, recorder


def history_view(history: History) -> tuple[list[str], int, int, Snapshot]:
    stack = history.stack
    return ([stack.text(i) for i in range(stack.count())], stack.index(),
            history.saved_index(), history.document.snapshot())  # fmt: skip


def rebuilt_view(rebuilt: Rebuilt) -> tuple[list[str], int, int, Snapshot]:
    return ([s.label() for s in rebuilt.steps], rebuilt.index, rebuilt.saved_index,
            rebuilt.document.snapshot())  # fmt: skip


def adopt(rebuilt: Rebuilt) -> History:
    """A live History holding a rebuilt one (what reopening and recovery do)."""
    history = History(rebuilt.document)
    history.adopt(rebuilt.history_steps(), rebuilt.index, rebuilt.saved_index)
    return history
