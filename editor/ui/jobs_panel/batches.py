"""The Jobs panel's Publish tab: one row per batch, its steps (and its undo) as children.

A view over `editor.jobs.saga.Sagas`: the batch row says where the batch is ("Running ·
1 of 3 done", "Failed at Export PDF drawing.pdf · files put back", "Undo failed ·
backups kept"), its children are its steps with their own states and errors, and, once
there is one, the compensation job ("Undo Publish drawing.strata", with its attempts).
Retry (Ctrl+R) runs a failed or cancelled batch again, or retries a stuck batch's undo;
Cancel (Delete) stops a running batch and undoes what it finished. Batches are few
(one per Publish a person asks for), so the model is a QStandardItemModel rebuilt per
batch on each change, not a coalescing model like the Queue tab's.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from editor.jobs import JobError, JobQueue, JobState
from editor.jobs.saga import BatchId, BatchRecord, BatchState, Sagas, StepView
from editor.ui.jobs_panel.models import FAILED_COLOUR
from editor.ui.jobs_panel.table import ActionKeys
from editor.ui.jobs_panel.text import SEPARATOR, error_text

#: The batch's id on its row's first item.
BATCH_ROLE = Qt.ItemDataRole.UserRole + 1
HEADERS = ("Batch / step", "State", "Error")


def batch_state_text(record: BatchRecord) -> str:
    """The State column of a batch's row."""
    state = record.state
    done = sum(s.state is JobState.SUCCEEDED for s in record.steps)
    if state is BatchState.RUNNING:
        text = f"Running{SEPARATOR}{done} of {len(record.steps)} done"
    elif state is BatchState.COMPENSATING:
        text = "Undoing…" if record.compensation is not None else "Stopping…"
    elif state is BatchState.SUCCEEDED:
        text = "Succeeded"
    elif state is BatchState.FAILED:
        text = f"Failed at {record.failed_step}{SEPARATOR}files put back"
    elif state is BatchState.CANCELLED:
        text = f"Cancelled{SEPARATOR}files put back"
    else:
        text = f"Undo failed{SEPARATOR}backups kept beside the files"
    return f"Interrupted{SEPARATOR}{text}" if record.interrupted else text


def step_state_text(step: StepView) -> str:
    if step.state is JobState.DEAD:
        return "Failed"
    if step.state is JobState.CANCELLED:
        return "Cancelled" if step.reason in ("", "cancelled") else f"Cancelled ({step.reason})"
    return str(step.state.value).capitalize()


def _error(error: JobError | None) -> str:
    return error_text(error) if error is not None else ""


class BatchTree(ActionKeys, QTreeView):
    """The tree; its actions' keys win over the window's while it has focus."""


class BatchesView(QWidget):
    """The Publish tab (see the module docstring)."""

    def __init__(self, sagas: Sagas, jobs: JobQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("publish_page")
        self.setAccessibleName("Publish")
        self.sagas = sagas
        self._jobs = jobs
        self._rows: dict[BatchId, QStandardItem] = {}
        self._failed = QBrush(FAILED_COLOUR)
        self.model = QStandardItemModel(0, len(HEADERS), self)
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        self.tree = BatchTree(self)
        self.tree.setObjectName("publish_view")
        self.tree.setAccessibleName("Publish batches")
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnWidth(0, 260)
        self.tree.setColumnWidth(1, 300)
        self.retry_action = self._action(
            "publish_retry", "&Retry", ("Ctrl+R",), self.retry,
            "Run the selected batch again (or retry its undo)",
        )  # fmt: skip
        self.cancel_action = self._action(
            "publish_cancel", "&Cancel", ("Del",), self.cancel,
            "Stop the selected batch and undo what it did",
        )  # fmt: skip
        self.empty = QLabel(
            "Nothing published yet. File > Publish… (Ctrl+Shift+E) saves the drawing "
            "and writes PNG, PDF or SVG beside it.", self,
        )  # fmt: skip
        self.empty.setWordWrap(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        for action in (self.retry_action, self.cancel_action):
            button = QToolButton(self)
            button.setObjectName(f"{action.objectName()}_button")
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setAccessibleName(action.text().replace("&", ""))
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree, 1)
        for record in sagas.records():
            self._show(record)
        sagas.changed.connect(self._show)
        sagas.removed.connect(self._forget)
        jobs.state_changed.connect(self._job_changed)
        self.tree.selectionModel().currentChanged.connect(lambda *_: self._update_actions())
        self._update_actions()

    def _action(self, name: str, text: str, keys: tuple[str, ...],
                slot: Callable[[], object], tip: str) -> QAction:  # fmt: skip
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setToolTip(f"{tip} ({keys[0]})")
        action.triggered.connect(slot)
        self.tree.add_action(action)
        return action

    # ------------------------------------------------------------------ showing
    def _show(self, record: BatchRecord) -> None:
        row = self._rows.get(record.id)
        if row is None:
            row = QStandardItem(record.name)
            row.setData(record.id, BATCH_ROLE)
            self.model.insertRow(0, [row, QStandardItem(), QStandardItem()])
            self._rows[record.id] = row
        index = row.index()
        state = self.model.item(index.row(), 1)
        error = self.model.item(index.row(), 2)
        state.setText(batch_state_text(record))
        error.setText(_error(record.error))
        bad = record.state in (BatchState.FAILED, BatchState.STUCK)
        for item in (row, state, error):
            item.setForeground(self._failed if bad else QBrush())
        row.removeRows(0, row.rowCount())
        for step in record.steps:
            row.appendRow(self._child(step.name, step_state_text(step), _error(step.error)))
        if record.compensation is not None:
            row.appendRow(self._compensation_row(record.compensation))
        if not record.state.is_final:
            self.tree.expand(index)
        self.empty.setVisible(not self._rows)
        self._update_actions()

    def _forget(self, batch_id: BatchId) -> None:
        row = self._rows.pop(batch_id, None)
        if row is not None:
            self.model.removeRow(row.row())
        self.empty.setVisible(not self._rows)

    def _compensation_row(self, job_id: int) -> list[QStandardItem]:
        try:
            job = self._jobs.record(job_id)
        except KeyError:
            return self._child("Undo", "", "")
        state = str(job.state.value).capitalize() if job.state is not JobState.DEAD else "Failed"
        return self._child(job.name, f"{state}{SEPARATOR}attempt {job.attempts}/"
                           f"{job.max_attempts}", _error(job.last_error))  # fmt: skip

    @staticmethod
    def _child(*texts: str) -> list[QStandardItem]:
        return [QStandardItem(t) for t in texts]

    def _job_changed(self, record: object) -> None:
        """The compensation's attempts and state show on its row as they change."""
        job_id = getattr(record, "id", None)
        batch = self.sagas.batch_of(job_id) if isinstance(job_id, int) else None
        if batch is not None and self.sagas.record(batch).compensation == job_id:
            self._show(self.sagas.record(batch))

    # ------------------------------------------------------------------ acting
    def selected(self) -> BatchId | None:
        """The batch of the current row (a step's row means its batch)."""
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        while index.parent().isValid():
            index = index.parent()
        value = self.model.itemFromIndex(index.siblingAtColumn(0)).data(BATCH_ROLE)
        return value if isinstance(value, int) else None

    def select(self, batch_id: BatchId) -> None:
        row = self._rows.get(batch_id)
        if row is not None:
            self.tree.setCurrentIndex(row.index())

    def focus_tree(self) -> None:
        """Keyboard into the tree, on the newest batch if no row is current."""
        if not self.tree.currentIndex().isValid() and self.model.rowCount() > 0:
            self.tree.setCurrentIndex(self.model.index(0, 0))
        self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def retry(self) -> None:
        batch = self.selected()
        if batch is not None:
            self.sagas.retry(batch)
        self._update_actions()

    def cancel(self) -> None:
        batch = self.selected()
        if batch is not None:
            self.sagas.cancel(batch)
        self._update_actions()

    def _update_actions(self) -> None:
        batch = self.selected()
        state = self.sagas.record(batch).state if batch is not None else None
        self.retry_action.setEnabled(
            state in (BatchState.FAILED, BatchState.CANCELLED, BatchState.STUCK)
        )
        self.cancel_action.setEnabled(state is BatchState.RUNNING)
