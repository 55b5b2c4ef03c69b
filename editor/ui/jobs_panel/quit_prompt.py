"""The quit prompt: jobs are still running — wait for them, cancel them, or stay?

Quitting stops the job queue, and a save that has not finished yet means lost work, so
the window asks first: `ask_pending_jobs(parent, jobs, then)`. The dialog is window-modal
and opened with `open()`, never `exec()`: the event loop keeps running, so the jobs it
waits for keep making progress and report back.

The answer reaches `then(choice)` exactly once, after the dialog has closed:

* "wait" — every job that was queued, running or waiting for a retry has finished
  without failing (or there was none to begin with: then `then("wait")` is called at
  once and no dialog opens). Quit now.
* "cancel" — the person chose "Cancel Jobs and Quit". The dialog has already called
  `jobs.cancel(id)` for every unfinished job: waiting ones ended at once, running ones
  stop at their next check. Quit now; `jobs.shutdown(timeout)` waits for their threads.
* "stay" — "Don't Quit", Escape or closing the dialog; *also* when a job the dialog was
  waiting for failed for good (ended in the dead-letter queue): quitting would lose that
  work silently, so the window stays open and the `DeadLetterNotice` tells what failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from editor.jobs import JobQueue, JobState
from editor.ui.jobs_panel.coalesce import Coalescer, alive
from editor.ui.jobs_panel.models import WallTime
from editor.ui.jobs_panel.text import pending_jobs_text, pending_records, plural

QuitChoice = Literal["wait", "cancel", "stay"]


class PendingJobsDialog(QDialog):
    """Wait / Cancel Jobs and Quit / Don't Quit (see the module docstring)."""

    def __init__(
        self,
        parent: QWidget,
        jobs: JobQueue,
        then: Callable[[QuitChoice], None],
        *,
        wall_time: WallTime = time.time,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pending_jobs_dialog")
        self.setWindowTitle("Jobs still running")
        self.setAccessibleName("Jobs still running")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._jobs = jobs
        self._then = then
        self._now = wall_time
        self._answered = False
        self._waiting = False
        self._waited: set[int] = set()  # jobs seen unfinished while waiting
        self._most = 0

        self.heading = QLabel("Quitting now would stop these jobs.", self)
        self.heading.setObjectName("pending_jobs_heading")
        self.heading.setAccessibleName("Quit prompt")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.listing = QLabel(self)
        self.listing.setObjectName("pending_jobs_list")
        self.listing.setAccessibleName("Unfinished jobs")
        self.listing.setTextFormat(Qt.TextFormat.PlainText)
        self.listing.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("pending_jobs_progress")
        self.progress.setAccessibleName("Jobs finished while waiting")
        self.progress.setFormat("%v of %m finished")
        self.progress.hide()

        buttons = QDialogButtonBox(self)
        self.wait_button = QPushButton("&Wait", self)
        self.wait_button.setObjectName("pending_wait")
        self.wait_button.setAccessibleName("Wait for the jobs, then quit")
        self.cancel_button = QPushButton("&Cancel Jobs and Quit", self)
        self.cancel_button.setObjectName("pending_cancel")
        self.cancel_button.setAccessibleName("Cancel the jobs and quit")
        self.stay_button = QPushButton("&Don't Quit", self)
        self.stay_button.setObjectName("pending_stay")
        self.stay_button.setAccessibleName("Don't quit")
        buttons.addButton(self.wait_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.stay_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.wait_button.setDefault(True)
        self.wait_button.clicked.connect(self.wait)
        self.cancel_button.clicked.connect(self.cancel_jobs)
        self.stay_button.clicked.connect(self.reject)

        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.heading)
        layout.addWidget(self.listing)
        layout.addWidget(self.progress)
        layout.addWidget(buttons)

        self._update = Coalescer(self.refresh, self)
        jobs.job_added.connect(self._update.mark)
        jobs.state_changed.connect(self._update.mark)
        jobs.job_removed.connect(self._update.mark)
        self.refresh()

    # ------------------------------------------------------------------ answers
    def wait(self) -> None:
        """Keep the dialog up with a progress bar; answer "wait" once the jobs finished."""
        self._waiting = True
        self.wait_button.setEnabled(False)
        self.wait_button.setText("Waiting…")
        self.stay_button.setDefault(True)
        self.progress.show()
        self.refresh()

    def cancel_jobs(self) -> None:
        """Cancel every unfinished job and answer "cancel"."""
        for record in pending_records(self._jobs.records()):
            self._jobs.cancel(record.id)
        self._answer("cancel")

    def reject(self) -> None:  # Don't Quit, Escape, the window's close button
        self._answer("stay")

    def _answer(self, choice: QuitChoice) -> None:
        if self._answered:
            return
        self._answered = True
        self._update.cancel()
        self.done(QDialog.DialogCode.Accepted if choice != "stay" else QDialog.DialogCode.Rejected)
        self._then(choice)

    # ------------------------------------------------------------------ progress
    def refresh(self) -> None:
        """Re-read the queue: list what is unfinished, and finish the wait when done."""
        self._update.cancel()
        if self._answered:
            return
        if not alive(self._jobs):
            self._answer("wait")  # the queue is gone: nothing is left to wait for
            return
        records = self._jobs.records()
        pending = pending_records(records)
        if self._waiting:
            self._waited.update(r.id for r in pending)
            if not pending:
                dead = {letter.job_id for letter in self._jobs.dead_letters()}
                failed = any(
                    r.id in self._waited and r.state is JobState.DEAD for r in records
                ) or bool(self._waited & dead)
                self._answer("stay" if failed else "wait")
                return
            self._most = max(self._most, len(self._waited))
            self.heading.setText(f"Waiting for {plural(len(pending), 'job')} to finish…")
            self.progress.setRange(0, self._most)
            self.progress.setValue(self._most - len(pending))
        elif not pending:
            self.heading.setText("Every job has finished.")
        self.listing.setText(pending_jobs_text(records, self._now()))


def ask_pending_jobs(
    parent: QWidget,
    jobs: JobQueue,
    then: Callable[[QuitChoice], None],
    *,
    wall_time: WallTime = time.time,
) -> PendingJobsDialog | None:
    """Ask what to do about unfinished jobs before quitting (see the module docstring).

    Returns the open dialog, or None — after calling `then("wait")` — when no job is
    queued, running or waiting for a retry.
    """
    if not pending_records(jobs.records()):
        then("wait")
        return None
    dialog = PendingJobsDialog(parent, jobs, then, wall_time=wall_time)
    dialog.open()
    return dialog
