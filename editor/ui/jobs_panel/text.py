"""Words for job states, times and errors: what every jobs widget shows, in one place.

Pure functions of `JobRecord`s, `DeadLetter`s and a "now" (wall-clock seconds), so the
panel, the status-bar summary, the notice and the quit prompt say the same thing the same
way, and tests can compute the expected text instead of copying it.
"""

from __future__ import annotations

import errno
import math
import time
from collections.abc import Iterable

from editor.jobs import DeadLetter, JobError, JobRecord, JobState

#: States in which a job still has work ahead of it (what the quit prompt waits for).
PENDING_STATES = frozenset({JobState.QUEUED, JobState.RUNNING, JobState.RETRY_SCHEDULED})

#: At most this many jobs are named in a tooltip or a prompt; the rest are counted.
MAX_NAMED = 10

SEPARATOR = " · "


def state_text(record: JobRecord, now: float) -> str:
    """The State column: "Queued", "Running", "Retrying in 4 s", "Failed", ...; a job an
    earlier Strata left unfinished says so: "Interrupted · running again"."""
    text = _state_text(record, now)
    if not record.interrupted:
        return text
    if record.state is JobState.QUEUED:
        return f"Interrupted{SEPARATOR}queued again"
    if record.state is JobState.RUNNING and not record.cancel_requested:
        return f"Interrupted{SEPARATOR}running again"
    return f"{text}{SEPARATOR}was interrupted"


def _state_text(record: JobRecord, now: float) -> str:
    state = record.state
    if state is JobState.RUNNING:
        return "Cancelling…" if record.cancel_requested else "Running"
    if state is JobState.RETRY_SCHEDULED:
        due = record.next_attempt_at
        if due is None:
            return "Retrying"
        left = due - now
        # Rounded up: "in 1 s" until it happens, never "in 0 s" while still waiting.
        return f"Retrying in {countdown_text(left)}" if left > 0 else "Retrying…"
    if state is JobState.CANCELLED:
        reason = record.reason
        return "Cancelled" if reason in ("", "cancelled") else f"Cancelled ({reason})"
    if state is JobState.DEAD:
        return "Failed"
    return str(state.value).capitalize()  # Queued, Succeeded


def countdown_text(seconds: float) -> str:
    """Whole seconds, rounded up: 3.2 -> "4 s"; "2 min 05 s" from a minute on."""
    whole = max(1, math.ceil(seconds - 1e-9))
    if whole < 60:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60:02d} s"


def attempt_text(record: JobRecord) -> str:
    """Attempts started in the current budget, of the budget: "2/5"."""
    return f"{record.attempts}/{record.max_attempts}"


def duration_text(seconds: float) -> str:
    """A short human duration: "0.4 s", "12 s", "2 min 05 s", "1 h 02 min"."""
    seconds = max(0.0, seconds)
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def job_duration(record: JobRecord, now: float) -> float | None:
    """Seconds since the first attempt started: until it finished, or until `now`."""
    if record.started_at is None:
        return None
    end = record.finished_at if record.finished_at is not None else now
    return end - record.started_at


def time_text(ts: float, now: float) -> str:
    """Local clock time; with the date when it is not today."""
    local = time.localtime(ts)
    if time.localtime(now)[:3] == local[:3]:
        return time.strftime("%H:%M:%S", local)
    return time.strftime("%Y-%m-%d %H:%M:%S", local)


def full_time_text(ts: float) -> str:
    """Date and local time, for tooltips."""
    return time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(ts))


def short_type(error: JobError) -> str:
    """`editor.jobs.job.InvalidInput` -> `InvalidInput` (builtins have no module part)."""
    return error.type.rpartition(".")[2]


def first_line(text: str) -> str:
    return text.strip().partition("\n")[0]


def error_text(error: JobError | None) -> str:
    """One line for a person: the job's plain words when it has them ("The disk holding
    /a/b is full. ..."), else "PermissionError: [Errno 13] Permission denied"; "" for none.
    The technical side is `technical_text` (the details pane and the log)."""
    if error is None:
        return ""
    if error.summary:
        return first_line(error.summary)
    message = first_line(error.message)
    kind = short_type(error)
    if error.timed_out and "JobTimedOut" not in kind:
        kind = f"{kind} (timed out)"
    return f"{kind}: {message}" if message else kind


def technical_text(error: JobError) -> str:
    """The exception for the details pane: "OSError, errno 28 (ENOSPC): No space left on
    device" (the type, errno and message; the traceback is shown below it)."""
    kind = error.type
    if error.errno is not None:
        kind += f", errno {error.errno} ({errno.errorcode.get(error.errno, '?')})"
    message = first_line(error.message)
    return f"{kind}: {message}" if message else kind


def traceback_text(error: JobError) -> str:
    """The full traceback, or "Type: message" when there is none (a watchdog timeout)."""
    return error.traceback.rstrip("\n") or f"{error.type}: {error.message}"


def dead_letter_text(letter: DeadLetter) -> str:
    """One sentence naming a dead letter and its error, for notices and banners."""
    return f"“{letter.name}” failed: {error_text(letter.error)}"


def plural(count: int, word: str, words: str | None = None) -> str:
    """`plural(1, "job")` -> "1 job", `plural(3, "job")` -> "3 jobs"."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def summary_text(running: int, queued: int, retrying: int, failed: int) -> str:
    """The status bar: "1 running · 2 queued · 1 retrying · 1 failed"; "No jobs" when idle.

    "failed" counts the dead letters (jobs that can still be retried from the panel).
    """
    parts = [
        f"{count} {label}"
        for count, label in (
            (running, "running"),
            (queued, "queued"),
            (retrying, "retrying"),
            (failed, "failed"),
        )
        if count
    ]
    return SEPARATOR.join(parts) if parts else "No jobs"


def pending_line(record: JobRecord, now: float) -> str:
    """One job of the quit prompt: "Save a.strata — running, 40 %"."""
    state = record.state
    if state is JobState.RUNNING:
        detail = "cancelling" if record.cancel_requested else "running"
        if record.progress > 0:
            detail += f", {record.progress * 100:.0f} %"
    elif state is JobState.RETRY_SCHEDULED:
        detail = f"{state_text(record, now).lower()} (attempt {attempt_text(record)} failed)"
    else:
        detail = "queued"
    return f"{record.name} — {detail}"


def pending_records(records: Iterable[JobRecord]) -> list[JobRecord]:
    """The records of jobs still queued, running or waiting for a retry, oldest first."""
    return [r for r in records if r.state in PENDING_STATES]


def pending_jobs_text(records: Iterable[JobRecord], now: float | None = None) -> str:
    """Names the jobs that quitting now would stop, one per line; "" when there are none.

        2 jobs are not finished:
        • Save drawing.strata — running, 40 %
        • Export PNG drawing.png — queued

    At most `MAX_NAMED` are named; the rest are counted ("• and 3 more").
    """
    pending = pending_records(records)
    if not pending:
        return ""
    when = time.time() if now is None else now
    head = (
        "1 job is not finished:" if len(pending) == 1 else f"{len(pending)} jobs are not finished:"
    )
    lines = [head, *(f"• {pending_line(r, when)}" for r in pending[:MAX_NAMED])]
    if len(pending) > MAX_NAMED:
        lines.append(f"• and {len(pending) - MAX_NAMED} more")
    return "\n".join(lines)
