"""Publish: save a document and export it beside it, as one batch that is undone whole.

The batch (`PublishSpec`, run by `editor.jobs.saga.Sagas`) has one step per file: the
save, then one export per chosen format. Each step is a `PublishStep`: before its job
replaces its target, it keeps what was there in a file beside it, written atomically
(`write_atomic`, the same write path as saves):

    .drawing.pdf.publish-<run>.bak   the previous bytes (the target existed)
    .drawing.pdf.publish-<run>.new   empty: the target did not exist
    .drawing.pdf.publish-<run>.done  after the step: the sha256 of what it wrote

Both are written once per run, before the first attempt writes; a retry (or a re-run
after a crash) finds them and keeps them, so the backup always holds what was there
*before* the batch. Then:

* `Compensate` (a job kind, with retries like any job) undoes the run: for each target,
  a backup is written back atomically (byte for byte) and removed; a `.new` marker means
  the file was created, so it is removed; a file whose bytes no longer match its
  `.done` hash was written again after the step (a save the person made meanwhile) and
  is left alone. It reads the disk, not the steps' results, so it undoes exactly what a
  step really did, and running it twice is harmless.
* `DropBackups` removes the backups after every step succeeded.

If the compensation dead-letters, the backups stay where they are: nothing is lost, and
the batch says so and names them.

A batch left unfinished by a Strata that stopped is *undone*, not continued, at the next
start: its document may have been changed or reopened since, and writing an older
snapshot over the file the person is looking at would be the surprise. Undoing puts the
disk back as it was before Publish; Retry on the batch runs it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal, TypeVar

from editor.io.atomic import OS_FILE_OPS, FileOps, remove_stale_temps, write_atomic
from editor.io.failures import describe, is_retryable
from editor.io.tasks import ExportJob, RevisionLike, SaveJob
from editor.jobs import Job, JobCancelled, JobContext
from editor.jobs.retry import RetryPolicy
from editor.jobs.saga import BatchRun, Step
from editor.model import Snapshot

Output = Literal["png", "pdf", "svg"]
#: The formats Publish offers, in the dialog's order.
OUTPUTS: tuple[Output, ...] = ("png", "pdf", "svg")
#: What Publish writes when nothing was chosen for a document yet.
DEFAULT_OUTPUTS: tuple[Output, ...] = ("png", "pdf")


def new_run() -> str:
    """A token naming one run's backups (unique across runs and processes)."""
    return uuid.uuid4().hex[:12]


def backup_path(target: Path, run: str) -> Path:
    return target.with_name(f".{target.name}.publish-{run}.bak")


def created_path(target: Path, run: str) -> Path:
    return target.with_name(f".{target.name}.publish-{run}.new")


def keep_previous(target: Path, run: str, ops: FileOps = OS_FILE_OPS) -> None:
    """Before a step writes `target`: keep what is there (once per run)."""
    backup, created = backup_path(target, run), created_path(target, run)
    if backup.exists() or created.exists():
        return  # an earlier attempt of this run kept it: that is the state before
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        write_atomic(created, [b""], ops=ops)
        return
    write_atomic(backup, [data], ops=ops)


def written_path(target: Path, run: str) -> Path:
    return target.with_name(f".{target.name}.publish-{run}.done")


def note_written(target: Path, run: str, ops: FileOps = OS_FILE_OPS) -> None:
    """After a step wrote `target`: the sha256 of what it holds now, so an undo can tell
    whether someone wrote the file after the step (then there is nothing to undo)."""
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    write_atomic(written_path(target, run), [digest.encode("ascii")], ops=ops)


def put_back(target: Path, run: str, ops: FileOps = OS_FILE_OPS) -> None:
    """Undo one step of a run: the kept bytes written back, or a created file removed
    (and the temp file a killed attempt may have left: nothing will write it again).

    A file written again after the step (a Ctrl+S while the batch ran, say: its hash is
    no longer the one the step noted) is left as it is: the newer content wins."""
    backup, created = backup_path(target, run), created_path(target, run)
    remove_stale_temps(target, ops)
    current = _bytes_of(target)
    noted = _bytes_of(written_path(target, run))
    overtaken = noted is not None and (
        current is None or hashlib.sha256(current).hexdigest().encode("ascii") != noted
    )
    if backup.exists():
        kept = backup.read_bytes()
        if not overtaken and current != kept:  # equal: the step failed before writing
            write_atomic(target, [kept], ops=ops)
    elif created.exists() and not overtaken:
        with contextlib.suppress(FileNotFoundError):
            ops.unlink(str(target))
    drop_kept(target, run, ops)


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def drop_kept(target: Path, run: str, ops: FileOps = OS_FILE_OPS) -> None:
    """Remove a step's backup and markers (after the undo, or once the batch succeeded)."""
    for path in (backup_path(target, run), created_path(target, run), written_path(target, run)):
        with contextlib.suppress(FileNotFoundError):
            ops.unlink(str(path))


def left_backups(targets: Sequence[Path], run: str) -> list[Path]:
    """The backups of a run still on disk (what a stuck batch names)."""
    return [p for t in targets for p in (backup_path(t, run),) if p.exists()]


@dataclass(frozen=True, slots=True)
class BatchInfo:
    """What every step of a run knows of its batch, so that any one step read back from
    the job store can rebuild the batch (to undo it, or to run it again)."""

    name: str
    targets: tuple[Path, ...]
    inners: tuple[Job[object], ...]
    """Every step's save or export job, in step order."""


class PublishPart:
    """What a job of a Publish run says of its run (mixed into its three job classes),
    so a job read back from the store finds its batch without asking its class."""

    run_token: str
    #: True for a step (a save or export); False for the undo and the tidy-up.
    is_step: ClassVar[bool] = False

    def batch_info(self) -> BatchInfo:
        raise NotImplementedError


class PublishStep(PublishPart, Job[object]):
    """One step of a Publish run: keep the target's previous bytes, then run the save or
    export job it wraps (`inner`, whose result it returns)."""

    def __init__(
        self, inner: Job[object], run: str, batch: BatchInfo, *, ops: FileOps = OS_FILE_OPS
    ) -> None:
        target = getattr(inner, "path", None)
        if not isinstance(target, Path):
            raise TypeError("a publish step wraps a save or export job (with a path)")
        super().__init__(inner.name, "publish_step", key=f"publish\0{run}\0{inner.key}",
                         target=target)  # fmt: skip
        self.inner = inner
        self.run_token = run
        self.info = batch
        self.path = target
        self.ops = ops
        #: Built from a stored row: an earlier run's step, undone instead (see module).
        self.interrupted = False

    is_step: ClassVar[bool] = True

    def batch_info(self) -> BatchInfo:
        return self.info

    @property
    def coalesce_key(self) -> str | None:
        return None  # a step is never replaced by another job: the batch decides

    def restored(self, order: int) -> None:
        self.interrupted = True
        self.inner.restored(order)

    def run(self, context: JobContext) -> object:
        if self.interrupted:  # an earlier run's step: its batch is undone, not re-run
            raise JobCancelled(f"{self.name}: Strata stopped during this publish")
        context.check()
        keep_previous(self.path, self.run_token, self.ops)
        result = self.inner.run(context)
        if getattr(result, "superseded", False):  # a newer write came first: not ours
            drop_kept(self.path, self.run_token, self.ops)
        else:
            note_written(self.path, self.run_token, self.ops)
        return result

    def retryable(self, error: BaseException) -> bool:
        return self.inner.retryable(error)

    def describe(self, error: BaseException) -> str:
        return self.inner.describe(error)


R = TypeVar("R")


class RunJob(PublishPart, Job[R]):
    """A job over a whole Publish run's files (its undo, its tidy-up): the run's token
    and targets are all it needs, since it reads the backups on disk."""

    def __init__(self, title: str, kind: str, name: str, targets: Sequence[Path], run: str,
                 ops: FileOps) -> None:  # fmt: skip
        super().__init__(f"{title} {name}", kind, key=f"{kind}\0{run}")
        self.batch_name = name
        self.targets = tuple(targets)
        self.run_token = run
        self.ops = ops

    def batch_info(self) -> BatchInfo:
        return BatchInfo(self.batch_name, self.targets, ())


class Compensate(RunJob[int]):
    """Undo a Publish run (see the module docstring); returns how many files it touched."""

    def __init__(self, name: str, targets: Sequence[Path], run: str,
                 *, ops: FileOps = OS_FILE_OPS) -> None:  # fmt: skip
        super().__init__("Undo", "compensate", name, targets, run, ops)

    def run(self, context: JobContext) -> int:
        touched = 0
        for i, target in enumerate(reversed(self.targets)):
            context.check()
            kept = backup_path(target, self.run_token).exists()
            if kept or created_path(target, self.run_token).exists():
                put_back(target, self.run_token, self.ops)
                touched += 1
            context.progress((i + 1) / len(self.targets), f"Put back {target.name}")
        return touched

    def retryable(self, error: BaseException) -> bool:
        return is_retryable(error)

    def describe(self, error: BaseException) -> str:
        where = self.targets[0] if self.targets else None
        text = describe(error, where, "save")
        return f"Undoing the publish failed; the backups are kept beside the files. {text}"


class DropBackups(RunJob[None]):
    """Remove a run's backups once every step succeeded."""

    def __init__(self, name: str, targets: Sequence[Path], run: str,
                 *, ops: FileOps = OS_FILE_OPS) -> None:  # fmt: skip
        super().__init__("Tidy up", "drop_backups", name, targets, run, ops)

    def run(self, context: JobContext) -> None:
        for target in self.targets:
            context.check()
            drop_kept(target, self.run_token, self.ops)


@dataclass(frozen=True, slots=True)
class PublishSpec:
    """A Publish batch: `make_steps(run)` gives its save/export jobs for one run (new
    jobs each run, of the document as it was when Publish was asked)."""

    name: str
    targets: tuple[Path, ...]
    make_steps: Callable[[str], Sequence[Step]]
    ops: FileOps = OS_FILE_OPS

    def run(self) -> BatchRun:
        token = new_run()
        steps = tuple(self.make_steps(token))
        return BatchRun(
            steps,
            lambda: Compensate(self.name, self.targets, token, ops=self.ops),
            lambda: DropBackups(self.name, self.targets, token, ops=self.ops),
            token,
        )


def step(inner: Job[object], run: str, batch: BatchInfo, ops: FileOps = OS_FILE_OPS,
         policy: RetryPolicy | None = None) -> Step:  # fmt: skip
    """A batch step for a save or export job."""
    return Step(PublishStep(inner, run, batch, ops=ops), policy)


def output_path(document: Path, fmt: str) -> Path:
    """Where Publish puts `fmt` by default: beside the document, same stem."""
    return document.with_suffix(f".{fmt}")


def check_targets(targets: Sequence[Path]) -> None:
    """Two steps of a batch must never write one file."""
    seen: set[str] = set()
    for target in targets:
        real = os.path.normcase(os.path.abspath(target))
        if real in seen:
            raise ValueError(f"{target.name} is written twice")
        seen.add(real)


def plan(
    snapshot: Snapshot,
    document: Path,
    revision: RevisionLike | None,
    outputs: Sequence[tuple[str, Path]],
    *,
    scale: float = 1.0,
    ops: FileOps = OS_FILE_OPS,
    save_policy: RetryPolicy | None = None,
) -> PublishSpec:
    """The Publish batch of `snapshot`: save it to `document`, then export each
    (format, path) of `outputs` (a PNG at `scale`). Raises ValueError for a file
    written twice, and InvalidInput (from ExportJob) for an export that can never
    succeed."""
    targets = (document, *(path for _fmt, path in outputs))
    check_targets(targets)

    def scale_of(fmt: str) -> float:
        return scale if fmt == "png" else 1.0

    for fmt, path in outputs:  # fail now, in the dialog, not as a dead letter later
        ExportJob(snapshot, path, fmt, scale_of(fmt), ops=ops)

    def make_steps(run: str) -> list[Step]:
        inners: list[Job[object]] = [SaveJob(snapshot, document, revision, ops=ops)]
        for fmt, path in outputs:
            inners.append(ExportJob(snapshot, path, fmt, scale_of(fmt), ops=ops))
        info = BatchInfo(f"Publish {document.name}", targets, tuple(inners))
        policies = [save_policy] + [None] * len(outputs)
        return [step(inner, run, info, ops, p) for inner, p in zip(inners, policies, strict=True)]

    return PublishSpec(f"Publish {document.name}", targets, make_steps, ops)
