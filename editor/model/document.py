"""The live document: a page and shapes in z-order, changed only by primitives.

Views never poll the document. Every primitive operation reports a `Change` to the
document's listeners, naming exactly which ids were added, removed, changed or moved in
the stacking order, so the canvas updates only those items.

Z-order is stored as a float key per shape in a sorted index (sortedcontainers), not as list
positions. That makes insert, remove and "index of id" O(log n), so one command costs the
same on a 100-shape and a 100,000-shape document, and a view can use the key directly as
the item's z value: bringing one shape to the front changes one item, not every item above
it. When repeated inserts between two neighbours exhaust float precision, the keys are
renumbered and the change says `restacked`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import msgspec
from sortedcontainers import SortedKeyList

from editor.model.shapes import DEFAULT_PAGE, Page, Shape


class UnknownShapeError(KeyError):
    """An operation named a shape id that is not in the document."""

    def __str__(self) -> str:
        return f"no shape with id {self.args[0]!r}"


class Change(msgspec.Struct, frozen=True):
    """What one primitive operation changed. Views update exactly these ids.

    A Struct, not a frozen dataclass: every command makes one, and a recovery replays
    100,000 commands (a frozen dataclass's __init__ costs ten times more)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    #: Ids whose place in the stacking order changed (their z key is new).
    reordered: tuple[str, ...] = ()
    #: Every z key was renumbered: views must refresh the z value of every item.
    restacked: bool = False
    page: bool = False

    def touched(self) -> tuple[str, ...]:
        """Ids that still exist and were affected: what a view should select after undo."""
        return self.added + self.changed + self.reordered


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An immutable view of a document at one moment: safe to read from any thread."""

    page: Page
    shapes: tuple[Shape, ...]

    def __len__(self) -> int:
        return len(self.shapes)


Listener = Callable[[Change], None]


class Document:
    """A page and shapes in z-order (first = bottom), each with a unique string id."""

    def __init__(self, page: Page | None = None, shapes: Iterable[Shape] = ()) -> None:
        self._page = page if page is not None else DEFAULT_PAGE
        items = shapes if isinstance(shapes, tuple | list) else tuple(shapes)
        # Built in bulk (a recovery starts from a 100,000-shape base): a dict of the shapes
        # by id, then their z keys 0, 1, 2, ... in order.
        self._shapes: dict[str, Shape] = {shape.id: shape for shape in items}
        if len(self._shapes) != len(items):
            seen: set[str] = set()
            for shape in items:
                if shape.id in seen:
                    raise ValueError(f"duplicate shape id {shape.id!r}")
                seen.add(shape.id)
        self._z: dict[str, float] = dict(
            zip(self._shapes, map(float, range(len(items))), strict=True)
        )
        # Keys are already ascending, so this is a linear-time build.
        self._order: SortedKeyList = SortedKeyList(self._shapes, key=self._z.__getitem__)
        self._listeners: list[Listener] = []
        self._id_counter = itertools.count(1)

    # ----------------------------------------------------------------- queries
    @property
    def page(self) -> Page:
        return self._page

    def __len__(self) -> int:
        return len(self._shapes)

    def __contains__(self, shape_id: object) -> bool:
        return shape_id in self._shapes

    def __iter__(self) -> Iterator[Shape]:
        shapes = self._shapes
        return (shapes[i] for i in self._order)

    def __getitem__(self, shape_id: str) -> Shape:
        try:
            return self._shapes[shape_id]
        except KeyError:
            raise UnknownShapeError(shape_id) from None

    def get(self, shape_id: str) -> Shape | None:
        return self._shapes.get(shape_id)

    def ids(self) -> tuple[str, ...]:
        """All ids, bottom to top."""
        return tuple(self._order)

    def shapes(self) -> tuple[Shape, ...]:
        """All shapes, bottom to top."""
        shapes = self._shapes
        return tuple([shapes[i] for i in self._order])

    def snapshot(self) -> Snapshot:
        """An immutable copy of the document (a tuple of references: O(n) pointer copies)."""
        return Snapshot(self._page, self.shapes())

    def index_of(self, shape_id: str) -> int:
        """The shape's position in the z-order (0 = bottom), in O(log n)."""
        if shape_id not in self._shapes:
            raise UnknownShapeError(shape_id)
        index: int = self._order.index(shape_id)
        return index

    def z_of(self, shape_id: str) -> float:
        """The shape's stacking key: larger is higher. Stable until a `restacked` change."""
        try:
            return self._z[shape_id]
        except KeyError:
            raise UnknownShapeError(shape_id) from None

    def new_id(self, prefix: str = "s") -> str:
        """A fresh id not used in this document (ids are never reused within a session)."""
        while True:
            candidate = f"{prefix}{next(self._id_counter)}"
            if candidate not in self._shapes:
                return candidate

    # --------------------------------------------------------------- listeners
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(change)` after every primitive; returns an unsubscribe function."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, change: Change) -> None:
        listeners = self._listeners
        if listeners:  # a copy: a listener may unsubscribe while it is told
            for listener in list(listeners):
                listener(change)

    # -------------------------------------------------------------- primitives
    def insert(self, items: Sequence[tuple[int, Shape]]) -> Change:
        """Insert shapes so that each ends at its given index (indices in the final order).

        Items must be sorted by index. `remove()` returns exactly this form, so
        `doc.insert(doc.remove(ids))` restores the document.
        """
        ids = [shape.id for _, shape in items]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate ids in insert")
        final_len = len(self._shapes) + len(items)
        previous = -1
        for index, shape in items:
            if shape.id in self._shapes:
                raise ValueError(f"duplicate shape id {shape.id!r}")
            if not previous < index < final_len:
                raise IndexError(f"insert index {index} out of order or range")
            previous = index
        restacked = False
        for index, shape in items:
            restacked |= self._place(shape.id, index)
            self._shapes[shape.id] = shape
        change = Change(added=tuple(ids), restacked=restacked)
        self._emit(change)
        return change

    def append(self, shapes: Sequence[Shape]) -> Change:
        """Insert shapes on top of everything, in the given order."""
        n = len(self._shapes)
        return self.insert([(n + k, shape) for k, shape in enumerate(shapes)])

    def remove(self, ids: Iterable[str]) -> list[tuple[int, Shape]]:
        """Remove shapes; returns (index, shape) pairs, ascending, for `insert` to restore."""
        unique = list(dict.fromkeys(ids))
        for shape_id in unique:
            if shape_id not in self._shapes:
                raise UnknownShapeError(shape_id)
        removed = sorted((self._order.index(i), self._shapes[i]) for i in unique)
        # sorted() compares only indices: they are unique, so shapes are never compared.
        for _, shape in removed:
            self._order.remove(shape.id)
            del self._z[shape.id]
            del self._shapes[shape.id]
        self._emit(Change(removed=tuple(s.id for _, s in removed)))
        return removed

    def replace(self, shapes: Iterable[Shape]) -> Change:
        """Replace shapes by new values with the same ids (geometry, style, text)."""
        new = shapes if type(shapes) in (list, tuple) else list(shapes)
        current = self._shapes
        ids = [shape.id for shape in new]
        for shape_id in ids:
            if shape_id not in current:
                raise UnknownShapeError(shape_id)
        for shape in new:
            current[shape.id] = shape
        change = Change(changed=tuple(ids) if len(ids) < 2 else tuple(dict.fromkeys(ids)))
        self._emit(change)
        return change

    def move(self, placements: Sequence[tuple[str, int]]) -> Change:
        """Move shapes in the stacking order so each ends at its given final index.

        `placements` is (id, index) with indices in the final order; it is applied like
        a remove followed by an insert, so the ids need not be contiguous.
        """
        ids = [shape_id for shape_id, _ in placements]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate ids in move")
        for shape_id in ids:
            if shape_id not in self._shapes:
                raise UnknownShapeError(shape_id)
        ordered = sorted(placements, key=lambda p: p[1])
        n = len(self._shapes)
        previous = -1
        for _, index in ordered:
            if not previous < index < n:
                raise IndexError(f"move index {index} out of order or range")
            previous = index
        for shape_id in ids:
            self._order.remove(shape_id)
            del self._z[shape_id]
        restacked = False
        for shape_id, index in ordered:
            restacked |= self._place(shape_id, index)
        change = Change(reordered=tuple(i for i, _ in ordered), restacked=restacked)
        self._emit(change)
        return change

    def set_page(self, page: Page) -> Change:
        """Replace the page (size and background)."""
        self._page = page
        change = Change(page=True)
        self._emit(change)
        return change

    # ---------------------------------------------------------------- z keys
    def _place(self, shape_id: str, index: int) -> bool:
        """Give `shape_id` a z key that puts it at `index`; True if keys were renumbered."""
        z = self._key_between(index)
        restacked = False
        if z is None:
            self._renumber()
            z = self._key_between(index)
            assert z is not None
            restacked = True
        self._z[shape_id] = z
        self._order.add(shape_id)
        return restacked

    def _key_between(self, index: int) -> float | None:
        order, zs = self._order, self._z
        n = len(order)
        if n == 0:
            return 0.0
        if index >= n:
            return zs[order[n - 1]] + 1.0
        if index == 0:
            return zs[order[0]] - 1.0
        low, high = zs[order[index - 1]], zs[order[index]]
        z = (low + high) / 2
        return z if low < z < high else None

    def _renumber(self) -> None:
        ids = list(self._order)
        self._z.clear()
        for n, shape_id in enumerate(ids):
            self._z[shape_id] = float(n)
        self._order = SortedKeyList(ids, key=self._z.__getitem__)
