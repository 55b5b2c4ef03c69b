"""One attempt of one job on a pool thread, wrapped so that nothing escapes unreported.

PySide6 prints and swallows an exception that escapes `QRunnable.run`, and the queue would
wait forever for an attempt that silently died. The attempt it runs is already wrapped
(editor.jobs.attempt: every exception becomes a `JobError`); `Worker.run` adds the last
resort around that and always emits exactly one `finished` signal, as its last statement.

Signals go through one `Relay` QObject per queue rather than one QObject per worker (as
superqt does): the pool deletes a runnable on its own thread when `run` returns, and a
per-worker QObject living on the GUI thread would then be destroyed from the wrong thread.
The relay lives as long as its queue, which stays alive while any of its workers runs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

from editor.jobs.attempt import Attempt, Ran
from editor.jobs.job import Job, JobContext, JobError, JobId
from editor.jobs.store import RowWritten


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """What an attempt sends back to the GUI thread."""

    token: int
    """Identifies the attempt; an outcome whose attempt was abandoned is ignored."""
    ran: Ran


class Relay(QObject):
    """Carries worker events to the queue's thread (queued connections)."""

    #: An attempt ended: AttemptOutcome. Always the last thing a worker does.
    finished = Signal(object)
    #: An attempt has a new progress report waiting in its context: the attempt token.
    progress = Signal(int)


#: Why a retried dead letter did not run: another process's retry took its row first.
TAKEN_ELSEWHERE = "retried or discarded in another Strata first"

#: Longest a first attempt waits for its job's row to be stored (seconds).
WRITTEN_WAIT = 5.0


class Worker(QRunnable):
    """Runs one attempt. The queue keeps a reference until `finished` arrives."""

    def __init__(
        self,
        token: int,
        job_id: JobId,
        job: Job[Any],
        attempt: Attempt,
        context: JobContext,
        relay: Relay,
        lane: str | None,
        written: RowWritten | None = None,
    ) -> None:
        super().__init__()
        # The pool deletes the C++ runnable after run() returns; PySide then drops its own
        # reference, and ours (in JobQueue._workers) keeps the Python side valid until the
        # queue has handled `finished`. With autoDelete off, PySide would never free it.
        self.setAutoDelete(True)
        self.token = token
        self.job_id = job_id
        self.job = job
        self.attempt = attempt
        self.context = context
        self.lane = lane
        self._relay = relay
        #: Set when the job store has this job's row: the attempt waits for it first.
        self.written = written

    def run(self) -> None:
        if self.written is not None:
            # Bounded: a store whose writer stopped sets it at once; a slow disk does
            # not hold the job for longer than this (it then runs as an unstored one).
            self.written.wait(WRITTEN_WAIT)
        try:
            if getattr(self.written, "lost", False):  # another Strata retried it first
                ran = Ran(cancelled=True, reason=TAKEN_ELSEWHERE)
            else:
                ran = self.attempt(self.job, self.context)
        except BaseException as exc:  # only if describing the job's own failure failed
            ran = Ran(error=_last_resort(exc))
        try:
            self._relay.finished.emit(AttemptOutcome(self.token, ran))
        except BaseException as exc:  # the queue is gone: nobody left to tell but stderr
            print(f"strata: job {self.job_id} finished unreported: {exc!r}", file=sys.stderr)


def _last_resort(exc: BaseException) -> JobError:
    try:
        return JobError.from_exception(exc, retryable=False)
    except BaseException:
        return JobError(
            "BaseException", "the attempt failed and could not say why", "", False, False
        )
