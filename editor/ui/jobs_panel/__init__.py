"""The Jobs panel and its companions: what the background job queue is doing, and what failed.

Views over one `editor.jobs.JobQueue`; none of them owns job state. Each listens to the
queue's signals itself, records changes in O(1) per event and updates its widgets at most
every 50 ms (`coalesce.py`), so a burst of thousands of job events never stalls the GUI
thread (bench/bench_jobs_panel.py).

Parts
-----
`JobsPanel(jobs, parent=None, *, wall_time=time.time)` — the dock's widget. Tabs "Queue"
    (every job the queue still knows: name, state with a "Retrying in N s" countdown,
    attempt "2/5", a progress bar, enqueued at, duration, last error; Cancel = Delete,
    Show Folder, Clear Finished, Copy = Ctrl+C) and "Dead letters (N)" (name, attempts,
    first/last failure, error type and message, a traceback pane with Copy; Retry =
    Ctrl+R, Retry All = Ctrl+Shift+R, Discard = Delete, Discard All… = Ctrl+Shift+Del,
    asks first, Show Folder; Ctrl+C copies the traceback). The keys work while a table
    has focus and win over the window's own Delete/Ctrl+C there (`table.py`); every
    action is in the table's context menu. A banner above the tabs names dead letters
    the full dead-letter queue dropped.
    Signals: `deadLetterCountChanged(int)`.
    Methods: `show_queue()`, `show_dead_letters()`, `show_dead_letter(job_id, *,
    focus=True) -> bool`, `queue_view()`, `dead_view()`, `queue_model()`,
    `dead_model()`, `details()`, `action(name)`, `dead_letter_count()`, `flush()`.
    Attribute `open_folder: Callable[[Path], None]` opens a folder for "Show Folder"
    (default: `QDesktopServices.openUrl`); tests replace it.
`JobsSummary(jobs, parent=None)` — a flat QToolButton for the status bar: "1 running ·
    2 queued · 1 retrying · 1 failed" ("failed" = dead letters), "No jobs" when idle; the
    tooltip names the jobs. `clicked` is QAbstractButton's (mouse, Space, Enter).
`DeadLetterNotice(jobs, parent=None)` — a non-modal bar, hidden until a job is
    dead-lettered: "“Save a.strata” failed: PermissionError: …" with Retry, Details… and
    ✕. Never takes focus; hides after `hide_after_ms` (20 s, paused while hovered), on ✕,
    or when its dead letters were retried or discarded elsewhere. Retry calls
    `jobs.retry_dead` itself, then emits `retryRequested(int)` per job retried (for
    information: do not retry again). Details… emits `detailsRequested(int)` and hides.
`pending_jobs_text(records, now=None) -> str` — the unfinished jobs, one per line, "" if
    none. `ask_pending_jobs(parent, jobs, then, *, wall_time=time.time)` — the quit prompt
    (Wait / Cancel Jobs and Quit / Don't Quit), opened with `open()`; calls
    `then("wait" | "cancel" | "stay")` exactly once; see `quit_prompt.py` for exactly
    what each answer means (notably: a job failing while waiting answers "stay").

`wall_time` must be the clock the queue stamps records with: `time.time` for a queue on
its default clock, `clock.wall_time` for one on a `FakeClock`.

Wiring in the main window
-------------------------
    from editor.ui.jobs_panel import DeadLetterNotice, JobsPanel, JobsSummary, ask_pending_jobs

    self.jobs_panel = JobsPanel(self.jobs, self)
    self._jobs_dock = self._dock("Jobs", self.jobs_panel, "jobs_dock")
    self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._jobs_dock)
    self._jobs_dock.hide()                      # View menu: toggleViewAction() as usual

    def show_jobs(dead: bool = False) -> None:
        self._jobs_dock.show()
        self._jobs_dock.raise_()
        (self.jobs_panel.show_dead_letters if dead else self.jobs_panel.show_queue)()

    self.jobs_summary = JobsSummary(self.jobs, self)
    self.statusBar().addPermanentWidget(self.jobs_summary)
    self.jobs_summary.clicked.connect(
        lambda: show_jobs(dead=self.jobs_panel.dead_letter_count() > 0))

    self.dead_letter_notice = DeadLetterNotice(self.jobs, self)
    # e.g. wrap the canvas: container = QWidget(); QVBoxLayout(container) with the canvas
    # (stretch 1) and the notice below it; setCentralWidget(container).
    self.dead_letter_notice.detailsRequested.connect(
        lambda job_id: (show_jobs(dead=True), self.jobs_panel.show_dead_letter(job_id)))
    self.dead_letter_notice.retryRequested.connect(
        lambda job_id: self.statusBar().showMessage("Retrying…", 3000))

    # closeEvent, after the unsaved-changes prompt said "go ahead":
    ask_pending_jobs(self, self.jobs,
                     lambda choice: self.discard_and_close() if choice != "stay" else None)
    # and discard_and_close() closes the window; closeEvent shuts the queue down.
"""

from __future__ import annotations

from editor.ui.jobs_panel.models import DeadLetterModel, JobTableModel
from editor.ui.jobs_panel.notice import DeadLetterNotice
from editor.ui.jobs_panel.panel import JobsPanel
from editor.ui.jobs_panel.quit_prompt import PendingJobsDialog, QuitChoice, ask_pending_jobs
from editor.ui.jobs_panel.summary import JobsSummary
from editor.ui.jobs_panel.text import pending_jobs_text, summary_text

__all__ = [
    "DeadLetterModel",
    "DeadLetterNotice",
    "JobTableModel",
    "JobsPanel",
    "JobsSummary",
    "PendingJobsDialog",
    "QuitChoice",
    "ask_pending_jobs",
    "pending_jobs_text",
    "summary_text",
]
