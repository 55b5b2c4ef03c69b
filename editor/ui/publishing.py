"""File > Publish… (Ctrl+Shift+E) for one window: the dialog, the batch, what it says.

The batch (editor/io/publish.py) saves the document and exports the chosen files beside
it; `Sagas` (editor/jobs/saga.py) runs it on the window's queue. The document is marked
saved only when the whole batch succeeded: until then the save may still be undone (a
later step failing puts the old file back), and a document whose file was put back is
still modified, as it should be.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from editor.history import Revision
from editor.io.publish import left_backups, plan
from editor.io.tasks import SaveResult
from editor.jobs import InvalidInput, QueueClosed, QueueFull
from editor.jobs.saga import BatchId, BatchRecord, BatchState, Sagas
from editor.ui.dialogs import show_error
from editor.ui.documents import DocumentController
from editor.ui.jobs_panel.text import error_text
from editor.ui.publish_dialog import PublishChoice, PublishDialog
from editor.ui.session import Session


class Host(Protocol):
    def current_session(self) -> Session: ...
    def dialog_parent(self) -> QWidget: ...


@dataclass(frozen=True, slots=True)
class _Published:
    session: Session
    revision: Revision
    document: Path
    targets: tuple[Path, ...]


class PublishController(QObject):
    """Publish for one window (see the module docstring)."""

    #: A status-bar message: text, timeout in ms (0 = until replaced).
    message = Signal(str, int)
    #: A batch needs the person's eyes (it failed, or could not be undone): batch id.
    attention = Signal(int)

    def __init__(self, host: Host, documents: DocumentController, sagas: Sagas) -> None:
        super().__init__(host if isinstance(host, QObject) else None)
        self._host = host
        self._documents = documents
        self.sagas = sagas
        self._batches: dict[BatchId, _Published] = {}
        sagas.changed.connect(self._on_changed)
        sagas.succeeded.connect(self._on_succeeded)
        sagas.removed.connect(self._forget)

    # ------------------------------------------------------------------ asking
    def publish_dialog(self) -> None:
        """Open the dialog (after Save As, for a drawing that has no file yet)."""
        session = self._host.current_session()
        if session.path is None or session.read_only:
            self.message.emit("Publish writes beside the drawing: choose its file first", 0)
            self._documents.save_as_dialog(lambda ok: self._after_save_as(ok, session))
            return
        busy = self._pending_for(session.path)
        if busy is not None:
            self.message.emit(f"{busy.name} is still running; see Jobs > Publish", 6000)
            self.attention.emit(busy.id)
            return
        document = session.path
        settings = self._documents.settings
        text = settings.publish_choice(document)
        choice = (PublishChoice.from_text(text, document) if text is not None
                  else PublishChoice.default(document))  # fmt: skip
        PublishDialog(self._host.dialog_parent(), document, choice, self.publish).open()

    def _after_save_as(self, ok: bool, session: Session) -> None:
        if ok and session is self._host.current_session():
            self.publish_dialog()

    def _pending_for(self, document: Path) -> BatchRecord | None:
        for batch_id, published in self._batches.items():
            record = self.sagas.record(batch_id)
            if published.document == document and not record.state.is_final:
                return record
        return None

    # ------------------------------------------------------------------ doing
    def publish(self, choice: PublishChoice) -> BatchId | None:
        """Start the batch for the current document as it is now; None if it could not
        be queued (the person is told why)."""
        session = self._host.current_session()
        document = session.path
        if document is None:
            return None
        self._documents.settings.set_publish_choice(document, choice.to_text())
        outputs = choice.outputs(document)
        revision = session.history.revision()
        try:
            spec = plan(
                session.document.snapshot(), document, revision, outputs,
                scale=choice.scale, ops=self._documents.file_ops,
                save_policy=self._documents.save_policy_now(),
            )  # fmt: skip
            batch_id = self.sagas.start(spec)
        except (InvalidInput, ValueError) as exc:
            show_error(self._host.dialog_parent(), "Cannot publish", str(exc))
            return None
        except (QueueFull, QueueClosed) as exc:
            show_error(self._host.dialog_parent(), "Cannot publish",
                       "The publish could not be queued.", str(exc))  # fmt: skip
            return None
        self._batches[batch_id] = _Published(session, revision, document, spec.targets)
        names = ", ".join(p.name for _f, p in outputs)
        self.message.emit(f"Publishing {document.name}{' and ' + names if names else ''}…", 0)
        return batch_id

    # ------------------------------------------------------------------ hearing
    def _forget(self, batch_id: BatchId) -> None:
        self._batches.pop(batch_id, None)

    def _on_succeeded(self, batch_id: BatchId, results: object) -> None:
        published = self._batches.get(batch_id)
        if published is None or not isinstance(results, tuple):
            return
        save = next((r for r in results if isinstance(r, SaveResult)), None)
        if save is not None and not save.superseded:
            self._documents.record_save(published.session, published.revision,
                                        published.document, save)  # fmt: skip
        written = ", ".join(p.name for p in published.targets)
        self.message.emit(f"Published {written}", 6000)

    def _on_changed(self, record: BatchRecord) -> None:
        published = self._batches.get(record.id)
        if published is None:
            return
        why = error_text(record.error) if record.error is not None else ""
        if record.state is BatchState.FAILED:
            self.message.emit(f"{record.name} failed at “{record.failed_step}”: {why} "
                              "The files were put back as they were.", 0)  # fmt: skip
            self.attention.emit(record.id)
        elif record.state is BatchState.CANCELLED:
            self.message.emit(f"{record.name} cancelled; the files were put back", 6000)
        elif record.state is BatchState.STUCK:
            kept = self.kept_backups(record.id)
            names = ", ".join(p.name for p in kept) or "none"
            self.message.emit(f"{record.name} failed and could not be undone: {why} "
                              f"Backups kept beside the files: {names}", 0)  # fmt: skip
            self.attention.emit(record.id)

    def kept_backups(self, batch_id: BatchId) -> list[Path]:
        """The backups a batch left on disk (for a batch that could not be undone)."""
        published = self._batches.get(batch_id)
        if published is None:
            return []
        token = self.sagas.run_token(batch_id)
        return left_backups(published.targets, token) if token else []
