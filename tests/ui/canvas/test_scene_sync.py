"""The scene follows the document: commands pushed directly update exactly their items."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPointF
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from editor.commands import (
    AddShapes,
    DeleteShapes,
    MoveShapes,
    Reorder,
    SetGeometry,
    SetPage,
    SetStyle,
)
from editor.commands.shapes import GeometryChange
from editor.io.render import shape_origin
from editor.model import DEFAULT_PAGE, Snapshot, rect
from editor.ui.canvas import Canvas, ShapeItem
from editor.ui.canvas.items import PageItem
from editor.ui.session import Session
from tests.ui.canvas.conftest import sample_session


def shape_items(canvas: Canvas) -> dict[str, ShapeItem]:
    return {item.shape_id: item for item in canvas.canvas_scene().shape_items()}


def test_one_item_per_shape_at_its_place_and_z(canvas: Canvas, session: Session) -> None:
    items = shape_items(canvas)
    assert set(items) == set(session.document.ids())
    for shape in session.document:
        item = items[shape.id]
        assert item.pos() == shape_origin(shape)
        assert item.zValue() == session.document.z_of(shape.id)
        assert item.scene() is canvas.canvas_scene()


def test_a_pushed_move_moves_only_that_item(canvas: Canvas, session: Session) -> None:
    before = shape_items(canvas)
    positions = {i: item.pos() for i, item in before.items()}
    session.push(MoveShapes(("r",), 25, -5, joinable=False))
    after = shape_items(canvas)
    assert all(after[i] is before[i] for i in before)  # the same objects: no rebuild
    assert after["r"].pos() == positions["r"] + QPointF(25, -5)
    assert all(after[i].pos() == positions[i] for i in before if i != "r")
    session.history.undo()
    assert after["r"].pos() == positions["r"]


def test_style_and_geometry_changes_update_the_item(canvas: Canvas, session: Session) -> None:
    item = shape_items(canvas)["r"]
    session.push(SetStyle(("r",), "stroke_width", 9.0))
    assert item.model == session.document["r"]
    assert item.boundingRect().width() == 80 + 9
    session.push(SetGeometry((GeometryChange("r", width=20.0, rotation=30.0),)))
    assert item.rotation() == 30.0
    assert item.boundingRect().width() == 20 + 9
    assert shape_items(canvas)["r"] is item


def test_added_and_deleted_shapes_create_and_remove_items(canvas: Canvas, session: Session) -> None:
    before = shape_items(canvas)
    session.push(AddShapes((rect("n", 10, 10, 5, 5),), index=1))
    after = shape_items(canvas)
    assert set(after) == set(before) | {"n"}
    assert all(after[i] is before[i] for i in before)
    assert before["r"].zValue() < after["n"].zValue() < before["e"].zValue()

    session.push(DeleteShapes(("e",)))
    assert "e" not in shape_items(canvas)
    assert before["e"].scene() is None
    session.history.undo()
    restored = shape_items(canvas)["e"]
    assert restored.zValue() == session.document.z_of("e")
    assert after["n"].zValue() < restored.zValue() < before["l"].zValue()


def test_reorder_updates_z_values_only(canvas: Canvas, session: Session) -> None:
    before = shape_items(canvas)
    session.push(Reorder(("r",), "front"))
    after = shape_items(canvas)
    assert all(after[i] is before[i] for i in before)
    assert after["r"].zValue() == max(item.zValue() for item in after.values())
    session.history.undo()
    assert after["r"].zValue() == min(item.zValue() for item in after.values())


def test_restacked_refreshes_every_z_value(canvas: Canvas, session: Session) -> None:
    # Inserting again and again between the same two neighbours exhausts the float keys.
    for n in range(1100):
        session.push(AddShapes((rect(f"x{n}", 0, 0, 1, 1),), index=1))
    doc = session.document
    items = shape_items(canvas)
    assert all(items[i].zValue() == doc.z_of(i) for i in doc.ids())
    ordered = sorted(items.values(), key=lambda item: item.zValue())
    assert [item.shape_id for item in ordered] == list(doc.ids())


def test_page_changes_update_the_page_item(canvas: Canvas, session: Session) -> None:
    page_items = [i for i in canvas.canvas_scene().items() if isinstance(i, PageItem)]
    assert len(page_items) == 1
    session.push(SetPage(width=1200, height=900, background="#ffeecc"))
    assert page_items[0].page_rect().width() == 1200
    assert canvas.canvas_scene().sceneRect().contains(page_items[0].page_rect())


def test_items_are_painted_by_the_shared_renderer(qtbot: QtBot, canvas: Canvas) -> None:
    image = canvas.viewport().grab().toImage()
    red = image.pixelColor(canvas.mapFromScene(QPointF(140, 130)))
    green = image.pixelColor(canvas.mapFromScene(QPointF(340, 140)))
    page = image.pixelColor(canvas.mapFromScene(QPointF(50, 550)))
    outside = image.pixelColor(canvas.mapFromScene(QPointF(-40, -40)))
    assert (red.red(), red.green(), red.blue()) == (255, 0, 0)
    assert (green.red(), green.green(), green.blue()) == (0, 255, 0)
    assert page == QColor(255, 255, 255)
    assert outside.red() == outside.green() == outside.blue() < 240  # neutral grey


# ------------------------------------------------------------------ selection
def test_session_selection_drives_the_selection_cues(canvas: Canvas, session: Session) -> None:
    overlay = canvas.canvas_scene().overlay
    session.selection.set(["r", "t"])
    frame = overlay.frame
    assert frame is not None and frame.kind == "group"
    assert (frame.left, frame.top, frame.right, frame.bottom) == (100, 100, 460, 360)
    session.selection.set(["e"])
    frame = overlay.frame
    assert frame is not None and (frame.kind, frame.cx, frame.cy) == ("box", 340, 140)
    session.selection.clear()
    assert overlay.frame is None


def test_the_selection_is_stored_once(canvas: Canvas, session: Session) -> None:
    """session.selection is the only selection: the scene keeps no copy of its own and
    Qt's per-item selection is not used, so nothing can disagree with it."""
    scene = canvas.canvas_scene()
    items = shape_items(canvas)
    session.selection.set(["r", "t"])
    assert scene.selectedItems() == []
    assert not any(item.isSelected() for item in items.values())
    items["e"].setSelected(True)  # Qt's own selection API does nothing
    scene.clearSelection()
    assert session.selection.ids() == ("r", "t")
    assert not hasattr(scene, "_selected")


def test_deleting_a_selected_shape_drops_it_from_the_selection(
    canvas: Canvas, session: Session
) -> None:
    session.selection.set(["r", "e"])
    session.push(DeleteShapes(("r",)))
    assert session.selection.ids() == ("e",)
    frame = canvas.canvas_scene().overlay.frame
    assert frame is not None and (frame.kind, frame.cx, frame.cy) == ("box", 340, 140)


def test_selection_cues_follow_a_pushed_move(canvas: Canvas, session: Session) -> None:
    session.selection.set(["r"])
    overlay = canvas.canvas_scene().overlay
    assert overlay.frame is not None
    before = dict(overlay.visible_handles())
    session.push(MoveShapes(("r",), 10, 20, joinable=False))
    after = dict(overlay.visible_handles())
    assert all(after[h] == before[h] + QPointF(10, 20) for h in before)


# -------------------------------------------------------------------- sessions
def test_set_session_binds_the_new_document_and_lets_the_old_go(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    old_scene = canvas.canvas_scene()
    other = sample_session()
    other.push(MoveShapes(("r",), 300, 300, joinable=False))
    canvas.set_session(other)
    assert canvas.session() is other
    assert canvas.canvas_scene() is not old_scene
    assert shape_items(canvas)["r"].pos() == shape_origin(other.document["r"])
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # old scene deleted
    # The old document no longer reaches the canvas (and nothing touches the dead scene).
    session.push(MoveShapes(("e",), 5, 5, joinable=False))
    session.selection.set(["e"])
    assert shape_items(canvas)["e"].pos() == shape_origin(other.document["e"])
    canvas.set_session(None)
    assert canvas.session() is None
    assert canvas.item_for("r") is None


def test_set_session_takes_keyboard_focus(
    qtbot: QtBot, make_canvas: Callable[[Session], Canvas], session: Session
) -> None:
    canvas = make_canvas(session)
    canvas.clearFocus()
    assert not canvas.hasFocus()
    canvas.set_session(sample_session())
    assert canvas.hasFocus()


@pytest.mark.parametrize("count", [3, 200])
def test_building_is_done_once_per_session(
    qtbot: QtBot, make_canvas: Callable[[Session], Canvas], count: int
) -> None:
    shapes = tuple(rect(f"s{n}", n, n, 10, 10) for n in range(count))
    session = Session(Snapshot(DEFAULT_PAGE, shapes))
    canvas = make_canvas(session)
    assert len(canvas.canvas_scene()) == count
    created = []
    original = ShapeItem.__init__

    def spy(self: ShapeItem, *args: object) -> None:
        created.append(args)
        original(self, *args)  # type: ignore[arg-type]

    ShapeItem.__init__ = spy  # type: ignore[method-assign]
    try:
        session.push(MoveShapes(("s1",), 1, 1, joinable=False))
        session.push(DeleteShapes(("s2",)))
        session.history.undo()
    finally:
        ShapeItem.__init__ = original  # type: ignore[method-assign]
    assert len(created) == 1  # only the undeleted shape got a new item
