"""A damaged, locked or full journal never stops Strata: it says why once, keeps a copy of
a bad file, and (where it can) starts a fresh journal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from editor.commands import AddShapes, MoveShapes
from editor.journal import Journal
from editor.model import Document, rect

from .helpers import recorded


def _filled(path: Path, steps: int = 300) -> None:
    journal = Journal(path)
    history, _ = recorded(journal, Document(), path.with_name("d.strata"), "0" * 64)
    history.push(AddShapes(tuple(rect(f"r{i}", i, 0, 5, 5) for i in range(50))))
    for n in range(steps):
        history.push(MoveShapes((f"r{n % 50}",), 1, 0, joinable=False))
    journal.close()


def _works(journal: Journal) -> None:
    """A journal that is available records and reads back."""
    history, recorder = recorded(journal, Document())
    history.push(AddShapes((rect("x", 0, 0, 1, 1),)))
    assert journal.flush()
    assert journal.document(recorder.doc_id) is not None


def _copies(path: Path) -> list[Path]:
    found = path.parent.glob(path.name + ".corrupt-*")
    return sorted(p for p in found if not p.name.endswith(("-wal", "-shm")))


def test_garbage_file_is_kept_aside_and_a_fresh_journal_starts(
    qapp: object, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite3"
    garbage = b"this is not a database, just some bytes\n" * 200
    path.write_bytes(garbage)
    journal = Journal(path)
    try:
        assert journal.problem is not None and "damaged" in journal.problem
        [copy] = _copies(path)
        assert copy.read_bytes() == garbage
        assert copy.name in journal.problem
        assert journal.available
        _works(journal)
    finally:
        journal.close()


def test_truncated_file_is_kept_aside_and_a_fresh_journal_starts(
    qapp: object, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite3"
    _filled(path)
    data = path.read_bytes()
    assert len(data) > 8192
    path.write_bytes(data[: len(data) // 2])
    journal = Journal(path)
    try:
        assert journal.problem is not None and "damaged" in journal.problem
        [copy] = _copies(path)
        assert copy.read_bytes() == data[: len(data) // 2]
        assert journal.available
        _works(journal)
    finally:
        journal.close()


def test_a_good_file_is_not_called_damaged(qapp: object, tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    _filled(path)
    journal = Journal(path)
    try:
        assert journal.problem is None and _copies(path) == []
        [info] = journal.documents()
        assert info.changes == 301
    finally:
        journal.close()


def test_a_locked_database_leaves_the_journal_off_and_the_file_alone(
    qapp: object, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite3"
    _filled(path, 5)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        journal = Journal(path, timeout_ms=50)
        try:
            assert journal.problem is not None and "locked" in journal.problem
            assert not journal.available
            history, recorder = recorded(journal, Document())
            history.push(AddShapes((rect("x", 0, 0, 1, 1),)))  # editing goes on
            assert len(history.document) == 1
            recorder.close()
        finally:
            journal.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _copies(path) == []
    again = Journal(path)
    try:
        assert again.problem is None and len(again.documents()) == 1
    finally:
        again.close()


def test_a_full_disk_stops_journaling_says_so_once_and_keeps_a_prefix(
    qapp: object, tmp_path: Path
) -> None:
    said: list[str] = []
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path, on_problem=said.append, max_pages=14)
    try:
        history, recorder = recorded(journal, Document())
        history.push(AddShapes(tuple(rect(f"r{i}", i, 0, 5, 5) for i in range(20))))
        for n in range(3000):
            history.push(MoveShapes((f"r{n % 20}",), 1, 0, joinable=False))
            if n % 100 == 0:
                journal.flush()
        assert len(history.document) == 20  # editing went on
        journal.flush()
        assert said == ["the disk is full"]
        assert journal.problem == "the disk is full" and not journal.available
        rebuilt = journal.load(recorder.doc_id)
        assert 0 < len(rebuilt.steps) < 3001  # a prefix of what was pushed
    finally:
        journal.close()


def test_a_journal_from_a_newer_strata_is_left_alone(qapp: object, tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    journal = Journal(path)
    try:
        assert journal.problem is not None and "newer Strata" in journal.problem
        assert not journal.available and _copies(path) == []
    finally:
        journal.close()


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_an_unusable_folder_leaves_the_journal_off(qapp: object, tmp_path: Path,
                                                   kind: str) -> None:  # fmt: skip
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    path = blocker / "journal.sqlite3" if kind == "folder" else tmp_path / "dir.sqlite3"
    if kind == "file":
        path.mkdir()
    journal = Journal(path)
    try:
        assert journal.problem is not None and not journal.available
        _, recorder = recorded(journal, Document())
        recorder.close()
    finally:
        journal.close()
