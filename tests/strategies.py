"""Hypothesis strategies for documents and commands (pure: no Qt)."""

from __future__ import annotations

import itertools

from hypothesis import strategies as st

from editor.commands import (
    AddShapes,
    Command,
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
)
from editor.model import (
    MARKERS,
    Document,
    Ellipse,
    Freehand,
    Line,
    Page,
    Polygon,
    Rect,
    Shape,
    Text,
    geometry_fields,
)

coords = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
sizes = st.floats(0, 1e4, allow_nan=False, allow_infinity=False)
colors = st.from_regex(r"\A#[0-9a-f]{6}([0-9a-f]{2})?\Z")
maybe_colors = st.none() | colors
opacity = st.floats(0, 1)
widths = st.floats(0, 50)
rotation = st.floats(-360, 360)
texts = st.text(alphabet="ab .,\n", max_size=12)
markers = st.sampled_from(MARKERS)
points = st.lists(st.tuples(coords, coords), min_size=2, max_size=12).map(tuple)

_ids = itertools.count()


def fresh_id() -> str:
    return f"h{next(_ids)}"


@st.composite
def shapes(draw: st.DrawFn) -> Shape:
    kind = draw(st.sampled_from(["rect", "ellipse", "line", "text", "polygon", "freehand"]))
    sid = fresh_id()
    if kind == "polygon":
        return Polygon(sid, draw(points), draw(st.booleans()), draw(maybe_colors),
                       draw(maybe_colors), draw(widths), draw(opacity), draw(markers),
                       draw(markers))  # fmt: skip
    if kind == "freehand":
        return Freehand(sid, draw(points), draw(maybe_colors), draw(widths), draw(opacity))
    if kind == "line":
        return Line(sid, draw(coords), draw(coords), draw(coords), draw(coords),
                    draw(maybe_colors), draw(widths), draw(opacity), draw(markers),
                    draw(markers))  # fmt: skip
    box = (draw(coords), draw(coords), draw(sizes), draw(sizes), draw(rotation),
           draw(maybe_colors), draw(maybe_colors), draw(widths), draw(opacity))  # fmt: skip
    if kind == "rect":
        return Rect(sid, *box)
    if kind == "ellipse":
        return Ellipse(sid, *box)
    return Text(sid, *box, draw(texts), draw(st.sampled_from(["DejaVu Sans", "Serif"])),
                draw(st.floats(1, 200)), draw(colors), draw(st.booleans()))  # fmt: skip


pages = st.builds(Page, st.floats(1, 5000), st.floats(1, 5000), colors)
documents = st.builds(Document, pages, st.lists(shapes(), max_size=8))


@st.composite
def commands(draw: st.DrawFn, doc: Document) -> Command:
    """A command that applies to `doc` (ids drawn from the document)."""
    ids = doc.ids()
    choices = ["add", "paste", "page"]
    if ids:
        choices += ["delete", "move", "geometry", "style", "reorder", "duplicate"]
    if any(isinstance(s, Text) for s in doc):
        choices += ["text", "text", "text"]
    kind = draw(st.sampled_from(choices))

    def some_ids() -> tuple[str, ...]:
        return tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True)))

    joinable = draw(st.booleans())
    if kind in ("add", "paste"):
        new = tuple(draw(st.lists(shapes(), min_size=1, max_size=3)))
        index = draw(st.none() | st.integers(0, len(ids)))
        return AddShapes(new, index) if kind == "add" else Paste(new)
    if kind == "page":
        return SetPage(width=draw(st.none() | st.floats(1, 5000)), background=draw(colors),
                       joinable=joinable)  # fmt: skip
    if kind == "delete":
        return DeleteShapes(some_ids())
    if kind == "move":
        return MoveShapes(some_ids(), draw(coords), draw(coords), joinable=joinable)
    if kind == "geometry":
        changes = []
        for sid in some_ids():
            fields = geometry_fields(doc[sid])
            if "points" in fields:
                changes.append(GeometryChange(sid, points=draw(points)))
            elif "x1" in fields:
                changes.append(GeometryChange(sid, x1=draw(coords), y2=draw(coords)))
            else:
                changes.append(GeometryChange(sid, width=draw(sizes), rotation=draw(rotation)))
        return SetGeometry(tuple(changes), joinable=joinable)
    if kind == "style":
        prop, values = draw(st.sampled_from([
            ("fill", maybe_colors), ("stroke", maybe_colors), ("stroke_width", widths),
            ("opacity", opacity), ("font_family", st.sampled_from(["A", "B"])),
            ("font_size", st.floats(1, 100)), ("color", colors),
            ("start_marker", markers), ("end_marker", markers), ("closed", st.booleans()),
        ]))  # fmt: skip
        return SetStyle(some_ids(), prop, draw(values), joinable=joinable)
    if kind == "reorder":
        return Reorder(some_ids(), draw(st.sampled_from(["raise", "lower", "front", "back"])))
    if kind == "duplicate":
        source = some_ids()
        return Duplicate(source, tuple(fresh_id() for _ in source), draw(coords), draw(coords))
    # text: type at the end (merges), or splice somewhere
    tid = draw(st.sampled_from([s.id for s in doc if isinstance(s, Text)]))
    shape = doc[tid]
    assert isinstance(shape, Text)
    n = len(shape.text)
    if draw(st.booleans()):
        grow = draw(st.one_of(st.none(), sizes)) if shape.auto_height else None
        return EditText(tid, n, "", draw(st.text(alphabet="ab ,", min_size=1, max_size=2)),
                        joinable=joinable, height=grow)  # fmt: skip
    start = draw(st.integers(0, n))
    end = draw(st.integers(start, n))
    return EditText(tid, start, shape.text[start:end], draw(texts), joinable=joinable)
