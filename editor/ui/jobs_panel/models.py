"""Table models of the Jobs panel: the queue's jobs and its dead letters.

Both are fed by the queue's signals and *coalesce* them (see `coalesce.py`): a signal
handler only records what changed (O(1)), and `flush()` — at most `FLUSH_INTERVAL_MS`
after the first change of a burst — applies everything at once with the fewest model
signals: one `beginRemoveRows` per contiguous block of removed rows, one
`beginInsertRows` per block of new rows, one `dataChanged` per contiguous block of
changed rows. A burst of 10,000 events costs a few dict writes per event and one flush
per interval, whatever its size (bench/bench_jobs_panel.py).

Rows are in job-id order, oldest first — the order of `JobQueue.records()` — so that
after a flush `model.records() == queue.records()` (tests check this after random event
sequences). New jobs are appended; a dead letter retried after its record was dropped
comes back under its old id and is inserted where its id belongs.

Why not re-read `queue.records()` at each flush? It rebuilds a record per job and the
model would have to compare them field by field (a result object may not even compare
cheaply) to find what changed; the signals already say exactly that. The dead-letter
model does re-read `queue.dead_letters()`, because `dead_letters_changed` carries no
payload; the DLQ is bounded (500) and the diff is by identity, so that is cheap.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Iterable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from editor.jobs import DeadLetter, JobQueue, JobRecord, JobState
from editor.ui.jobs_panel.coalesce import FLUSH_INTERVAL_MS, Coalescer, alive
from editor.ui.jobs_panel.text import (
    attempt_text,
    duration_text,
    error_text,
    first_line,
    full_time_text,
    job_duration,
    short_type,
    state_text,
    time_text,
)

_Index = QModelIndex | QPersistentModelIndex
WallTime = Callable[[], float]

_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_ALIGN = Qt.ItemDataRole.TextAlignmentRole.value
_USER = Qt.ItemDataRole.UserRole.value

#: `data(index, RECORD_ROLE)`: the row's JobRecord (queue model) or DeadLetter (DLQ model).
RECORD_ROLE = _USER
#: `data(index, PROGRESS_ROLE)` on the Progress column: 0..1 while running, else None.
PROGRESS_ROLE = _USER + 1

#: A failed job's text colour (dark red: readable on light and mid-grey rows).
FAILED_COLOUR = QColor("#b3261e")

#: How often running durations and retry countdowns are refreshed, while any are shown.
TICK_MS = 1000

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

# The roles the models answer. A view asks about seven roles per cell and paint (font,
# check state, decoration, background, ...); the others return at once, before any call
# back into Qt: a Python `data()` is most of the cost of painting a table.
_JOB_ROLES = frozenset(
    {_DISPLAY, _ACCESSIBLE, _TOOLTIP, _FOREGROUND, _ALIGN, RECORD_ROLE, PROGRESS_ROLE}
)
_DEAD_ROLES = frozenset({_DISPLAY, _ACCESSIBLE, _TOOLTIP, _ALIGN, RECORD_ROLE})


def ranges(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as contiguous (first, last) ranges: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    out: list[tuple[int, int]] = []
    for row in sorted(rows):
        if out and row == out[-1][1] + 1:
            out[-1] = (out[-1][0], row)
        elif not out or row != out[-1][1]:
            out.append((row, row))
    return out


class JobColumn(IntEnum):
    """Columns of the Queue tab."""

    NAME = 0
    STATE = 1
    ATTEMPT = 2
    PROGRESS = 3
    ENQUEUED = 4
    DURATION = 5
    ERROR = 6


JOB_HEADERS = ("Job", "State", "Attempt", "Progress", "Enqueued", "Duration", "Last error")

#: States whose text changes with time: retry countdowns and running durations.
_TICKING = frozenset({JobState.RUNNING, JobState.RETRY_SCHEDULED})
_EMPTY = QModelIndex()


def _shown(job_id: int) -> bool:
    return False


class JobTableModel(QAbstractTableModel):
    """One row per job the queue still knows (see the module docstring)."""

    #: A flush changed the rows; the panel refreshes its buttons and tab titles.
    flushed = Signal()

    def __init__(
        self,
        jobs: JobQueue,
        parent: QObject | None = None,
        *,
        wall_time: WallTime = time.time,
        interval_ms: int = FLUSH_INTERVAL_MS,
        hidden: Callable[[int], bool] | None = None,
    ) -> None:
        """`hidden(job_id)`: jobs shown elsewhere (a Publish batch's steps, on the
        batch's row of the Publish tab), never rows here."""
        super().__init__(parent)
        self._jobs = jobs
        self._hidden = hidden if hidden is not None else _shown
        self._now = wall_time
        self._ids: list[int] = []  # sorted: row -> job id
        self._records: dict[int, JobRecord] = {}
        # Changes not yet shown: the latest record per job, None for "removed". Progress
        # reports are kept apart: they change two fields of a record, and a later
        # state_changed record already includes them.
        self._pending: dict[int, JobRecord | None] = {}
        self._progress: dict[int, tuple[float, str]] = {}
        self._ticking: set[int] = set()  # running or waiting for a retry: text changes
        self._final: set[int] = set()  # finished: what "Clear finished" would remove
        self._failed_brush = QBrush(FAILED_COLOUR)
        self._coalescer = Coalescer(self.flush, self, interval_ms)
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self.tick)
        for record in jobs.records():
            if self._hidden(record.id):
                continue
            self._ids.append(record.id)
            self._records[record.id] = record
            self._classify(record)
        self._ids.sort()
        self._update_ticker()
        jobs.job_added.connect(self._on_record)
        jobs.state_changed.connect(self._on_record)
        jobs.progress_changed.connect(self._on_progress)
        jobs.job_removed.connect(self._on_removed)

    # ------------------------------------------------------------ queue events
    # O(1) each: remember, and make sure a flush is coming.
    def _on_record(self, record: JobRecord) -> None:
        self._pending[record.id] = record
        self._progress.pop(record.id, None)
        self._coalescer.mark()

    def _on_progress(self, job_id: int, fraction: float, message: str) -> None:
        self._progress[job_id] = (fraction, message)
        self._coalescer.mark()

    def _on_removed(self, job_id: int) -> None:
        self._pending[job_id] = None
        self._progress.pop(job_id, None)
        self._coalescer.mark()

    # ------------------------------------------------------------------ flush
    @property
    def has_pending(self) -> bool:
        """True while queue events wait for the next flush."""
        return bool(self._pending or self._progress)

    def flush(self) -> None:
        """Apply every change recorded since the last flush (see the module docstring).

        Runs by itself shortly after a change; call it to be up to date *now* (before
        acting on a selection, in tests).
        """
        self._coalescer.cancel()
        if not (self._pending or self._progress):
            return
        pending, self._pending = self._pending, {}
        progress, self._progress = self._progress, {}
        ids, records = self._ids, self._records
        removed: list[int] = []
        added: list[JobRecord] = []
        changed: set[int] = set()
        for job_id, record in pending.items():
            if record is None:
                if job_id in records:
                    removed.append(bisect.bisect_left(ids, job_id))
                    self._ticking.discard(job_id)
                    self._final.discard(job_id)
                continue
            if job_id in records:
                records[job_id] = record
                changed.add(job_id)
            elif self._hidden(job_id):
                continue
            else:
                added.append(record)
            self._classify(record)
        for first, last in reversed(ranges(removed)):
            self.beginRemoveRows(_EMPTY, first, last)
            for job_id in ids[first : last + 1]:
                del records[job_id]
            del ids[first : last + 1]
            self.endRemoveRows()
        if added:
            self._insert(sorted(added, key=lambda r: r.id))
        for job_id, (fraction, message) in progress.items():
            record = records.get(job_id)
            if record is not None and (record.progress, record.progress_message) != (
                fraction,
                message,
            ):
                records[job_id] = record._replace(progress=fraction, progress_message=message)
                changed.add(job_id)
        if changed:
            last_column = len(JobColumn) - 1
            rows = [bisect.bisect_left(ids, job_id) for job_id in changed if job_id in records]
            for first, last in ranges(rows):
                self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))
        self._update_ticker()
        self.flushed.emit()

    def _classify(self, record: JobRecord) -> None:
        job_id = record.id
        if record.state in _TICKING:
            self._ticking.add(job_id)
        else:
            self._ticking.discard(job_id)
        if record.state.is_final:
            self._final.add(job_id)
        else:
            self._final.discard(job_id)

    def _insert(self, added: Sequence[JobRecord]) -> None:
        """Insert records (sorted by id) in blocks: one per position in the current rows."""
        ids, records = self._ids, self._records
        groups: list[tuple[int, list[JobRecord]]] = []
        for record in added:
            at = bisect.bisect_left(ids, record.id)
            if groups and groups[-1][0] == at:
                groups[-1][1].append(record)
            else:
                groups.append((at, [record]))
        # From the bottom up, so each block's position is still right when it is inserted.
        for at, block in reversed(groups):
            self.beginInsertRows(_EMPTY, at, at + len(block) - 1)
            ids[at:at] = [r.id for r in block]
            for record in block:
                records[record.id] = record
            self.endInsertRows()

    # ------------------------------------------------------------------ ticking
    @property
    def ticker(self) -> QTimer:
        """The 1 s timer that refreshes countdowns and durations; active only while a job
        is running or waiting for a retry."""
        return self._ticker

    def _update_ticker(self) -> None:
        if self._ticking and not self._ticker.isActive():
            self._ticker.start()
        elif not self._ticking and self._ticker.isActive():
            self._ticker.stop()

    def tick(self) -> None:
        """Repaint what changes with time: retry countdowns, running durations."""
        if not self._ticking:
            self._update_ticker()
            return
        ids = self._ids
        rows = [bisect.bisect_left(ids, job_id) for job_id in self._ticking]
        for first, last in ranges(rows):
            self.dataChanged.emit(
                self.index(first, JobColumn.STATE), self.index(last, JobColumn.DURATION)
            )

    # ------------------------------------------------------------------ queries
    def records(self) -> tuple[JobRecord, ...]:
        """The records shown, in row order."""
        records = self._records
        return tuple(records[i] for i in self._ids)

    def finished_count(self) -> int:
        """Rows in a final state (succeeded, failed, cancelled)."""
        return len(self._final)

    def record_at(self, row: int) -> JobRecord:
        return self._records[self._ids[row]]

    def row_of(self, job_id: int) -> int:
        """The row showing `job_id`, or -1."""
        if job_id not in self._records:
            return -1
        return bisect.bisect_left(self._ids, job_id)

    def now(self) -> float:
        return self._now()

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: _Index = _EMPTY) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = _EMPTY) -> int:
        return 0 if parent.isValid() else len(JobColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role in (_DISPLAY, _ACCESSIBLE):
            return JOB_HEADERS[section] if 0 <= section < len(JOB_HEADERS) else None
        return None

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if role not in _JOB_ROLES:
            return None
        row = index.row()
        if not 0 <= row < len(self._ids):
            return None
        record = self._records[self._ids[row]]
        column = index.column()
        if role == _DISPLAY:
            return self._display(record, column)
        if role == _ACCESSIBLE:
            if column == JobColumn.PROGRESS and record.state is JobState.RUNNING:
                return f"{record.progress * 100:.0f} %"
            return self._display(record, column)
        if role == _TOOLTIP:
            return self._tooltip(record, column)
        if role == PROGRESS_ROLE:
            if column == JobColumn.PROGRESS and record.state is JobState.RUNNING:
                return record.progress
            return None
        if role == RECORD_ROLE:
            return record
        if role == _FOREGROUND:
            return self._failed_brush if record.state is JobState.DEAD else None
        if role == _ALIGN and column in (JobColumn.ATTEMPT, JobColumn.DURATION):
            return _RIGHT
        return None

    def _display(self, record: JobRecord, column: int) -> str:
        if column == JobColumn.NAME:
            return record.name
        if column == JobColumn.STATE:
            return state_text(record, self._now())
        if column == JobColumn.ATTEMPT:
            return attempt_text(record)
        if column == JobColumn.PROGRESS:
            if record.state is JobState.RUNNING:
                return f"{record.progress * 100:.0f} %"
            return ""
        if column == JobColumn.ENQUEUED:
            return time_text(record.enqueued_at, self._now())
        if column == JobColumn.DURATION:
            seconds = job_duration(record, self._now())
            return "" if seconds is None else duration_text(seconds)
        if column == JobColumn.ERROR:
            return error_text(record.last_error)
        return ""

    def _tooltip(self, record: JobRecord, column: int) -> str | None:
        if column == JobColumn.NAME:
            return record.target or record.name
        if column == JobColumn.STATE:
            if record.state is JobState.RUNNING and record.progress_message:
                return record.progress_message
            if record.state is JobState.CANCELLED and record.reason:
                return f"Cancelled: {record.reason}"
            return None
        if column == JobColumn.ENQUEUED:
            return full_time_text(record.enqueued_at)
        if column == JobColumn.ERROR and record.last_error is not None:
            return f"{record.last_error.type}: {record.last_error.message}"
        return None


# ============================================================================ dead letters
class DeadColumn(IntEnum):
    """Columns of the Dead letters tab."""

    NAME = 0
    ATTEMPTS = 1
    FIRST_FAILURE = 2
    LAST_FAILURE = 3
    ERROR_TYPE = 4
    MESSAGE = 5


DEAD_HEADERS = ("Job", "Attempts", "First failure", "Last failure", "Error", "Message")


class DeadLetterModel(QAbstractTableModel):
    """The dead-letter queue, oldest first, as the queue keeps it."""

    #: A flush changed the rows (the count may have changed).
    flushed = Signal()

    def __init__(
        self,
        jobs: JobQueue,
        parent: QObject | None = None,
        *,
        wall_time: WallTime = time.time,
        interval_ms: int = FLUSH_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._now = wall_time
        self._letters: list[DeadLetter] = list(jobs.dead_letters())
        self._coalescer = Coalescer(self.flush, self, interval_ms)
        jobs.dead_letters_changed.connect(self._coalescer.mark)

    @property
    def has_pending(self) -> bool:
        return self._coalescer.pending

    def flush(self) -> None:
        """Catch up with `queue.dead_letters()` with the fewest row signals.

        The DLQ only appends (a new dead letter, or a retried one that died again) and
        removes (retry, discard, eviction of the oldest). So: remove the rows whose letter
        is gone; if the survivors are a prefix of the new list, append the rest;
        otherwise (a letter left and came back within one interval) replace the rows from
        the first difference on. Rows whose letter was replaced in place are repainted.
        """
        self._coalescer.cancel()
        if not alive(self._jobs):
            return
        new = self._jobs.dead_letters()
        old = self._letters
        new_ids = {letter.job_id for letter in new}
        gone = [row for row, letter in enumerate(old) if letter.job_id not in new_ids]
        for first, last in reversed(ranges(gone)):
            self.beginRemoveRows(_EMPTY, first, last)
            del old[first : last + 1]
            self.endRemoveRows()
        # The first row whose job is not the same as in the new list.
        split = next(
            (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a.job_id != b.job_id),
            min(len(old), len(new)),
        )
        if split < len(old):
            self.beginRemoveRows(_EMPTY, split, len(old) - 1)
            del old[split:]
            self.endRemoveRows()
        changed = [row for row in range(split) if old[row] is not new[row]]
        for row in changed:
            old[row] = new[row]
        if len(new) > split:
            self.beginInsertRows(_EMPTY, split, len(new) - 1)
            old.extend(new[split:])
            self.endInsertRows()
        last_column = len(DeadColumn) - 1
        for first, last in ranges(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))
        self.flushed.emit()

    # ------------------------------------------------------------------ queries
    def letters(self) -> tuple[DeadLetter, ...]:
        """The dead letters shown, in row order."""
        return tuple(self._letters)

    def letter_at(self, row: int) -> DeadLetter:
        return self._letters[row]

    def row_of(self, job_id: int) -> int:
        """The row showing the dead letter of `job_id`, or -1."""
        for row, letter in enumerate(self._letters):
            if letter.job_id == job_id:
                return row
        return -1

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: _Index = _EMPTY) -> int:
        return 0 if parent.isValid() else len(self._letters)

    def columnCount(self, parent: _Index = _EMPTY) -> int:
        return 0 if parent.isValid() else len(DeadColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role in (_DISPLAY, _ACCESSIBLE):
            return DEAD_HEADERS[section] if 0 <= section < len(DEAD_HEADERS) else None
        return None

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if role not in _DEAD_ROLES:
            return None
        row = index.row()
        if not 0 <= row < len(self._letters):
            return None
        letter = self._letters[row]
        column = index.column()
        if role in (_DISPLAY, _ACCESSIBLE):
            return self._display(letter, column)
        if role == _TOOLTIP:
            if column == DeadColumn.NAME:
                return letter.target or letter.name
            if column == DeadColumn.FIRST_FAILURE:
                return full_time_text(letter.first_failure_at)
            if column == DeadColumn.LAST_FAILURE:
                return full_time_text(letter.last_failure_at)
            if column in (DeadColumn.ERROR_TYPE, DeadColumn.MESSAGE):
                return f"{letter.error.type}: {letter.error.message}"
            return None
        if role == RECORD_ROLE:
            return letter
        if role == _ALIGN and column == DeadColumn.ATTEMPTS:
            return _RIGHT
        return None

    def _display(self, letter: DeadLetter, column: int) -> str:
        if column == DeadColumn.NAME:
            return letter.name
        if column == DeadColumn.ATTEMPTS:
            return str(letter.attempts)
        if column == DeadColumn.FIRST_FAILURE:
            return time_text(letter.first_failure_at, self._now())
        if column == DeadColumn.LAST_FAILURE:
            return time_text(letter.last_failure_at, self._now())
        if column == DeadColumn.ERROR_TYPE:
            kind = short_type(letter.error)
            return f"{kind} (timed out)" if letter.error.timed_out else kind
        if column == DeadColumn.MESSAGE:  # the plain words; the tooltip has the exception
            return first_line(letter.error.summary or letter.error.message)
        return ""
