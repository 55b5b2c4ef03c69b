"""One writer per real file in this process, in the order the writes were asked for.

The job queue serialises jobs per target *path string* (on the GUI thread, which must not
touch the disk to resolve symlinks). A save through `link.strata` and one through the
file it points to are different strings, so they could run at once and the older one
could land last. So save and export jobs take a ticket when they are made (GUI thread,
in request order) and, on the worker thread, resolve the real path and enter the file's
turn (`TargetGuard.turn`): one write per real file at a time, and a write whose ticket
is older than the last one written to that file is skipped (`superseded`), since a newer
request's bytes are already there. Waiting is cooperative: `check()` (cancel, deadline)
is called while waiting, and the job can say "Waiting for another write of NAME".

A job built from a stored row (an earlier run's request, restored at start or a dead
letter retried) gets a ticket below every one of this run (`EARLIER` + its row id), so
it never lands over a newer request's bytes however late it is built.

Only this process's writes are ordered; another program writing the same file is the
atomic rename's business (each rename wins or loses whole).
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

#: Real files whose last written ticket is remembered (least recently used dropped).
#: A request older than that many other files' writes is no longer ordered by it.
MAX_REMEMBERED = 4096

#: Tickets of requests an earlier run made (jobs built from stored rows): EARLIER + the
#: row's id, below every ticket of this run, in the order the rows were stored.
EARLIER = -(1 << 62)

#: How often a waiting writer checks for cancel and its deadline, in seconds.
POLL = 0.02


@dataclass
class _File:
    lock: threading.Lock = field(default_factory=threading.Lock)
    written: int | None = None  # the newest ticket that wrote this file
    users: int = 0  # writers inside or waiting for this file's turn


class TargetGuard:
    """Per real path: one writer at a time, and never an older request over a newer one."""

    def __init__(self) -> None:
        self._tickets = itertools.count(1)
        self._lock = threading.Lock()
        self._files: OrderedDict[str, _File] = OrderedDict()

    def ticket(self) -> int:
        """A number that grows with each request (take it when the request is made)."""
        return next(self._tickets)

    @contextmanager
    def turn(
        self,
        real: str,
        ticket: int,
        check: Callable[[], None],
        waiting: Callable[[], None] | None = None,
    ) -> Iterator[bool]:
        """Hold `real`'s turn: yields True to write, False if a newer request already
        wrote it. `waiting()` is called once if another writer has the turn first."""
        entry = self._enter(real)
        try:
            if not entry.lock.acquire(blocking=False):
                if waiting is not None:
                    waiting()
                while not entry.lock.acquire(timeout=POLL):
                    check()
            try:
                # The same request again (a retry) may write.
                go = entry.written is None or ticket >= entry.written
                yield go
                if go:
                    entry.written = ticket
            finally:
                entry.lock.release()
        finally:
            self._leave(real, entry)

    def _enter(self, real: str) -> _File:
        with self._lock:
            entry = self._files.get(real)
            if entry is None:
                entry = self._files[real] = _File()
            self._files.move_to_end(real)
            entry.users += 1
            while len(self._files) > MAX_REMEMBERED:
                oldest, first = next(iter(self._files.items()))
                if first.users:
                    break  # in use: keep it (the bound is exceeded only while busy)
                del self._files[oldest]
            return entry

    def _leave(self, real: str, entry: _File) -> None:
        with self._lock:
            entry.users -= 1


#: The process's guard: every save and export job uses it.
GUARD = TargetGuard()
