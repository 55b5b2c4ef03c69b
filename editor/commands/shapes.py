"""Commands on shapes: add, paste, delete, duplicate, move, resize, style, reorder."""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import msgspec

from editor.commands.base import (
    Command,
    CommandError,
    bookkeeping,
    check_ids,
    noun,
    register,
    require,
)
from editor.model import (
    KINDS,
    MAX_COORD,
    Document,
    Shape,
    check_geometry_value,
    check_style_value,
    kind_of_shape,
    supports_property,
    translated,
    with_property,
)

_MERGE_MOVE = 1
_MERGE_GEOMETRY = 2
_MERGE_STYLE = 3
#: The largest offset a move may have (across the whole coordinate range).
_MAX_OFFSET = 2 * MAX_COORD


@dataclass(slots=True)
class ShapeEdit(Command):
    """Base for commands that replace some shapes by new values of the same ids.

    `do()` records the old and new value of every shape it really changed; undo puts the
    old values back, redo puts the recorded new values back. Memory is proportional to the
    shapes touched, never to the document.
    """

    #: Old values of the shapes the last do() changed. One shape is stored bare: a 1-tuple
    #: would cost 48 bytes in every history entry (see docs/performance.md).
    _old: Shape | tuple[Shape, ...] = field(default=(), init=False, repr=False, compare=False)
    #: Recorded new values, kept only after a merge (x + dx1 + dx2 != x + (dx1 + dx2)).
    _after: tuple[Shape, ...] | None = field(default=None, init=False, repr=False, compare=False)
    _changed: bool = field(default=False, init=False, repr=False, compare=False)

    @abstractmethod
    def target_ids(self) -> tuple[str, ...]:
        """The ids this command may change."""

    @abstractmethod
    def transform(self, shape: Shape) -> Shape:
        """The new value of one target shape (may be the same value: no change)."""

    def transformer(self) -> Callable[[Shape], Shape]:
        """The function `do()` applies to each target; override to index data once."""
        return self.transform

    def do(self, doc: Document) -> None:
        if self._after is not None:  # merged: re-apply the recorded values
            require(doc, (s.id for s in self._after))
            if self._after:
                doc.replace(self._after)
            return
        transform = self.transformer()
        before, after = [], []
        for shape in require(doc, self.target_ids()):
            new = transform(shape)
            if new != shape:
                before.append(shape)
                after.append(new)
        # Unmerged, redo recomputes from the same old values: deterministic and exact, and
        # it saves keeping the new values (the document holds them) in every entry.
        self._old = before[0] if len(before) == 1 else tuple(before)
        self._changed = bool(after)
        if after:
            doc.replace(after)

    def undo(self, doc: Document) -> None:
        if self._before:
            doc.replace(self._before)

    @property
    def _before(self) -> tuple[Shape, ...]:
        old = self._old
        return old if isinstance(old, tuple) else (old,)

    def is_noop(self) -> bool:
        return not self._changed

    def _recorded_after(self) -> dict[str, Shape]:
        """The new values of the last `do()` (recomputed: `do()` is deterministic)."""
        if self._after is not None:
            return {s.id: s for s in self._after}
        transform = self.transformer()
        return {s.id: transform(s) for s in self._before}

    def _absorb(self, other: ShapeEdit) -> None:
        """Merge `other`, just done after us: our old values, its new values.

        Call before changing this command's intent fields (the recomputation uses them).
        """
        before = {s.id: s for s in other._before}
        before.update((s.id, s) for s in self._before)
        after = self._recorded_after()
        after.update(other._recorded_after())
        ids = [i for i in after if after[i] != before[i]]
        self._old = tuple(before[i] for i in ids)
        self._after = tuple(after[i] for i in ids)
        self._changed = bool(ids)


def _same_targets(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return len(a) == len(b) and set(a) == set(b)


@register
@dataclass(slots=True)
class MoveShapes(ShapeEdit):
    """Move shapes by an offset (a drag, an arrow-key nudge, a paste offset)."""

    type_name: ClassVar[str] = "move_shapes"
    merge_id: ClassVar[int] = _MERGE_MOVE

    ids: tuple[str, ...]
    dx: float
    dy: float
    #: False starts a new undo step (a new drag); True merges into a previous move of the
    #: same shapes (repeated nudges).
    joinable: bool = bookkeeping(True)

    def __post_init__(self) -> None:
        check_ids(self.ids)
        if not -_MAX_OFFSET <= self.dx <= _MAX_OFFSET:  # also false for NaN
            raise ValueError(f"dx: expected a finite offset, got {self.dx!r}")
        if not -_MAX_OFFSET <= self.dy <= _MAX_OFFSET:
            raise ValueError(f"dy: expected a finite offset, got {self.dy!r}")

    @property
    def text(self) -> str:
        return f"Move {noun(self._before or len(self.ids))}"

    def target_ids(self) -> tuple[str, ...]:
        return self.ids

    def transform(self, shape: Shape) -> Shape:
        return translated(shape, self.dx, self.dy)

    def merge(self, other: Command) -> bool:
        if not (
            isinstance(other, MoveShapes) and other.joinable and _same_targets(self.ids, other.ids)
        ):
            return False
        self._absorb(other)
        self.dx += other.dx
        self.dy += other.dy
        return True


class GeometryChange(msgspec.Struct, frozen=True, omit_defaults=True):
    """New geometry for one shape: the box fields or the line end points to set.

    One optional field per geometry field of every family in `editor.model.kinds` (the
    command's data stays flat: ``{"id": "s1", "width": 40}``); the shape's kind decides
    which of them apply (`SetGeometry` refuses the others) and how (`Kind.set_geometry`).
    """

    id: str
    x: float | None = None
    y: float | None = None
    width: float | None = None
    height: float | None = None
    rotation: float | None = None
    x1: float | None = None
    y1: float | None = None
    x2: float | None = None
    y2: float | None = None
    #: A points kind's new points (polygon, freehand): [x, y] pairs.
    points: tuple[tuple[float, float], ...] | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("id: expected a non-empty string")
        values = self.values()
        if not values:
            raise ValueError(f"no geometry given for {self.id!r}")
        for name, value in values.items():
            check_geometry_value(name, value)

    def values(self) -> dict[str, Any]:
        """The fields this change sets (numbers as floats; points as float pairs)."""
        values: dict[str, Any] = {}
        for name in _CHANGE_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if name == "points":
                values[name] = tuple((float(x), float(y)) for x, y in value)
            else:
                values[name] = float(value)
        return values


#: The geometry fields a change may carry: every geometry family's (`editor.model.kinds`).
_CHANGE_FIELDS: tuple[str, ...] = GeometryChange.__struct_fields__[1:]
assert set(_CHANGE_FIELDS) == {f for k in KINDS.values() for f in k.geometry.fields}


@register
@dataclass(slots=True)
class SetGeometry(ShapeEdit):
    """Resize or reshape shapes: set box fields (x, y, width, height, rotation), line ends
    or a polygon's or stroke's points.

    Giving a text box a new height fixes its height (`Text.auto_height` becomes False):
    the person chose it, so typing no longer grows the box; undo restores both.
    """

    type_name: ClassVar[str] = "set_geometry"
    merge_id: ClassVar[int] = _MERGE_GEOMETRY

    changes: tuple[GeometryChange, ...]
    joinable: bool = bookkeeping(True)
    #: The step's verb when it is not a resize or a turn: "Move Vertex of", "Add Vertex
    #: to", "Delete Vertex of" (a vertex edit of a polygon); "" works it out.
    verb: str = bookkeeping("")

    def __post_init__(self) -> None:
        check_ids(tuple(c.id for c in self.changes), "changes")

    @property
    def text(self) -> str:
        verb = self.verb or (
            "Rotate" if all(set(c.values()) == {"rotation"} for c in self.changes) else "Resize"
        )
        return f"{verb} {noun(self._before or len(self.changes))}"

    def target_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.changes)

    def transform(self, shape: Shape) -> Shape:
        return self.transformer()(shape)

    def transformer(self) -> Callable[[Shape], Shape]:
        by_id = {c.id: c.values() for c in self.changes}

        def apply(shape: Shape) -> Shape:
            values = by_id[shape.id]
            kind = kind_of_shape(shape)
            allowed = kind.geometry.fields
            for name in values:
                if name not in allowed:
                    raise CommandError(f"a {kind.name} has no geometry field {name!r}")
            new: Shape = kind.set_geometry(shape, values)
            return new

        return apply

    def merge(self, other: Command) -> bool:
        if not (
            isinstance(other, SetGeometry)
            and other.joinable
            and _same_targets(self.target_ids(), other.target_ids())
        ):
            return False
        self._absorb(other)
        mine = {c.id: c.values() for c in self.changes}
        for change in other.changes:
            mine[change.id].update(change.values())
        self.changes = tuple(GeometryChange(id=i, **v) for i, v in mine.items())
        return True


_STYLE_LABELS = {
    "fill": "Fill",
    "stroke": "Stroke",
    "stroke_width": "Stroke Width",
    "opacity": "Opacity",
    "font_family": "Font",
    "font_size": "Font Size",
    "color": "Text Colour",
    "start_marker": "Start Marker",
    "end_marker": "End Marker",
    "closed": "Closed",
}
#: Properties whose step reads better as a verb of the value: "Close Polygon".
_VALUE_VERBS = {("closed", True): "Close", ("closed", False): "Open"}

StyleProperty = Literal[
    "fill",
    "stroke",
    "stroke_width",
    "opacity",
    "font_family",
    "font_size",
    "color",
    "start_marker",
    "end_marker",
    "closed",
]


@register
@dataclass(slots=True)
class SetStyle(ShapeEdit):
    """Set one style property on many shapes; shapes without that property are left alone."""

    type_name: ClassVar[str] = "set_style"
    merge_id: ClassVar[int] = _MERGE_STYLE

    ids: tuple[str, ...]
    prop: StyleProperty
    value: Any
    #: True merges into a previous change of the same property on the same shapes
    #: (a slider drag); False starts a new step.
    joinable: bool = bookkeeping(True)

    def __post_init__(self) -> None:
        check_ids(self.ids)
        self.value = check_style_value(self.prop, self.value)

    @property
    def text(self) -> str:
        what = noun(self._before or len(self.ids))
        verb = _VALUE_VERBS.get((self.prop, self.value)) if isinstance(self.value, bool) else None
        if verb is not None:
            return f"{verb} {what}"
        return f"Change {_STYLE_LABELS[self.prop]} of {what}"

    def target_ids(self) -> tuple[str, ...]:
        return self.ids

    def transform(self, shape: Shape) -> Shape:
        if not supports_property(shape, self.prop):
            return shape
        return with_property(shape, self.prop, self.value)

    def merge(self, other: Command) -> bool:
        if not (
            isinstance(other, SetStyle)
            and other.joinable
            and other.prop == self.prop
            and _same_targets(self.ids, other.ids)
        ):
            return False
        self._absorb(other)
        self.value = other.value
        return True


@register
@dataclass(slots=True)
class AddShapes(Command):
    """Add new shapes, on top of everything or at a given index."""

    type_name: ClassVar[str] = "add_shapes"
    verb: ClassVar[str] = "Add"

    shapes: tuple[Shape, ...]
    #: Where the first shape goes in the z-order; None means on top.
    index: int | None = None

    def __post_init__(self) -> None:
        check_ids(tuple(s.id for s in self.shapes), "shapes")
        if self.index is not None and self.index < 0:
            raise ValueError("index: expected a non-negative index")

    @property
    def text(self) -> str:
        return f"{self.verb} {noun(self.shapes)}"

    def do(self, doc: Document) -> None:
        for shape in self.shapes:
            if shape.id in doc:
                raise CommandError(f"a shape with id {shape.id!r} already exists")
        start = len(doc) if self.index is None else self.index
        if start > len(doc):
            raise CommandError(f"index {start} is past the top of the document")
        doc.insert([(start + k, shape) for k, shape in enumerate(self.shapes)])

    def undo(self, doc: Document) -> None:
        doc.remove(s.id for s in self.shapes)


@register
@dataclass(slots=True)
class Paste(AddShapes):
    """Paste shapes from the clipboard (already given fresh ids), on top."""

    type_name: ClassVar[str] = "paste"
    verb: ClassVar[str] = "Paste"


@register
@dataclass(slots=True)
class DeleteShapes(Command):
    """Delete shapes; undo puts each back at its old place in the z-order."""

    type_name: ClassVar[str] = "delete_shapes"

    ids: tuple[str, ...]
    _removed: list[tuple[int, Shape]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        check_ids(self.ids)

    @property
    def text(self) -> str:
        return f"Delete {noun([s for _, s in self._removed] or len(self.ids))}"

    def do(self, doc: Document) -> None:
        require(doc, self.ids)
        self._removed = doc.remove(self.ids)

    def undo(self, doc: Document) -> None:
        doc.insert(self._removed)


@register
@dataclass(slots=True)
class Duplicate(Command):
    """Copy shapes under new ids, offset, on top of everything (in their z-order)."""

    type_name: ClassVar[str] = "duplicate"

    ids: tuple[str, ...]
    #: The copies' ids, one per source id, fixed when the command is made so that redo and
    #: replay recreate the same ids.
    new_ids: tuple[str, ...]
    dx: float = 10.0
    dy: float = 10.0
    _noun: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_ids(self.ids)
        check_ids(self.new_ids, "new_ids")
        if len(self.ids) != len(self.new_ids):
            raise ValueError("new_ids: expected one new id per id")
        if set(self.ids) & set(self.new_ids):
            raise ValueError("new_ids: must differ from ids")
        for name, value in (("dx", self.dx), ("dy", self.dy)):
            if not math.isfinite(value) or abs(value) > 2 * MAX_COORD:
                raise ValueError(f"{name}: expected a finite offset, got {value!r}")

    @property
    def text(self) -> str:
        return f"Duplicate {self._noun or noun(len(self.ids))}"

    def copies(self, doc: Document) -> list[Shape]:
        """The new shapes, in the originals' z-order."""
        sources = require(doc, self.ids)
        self._noun = noun(sources)
        new_id = dict(zip(self.ids, self.new_ids, strict=True))
        sources.sort(key=lambda s: doc.z_of(s.id))
        return [
            msgspec.structs.replace(translated(s, self.dx, self.dy), id=new_id[s.id])
            for s in sources
        ]

    def do(self, doc: Document) -> None:
        for new_id in self.new_ids:
            if new_id in doc:
                raise CommandError(f"a shape with id {new_id!r} already exists")
        doc.append(self.copies(doc))

    def undo(self, doc: Document) -> None:
        doc.remove(self.new_ids)


ReorderMode = Literal["raise", "lower", "front", "back"]
_REORDER_TEXT = {
    "raise": "Raise",
    "lower": "Lower",
    "front": "Bring to Front",
    "back": "Send to Back",
}


@register
@dataclass(slots=True)
class Reorder(Command):
    """Change the stacking order: raise or lower one step, bring to front, send to back.

    Raise moves every run of selected shapes above the next unselected shape; front moves
    the selection to the top keeping its relative order. Cost is O(k log n) for k shapes.
    """

    type_name: ClassVar[str] = "reorder"

    ids: tuple[str, ...]
    mode: ReorderMode
    _noun: str = field(default="", init=False, repr=False, compare=False)
    _old: tuple[tuple[str, int], ...] = field(default=(), init=False, repr=False, compare=False)
    _new: tuple[tuple[str, int], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_ids(self.ids)

    @property
    def text(self) -> str:
        return f"{_REORDER_TEXT[self.mode]} {self._noun or noun(len(self.ids))}"

    def do(self, doc: Document) -> None:
        self._noun = noun(require(doc, self.ids))
        old = sorted((doc.index_of(i), i) for i in self.ids)
        new_indices = _reorder(self.mode, [k for k, _ in old], len(doc))
        self._old = tuple((i, k) for k, i in old)
        self._new = tuple((i, k) for (_, i), k in zip(old, new_indices, strict=True))
        if not self.is_noop():
            doc.move(self._new)

    def undo(self, doc: Document) -> None:
        if not self.is_noop():
            doc.move(self._old)

    def is_noop(self) -> bool:
        return self._old == self._new


def _reorder(mode: ReorderMode, indices: list[int], n: int) -> list[int]:
    """New final indices for the selected shapes at `indices` (ascending) among n shapes."""
    k = len(indices)
    if mode == "front":
        return list(range(n - k, n))
    if mode == "back":
        return list(range(k))
    result = list(indices)
    runs: list[tuple[int, int]] = []  # (start, end) positions within `indices`
    start = 0
    for j in range(1, k + 1):
        if j == k or indices[j] != indices[j - 1] + 1:
            runs.append((start, j))
            start = j
    for a, b in runs:
        if mode == "raise" and indices[b - 1] < n - 1:
            result[a:b] = [i + 1 for i in indices[a:b]]
        elif mode == "lower" and indices[a] > 0:
            result[a:b] = [i - 1 for i in indices[a:b]]
    return result
