"""`strata check`: exit codes and one-line messages, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.io.test_format import BAD_FILES

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "editor" / "samples"
STRATA = Path(sys.executable).with_name("strata")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(STRATA), *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def test_console_script_and_module_agree() -> None:
    sample = SAMPLES / "shapes.strata"
    by_script = run("check", sample)
    by_module = subprocess.run(
        [sys.executable, "-m", "editor", "check", str(sample)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert by_script.returncode == by_module.returncode == 0
    assert by_script.stdout == by_module.stdout == "ok: 4 shapes\n"


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.strata")), ids=lambda p: p.name)
def test_samples_are_accepted(sample: Path) -> None:
    result = run("check", sample)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ") and result.stderr == ""


def test_every_bad_case_is_rejected_with_one_line(tmp_path: Path) -> None:
    for case, data, _ in BAD_FILES:
        bad = tmp_path / "bad.strata"
        bad.write_bytes(data)
        result = run("check", bad)
        assert result.returncode == 1, case
        assert result.stdout == "", case
        lines = result.stderr.splitlines()
        assert len(lines) == 1, (case, result.stderr)
        assert lines[0].startswith(f"strata: error: {bad}: "), (case, lines[0])
        assert "Traceback" not in result.stderr


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = run("check", tmp_path / "nope.strata")
    assert missing.returncode == 1
    assert missing.stderr.strip().endswith("nope.strata: no such file")
    directory = run("check", tmp_path)
    assert directory.returncode == 1
    assert "is a directory" in directory.stderr


def test_singular_summary(tmp_path: Path) -> None:
    one = tmp_path / "one.strata"
    one.write_text(json.dumps({"format": "strata", "version": 1,
        "page": {"width": 10, "height": 10, "background": "#ffffff"},
        "shapes": [{"id": "x", "type": "line", "x1": 0, "y1": 0, "x2": 1, "y2": 1,
                    "stroke": None, "stroke_width": 1, "opacity": 1}]}))  # fmt: skip
    assert run("check", one).stdout == "ok: 1 shape\n"


@pytest.mark.parametrize(
    "args", [["check"], ["check", "a", "b"], ["export", "a.strata"], ["--bogus"], ["a", "b"]]
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "usage:" in result.stderr
