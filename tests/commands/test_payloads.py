"""Payloads need only the person's intent: bookkeeping has defaults and changes nothing."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from editor.commands import REGISTRY, CommandError, command_from_json
from editor.commands.base import is_bookkeeping
from editor.model import Document
from tests.commands.test_commands_doc import DOCUMENTED, _sample

pytestmark = pytest.mark.noqt


def _fields(name: str) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(REGISTRY[name]) if f.init]  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_bookkeeping_fields_have_defaults(name: str) -> None:
    for f in _fields(name):
        if is_bookkeeping(f):
            assert f.default is not dataclasses.MISSING, f.name


def test_joinable_and_pasted_are_bookkeeping() -> None:
    marked = {(n, f.name) for n in REGISTRY for f in _fields(n) if is_bookkeeping(f)}
    joinable = {(n, "joinable") for n in REGISTRY if any(f.name == "joinable" for f in _fields(n))}
    assert joinable and joinable <= marked
    assert ("edit_text", "pasted") in marked


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_bookkeeping_never_changes_the_document(name: str) -> None:
    """Flip every bookkeeping field of each documented example (a label: another text):
    same document after do()."""
    for example in DOCUMENTED[name].examples:
        flipped = dict(example["payload"])
        for f in _fields(name):
            if is_bookkeeping(f):
                flipped[f.name] = not f.default if isinstance(f.default, bool) else "Move Vertex of"
        a, b = Document(*_sample()), Document(*_sample())
        command_from_json(example).do(a)
        command_from_json({"type": name, "payload": flipped}).do(b)
        assert a.snapshot() == b.snapshot()


def test_intent_only_payload_decodes_with_the_defaults() -> None:
    payload = {"id": "a4", "position": 0, "removed": "", "inserted": "x"}
    command = command_from_json({"type": "edit_text", "payload": payload})
    assert command.joinable is True and command.pasted is False  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"ids": ["a1"], "dx": 1, "dy": 1, "dX": 2}, "unknown field 'dX'"),
        # recorded state is not data: a payload cannot plant what undo or redo restores
        ({"ids": ["a1"], "dx": 1, "dy": 1, "_after": []}, "unknown field '_after'"),
        ({"ids": ["a1"], "dx": 1, "dy": 1, "_changed": True}, "unknown field '_changed'"),
    ],
)
def test_unknown_and_private_fields_are_refused(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(CommandError, match=message) as info:
        command_from_json({"type": "move_shapes", "payload": payload})
    assert "(fields: ids, dx, dy, joinable)" in str(info.value)
