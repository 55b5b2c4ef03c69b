"""docs/commands.md against the command registry: every type, field, default and example.

A new command type, a new payload field, a changed default or a field that becomes
required without the page saying so fails here. Every example envelope on the page is
decoded and applied to editor/samples/shapes.strata.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest

from editor.commands import REGISTRY, Command, command_from_json
from editor.commands.base import is_bookkeeping
from editor.io.format import load
from editor.model import Document

pytestmark = pytest.mark.noqt

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "commands.md"
SAMPLE = ROOT / "editor" / "samples" / "shapes.strata"


@dataclasses.dataclass
class Row:
    name: str
    type: str
    required: str
    meaning: str


@dataclasses.dataclass
class Section:
    rows: dict[str, Row]
    examples: list[Any]
    text: str


def sections(text: str) -> dict[str, Section]:
    found: dict[str, Section] = {}
    parts = re.split(r"^## `([a-z_]+)`\n", text, flags=re.MULTILINE)
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        rows = {}
        for line in body.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if line.startswith("| `") and len(cells) == 4:
                field = cells[0].strip("`")
                rows[field] = Row(field, cells[1], cells[2], cells[3])
        examples = [json.loads(b) for b in re.findall(r"```json\n(.*?)\n```", body, re.S)]
        found[name] = Section(rows, examples, body)
    return found


DOCUMENTED = sections(DOC.read_text(encoding="utf-8"))


def init_fields(cls: type[Command]) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]


def json_type(t: mi.Type) -> str:
    """A msgspec type as the page words it."""
    simple = {
        mi.FloatType: "number",
        mi.IntType: "integer",
        mi.StrType: "string",
        mi.BoolType: "boolean",
        mi.AnyType: "any",
        mi.NoneType: "null",
    }
    for kind, word in simple.items():
        if isinstance(t, kind):
            return word
    if isinstance(t, mi.VarTupleType | mi.ListType):
        return f"array of {json_type(t.item_type)}"
    if isinstance(t, mi.UnionType):
        if all(isinstance(m, mi.StructType) for m in t.types):  # the shape kinds
            return "shape"
        return " or ".join(json_type(m) for m in t.types)
    if isinstance(t, mi.StructType):
        return t.cls.__name__
    if isinstance(t, mi.LiteralType):
        return "one of " + ", ".join(f'"{v}"' for v in sorted(t.values))
    raise AssertionError(f"no words for {t!r}")


def test_every_registered_type_is_documented_and_nothing_else() -> None:
    assert set(DOCUMENTED) == set(REGISTRY)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_fields_types_and_defaults_match(name: str) -> None:
    cls = REGISTRY[name]
    rows = DOCUMENTED[name].rows
    fields = init_fields(cls)
    assert set(rows) == {f.name for f in fields}, "documented fields differ from the payload"
    types = {f.name: f.type for f in mi.type_info(cls).fields}  # type: ignore[attr-defined]
    for f in fields:
        row = rows[f.name]
        assert row.type == json_type(types[f.name]), f.name
        has_default = f.default is not dataclasses.MISSING
        if not has_default:
            assert row.required == "yes", f.name
            continue
        default = json.dumps(msgspec.to_builtins(f.default))
        expected = f"no, default `{default}`" + (", bookkeeping" if is_bookkeeping(f) else "")
        assert row.required == expected, f.name
    for part in ("Undo", "Label", "Merges"):
        assert f"{part}:" in DOCUMENTED[name].text, f"{name}: say what {part} is"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_examples_decode_and_apply_to_the_sample(name: str) -> None:
    examples = DOCUMENTED[name].examples
    assert examples, "every type has an example envelope"
    for example in examples:
        assert example["type"] == name
        command = command_from_json(example)
        doc = Document(*_sample())
        before = doc.snapshot()
        command.do(doc)
        assert doc.snapshot() != before, "an example changes the sample"
        assert command.text, "labelled"


def _sample() -> tuple[Any, Any]:
    snapshot = load(SAMPLE)
    return snapshot.page, snapshot.shapes
