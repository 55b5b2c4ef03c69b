"""A job kind for the store tests: `Tally` writes its count to a shared board, failing
first as often as its payload says (a fresh job after a restart fails again the same
way, as a real retryable failure would)."""

from __future__ import annotations

import threading
from typing import ClassVar

import msgspec

from editor.jobs import Job, JobContext
from editor.jobs.kinds import JobKind, JobKinds, idempotency_key


class Board:
    """What tally jobs did, shared between "runs" in one test."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done: dict[str, list[int]] = {}
        self.fails: dict[str, int] = {}
        self.gates: dict[str, threading.Event] = {}

    def fail(self, name: str, times: int) -> None:
        self.fails[name] = times


class TallyPayload(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    count: int = 1


class TallyJob(Job[int]):
    def __init__(self, board: Board, name: str, count: int = 1) -> None:
        super().__init__(f"Tally {name}", "tally", key=idempotency_key("tally", name, str(count)))
        self.board = board
        self.tally = name
        self.count = count

    def run(self, context: JobContext) -> int:
        board = self.board
        gate = board.gates.get(self.tally)
        while gate is not None and not gate.wait(0.005):
            context.check()
        with board.lock:
            left = board.fails.get(self.tally, 0)
            if left:
                board.fails[self.tally] = left - 1
                raise OSError(5, f"tally {self.tally} failed ({left} left)")
            board.done.setdefault(self.tally, []).append(self.count)
        return self.count


class TallyKind(JobKind[TallyPayload, TallyJob]):
    type_name: ClassVar[str] = "tally"
    payload_type = TallyPayload

    def __init__(self, board: Board) -> None:
        self.board = board

    def build(self, payload: TallyPayload) -> TallyJob:
        return TallyJob(self.board, payload.name, payload.count)

    def payload(self, job: TallyJob) -> TallyPayload:
        return TallyPayload(job.tally, job.count)


def tally_kinds(board: Board) -> JobKinds:
    kinds = JobKinds()
    kinds.register(TallyKind(board))
    return kinds
