"""`strata export`: run as a real subprocess, through the job queue, checked on disk.

The job log goes to `$XDG_STATE_HOME/strata/jobs.log`: each run gets its own HOME and
XDG_STATE_HOME under tmp_path so nothing lands in the real home directory.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "editor" / "samples" / "shapes.strata"
STRATA = Path(sys.executable).with_name("strata")


def run(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["HOME"] = str(tmp_path / "home")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    env["XDG_DATA_HOME"] = str(tmp_path / "state" / "data")  # the job store (journal db)
    return subprocess.run(
        [str(STRATA), "export", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def log_lines(tmp_path: Path) -> list[dict[str, object]]:
    log = tmp_path / "state" / "strata" / "jobs.log"
    return [json.loads(line) for line in log.read_text().splitlines()]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(
    ("suffix", "magic"), [("png", b"\x89PNG\r\n"), ("svg", b"<?xml"), ("pdf", b"%PDF-")]
)
def test_export_writes_the_file_and_says_where(tmp_path: Path, suffix: str, magic: bytes) -> None:
    out = tmp_path / f"shapes.{suffix}"
    result = run(tmp_path, SAMPLE, "-o", out)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"wrote {out.resolve()}\n"
    data = out.read_bytes()
    assert data.startswith(magic)
    if suffix == "svg":
        assert data.rstrip().endswith(b"</svg>")
    if suffix == "pdf":
        assert data.rstrip().endswith(b"%%EOF")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"shapes.{suffix}", "state"]
    (line,) = log_lines(tmp_path)  # the log went to XDG_STATE_HOME, not the real home
    assert (line["kind"], line["outcome"]) == ("export", "succeeded")


def test_scale_2_doubles_the_png(tmp_path: Path) -> None:
    one, two = tmp_path / "one.png", tmp_path / "two.png"
    assert run(tmp_path, SAMPLE, "-o", one).returncode == 0
    assert run(tmp_path, SAMPLE, "-o", two, "--scale", "2").returncode == 0
    width, height = png_size(one)
    assert png_size(two) == (2 * width, 2 * height)


@pytest.mark.parametrize("name", ["out.bmp", "out", "out.png.bak"])
def test_an_unknown_output_format_is_a_usage_error(tmp_path: Path, name: str) -> None:
    result = run(tmp_path, SAMPLE, "-o", tmp_path / name)
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("strata export: error: unknown output format")
    assert line.endswith("use .png, .svg or .pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # not even a job log


@pytest.mark.parametrize(
    "args", [["-o"], [], ["-o", "x.png", "--scale", "0"], ["-o", "x.png", "--scale", "big"]]
)
def test_bad_options_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    result = run(tmp_path, SAMPLE, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "error:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"garbage", "line 1, column 1: invalid JSON"),
        (b'{"format": "strata", "version": 99}', "newer version of Strata"),
        (None, "no such file"),
    ],
)
def test_a_bad_input_file_fails_with_one_line(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    bad = tmp_path / "bad.strata"
    if content is not None:
        bad.write_bytes(content)
    out = tmp_path / "out.png"
    result = run(tmp_path, bad, "-o", out)
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"strata: error: {bad}: ") and message in line
    assert not out.exists()


def test_a_missing_output_folder_fails_with_exactly_one_clean_line(tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "folder" / "out.png"
    result = run(tmp_path, SAMPLE, "-o", out)
    assert result.returncode == 1
    assert result.stdout == ""
    folder = tmp_path / "no" / "such" / "folder"
    assert result.stderr.splitlines() == [
        f"strata export: error: {out} was not written (1 attempt): "
        f"The folder {folder} no longer exists. Choose another output file (-o). Kept as "
        "job 1: retry it with 'strata jobs retry 1' or from the Jobs panel."
    ]  # one line: no traceback, no JSON log line (those need -v)
    assert not (tmp_path / "no").exists()
    (line,) = log_lines(tmp_path)  # the file log has the details
    assert (line["outcome"], line["level"]) == ("dead", "error")
    error = line["error"]
    assert isinstance(error, dict)
    assert error["type"] == "FileNotFoundError"
    assert error["message"] == f"[Errno 2] folder does not exist: '{folder}'"
    assert (error["timed_out"], error["errno"], error["errno_name"]) == (False, 2, "ENOENT")


def test_verbose_prints_the_job_log_lines_on_stderr(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "out.svg"
    result = run(tmp_path, SAMPLE, "-o", out, "-v")
    assert result.returncode == 1
    *logged, last = result.stderr.splitlines()
    assert [json.loads(line)["outcome"] for line in logged] == ["dead"]
    assert last.startswith(f"strata export: error: {out} was not written (1 attempt): ")
