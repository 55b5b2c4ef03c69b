"""Jobs as data: the typed registry of job kinds, and the in-memory job store."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec
import pytest

from editor.jobs import Job, JobContext, JobError, JobState
from editor.jobs.kinds import JobDataError, JobKind, JobKinds, content_hash, idempotency_key
from editor.jobs.store import MemoryJobStore


class PingPayload(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    target: str
    count: int = 1


class PingJob(Job[int]):
    def __init__(self, target: str, count: int) -> None:
        super().__init__(f"Ping {target}", "ping", key=idempotency_key("ping", target, str(count)))
        self.count = count

    def run(self, context: JobContext) -> int:
        return self.count


class PingKind(JobKind[PingPayload, PingJob]):
    type_name: ClassVar[str] = "ping"
    payload_type = PingPayload

    def build(self, payload: PingPayload) -> PingJob:
        return PingJob(payload.target, payload.count)

    def payload(self, job: PingJob) -> PingPayload:
        return PingPayload(job.name.removeprefix("Ping "), job.count)


@pytest.fixture
def kinds() -> tuple[JobKinds, PingKind]:
    registry = JobKinds()
    return registry, registry.register(PingKind())


def test_an_envelope_round_trips_and_the_typed_call_gets_the_kinds_class(
    kinds: tuple[JobKinds, PingKind],
) -> None:
    registry, ping = kinds
    job = registry.build(ping, PingPayload("host", 3))
    assert type(job) is PingJob and job.count == 3  # no cast needed: build() is typed
    envelope = registry.encode(ping, job)
    assert envelope == {"type": "ping", "payload": {"target": "host", "count": 3}}
    assert msgspec.json.decode(msgspec.json.encode(envelope)) == envelope  # plain JSON
    again = registry.decode(envelope)
    assert isinstance(again, PingJob) and again.key == job.key
    assert registry.decode_as(ping, envelope).count == 3
    assert registry.decode({"type": "ping", "payload": {"target": "h"}}).key == (
        idempotency_key("ping", "h", "1")
    )


@pytest.mark.parametrize(
    ("envelope", "message"),
    [
        ({"type": "warp", "payload": {}}, "type: unknown job type 'warp' (known: ping)"),
        ({"payload": {}}, "type: expected a job type name"),
        ([1], "expected an object with 'type' and 'payload'"),
        ({"type": "ping"}, "ping: payload: expected an object"),
        ({"type": "ping", "payload": {"target": 5}}, "ping: payload.target: Expected `str`"),
        ({"type": "ping", "payload": {}}, "ping: payload: Object missing required field"),
        ({"type": "ping", "payload": {"target": "h", "pickle": "x"}}, "unknown field `pickle`"),
    ],
)
def test_bad_envelopes_are_one_located_error(
    kinds: tuple[JobKinds, PingKind], envelope: Any, message: str
) -> None:
    registry, _ = kinds
    with pytest.raises(JobDataError) as info:
        registry.decode(envelope)
    assert message in str(info.value)


def test_a_kind_is_registered_once_and_decode_as_checks_the_type(
    kinds: tuple[JobKinds, PingKind],
) -> None:
    registry, ping = kinds
    with pytest.raises(TypeError, match="registered twice"):
        registry.register(PingKind())
    with pytest.raises(JobDataError, match="expected 'ping', got 'pong'"):
        registry.decode_as(ping, {"type": "pong", "payload": {"target": "h"}})


def test_keys_are_kind_target_and_content() -> None:
    assert idempotency_key("save", "/a", "h1") != idempotency_key("save", "/b", "h1")
    assert idempotency_key("save", "/a", "h1") != idempotency_key("export", "/a", "h1")
    assert content_hash(b"x") == content_hash(b"x") != content_hash(b"y")


# ---------------------------------------------------------------------------- store
ENVELOPE = {"type": "ping", "payload": {"target": "h"}}


def test_the_store_records_every_state_change() -> None:
    store = MemoryJobStore()
    job_id, added = store.add(ENVELOPE, "k1", now=1.0)
    assert added and store.get(job_id).state is JobState.QUEUED
    store.update(job_id, JobState.RUNNING, 2.0, attempts=1)
    row = store.update(job_id, JobState.RETRY_SCHEDULED, 3.0, run_after=4.5)
    assert (row.attempts, row.run_after, row.updated_at) == (1, 4.5, 3.0)
    assert store.unfinished() == [row]
    error = JobError("OSError", "EIO", "tb")
    dead = store.update(job_id, JobState.DEAD, 5.0, attempts=5, error=error)
    assert (dead.run_after, dead.error) == (None, error)
    assert store.unfinished() == [] and store.dead() == [dead]


def test_the_store_enforces_the_idempotency_key_while_a_job_is_unfinished() -> None:
    store = MemoryJobStore()
    first, _ = store.add(ENVELOPE, "same", now=1.0)
    assert store.add(ENVELOPE, "same", now=2.0) == (first, False)
    store.update(first, JobState.DEAD, 3.0)
    second, added = store.add(ENVELOPE, "same", now=4.0)  # the first one is over
    assert added and second != first
    with pytest.raises(ValueError, match="already pending"):
        store.update(first, JobState.QUEUED, 5.0)  # retrying the dead one would duplicate
    store.update(second, JobState.SUCCEEDED, 6.0)
    store.update(first, JobState.QUEUED, 7.0)
    assert store.add(ENVELOPE, "same", now=8.0) == (first, False)


def test_pruning_keeps_the_newest_and_says_what_it_dropped() -> None:
    store = MemoryJobStore()
    ids = [store.add(ENVELOPE, f"k{n}", now=n)[0] for n in range(6)]
    for job_id in ids[:3]:
        store.update(job_id, JobState.SUCCEEDED, 10.0)
    for job_id in ids[3:5]:
        store.update(job_id, JobState.DEAD, 10.0)
    assert store.prune(keep_finished=1, keep_dead=1) == [ids[0], ids[1], ids[3]]
    assert [r.id for r in store.unfinished()] == [ids[5]]
    assert [r.id for r in store.dead()] == [ids[4]]
