"""`strata export` says what went wrong in one line: exit 2 for usage, 1 for a failed job.

Issue 9: a page larger than 32,767 px exported to PNG, `--scale 1000`, `--scale 2` with
an SVG target and `--timeout 0 / -1 / nan / inf` each printed a 13-26-line traceback.
Issue 8 item 7: a failed export printed "[Errno 2] folder does not exist"; it now names
the place and the way out, and the job log keeps the type, errno and traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_export import SAMPLE, log_lines, run

TECHNICAL = ("Traceback", "Errno", "Error:", "OSError")


def big_page(tmp_path: Path) -> Path:
    page = {"width": 40_000, "height": 600, "background": "#ffffff"}
    doc = {"format": "strata", "version": 1, "page": page, "shapes": []}
    path = tmp_path / "big.strata"
    path.write_text(json.dumps(doc))
    return path


def one_line(result: object) -> str:
    stderr = result.stderr  # type: ignore[attr-defined]
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert not any(word in lines[0] for word in ("Traceback", 'File "')), stderr
    return str(lines[0])


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--scale", "1000"], "too large"),
        (["--scale", "2", "-o", "OUT.svg"], "scale applies to PNG only"),
        (["--timeout", "0"], "--timeout"),
        (["--timeout", "-1"], "--timeout"),
        (["--timeout", "nan"], "--timeout"),
        (["--timeout", "inf"], "--timeout"),
        (["--timeout", "1e12"], "--timeout"),
        (["--scale", "nan"], "--scale"),
        (["--scale", "inf"], "--scale"),
    ],
)
def test_impossible_requests_are_usage_errors_in_one_line(
    tmp_path: Path, args: list[str], words: str
) -> None:
    out = tmp_path / "out.png"
    args = [str(tmp_path / "out.svg") if a == "OUT.svg" else a for a in args]
    if "-o" not in args:
        args = [*args, "-o", str(out)]
    result = run(tmp_path, SAMPLE, *args)
    line = one_line(result)
    assert result.returncode == 2, line
    assert line.startswith("strata export: error: ") and words in line, line
    assert result.stdout == ""
    assert not out.exists()


def test_a_page_too_large_for_a_png_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    result = run(tmp_path, big_page(tmp_path), "-o", out)
    line = one_line(result)
    assert result.returncode == 2
    assert "40000x600 px image is too large" in line and "32767" in line, line
    assert not out.exists()
    svg = run(tmp_path, big_page(tmp_path), "-o", tmp_path / "out.svg")  # vector: fine
    assert svg.returncode == 0, svg.stderr


def test_a_missing_output_folder_names_it_and_the_way_out(tmp_path: Path) -> None:
    folder = tmp_path / "no" / "such"
    out = folder / "out.png"
    result = run(tmp_path, SAMPLE, "-o", out)
    assert result.returncode == 1
    assert one_line(result) == (
        f"strata export: error: {out} was not written (1 attempt): "
        f"The folder {folder} no longer exists. Choose another output file (-o). Kept as "
        "job 1: retry it with 'strata jobs retry 1' or from the Jobs panel."
    )
    (line,) = log_lines(tmp_path)  # the technical side is in the log
    error = line["error"]
    assert isinstance(error, dict)
    assert (error["type"], error["errno"], error["errno_name"]) == (
        "FileNotFoundError", 2, "ENOENT",
    )  # fmt: skip
    assert str(error["traceback"]).startswith("Traceback")


def test_an_output_under_a_file_says_the_parent_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x")
    result = run(tmp_path, SAMPLE, "-o", blocker / "out.png")
    assert result.returncode == 1
    line = one_line(result)
    assert f"{blocker} is a file, not a folder." in line, line
    assert not any(word in line for word in TECHNICAL), line
