"""Text never hides (issue 8, item 5), driven through the window with real keys and mouse.

* A box made with the Text tool grows in height while typing; the growth is in the same
  undo step as the typing, so one Ctrl+Z shrinks it back.
* A box whose height the person set keeps it, and its overflowing text is marked on the
  canvas (not in exports).
* The text is padded: the selection handles do not cover the first letter.
* Canvas and export paint the same text in the same place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from editor.commands import GeometryChange, SetGeometry
from editor.io.export import export_png
from editor.io.render import TEXT_PADDING, fitted_height, text_overflows
from editor.model import Page, Snapshot, Text, text
from editor.testing import click, drag, draw_shape, press, type_text
from editor.ui.canvas.handles import HANDLE_PX
from editor.ui.canvas.items import OVERFLOW_COLOR
from editor.ui.main_window import MainWindow
from editor.ui.session import Session

Ctrl = Qt.KeyboardModifier.ControlModifier
OpenWindow = Callable[..., MainWindow]
SENTENCE = "The quick brown fox jumps over the lazy dog and keeps on running."


def box(window: MainWindow, shape_id: str) -> Text:
    shape = window.document[shape_id]
    assert isinstance(shape, Text)
    return shape


def grab(window: MainWindow) -> QImage:
    """What the canvas shows now (a full repaint of the viewport)."""
    return window.canvas.viewport().grab().toImage()


def marker_pixels(window: MainWindow, image: QImage, shape: Text) -> int:
    """Pixels of the overflow marker's colour inside the box, on screen."""
    canvas = window.canvas
    top_left = canvas.mapFromScene(QPointF(shape.x, shape.y))
    bottom_right = canvas.mapFromScene(QPointF(shape.x + shape.width, shape.y + shape.height))
    target = OVERFLOW_COLOR.rgb()
    return sum(
        1
        for y in range(top_left.y(), bottom_right.y() + 1)
        for x in range(top_left.x(), bottom_right.x() + 1)
        if image.pixel(x, y) == target
    )


def test_a_new_text_box_grows_while_typing_and_one_undo_shrinks_it(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    shape_id = draw_shape(window, "text", (100, 100), (300, 130), text=SENTENCE)
    first = box(window, shape_id)
    assert first.auto_height
    assert not text_overflows(first)
    steps = window.undo_stack.count()
    press(window, Qt.Key.Key_Return)  # back into the box: Enter edits the selected box
    press(window, Qt.Key.Key_End, Ctrl)
    type_text(window, "\n\n\n\nEnd")
    press(window, Qt.Key.Key_Escape)
    grown = box(window, shape_id)
    assert grown.text == SENTENCE + "\n\n\n\nEnd"
    assert grown.height >= fitted_height(grown) > first.height
    assert not text_overflows(grown), "every line is inside the box"
    assert window.undo_stack.count() == steps + 2  # "⏎⏎⏎⏎" and "End": no resize steps
    press(window, Qt.Key.Key_Z, Ctrl)  # undo "End": the box keeps the height of the returns
    press(window, Qt.Key.Key_Z, Ctrl)  # undo the returns: text and height together
    assert box(window, shape_id) == first


def test_a_click_made_box_starts_one_line_high_and_grows_line_by_line(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    press(window, Qt.Key.Key_T)
    click(window, (100, 100))
    type_text(window, "one")
    press(window, Qt.Key.Key_Escape)
    (shape_id,) = window.document.ids()
    one = box(window, shape_id)
    assert one.height == fitted_height(one) or abs(one.height - fitted_height(one)) < 1
    press(window, Qt.Key.Key_Return)
    press(window, Qt.Key.Key_End, Ctrl)
    type_text(window, "\ntwo\nthree")
    press(window, Qt.Key.Key_Escape)
    three = box(window, shape_id)
    assert three.height > one.height
    assert not text_overflows(three)


def test_a_box_whose_height_was_set_keeps_it_and_shows_an_overflow_marker(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    window.canvas.zoom_actual()
    shape_id = draw_shape(window, "text", (100, 100), (300, 130), text="Short")
    shape = box(window, shape_id)
    image = grab(window)
    assert marker_pixels(window, image, shape) == 0, "text that fits is not marked"
    # the person sets the height: drag the bottom-middle handle up a little
    bottom = (shape.x + shape.width / 2, shape.y + shape.height)
    drag(window, bottom, (bottom[0], bottom[1] - 6))
    fixed = box(window, shape_id)
    assert not fixed.auto_height and fixed.height < shape.height
    press(window, Qt.Key.Key_Return)
    press(window, Qt.Key.Key_End, Ctrl)
    type_text(window, " and then\nmuch more\ntext below")
    press(window, Qt.Key.Key_Escape)
    overflowing = box(window, shape_id)
    assert overflowing.height == fixed.height, "an explicit height is kept"
    assert text_overflows(overflowing)
    qtbot.waitUntil(lambda: marker_pixels(window, grab(window), overflowing) > 20, timeout=2000)
    # the marker is the canvas's: the export shows the box as it is
    out = export_png(Snapshot(window.document.page, (overflowing,)), tmp_path / "o.png")
    exported = QImage(str(out))
    target = OVERFLOW_COLOR.rgb()
    assert not any(
        exported.pixel(x, y) == target
        for y in range(exported.height())
        for x in range(exported.width())
    )
    # undo the typing: it fits again and the marker goes
    while box(window, shape_id).text != "Short":
        press(window, Qt.Key.Key_Z, Ctrl)
    qtbot.waitUntil(lambda: marker_pixels(window, grab(window), fixed) == 0, timeout=2000)


def test_changing_a_text_box_height_fixes_it_and_undo_restores_auto_height(
    strata_window: OpenWindow,
) -> None:
    window = strata_window()
    shape_id = draw_shape(window, "text", (100, 100), (300, 130), text="Hi")
    assert box(window, shape_id).auto_height
    window.session.push(SetGeometry((GeometryChange(shape_id, width=250.0),)))
    assert box(window, shape_id).auto_height, "a new width alone keeps the height automatic"
    window.session.push(SetGeometry((GeometryChange(shape_id, height=80.0),)))
    assert not box(window, shape_id).auto_height
    press(window, Qt.Key.Key_Z, Ctrl)
    assert box(window, shape_id).auto_height


def test_the_selection_handles_do_not_cover_the_first_letter(strata_window: OpenWindow) -> None:
    session = Session(Snapshot(Page(400, 300, "#ffffff"), (text("t", 50, 50, 200, 40, "Hello",
                                                     font_size=16),)))  # fmt: skip
    window = strata_window()
    window.install_session(session)
    window.canvas.zoom_actual()
    window.canvas.centerOn(QPointF(150, 70))
    corner = window.canvas.mapFromScene(QPointF(50, 50))
    reach = int(HANDLE_PX)  # the handle is HANDLE_PX wide, centred on the corner
    area = QRect(corner - QPoint(reach, reach), corner + QPoint(3 * reach, 3 * reach))
    plain = grab(window).copy(area)
    letter = [
        (x, y)
        for y in range(plain.height())
        for x in range(plain.width())
        if QColor(plain.pixel(x, y)).lightness() < 160
    ]
    assert letter, "the 'H' is in the corner area"
    session.selection.set(["t"])
    selected = grab(window).copy(area)
    covered = [p for p in letter if selected.pixel(*p) != plain.pixel(*p)]
    assert covered == [], "the corner handle paints over the first letter"
    assert TEXT_PADDING > HANDLE_PX / 2


def test_canvas_and_export_paint_the_text_in_the_same_place(
    strata_window: OpenWindow, tmp_path: Path
) -> None:
    shape = text("t", 40, 40, 160, 80, "Padding and wrapping agree on screen", font_size=18)
    snapshot = Snapshot(Page(240, 160, "#ffffff"), (shape,))
    window = strata_window()
    window.install_session(Session(snapshot))
    window.canvas.zoom_actual()
    window.canvas.centerOn(QPointF(120, 80))
    screen = grab(window)
    exported = QImage(str(export_png(snapshot, tmp_path / "t.png")))
    origin = window.canvas.mapFromScene(QPointF(0, 0))

    def ink(image: QImage, dx: int, dy: int) -> set[tuple[int, int]]:
        return {
            (x, y)
            for y in range(160)
            for x in range(240)
            if QColor(image.pixel(x + dx, y + dy)).lightness() < 100
        }

    on_screen = ink(screen, origin.x(), origin.y())
    in_file = ink(exported, 0, 0)
    assert in_file
    same = len(on_screen & in_file) / len(on_screen | in_file)
    assert same > 0.95, f"only {same:.0%} of the dark text pixels agree"
