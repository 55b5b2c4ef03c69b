"""Which process owns a journaled document (the lock), and whether that process lives.

An owner is ``host:pid:start`` where ``start`` is the process's start time in clock ticks
since boot (/proc/PID/stat field 22), so a pid reused by an unrelated process after a
crash is not mistaken for the Strata that died (Vim's swap file checks the pid alone). A
zombie (killed, not yet reaped: a container's init can take a second) is dead.
"""

from __future__ import annotations

import os
import socket


def _stat(pid: int) -> list[bytes]:
    """/proc/PID/stat from field 3 (the state) on; empty when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return []
    # The command name (field 2) is in parentheses and may contain spaces.
    return data[data.rfind(b")") + 2 :].split()


def _start_time(pid: int) -> str:
    rest = _stat(pid)
    return rest[19].decode() if len(rest) > 19 else ""


def _is_zombie(pid: int) -> bool:
    """Killed but not yet reaped by its parent: dead, whatever kill(pid, 0) says."""
    rest = _stat(pid)
    return bool(rest) and rest[0] in (b"Z", b"X")


def this_process() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def pid_of(owner: str | None) -> int | None:
    if not owner:
        return None
    try:
        return int(owner.split(":")[-2])
    except (IndexError, ValueError):
        return None


def is_alive(owner: str | None) -> bool:
    """True when the owning process still runs (an owner on another host counts as alive)."""
    if not owner:
        return False
    parts = owner.split(":")
    if len(parts) < 3:
        return False
    host, pid_text, start = ":".join(parts[:-2]), parts[-2], parts[-1]
    if host != socket.gethostname():
        return True  # cannot tell: never take over another machine's document
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by someone else
    except (ValueError, OverflowError):
        return False
    if _is_zombie(pid):
        return False  # a killed Strata whose parent has not collected it yet
    return not start or _start_time(pid) == start
