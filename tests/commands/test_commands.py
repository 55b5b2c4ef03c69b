"""Every command: do then undo restores the document exactly, redo equals do, merges."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from editor.commands import (
    REGISTRY,
    AddShapes,
    Command,
    CommandError,
    DeleteShapes,
    Duplicate,
    EditText,
    GeometryChange,
    MoveShapes,
    Paste,
    Reorder,
    SetGeometry,
    SetPage,
    SetStyle,
    command_from_json,
)
from editor.model import Document, Page, Text, ellipse, line, rect, text


def sample() -> Document:
    return Document(
        Page(800, 600, "#ffffff"),
        [
            rect("r", 10, 20, 100, 50, fill="#ff6347"),
            ellipse("e", 150, 20, 120, 80),
            line("l", 0, 0, 100, 80),
            text("t", 10, 10, 200, 40, "Hello world"),
            rect("r2", 0.1, 0.2, 5, 5),
        ],
    )


COMMANDS: dict[str, Callable[[], Command]] = {
    "add": lambda: AddShapes((rect("n1", 1, 1, 2, 2), line("n2", 0, 0, 1, 1))),
    "add_at_bottom": lambda: AddShapes((rect("n1", 1, 1, 2, 2),), index=0),
    "paste": lambda: Paste((text("n1", 1, 1, 20, 20, "pasted"),)),
    "delete": lambda: DeleteShapes(("e", "t")),
    "move": lambda: MoveShapes(("r", "l", "r2"), 0.1, 0.7),
    "geometry": lambda: SetGeometry(
        (GeometryChange("r", width=7, height=9), GeometryChange("l", x2=3, y2=4))
    ),
    "style_fill": lambda: SetStyle(("r", "e", "l", "t"), "fill", "#00ff0080"),
    "style_stroke_none": lambda: SetStyle(("r", "l"), "stroke", None),
    "style_stroke_width": lambda: SetStyle(("r", "l"), "stroke_width", 4),
    "style_opacity": lambda: SetStyle(("e",), "opacity", 0.25),
    "style_font": lambda: SetStyle(("t", "r"), "font_family", "DejaVu Serif"),
    "style_font_size": lambda: SetStyle(("t",), "font_size", 30),
    "style_color": lambda: SetStyle(("t",), "color", "#123456"),
    "text": lambda: EditText("t", 5, " world", ", there"),
    "raise": lambda: Reorder(("r", "l"), "raise"),
    "lower": lambda: Reorder(("t", "r2"), "lower"),
    "front": lambda: Reorder(("r", "e"), "front"),
    "back": lambda: Reorder(("t", "r2"), "back"),
    "duplicate": lambda: Duplicate(("t", "r"), ("t-copy", "r-copy")),
    "page": lambda: SetPage(width=1024, background="#000000"),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_do_undo_redo_are_exact(name: str) -> None:
    doc = sample()
    original = doc.snapshot()
    command = COMMANDS[name]()
    command.do(doc)
    done = doc.snapshot()
    assert done != original, "the command must change something"
    command.undo(doc)
    assert doc.snapshot() == original
    command.do(doc)
    assert doc.snapshot() == done
    command.undo(doc)
    assert doc.snapshot() == original


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_round_trip_gives_an_equivalent_command(name: str) -> None:
    command = COMMANDS[name]()
    data = command.to_json()
    assert data["type"] == command.type_name
    copy = command_from_json(data)
    assert type(copy) is type(command)
    assert copy == command
    a, b = sample(), sample()
    command.do(a)
    copy.do(b)
    assert a.snapshot() == b.snapshot()


def test_every_registered_command_is_covered() -> None:
    covered = {type(make()).type_name for make in COMMANDS.values()}
    assert covered == set(REGISTRY)


def test_menu_texts() -> None:
    doc = sample()
    move = MoveShapes(("r", "e", "l"), 1, 1)
    move.do(doc)
    assert move.text == "Move 3 Shapes"
    one = MoveShapes(("r",), 1, 1)
    one.do(doc)
    assert one.text == "Move Rectangle"
    assert AddShapes((line("x", 0, 0, 1, 1),)).text == "Add Line"
    style = SetStyle(("r", "e"), "fill", "#000000")
    style.do(doc)
    assert style.text == "Change Fill of 2 Shapes"
    front = Reorder(("t",), "front")
    front.do(doc)
    assert front.text == "Bring to Front Text Box"
    assert EditText("t", 0, "", "Hi").text == "Type 'Hi'"
    assert SetPage(width=10).text == "Resize Page"


def test_commands_record_only_what_they_touch() -> None:
    doc = Document(shapes=[rect(f"s{i}", i, 0, 1, 1) for i in range(5000)])
    move = MoveShapes(("s42",), 1, 1)
    move.do(doc)
    assert len(move._before) == 1 and move._after is None  # the document holds the new value
    delete = DeleteShapes(("s7",))
    delete.do(doc)
    assert len(delete._removed) == 1


def test_failed_do_changes_nothing() -> None:
    doc = sample()
    before = doc.snapshot()
    bad: list[Command] = [
        MoveShapes(("r", "missing"), 1, 1),
        DeleteShapes(("missing",)),
        AddShapes((rect("r", 0, 0, 1, 1),)),
        EditText("t", 0, "Nope", ""),
        EditText("r", 0, "", "x"),
        SetGeometry((GeometryChange("r", x1=3),)),
        Duplicate(("r",), ("e",)),
        Reorder(("missing",), "front"),
        AddShapes((rect("z", 0, 0, 1, 1),), index=99),
    ]
    for command in bad:
        with pytest.raises(CommandError):
            command.do(doc)
        assert doc.snapshot() == before, command


# ------------------------------------------------------------------ merging
def do(doc: Document, command: Command) -> Command:
    command.do(doc)
    return command


def test_repeated_moves_of_the_same_shapes_merge_exactly() -> None:
    doc = sample()
    original = doc.snapshot()
    first = do(doc, MoveShapes(("r", "l"), 0.1, 0.2))
    for _ in range(10):
        assert first.merge(do(doc, MoveShapes(("l", "r"), 0.1, 0.2)))
    final = doc.snapshot()
    first.undo(doc)
    assert doc.snapshot() == original
    first.do(doc)
    assert doc.snapshot() == final  # bit-identical, not recomputed with a summed offset
    assert first.dx == pytest.approx(1.1)


def test_moves_do_not_merge_across_shapes_or_new_gestures() -> None:
    doc = sample()
    first = do(doc, MoveShapes(("r",), 1, 1))
    assert not first.merge(do(doc, MoveShapes(("e",), 1, 1)))
    assert not first.merge(do(doc, MoveShapes(("r",), 1, 1, joinable=False)))
    assert not first.merge(do(doc, SetStyle(("r",), "fill", "#000000")))


def test_slider_drag_of_one_property_merges_into_one_step() -> None:
    doc = sample()
    original = doc.snapshot()
    first = do(doc, SetStyle(("r", "e"), "opacity", 0.9, joinable=False))
    for value in (0.8, 0.7, 0.5):
        assert first.merge(do(doc, SetStyle(("r", "e"), "opacity", value)))
    assert not first.merge(do(doc, SetStyle(("r", "e"), "fill", "#000000")))
    assert doc["r"].opacity == 0.5
    # undo of the merged step restores the opacity from before the drag
    doc2 = sample()
    a = do(doc2, SetStyle(("r", "e"), "opacity", 0.9, joinable=False))
    a.merge(do(doc2, SetStyle(("r", "e"), "opacity", 0.3)))
    a.undo(doc2)
    assert doc2.snapshot() == original


def test_slider_back_to_start_is_a_noop() -> None:
    doc = sample()
    first = do(doc, SetStyle(("r",), "opacity", 0.5))
    assert first.merge(do(doc, SetStyle(("r",), "opacity", 1.0)))
    assert first.is_noop()


def test_merge_keeps_original_values_for_partially_changed_targets() -> None:
    doc = sample()
    original = doc.snapshot()
    first = do(doc, SetStyle(("r", "e"), "fill", "#ff6347"))  # r already has it
    assert first.merge(do(doc, SetStyle(("r", "e"), "fill", "#000000")))
    first.undo(doc)
    assert doc.snapshot() == original


def test_nudges_merge_and_resizes_merge() -> None:
    doc = sample()
    original = doc.snapshot()
    geometry = do(doc, SetGeometry((GeometryChange("r", width=20),)))
    assert geometry.merge(do(doc, SetGeometry((GeometryChange("r", width=30, height=5),))))
    assert doc["r"].width == 30
    geometry.undo(doc)
    assert doc.snapshot() == original


def test_typing_merges_in_word_sized_steps() -> None:
    doc = Document(shapes=[text("t", 0, 0, 100, 20, "")])
    steps: list[EditText] = []
    for n, char in enumerate("hello big world"):
        command = do(doc, EditText("t", n, "", char))
        if not (steps and steps[-1].merge(command)):
            steps.append(command)
    assert [s.inserted for s in steps] == ["hello ", "big ", "world"]
    assert [s.text for s in steps] == ["Type 'hello'", "Type 'big'", "Type 'world'"]
    for step in reversed(steps):
        step.undo(doc)
    shape = doc["t"]
    assert isinstance(shape, Text) and shape.text == ""


def test_typing_breaks_on_caret_jump_and_pause() -> None:
    doc = Document(shapes=[text("t", 0, 0, 100, 20, "abc")])
    first = do(doc, EditText("t", 3, "", "d"))
    assert not first.merge(do(doc, EditText("t", 0, "", "x")))  # caret jumped
    second = do(doc, EditText("t", 5, "", "e"))
    third = do(doc, EditText("t", 6, "", "f", joinable=False))  # after a pause
    assert not second.merge(third)
    assert third.merge(do(doc, EditText("t", 7, "", "g")))


def test_backspace_and_delete_merge() -> None:
    doc = Document(shapes=[text("t", 0, 0, 100, 20, "abcdef")])
    original = doc.snapshot()
    first = do(doc, EditText("t", 5, "f", ""))
    assert first.merge(do(doc, EditText("t", 4, "e", "")))
    assert first.merge(do(doc, EditText("t", 3, "d", "")))
    assert (first.position, first.removed) == (3, "def")
    forward = do(doc, EditText("t", 0, "a", ""))
    assert forward.merge(do(doc, EditText("t", 0, "b", "")))
    assert forward.removed == "ab"
    forward.undo(doc)
    first.undo(doc)
    assert doc.snapshot() == original


def test_page_changes_merge() -> None:
    doc = sample()
    first = do(doc, SetPage(width=900))
    assert first.merge(do(doc, SetPage(width=950)))
    assert not first.merge(do(doc, SetPage(height=10)))
    assert doc.page.width == 950


def test_noop_commands_are_detected() -> None:
    doc = sample()
    assert do(doc, SetStyle(("r",), "fill", "#ff6347")).is_noop()
    assert do(doc, Reorder(("r2",), "front")).is_noop()
    assert do(doc, SetStyle(("r",), "font_size", 12)).is_noop()  # rects have no font
    assert do(doc, SetPage(width=800)).is_noop()


# -------------------------------------------------------------- reorder rules
@pytest.mark.parametrize(
    ("ids", "mode", "expected"),
    [
        (("a",), "raise", "bacde"),
        (("a", "b"), "raise", "cabde"),
        (("a", "c"), "raise", "badce"),
        (("e",), "raise", "abcde"),
        (("d", "e"), "raise", "abcde"),
        (("b", "d"), "lower", "badce"),
        (("a",), "lower", "abcde"),
        (("b", "d"), "front", "acebd"),
        (("d", "b"), "back", "bdace"),
    ],
)
def test_reorder_modes(ids: tuple[str, ...], mode: str, expected: str) -> None:
    doc = Document(shapes=[rect(c, 0, 0, 1, 1) for c in "abcde"])
    command = Reorder(ids, mode)  # type: ignore[arg-type]
    command.do(doc)
    assert "".join(doc.ids()) == expected
    command.undo(doc)
    assert "".join(doc.ids()) == "abcde"


def test_duplicate_places_offset_copies_on_top_in_z_order() -> None:
    doc = sample()
    Duplicate(("t", "r"), ("t2", "r2x"), 10, 10).do(doc)
    assert doc.ids()[-2:] == ("r2x", "t2")  # r is below t, so its copy is too
    assert doc["r2x"].x == doc["r"].x + 10  # type: ignore[union-attr]


# ---------------------------------------------------------------- bad data
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected an object"),
        ({"payload": {}}, "type: expected a command type name"),
        ({"type": "explode", "payload": {}}, "unknown command type 'explode'"),
        ({"type": "move_shapes"}, "payload: expected an object, got null"),
        ({"type": "move_shapes", "payload": {"ids": ["a"], "dx": "1", "dy": 0}}, "payload.dx"),
        ({"type": "move_shapes", "payload": {"ids": [], "dx": 1, "dy": 0}}, "at least one id"),
        ({"type": "move_shapes", "payload": {"ids": ["a"], "dy": 0}}, "dx"),
        ({"type": "set_style", "payload": {"ids": ["a"], "prop": "fill", "value": "red"}}, "fill"),
        ({"type": "set_style", "payload": {"ids": ["a"], "prop": "size", "value": 1}}, "prop"),
        ({"type": "add_shapes", "payload": {"shapes": [{"type": "blob", "id": "x"}]}}, "type"),
        ({"type": "edit_text", "payload": {"id": "t", "position": -1, "removed": "",
                                           "inserted": ""}}, "position"),
        ({"type": "set_page", "payload": {"width": -5}}, "width"),
        ({"type": "duplicate", "payload": {"ids": ["a"], "new_ids": ["a"]}}, "new_ids"),
        ({"type": "set_geometry", "payload": {"changes": [{"id": "a", "width": -1}]}},
         "width"),
    ],
)  # fmt: skip
def test_bad_command_data_raises_clear_errors(data: object, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        command_from_json(data)


def test_style_values_are_validated_in_code_too() -> None:
    with pytest.raises(ValueError, match="opacity"):
        SetStyle(("r",), "opacity", 2)
    with pytest.raises(ValueError, match="finite"):
        MoveShapes(("r",), float("nan"), 0)
    with pytest.raises(ValueError, match="x"):
        GeometryChange("r", x=float("inf"))


@pytest.mark.parametrize(
    ("ids", "dx", "dy", "message"),
    [
        (("r",), float("nan"), 0, "dx: expected a finite offset, got nan"),
        (("r",), 0, float("-inf"), "dy: expected a finite offset, got -inf"),
        (("r",), 2e7 + 1, 0, "dx: expected a finite offset"),
        (("r",), 0, -2e7 - 1, "dy: expected a finite offset"),
        ((), 1, 0, "ids: expected at least one id"),
        (("r", ""), 1, 0, "ids: ids must be non-empty strings"),
        (("r", 3), 1, 0, "ids: ids must be non-empty strings"),
        (("r", "t", "r"), 1, 0, "ids: ids must be unique"),
    ],
)
def test_a_move_checks_its_ids_and_offsets(ids: tuple[object, ...], dx: float, dy: float,
                                           message: str) -> None:  # fmt: skip
    with pytest.raises(ValueError, match=f"^{message}"):
        MoveShapes(ids, dx, dy)  # type: ignore[arg-type]
    # the widest offsets still move (across the whole coordinate range)
    assert MoveShapes(("r", "t"), 2e7, -2e7).dx == 2e7
