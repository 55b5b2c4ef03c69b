"""Which process owns a journaled document (the lock), and whether that process lives.

An owner is ``host:pid:start`` where ``start`` is the process's start time in clock ticks
since boot (/proc/PID/stat field 22), so a pid reused by an unrelated process after a
crash is not mistaken for the Strata that died (Vim's swap file checks the pid alone).
"""

from __future__ import annotations

import os
import socket


def _start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return ""
    # The command name (field 2) is in parentheses and may contain spaces.
    rest = data[data.rfind(b")") + 2 :].split()
    return rest[19].decode() if len(rest) > 19 else ""


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
    return not start or _start_time(pid) == start
