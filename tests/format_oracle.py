"""An independent reading of docs/format.md: is this byte string a valid Strata document?

Written from the documentation alone, with Python's own json module, and deliberately
importing nothing from `editor`: the fuzzer (tests/io/test_fuzz_format.py) compares the
loader with this, so a rule the loader forgets or invents shows up as a disagreement.
Where the documentation is silent the oracle is strict only about JSON itself (RFC 8259).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

KINDS = {"rect", "ellipse", "line", "text"}
COORD = 10_000_000.0
COLOUR = re.compile(r"#[0-9a-fA-F]{6}(?:[0-9a-fA-F]{2})?")

#: The fields of each kind and the rule each value must meet (docs/format.md, "Shapes").
BOX = ("x", "y", "width", "height", "rotation", "fill", "stroke", "stroke_width", "opacity")
FIELDS: dict[str, tuple[str, ...]] = {
    "rect": BOX,
    "ellipse": BOX,
    "line": ("x1", "y1", "x2", "y2", "stroke", "stroke_width", "opacity"),
    "text": (*BOX, "text", "font_family", "font_size", "color"),
}


class Invalid(Exception):
    """Why the oracle refuses a document (for the fuzzer's failure messages)."""


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_colour(value: object) -> bool:
    return isinstance(value, str) and COLOUR.fullmatch(value) is not None


def _number(value: object, low: float, high: float, *, open_low: bool = False) -> bool:
    if not is_number(value):
        return False
    v = float(value) if not isinstance(value, int) or abs(value) < 1e300 else math.inf
    if not math.isfinite(v):
        return False
    return (v > low if open_low else v >= low) and v <= high


RULES: dict[str, Any] = {
    "x": lambda v: _number(v, -COORD, COORD),
    "y": lambda v: _number(v, -COORD, COORD),
    "x1": lambda v: _number(v, -COORD, COORD),
    "y1": lambda v: _number(v, -COORD, COORD),
    "x2": lambda v: _number(v, -COORD, COORD),
    "y2": lambda v: _number(v, -COORD, COORD),
    "width": lambda v: _number(v, 0, COORD),
    "height": lambda v: _number(v, 0, COORD),
    "rotation": lambda v: _number(v, -360, 360),
    "fill": lambda v: v is None or is_colour(v),
    "stroke": lambda v: v is None or is_colour(v),
    "stroke_width": lambda v: _number(v, 0, 10_000),
    "opacity": lambda v: _number(v, 0, 1),
    "text": lambda v: isinstance(v, str),
    "font_family": lambda v: isinstance(v, str) and 1 <= len(v) <= 256,
    "font_size": lambda v: _number(v, 0, 10_000, open_low=True),
    "color": is_colour,
}


class _Object(dict[str, Any]):
    """A JSON object whose keys were checked for repeats while parsing."""


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise Invalid("a key appears twice in one object")
    for key in keys:
        _no_surrogates(key)
    return _Object(pairs)


def _constant(name: str) -> Any:
    raise Invalid(f"{name} is not JSON")


def _no_surrogates(text: str) -> None:
    # Python's json turns a lone "\ud800" into a lone surrogate code point; a pair becomes
    # one character. RFC 8259 strings are sequences of Unicode characters.
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise Invalid("a lone surrogate is not a character")


def _walk_strings(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _no_surrogates(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _int(text: str) -> int | float:
    # Python refuses to convert integers of more than 4300 digits; the value only
    # matters for range checks, and such a number is out of every range.
    return int(text) if len(text) <= 300 else math.inf


def parse(data: bytes) -> Any:
    """The JSON value, or Invalid."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # "A UTF-8 byte order mark is tolerated."
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("not UTF-8") from None
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant, parse_int=_int)
    except RecursionError:
        raise Invalid("nested deeper than the recursion limit") from None
    except json.JSONDecodeError as exc:
        raise Invalid(f"not JSON: {exc}") from None
    _walk_strings(value)
    return value


def check(data: bytes) -> dict[str, Any]:
    """The document as plain values, or Invalid saying which rule it breaks."""
    doc = parse(data)
    if not isinstance(doc, dict):
        raise Invalid("the top level is not an object")
    if doc.get("format") != "strata" or "format" not in doc:
        raise Invalid("format is not 'strata'")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version != 1:
        raise Invalid("version is not the integer 1")
    page = doc.get("page")
    if not isinstance(page, dict):
        raise Invalid("page is not an object")
    for name in ("width", "height"):
        if not _number(page.get(name), 0, COORD, open_low=True) or name not in page:
            raise Invalid(f"page.{name}")
    if not is_colour(page.get("background")):
        raise Invalid("page.background")
    shapes = doc.get("shapes")
    if not isinstance(shapes, list):
        raise Invalid("shapes is not an array")
    ids: set[str] = set()
    for n, shape in enumerate(shapes):
        if not isinstance(shape, dict):
            raise Invalid(f"shapes[{n}] is not an object")
        kind = shape.get("type")
        if not isinstance(kind, str) or kind not in KINDS:
            raise Invalid(f"shapes[{n}].type")
        sid = shape.get("id")
        if not isinstance(sid, str) or not 1 <= len(sid) <= 256:
            raise Invalid(f"shapes[{n}].id")
        if sid in ids:
            raise Invalid(f"shapes[{n}].id is not unique")
        ids.add(sid)
        for name in FIELDS[kind]:
            if name not in shape or not RULES[name](shape[name]):
                raise Invalid(f"shapes[{n}].{name}")
    return doc


def is_valid(data: bytes) -> bool:
    try:
        check(data)
    except Invalid:
        return False
    return True
