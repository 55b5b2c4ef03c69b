"""Where a new undo step starts: the history's open step and `checkpoint()`.

Gestures and fields name the step a push belongs to; the history alone decides whether
it continues the open step (same key, nothing else happened, no pause) and writes the
decision into the command's `joinable`.
"""

from __future__ import annotations

import pytest

from editor.commands import EditText, MoveShapes, SetStyle
from editor.history import PAUSE_SECONDS, History
from editor.model import Document, rect, text


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def history(qapp: object, clock: FakeClock) -> History:
    doc = Document(shapes=[rect("a", 0, 0, 10, 10), rect("b", 5, 5, 10, 10),
                           text("t", 0, 0, 100, 20, "")])  # fmt: skip
    return History(doc, clock=clock)


def nudge(history: History, shape: str = "a", step: object = "nudge") -> MoveShapes:
    command = MoveShapes((shape,), 1, 0)
    history.push(command, step=(step, shape))
    return command


def count(history: History) -> int:
    return history.stack.count()


def test_pushes_of_one_step_merge_and_the_decision_is_in_the_command(
    history: History, clock: FakeClock
) -> None:
    first, second = nudge(history), nudge(history)
    clock.now += PAUSE_SECONDS * 0.9
    third = nudge(history)
    assert count(history) == 1
    assert (first.joinable, second.joinable, third.joinable) == (False, True, True)
    assert history.document["a"].x == 3  # type: ignore[union-attr]


def test_a_pause_ends_a_timed_step(history: History, clock: FakeClock) -> None:
    nudge(history)
    clock.now += PAUSE_SECONDS
    nudge(history)
    assert count(history) == 2


def test_an_untimed_step_lasts_until_a_checkpoint(history: History, clock: FakeClock) -> None:
    for _ in range(3):
        history.push(SetStyle(("a",), "opacity", 0.5 + clock.now / 1000), step="drag",
                     timed=False)  # fmt: skip
        clock.now += 10 * PAUSE_SECONDS
    assert count(history) == 1
    history.checkpoint()
    history.push(SetStyle(("a",), "opacity", 0.1), step="drag", timed=False)
    assert count(history) == 2


def test_another_key_starts_a_new_step(history: History) -> None:
    nudge(history, "a")
    nudge(history, "b")
    nudge(history, "a")
    assert count(history) == 3


def test_checkpoint_starts_a_new_step(history: History) -> None:
    nudge(history)
    history.checkpoint()
    nudge(history)
    assert count(history) == 2


@pytest.mark.parametrize(
    "elsewhere",
    [
        pytest.param(lambda h: h.stack.undo(), id="undo-from-the-stack"),  # as Edit > Undo
        pytest.param(lambda h: (h.undo(), h.redo()), id="undo-redo"),
        pytest.param(lambda h: (h.set_index(0), h.set_index(1)), id="jump"),
        pytest.param(
            lambda h: h.push(MoveShapes(("b",), 1, 0, joinable=False)), id="a-push-from-elsewhere"
        ),
        pytest.param(lambda h: h.revision(), id="a-save-starts"),
    ],
)
def test_anything_else_on_the_history_seals_the_open_step(
    history: History, elsewhere: object
) -> None:
    nudge(history)
    elsewhere(history)  # type: ignore[operator]
    before = count(history) if history.stack.index() == count(history) else history.stack.index()
    nudge(history)
    assert history.stack.index() == before + 1, "the nudge is a step of its own"


def test_undo_then_the_same_gesture_never_merges_into_an_older_step(history: History) -> None:
    # A keyless, joinable push (data from a script) after an undo must not merge either.
    history.push(MoveShapes(("a",), 5, 0, joinable=False))
    nudge(history)
    history.stack.undo()
    history.push(MoveShapes(("a",), 1, 0))
    assert count(history) == 2


def test_a_keyless_push_keeps_its_own_joinable(history: History) -> None:
    for _ in range(3):
        history.push(MoveShapes(("a",), 1, 0))
    assert count(history) == 1
    history.push(MoveShapes(("a",), 1, 0, joinable=False))
    assert count(history) == 2


def test_a_keyless_push_does_not_merge_into_an_open_step(history: History) -> None:
    nudge(history)
    history.push(MoveShapes(("a",), 1, 0))  # joinable, but from elsewhere
    assert count(history) == 2


def test_a_step_merged_back_to_its_start_is_gone_and_the_next_push_is_new(
    history: History,
) -> None:
    history.push(MoveShapes(("b",), 2, 0, joinable=False))
    history.push(MoveShapes(("a",), 1, 0), step="k")
    history.push(MoveShapes(("a",), -1, 0), step="k")  # back where it started: dropped
    assert count(history) == 1
    history.push(MoveShapes(("a",), 1, 0), step="k")
    assert count(history) == 2, "it did not merge into the unrelated step below"


def test_typing_steps_still_split_at_words(history: History) -> None:
    for n, char in enumerate("ab cd"):
        history.push(EditText("t", n, "", char), step=("type", "t"))
    steps = [history.stack.command(i).command for i in range(count(history))]  # type: ignore[attr-defined]
    assert [c.inserted for c in steps] == ["ab ", "cd"]
