"""The document's primitives and their change reports."""

from __future__ import annotations

import pytest

from editor.model import (
    DEFAULT_PAGE,
    Change,
    Document,
    Page,
    Rect,
    UnknownShapeError,
    bounds,
    ellipse,
    line,
    rect,
    text,
    translated,
)


def make_doc(n: int = 4) -> Document:
    return Document(shapes=[rect(f"s{i}", i, i, 10, 10) for i in range(n)])


def record(doc: Document) -> list[Change]:
    changes: list[Change] = []
    doc.subscribe(changes.append)
    return changes


def test_shapes_are_immutable_values() -> None:
    shape = rect("a", 0, 0, 10, 10)
    with pytest.raises(AttributeError):
        shape.x = 5  # type: ignore[misc]
    assert shape == rect("a", 0, 0, 10, 10)


def test_snapshot_is_unaffected_by_later_changes() -> None:
    doc = make_doc()
    snap = doc.snapshot()
    doc.replace([translated(doc["s0"], 5, 5)])
    doc.remove(["s1"])
    assert [s.id for s in snap.shapes] == ["s0", "s1", "s2", "s3"]
    assert snap.shapes[0].x == 0


def test_insert_reports_added_and_places_by_final_index() -> None:
    doc = make_doc(2)
    changes = record(doc)
    doc.insert([(0, rect("a", 0, 0, 1, 1)), (2, rect("b", 0, 0, 1, 1))])
    assert doc.ids() == ("a", "s0", "b", "s1")
    assert changes == [Change(added=("a", "b"))]


def test_remove_returns_what_insert_needs_to_restore() -> None:
    doc = make_doc(5)
    before = doc.snapshot()
    changes = record(doc)
    removed = doc.remove(["s3", "s1"])
    assert [i for i, _ in removed] == [1, 3]
    assert doc.ids() == ("s0", "s2", "s4")
    assert changes[-1].removed == ("s1", "s3")
    doc.insert(removed)
    assert doc.snapshot() == before


def test_replace_reports_changed_ids_only() -> None:
    doc = make_doc()
    changes = record(doc)
    doc.replace([translated(doc["s2"], 1, 0)])
    assert changes == [Change(changed=("s2",))]
    assert doc["s2"].x == 3


def test_move_reorders_and_reports_only_moved_ids() -> None:
    doc = make_doc(4)
    changes = record(doc)
    doc.move([("s0", 3)])
    assert doc.ids() == ("s1", "s2", "s3", "s0")
    assert changes == [Change(reordered=("s0",))]
    z = [doc.z_of(i) for i in doc.ids()]
    assert z == sorted(z)


def test_set_page_reports_page() -> None:
    doc = make_doc()
    changes = record(doc)
    doc.set_page(Page(100, 50, "#000000"))
    assert doc.page.width == 100
    assert changes == [Change(page=True)]


def test_unknown_ids_raise_and_change_nothing() -> None:
    doc = make_doc()
    before = doc.snapshot()
    changes = record(doc)
    with pytest.raises(UnknownShapeError, match="no shape with id 'zz'"):
        doc.remove(["s0", "zz"])
    with pytest.raises(UnknownShapeError):
        doc.replace([rect("s0", 1, 1, 1, 1), rect("zz", 1, 1, 1, 1)])
    with pytest.raises(ValueError, match="duplicate"):
        doc.insert([(0, rect("s1", 0, 0, 1, 1))])
    with pytest.raises(IndexError):
        doc.insert([(9, rect("new", 0, 0, 1, 1))])
    assert doc.snapshot() == before
    assert changes == []


def test_duplicate_ids_are_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="duplicate shape id 'a'"):
        Document(shapes=[rect("a", 0, 0, 1, 1), rect("a", 1, 1, 1, 1)])


def test_z_keys_renumber_when_precision_runs_out() -> None:
    doc = make_doc(3)
    changes = record(doc)
    for _ in range(1200):  # always between the same two neighbours: halves the gap
        doc.move([("s2", 1)])
        doc.move([("s1", 1)])
    assert any(c.restacked for c in changes)
    z = [doc.z_of(i) for i in doc.ids()]
    assert z == sorted(z)
    assert len(set(z)) == 3
    assert set(doc.ids()) == {"s0", "s1", "s2"}


def test_index_of_agrees_with_the_order_of_ids() -> None:
    doc = make_doc(50)
    doc.move([("s7", 0), ("s3", 49)])
    assert doc.ids()[0] == "s7" and doc.ids()[49] == "s3"
    for n, shape_id in enumerate(doc.ids()):
        assert doc.index_of(shape_id) == n


def test_new_id_is_fresh() -> None:
    doc = Document(shapes=[rect("s1", 0, 0, 1, 1), rect("s2", 0, 0, 1, 1)])
    first, second = doc.new_id(), doc.new_id()
    assert first not in doc and second not in doc and first != second


def test_listener_can_unsubscribe() -> None:
    doc = make_doc()
    seen: list[Change] = []
    unsubscribe = doc.subscribe(seen.append)
    doc.set_page(DEFAULT_PAGE)
    unsubscribe()
    doc.set_page(DEFAULT_PAGE)
    assert len(seen) == 1


def test_bounds_of_each_kind() -> None:
    assert bounds(rect("r", 1, 2, 3, 4)) == (1, 2, 3, 4)
    assert bounds(line("l", 10, 5, 0, 0)) == (0, 0, 10, 5)
    x, y, w, h = bounds(ellipse("e", 0, 0, 20, 10, rotation=90))
    assert (round(x, 6), round(y, 6), round(w, 6), round(h, 6)) == (5, -5, 10, 20)
    assert bounds(text("t", 0, 0, 5, 5, "x")) == (0, 0, 5, 5)


def test_translate_clamps_to_bounds() -> None:
    moved = translated(rect("r", 0, 0, 1, 1), 1e9, -1e9)
    assert isinstance(moved, Rect)
    assert moved.x == 10_000_000.0
    assert moved.y == -10_000_000.0
