"""A scripted editing session, the same in a child process and in the test that checks it.

`run(history, seed, ops)` drives a real History (and so its journal observer) with a
seeded mix of pushes (adds, moves that merge like arrow-key nudges, style changes, typing
that merges into words, deletes), undo, redo and jumps. The History's clock is a fake
that advances `TICK` per operation, so which pushes merge does not depend on how fast
the machine runs. `after(n)` is called after every operation (the child prints there).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from editor.commands import AddShapes, DeleteShapes, EditText, MoveShapes, SetStyle
from editor.history import History
from editor.model import Document, Snapshot, rect, text

TICK = 0.05
NAME = "drawing.strata"


def base_snapshot() -> Snapshot:
    shapes = [rect(f"b{i}", i * 20, 0, 10, 10) for i in range(5)]
    shapes.append(text("t0", 0, 100, 200, 40, "hello"))
    return Document(shapes=shapes).snapshot()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(history: History, clock: FakeClock, seed: int, ops: int,
        after: Callable[[int], None] = lambda n: None) -> None:  # fmt: skip
    rng = random.Random(seed)
    doc = history.document
    fresh = 0
    for n in range(1, ops + 1):
        clock.now += TICK
        ids = list(doc.ids())
        roll = rng.random()
        stack = history.stack
        if roll < 0.08 and stack.canUndo():
            history.undo()
        elif roll < 0.12 and stack.canRedo():
            history.redo()
        elif roll < 0.14 and stack.count():
            history.set_index(rng.randrange(stack.count() + 1))
        elif roll < 0.24 or not ids:
            fresh += 1
            history.push(AddShapes((rect(f"s{seed}_{fresh}", rng.randrange(500),
                                         rng.randrange(500), 30, 20),)))  # fmt: skip
        elif roll < 0.55:
            target = rng.choice(ids)
            history.push(MoveShapes((target,), rng.choice((-1, 1)), 0), step=("nudge", target))
        elif roll < 0.65:
            history.push(SetStyle((rng.choice(ids),), "fill",
                                  rng.choice(("#ff0000", "#00ff00", "#0000ff"))))  # fmt: skip
        elif roll < 0.92 and "t0" in doc:
            body = doc["t0"].text  # type: ignore[attr-defined]
            history.push(EditText("t0", len(body), "", rng.choice("ab ")), step="typing")
        elif len(ids) > 2:
            history.push(DeleteShapes((rng.choice([i for i in ids if i != "t0"]),)))
        after(n)


def states(seed: int, ops: int) -> list[tuple[Snapshot, int]]:
    """The document and history index after each operation (index 0: as opened)."""
    base = base_snapshot()
    history = History(Document(base.page, base.shapes), clock=FakeClock())
    out = [(history.document.snapshot(), 0)]
    clock = history.clock
    assert isinstance(clock, FakeClock)
    run(history, clock, seed, ops,
        lambda n: out.append((history.document.snapshot(), history.stack.index())))  # fmt: skip
    return out


def write_base(folder: Path) -> Path:
    from editor.io.format import save  # noqa: PLC0415

    path = folder / NAME
    save(path, base_snapshot())
    return path
