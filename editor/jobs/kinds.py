"""Jobs as data: `{"type": ..., "payload": {...}}` envelopes through a typed registry.

A job kind names a payload type (a msgspec Struct of plain JSON: paths, formats, numbers,
references to stored state; never a pickled object or a live document) and says how to
build its job from a payload and how to describe a job as one. The registry is the
seed's bus by type with generics: `kinds.build(SAVE, payload)` is typed as the kind's own
job class (a `SaveJob`), so call sites need no casts; `kinds.decode(envelope)` is the
untyped way in, for rows read back from a store.

    kinds = JobKinds()
    save = kinds.register(SaveKind(snapshots))  # typed as SaveKind
    envelope = kinds.encode(save, job)          # {"type": "save", "payload": {...}}
    job = kinds.decode(envelope)                # Job[Any], by type name
    save_job = kinds.build(save, payload)       # SaveJob, statically

Idempotency: every kind's key is `kind + target + content hash` (`idempotency_key`), so a
job re-run after a crash has the same key and produces the same file, and a store can
refuse a second pending row with that key.

Bad data gives `JobDataError` with a located message (`save: payload.target: Expected
str, got int`), never an exception from deep inside a job. Knows nothing about documents:
`editor.io.job_kinds` registers the save and export kinds. tests/jobs/test_kinds.py.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar

import msgspec

from editor.jobs.job import Job

P = TypeVar("P", bound=msgspec.Struct)
J = TypeVar("J", bound=Job[Any])
K = TypeVar("K", bound="JobKind[Any, Any]")


class JobDataError(ValueError):
    """An envelope or payload that does not describe a job (one line, located)."""


def idempotency_key(kind: str, target: str | None, content: str) -> str:
    """`kind + target + content hash`: the same work has the same key in every process."""
    return f"{kind}\0{target or ''}\0{content}"


def content_hash(data: bytes) -> str:
    """The sha256 of some bytes, as the hex digest that names them in a store."""
    return hashlib.sha256(data).hexdigest()


class JobKind(ABC, Generic[P, J]):
    """One kind of job as data: its type name, payload type, and both directions."""

    #: The envelope's "type".
    type_name: ClassVar[str]
    #: The payload's msgspec Struct.
    payload_type: type[P]

    @abstractmethod
    def build(self, payload: P) -> J:
        """The job a payload describes (resolving its references, e.g. a snapshot)."""

    @abstractmethod
    def payload(self, job: J) -> P:
        """The payload that describes a job of this kind (storing what it references)."""


class JobKinds:
    """Job kinds by type name."""

    def __init__(self) -> None:
        self._kinds: dict[str, JobKind[Any, Any]] = {}

    def register(self, kind: K) -> K:
        """Add a kind; its type name must be new. Returns it, typed, for call sites."""
        name = kind.type_name
        if not name or name in self._kinds:
            raise TypeError(f"job kind {name!r} is empty or registered twice")
        self._kinds[name] = kind
        return kind

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._kinds))

    # ----------------------------------------------------------------- typed
    def build(self, kind: JobKind[P, J], payload: P) -> J:
        """The job of `kind` for `payload` (typed: a SaveJob for the save kind)."""
        return kind.build(payload)

    def decode_as(self, kind: JobKind[P, J], envelope: object) -> J:
        """Decode an envelope that must be of `kind`; typed as that kind's job."""
        name, payload = self._split(envelope)
        if name != kind.type_name:
            raise JobDataError(f"type: expected {kind.type_name!r}, got {name!r}")
        return kind.build(self._payload(kind, payload))

    def encode(self, kind: JobKind[P, J], job: J) -> dict[str, Any]:
        """The envelope of a job: `{"type": ..., "payload": {...}}`, plain JSON values."""
        payload: dict[str, Any] = msgspec.to_builtins(kind.payload(job))
        return {"type": kind.type_name, "payload": payload}

    # ----------------------------------------------------------------- untyped
    def envelope(self, job: Job[Any]) -> dict[str, Any]:
        """The envelope of any job, by its kind's name (what a store keeps). A job of a
        kind not registered gets `{"type": kind, "payload": None}`: listed, never run."""
        kind = self._kinds.get(job.kind)
        if kind is None:
            return {"type": job.kind, "payload": None}
        return self.encode(kind, job)

    def decode(self, envelope: object) -> Job[Any]:
        """The job an envelope describes, by its type name (rows from a store)."""
        name, payload = self._split(envelope)
        kind = self._kinds.get(name)
        if kind is None:
            known = ", ".join(self.names())
            raise JobDataError(f"type: unknown job type {_short(name)} (known: {known})")
        job: Job[Any] = kind.build(self._payload(kind, payload))
        return job

    @staticmethod
    def _split(envelope: object) -> tuple[str, object]:
        if not isinstance(envelope, dict):
            raise JobDataError("expected an object with 'type' and 'payload'")
        name = envelope.get("type")
        if not isinstance(name, str):
            raise JobDataError("type: expected a job type name (a string)")
        return name, envelope.get("payload")

    @staticmethod
    def _payload(kind: JobKind[P, Any], payload: object) -> P:
        if not isinstance(payload, dict):
            raise JobDataError(f"{kind.type_name}: payload: expected an object")
        try:
            return msgspec.convert(payload, kind.payload_type)
        except msgspec.ValidationError as exc:
            text, sep, where = str(exc).rpartition(" - at `$")
            located = f"payload{where.rstrip('`')}: {text}" if sep else f"payload: {exc}"
            raise JobDataError(f"{kind.type_name}: {located}") from None


def _short(value: str) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:36] + "...'"
