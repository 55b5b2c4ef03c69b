"""`strata replay` through the real console script: good, dry run, offset, each failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from editor.commands import command_from_json
from editor.io.format import MAX_FILE_SIZE, load
from editor.model import Document

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "editor" / "samples" / "shapes.strata"
STRATA = Path(sys.executable).with_name("strata")

COMMANDS: list[dict[str, Any]] = [
    {"type": "move_shapes", "payload": {"ids": ["a1", "a2"], "dx": 10, "dy": 5}},
    {"type": "set_style", "payload": {"ids": ["a1"], "prop": "fill", "value": "#00ff00"}},
    {"type": "delete_shapes", "payload": {"ids": ["a3"]}},
    {"type": "move_shapes", "payload": {"ids": ["a2", "a4"], "dx": -3, "dy": 0}},
    {"type": "edit_text",
     "payload": {"id": "a4", "position": 0, "removed": "Hello", "inserted": "Bye"}},
    {"type": "reorder", "payload": {"ids": ["a1"], "mode": "front"}},
]  # fmt: skip


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(STRATA), "replay", *map(str, args)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def expected(commands: list[dict[str, Any]], start: Path = SAMPLE) -> Document:
    snapshot = load(start)
    doc = Document(snapshot.page, snapshot.shapes)
    for envelope in commands:
        command_from_json(envelope).do(doc)
    return doc


def write(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    doc = tmp_path / "doc.strata"
    doc.write_bytes(SAMPLE.read_bytes())
    return write(tmp_path / "commands.json", COMMANDS), doc, tmp_path / "out.strata"


def assert_one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_replay_writes_the_document_after_every_command(files: tuple[Path, Path, Path]) -> None:
    commands, doc, out = files
    result = run(commands, doc, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out}\n" and result.stderr == ""
    assert load(out) == expected(COMMANDS).snapshot()
    assert load(doc) == load(SAMPLE)  # DOC itself is untouched
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []  # no temps


def test_out_may_be_doc_itself(files: tuple[Path, Path, Path]) -> None:
    commands, doc, _ = files
    assert run(commands, doc, "-o", doc).returncode == 0
    assert load(doc) == expected(COMMANDS).snapshot()


def test_dry_run_prints_one_line_per_command_and_writes_nothing(
    files: tuple[Path, Path, Path],
) -> None:
    commands, doc, out = files
    result = run(commands, doc, "-o", out, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "0  move_shapes  Move 2 Shapes",
        "1  set_style  Change Fill of Rectangle",
        "2  delete_shapes  Delete Line",
        "3  move_shapes  Move 2 Shapes",
        "4  edit_text  Edit Text",
        "5  reorder  Bring to Front Rectangle",
    ]
    assert not out.exists()
    assert run(commands, doc, "--dry-run").returncode == 0  # -o is optional with --dry-run


def test_from_offset_skips_the_first_commands(files: tuple[Path, Path, Path]) -> None:
    commands, doc, out = files
    result = run(commands, doc, "-o", out, "--from-offset", "2")
    assert result.returncode == 0, result.stderr
    assert load(out) == expected(COMMANDS[2:]).snapshot()
    dry = run(commands, doc, "--dry-run", "--from-offset", "4")
    assert dry.stdout.splitlines() == [
        "4  edit_text  Edit Text",
        "5  reorder  Bring to Front Rectangle",
    ]
    everything = run(commands, doc, "-o", out, "--from-offset", str(len(COMMANDS)))
    assert everything.returncode == 0 and load(out) == load(SAMPLE)


def test_a_failed_command_names_its_index_and_how_to_resume(files: tuple[Path, Path, Path]) -> None:
    commands, doc, out = files
    bad = [*COMMANDS[:3], {"type": "move_shapes", "payload": {"ids": ["x9"], "dx": 1, "dy": 1}}]
    write(commands, [*bad, *COMMANDS[3:]])
    for dry in ((), ("--dry-run",)):
        result = run(commands, doc, "-o", out, *dry)
        line = assert_one_line(result, 1)
        assert line == (
            "strata replay: error: command 3: move_shapes: no shape with id 'x9'; "
            "fix it, or resume after it with --from-offset 4"
        )
        assert not out.exists()
    # The way out the line gives works: DOC with the first commands applied, from 4 on.
    partial = write(doc.parent / "partial.json", COMMANDS[:3])
    assert run(partial, doc, "-o", doc).returncode == 0
    assert run(commands, doc, "-o", out, "--from-offset", "4").returncode == 0
    assert load(out) == expected(COMMANDS).snapshot()


@pytest.mark.parametrize(
    ("envelope", "problem"),
    [
        ({"type": "warp", "payload": {}}, "type: unknown command type 'warp' (known: add_shapes"),
        ({"type": "move_shapes", "payload": {"ids": ["a1"], "dx": "far", "dy": 0}},
         "move_shapes: payload.dx: Expected `float`, got `str`"),
        ({"type": "move_shapes", "payload": {"ids": ["a1"], "dy": 0}},
         "move_shapes: payload: Object missing required field `dx`"),
        ({"type": "move_shapes"}, "payload: expected an object, got null"),
        ([1, 2], "expected an object with 'type' and 'payload', got list"),
        ({"type": "move_shapes", "payload": {"ids": ["a1"], "dx": 1, "dy": 1, "_after": []}},
         "move_shapes: payload: unknown field '_after'"),
        ({"type": "edit_text",
          "payload": {"id": "a1", "position": 0, "removed": "", "inserted": "x"}},
         "edit_text: shape 'a1' is not a text box"),
        ({"type": "w\x1b[2J\u202e" + "x" * 500, "payload": {}},
         "type: unknown command type 'w\\x1b[2J\\u202exxx"),
    ],
)  # fmt: skip
def test_each_bad_envelope_is_one_line_and_nothing_is_written(
    files: tuple[Path, Path, Path], envelope: object, problem: str
) -> None:
    commands, doc, out = files
    write(commands, [COMMANDS[0], envelope, COMMANDS[1]])
    line = assert_one_line(run(commands, doc, "-o", out), 1)
    assert line.startswith(f"strata replay: error: command 1: {problem}"), line
    assert line.endswith("; fix it, or resume after it with --from-offset 2"), line
    assert line.isprintable() and len(line) < 300
    assert not out.exists()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"type": "move_shapes"}', "top level: expected an array of commands, got an object"),
        (b"[", "line 1, column 2: unexpected end of file (the JSON is truncated)"),
        (b"[" * 100_000 + b"]" * 100_000, "top level: JSON nested too deeply"),
        (b'[{"type": "reorder", "payload": {"ids": ["a1"], "mode": "front", "mode": "back"}}]',
         'command 0: payload: duplicate key "mode"'),
        (b"", "the file is empty"),
        (b"[1, NaN]", "line 1, column 5: NaN and Infinity are not allowed in JSON"),
        (b"[\xff]", "line 1, column 2: bytes that are not valid UTF-8 (is this a text file?)"),
    ],
)  # fmt: skip
def test_a_bad_commands_file_gets_the_loaders_located_error(
    files: tuple[Path, Path, Path], data: bytes, problem: str
) -> None:
    commands, doc, out = files
    commands.write_bytes(data)
    line = assert_one_line(run(commands, doc, "-o", out), 1)
    assert line == f"strata replay: error: {commands}: {problem}"
    assert not out.exists()


def test_a_huge_commands_file_is_refused_before_reading(files: tuple[Path, Path, Path]) -> None:
    commands, doc, out = files
    with commands.open("wb") as f:
        f.truncate(MAX_FILE_SIZE + 1)  # sparse: no 200 MB written
    line = assert_one_line(run(commands, doc, "-o", out), 1)
    too_large = "file is too large (200 MB; the limit is 200 MB)"
    assert line == f"strata replay: error: {commands}: {too_large}"
    assert not out.exists()


def test_a_bad_document_or_missing_files(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    commands, doc, out = files
    doc.write_text('{"format": "strata"}', encoding="utf-8")
    line = assert_one_line(run(commands, doc, "-o", out), 1)
    assert line == f'strata replay: error: {doc}: top level: missing required field "version"'
    missing = assert_one_line(run(tmp_path / "nope.json", SAMPLE, "-o", out), 1)
    assert missing == f"strata replay: error: {tmp_path / 'nope.json'}: no such file"
    assert not out.exists()


def test_an_unwritable_output_is_one_line(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    commands, doc, _ = files
    out = tmp_path / "no-such-folder" / "out.strata"
    line = assert_one_line(run(commands, doc, "-o", out), 1)
    assert line.startswith(f"strata replay: error: {out} was not written: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "the following arguments are required"),
        (("c.json", "d.strata"), "-o OUT.strata is required (or --dry-run to write nothing)"),
        (("c.json", "d.strata", "-o", "o.strata", "--from-offset", "-1"), "expected a number >= 0"),
        (("c.json", "d.strata", "-o", "o.strata", "--from-offset", "x"), "expected a whole number"),
        (("c.json", "d.strata", "-o", "o.strata", "--bogus"), "unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2, result
    assert message in result.stderr and "Traceback" not in result.stderr


def test_an_offset_past_the_end_is_a_usage_error(files: tuple[Path, Path, Path]) -> None:
    commands, doc, out = files
    line = assert_one_line(run(commands, doc, "-o", out, "--from-offset", "7"), 2)
    assert line == (
        f"strata replay: error: --from-offset 7 is past the end of {commands} (6 commands)"
    )


def test_replay_needs_no_display_or_qt_platform(files: tuple[Path, Path, Path]) -> None:
    commands, doc, out = files
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [str(STRATA), "replay", str(commands), str(doc), "-o", str(out)],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
