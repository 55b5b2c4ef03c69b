"""A disk that fails on cue per file name, and one that blocks a file's writes: the
failure-injection seam (`editor.io.atomic.FileOps`) for the Publish tests."""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable

from editor.io.atomic import FileOps
from tests.jobs.fakes import GATE_LIMIT

Fault = Callable[[], BaseException] | None
"""A fault to raise, or None: this call works."""


def eio() -> OSError:
    return OSError(errno.EIO, os.strerror(errno.EIO))


def eacces() -> OSError:
    return PermissionError(errno.EACCES, os.strerror(errno.EACCES))


class NamedFaults(FileOps):
    """Each atomic write of a file named NAME takes the next fault of NAME's script
    (when a temp file is made for it); past the script, `after[NAME]` (None: works).

    Thread-safe: workers consume scripts while the test thread rewrites them.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[str, list[Fault]] = {}
        self._after: dict[str, Fault] = {}
        self.writes: dict[str, int] = {}

    def script(self, name: str, *faults: Fault) -> None:
        with self._lock:
            self._scripts[name] = list(faults)

    def deny(self, name: str, *, after: int = 0) -> None:
        """Every write of NAME from the (after+1)-th on: the folder is not writable."""
        with self._lock:
            self._scripts[name] = [None] * after
            self._after[name] = eacces

    def heal(self) -> None:
        with self._lock:
            self._scripts.clear()
            self._after.clear()

    def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
        name = prefix[1:-1]  # write_atomic's prefix is ".NAME."
        with self._lock:
            self.writes[name] = self.writes.get(name, 0) + 1
            script = self._scripts.get(name)
            fault = script.pop(0) if script else self._after.get(name)
        if fault is not None:
            raise fault()
        return super().mkstemp(directory, prefix)


class HeldFile(NamedFaults):
    """Writes of one file wait until `let_go` (the step is RUNNING until the test says)."""

    def __init__(self, name: str, then: Fault = None) -> None:
        """`then`: raised by the held write once let go (None: it goes on)."""
        super().__init__()
        self.name = name
        self.then = then
        self.writing = threading.Event()
        self._proceed = threading.Event()
        self._fds: set[int] = set()

    def let_go(self) -> None:
        self._proceed.set()

    def mkstemp(self, directory: str, prefix: str) -> tuple[int, str]:
        fd, path = super().mkstemp(directory, prefix)
        if prefix[1:-1] == self.name:
            self._fds.add(fd)
        return fd, path

    def write(self, fd: int, data: memoryview) -> int:
        if fd in self._fds:
            self.writing.set()
            if not self._proceed.wait(GATE_LIMIT):
                raise TimeoutError("the test never released the file")
            if self.then is not None:
                raise self.then()
        return super().write(fd, data)
