"""What docs/format.md refuses, the loader refuses, in the format's own words, on one line.

Each test here was written against a loader that let the case through (issue 9 and
issue 8 item 9): a colour with a trailing newline, a page without its fields, a file
value echoed raw into the message, a lone surrogate described as a truncated escape,
msgspec's wording, duplicate keys, and a font-family cap the documentation did not state.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from editor.io.format import FormatError, decode
from editor.model import check_style_value, is_color
from tests.io.test_format import dumps, good, with_shape

DOC = Path(__file__).resolve().parents[2] / "docs" / "format.md"

#: Longest message the loader may print (the location, the rule, a truncated value).
MAX_MESSAGE = 300


def refused(data: bytes) -> str:
    with pytest.raises(FormatError) as info:
        decode(data)
    text = str(info.value)
    assert_one_clean_line(text)
    return text


def assert_one_clean_line(text: str) -> None:
    """One line, no control or bidi characters, bounded length."""
    assert len(text) <= MAX_MESSAGE, text[:200]
    for ch in text:
        assert ch.isprintable(), f"{unicodedata.name(ch, hex(ord(ch)))} in {text!r}"


# ------------------------------------------------------------------ colours
@pytest.mark.parametrize(
    ("where", "field"),
    [(0, "fill"), (0, "stroke"), (3, "color"), (3, "fill"), (2, "stroke"), (None, "background")],
)
@pytest.mark.parametrize("tail", ["\n", "\r\n", " ", "\t"])
def test_a_colour_with_anything_after_it_is_refused(
    where: int | None, field: str, tail: str
) -> None:
    if where is None:
        data = good()
        data["page"] = {"width": 800, "height": 600, "background": "#ffffff" + tail}
        raw = dumps(data)
        place = "page.background"
    else:
        raw = with_shape(where, **{field: "#ffffff" + tail})
        place = f"shapes[{where}].{field}"
    message = refused(raw)
    assert message.startswith(f"{place}: expected a colour"), message
    assert repr("#ffffff" + tail) in message


def test_colour_checks_in_the_model_match_the_whole_string() -> None:
    assert is_color("#ffffff") and is_color("#FFFFFF80")
    assert not is_color("#ffffff\n")
    assert not is_color("#ffffff80\n")
    with pytest.raises(ValueError, match="fill"):
        check_style_value("fill", "#ffffff\n")


# ------------------------------------------------------------------ the page
@pytest.mark.parametrize("missing", ["width", "height", "background"])
def test_every_page_field_is_required(missing: str) -> None:
    data = good()
    page = {"width": 800, "height": 600, "background": "#ffffff"}
    del page[missing]
    data["page"] = page
    assert refused(dumps(data)) == f'page: missing required field "{missing}"'


def test_an_empty_page_is_refused() -> None:
    data = good()
    data["page"] = {}
    assert refused(dumps(data)).startswith("page: missing required field")


# ------------------------------------------------------- values from the file
HOSTILE_TYPES = [
    "tri\nangle",
    "red\x1b[31m",
    "car\rriage",
    "nul\x00byte",
    "\u202etxt.exe",
    "zero\u200bwidth",
    "line\u2028sep",
    "x" * 1_000_000,
]


@pytest.mark.parametrize("value", HOSTILE_TYPES, ids=lambda v: repr(v[:12]))
def test_an_unknown_shape_type_is_quoted_escaped_and_truncated(value: str) -> None:
    message = refused(with_shape(1, type=value))
    assert message.startswith("shapes[1].type: unknown shape type '"), message
    assert message.endswith("(expected rect, ellipse, line, text, polygon or freehand)")


@pytest.mark.parametrize("value", HOSTILE_TYPES, ids=lambda v: repr(v[:12]))
def test_every_quoted_value_is_escaped(value: str) -> None:
    """The same values in every string field a message may quote."""
    for raw in (
        with_shape(0, fill=value),
        with_shape(3, color=value),
        with_shape(3, id=value) if len(value) > 256 else with_shape(3, id="a1", x=value),
        dumps({**good(), "format": value}),
    ):
        refused(raw)


# ------------------------------------------------------------- JSON escapes
@pytest.mark.parametrize(
    "escape", ["\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ud800x", "\\ud800\\u0041"]
)
def test_a_lone_surrogate_escape_is_named(escape: str) -> None:
    raw = dumps(good()).replace(b'"Hello"', b'"' + escape.encode() + b'"')
    message = refused(raw)
    assert re.match(r"^line 1, column \d+: ", message), message
    assert "surrogate" in message and "end of hex escape" not in message, message


def test_a_valid_surrogate_pair_is_a_character() -> None:
    raw = dumps(good()).replace(b'"Hello"', b'"\\ud83d\\ude00"')
    text = decode(raw).shapes[3]
    assert getattr(text, "text", None) == "\U0001f600"


# --------------------------------------------------------- the format's words
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (with_shape(0, fill=5), "shapes[0].fill: expected a colour or null, got an integer"),
        (with_shape(0, stroke=[]), "shapes[0].stroke: expected a colour or null, got an array"),
        (with_shape(3, color=None), "shapes[3].color: expected a colour, got null"),
        (with_shape(2, stroke=True), "shapes[2].stroke: expected a colour or null, got true"),
        (with_shape(0, type=5), "shapes[0].type: expected a shape type, got an integer"),
        (with_shape(3, font_family="x" * 257),
         "shapes[3].font_family: expected a string of at most 256 characters"),
        (with_shape(0, id="x" * 257), "shapes[0].id: expected a string of at most 256 characters"),
    ],
)  # fmt: skip
def test_messages_are_in_the_formats_words(raw: bytes, expected: str) -> None:
    assert refused(raw) == expected


# ------------------------------------------------------------- duplicate keys
def test_a_duplicate_key_at_the_top_level_is_refused() -> None:
    raw = dumps(good()).replace(b'"format": "strata"', b'"format": "evil", "format": "strata"')
    assert refused(raw) == 'top level: duplicate key "format"'


def test_duplicate_keys_are_refused_wherever_they_are() -> None:
    base = dumps(good())
    cases = {
        b'"width": 800': (b'"width": 800, "width": 800', 'page: duplicate key "width"'),
        b'"x": 10': (b'"x": 10, "x": 10', 'shapes[0]: duplicate key "x"'),
        b'"text": "Hello"': (b'"text": "Hello", "text": "Hi"', 'shapes[3]: duplicate key "text"'),
    }
    for old, (new, expected) in cases.items():
        assert refused(base.replace(old, new, 1)) == expected
    nested = dumps({**good(), "extra": {"a": [1, {"k": 2}]}})
    nested = nested.replace(b'{"k": 2}', b'{"k": 1, "k": 2}')
    assert refused(nested) == 'extra.a[1]: duplicate key "k"'
    # A key spelled with an escape is the same key.
    escaped = base.replace(b'"y": 20', b'"y": 20, "\\u0079": 20', 1)
    assert refused(escaped) == 'shapes[0]: duplicate key "y"'


def test_a_hostile_duplicate_key_is_escaped() -> None:
    key = b'"' + b"\\u001b[31m\\n\\u202e" * 100 + b'"'
    raw = (
        b'{"format": "strata", "version": 1, "shapes": [], "page": {"width": 1, "height": 1, '
        b'"background": "#ffffff", ' + key + b": 1, " + key + b": 2}}"
    )
    assert refused(raw).startswith("page: duplicate key ")


def test_unknown_fields_and_colons_in_text_are_still_fine() -> None:
    data = good()
    data["later"] = {"nested": [{"a": 1}, {"a": 2}], "x": "a: b"}
    shapes = data["shapes"]
    assert isinstance(shapes, list)
    shapes[3]["text"] = 'key: "value", {"x": 1, "x": 2}'
    shapes[0]["note"] = {"fill": 1}
    snap = decode(json.dumps(data).encode())
    assert len(snap.shapes) == 4


# ------------------------------------------------------------------ the doc
def test_the_documented_font_family_cap_is_the_codes() -> None:
    doc = DOC.read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| `font_family`"))
    cap = int(re.search(r"at most ([\d,]+) characters", row).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert decode(with_shape(3, font_family="x" * cap)).shapes[3]
    refused(with_shape(3, font_family="x" * (cap + 1)))


def test_the_doc_states_the_duplicate_key_rule_and_the_page_rule() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert "duplicate key" in doc
    page = doc.split("## Page", 1)[1].split("##", 1)[0]
    assert "required" in page
