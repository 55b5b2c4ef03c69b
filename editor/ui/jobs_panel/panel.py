"""The Jobs panel: the queue's jobs and its dead letters, with the actions on them.

A view over a `JobQueue`; it owns no job state. Everything shown comes from the queue's
signals through the two coalescing models (`models.py`), and every action is a call on
the queue (`cancel`, `retry_dead`, `discard_dead`, ...), whose signals then update the
view like any other change. Acting right after a burst first flushes the models, so the
selection always names what the person sees.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QAction, QDesktopServices, QFontDatabase, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from editor.jobs import DeadLetter, JobQueue, JobRecord, JobState, QueueClosed, QueueFull
from editor.jobs.saga import Sagas
from editor.ui.jobs_panel.batches import BatchesView
from editor.ui.jobs_panel.coalesce import Coalescer
from editor.ui.jobs_panel.delegate import ProgressDelegate
from editor.ui.jobs_panel.models import (
    DeadColumn,
    DeadLetterModel,
    JobColumn,
    JobTableModel,
    WallTime,
)
from editor.ui.jobs_panel.table import ActionTable
from editor.ui.jobs_panel.text import (
    MAX_NAMED,
    PENDING_STATES,
    dead_letter_text,
    error_text,
    full_time_text,
    plural,
    technical_text,
    traceback_text,
)

#: How long an action's message (e.g. "The job queue is full") stays in the panel.
MESSAGE_MS = 10_000

QUEUE_TAB = 0
DEAD_TAB = 1
PUBLISH_TAB = 2

_JOB_WIDTHS = {
    JobColumn.NAME: 200,
    JobColumn.STATE: 130,
    JobColumn.ATTEMPT: 64,
    JobColumn.PROGRESS: 110,
    JobColumn.ENQUEUED: 80,
    JobColumn.DURATION: 80,
}
_DEAD_WIDTHS = {
    DeadColumn.NAME: 200,
    DeadColumn.ATTEMPTS: 70,
    DeadColumn.FIRST_FAILURE: 100,
    DeadColumn.LAST_FAILURE: 100,
    DeadColumn.ERROR_TYPE: 130,
}


def open_in_file_manager(folder: Path) -> None:
    """Open `folder` in the desktop's file manager (the default `JobsPanel.open_folder`)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def dead_tab_title(count: int) -> str:
    return f"Dead letters ({count})"


class EvictionBanner(QFrame):
    """A warning that the full dead-letter queue dropped its oldest entries, naming them.

    The queue also logs each eviction; this makes sure the person learns that a failed
    job can no longer be retried from the panel. It stays until dismissed.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eviction_banner")
        self.setAccessibleName("Dropped dead letters warning")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.label = QLabel(self)
        self.label.setObjectName("eviction_text")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAccessibleName("Dropped dead letters")
        self.dismiss = QToolButton(self)
        self.dismiss.setObjectName("eviction_dismiss")
        self.dismiss.setText("Dismiss")
        self.dismiss.setAccessibleName("Dismiss the dropped dead letters warning")
        self.dismiss.clicked.connect(self.clear)
        icon = QLabel(self)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(16)
        )
        icon.setAccessibleName("Warning")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self._dropped: deque[DeadLetter] = deque(maxlen=MAX_NAMED)
        self._count = 0
        self.hide()

    @property
    def count(self) -> int:
        """Entries dropped since the warning was last dismissed."""
        return self._count

    def add(self, letter: DeadLetter) -> None:
        """Remember an evicted entry (O(1)); `refresh()` shows it."""
        self._dropped.append(letter)
        self._count += 1

    def refresh(self) -> None:
        if not self._count:
            return
        if self._count == 1:
            letter = self._dropped[-1]
            text = (
                "The dead-letter list was full, so its oldest entry was dropped and can no "
                f"longer be retried here: {dead_letter_text(letter)} "
                f"(last failure {full_time_text(letter.last_failure_at)})."
            )
        else:
            names = ", ".join(f"“{letter.name}”" for letter in self._dropped)
            latest = "" if self._count <= len(self._dropped) else "the latest: "
            text = (
                f"The dead-letter list was full, so its {self._count} oldest entries were "
                f"dropped and can no longer be retried here ({latest}{names})."
            )
        self.label.setText(text)
        self.setToolTip("\n".join(dead_letter_text(letter) for letter in self._dropped))
        self.show()

    def clear(self) -> None:
        self._dropped.clear()
        self._count = 0
        self.hide()


class JobsPanel(QWidget):
    """The Jobs dock's widget: tabs "Queue" and "Dead letters (N)".

    Queue: every job the queue still knows (unfinished ones and the latest finished
    ones), with Cancel (Delete), Show Folder, Clear Finished and Copy (Ctrl+C, rows as
    text). Dead letters: failed jobs with Retry (Ctrl+R), Retry All (Ctrl+Shift+R),
    Discard (Delete), Discard All (asks first), Show Folder, and a details pane with the
    traceback and a Copy button (Ctrl+C in the table). Keys work while the table has
    focus and beat the window's own Delete/Ctrl+C there; every action is also in the
    table's context menu.

    `wall_time` must be the clock the queue stamps its records with (the default,
    `time.time`, is what a queue on its default clock uses); countdowns and durations
    are measured against it.
    """

    #: The number of dead letters changed (the window may badge the dock or a menu).
    deadLetterCountChanged = Signal(int)

    def __init__(
        self,
        jobs: JobQueue,
        parent: QWidget | None = None,
        *,
        wall_time: WallTime = time.time,
        sagas: Sagas | None = None,
    ) -> None:
        """`sagas`: batches of jobs (File > Publish…) shown in a Publish tab, one row
        each with their steps as children; their jobs are left out of the Queue tab."""
        super().__init__(parent)
        self.setObjectName("jobs_panel")
        self.setAccessibleName("Jobs")
        self._jobs = jobs
        #: Opens a folder for "Show Folder"; replace it in tests (no file manager there).
        self.open_folder: Callable[[Path], None] = open_in_file_manager
        hidden = sagas.owns if sagas is not None else None
        self._queue_model = JobTableModel(jobs, self, wall_time=wall_time, hidden=hidden)
        self._dead_model = DeadLetterModel(jobs, self, wall_time=wall_time)
        self._dead_count = self._dead_model.rowCount()
        self._discard_box: QMessageBox | None = None
        self._actions: dict[str, QAction] = {}

        self.banner = EvictionBanner(self)
        self._banner_update = Coalescer(self.banner.refresh, self)
        jobs.dead_letter_evicted.connect(self._on_evicted)

        self.message = QLabel(self)
        self.message.setObjectName("jobs_message")
        self.message.setAccessibleName("Jobs panel message")
        self.message.setWordWrap(True)
        self.message.hide()
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.setInterval(MESSAGE_MS)
        self._message_timer.timeout.connect(self.message.hide)
        #: Jobs the "Retrying N jobs." message is about, until each has finished; and
        #: how many of them failed again.
        self._retrying: set[int] = set()
        self._retry_failed = 0
        jobs.state_changed.connect(self._retry_progress)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("jobs_tabs")
        self.tabs.setAccessibleName("Jobs tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_queue_page(), "Queue")
        self.tabs.addTab(self._build_dead_page(), dead_tab_title(self._dead_count))
        self.batches = BatchesView(sagas, jobs, self) if sagas is not None else None
        if self.batches is not None:
            self.tabs.addTab(self.batches, "&Publish")
        self.tabs.currentChanged.connect(self._on_tab_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.banner)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

        self._queue_model.flushed.connect(self._update_queue_actions)
        self._dead_model.flushed.connect(self._on_dead_flushed)
        self._on_tab_changed(QUEUE_TAB)
        self._update_queue_actions()
        self._update_dead_actions()
        self._show_details()

    # ================================================================== public API
    def show_queue(self) -> None:
        """Switch to the Queue tab."""
        self.tabs.setCurrentIndex(QUEUE_TAB)

    def show_dead_letters(self) -> None:
        """Switch to the Dead letters tab."""
        self.tabs.setCurrentIndex(DEAD_TAB)

    def show_batch(self, batch_id: int) -> None:
        """Switch to the Publish tab with a batch's row current."""
        if self.batches is not None:
            self.tabs.setCurrentIndex(PUBLISH_TAB)
            self.batches.select(batch_id)

    def focus_list(self) -> None:
        """Put the keyboard in the shown tab's list on a selected row (the first, if none
        is), so Retry, Discard and Cancel act on what is highlighted at once."""
        self.flush()
        if self.tabs.currentIndex() == PUBLISH_TAB and self.batches is not None:
            self.batches.focus_tree()
            return
        view = self._dead_view if self.tabs.currentIndex() == DEAD_TAB else self._queue_view
        selection = view.selectionModel()
        if not selection.hasSelection() and view.model().rowCount() > 0:
            self._select_row(view, 0)
        view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_dead_letter(self, job_id: int, *, focus: bool = True) -> bool:
        """Switch to the Dead letters tab and select `job_id`'s entry (the notice's
        "Details…"). False if it is not a dead letter (any more)."""
        self.flush()
        self.show_dead_letters()
        row = self._dead_model.row_of(job_id)
        if row < 0:
            return False
        self._select_row(self._dead_view, row)
        if focus:
            self._dead_view.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def queue_view(self) -> QTableView:
        return self._queue_view

    def dead_view(self) -> QTableView:
        return self._dead_view

    def queue_model(self) -> JobTableModel:
        return self._queue_model

    def dead_model(self) -> DeadLetterModel:
        return self._dead_model

    def details(self) -> QPlainTextEdit:
        """The selected dead letter's traceback."""
        return self._details

    def action(self, name: str) -> QAction:
        """An action by name: cancel, clear_finished, copy_rows, show_job_folder, retry,
        retry_all, discard, discard_all, copy_traceback, show_dead_folder."""
        return self._actions[name]

    def dead_letter_count(self) -> int:
        return self._dead_count

    def flush(self) -> None:
        """Show every queue event received so far now, not at the next coalesced update."""
        self._queue_model.flush()
        self._dead_model.flush()
        if self._banner_update.pending:
            self._banner_update.cancel()
            self.banner.refresh()

    # ================================================================== building
    def _make_action(
        self,
        name: str,
        text: str,
        slot: Callable[[], object],
        keys: Sequence[str] = (),
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"jobs_{name}")
        sequences = [QKeySequence(k) for k in keys]
        action.setShortcuts(sequences)
        shown = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences)
        tip = tip or text.replace("&", "").rstrip("…")
        action.setToolTip(f"{tip} ({shown})" if shown else tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self._actions[name] = action
        return action

    def _button(self, action: QAction, parent: QWidget) -> QToolButton:
        button = QToolButton(parent)
        button.setObjectName(f"{action.objectName()}_button")
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        return button

    def _build_queue_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("queue_page")
        page.setAccessibleName("Queue")
        view = self._queue_view = ActionTable("Jobs queue", page)
        view.setModel(self._queue_model)
        view.setItemDelegateForColumn(JobColumn.PROGRESS, ProgressDelegate(view))
        for column, width in _JOB_WIDTHS.items():
            view.setColumnWidth(column, width)
        cancel = self._make_action(
            "cancel", "&Cancel Job", self.cancel_selected, ("Del",),
            "Cancel the selected jobs (a running job stops at its next check)",
        )  # fmt: skip
        folder = self._make_action(
            "show_job_folder", "Show &Folder", self._show_job_folder, (),
            "Open the folder of the selected job's file",
        )  # fmt: skip
        clear = self._make_action(
            "clear_finished", "C&lear Finished", self.clear_finished, (),
            "Remove finished jobs from the list",
        )  # fmt: skip
        copy = self._make_action(
            "copy_rows", "C&opy", self._copy_rows, ("Ctrl+C",), "Copy the selected rows as text"
        )
        for action in (cancel, folder, clear, copy):
            view.add_action(action)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        for action in (cancel, folder, clear):
            bar.addWidget(self._button(action, page))
        bar.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(view, 1)
        view.selectionModel().selectionChanged.connect(self._on_queue_selection)
        return page

    def _build_dead_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("dead_page")
        page.setAccessibleName("Dead letters")
        view = self._dead_view = ActionTable("Dead letters", page)
        view.setModel(self._dead_model)
        for column, width in _DEAD_WIDTHS.items():
            view.setColumnWidth(column, width)
        retry = self._make_action(
            "retry", "&Retry", self.retry_selected, ("Ctrl+R",),
            "Queue the selected failed jobs again with a fresh set of attempts",
        )  # fmt: skip
        retry_all = self._make_action(
            "retry_all", "Retry &All", self.retry_all, ("Ctrl+Shift+R",),
            "Queue every failed job again",
        )  # fmt: skip
        discard = self._make_action(
            "discard", "&Discard", self.discard_selected, ("Del",),
            "Forget the selected failed jobs",
        )  # fmt: skip
        discard_all = self._make_action(
            "discard_all", "Discard A&ll…", self.ask_discard_all, ("Ctrl+Shift+Del",),
            "Forget every failed job (asks first)",
        )  # fmt: skip
        discard_all.setIconText("Discard All…")  # iconText() would drop the ellipsis
        folder = self._make_action(
            "show_dead_folder", "Show &Folder", self._show_dead_folder, (),
            "Open the folder of the selected failed job's file",
        )  # fmt: skip
        copy = self._make_action(
            "copy_traceback", "&Copy Traceback", self.copy_traceback, ("Ctrl+C",),
            "Copy the selected failed job's traceback",
        )  # fmt: skip
        for action in (retry, retry_all, discard, discard_all, folder, copy):
            view.add_action(action)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        for action in (retry, retry_all, discard, discard_all, folder):
            bar.addWidget(self._button(action, page))
        bar.addStretch(1)

        details = QWidget(page)
        details.setObjectName("dead_details")
        details.setAccessibleName("Failed job details")
        self._details_header = QLabel(details)
        self._details_header.setObjectName("dead_details_header")
        self._details_header.setAccessibleName("Failed job summary")
        self._details_header.setWordWrap(True)
        self._details_header.setTextFormat(Qt.TextFormat.PlainText)
        self._details_header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._details = QPlainTextEdit(details)
        self._details.setObjectName("dead_traceback")
        self._details.setAccessibleName("Traceback")
        self._details.setReadOnly(True)
        self._details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._details.setPlaceholderText("Select a failed job to see its traceback.")
        self._copy_button = QPushButton("Copy", details)
        self._copy_button.setObjectName("dead_copy_button")
        self._copy_button.setAccessibleName("Copy traceback")
        self._copy_button.setToolTip("Copy the traceback to the clipboard")
        self._copy_button.clicked.connect(self.copy_traceback)
        head = QHBoxLayout()
        head.addWidget(self._details_header, 1)
        head.addWidget(self._copy_button, 0, Qt.AlignmentFlag.AlignTop)
        box = QVBoxLayout(details)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(head)
        box.addWidget(self._details, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, page)
        splitter.setObjectName("dead_splitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(view)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        view.selectionModel().selectionChanged.connect(self._on_dead_selection)
        view.selectionModel().currentRowChanged.connect(self._on_dead_current)
        return page

    # ================================================================== queue actions
    def _selected_records(self) -> list[JobRecord]:  # flushed first: acts on what is shown
        self._queue_model.flush()
        model = self._queue_model
        return [model.record_at(row) for row in self._queue_view.selected_rows()]

    def cancel_selected(self) -> None:
        """Cancel every selected job that has not finished (Delete in the Queue tab)."""
        cancelled = [
            r
            for r in self._selected_records()
            if r.state in PENDING_STATES and self._jobs.cancel(r.id)
        ]
        if len(cancelled) == 1:
            self._say(f"Cancelling “{cancelled[0].name}”.")
        elif cancelled:
            self._say(f"Cancelling {plural(len(cancelled), 'job')}.")
        self.flush()
        self._update_queue_actions()

    def clear_finished(self) -> None:
        """Remove finished jobs from the list (the queue drops their records)."""
        self._jobs.clear_finished()
        self.flush()

    def _show_job_folder(self) -> None:
        records = self._selected_records()
        target = next((r.target for r in records if r.target), None)
        if target:
            self.open_folder(Path(target).parent)

    def _copy_rows(self) -> None:
        model = self._queue_model
        rows = self._queue_view.selected_rows()
        lines = [
            "\t".join(str(model.index(row, c).data() or "") for c in range(len(JobColumn)))
            for row in rows
        ]
        if lines:
            _copy_text("\n".join(lines))

    def _on_queue_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_queue_actions()

    def _update_queue_actions(self) -> None:
        model = self._queue_model
        records = [model.record_at(row) for row in self._queue_view.selected_rows()]
        self._actions["cancel"].setEnabled(
            any(r.state in PENDING_STATES and not r.cancel_requested for r in records)
        )
        self._actions["show_job_folder"].setEnabled(any(r.target for r in records))
        self._actions["copy_rows"].setEnabled(bool(records))
        self._actions["clear_finished"].setEnabled(model.finished_count() > 0)

    # ================================================================== dead-letter actions
    def _selected_letters(self) -> list[DeadLetter]:
        self._dead_model.flush()
        model = self._dead_model
        return [model.letter_at(row) for row in self._dead_view.selected_rows()]

    def retry_selected(self) -> None:
        """Queue the selected dead letters again (Ctrl+R), oldest first."""
        self._retry([letter.job_id for letter in self._selected_letters()])

    def retry_all(self) -> None:
        """Queue every dead letter again while the queue has room (Ctrl+Shift+R)."""
        self._dead_model.flush()
        self._retry([letter.job_id for letter in self._dead_model.letters()])

    def _retry(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        done = 0
        left = 0
        problem = ""
        for n, job_id in enumerate(ids):
            try:
                self._jobs.retry_dead(job_id)
            except KeyError:
                continue  # retried or discarded meanwhile
            except QueueFull:
                problem = "the job queue is full; retry them when a job finishes"
            except QueueClosed:
                problem = "the job queue has shut down"
            if problem:
                left = len(ids) - n
                break
            done += 1
        if problem:
            self._say(f"{plural(left, 'job')} not retried: {problem}.", warning=True)
        elif done:
            self._retrying = set(ids[:done])
            self._retry_failed = 0
            self._say(f"Retrying {plural(done, 'job')}.")
        self.flush()

    def _retry_progress(self, record: JobRecord) -> None:
        """The "Retrying" message lasts until the retried jobs are done: it goes when they
        succeeded, and says so when some failed again."""
        if record.id not in self._retrying or not record.state.is_final:
            return
        self._retrying.discard(record.id)
        if record.state is not JobState.SUCCEEDED:
            self._retry_failed += 1
        if self._retrying:
            return
        if self._retry_failed:
            self._say(f"{plural(self._retry_failed, 'retried job')} failed again.", warning=True)
        else:
            self._message_timer.stop()
            self.message.hide()

    def discard_selected(self) -> None:
        """Forget the selected dead letters (Delete in the Dead letters tab)."""
        for letter in self._selected_letters():
            try:
                self._jobs.discard_dead(letter.job_id)
            except KeyError:
                continue
        self.flush()

    def ask_discard_all(self) -> QMessageBox | None:
        """Ask, without blocking (QMessageBox.open), whether to discard every dead letter.

        Only the entries the person was asked about are discarded: one that fails while
        the question is open is kept. Returns the box (None when there is nothing to ask).
        """
        self._dead_model.flush()
        asked = {letter.job_id for letter in self._dead_model.letters()}
        if not asked:
            return None
        if self._discard_box is not None:
            self._discard_box.close()
        box = QMessageBox(self)
        box.setObjectName("discard_all_dialog")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Discard failed jobs")
        box.setText(f"Discard all {plural(len(asked), 'failed job')}?")
        box.setInformativeText("They can no longer be retried afterwards.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            self._discard_box = None
            button = box.clickedButton()
            if button is None or box.standardButton(button) != QMessageBox.StandardButton.Discard:
                return
            current = {letter.job_id for letter in self._jobs.dead_letters()}
            if current <= asked:
                self._jobs.discard_all_dead()
            else:
                for job_id in asked & current:
                    self._jobs.discard_dead(job_id)
            self.flush()

        box.finished.connect(answered)
        self._discard_box = box
        box.open()
        return box

    def copy_traceback(self) -> None:
        """Copy the current dead letter's traceback to the clipboard (Ctrl+C, Copy)."""
        letter = self._current_letter()
        if letter is not None:
            _copy_text(traceback_text(letter.error))
            self._say(f"Copied the traceback of “{letter.name}”.")

    def _show_dead_folder(self) -> None:
        letters = self._selected_letters()
        target = next((letter.target for letter in letters if letter.target), None)
        if target:
            self.open_folder(Path(target).parent)

    def _current_letter(self) -> DeadLetter | None:
        index = self._dead_view.currentIndex()
        if not index.isValid() or index.row() >= self._dead_model.rowCount():
            rows = self._dead_view.selected_rows()
            if not rows:
                return None
            return self._dead_model.letter_at(rows[0])
        return self._dead_model.letter_at(index.row())

    def _on_dead_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_dead_actions()

    def _on_dead_current(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_details()

    def _on_dead_flushed(self) -> None:
        count = self._dead_model.rowCount()
        if count != self._dead_count:
            self._dead_count = count
            self.tabs.setTabText(DEAD_TAB, dead_tab_title(count))
            self.deadLetterCountChanged.emit(count)
        self._update_dead_actions()
        self._show_details()

    def _update_dead_actions(self) -> None:
        letters = [self._dead_model.letter_at(r) for r in self._dead_view.selected_rows()]
        has_any = self._dead_model.rowCount() > 0
        for name in ("retry", "discard"):
            self._actions[name].setEnabled(bool(letters))
        for name in ("retry_all", "discard_all"):
            self._actions[name].setEnabled(has_any)
        self._actions["show_dead_folder"].setEnabled(any(letter.target for letter in letters))
        has_current = self._current_letter() is not None
        self._actions["copy_traceback"].setEnabled(has_current)
        self._copy_button.setEnabled(has_current)

    def _show_details(self) -> None:
        letter = self._current_letter()
        if letter is None:
            self._details_header.setText("")
            self._details.setPlainText("")
            self._copy_button.setEnabled(False)
            return
        error = letter.error
        lines = [
            letter.name,
            *([letter.target] if letter.target else []),
            f"{error_text(error)}",
            *([technical_text(error)] if error.summary else []),
            f"{plural(letter.attempts, 'attempt')}; first failure "
            f"{full_time_text(letter.first_failure_at)}, last "
            f"{full_time_text(letter.last_failure_at)}"
            + ("; not retryable" if not error.retryable else ""),
        ]
        self._details_header.setText("\n".join(lines))
        text = traceback_text(error)
        if self._details.toPlainText() != text:
            self._details.setPlainText(text)
        self._copy_button.setEnabled(True)

    # ================================================================== misc
    def _on_evicted(self, letter: DeadLetter) -> None:
        self.banner.add(letter)
        self._banner_update.mark()

    def _on_tab_changed(self, index: int) -> None:
        view: QWidget = self._dead_view if index == DEAD_TAB else self._queue_view
        if index == PUBLISH_TAB and self.batches is not None:
            view = self.batches.tree
        self.setFocusProxy(view)

    def _say(self, text: str, *, warning: bool = False) -> None:
        if not text.startswith("Retrying"):
            self._retrying.clear()
        self.message.setText(("⚠ " if warning else "") + text)
        self.message.show()
        self._message_timer.start()

    @staticmethod
    def _select_row(view: QTableView, row: int) -> None:
        index = view.model().index(row, 0)
        view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        view.scrollTo(index)


def _copy_text(text: str) -> None:
    clipboard = QApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)
