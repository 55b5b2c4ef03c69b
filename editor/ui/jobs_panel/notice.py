"""A non-modal notice that a job failed for good: its name, its error, Retry and Details….

Saves run in the background, so a save that fails for good must be announced where the
person looks, without a modal dialog interrupting their drawing (a dialog would also
steal keyboard focus mid-keystroke). The notice is a small bar the window places in its
layout (e.g. above the status bar); it shows itself when a job is dead-lettered, never
takes focus (its buttons are reachable with Tab but clicking them leaves focus where it
was), and hides itself after `hide_after_ms` — unless the pointer is over it — or when
closed, retried, or when the dead letters it announced are gone (retried or discarded
in the Jobs panel).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QToolButton, QWidget

from editor.jobs import JobQueue, JobRecord, JobState, QueueClosed, QueueFull
from editor.ui.jobs_panel.coalesce import Coalescer, alive
from editor.ui.jobs_panel.text import error_text, plural

#: How long a notice stays up when nobody interacts with it.
HIDE_AFTER_MS = 20_000


class DeadLetterNotice(QFrame):
    """Announces dead-lettered jobs; listens to the queue itself.

    Retry calls `jobs.retry_dead(id)` *itself* for every job the notice announced that is
    still a dead letter, then emits `retryRequested(id)` for each one retried — for
    information (a status message); do not retry again. If the queue refuses (full, shut
    down) the notice stays and says why.

    Details… emits `detailsRequested(id)` with the latest announced job and hides: the
    window shows the Jobs dock and calls `JobsPanel.show_dead_letter(id)`.
    """

    #: A dead letter was retried from the notice (already done): job id.
    retryRequested = Signal(int)
    #: The person wants to see a dead letter in the Jobs panel: job id.
    detailsRequested = Signal(int)

    def __init__(self, jobs: JobQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dead_letter_notice")
        self.setAccessibleName("Failed job notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # If the window shows it as a top-level toast, showing must not activate it.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self._jobs = jobs
        self._announced: list[JobRecord] = []  # oldest first, since the notice appeared
        self._new: list[JobRecord] = []  # not shown yet (coalesced)
        #: Milliseconds until the notice hides itself (0: never).
        self.hide_after_ms = HIDE_AFTER_MS

        style = self.style()
        icon = QLabel(self)
        icon.setPixmap(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(16))
        icon.setAccessibleName("Warning")
        self.label = QLabel(self)
        self.label.setObjectName("dead_letter_notice_text")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Failed job")
        self.retry_button = self._button("Retry", "Retry the failed job", "notice_retry")
        self.details_button = self._button(
            "Details…", "Show the failure in the Jobs panel", "notice_details"
        )
        self.close_button = self._button("✕", "Close the notice", "notice_close")
        self.close_button.setAutoRaise(True)
        self.retry_button.clicked.connect(self.retry)
        self.details_button.clicked.connect(self._details)
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.details_button)
        layout.addWidget(self.close_button)

        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.dismiss)
        self._update = Coalescer(self.refresh, self)
        self._gone_check = False
        jobs.state_changed.connect(self._on_state)
        jobs.dead_letters_changed.connect(self._on_dead_letters)
        self.hide()

    def _button(self, text: str, accessible: str, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setAccessibleName(accessible)
        button.setToolTip(accessible)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # clicking keeps focus where it was
        return button

    # ------------------------------------------------------------------ events
    def _on_state(self, record: JobRecord) -> None:
        if record.state is JobState.DEAD:
            self._new.append(record)
            self._update.mark()

    def _on_dead_letters(self) -> None:
        if self._announced or self._new:
            self._gone_check = True
            self._update.mark()

    def refresh(self) -> None:
        """Show newly failed jobs and drop ones no longer dead (runs by itself)."""
        self._update.cancel()
        fresh = bool(self._new)
        if fresh:
            self._announced.extend(self._new)
            self._new.clear()
        if not alive(self._jobs):
            return
        if self._gone_check or fresh:
            self._gone_check = False
            dead = {letter.job_id for letter in self._jobs.dead_letters()}
            # Latest record per job, still a dead letter, oldest first.
            latest = {r.id: r for r in self._announced if r.id in dead}
            self._announced = list(latest.values())
        if not self._announced:
            self.dismiss()
            return
        self._render()
        if fresh:
            self.show()
            self._restart_hide_timer()

    def _render(self) -> None:
        latest = self._announced[-1]
        text = f"“{latest.name}” failed: {error_text(latest.last_error)}"
        others = len(self._announced) - 1
        if others:
            text += f" ({plural(others, 'other job')} also failed)"
        self.label.setText(text)
        self.setToolTip(latest.target or latest.name)
        several = len(self._announced) > 1
        self.retry_button.setText("Retry All" if several else "Retry")
        self.retry_button.setAccessibleName(
            "Retry the failed jobs" if several else "Retry the failed job"
        )

    def _restart_hide_timer(self) -> None:
        if self.hide_after_ms > 0 and not self.underMouse():
            self._hide_timer.start(self.hide_after_ms)

    # ------------------------------------------------------------------ actions
    def announced(self) -> list[int]:
        """Ids of the failed jobs the notice currently names, oldest first."""
        return [r.id for r in self._announced]

    def retry(self) -> None:
        """Retry every announced job that is still a dead letter (see the class docstring)."""
        self.refresh()
        retried: list[int] = []
        problem = ""
        for record in list(self._announced):
            try:
                self._jobs.retry_dead(record.id)
            except KeyError:
                continue
            except QueueFull:
                problem = "The job queue is full; try again when a job finishes."
                break
            except QueueClosed:
                problem = "The job queue has shut down."
                break
            retried.append(record.id)
        self._announced = [r for r in self._announced if r.id not in retried]
        for job_id in retried:
            self.retryRequested.emit(job_id)
        if problem:
            self.label.setText(problem)
            return
        self.dismiss()

    def _details(self) -> None:
        if not self._announced:
            self.dismiss()
            return
        job_id = self._announced[-1].id
        self.dismiss()
        self.detailsRequested.emit(job_id)

    def dismiss(self) -> None:
        """Hide and forget what was announced (a later failure shows the notice again)."""
        self._hide_timer.stop()
        self._announced.clear()
        self.hide()

    # ------------------------------------------------------------------ hover pauses
    def enterEvent(self, event: QEnterEvent) -> None:
        self._hide_timer.stop()  # do not vanish while being read or clicked
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self.isVisible() and self._announced:
            self._restart_hide_timer()
        super().leaveEvent(event)
