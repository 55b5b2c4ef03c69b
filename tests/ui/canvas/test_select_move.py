"""Selecting, moving, nudging and resizing with real mouse and key events."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from editor.commands import AddShapes
from editor.model import Line, Rect, rect
from editor.ui.canvas import Canvas
from editor.ui.canvas.simulate import click, drag, key, move, press, release
from editor.ui.session import Session
from tests.ui.canvas.conftest import FakeClock

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def history_texts(session: Session) -> list[str]:
    stack = session.history.stack
    return [stack.text(i) for i in range(stack.count())]


def box(session: Session, shape_id: str) -> tuple[float, float, float, float]:
    shape = session.document[shape_id]
    assert not isinstance(shape, Line)
    return shape.x, shape.y, shape.width, shape.height


# ----------------------------------------------------------------- selecting
def test_click_selects_and_the_scene_follows(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (140, 130))
    assert session.selection.ids() == ("r",)
    overlay = canvas.canvas_scene().overlay
    assert overlay.frame is not None and (overlay.frame.cx, overlay.frame.cy) == (140, 130)
    assert session.history.stack.count() == 0
    click(qtbot, canvas, (340, 140))
    assert session.selection.ids() == ("e",)
    assert (overlay.frame.cx, overlay.frame.cy) == (340, 140)


def test_shift_and_ctrl_click_toggle(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    click(qtbot, canvas, (140, 130))
    click(qtbot, canvas, (340, 140), modifiers=SHIFT)
    assert session.selection.ids() == ("r", "e")
    click(qtbot, canvas, (140, 130), modifiers=CTRL)
    assert session.selection.ids() == ("e",)
    click(qtbot, canvas, (140, 130), modifiers=CTRL)
    assert session.selection.ids() == ("e", "r")


def test_click_on_empty_space_clears_but_shift_click_there_keeps(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    session.selection.set(["r", "e"])
    click(qtbot, canvas, (50, 500), modifiers=SHIFT)
    assert session.selection.ids() == ("r", "e")
    click(qtbot, canvas, (50, 500))
    assert session.selection.ids() == ()


def test_click_in_a_selected_group_without_moving_selects_just_that_shape(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    session.selection.set(["r", "e"])
    click(qtbot, canvas, (140, 130))
    assert session.selection.ids() == ("r",)


def test_unfilled_shapes_are_picked_on_their_outline_only(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (600, 175))  # inside the empty frame: nothing
    assert session.selection.ids() == ()
    click(qtbot, canvas, (501, 175))  # on its left edge
    assert session.selection.ids() == ("frame",)


def test_thin_lines_are_picked_within_a_few_pixels(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (150, 303))
    assert session.selection.ids() == ("l",)
    click(qtbot, canvas, (150, 310))
    assert session.selection.ids() == ()


def test_topmost_shape_wins(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    session.push(AddShapes((rect("top", 120, 110, 40, 40, fill="#0000ff"),)))
    click(qtbot, canvas, (140, 130))
    assert session.selection.ids() == ("top",)


def test_rubber_band_selects_enclosed_shapes(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    drag(qtbot, canvas, (80, 80), (400, 200))
    assert set(session.selection.ids()) == {"r", "e"}  # the frame is only crossed
    assert session.history.stack.count() == 0
    assert not [i for i in canvas.canvas_scene().items() if i.zValue() > 1e299
                and i is not canvas.canvas_scene().overlay]  # fmt: skip


def test_shift_rubber_band_adds(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    session.selection.set(["t"])
    drag(qtbot, canvas, (80, 80), (400, 200), modifiers=SHIFT)
    assert set(session.selection.ids()) == {"t", "r", "e"}


def test_right_click_selects_what_it_is_on(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    session.selection.set(["e"])
    click(qtbot, canvas, (140, 130), button=Qt.MouseButton.RightButton)
    assert session.selection.ids() == ("r",)
    session.selection.set(["r", "e"])
    click(qtbot, canvas, (140, 130), button=Qt.MouseButton.RightButton)
    assert session.selection.ids() == ("r", "e")  # already selected: keep the group


# -------------------------------------------------------------------- moving
def test_drag_moves_with_one_command_and_undo_restores(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    item = canvas.item_for("r")
    assert item is not None
    start = item.pos()
    drag(qtbot, canvas, (140, 130), (190, 150), steps=8)
    assert box(session, "r") == (150, 120, 80, 60)
    assert history_texts(session) == ["Move Rectangle"]
    assert item.pos() == start + QPointF(50, 20)
    session.history.undo()
    assert box(session, "r") == (100, 100, 80, 60)
    assert item.pos() == start
    assert session.selection.ids() == ("r",)


def test_drag_is_a_preview_until_release(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    before = session.document.snapshot()
    item = canvas.item_for("r")
    assert item is not None
    start = item.pos()
    drag(qtbot, canvas, (140, 130), (200, 170), release_at_end=False)
    assert session.document.snapshot() == before
    assert session.history.stack.count() == 0
    assert item.pos() == start + QPointF(60, 40)
    release(qtbot, canvas, (200, 170))
    assert session.history.stack.count() == 1


def test_dragging_a_selected_shape_moves_the_whole_selection(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    session.selection.set(["r", "e"])
    drag(qtbot, canvas, (340, 140), (350, 160))
    assert box(session, "r") == (110, 120, 80, 60)
    assert box(session, "e") == (310, 120, 80, 80)
    assert history_texts(session) == ["Move 2 Shapes"]


def test_a_click_or_a_jitter_pushes_nothing(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    click(qtbot, canvas, (140, 130))
    drag(qtbot, canvas, (140, 130), (141, 131))  # under the drag threshold
    assert session.history.stack.count() == 0
    assert box(session, "r") == (100, 100, 80, 60)


def test_dragging_back_to_the_start_pushes_nothing(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    press(qtbot, canvas, (140, 130))
    move(qtbot, canvas, (180, 160))
    move(qtbot, canvas, (140, 130))
    release(qtbot, canvas, (140, 130))
    assert session.history.stack.count() == 0


def test_escape_cancels_a_drag(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    before = session.document.snapshot()
    item = canvas.item_for("r")
    assert item is not None
    start = item.pos()
    drag(qtbot, canvas, (140, 130), (220, 200), release_at_end=False)
    key(qtbot, canvas, Qt.Key.Key_Escape)
    assert item.pos() == start
    move(qtbot, canvas, (260, 240))
    assert item.pos() == start  # the rest of this press is ignored
    release(qtbot, canvas, (260, 240))
    assert session.document.snapshot() == before
    assert session.history.stack.count() == 0
    assert session.selection.ids() == ("r",)


def test_shift_drag_moves_along_one_axis(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    drag(qtbot, canvas, (140, 130), (200, 140), modifiers=SHIFT)
    assert box(session, "r") == (160, 100, 80, 60)


def test_drag_moves_are_snapped_to_whole_units(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    canvas.set_zoom(1.5)
    start = canvas.mapToScene(canvas.mapFromScene(QPointF(140, 130)))
    drag(qtbot, canvas, start, start + QPointF(33.4, 21.3))
    x, y, _, _ = box(session, "r")
    assert x == round(x) and y == round(y)


# ------------------------------------------------------------------- nudging
def test_arrow_nudges_merge_into_one_step(
    qtbot: QtBot, canvas: Canvas, session: Session, clock: FakeClock
) -> None:
    click(qtbot, canvas, (140, 130))
    key(qtbot, canvas, Qt.Key.Key_Right, times=3)
    key(qtbot, canvas, Qt.Key.Key_Down, SHIFT)
    assert box(session, "r") == (103, 110, 80, 60)
    assert history_texts(session) == ["Move Rectangle"]
    session.history.undo()
    assert box(session, "r") == (100, 100, 80, 60)


def test_a_pause_starts_a_new_nudge_step(
    qtbot: QtBot, canvas: Canvas, session: Session, clock: FakeClock
) -> None:
    click(qtbot, canvas, (140, 130))
    key(qtbot, canvas, Qt.Key.Key_Left, times=2)
    clock.advance(0.5)
    key(qtbot, canvas, Qt.Key.Key_Left)
    assert session.history.stack.count() == 1
    clock.advance(1.5)
    key(qtbot, canvas, Qt.Key.Key_Up)
    assert box(session, "r") == (97, 99, 80, 60)
    assert session.history.stack.count() == 2
    session.history.undo()
    assert box(session, "r") == (97, 100, 80, 60)


def test_the_first_nudge_after_a_drag_is_a_new_step(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    drag(qtbot, canvas, (140, 130), (160, 130))
    key(qtbot, canvas, Qt.Key.Key_Right)
    assert session.history.stack.count() == 2
    session.history.undo()
    assert box(session, "r") == (120, 100, 80, 60)


def test_a_nudge_after_undo_and_a_drag_does_not_join_the_drag(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    # The old rule compared stack index and count with a snapshot: undo then a drag put
    # both back where the nudge left them, and the next nudge merged into the drag.
    click(qtbot, canvas, (140, 130))
    key(qtbot, canvas, Qt.Key.Key_Right)
    session.history.undo()
    drag(qtbot, canvas, (140, 130), (160, 130))
    key(qtbot, canvas, Qt.Key.Key_Right)
    assert history_texts(session) == ["Move Rectangle", "Move Rectangle"]
    session.history.undo()
    assert box(session, "r") == (120, 100, 80, 60)


def test_arrows_without_selection_do_nothing(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    key(qtbot, canvas, Qt.Key.Key_Right)
    assert session.history.stack.count() == 0


# ------------------------------------------------------------------ resizing
def test_resize_by_a_corner_handle_is_one_command(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (140, 130))
    drag(qtbot, canvas, (180, 160), (220, 200), steps=6)
    assert box(session, "r") == (100, 100, 120, 100)
    assert history_texts(session) == ["Resize Rectangle"]
    session.history.undo()
    assert box(session, "r") == (100, 100, 80, 60)


def test_resize_previews_without_touching_the_document(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (140, 130))
    before = session.document.snapshot()
    drag(qtbot, canvas, (180, 160), (220, 200), release_at_end=False)
    assert session.document.snapshot() == before
    item = canvas.item_for("r")
    assert item is not None
    assert isinstance(item.painted, Rect) and item.painted.width == 120  # type: ignore[attr-defined]
    key(qtbot, canvas, Qt.Key.Key_Escape)  # cancel: back to the document's value
    assert item.painted == session.document["r"]  # type: ignore[attr-defined]
    release(qtbot, canvas, (220, 200))
    assert session.history.stack.count() == 0


def test_dragging_past_the_opposite_edge_flips(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (140, 130))
    drag(qtbot, canvas, (180, 130), (60, 130))  # east handle to the left of the west edge
    assert box(session, "r") == (60, 100, 40, 60)


def test_resizing_stops_at_one_unit(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    click(qtbot, canvas, (140, 130))
    drag(qtbot, canvas, (140, 160), (140, 100))  # south handle onto the top edge
    assert box(session, "r") == (100, 100, 80, 1)


def test_shift_keeps_the_aspect_ratio(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    click(qtbot, canvas, (140, 130))
    drag(qtbot, canvas, (180, 160), (260, 170), modifiers=SHIFT)
    assert box(session, "r") == (100, 100, 160, 120)


def test_a_line_has_handles_on_its_ends(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    click(qtbot, canvas, (150, 300))
    drag(qtbot, canvas, (200, 300), (250, 340))
    shape = session.document["l"]
    assert isinstance(shape, Line)
    assert (shape.x1, shape.y1, shape.x2, shape.y2) == (100, 300, 250, 340)
    assert history_texts(session) == ["Resize Line"]


def test_resizing_a_group_scales_every_shape(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    session.selection.set(["r", "e"])  # union box 100..380 x 100..180
    drag(qtbot, canvas, (380, 180), (660, 260))
    assert box(session, "r") == (100, 100, 160, 120)
    assert box(session, "e") == (500, 100, 160, 160)
    assert history_texts(session) == ["Resize 2 Shapes"]


def test_ctrl_press_on_a_handle_toggles_rather_than_resizes(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    click(qtbot, canvas, (140, 130))
    click(qtbot, canvas, (180, 160), modifiers=CTRL)  # corner of r: toggles r
    assert session.selection.ids() == ()
    assert session.history.stack.count() == 0
