"""Hostile envelopes never escape `strata replay` as anything but its one-line error."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.commands import REGISTRY
from editor.io.format import load
from editor.model import Document
from editor.replay import ReplayError, replay
from tests.commands.test_commands_doc import DOCUMENTED, SAMPLE

pytestmark = pytest.mark.noqt

SNAPSHOT = load(SAMPLE)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from(["a1", "a2", "a3", "a4", "fill", "front", "#ff0000", ""]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)  # fmt: skip


@st.composite
def envelopes(draw: st.DrawFn) -> Any:
    name = draw(st.sampled_from(sorted(REGISTRY)))
    if draw(st.booleans()):  # start from the documented example and spoil some fields
        payload = dict(draw(st.sampled_from(DOCUMENTED[name].examples))["payload"])
    else:
        payload = {}
    fields = [f.name for f in dataclasses.fields(REGISTRY[name]) if f.init]  # type: ignore[arg-type]
    for field in draw(st.lists(st.sampled_from(fields), max_size=3)):
        payload[field] = draw(JSON)
    return draw(st.sampled_from([{"type": name, "payload": payload}, payload, [name], None]))


@settings(max_examples=200, deadline=None)
@given(st.lists(envelopes(), min_size=1, max_size=5))
def test_replay_fails_only_with_a_located_one_line_error(batch: list[Any]) -> None:
    doc = Document(SNAPSHOT.page, SNAPSHOT.shapes)
    try:
        for _ in replay(batch, doc):
            pass
    except ReplayError as exc:
        text = str(exc)
        assert text.startswith("command ") and "--from-offset" in text
        assert "\n" not in text and text.isprintable()
