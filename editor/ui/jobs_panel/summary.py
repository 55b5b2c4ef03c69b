"""The status bar's jobs summary: "1 running · 2 queued · 1 failed", click to open the panel.

A QToolButton rather than a QLabel: it takes keyboard focus, is announced as a button by
screen readers, and clicks with Space/Enter as well as the mouse. Its `clicked` signal
is QAbstractButton's own (`clicked(bool checked=False)`; connect a slot without
arguments). Updates are coalesced like the panel's, so a burst of jobs relayouts the
status bar at most once per interval.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSizePolicy, QStyle, QToolButton, QWidget

from editor.jobs import JobQueue, JobRecord, JobState
from editor.ui.jobs_panel.coalesce import Coalescer, alive
from editor.ui.jobs_panel.text import MAX_NAMED, PENDING_STATES, summary_text

_CLICK_HINT = "Click to show the Jobs panel."


class JobsSummary(QToolButton):
    """Counts of running, queued, retrying and failed (dead-letter) jobs, as a flat button.

    `clicked` (inherited) is emitted on click, Space or Enter: the window shows the Jobs
    dock. Text "No jobs" when nothing is running, waiting or failed; the tooltip names the
    jobs; the accessible name is "Jobs: " + the text.
    """

    def __init__(self, jobs: JobQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobs_summary")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click must not take focus off the canvas
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._jobs = jobs
        self._records: dict[int, JobRecord] = {r.id: r for r in jobs.records()}
        self._failed = len(jobs.dead_letters())
        self._failed_dirty = False
        self._warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self._coalescer = Coalescer(self.refresh, self)
        jobs.job_added.connect(self._on_record)
        jobs.state_changed.connect(self._on_record)
        jobs.job_removed.connect(self._on_removed)
        jobs.dead_letters_changed.connect(self._on_dead_letters)
        self.refresh()

    # O(1) per event; refresh() does the rest once per interval.
    def _on_record(self, record: JobRecord) -> None:
        self._records[record.id] = record
        self._coalescer.mark()

    def _on_removed(self, job_id: int) -> None:
        self._records.pop(job_id, None)
        self._coalescer.mark()

    def _on_dead_letters(self) -> None:
        self._failed_dirty = True
        self._coalescer.mark()

    def counts(self) -> Counter[JobState]:
        """Jobs per state, as of the last refresh."""
        return Counter(r.state for r in self._records.values())

    def refresh(self) -> None:
        """Update the text now (runs by itself shortly after queue events)."""
        self._coalescer.cancel()
        if self._failed_dirty and alive(self._jobs):
            self._failed_dirty = False
            self._failed = len(self._jobs.dead_letters())
        counts = self.counts()
        text = summary_text(
            counts[JobState.RUNNING],
            counts[JobState.QUEUED],
            counts[JobState.RETRY_SCHEDULED],
            self._failed,
        )
        if text != self.text():
            self.setText(text)
            self.setAccessibleName(f"Jobs: {text}")
            self.setIcon(self._warning if self._failed else QIcon())
        self.setToolTip(self._tooltip())

    def _tooltip(self) -> str:
        pending = [r for r in self._records.values() if r.state in PENDING_STATES]
        if not pending and not self._failed:
            return f"No jobs are running or waiting. {_CLICK_HINT}"
        lines = [f"{r.name} — {r.state.value}" for r in sorted(pending, key=lambda r: r.id)]
        if len(lines) > MAX_NAMED:
            lines[MAX_NAMED:] = [f"and {len(lines) - MAX_NAMED} more"]
        if self._failed:
            lines.append(f"{self._failed} failed (see Dead letters)")
        return "\n".join([*lines, _CLICK_HINT])
