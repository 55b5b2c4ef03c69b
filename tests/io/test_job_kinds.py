"""Save and export jobs as data: envelopes, the snapshot store, idempotency, a real run."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from editor.io.format import load
from editor.io.job_kinds import (
    ExportPayload,
    SavePayload,
    SnapshotStore,
    journaled_save,
    registry,
)
from editor.io.tasks import ExportJob, SaveJob, SaveOrigin, SaveResult
from editor.jobs import JobError, JobState
from editor.jobs.kinds import JobDataError, JobKinds
from editor.jobs.store import MemoryJobStore
from editor.model import Page, Snapshot, rect
from tests.jobs import conftest as jobs

clock, rng, make_queue, drive = jobs.clock, jobs.rng, jobs.make_queue, jobs.drive

DOC = Snapshot(Page(400, 300, "#ffffff"), (rect("r1", 10, 10, 50, 40, fill="#ff0000"),))
OTHER = Snapshot(Page(400, 300, "#ffffff"), (rect("r1", 20, 10, 50, 40, fill="#00ff00"),))


@pytest.fixture
def snapshots(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore(tmp_path / "snapshots")


class Rev:
    serial = 41


def test_a_save_becomes_plain_json_and_back(snapshots: SnapshotStore, tmp_path: Path) -> None:
    kinds, save, _ = registry(snapshots)
    target = tmp_path / "a.strata"
    envelope = kinds.encode(save, SaveJob(DOC, target, Rev()))
    assert envelope["type"] == "save"
    payload = envelope["payload"]
    assert payload["target"] == str(target) and payload["revision"] == 41
    assert json.loads(json.dumps(envelope)) == envelope
    assert (snapshots.folder / f"{payload['snapshot']}.strata").is_file()
    job = kinds.decode_as(save, json.loads(json.dumps(envelope)))
    assert type(job) is SaveJob and job.snapshot == DOC and job.revision.serial == 41  # type: ignore[union-attr]
    again = kinds.decode(envelope)
    assert isinstance(again, SaveJob) and again.key == job.key


def test_an_export_becomes_plain_json_and_back(snapshots: SnapshotStore, tmp_path: Path) -> None:
    kinds, _, export = registry(snapshots)
    envelope = kinds.encode(export, ExportJob(DOC, tmp_path / "a.png", scale=2.0))
    assert {k: v for k, v in envelope["payload"].items() if k != "snapshot"} == {
        "target": str(tmp_path / "a.png"), "format": "png", "scale": 2.0,
    }  # fmt: skip
    job = kinds.decode(envelope)
    assert isinstance(job, ExportJob) and (job.format, job.scale) == ("png", 2.0)


def test_the_key_is_kind_target_and_content_in_every_process(
    snapshots: SnapshotStore, tmp_path: Path
) -> None:
    kinds, save, export = registry(snapshots)
    target = str(tmp_path / "a.strata")
    same = [kinds.build(save, SavePayload(target, snapshots.put(DOC))) for _ in range(2)]
    assert same[0].key == same[1].key
    assert snapshots.put(DOC) == snapshots.put(DOC)  # content-addressed: stored once
    assert len(list(snapshots.folder.iterdir())) == 1
    changed = kinds.build(save, SavePayload(target, snapshots.put(OTHER)))
    elsewhere = kinds.build(save, SavePayload(str(tmp_path / "b.strata"), snapshots.put(DOC)))
    assert len({same[0].key, changed.key, elsewhere.key}) == 3
    png = ExportPayload(str(tmp_path / "a.png"), "png", snapshots.put(DOC), 1.0)
    bigger = ExportPayload(str(tmp_path / "a.png"), "png", snapshots.put(DOC), 2.0)
    assert kinds.build(export, png).key != kinds.build(export, bigger).key


def test_a_missing_or_tampered_snapshot_is_a_clear_error(
    snapshots: SnapshotStore, tmp_path: Path
) -> None:
    kinds, save, _ = registry(snapshots)
    digest = snapshots.put(DOC)
    (snapshots.folder / f"{digest}.strata").write_bytes(b"{}")
    with pytest.raises(JobDataError, match="does not match its hash"):
        kinds.build(save, SavePayload(str(tmp_path / "a.strata"), digest))
    with pytest.raises(JobDataError, match="No such file"):
        kinds.build(save, SavePayload(str(tmp_path / "a.strata"), "0" * 64))
    with pytest.raises(JobDataError, match="expected a sha256 hex digest"):
        kinds.decode({"type": "save", "payload": {"target": "x", "snapshot": "../../etc"}})
    with pytest.raises(JobDataError, match="payload.format"):
        kinds.decode({"type": "export", "payload": {"target": "x", "format": "gif",
                                                     "snapshot": digest}})  # fmt: skip


def test_a_save_built_from_data_runs_on_the_queue_and_writes_the_document(
    snapshots: SnapshotStore, tmp_path: Path, make_queue: jobs.MakeQueue, drive: jobs.Drive
) -> None:
    kinds, save, _ = registry(snapshots)
    target = tmp_path / "a.strata"
    envelope = kinds.encode(save, SaveJob(DOC, target, Rev()))
    queue = make_queue()
    job_id = queue.submit(kinds.decode(json.loads(json.dumps(envelope))))
    assert queue.submit(kinds.decode(envelope)) == job_id  # the same key: coalesced
    drive(queue)
    record = queue.record(job_id)
    assert record.state is JobState.SUCCEEDED
    assert isinstance(record.result, SaveResult) and record.result.revision.serial == 41  # type: ignore[attr-defined]
    assert load(target) == DOC


def test_released_snapshots_go_unless_a_job_that_may_run_still_needs_them(
    snapshots: SnapshotStore,
) -> None:
    doc, other = snapshots.put(DOC), snapshots.put(OTHER)
    envelopes = [{"type": "save", "payload": {"snapshot": doc}},
                 {"type": "export", "payload": {"snapshot": other}},
                 {"type": "tally", "payload": {"name": "x"}}]  # fmt: skip
    assert snapshots.release(envelopes, lambda digest: digest == other) == [doc]
    assert not (snapshots.folder / f"{doc}.strata").exists()
    assert (snapshots.folder / f"{other}.strata").exists()
    assert snapshots.release(envelopes, lambda digest: False) == [other]  # doc: already gone


def test_a_sweep_keeps_what_may_run_and_what_was_just_written(
    snapshots: SnapshotStore,
) -> None:
    import os  # noqa: PLC0415

    doc, other = snapshots.put(DOC), snapshots.put(OTHER)
    old = snapshots.folder / f"{other}.strata"
    os.utime(old, (1.0, 1.0))
    assert snapshots.sweep([], grace=60.0) == [other]  # doc: written a moment ago
    assert snapshots.put(OTHER) == other  # written again
    os.utime(snapshots.folder / f"{doc}.strata", (1.0, 1.0))
    os.utime(old, (1.0, 1.0))
    assert snapshots.sweep([{"payload": {"snapshot": other}}], grace=60.0) == [doc]
    assert old.exists()
    assert snapshots.put(OTHER) == other and old.stat().st_mtime > 1.0  # touched when reused


def _earlier_run_left(store: MemoryJobStore, kinds: JobKinds, job: SaveJob, state: JobState) -> int:
    job_id, _ = store.add(kinds.envelope(job), job.key, 1.0, name=job.name, kind=job.kind,
                          target=job.target)  # fmt: skip
    if state is not JobState.QUEUED:
        store.update(job_id, state, 2.0, attempts=5,
                     error=JobError("OSError", "disk full", "", errno=28))  # fmt: skip
    return job_id


@pytest.mark.parametrize("state", [JobState.DEAD, JobState.QUEUED])
def test_an_earlier_runs_save_never_lands_over_a_save_made_in_this_run(
    snapshots: SnapshotStore, tmp_path: Path, make_queue: jobs.MakeQueue, drive: jobs.Drive,
    state: JobState,
) -> None:  # fmt: skip
    """A restored job is built from its row (a dead letter: only when retried), so it
    takes its write ticket late; it must still count as older than this run's saves."""
    kinds, _save, _ = registry(snapshots)
    target = tmp_path / "a.strata"
    store = MemoryJobStore()
    earlier = SaveJob(OTHER, target, Rev(), key=f"save\0{target}\041\0an earlier run")
    old = _earlier_run_left(store, kinds, earlier, state)
    queue = make_queue(store=store, kinds=kinds)
    queue.restore()  # an interrupted save runs again at once; a dead one waits
    new = queue.submit(SaveJob(DOC, target, Rev()))  # this run's save of the same file
    drive(queue)
    if state is JobState.DEAD:
        queue.retry_dead(old)  # Retry in the Dead letters tab, after the new save
        drive(queue)
    assert queue.record(new).state is JobState.SUCCEEDED
    record = queue.record(old)
    assert record.state is JobState.SUCCEEDED
    assert isinstance(record.result, SaveResult)
    if state is JobState.DEAD:
        assert record.result.superseded  # skipped: a newer request wrote the file
    assert load(target) == DOC


def test_a_journaled_saves_snapshot_digest_is_the_hash_of_the_file_it_writes(
    snapshots: SnapshotStore, tmp_path: Path, make_queue: jobs.MakeQueue, drive: jobs.Drive
) -> None:
    """The save outbox (editor.journal.saves) records the snapshot's digest as the hash of
    the bytes the save will write: they must agree, whatever the save's chunking (2,500
    shapes: three save chunks, one encode chunk), and the origin travels with the job."""
    kinds, save, _ = registry(snapshots)
    big = Snapshot(DOC.page, tuple(rect(f"r{i}", i, 0, 5, 5) for i in range(2500)))
    target = tmp_path / "a.strata"
    envelope = kinds.encode(save, SaveJob(big, target, Rev(), origin=SaveOrigin("doc", 7)))
    payload = journaled_save(json.loads(json.dumps(envelope)))
    assert payload is not None and (payload.document, payload.index) == ("doc", 7)
    queue = make_queue()
    job_id = queue.submit(kinds.decode(envelope))
    drive(queue)
    result = queue.record(job_id).result
    assert isinstance(result, SaveResult) and result.origin == SaveOrigin("doc", 7)
    assert result.sha256 == payload.snapshot == hashlib.sha256(target.read_bytes()).hexdigest()
    plain = kinds.encode(save, SaveJob(big, target, Rev()))
    assert journaled_save(plain) is None  # not journaled: nothing for the outbox
