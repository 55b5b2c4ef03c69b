"""The finished log: ids of jobs in a final state, oldest first, bounded.

Views keep showing finished jobs (the Jobs panel's list) up to `limit`; beyond it the
oldest are dropped and the queue removes their records (`job_removed`). A dead letter
retried leaves the log (it is unfinished again). tests/jobs/test_parts.py.
"""

from __future__ import annotations

from collections import OrderedDict

from editor.jobs.job import JobId


class FinishedLog:
    """At most `limit` finished job ids, oldest first."""

    __slots__ = ("_ids", "limit")

    def __init__(self, limit: int) -> None:
        if limit < 0:
            raise ValueError(f"the finished-job limit must not be negative, not {limit}")
        self.limit = limit
        self._ids: OrderedDict[JobId, None] = OrderedDict()

    def add(self, job_id: JobId) -> list[JobId]:
        """Record a finished job; return the ids dropped to stay within the limit."""
        self._ids[job_id] = None
        dropped = []
        while len(self._ids) > self.limit:
            dropped.append(self._ids.popitem(last=False)[0])
        return dropped

    def discard(self, job_id: JobId) -> None:
        """The job is unfinished again (a dead letter retried)."""
        self._ids.pop(job_id, None)

    def clear(self) -> list[JobId]:
        """Drop every id; return them, oldest first."""
        ids = list(self._ids)
        self._ids.clear()
        return ids

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)
