"""Why a save or an export failed: whether to try again, and what to tell the person.

The one classification of write failures. `SaveJob` and `ExportJob` ask it whether an
attempt may be retried and for the words the Jobs panel, the status bar, the dead-letter
notice and `strata export` show (`JobError.summary`); the exception's type, errno,
message and traceback stay in the `JobError` for the details pane and the log.

    not retryable   EROFS, EDQUOT, ENOTDIR, EISDIR, ENOENT (the folder is gone), EACCES,
                    EPERM, ENAMETOOLONG, ELOOP, EINVAL; invalid input; any exception that
                    is not an OSError or MemoryError (the same snapshot fails the same
                    way: a bug, not bad luck)
    retryable       ENOSPC, EIO, EAGAIN, EINTR, EBUSY, ETIMEDOUT, EMFILE, ENFILE,
                    ENOMEM, any other errno; MemoryError; a timeout

Retrying is for what may heal within seconds or minutes: a full disk someone is
clearing, a flaky drive, a busy file. A read-only disk, a used-up quota, a missing folder
or a file where a folder should be do not heal by waiting: the person has to choose
another place, and the message says so. The queue's generic policy
(`editor.jobs.retry.NON_RETRYABLE`) agrees: it never retries what this table calls final
(tests/io/test_failures.py checks it). No Qt; paths are looked at only to word a message,
on the worker thread.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from editor.io.atomic import NotDurableError
from editor.jobs import InvalidInput, JobInterrupted, JobTimedOut

#: Which request failed, which decides the way out a message offers: Save As, the Export
#: dialog, or the command line's -o.
Action = Literal["save", "export", "cli"]

#: Errors that need the person to choose another place (or fix permissions).
FINAL_ERRNOS: Final = frozenset(
    {
        errno.EROFS, errno.EDQUOT, errno.ENOTDIR, errno.EISDIR, errno.ENOENT, errno.EACCES,
        errno.EPERM, errno.ENAMETOOLONG, errno.ELOOP, errno.EINVAL,
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Failure:
    """What a failed attempt means."""

    retryable: bool
    summary: str
    """One or two sentences: what happened, where, and the way out."""


def is_retryable(error: BaseException) -> bool:
    """Whether an attempt that raised `error` may be tried again."""
    if isinstance(error, JobTimedOut | MemoryError):
        return True
    if isinstance(error, InvalidInput | JobInterrupted) or not isinstance(error, Exception):
        return False
    if isinstance(error, OSError):
        return error.errno is not None and error.errno not in FINAL_ERRNOS
    return False


def classify(error: BaseException, target: Path | None, action: Action) -> Failure:
    """Retryable or not, and the plain words, for an attempt to write `target`."""
    return Failure(is_retryable(error), describe(error, target, action))


def describe(error: BaseException, target: Path | None, action: Action) -> str:
    """What happened, naming the place and the way out (see the module notes)."""
    name = target.name if target is not None else "the file"
    folder = _folder_of(error, target)
    other = _WAY_OUT[action]
    place = {"save": "Save As", "export": "Export", "cli": "-o"}[action]
    verb = "save" if action == "save" else "export"
    if isinstance(error, JobTimedOut):
        return f"Writing {name} took too long and was stopped. Strata will try again."
    if isinstance(error, InvalidInput):
        return str(error)
    if isinstance(error, MemoryError):
        return f"There was not enough memory to {verb} {name}. Close other programs and try again."
    if isinstance(error, NotDurableError):
        return (
            f"{error.target} was replaced, but the disk did not confirm that the change is "
            f"safely stored ({_reason(error)}). The file may already hold the new content; "
            "the document stays marked unsaved. Save again to be sure."
        )
    if not isinstance(error, OSError):
        return (
            f"Strata could not {verb} {name} because of an internal error; trying again "
            "would fail the same way. The details and the log say what happened."
        )
    code = error.errno
    if code is None:
        return (
            f"Strata could not {verb} {name}: {str(error) or 'the output could not be made'}. "
            "Trying again would fail the same way."
        )
    words = _WORDS.get(code, _OTHER)
    blocker = error.filename if code == errno.ENOTDIR and error.filename else folder
    return words.format(
        name=name, folder=folder, other=other, place=place, reason=_reason(error),
        blocker=blocker, target=target or error.filename, later=other[0].lower() + other[1:],
    )  # fmt: skip


#: What each errno means for the person; `{other}` is the way out for who asked,
#: `{later}` the same in the middle of a sentence.
_WORDS: Final[dict[int, str]] = {
    errno.ENOENT: "The folder {folder} no longer exists. {other}",
    errno.ENOTDIR: "{blocker} is a file, not a folder. {other}",
    errno.EISDIR: "{target} is a folder, not a file. Choose another name.",
    errno.EROFS: "The disk holding {folder} is read-only. {other}",
    errno.EDQUOT: (
        "Your disk quota for {folder} is used up. Free some space, or choose another "
        "place ({place})."
    ),
    errno.EACCES: "You do not have permission to write in {folder}. {other}",
    errno.EPERM: "You do not have permission to write in {folder}. {other}",
    errno.ENAMETOOLONG: (
        "The name {name} is too long for the disk holding {folder}. Choose a shorter name."
    ),
    errno.ENOSPC: (
        "The disk holding {folder} is full. Strata will try again: free some space, or {later}"
    ),
    errno.EIO: (
        "The disk holding {folder} reported an error while writing {name} ({reason}). "
        "Strata will try again; if it keeps failing, {later}"
    ),
    errno.EAGAIN: "The disk holding {folder} was busy while writing {name}. Strata will try again.",
    errno.EINTR: "The disk holding {folder} was busy while writing {name}. Strata will try again.",
    errno.EBUSY: "The disk holding {folder} was busy while writing {name}. Strata will try again.",
}
_OTHER: Final = "Could not write {name} in {folder} ({reason}). Strata will try again."


_WAY_OUT: Final[dict[str, str]] = {
    "save": "Choose another place with Save As.",
    "export": "Choose another place in Export.",
    "cli": "Choose another output file (-o).",
}


def _folder_of(error: BaseException, target: Path | None) -> str:
    if target is not None:
        return str(Path(os.path.abspath(target)).parent)
    filename = getattr(error, "filename", None)
    return str(filename) if filename else "its folder"


def _reason(error: OSError) -> str:
    """The system's words for the error, lower-case ("input/output error")."""
    text = error.strerror or os.strerror(error.errno or 0)
    return text[:1].lower() + text[1:]
