"""Lanes: one writer per target path, in submission order, and coalescing of saves.

A lane is the list of unfinished jobs for one target path, ordered by their sequence
number (submission order; a dead letter retried later gets a new one). Only the first job
of a lane may start, and only while no thread holds the path: a path stays held from the
start of an attempt until its thread has *returned*, even when the queue gave up on the
attempt (timeout, cancel), so an abandoned write and its retry never run at once.

Coalescing: jobs with the same `coalesce_key` (default: kind + target) replace each other
while still queued and never started. `replaceable(key)` names the job a new submit
supersedes.

Pure bookkeeping (no Qt, no clock): the queue asks and tells; tests/jobs/test_parts.py.
"""

from __future__ import annotations

import bisect
from typing import Generic, Protocol, TypeVar


class LaneMember(Protocol):
    """What a lane needs of a job's entry."""

    seq: int
    target: str | None
    coalesce_key: str | None


M = TypeVar("M", bound=LaneMember)


class Lanes(Generic[M]):
    """Unfinished jobs per target, the thread holding each target, replaceable jobs."""

    __slots__ = ("_coalesce", "_held", "_lanes")

    def __init__(self) -> None:
        self._lanes: dict[str, list[M]] = {}  # target -> unfinished jobs, by seq
        self._held: dict[str, int] = {}  # target -> token of the thread writing it
        self._coalesce: dict[str, M] = {}  # coalesce key -> queued, never started

    # ------------------------------------------------------------------ membership
    def join(self, member: M, *, replaceable: bool = True) -> None:
        """Add an unfinished job to its target's lane, in sequence order.

        `replaceable`: a later job with the same coalesce key may supersede it until it
        starts (new submits; a dead letter retried is not replaceable).
        """
        target = member.target
        if target is not None:
            lane = self._lanes.setdefault(target, [])
            if not lane or lane[-1].seq < member.seq:
                lane.append(member)  # the usual case: a new submit is the newest
            else:
                bisect.insort(lane, member, key=lambda m: m.seq)
        key = member.coalesce_key
        if replaceable and key is not None:
            self._coalesce[key] = member

    def leave(self, member: M) -> None:
        """A job finished: out of its lane and no longer replaceable."""
        key = member.coalesce_key
        if key is not None and self._coalesce.get(key) is member:
            del self._coalesce[key]
        target = member.target
        if target is not None:
            lane = self._lanes[target]
            lane.remove(member)
            if not lane:
                del self._lanes[target]

    def replaceable(self, coalesce_key: str | None) -> M | None:
        """The queued, never started job a new job with this key would supersede."""
        return self._coalesce.get(coalesce_key) if coalesce_key is not None else None

    # ------------------------------------------------------------------ exclusion
    def may_start(self, member: M) -> bool:
        """True when nothing holds the job's target and it is first in its lane."""
        target = member.target
        return target is None or (target not in self._held and self._lanes[target][0] is member)

    def started(self, member: M) -> None:
        """The job started: a started job is no longer replaceable."""
        key = member.coalesce_key
        if key is not None and self._coalesce.get(key) is member:
            del self._coalesce[key]

    def hold(self, target: str | None, token: int) -> None:
        """An attempt's thread (`token`) now writes `target`."""
        if target is not None:
            self._held[target] = token

    def release(self, target: str | None, token: int) -> None:
        """That thread returned: the next job for `target` may start."""
        if target is not None and self._held.get(target) == token:
            del self._held[target]

    def held(self) -> dict[str, int]:
        """Targets being written, with the token of the thread writing each (a copy)."""
        return dict(self._held)

    def __len__(self) -> int:
        """Targets with unfinished jobs."""
        return len(self._lanes)
