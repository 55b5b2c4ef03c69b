"""A hypothesis strategy for hostile .strata files: valid documents, then mutations.

A document is built as a JSON tree that can say what Python's json cannot: repeated keys
(`Obj` keeps pairs), number spellings (`Num("1e999")`), and raw string tokens (`Raw`,
for escapes like a lone surrogate). `hostile_files()` draws a valid document, mutates its
structure a few times (delete, repeat or rename a key, swap a value for a boundary or
nasty one, add unknown fields, reorder, repeat a shape), writes it in a random layout and
escaping, and sometimes damages the bytes (truncate, cut, insert, flip). Every decision
is read from one hypothesis-drawn byte string (`Choices`), so hypothesis generates,
mutates and shrinks files, seeded like any other hypothesis test. Pure: no Qt, and nothing
from `editor` (the oracle and the loader get the same bytes).
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st


@dataclass
class Obj:
    """A JSON object as ordered pairs (keys may repeat)."""

    pairs: list[tuple[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Num:
    """A number spelled exactly like this."""

    text: str


@dataclass(frozen=True)
class Raw:
    """A token written as is (a string with unusual escapes)."""

    text: str


# ------------------------------------------------------------------ choices
class Choices:
    """Decisions read from a byte string: hypothesis draws (and shrinks) the bytes.

    One `st.binary()` draw per file instead of hundreds of small draws keeps the fuzzer at
    ~1 ms per file (hypothesis costs ~30 us per draw); shrinking the bytes towards zeros
    shrinks the file, because choice 0 is always the simplest (no more shapes, the first
    value of a list, no mutation). When the bytes run out every choice is 0.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def byte(self) -> int:
        if self._at >= len(self._data):
            return 0
        self._at += 1
        return self._data[self._at - 1]

    def below(self, n: int) -> int:
        """0 <= result < n."""
        if n <= 1:
            return 0
        value = self.byte()
        if n > 256:
            value = value << 8 | self.byte()
        return value % n

    def chance(self, one_in: int) -> bool:
        """True one time in `one_in`; False when the bytes have run out."""
        return self.below(one_in) == one_in - 1 if one_in > 1 else True

    def pick(self, items: list[Any] | tuple[Any, ...] | str) -> Any:
        return items[self.below(len(items))]

    def number(self, low: float, high: float) -> float | int:
        """A number in [low, high]: an edge, an integer or a float inside."""
        way = self.below(8)
        if way == 0:
            return low
        if way == 1:
            return high
        if way == 2 and low <= 0 <= high:
            return 0
        if way in (3, 4):
            span = math.floor(high) - math.ceil(low)
            return math.ceil(low) + (self.below(min(span + 1, 65536)) if span >= 0 else 0)
        fraction = self.below(65536) / 65535
        return min(high, max(low, low + (high - low) * fraction))

    def text(self, alphabet: str, longest: int) -> str:
        return "".join(self.pick(alphabet) for _ in range(self.below(longest + 1)))


# ------------------------------------------------------------------ values
HEX = "0123456789abcdefABCDEF"
#: Characters for ids, texts and keys: ASCII, JSON's specials, non-ASCII, non-BMP, bidi.
CHARS = 'ab Z09:_-"\\/{}[],\n\t\x00\x1b\x7féü€\u2028\u202e\U0001f600'
TEXTS = ["", "a: b", 'say "hi"', "\\", "line\nline", "}{", '"x": 1', "\u202e", "Hello"]
KINDS = ("rect", "ellipse", "line", "text")


def colour(c: Choices) -> str:
    return "#" + "".join(c.pick(HEX) for _ in range(6)) + c.pick(["", "00", "80", "ff", "FF"])


def maybe_colour(c: Choices) -> str | None:
    return None if c.chance(3) else colour(c)


def some_text(c: Choices, longest: int = 12) -> str:
    return c.pick(TEXTS) if c.chance(2) else c.text(CHARS, longest)


def shape(c: Choices, sid: str) -> Obj:
    kind = c.pick(KINDS)
    pairs: list[tuple[str, Any]] = [("type", kind), ("id", sid)]
    if kind == "line":
        pairs += [(k, c.number(-1e7, 1e7)) for k in ("x1", "y1", "x2", "y2")]
    else:
        pairs += [("x", c.number(-1e7, 1e7)), ("y", c.number(-1e7, 1e7)),
                  ("width", c.number(0, 1e7)), ("height", c.number(0, 1e7)),
                  ("rotation", c.number(-360, 360)), ("fill", maybe_colour(c))]  # fmt: skip
    pairs += [("stroke", maybe_colour(c)), ("stroke_width", c.number(0, 10_000)),
              ("opacity", c.number(0, 1))]  # fmt: skip
    if kind == "text":
        size = c.number(0, 10_000) or 14
        family = some_text(c) or "DejaVu Sans"
        pairs += [("text", some_text(c, 30)), ("font_family", family),
                  ("font_size", size), ("color", colour(c))]  # fmt: skip
    if c.chance(2):  # any order is valid
        for i in range(len(pairs) - 1, 0, -1):
            j = c.below(i + 1)
            pairs[i], pairs[j] = pairs[j], pairs[i]
    return Obj(pairs)


def json_value(c: Choices, depth: int = 0) -> Any:
    """Any JSON value, for unknown fields (what a later 1.x writer may add)."""
    way = c.below(9 if depth < 3 else 6)
    if way < 6:
        return [None, True, False, c.number(-5, 5), c.number(-1e20, 1e20), some_text(c)][way]
    if way < 8:
        return [json_value(c, depth + 1) for _ in range(c.below(4))]
    keys = {some_text(c, 4) for _ in range(c.below(4))}
    return Obj([(k, json_value(c, depth + 1)) for k in sorted(keys)])


def valid_document(c: Choices) -> Obj:
    count = c.below(6)
    ids: list[str] = []
    while len(ids) < count:
        sid = c.text(CHARS, 6) or f"s{len(ids)}"
        ids.append(sid if sid not in ids else sid + str(len(ids)))
    shapes = [shape(c, sid) for sid in ids]
    page = Obj([("width", c.number(0, 1e7) or 800), ("height", c.number(0, 1e7) or 600),
                ("background", colour(c))])  # fmt: skip
    top = Obj([("format", "strata"), ("version", 1), ("page", page), ("shapes", shapes)])
    for obj in [top, page, *shapes]:
        if c.chance(8):
            obj.pairs.insert(c.below(len(obj.pairs) + 1), ("zz" + some_text(c, 4), json_value(c)))
    return top


# ---------------------------------------------------------------- mutations
NASTY: list[Any] = [
    None, True, False, 0, -0.0, 1, -1, 0.5, 2, 1e7, 10_000_000.000001, -1e7, -10_000_000.5,
    360, 360.0001, -360.00001, 10_000, 10_000.5, 1.0000001, -1e-9, 1e300,
    Num("1e999"), Num("-1e999"), Num("9" * 400), Num("1e-400"), Num("1E2"), Num("-0"),
    Num("NaN"), Num("Infinity"), Num("-Infinity"), Num("1.5e7"), Num("1.0"), Num("1e0"),
    "", "x" * 256, "x" * 257, "#ffffff", "#ffffff\n", "#FFFFFF80", "#fffffff", "#gggggg",
    "#fff", " #ffffff", "#ffffff ", "red", "rect", "text", "line", "ellipse", "triangle",
    "tri\nangle", "\x1b[31m", "\u202eevil", "\x00", "strata", "Strata", "x" * 5000,
    Raw('"\\ud800"'), Raw('"\\udc00x"'), Raw('"\\ud83d\\ude00"'), Raw('"\\u0000"'),
    Raw('"\\u0023ffffff"'), Raw('"#ffffff\\n"'), Raw('"\\q"'), Raw('"\\u12"'),
    [], {}, [1], Obj([("a", 1)]), Obj([("a", 1), ("a", 1)]),
]  # fmt: skip
NEW_KEYS = ["zz", "format", "version", "page", "shapes", "fill", "type", "id", "x", "width",
            "background", "\u0000", "Fill", "fill "]  # fmt: skip


def _containers(value: Any, found: list[Any]) -> list[Any]:
    if isinstance(value, Obj):
        found.append(value)
        for _, v in value.pairs:
            _containers(v, found)
    elif isinstance(value, list):
        found.append(value)
        for v in value:
            _containers(v, found)
    return found


def _nasty(c: Choices) -> Any:
    # A copy: NASTY's lists and objects are shared, and later mutations change values in
    # place (a shared one could end up inside itself, or leak into the next example).
    return copy.deepcopy(c.pick(NASTY)) if c.below(4) else json_value(c)


def mutate(c: Choices, top: Obj, count: int) -> Any:
    """Apply `count` structural mutations in place; may return a new top-level value."""
    root: Any = top
    for _ in range(count):
        nodes = _containers(root, [])
        if not nodes or c.chance(40):
            root = c.pick([[root], "strata", 1, None, Obj()])
            continue
        node = c.pick(nodes)
        if isinstance(node, list):
            op = c.below(4)
            if op == 0 and node:
                node.pop(c.below(len(node)))
            elif op == 1 and node:
                node.append(copy.deepcopy(node[c.below(len(node))]))  # a duplicate id
            elif op == 2 and node:
                node[c.below(len(node))] = _nasty(c)
            else:
                node.insert(c.below(len(node) + 1), _nasty(c))
            continue
        op = c.pick(["delete", "repeat", "rename", "value", "value", "add"])
        if op == "add" or not node.pairs:
            node.pairs.insert(c.below(len(node.pairs) + 1), (c.pick(NEW_KEYS), _nasty(c)))
            continue
        i = c.below(len(node.pairs))
        key, value = node.pairs[i]
        if op == "delete":
            del node.pairs[i]
        elif op == "repeat":
            again = copy.deepcopy(value) if c.chance(2) else _nasty(c)
            node.pairs.insert(c.below(len(node.pairs) + 1), (key, again))
        elif op == "rename":
            node.pairs[i] = (c.pick([key.upper(), key + " ", "", "zz", key[:-1]]), value)
        else:
            node.pairs[i] = (key, _nasty(c))
    return root


# ---------------------------------------------------------------- writing
@dataclass(frozen=True)
class Layout:
    space: str
    newline: bool
    ascii: bool
    escape_keys: bool


def _string(text: str, layout: Layout) -> str:
    return json.dumps(text, ensure_ascii=layout.ascii)


def _key(text: str, layout: Layout) -> str:
    """A key, its first character spelled as a \\u escape when the layout says so."""
    if layout.escape_keys and text and ord(text[0]) < 0x10000 and text[0].isalnum():
        return f'"\\u{ord(text[0]):04x}' + _string(text[1:], layout)[1:]
    return _string(text, layout)


def write(value: Any, layout: Layout) -> str:
    sep = "\n" if layout.newline else ""
    if isinstance(value, Obj):
        items = [f"{_key(k, layout)}:{layout.space}{write(v, layout)}" for k, v in value.pairs]
        return "{" + sep + f",{layout.space}{sep}".join(items) + "}"
    if isinstance(value, list):
        return "[" + f",{layout.space}{sep}".join(write(v, layout) for v in value) + "]"
    if isinstance(value, (Num, Raw)):
        return value.text
    if isinstance(value, dict):
        return write(Obj(list(value.items())), layout)
    if isinstance(value, str):
        return _string(value, layout)
    return json.dumps(value)


SNIPPETS = [
    b"\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b'"', b"\\", b",", b"{", b"}", b"[", b"]", b":",
    b"NaN", b"\\ud800", b'"a":1,', b" ", b"\x1b", b"\xc3", b"\xe2\x80\xae",
]  # fmt: skip


def damage(c: Choices, data: bytes, count: int) -> bytes:
    """Break the bytes `count` times: truncate, cut a span, insert a snippet, flip a byte."""
    for _ in range(count):
        if not data:
            break
        at = len(data) - 1 - c.below(len(data))
        op = c.below(4)
        if op == 0:
            data = data[:at]
        elif op == 1:
            data = data[:at] + data[at + 1 + c.below(8) :]
        elif op == 2:
            data = data[:at] + c.pick(SNIPPETS) + data[at:]
        else:
            data = data[:at] + bytes([data[at] ^ (1 << c.below(8))]) + data[at + 1 :]
    return data


def build_file(seeds: tuple[bytes, bytes]) -> bytes:
    """A .strata file decided by two byte strings: the document's, and the mutations'.

    Two streams, so that the mutations do not depend on how many bytes the document used
    up (hypothesis draws many short strings; with one stream most mutations would get the
    zeros left at its end).
    """
    doc, plan = Choices(seeds[0]), Choices(seeds[1])
    mutations = plan.pick([0, 0, 1, 1, 2, 3])
    damages = plan.pick([0, 0, 0, 0, 1, 2])
    root = mutate(plan, valid_document(doc), mutations)
    layout = Layout(plan.pick(["", " ", "  ", "\t"]), plan.chance(2), plan.chance(2),
                    plan.chance(6))  # fmt: skip
    data = write(root, layout).encode("utf-8", "surrogatepass")
    if plan.chance(20):
        data = b"\xef\xbb\xbf" + data
    return damage(plan, data, damages)


def hostile_files() -> st.SearchStrategy[bytes]:
    """Hostile .strata files, two `st.binary()` draws each (see `Choices`)."""
    return st.tuples(st.binary(max_size=600), st.binary(min_size=32, max_size=64)).map(build_file)
