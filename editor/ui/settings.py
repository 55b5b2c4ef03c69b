"""What Strata remembers between runs, in QSettings: window geometry, dock layout, recent
files, the last folder, the undo limit, the retry window for saves and what Publish
writes for each document. Tests pass their own QSettings (an INI file in a temporary
folder) so they never read or write the person's settings."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from editor.jobs import RetryPolicy
from editor.jobs.retry import DEFAULT_POLICY, MAX_SECONDS
from editor.journal import DEFAULT_MAX_ENTRIES

MAX_RECENT = 10
#: The longest retry window Preferences offers for saves (an hour).
MAX_SAVE_RETRY_WINDOW = 3600


class Settings:
    """Typed access to the application's QSettings."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings()

    # ---------------------------------------------------------------- window
    def geometry(self) -> QByteArray | None:
        value = self.store.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self.store.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.store.setValue("window/geometry", geometry)
        self.store.setValue("window/state", state)

    # ---------------------------------------------------------------- files
    def recent_files(self) -> list[Path]:
        value = self.store.value("files/recent", [])
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [Path(p) for p in items if isinstance(p, str) and p][:MAX_RECENT]

    def add_recent(self, path: Path) -> None:
        path = path.resolve()
        items = [p for p in self.recent_files() if p != path]
        self.store.setValue("files/recent", [str(p) for p in [path, *items][:MAX_RECENT]])

    def remove_recent(self, path: Path) -> None:
        items = [p for p in self.recent_files() if p != path.resolve() and p != path]
        self.store.setValue("files/recent", [str(p) for p in items])

    def clear_recent(self) -> None:
        self.store.setValue("files/recent", [])

    def last_directory(self) -> str:
        """The folder a file was last opened from or saved or exported to, if it still
        exists; else the home folder (never the folder Strata was started in)."""
        value = self.store.value("files/last_directory", "")
        if isinstance(value, str) and value and Path(value).is_absolute() and Path(value).is_dir():
            return value
        return str(Path.home())

    def set_last_directory(self, path: Path) -> None:
        self.store.setValue("files/last_directory", str(path))

    # ---------------------------------------------------------------- editing
    def undo_limit(self) -> int:
        """0 means unlimited (the default)."""
        value = self.store.value("editing/undo_limit", 0)
        try:
            return max(0, int(str(value)))
        except (TypeError, ValueError):
            return 0

    def set_undo_limit(self, limit: int) -> None:
        self.store.setValue("editing/undo_limit", max(0, limit))

    # ---------------------------------------------------------------- journal
    def keep_history(self) -> bool:
        """Preferences: keep a file's history after closing it (default on)."""
        value = self.store.value("journal/keep_history", True)
        return value not in (False, "false", "0", 0)

    def set_keep_history(self, keep: bool) -> None:
        self.store.setValue("journal/keep_history", bool(keep))

    def journal_max_entries(self) -> int:
        """Preferences: journal entries kept per document (default 10,000)."""
        value = self.store.value("journal/max_entries", DEFAULT_MAX_ENTRIES)
        try:
            return max(100, int(str(value)))
        except (TypeError, ValueError):
            return DEFAULT_MAX_ENTRIES

    def set_journal_max_entries(self, n: int) -> None:
        self.store.setValue("journal/max_entries", max(100, int(n)))

    # ---------------------------------------------------------------- saving
    def save_retry_window(self) -> int:
        """Seconds a failed save keeps being retried; 0 means the default policy (five
        attempts within about 7 s, see editor.jobs.retry)."""
        value = self.store.value("jobs/save_retry_window", 0)
        try:
            seconds = int(str(value))
        except (TypeError, ValueError):
            return 0
        return min(max(0, seconds), MAX_SAVE_RETRY_WINDOW)

    def set_save_retry_window(self, seconds: int) -> None:
        self.store.setValue("jobs/save_retry_window", min(max(0, seconds), MAX_SAVE_RETRY_WINDOW))

    def save_retry_policy(self) -> RetryPolicy:
        """The retry policy a save is submitted with (read at each save)."""
        seconds = self.save_retry_window()
        return RetryPolicy.within(min(seconds, MAX_SECONDS)) if seconds else DEFAULT_POLICY

    # ---------------------------------------------------------------- publishing
    def publish_choice(self, document: Path) -> str | None:
        """What File > Publish… last wrote for `document` (editor.ui.publish_dialog's
        text), or None.

        Kept here, keyed by the document's resolved path, not in the document: which
        files a person writes beside a drawing, and where, is their choice on this
        machine (absolute paths, their folders), not part of the drawing; a file sent
        to someone else should not carry it, and the file format stays as it is. A
        moved or renamed document starts from the default again."""
        value = self.store.value(_publish_key(document))
        return value if isinstance(value, str) else None

    def set_publish_choice(self, document: Path, text: str) -> None:
        self.store.setValue(_publish_key(document), text)

    def sync(self) -> None:
        self.store.sync()


def _publish_key(document: Path) -> str:
    # A digest: a path's slashes would make QSettings groups, and its length no limit.
    digest = hashlib.sha256(str(document.resolve()).encode("utf-8", "surrogatepass"))
    return f"publish/{digest.hexdigest()[:32]}"
