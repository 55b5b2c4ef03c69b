"""`strata jobs` and the failures `strata export` keeps: real processes on one database.

Each test has its own XDG_DATA_HOME (the journal's database, with the job store's
tables) and XDG_STATE_HOME (the job log), shared by every `strata` it starts: a
failure kept by one process is retried or discarded by the next.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_export import SAMPLE
from tests.cli.test_recover import journal_in

STRATA = Path(sys.executable).with_name("strata")


def strata(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state")}  # fmt: skip
    return subprocess.run([str(STRATA), *map(str, args)], capture_output=True, text=True,
                          timeout=120, check=False, env=env)  # fmt: skip


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in lines[0]
    return lines[0]


def failed_export(tmp_path: Path, out: Path) -> int:
    """Export SAMPLE to `out` in a folder that does not exist; the kept job's id."""
    result = strata(tmp_path, "export", SAMPLE, "-o", out)
    assert result.returncode == 1
    line = one_line(result)
    assert "no longer exists" in line and "Kept as job " in line, line
    return int(line.split("Kept as job ")[1].split(":")[0])


def snapshots(tmp_path: Path) -> list[Path]:
    return sorted((journal_in(tmp_path / "data").parent / "job-snapshots").glob("*.strata"))


def test_a_failed_export_is_kept_listed_and_retried_by_the_next_process(tmp_path: Path) -> None:
    folder = tmp_path / "later"
    out = folder / "out.svg"
    job_id = failed_export(tmp_path, out)
    assert len(snapshots(tmp_path)) == 1  # what the retry will draw
    listed = strata(tmp_path, "jobs", "--dead")
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    assert line.startswith(f"{job_id}  dead  export  Export SVG out.svg  1 attempt  20")
    assert line.endswith(f"The folder {folder} no longer exists. Choose another output file "
                         "(-o).")  # fmt: skip
    (row,) = json.loads(strata(tmp_path, "jobs", "--dead", "--json").stdout)
    assert (row["id"], row["state"], row["kind"], row["target"]) == (job_id, "dead", "export",
                                                                     str(out))  # fmt: skip
    assert row["error"]["type"] == "FileNotFoundError" and row["error"]["errno"] == 2
    assert row["envelope"]["type"] == "export" and row["envelope"]["payload"]["format"] == "svg"

    folder.mkdir()
    retried = strata(tmp_path, "jobs", "retry", str(job_id))
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout == f"job {job_id} (Export SVG out.svg) succeeded\n"
    assert out.read_bytes().startswith(b"<?xml")
    assert strata(tmp_path, "jobs", "--dead").stdout == ""
    (done,) = strata(tmp_path, "jobs").stdout.splitlines()
    assert done.startswith(f"{job_id}  succeeded  export  Export SVG out.svg  1 attempt  ")
    assert snapshots(tmp_path) == []  # it will not run again: its snapshot is gone


def test_discard_one_or_all_and_retry_all_that_fail_again(tmp_path: Path) -> None:
    folder = tmp_path / "missing"
    a = failed_export(tmp_path, folder / "a.svg")
    b = failed_export(tmp_path, folder / "b.svg")
    c = failed_export(tmp_path, folder / "c.pdf")
    assert a < b < c
    gone = strata(tmp_path, "jobs", "discard", str(b))
    assert (gone.returncode, gone.stdout) == (0, f"discarded job {b} (Export SVG b.svg)\n")
    again = strata(tmp_path, "jobs", "retry", "--all")  # the folder is still missing
    assert again.returncode == 1 and again.stdout == ""
    lines = again.stderr.splitlines()
    assert [line.split(" failed again")[0] for line in lines] == [
        f"strata jobs retry: error: job {a} (Export SVG a.svg)",
        f"strata jobs retry: error: job {c} (Export PDF c.pdf)",
    ]
    assert all("(1 attempt): The folder" in line for line in lines), lines
    listed = [json.loads(strata(tmp_path, "jobs", "--dead", "--json").stdout)]
    assert [r["id"] for r in listed[0]] == [a, c]
    everything = strata(tmp_path, "jobs", "discard", "--all")
    assert (everything.returncode, everything.stdout) == (0, "discarded 2 dead letters\n")
    assert strata(tmp_path, "jobs", "--dead").stdout == ""
    assert snapshots(tmp_path) == []
    assert strata(tmp_path, "jobs", "retry", "--all").stdout == "no dead letters\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("retry",), "strata jobs retry: error: give a job ID or --all (not both)"),
        (("discard", "3", "--all"),
         "strata jobs discard: error: give a job ID or --all (not both)"),
        (("retry", "seven"),
         "strata jobs retry: error: job ID must be a whole number, not 'seven'"),
        (("--json", "discard", "3"),
         "strata jobs discard: error: --dead and --json go with 'strata jobs' alone"),
        (("retry", "--all", "--timeout", "nan"),
         "strata jobs retry: error: --timeout must be a number of seconds > 0 and at most 604800"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = strata(tmp_path, "jobs", *args)
    assert result.returncode == 2 and result.stdout == ""
    assert one_line(result) == message


def test_an_unknown_id_is_one_line_and_exit_1(tmp_path: Path) -> None:
    for action in ("retry", "discard"):
        result = strata(tmp_path, "jobs", action, "99")
        assert result.returncode == 1
        assert one_line(result) == (
            f"strata jobs {action}: error: job 99 is not a dead letter (see 'strata jobs --dead')"
        )


def test_a_locked_database_is_one_line_and_a_failed_export_is_not_kept(tmp_path: Path) -> None:
    db = journal_in(tmp_path / "data")
    assert strata(tmp_path, "jobs").returncode == 0  # creates the database
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds it
    try:
        listed = strata(tmp_path, "jobs")
        assert listed.returncode == 1
        assert one_line(listed).startswith(
            "strata jobs: error: job history is unavailable: the recovery database is locked"
        )
        out = tmp_path / "missing" / "out.svg"
        result = strata(tmp_path, "export", SAMPLE, "-o", out)
        assert result.returncode == 1
        assert "Kept as job" not in one_line(result)  # the export ran in memory
        good = strata(tmp_path, "export", SAMPLE, "-o", tmp_path / "fine.svg")
        assert good.returncode == 0, good.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert strata(tmp_path, "jobs").stdout == ""
