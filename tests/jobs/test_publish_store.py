"""Publish's jobs as data and across a restart: envelope round trips for its three kinds,
bad payloads, nested snapshot references, and a run interrupted mid-batch (the store and
the disk as a killed Strata left them) undone at the next start, then retried."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from editor.io.job_kinds import SnapshotStore, registry, snapshots_of
from editor.io.publish import (
    Compensate,
    DropBackups,
    PublishStep,
    keep_previous,
    output_path,
    plan,
)
from editor.io.publish_kinds import restore_publishes
from editor.jobs.kinds import JobDataError, JobKinds
from editor.jobs.saga import BatchState, Sagas
from editor.jobs.store import MemoryJobStore
from tests.jobs.conftest import Drive, MakeQueue
from tests.jobs.disk import HeldFile
from tests.jobs.test_publish import (
    OLD_DOC,
    OLD_PNG,
    assert_as_before,
    folder,
    held_mid_batch,
    snapshot,
)

__all__ = ["folder"]  # the fixture, shared with test_publish.py


@pytest.fixture
def kinds(tmp_path: Path) -> JobKinds:
    return registry(SnapshotStore(tmp_path / "snapshots"))[0]


def steps_of(folder: Path) -> list[PublishStep]:
    doc = folder / "drawing.strata"
    outputs = [("png", output_path(doc, "png")), ("pdf", output_path(doc, "pdf"))]
    run = plan(snapshot(), doc, None, outputs).run()
    jobs = [s.job for s in run.steps]
    assert all(isinstance(j, PublishStep) for j in jobs)
    return jobs  # type: ignore[return-value]


def test_every_kind_is_registered_and_round_trips_through_json(
    kinds: JobKinds, folder: Path
) -> None:
    assert kinds.names() == ("compensate", "drop_backups", "export", "publish_step", "save")
    step = steps_of(folder)[1]
    envelope = json.loads(json.dumps(kinds.envelope(step)))
    assert envelope["type"] == "publish_step"
    payload = envelope["payload"]
    assert [e["type"] for e in payload["steps"]] == ["save", "export", "export"]
    assert payload["index"] == 1 and payload["batch"] == "Publish drawing.strata"
    back = kinds.decode(envelope)
    assert isinstance(back, PublishStep)
    assert (back.name, back.target, back.run_token) == (step.name, step.target, step.run_token)
    assert [i.name for i in back.info.inners] == [i.name for i in step.info.inners]
    assert back.info.targets == step.info.targets
    for job in (Compensate("Publish d", [folder / "a.png"], step.run_token),
                DropBackups("Publish d", [folder / "a.png"], step.run_token)):  # fmt: skip
        again = kinds.decode(json.loads(json.dumps(kinds.envelope(job))))
        assert type(again) is type(job)
        assert (again.name, again.key, again.targets) == (job.name, job.key, job.targets)


def test_bad_publish_payloads_are_located_errors(kinds: JobKinds, folder: Path) -> None:
    envelope = kinds.envelope(steps_of(folder)[0])
    nested = copy.deepcopy(envelope)
    nested["payload"]["steps"][1] = {"type": "publish_step", "payload": {}}
    with pytest.raises(JobDataError, match=r"payload.steps\[1\]: expected a save or an export"):
        kinds.decode(nested)
    token = copy.deepcopy(envelope)
    token["payload"]["run"] = "../../etc"
    with pytest.raises(JobDataError, match="payload.run: expected 12 hex digits"):
        kinds.decode(token)
    index = copy.deepcopy(envelope)
    index["payload"]["index"] = 7
    with pytest.raises(JobDataError, match="payload.index: 7 is not a step"):
        kinds.decode(index)
    with pytest.raises(JobDataError, match="compensate: payload.targets: Expected `array`"):
        kinds.decode({"type": "compensate", "payload": {"run": "a" * 12, "batch": "x",
                                                        "targets": "nope"}})  # fmt: skip


def test_a_step_names_the_snapshots_of_its_whole_batch(kinds: JobKinds, folder: Path) -> None:
    """What keeps the snapshot sweep at start from deleting what a stored step needs."""
    envelope = kinds.envelope(steps_of(folder)[2])
    digests = snapshots_of(envelope)
    assert len(digests) == 3 and len(set(digests)) == 1  # one document state, three steps


def test_a_publish_interrupted_mid_batch_is_undone_at_the_next_start_then_retried(
    make_queue: MakeQueue, drive: Drive, folder: Path, kinds: JobKinds, qtbot: QtBot,
    tmp_path: Path,
) -> None:  # fmt: skip
    store = MemoryJobStore()
    first = make_queue(store=store, kinds=kinds, max_workers=3)
    disk = HeldFile("drawing.pdf")
    sagas = Sagas(first)
    doc = folder / "drawing.strata"
    outputs = [("png", output_path(doc, "png")), ("pdf", output_path(doc, "pdf"))]
    batch = sagas.start(plan(snapshot(), doc, None, outputs, ops=disk))
    steps = sagas.record(batch).steps
    held_mid_batch(qtbot, first, sagas, batch, disk, done=2)
    # The moment of the kill: the store's rows and the disk, as they are now.
    crashed = copy.deepcopy(store)
    on_disk = tmp_path / "at-the-kill"
    shutil.copytree(folder, on_disk)
    assert (folder / "drawing.strata").read_bytes() != OLD_DOC  # the save had landed
    # This process goes on (a test cannot kill itself): stop the first run without
    # letting it finish the PDF, then put the disk back as it was at the kill.
    sagas.cancel(batch)
    disk.let_go()
    drive(first)
    shutil.rmtree(folder)
    shutil.copytree(on_disk, folder)
    assert any(n.endswith(".tmp") for n in (p.name for p in folder.iterdir()))  # half a PDF

    second = make_queue(store=crashed, kinds=kinds)
    again = Sagas(second)
    report = second.restore()
    assert report.interrupted == (steps[2].job_id,)
    (restored,) = restore_publishes(second, again, report)
    drive(second)
    record = again.record(restored)
    assert record.interrupted and record.state is BatchState.CANCELLED
    assert record.name == "Publish drawing.strata"
    assert_as_before(folder)  # byte for byte, no backup, marker or temp file left
    assert not second.dead_letters()

    assert again.retry(restored)  # Retry: the whole batch again, from the stored jobs
    drive(second)
    record = again.record(restored)
    assert record.state is BatchState.SUCCEEDED and not record.interrupted
    assert [s.name for s in record.steps] == [
        "Save drawing.strata", "Export PNG drawing.png", "Export PDF drawing.pdf"
    ]  # fmt: skip
    assert sorted(p.name for p in folder.iterdir()) == [
        "drawing.pdf", "drawing.png", "drawing.strata"
    ]  # fmt: skip
    assert (folder / "drawing.png").read_bytes() != OLD_PNG


def test_an_interrupted_compensation_runs_again_as_its_batchs_undo(
    make_queue: MakeQueue, drive: Drive, folder: Path, kinds: JobKinds
) -> None:
    store = MemoryJobStore()
    queue = make_queue(store=store, kinds=kinds)
    steps = steps_of(folder)
    token = steps[0].run_token
    # What a killed run left: the save had replaced the document; its undo was queued.
    keep_previous(folder / "drawing.strata", token)
    (folder / "drawing.strata").write_bytes(b"the new document")
    undo = Compensate("Publish drawing.strata", steps[0].info.targets, token)
    store.add(kinds.envelope(undo), undo.key, 1.0, name=undo.name, kind=undo.kind)
    report = queue.restore()
    sagas = Sagas(queue)
    (batch,) = restore_publishes(queue, sagas, report)
    drive(queue)
    record = sagas.record(batch)
    assert record.state is BatchState.CANCELLED and record.compensation == report.interrupted[0]
    assert_as_before(folder)
