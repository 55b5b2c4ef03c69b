"""Save and export as background jobs on the JobQueue.

A job gets an immutable snapshot made on the GUI thread when the person asked, plus a
plain path; it never sees the live document or a widget. Saving reports the history
revision it wrote, so the window marks the document clean only if nothing changed since.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from editor.io.atomic import OS_FILE_OPS, FileOps, write_atomic
from editor.io.export import InvalidExport, export, format_for, png_size
from editor.io.failures import Action, describe, is_retryable
from editor.io.format import iter_encode
from editor.io.targets import EARLIER, GUARD, TargetGuard
from editor.jobs import InvalidInput, Job, JobContext
from editor.model import Snapshot


class RevisionLike(Protocol):
    """What a save job carries back: the history revision (editor.history.Revision)."""

    @property
    def serial(self) -> int: ...


@dataclass(frozen=True, slots=True)
class SaveOrigin:
    """The journaled document a save was asked for from, and the history index it saves
    (None: not in the history). Plain data: it travels in the stored job (the save
    outbox, editor.journal.saves) and comes back with the result."""

    document: str
    index: int | None


@dataclass(frozen=True, slots=True)
class SaveResult:
    """A finished save: where it went and which history revision it holds."""

    path: Path
    revision: object
    superseded: bool = False
    """True when nothing was written: a save of the same real file asked for later had
    already been written (through another path to it, a symlink say). The revision is
    then *not* what the file holds."""
    sha256: str | None = None
    """The sha256 (hex) of the bytes written (the journal records it with the save)."""
    origin: SaveOrigin | None = None
    """The save's document and history index, when it was asked for from one."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    """A finished export: the file written (a symlink's target) and its format."""

    path: Path
    format: str
    superseded: bool = False
    """True when nothing was written (a later write of the same real file came first)."""


#: Encoding holds the GIL. The GUI thread waits for it at most the longer of the switch
#: interval and the longest single C call of the worker (see SAVE_CHUNK), so a 1 ms
#: interval instead of the default 5 ms shortens the worst wait. Set once by the app.
#: Measured in docs/performance.md ("Save and export jobs", bench/bench_save.py).
GUI_SWITCH_INTERVAL = 0.001

#: Shapes per encoded piece in a SaveJob. Each piece is a few C calls that hold the GIL
#: (msgspec's encode, bytes.replace, a concatenation); with 1,000 shapes the longest takes
#: ~0.7 ms, with format.ENCODE_CHUNK's 5,000 it took ~4 ms, longer than the 1 ms switch
#: interval. Smaller pieces also encode a little faster (less memory churn).
SAVE_CHUNK = 1000
#: Bytes per piece when a save writes bytes it already has (SaveJob's `encoded`).
BYTES_CHUNK = 1 << 20

#: Part of every key made in this process (a save's path + revision serial, an export's
#: snapshot id): serials and ids start again in every run, and a stored job of an earlier
#: run must never share a key with a different request of this one.
RUN = uuid.uuid4().hex[:16]


def use_responsive_switch_interval() -> None:
    """Make worker threads hand the GIL back to the GUI thread often (see above)."""
    if sys.getswitchinterval() > GUI_SWITCH_INTERVAL:
        sys.setswitchinterval(GUI_SWITCH_INTERVAL)


#: Share of a save's progress bar given to encoding and writing; fsync and rename get the rest.
_WRITE_SHARE = 0.95


def _waiting(context: JobContext, real: str) -> Callable[[], None]:
    name = os.path.basename(real)
    return lambda: context.progress(0.0, f"Waiting for another write of {name}")


class SaveJob(Job[SaveResult]):
    """Write a snapshot as a .strata file, atomically, in chunks.

    Idempotency key: path + revision serial, so the same revision is written once however
    often it is submitted while pending; a newer revision submitted while an older save
    of the same path is still queued replaces it (the queue's coalescing by kind + path).
    Retries rerun the whole atomic write: the old file stays intact until the rename.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        path: str | os.PathLike[str],
        revision: RevisionLike | None = None,
        *,
        ops: FileOps = OS_FILE_OPS,
        chunk: int = SAVE_CHUNK,
        guard: TargetGuard = GUARD,
        key: str | None = None,
        origin: SaveOrigin | None = None,
        encoded: bytes | None = None,
    ) -> None:
        """`key`: the idempotency key; by default path + revision serial (in-process
        saves), given by `editor.io.job_kinds` for a job built from data (kind + target +
        content hash, the same in every process). `origin`: the journaled document and
        history index saved (see SaveOrigin). `encoded`: `snapshot` as the file's bytes,
        when they are known (a save built from data writes the stored bytes themselves,
        so a save run again after a crash writes exactly what it was asked to)."""
        if chunk < 1:
            raise ValueError(f"chunk must be at least 1, got {chunk}")
        self.path = Path(path)
        serial = revision.serial if revision is not None else id(snapshot)
        super().__init__(
            f"Save {self.path.name}",
            "save",
            key=key or f"save\0{os.path.abspath(self.path)}\0{serial}\0{RUN}",
            target=self.path,
        )
        self.snapshot = snapshot
        self.revision = revision
        self.ops = ops
        self.chunk = chunk
        self.guard = guard
        self.origin = origin
        self.encoded = encoded
        #: Request order among all writes of this process (see editor.io.targets).
        self.ticket = guard.ticket()

    def restored(self, order: int) -> None:
        self.ticket = EARLIER + order  # an earlier run's request: older than this run's

    def run(self, context: JobContext) -> SaveResult:
        encoded = self.encoded
        if encoded is None:  # a header, one piece per `chunk` shapes, and a footer
            total = math.ceil(len(self.snapshot.shapes) / self.chunk) + 2
            pieces: Iterator[bytes] = iter_encode(self.snapshot, self.chunk)
        else:
            total = max(1, math.ceil(len(encoded) / BYTES_CHUNK))
            view = memoryview(encoded)
            pieces = (bytes(view[i : i + BYTES_CHUNK]) for i in range(0, len(encoded), BYTES_CHUNK))
        done = 0

        digest = hashlib.sha256()

        def chunks() -> Iterator[bytes]:
            nonlocal done
            for piece in pieces:
                context.check()
                digest.update(piece)
                yield piece
                done += 1
                context.progress(_WRITE_SHARE * done / total, f"Saving {self.path.name}")

        real = os.path.realpath(self.path)  # here, on the worker: it may touch a slow disk
        with self.guard.turn(real, self.ticket, context.check, _waiting(context, real)) as go:
            if not go:
                context.progress(1.0, f"A newer save of {self.path.name} was already written")
                return SaveResult(Path(real), self.revision, superseded=True,
                                  origin=self.origin)  # fmt: skip
            written = write_atomic(self.path, chunks(), ops=self.ops, check=context.check)
        context.progress(1.0, f"Saved {self.path.name}")
        return SaveResult(written, self.revision, sha256=digest.hexdigest(), origin=self.origin)

    def retryable(self, error: BaseException) -> bool:
        return is_retryable(error)  # the one table, shared with exports (io/failures.py)

    def describe(self, error: BaseException) -> str:
        return describe(error, self.path, "save")


class ExportJob(Job[ExportResult]):
    """Render a snapshot to PNG, SVG or PDF through the shared renderer.

    A request that can never succeed (unknown format, a bad or absurd scale) raises
    InvalidInput here, at construction, so the caller can say so at once instead of
    finding a dead letter later.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        path: str | os.PathLike[str],
        fmt: str | None = None,
        scale: float = 1.0,
        *,
        ops: FileOps = OS_FILE_OPS,
        action: Action = "export",
        guard: TargetGuard = GUARD,
        key: str | None = None,
    ) -> None:
        self.path = Path(path)
        #: Who asked (the Export dialog or the command line): the way out a message offers.
        self.action: Action = action
        try:
            self.format = format_for(self.path, fmt)
            if self.format == "png":
                png_size(snapshot.page, scale)  # raises for a bad or absurd scale
            elif scale != 1.0:
                raise InvalidExport(f"scale applies to PNG only, not to {self.format.upper()}")
        except InvalidExport as exc:
            raise InvalidInput(str(exc)) from None
        where = os.path.abspath(self.path)
        super().__init__(
            f"Export {self.format.upper()} {self.path.name}",
            "export",
            key=key or f"export\0{where}\0{self.format}\0{id(snapshot)}\0{scale}\0{RUN}",
            target=self.path,
        )
        self.snapshot = snapshot
        self.scale = scale
        self.ops = ops
        self.guard = guard
        self.ticket = guard.ticket()

    def restored(self, order: int) -> None:
        self.ticket = EARLIER + order  # an earlier run's request: older than this run's

    def run(self, context: JobContext) -> ExportResult:
        real = os.path.realpath(self.path)
        with self.guard.turn(real, self.ticket, context.check, _waiting(context, real)) as go:
            if not go:
                context.progress(1.0, f"A newer export to {self.path.name} was already written")
                return ExportResult(Path(real), self.format, superseded=True)
            return self._export(context)

    def _export(self, context: JobContext) -> ExportResult:
        try:
            written = export(
                self.snapshot,
                self.path,
                self.format,
                self.scale,
                check=context.check,
                progress=context.progress,
                ops=self.ops,
            )
        except InvalidExport as exc:
            raise InvalidInput(str(exc)) from exc
        return ExportResult(written, self.format)

    def retryable(self, error: BaseException) -> bool:
        # The same table as saves: EROFS used to be retried five times here.
        return is_retryable(error)

    def describe(self, error: BaseException) -> str:
        return describe(error, self.path, self.action)
