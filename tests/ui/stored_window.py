"""Windows whose job queue is the app's: the SQLite job store in the journal's database.

`strata_window` gives each window an in-memory queue (tests stay isolated); these tests
need the queue the app builds, so they make the window as `editor.app.run` does and close
it themselves. A "restart" is a second window over the same database after the first
one closed (or a killed process: tests/ui/test_xcb.py).
"""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from editor.jobs import Job, JobContext
from editor.journal import Journal
from editor.ui.main_window import MainWindow
from editor.ui.settings import Settings

OpenWindow = Callable[..., MainWindow]


class Held(Job[str]):
    """Runs until its gate opens (then succeeds); not a kind the store can describe."""

    def __init__(self, name: str, gate: threading.Event, target: str | None = None) -> None:
        super().__init__(name, "held", key=f"held:{name}", target=target)
        self.gate = gate

    def run(self, context: JobContext) -> str:
        while not self.gate.wait(0.005):
            context.check()
        return self.name


def rows(db: Path) -> dict[int, tuple[str, str]]:
    """id -> (name, state) of every stored job, read with a connection of our own."""
    conn = sqlite3.connect(db)
    try:
        return {i: (n, s) for i, n, s in conn.execute("SELECT id, name, state FROM jobs")}
    finally:
        conn.close()


@pytest.fixture
def stored_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OpenWindow]:
    """`stored_window(db)`: a shown window whose own queue stores its jobs in `db`."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the job log's folder
    windows: list[MainWindow] = []

    def open_window(db: Path, *, messages: list[str] | None = None, **options: Any) -> MainWindow:
        """`messages` collects what the status bar shows, from before the window starts."""
        settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
        journal = options.pop("journal", None) or Journal(db)
        window = MainWindow(settings=settings, journal=journal, **options)
        windows.append(window)
        if messages is not None:
            window.statusBar().messageChanged.connect(messages.append)
        window.show()
        qtbot.waitExposed(window)
        return window

    yield open_window
    for window in windows:
        if window.isVisible():
            window.discard_and_close()
        window.deleteLater()


DEAD_OWNER = f"{socket.gethostname()}:999999999:1"  # a process of this machine, gone


class EarlierRun:
    """What an earlier Strata left in the database: rows written through a store of its
    own (owner: a process that is gone), with the app's save and export kinds."""

    def __init__(self, db: Path, owner: str = DEAD_OWNER) -> None:
        from editor.io.job_kinds import SnapshotStore, registry  # noqa: PLC0415
        from editor.jobs.sqlstore import SqliteJobStore  # noqa: PLC0415
        from editor.journal.store import connect  # noqa: PLC0415
        from editor.ui.job_history import snapshots_folder  # noqa: PLC0415

        self.journal = Journal(db)
        self.snapshots = SnapshotStore(snapshots_folder(db))
        self.kinds, _save, _export = registry(self.snapshots)
        self.store = SqliteJobStore(connect(db), self.journal.put, self.journal.flush,
                                    owner=owner)  # fmt: skip

    def export(self, snapshot: Any, out: Path, state: Any, **fields: Any) -> int:
        """An export of `snapshot` to `out` (SVG), left in `state`."""
        from editor.io.tasks import ExportJob  # noqa: PLC0415

        job = ExportJob(snapshot, out, "svg")
        envelope = self.kinds.envelope(job)
        job_id, _ = self.store.add(envelope, job.key, 1.0, name=job.name, kind=job.kind,
                                   target=job.target)  # fmt: skip
        if state.value != "queued":
            self.store.update(job_id, state, 2.0, **fields)
        return job_id

    def add(self, job: Any, state: Any, **fields: Any) -> int:
        """Any job of the app's kinds (a Publish step, say), left in `state`."""
        job_id, _ = self.store.add(self.kinds.envelope(job), job.key, 1.0, name=job.name,
                                   kind=job.kind, target=job.target)  # fmt: skip
        if state.value != "queued":
            self.store.update(job_id, state, 2.0, **fields)
        return job_id

    def close(self) -> None:
        self.store.flush()
        self.journal.close()
        self.store.close()
