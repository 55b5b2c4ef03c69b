"""The dead-letter calls of `JobQueue` (a mixin: the queue's class stays small).

Listing, discarding and retrying all dead letters; a discarded letter's stored row goes
too. `retry_dead` itself is the queue's (it shares the way in with `submit`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from editor.jobs.dlq import DeadLetter
from editor.jobs.job import JobId, QueueFull

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from editor.jobs.machine import JobMachine


class DeadLetterOps:
    """Mixed into `JobQueue`."""

    if TYPE_CHECKING:
        _m: JobMachine
        dead_letters_changed: SignalInstance

        def _check_thread(self) -> None: ...

        def retry_dead(self, job_id: JobId) -> JobId: ...

    def dead_letters(self) -> tuple[DeadLetter, ...]:
        """The dead-letter queue, oldest first."""
        return self._m.dlq.entries()

    def discard_dead(self, job_id: JobId) -> DeadLetter:
        """Drop one dead letter (KeyError if unknown) and return it."""
        self._check_thread()
        letter = self._m.dlq.pop(job_id)
        self._forget([job_id])
        self.dead_letters_changed.emit()
        return letter

    def discard_all_dead(self) -> tuple[DeadLetter, ...]:
        """Drop every dead letter and return them, oldest first."""
        self._check_thread()
        letters = self._m.dlq.clear()
        if letters:
            self._forget([x.job_id for x in letters])
            self.dead_letters_changed.emit()
        return letters

    def _forget(self, job_ids: list[JobId]) -> None:
        if self._m.link is not None:
            self._m.link.forget(job_ids)

    def retry_all_dead(self) -> list[JobId]:
        """Retry dead letters, oldest first, while the queue has room; returns their ids."""
        ids: list[JobId] = []
        for letter in self._m.dlq.entries():
            try:
                ids.append(self.retry_dead(letter.job_id))
            except QueueFull:
                break
        return ids
