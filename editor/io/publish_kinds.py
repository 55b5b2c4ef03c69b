"""Publish's jobs as data, and taking back a Publish an earlier Strata left unfinished.

    {"type": "publish_step", "payload": {"run": "1c9e…", "batch": "Publish drawing.strata",
        "targets": ["/a/drawing.strata", "/a/drawing.png"], "index": 1,
        "steps": [{"type": "save", ...}, {"type": "export", ...}]}}
    {"type": "compensate",   "payload": {"run": "1c9e…", "batch": "…", "targets": [...]}}
    {"type": "drop_backups", "payload": {"run": "1c9e…", "batch": "…", "targets": [...]}}

A step's payload holds every step's envelope (their snapshots are references, so this
costs a few hundred bytes), so any one step read back from the store can rebuild its
whole batch: to undo it at start, and to run it again on Retry. The compensation and the
tidy-up need only the run's token and targets: they read the backups on disk.

At start (`restore_publishes`), the steps of each interrupted run become one batch of
the window's `Sagas`, which cancels what is still waiting (a restored step that starts
anyway writes nothing: `PublishStep.restored`) and undoes the run: why undoing is the
safe choice is in editor/io/publish.py. An interrupted compensation runs again (it is
idempotent) as that batch's compensation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Final, TypeVar

import msgspec

from editor.io.publish import (
    BatchInfo,
    Compensate,
    DropBackups,
    PublishPart,
    PublishStep,
    new_run,
    step,
)
from editor.jobs import JobQueue
from editor.jobs.kinds import JobDataError, JobKind, JobKinds
from editor.jobs.persist import RestoreReport
from editor.jobs.saga import BatchId, BatchRun, Sagas, Step

_RUN: Final = re.compile(r"[0-9a-f]{12}")
#: The kinds a step may wrap (never a step: no nesting beyond one level).
_INNER: Final = ("save", "export")


class StepPayload(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One step of a Publish run as data."""

    run: str
    batch: str
    targets: list[str]
    steps: list[dict[str, Any]]
    """Every step's save or export envelope, in step order."""
    index: int
    """Which of `steps` this one is."""


class RunPayload(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A Publish run's undo or tidy-up as data."""

    run: str
    batch: str
    targets: list[str]


def _check_run(kind: str, run: str) -> None:
    if not _RUN.fullmatch(run):
        raise JobDataError(f"{kind}: payload.run: expected 12 hex digits, got {run[:40]!r}")


class PublishStepKind(JobKind[StepPayload, PublishStep]):
    type_name: ClassVar[str] = "publish_step"
    payload_type = StepPayload

    def __init__(self, kinds: JobKinds) -> None:
        self.kinds = kinds

    def build(self, payload: StepPayload) -> PublishStep:
        _check_run(self.type_name, payload.run)
        for i, envelope in enumerate(payload.steps):
            if envelope.get("type") not in _INNER:
                raise JobDataError(f"publish_step: payload.steps[{i}]: expected a save or "
                                   "an export")  # fmt: skip
        if not 0 <= payload.index < len(payload.steps):
            raise JobDataError(f"publish_step: payload.index: {payload.index} is not a step")
        inners = tuple(self.kinds.decode(e) for e in payload.steps)
        targets = tuple(Path(t) for t in payload.targets)
        info = BatchInfo(payload.batch, targets, inners)
        return PublishStep(inners[payload.index], payload.run, info)

    def payload(self, job: PublishStep) -> StepPayload:
        info = job.info
        index = next(i for i, inner in enumerate(info.inners) if inner is job.inner)
        return StepPayload(job.run_token, info.name, [str(t) for t in info.targets],
                           [self.kinds.envelope(i) for i in info.inners], index)  # fmt: skip


RJ = TypeVar("RJ", Compensate, DropBackups)


class _RunKind(JobKind[RunPayload, RJ]):
    """A kind for a job over a whole run (its token, name and targets)."""

    payload_type = RunPayload
    job_class: type[RJ]

    def build(self, payload: RunPayload) -> RJ:
        _check_run(self.type_name, payload.run)
        return self.job_class(payload.batch, [Path(t) for t in payload.targets], payload.run)

    def payload(self, job: RJ) -> RunPayload:
        return RunPayload(job.run_token, job.batch_name, [str(t) for t in job.targets])


class CompensateKind(_RunKind[Compensate]):
    type_name: ClassVar[str] = "compensate"
    job_class = Compensate


class DropBackupsKind(_RunKind[DropBackups]):
    type_name: ClassVar[str] = "drop_backups"
    job_class = DropBackups


def register_publish(kinds: JobKinds) -> None:
    """Add Publish's three kinds (steps decode their inner jobs through `kinds`)."""
    kinds.register(PublishStepKind(kinds))
    kinds.register(CompensateKind())
    kinds.register(DropBackupsKind())


# ---------------------------------------------------------------------------- at start
@dataclass
class RestoredSpec:
    """The batch of an interrupted run: undone under its old token first; Retry then
    runs its steps again (the same save and export jobs) under a new one."""

    info: BatchInfo
    token: str
    _first: bool = field(default=True, repr=False)

    @property
    def name(self) -> str:
        return self.info.name

    def run(self) -> BatchRun:
        token = self.token
        steps: tuple[Step, ...] = ()
        if not self._first:
            token = new_run()
            steps = tuple(step(inner, token, self.info) for inner in self.info.inners)
        self._first = False
        targets = self.info.targets
        return BatchRun(
            steps,
            lambda: Compensate(self.info.name, targets, token),
            lambda: DropBackups(self.info.name, targets, token),
            token,
        )


def restore_publishes(queue: JobQueue, sagas: Sagas, report: RestoreReport) -> list[BatchId]:
    """Make each interrupted Publish run (its steps, or its compensation, restored by
    `queue.restore()`) a batch of `sagas`, which undoes it. Returns the batches."""
    runs: dict[str, tuple[BatchInfo, list[int]]] = {}
    for job_id in report.interrupted:
        part = queue.job(job_id)
        if not isinstance(part, PublishPart):
            continue
        info, ids = runs.get(part.run_token, (part.batch_info(), []))
        if part.is_step:
            ids.append(job_id)
            info = part.batch_info()  # a step knows the whole batch; an undo only its files
        runs[part.run_token] = (info, ids)
    return [sagas.restore(RestoredSpec(info, token), ids) for token, (info, ids) in runs.items()]
