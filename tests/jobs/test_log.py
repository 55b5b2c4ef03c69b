"""Structured logs: the JSON line, the rotating file, stderr, an unwritable directory."""

from __future__ import annotations

import errno
import json
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths

from editor.jobs import (
    FakeClock,
    JobError,
    JobLog,
    JobQueue,
    JobState,
    JobTimedOut,
    Outcome,
    default_log_dir,
)
from editor.jobs.log import LOG_FILE_NAME, attempt_line

from .conftest import Drive, MakeQueue
from .fakes import ScriptedJob


def test_the_attempt_line_format() -> None:
    error = JobError(
        "OSError", "[Errno 28] No space left on device", "Traceback ...",
        summary="The disk holding /a is full.", errno=28,
    )  # fmt: skip
    line = attempt_line(
        ts=1_795_833_243.512,
        job_id=3,
        name="Save drawing.strata",
        kind="save",
        key="save:drawing.strata:41",
        attempt=2,
        max_attempts=5,
        duration_ms=12.3456,
        outcome=Outcome.RETRYING,
        error=error,
        retry_in=0.7341,
    )
    assert "\n" not in line
    assert json.loads(line) == {
        "ts": "2026-11-28T02:34:03.512Z",
        "level": "info",
        "event": "attempt",
        "job_id": 3,
        "job": "Save drawing.strata",
        "kind": "save",
        "key": "save:drawing.strata:41",
        "attempt": 2,
        "max_attempts": 5,
        "duration_ms": 12.346,
        "outcome": "retrying",
        "error": {
            "type": "OSError",
            "message": "[Errno 28] No space left on device",
            "timed_out": False,
            "errno": 28,
            "errno_name": "ENOSPC",
            "summary": "The disk holding /a is full.",
            "traceback": "Traceback ...",
        },
        "retry_in_ms": 734.1,
    }


def test_one_line_per_attempt_in_the_log_file(
    queue: JobQueue, drive: Drive, tmp_path: Path, clock: FakeClock
) -> None:
    job_id = queue.submit(
        ScriptedJob(
            "Export PNG a.png",
            kind="export",
            key="export:a.png",
            script=[OSError(errno.EIO, "EIO"), "ok"],
        )
    )
    dead_id = queue.submit(ScriptedJob("Save /x", script=[PermissionError("denied")]))
    drive(queue)
    assert queue.log.flush()
    lines = [json.loads(x) for x in (tmp_path / "logs" / LOG_FILE_NAME).read_text().splitlines()]
    attempts = [x for x in lines if x["event"] == "attempt"]
    mine = [x for x in attempts if x["job_id"] == job_id]
    assert [(x["attempt"], x["max_attempts"], x["outcome"]) for x in mine] == [
        (1, 5, "retrying"),
        (2, 5, "succeeded"),
    ]
    assert mine[0]["job"] == "Export PNG a.png"
    assert mine[0]["kind"] == "export"
    assert mine[0]["key"] == "export:a.png"
    assert mine[0]["error"]["type"] == "OSError"
    assert mine[0]["retry_in_ms"] == 250.0
    assert mine[1]["error"] is None
    assert all(isinstance(x["duration_ms"], float) for x in mine)
    (dead,) = [x for x in attempts if x["job_id"] == dead_id]
    assert (dead["outcome"], dead["level"]) == ("dead", "error")


def test_timed_out_attempts_say_so(make_queue: MakeQueue, drive: Drive, tmp_path: Path) -> None:
    queue = make_queue(timeout=1.0)
    queue.submit(ScriptedJob("slow", script=[_past_deadline, "ok"]))
    drive(queue)
    assert queue.log.flush()
    lines = [json.loads(x) for x in (tmp_path / "logs" / LOG_FILE_NAME).read_text().splitlines()]
    slow = [x for x in lines if x.get("job") == "slow"]
    assert [x["outcome"] for x in slow] == ["timed out", "succeeded"]
    assert slow[0]["error"]["timed_out"] is True


def _past_deadline(ctx: object) -> None:
    raise JobTimedOut("simulated: the deadline passed between two chunks")


def test_lines_also_reach_stderr_and_the_editor_jobs_logger(
    make_queue: MakeQueue,
    drive: Drive,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="editor.jobs")
    queue = make_queue(log=JobLog(file=False, stderr=True))
    queue.submit(ScriptedJob("hello"))
    drive(queue)
    assert queue.log.flush()
    err = capsys.readouterr().err.splitlines()
    assert json.loads(err[-1])["job"] == "hello"
    assert json.loads(caplog.records[-1].getMessage())["outcome"] == "succeeded"


def test_an_unopenable_log_file_warns_on_stderr_and_the_queue_carries_on(
    make_queue: MakeQueue, drive: Drive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    log = JobLog(blocker / "logs", stderr=True)
    assert log.path is None
    assert log.flush()
    warning = json.loads(capsys.readouterr().err.splitlines()[0])
    assert (warning["event"], warning["level"]) == ("log_file_unavailable", "warning")
    queue = make_queue(log=log)
    job_id = queue.submit(ScriptedJob())
    drive(queue)
    assert queue.record(job_id).state is JobState.SUCCEEDED


def test_the_unopenable_warning_reaches_stderr_even_without_a_stderr_handler(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    JobLog(blocker, stderr=False).close()
    assert "cannot open job log" in capsys.readouterr().err


def test_the_log_file_rotates_and_stays_bounded(tmp_path: Path) -> None:
    log = JobLog(tmp_path, stderr=False, max_bytes=2000, backup_count=2)
    try:
        for n in range(200):
            log.event(logging.INFO, "filler", n=n, ts=0.0)
    finally:
        log.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["jobs.log", "jobs.log.1", "jobs.log.2"]
    assert all((tmp_path / f).stat().st_size <= 2000 for f in files)
    log.close()  # twice is fine


def test_the_default_directory_is_the_user_state_location() -> None:
    QStandardPaths.setTestModeEnabled(True)
    try:
        state = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.GenericStateLocation
        )
        assert default_log_dir() == Path(state) / "strata"
    finally:
        QStandardPaths.setTestModeEnabled(False)
