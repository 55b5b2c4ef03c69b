"""One open document as the window sees it: document, history, selection, file path.

The window swaps whole sessions on New/Open, so a failed Open never touches the open
document: the new session is only built from a successfully loaded snapshot.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from editor.commands import Command
from editor.history import History
from editor.journal import Recorder
from editor.model import Change, Document, Snapshot


class Selection(QObject):
    """The selected shape ids, in the order they were selected. Views sync to it."""

    changed = Signal()

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._ids: dict[str, None] = {}
        document.subscribe(self._on_change)

    def ids(self) -> tuple[str, ...]:
        return tuple(self._ids)

    def __contains__(self, shape_id: object) -> bool:
        return shape_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __bool__(self) -> bool:
        return bool(self._ids)

    def set(self, ids: Iterable[str]) -> None:
        """Select exactly these ids (unknown ids are ignored)."""
        new = {i: None for i in ids if i in self._document}
        if list(new) != list(self._ids):
            self._ids = new
            self.changed.emit()

    def add(self, ids: Iterable[str]) -> None:
        self.set([*self._ids, *ids])

    def remove(self, ids: Iterable[str]) -> None:
        gone = set(ids)
        self.set(i for i in self._ids if i not in gone)

    def toggle(self, shape_id: str) -> None:
        if shape_id in self._ids:
            self.remove([shape_id])
        else:
            self.add([shape_id])

    def clear(self) -> None:
        self.set(())

    def ordered(self) -> tuple[str, ...]:
        """The selected ids in z-order, bottom first."""
        return tuple(sorted(self._ids, key=self._document.z_of))

    def _on_change(self, change: Change) -> None:
        if change.removed and any(i in self._ids for i in change.removed):
            self.remove(change.removed)


class Session(QObject):
    """A document being edited: the model, its history, the selection and its file."""

    pathChanged = Signal()

    def __init__(
        self,
        snapshot: Snapshot | None = None,
        path: Path | None = None,
        parent: QObject | None = None,
        *,
        document: Document | None = None,
    ) -> None:
        super().__init__(parent)
        if document is not None:  # rebuilt from the journal (reopened, recovered)
            self.document = document
        elif snapshot is None:
            self.document = Document()
        else:
            self.document = Document(snapshot.page, snapshot.shapes)
        self.history = History(self.document, self)
        self.selection = Selection(self.document, self)
        self._path = path
        #: What the first History row (the state before any step) is called: "New
        #: drawing", or "Opened NAME" for a file. It names the origin, so it stays when
        #: the document is saved under another name later.
        self.origin = f"Opened {path.name}" if path is not None else "New drawing"
        #: A message for the window when the last save ended in the dead-letter queue.
        self.last_save_error: str | None = None
        #: This document's journal (editor.journal.Recorder), None when not journaled.
        self.recorder: Recorder | None = None
        #: Opened read-only (another Strata has the file open): Save asks for a new name.
        self.read_only = False

    @property
    def path(self) -> Path | None:
        return self._path

    @path.setter
    def path(self, value: Path | None) -> None:
        if value != self._path:
            self._path = value
            self.pathChanged.emit()

    @property
    def display_name(self) -> str:
        if self._path is None:
            return self.untitled_name
        return f"{self._path.name} (read-only)" if self.read_only else self._path.name

    #: What an untitled document is called ("drawing (recovered)" after recovery).
    untitled_name = "Untitled"

    def push(self, command: Command, *, step: Hashable | None = None, timed: bool = True) -> bool:
        """Do and record a command (see History.push: `step` names the gesture)."""
        return self.history.push(command, step=step, timed=timed)

    def close(self) -> None:
        self.history.close()
