"""Save and export jobs as data: their payloads, the snapshot store, and the registry.

A stored job must never hold a live document or a pickled object, so the document state
a save or an export writes is a *reference*: the sha256 of the snapshot's bytes in the
file format, naming a content-addressed file `<digest>.strata` that `SnapshotStore`
writes (atomically, once per content) and reads back (checking the hash). Payloads are
plain JSON:

    {"type": "save",   "payload": {"target": "/home/a/drawing.strata",
                                    "snapshot": "9f2c…", "revision": 41}}
    {"type": "export", "payload": {"target": "/home/a/drawing.png", "format": "png",
                                    "scale": 2.0, "snapshot": "9f2c…"}}

The idempotency key of a job built from data is kind + target + content hash (for an
export, the content is the snapshot with its format and scale): run again after a crash,
it writes the same bytes to the same place, and a store refuses a second pending copy.

`registry(snapshots)` gives the registry and the typed handles of its two kinds:
`kinds.build(save, payload)` is a `SaveJob`, `kinds.decode_as(export, envelope)` an
`ExportJob`, with no casts. The snapshot store's folder is chosen by the caller (the
SQLite job store will keep it beside its database, under the app's data location).
Touches the disk: call `payload()` (which stores the snapshot) off the GUI thread for
large documents.
tests/io/test_job_kinds.py.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Final

import msgspec

from editor.io.atomic import write_atomic
from editor.io.export import Format
from editor.io.format import FormatError, decode, encode
from editor.io.publish_kinds import register_publish
from editor.io.tasks import ExportJob, SaveJob, SaveOrigin
from editor.jobs.job import normalise_path
from editor.jobs.kinds import JobDataError, JobKind, JobKinds, content_hash, idempotency_key
from editor.model import Snapshot

log = logging.getLogger(__name__)

_DIGEST: Final = re.compile(r"[0-9a-f]{64}")


class SnapshotStore:
    """Document snapshots by the sha256 of their bytes, one file each, in `folder`."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def put(self, snapshot: Snapshot) -> str:
        """Store a snapshot (once per content) and return its digest."""
        data = encode(snapshot)
        digest = content_hash(data)
        path = self._path(digest)
        try:
            os.utime(path)  # there already: touched, so a sweep leaves it (see `sweep`)
        except FileNotFoundError:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(path, [data])
        return digest

    def release(
        self, envelopes: list[dict[str, object]], in_use: Callable[[str], bool]
    ) -> list[str]:
        """Remove the snapshots of jobs that will not run again, unless a job that may
        still run (`in_use(digest)`) refers to the same content. Returns what went."""
        gone = []
        for digest in sorted({d for e in envelopes for d in snapshots_of(e)}):
            if not in_use(digest) and self._unlink(self.folder / f"{digest}.strata"):
                gone.append(digest)
        return gone

    def sweep(self, envelopes: list[dict[str, object]], grace: float) -> list[str]:
        """Remove every snapshot no job that may still run refers to (`envelopes`), except
        those written or touched less than `grace` seconds ago (another Strata may be
        about to store the job that needs one). At start: what a killed run left."""
        keep = {d for e in envelopes for d in snapshots_of(e)}
        cutoff = time.time() - grace
        gone = []
        try:
            files = list(self.folder.glob("*.strata"))
        except OSError:
            return []
        for path in files:
            digest = path.stem
            if digest in keep or not _DIGEST.fullmatch(digest):
                continue
            try:
                if path.stat().st_mtime > cutoff:
                    continue
            except OSError:
                continue
            if self._unlink(path):
                gone.append(digest)
        return sorted(gone)

    @staticmethod
    def _unlink(path: Path) -> bool:
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.warning("could not remove the job snapshot %s: %s", path, str(exc))
            return False
        return True

    def get(self, digest: str) -> Snapshot:
        """The snapshot with this digest; JobDataError if missing, changed or unreadable."""
        return self.read(digest)[1]

    def read(self, digest: str) -> tuple[bytes, Snapshot]:
        """The snapshot with this digest and its bytes (what a save of it writes)."""
        path = self._path(digest)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise JobDataError(f"snapshot {digest[:12]}…: {exc.strerror or exc}") from None
        if content_hash(data) != digest:
            raise JobDataError(f"snapshot {digest[:12]}…: the file does not match its hash")
        try:
            return data, decode(data)
        except FormatError as exc:
            raise JobDataError(f"snapshot {digest[:12]}…: {exc}") from None

    def _path(self, digest: str) -> Path:
        if not _DIGEST.fullmatch(digest):
            raise JobDataError(f"snapshot: expected a sha256 hex digest, got {digest[:70]!r}")
        return self.folder / f"{digest}.strata"


def snapshots_of(envelope: object) -> list[str]:
    """The snapshot digests an envelope refers to: a save's or an export's own, and
    those of the jobs it nests (a Publish step holds its whole batch's envelopes)."""
    payload = envelope.get("payload") if isinstance(envelope, dict) else None
    if not isinstance(payload, dict):
        return []
    digest = payload.get("snapshot")
    found = [digest] if isinstance(digest, str) and _DIGEST.fullmatch(digest) else []
    nested = payload.get("steps")
    if isinstance(nested, list):
        for inner in nested:
            found.extend(snapshots_of(inner))
    return found


class SavePayload(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A save as data."""

    target: str
    """The path to write (absolute)."""
    snapshot: str
    """The digest of the document state in the snapshot store."""
    revision: int | None = None
    """The history revision serial being saved, if it came from an open document."""
    document: str | None = None
    """The journal's id of that document, when it is journaled (the save outbox)."""
    index: int | None = None
    """The history index being saved (with `document`)."""


class ExportPayload(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An export as data."""

    target: str
    format: Format
    snapshot: str
    scale: float = 1.0
    """PNG pixels per document unit."""


@dataclass(frozen=True, slots=True)
class StoredRevision:
    """The revision a save built from data reports back (as editor.history.Revision)."""

    serial: int


class SaveKind(JobKind[SavePayload, SaveJob]):
    type_name: ClassVar[str] = "save"
    payload_type = SavePayload

    def __init__(self, snapshots: SnapshotStore) -> None:
        self.snapshots = snapshots

    def build(self, payload: SavePayload) -> SaveJob:
        revision = StoredRevision(payload.revision) if payload.revision is not None else None
        target = normalise_path(payload.target)
        key = idempotency_key(self.type_name, target, payload.snapshot)
        origin = SaveOrigin(payload.document, payload.index) if payload.document else None
        data, snapshot = self.snapshots.read(payload.snapshot)
        # The stored bytes are written as they are: run again, the save writes exactly
        # what was asked (a decoded snapshot re-encodes a page of 400 as 400.0).
        return SaveJob(snapshot, target, revision, key=key, origin=origin, encoded=data)

    def payload(self, job: SaveJob) -> SavePayload:
        serial = job.revision.serial if job.revision is not None else None
        digest = self.snapshots.put(job.snapshot)
        origin = job.origin
        if origin is None:
            return SavePayload(normalise_path(job.path), digest, serial)
        return SavePayload(normalise_path(job.path), digest, serial, origin.document, origin.index)


def journaled_save(envelope: dict[str, object]) -> SavePayload | None:
    """A stored save envelope's payload when it names a journaled document (the save
    outbox records it), else None. Its `snapshot` digest is the sha256 of the bytes the
    save writes (tests/io/test_job_kinds.py checks that they agree)."""
    if envelope.get("type") != SaveKind.type_name:
        return None
    try:
        payload = msgspec.convert(envelope.get("payload"), SavePayload)
    except msgspec.ValidationError:
        return None
    return payload if payload.document is not None else None


class ExportKind(JobKind[ExportPayload, ExportJob]):
    type_name: ClassVar[str] = "export"
    payload_type = ExportPayload

    def __init__(self, snapshots: SnapshotStore) -> None:
        self.snapshots = snapshots

    def build(self, payload: ExportPayload) -> ExportJob:
        target = normalise_path(payload.target)
        content = f"{payload.snapshot}:{payload.format}:{payload.scale!r}"
        key = idempotency_key(self.type_name, target, content)
        snapshot = self.snapshots.get(payload.snapshot)
        return ExportJob(snapshot, target, payload.format, payload.scale, key=key)

    def payload(self, job: ExportJob) -> ExportPayload:
        digest = self.snapshots.put(job.snapshot)
        return ExportPayload(normalise_path(job.path), job.format, digest, job.scale)


def registry(snapshots: SnapshotStore) -> tuple[JobKinds, SaveKind, ExportKind]:
    """A registry with the save and export kinds over one snapshot store, and Publish's
    kinds (editor/io/publish_kinds.py: its steps, their undo and tidy-up)."""
    kinds = JobKinds()
    save = kinds.register(SaveKind(snapshots))
    export = kinds.register(ExportKind(snapshots))
    register_publish(kinds)
    return kinds, save, export
