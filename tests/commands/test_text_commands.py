"""EditText's growth and paste marking, its History labels, and text boxes' auto height."""

from __future__ import annotations

import pytest

from editor.commands import EditText, GeometryChange, SetGeometry, command_from_json
from editor.model import Document, Text, text


def doc_with(box: Text) -> Document:
    return Document(shapes=[box])


def shape(doc: Document, shape_id: str = "t") -> Text:
    found = doc[shape_id]
    assert isinstance(found, Text)
    return found


def test_a_growing_edit_changes_text_and_height_in_one_step() -> None:
    doc = doc_with(text("t", 0, 0, 100, 30, "Hi", auto_height=True))
    before = shape(doc)
    edit = EditText("t", 2, "", "\n\n", height=70.0)
    edit.do(doc)
    assert (shape(doc).text, shape(doc).height) == ("Hi\n\n", 70.0)
    edit.undo(doc)
    assert shape(doc) == before
    edit.do(doc)  # redo
    assert (shape(doc).text, shape(doc).height) == ("Hi\n\n", 70.0)


def test_merged_typing_keeps_the_last_height_and_undoes_to_the_first() -> None:
    doc = doc_with(text("t", 0, 0, 100, 30, "", auto_height=True))
    before = shape(doc)
    first = EditText("t", 0, "", "a")
    first.do(doc)
    grow = EditText("t", 1, "", "b", height=50.0)
    grow.do(doc)
    assert first.merge(grow)
    assert first.height == 50.0
    assert command_from_json(first.to_json()).height == 50.0  # type: ignore[attr-defined]
    first.undo(doc)
    assert shape(doc) == before
    first.do(doc)
    assert (shape(doc).text, shape(doc).height) == ("ab", 50.0)


def test_a_bad_height_is_refused() -> None:
    with pytest.raises(ValueError, match="height"):
        EditText("t", 0, "", "a", height=-1.0)
    with pytest.raises(ValueError, match="height"):
        EditText("t", 0, "", "a", height=float("nan"))


def test_a_paste_is_labelled_as_a_paste_and_never_merges_with_typing() -> None:
    doc = doc_with(text("t", 0, 0, 100, 30, "ab"))
    typed = EditText("t", 2, "", "c")
    typed.do(doc)
    pasted = EditText("t", 3, "", "pasted words", pasted=True)
    pasted.do(doc)
    assert pasted.text == "Paste 'pasted words'"
    assert not typed.merge(pasted)
    after = EditText("t", 15, "", "x")
    after.do(doc)
    assert not pasted.merge(after)
    assert EditText("t", 0, "ab", "", pasted=True).text == "Paste Text"


@pytest.mark.parametrize(
    ("inserted", "label"),
    [
        ("Hi", "Type 'Hi'"),
        (" ", "Type ' '"),
        ("   ", "Type '   '"),
        ("\n", "Type '↵'"),
        ("word ", "Type 'word'"),
        ("two  words", "Type 'two words'"),
    ],
)
def test_typing_labels_show_what_was_typed(inserted: str, label: str) -> None:
    assert EditText("t", 0, "", inserted).text == label


def test_setting_a_text_box_height_fixes_it() -> None:
    doc = doc_with(text("t", 0, 0, 100, 30, "Hi", auto_height=True))
    before = shape(doc)
    width = SetGeometry((GeometryChange("t", width=150.0),))
    width.do(doc)
    assert shape(doc).auto_height
    height = SetGeometry((GeometryChange("t", height=90.0),))
    height.do(doc)
    assert not shape(doc).auto_height and shape(doc).height == 90.0
    height.undo(doc)
    width.undo(doc)
    assert shape(doc) == before
    same = SetGeometry((GeometryChange("t", x=5.0, height=30.0),))
    same.do(doc)
    assert shape(doc).auto_height, "the same height is not a new one"
