"""Polygons and freehand strokes in the whole window: tools by key, undo re-selects,
clipboard, z-order, Properties' Closed toggle, Delete of a vertex, save, load, export."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from editor.io.format import load
from editor.model import Freehand, Polygon
from editor.testing import (
    click,
    drag,
    draw_path,
    export,
    press,
    save,
    select,
    set_property,
    undo_texts,
)
from editor.ui.canvas.geometry import Handle
from editor.ui.main_window import MainWindow

Ctrl = Qt.KeyboardModifier.ControlModifier
Shift = Qt.KeyboardModifier.ShiftModifier
OpenWindow = Callable[..., MainWindow]
TRIANGLE = [(200.0, 200.0), (400.0, 200.0), (300.0, 360.0)]


def at_100(window: MainWindow) -> None:
    """Actual size, page centred: clicks land on whole document units."""
    press(window, Qt.Key.Key_1, Ctrl)
    window.canvas.centerOn(400, 300)


def polygon_of(window: MainWindow, sid: str) -> Polygon:
    shape = window.document[sid]
    assert type(shape) is Polygon
    return shape


def test_the_polygon_tool_by_key_and_undo_redo_reselect(strata_window: OpenWindow) -> None:
    window = strata_window()
    at_100(window)
    sid = draw_path(window, "polygon", TRIANGLE, end="double")
    assert polygon_of(window, sid).points == tuple(TRIANGLE)
    assert polygon_of(window, sid).closed
    assert undo_texts(window) == ["Add Polygon"]
    press(window, Qt.Key.Key_Z, Ctrl)
    assert sid not in window.document
    press(window, Qt.Key.Key_Z, Ctrl | Shift)
    assert window.session.selection.ids() == (sid,)


def test_a_vertex_drag_is_undone_with_ctrl_z_and_the_polygon_reselected(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    at_100(window)
    sid = draw_path(window, "polygon", TRIANGLE)
    drag(window, (400, 200), (450, 180))
    assert polygon_of(window, sid).points[1] == (450, 180)
    assert undo_texts(window)[-1] == "Move Vertex of Polygon"
    select(window)
    press(window, Qt.Key.Key_Z, Ctrl)
    assert polygon_of(window, sid).points == tuple(TRIANGLE)
    assert window.session.selection.ids() == (sid,)


def test_delete_takes_a_selected_vertex_else_the_shape(strata_window: OpenWindow) -> None:
    window = strata_window()
    at_100(window)
    sid = draw_path(window, "polygon", [*TRIANGLE, (200, 360)])
    click(window, (200, 360))  # the fourth vertex's handle: selects it
    press(window, Qt.Key.Key_Delete)
    assert polygon_of(window, sid).points == tuple(TRIANGLE)
    assert undo_texts(window)[-1] == "Delete Vertex of Polygon"
    press(window, Qt.Key.Key_Backspace)  # no vertex selected now: the window's Delete
    assert sid not in window.document
    assert undo_texts(window)[-1] == "Delete Polygon"


def test_closed_is_a_properties_toggle_of_one_step(strata_window: OpenWindow, qtbot: QtBot) -> None:
    window = strata_window()
    at_100(window)
    sid = draw_path(window, "polygon", TRIANGLE)
    set_property(window, "Closed", False)
    assert not polygon_of(window, sid).closed
    assert undo_texts(window)[-1] == "Open Polygon"
    set_property(window, "End marker", "arrow")
    assert polygon_of(window, sid).end_marker == "arrow"
    markers = (window.properties.start_marker, window.properties.end_marker)
    assert all(m.isVisibleTo(window) for m in markers)
    set_property(window, "Closed", True)
    assert polygon_of(window, sid).closed and undo_texts(window)[-1] == "Close Polygon"
    assert len(undo_texts(window)) == 4
    # A closed polygon draws no end markers (it keeps them): their rows hide.
    assert polygon_of(window, sid).end_marker == "arrow"
    assert not any(m.isVisibleTo(window) for m in markers)
    press(window, Qt.Key.Key_Z, Ctrl)
    assert not polygon_of(window, sid).closed
    qtbot.waitUntil(lambda: all(m.isVisibleTo(window) for m in markers))  # a deferred refresh


def test_copy_paste_and_z_order_of_polygons_and_strokes(strata_window: OpenWindow) -> None:
    window = strata_window()
    at_100(window)
    pid = draw_path(window, "polygon", TRIANGLE)
    fid = draw_path(window, "freehand", [(100 + x, 450 + (x % 40)) for x in range(0, 300, 3)])
    stroke = window.document[fid]
    assert type(stroke) is Freehand
    select(window, pid, fid)
    press(window, Qt.Key.Key_C, Ctrl)
    press(window, Qt.Key.Key_V, Ctrl)
    pasted = [i for i in window.document.ids() if i not in (pid, fid)]
    assert len(pasted) == 2 and undo_texts(window)[-1] == "Paste 2 Shapes"
    kinds = sorted(type(window.document[i]).__name__ for i in pasted)
    assert kinds == ["Freehand", "Polygon"]
    select(window, pid)
    press(window, Qt.Key.Key_BracketRight, Ctrl | Shift)  # bring to front
    assert window.document.ids()[-1] == pid


def test_save_load_and_export_of_the_new_kinds(strata_window: OpenWindow, tmp_path: Path) -> None:
    window = strata_window()
    at_100(window)
    pid = draw_path(window, "polygon", TRIANGLE)
    set_property(window, "Fill colour", "#3366ff")
    draw_path(window, "freehand", [(100 + x, 450 + (x % 40)) for x in range(0, 300, 3)])
    path = save(window, tmp_path / "paths.strata")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 2
    assert [s["type"] for s in data["shapes"]] == ["polygon", "freehand"]
    assert load(path) == window.document.snapshot()
    png = export(window, tmp_path / "paths.png")
    image = QImage(str(png))
    assert image.pixelColor(300, 260).name() == "#3366ff"  # inside the triangle
    assert image.pixelColor(210, 340).name() == "#ffffff"  # inside its bounds, outside it
    svg = export(window, tmp_path / "paths.svg").read_text(encoding="utf-8")
    assert "<path" in svg
    pdf = export(window, tmp_path / "paths.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert polygon_of(window, pid).fill == "#3366ff"


def test_width_in_properties_scales_a_polygons_points(strata_window: OpenWindow) -> None:
    window = strata_window()
    at_100(window)
    sid = draw_path(window, "polygon", TRIANGLE)
    set_property(window, "Width", 400)
    assert polygon_of(window, sid).points == ((200, 200), (600, 200), (400, 360))
    assert undo_texts(window)[-1] == "Resize Polygon"
    press(window, Qt.Key.Key_Z, Ctrl)
    assert polygon_of(window, sid).points == tuple(TRIANGLE)


def test_closed_on_a_mixed_selection_is_partly_checked_and_closes_all(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    at_100(window)
    closed = draw_path(window, "polygon", TRIANGLE)
    opened = draw_path(window, "polygon", [(500, 200), (700, 250)])
    assert not polygon_of(window, opened).closed
    select(window, closed, opened)
    box = window.properties.closed
    assert box.checkState() == Qt.CheckState.PartiallyChecked
    set_property(window, "Closed", True)
    assert polygon_of(window, closed).closed and polygon_of(window, opened).closed
    assert undo_texts(window)[-1] == "Close Polygon"  # the one that changed
    assert box.checkState() == Qt.CheckState.Checked and not box.isTristate()


def test_a_stroke_is_resized_by_its_handle_and_picked_on_its_line_only(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    at_100(window)
    fid = draw_path(window, "freehand", [(100 + x, 300 + (x % 50)) for x in range(0, 200, 2)])
    stroke = window.document[fid]
    assert type(stroke) is Freehand
    assert window.canvas.tool() == "freehand"  # the pen stays for the next stroke
    press(window, Qt.Key.Key_Escape)  # back to Select
    x0, y0 = stroke.points[0]
    click(window, (x0, y0))  # on the stroke: selects it
    assert window.session.selection.ids() == (fid,)
    click(window, (150, 250))  # inside its bounds, off the line: selects nothing
    assert window.session.selection.ids() == ()
    select(window, fid)
    handles = dict(window.canvas.canvas_scene().overlay.visible_handles())
    se = handles[Handle.SE]
    assert window.canvas.canvas_scene().overlay.vertices() == []  # a stroke: no vertices
    before = window.document[fid]
    drag(window, (se.x(), se.y()), (se.x() + 100, se.y()))
    after = window.document[fid]
    assert type(after) is Freehand and type(before) is Freehand
    assert max(p[0] for p in after.points) > max(p[0] for p in before.points) + 90
    assert undo_texts(window)[-1] == "Resize Freehand Stroke"
