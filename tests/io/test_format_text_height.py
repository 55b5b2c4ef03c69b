"""The text box's optional `auto_height` field (added within format version 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from editor.io.format import FormatError, decode, encode
from editor.model import DEFAULT_PAGE, Snapshot, Text, text
from tests.io.test_format import dumps, good, with_shape


def test_a_text_box_without_auto_height_is_a_fixed_box() -> None:
    """Files written before the field keep their boxes' heights."""
    (*_, box) = decode(dumps(good())).shapes
    assert isinstance(box, Text) and box.auto_height is False


def test_auto_height_round_trips_and_is_written() -> None:
    snapshot = Snapshot(DEFAULT_PAGE, (text("t", 0, 0, 100, 30, "Hi", auto_height=True),))
    data = encode(snapshot)
    assert json.loads(data)["shapes"][0]["auto_height"] is True
    assert decode(data) == snapshot
    (box,) = decode(with_shape(3, auto_height=True)).shapes[3:]
    assert isinstance(box, Text) and box.auto_height


def test_a_bad_auto_height_is_a_located_error() -> None:
    with pytest.raises(FormatError, match=r"shapes\[3\]\.auto_height"):
        decode(with_shape(3, auto_height="yes"))


def test_the_documented_padding_is_the_renderers() -> None:
    from editor.io.render import TEXT_PADDING  # noqa: PLC0415 (the one Qt test here)

    doc = (Path(__file__).resolve().parents[2] / "docs" / "format.md").read_text()
    assert f"padding of **{TEXT_PADDING:g} units on every side**" in doc
