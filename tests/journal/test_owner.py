"""Who owns a journaled document (the lock), and whether that process still lives."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

from editor.journal import owner as owners


def _owner_of(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:{owners._start_time(pid)}"


def test_this_process_is_alive() -> None:
    assert owners.is_alive(owners.this_process())
    assert owners.pid_of(owners.this_process()) == os.getpid()


def test_a_running_process_is_alive_and_a_reaped_one_is_not() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import signal; signal.pause()"])
    owner = _owner_of(child.pid)
    try:
        assert owners.is_alive(owner)
    finally:
        child.kill()
        child.wait()
    assert not owners.is_alive(owner)


def test_a_killed_process_nobody_reaped_yet_is_dead() -> None:
    # Seen in a container whose init reaps late: Strata killed with kill -9 stayed a zombie
    # for about a second, the next Strata took it for a running one and offered no recovery.
    child = subprocess.Popen([sys.executable, "-c", "import signal; signal.pause()"])
    owner = _owner_of(child.pid)
    try:
        os.kill(child.pid, signal.SIGKILL)
        # Not reaped: wait for the kernel to make it a zombie, without collecting it.
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
        assert not owners.is_alive(owner)
    finally:
        child.wait()


def test_an_owner_on_another_host_counts_as_alive() -> None:
    assert owners.is_alive("elsewhere.example:1:1")


def test_a_pid_reused_by_another_process_is_not_the_owner() -> None:
    assert not owners.is_alive(f"{socket.gethostname()}:{os.getpid()}:1")
