"""`strata recover` and `strata history` through the real console script, after a real
kill -9 of a journaling process (tests/journal/child.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from editor.io.format import load, save
from editor.journal import Journal
from editor.model import Document, rect
from tests.journal.killrun import crash
from tests.journal.script import base_snapshot, states, write_base

STRATA = Path(sys.executable).with_name("strata")


def journal_in(home: Path) -> Path:
    """Where `strata` keeps its journal with XDG_DATA_HOME=home (AppDataLocation)."""
    return home / "Strata" / "Strata" / "journal.sqlite3"


def run(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(home)}
    return subprocess.run([str(STRATA), *map(str, args)], capture_output=True, text=True,
                          timeout=60, check=False, env=env)  # fmt: skip


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_list_write_out_and_discard_a_crashed_document(home: Path, tmp_path: Path) -> None:
    path = write_base(tmp_path)
    crash(journal_in(home), path, 3, 50)
    listed = run(home, "recover", "--list")
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    assert f"  drawing.strata  {path.resolve()}  " in line and "unsaved change" in line
    assert "last change 20" in line
    out = tmp_path / "out.strata"
    wrote = run(home, "recover", path, "-o", out)
    assert wrote.returncode == 0, wrote.stderr
    assert wrote.stdout.startswith(f"wrote {out}")
    assert load(out) == states(3, 50)[-1][0]
    assert load(path) == base_snapshot()  # the file itself is untouched
    gone = run(home, "recover", "--discard", path)
    assert (gone.returncode, gone.stdout) == (0, "discarded the recovery of drawing.strata\n")
    assert run(home, "recover", "--list").stdout == ""
    again = run(home, "recover", path, "-o", out)
    assert again.returncode == 1
    assert again.stderr == f"strata recover: error: nothing to recover for {path}\n"


def test_an_untitled_document_is_named_by_its_id(home: Path, tmp_path: Path) -> None:
    crash(journal_in(home), "-", 4, 30)
    [line] = run(home, "recover", "--list").stdout.splitlines()
    doc_id = line.split()[0]
    assert "  Untitled  (untitled)  " in line
    out = tmp_path / "u.strata"
    assert run(home, "recover", doc_id, "-o", out).returncode == 0
    assert load(out) == states(4, 30)[-1][0]
    assert run(home, "recover", "--discard", doc_id).returncode == 0
    assert run(home, "recover", "--list").stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give --list, or FILE with -o OUT.strata or --discard"),
        (("--list", "x.strata"), "--list takes no FILE, -o or --discard"),
        (("x.strata",), "give FILE either -o OUT.strata or --discard"),
        (
            ("x.strata", "-o", "o.strata", "--discard"),
            "give FILE either -o OUT.strata or --discard",
        ),
        (("x.strata", "-o", "out.png"), "OUT must be a .strata file, not 'out.png'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(home: Path, args: tuple[str, ...],
                                           message: str) -> None:  # fmt: skip
    result = run(home, "recover", *args)
    assert result.returncode == 2
    assert result.stderr == f"strata recover: error: {message}\n"


def test_an_unwritable_output_is_one_line_and_exit_1(home: Path, tmp_path: Path) -> None:
    path = write_base(tmp_path)
    crash(journal_in(home), path, 5, 20)
    result = run(home, "recover", path, "-o", tmp_path / "missing" / "out.strata")
    assert result.returncode == 1
    assert result.stderr.startswith("strata recover: error: ")
    assert "was not written" in result.stderr and result.stderr.count("\n") == 1


def test_a_damaged_journal_lists_nothing_and_says_so(home: Path) -> None:
    db = journal_in(home)
    db.parent.mkdir(parents=True)
    db.write_bytes(b"not a database" * 100)
    result = run(home, "recover", "--list")
    assert result.returncode == 0 and result.stdout == ""


def test_history_lines_and_json(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "drawing.strata"
    save(path, Document(shapes=[rect("a", 0, 0, 10, 10)]).snapshot())
    crash(journal_in(home), path, 6, 40)  # the crashed session's history is kept too
    journal = Journal(journal_in(home))
    try:
        rebuilt = journal.load(journal.documents()[0].id)
    finally:
        journal.close()
    result = run(home, "history", path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(rebuilt.steps)
    first = lines[0].split("  ")
    assert first[0] == "1" and first[1] == rebuilt.steps[0].label()
    assert first[2].startswith("20")
    envelopes = json.loads(run(home, "history", path, "--json").stdout)
    assert isinstance(envelopes, list) and envelopes
    assert all(set(e) == {"type", "payload"} for e in envelopes)
    assert len(envelopes) == sum(len(s.commands) for s in rebuilt.steps[: rebuilt.index])
    missing = run(home, "history", tmp_path / "never.strata")
    assert missing.returncode == 1
    assert (
        missing.stderr
        == f"strata history: error: no history kept for {tmp_path / 'never.strata'}\n"
    )
