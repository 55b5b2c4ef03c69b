"""Editing text in place: word-sized steps on the one global history, and key routing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from editor.commands import DeleteShapes, EditText, GeometryChange, SetGeometry, SetStyle
from editor.io.render import local_transform, text_layout
from editor.model import Text
from editor.ui.canvas import Canvas
from editor.ui.canvas.simulate import activate, click, double_click, draw, key, type_text
from editor.ui.canvas.text_edit import InPlaceTextEdit, splice
from editor.ui.session import Session
from tests.ui.canvas.conftest import FakeClock

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
WINDOW_SHORTCUTS = ("R", "V", "T", "Delete", "Backspace", "Ctrl+A", "Ctrl+Z", "Ctrl+S", "Ctrl+D")


class Host:
    """A window around the canvas with actions on the keys the real window uses."""

    def __init__(self, qtbot: QtBot, session: Session, clock: FakeClock) -> None:
        self.window = QWidget()
        qtbot.addWidget(self.window)
        layout = QVBoxLayout(self.window)
        layout.setContentsMargins(0, 0, 0, 0)
        self.canvas = Canvas(self.window)
        session.history.clock = clock
        layout.addWidget(self.canvas)
        self.window.resize(1000, 800)
        self.fired: list[str] = []
        for shortcut in WINDOW_SHORTCUTS:
            action = QAction(shortcut, self.window)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _=False, s=shortcut: self.fired.append(s))
            self.window.addAction(action)
        activate(qtbot, self.canvas)
        self.canvas.set_session(session)
        self.canvas.zoom_actual()
        self.canvas.centerOn(QPointF(400, 300))


@pytest.fixture
def host(qtbot: QtBot, session: Session, clock: FakeClock) -> Host:
    return Host(qtbot, session, clock)


@pytest.fixture
def canvas(host: Host) -> Canvas:  # overrides conftest: the canvas inside the host window
    return host.canvas


def editing(canvas: Canvas) -> InPlaceTextEdit:
    edit = canvas._text
    assert edit is not None
    return edit


def history_texts(session: Session) -> list[str]:
    stack = session.history.stack
    return [stack.text(i) for i in range(stack.count())]


def text_of(session: Session, shape_id: str = "t") -> str:
    shape = session.document[shape_id]
    assert isinstance(shape, Text)
    return shape.text


def new_box(qtbot: QtBot, canvas: Canvas) -> None:
    draw(qtbot, canvas, "text", QRectF(420, 420, 200, 60))
    assert canvas.is_editing_text()


# ------------------------------------------------------------------ starting
def test_double_click_edits_in_place_with_the_caret_at_the_click(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    double_click(qtbot, canvas, (303, 310))  # just after the "h" of "hello"? no: before "e"
    assert canvas.is_editing_text()
    edit = editing(canvas)
    assert edit.editor.plain_text() == "hello"
    assert edit.editor.hasFocus()
    assert 0 <= edit.editor.textCursor().position() <= 1
    assert session.selection.ids() == ("t",)
    item = canvas.item_for("t")
    assert item is not None and item.painted.text == ""  # type: ignore[attr-defined]
    key(qtbot, canvas, Qt.Key.Key_Escape)
    assert not canvas.is_editing_text()
    assert item.painted.text == "hello"  # type: ignore[attr-defined]
    assert session.selection.ids() == ("t",)
    assert session.history.stack.count() == 0


def test_enter_edits_the_selected_text_box(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    click(qtbot, canvas, (380, 330))
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert canvas.is_editing_text()
    type_text(qtbot, canvas, "!")
    assert text_of(session) == "hello!"


def test_the_editor_breaks_lines_where_the_renderer_does(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    words = "The quick brown fox jumps over the lazy dog\nand a second paragraph here"
    session.push(SetStyle(("t",), "font_size", 13.0))
    session.push(EditText("t", 0, "hello", words))
    shape = session.document["t"]
    assert isinstance(shape, Text)
    double_click(qtbot, canvas, (310, 310))
    document = editing(canvas).editor.document()
    painted = text_layout(shape)
    rendered = [
        (painted.lineAt(n).textStart(), painted.lineAt(n).y()) for n in range(painted.lineCount())
    ]
    edited = []
    block = document.firstBlock()
    while block.isValid():
        layout = block.layout()
        for n in range(layout.lineCount()):
            line = layout.lineAt(n)
            edited.append((block.position() + line.textStart(), layout.position().y() + line.y()))
        block = block.next()
    assert edited[: len(rendered)] == rendered


# ------------------------------------------------------------------- typing
def test_typing_makes_word_sized_steps(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    new_box(qtbot, canvas)
    type_text(qtbot, canvas, "hello world")
    box = session.selection.ids()[0]
    assert text_of(session, box) == "hello world"
    assert history_texts(session) == ["Add Text Box", "Type 'hello'", "Type 'world'"]


def test_ctrl_z_while_editing_undoes_a_word_through_the_history(
    qtbot: QtBot, canvas: Canvas, session: Session, host: Host
) -> None:
    new_box(qtbot, canvas)
    type_text(qtbot, canvas, "hello world")
    box = session.selection.ids()[0]
    key(qtbot, canvas, Qt.Key.Key_Z, CTRL)
    assert canvas.is_editing_text()
    assert text_of(session, box) == "hello "
    editor = editing(canvas).editor
    assert editor.plain_text() == "hello "
    assert editor.textCursor().position() == 6
    assert session.history.stack.index() == 2
    assert "Ctrl+Z" not in host.fired  # the editor took it, and used the global history
    key(qtbot, canvas, Qt.Key.Key_Z, CTRL | SHIFT)
    assert editor.plain_text() == "hello world" == text_of(session, box)
    assert editor.textCursor().position() == 11
    key(qtbot, canvas, Qt.Key.Key_Z, CTRL)
    key(qtbot, canvas, Qt.Key.Key_Y, CTRL)
    assert editor.plain_text() == "hello world"
    assert session.history.stack.count() == 3  # undo/redo pushed nothing


def test_typing_after_an_undo_starts_a_new_step(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    new_box(qtbot, canvas)
    type_text(qtbot, canvas, "hello world")
    key(qtbot, canvas, Qt.Key.Key_Z, CTRL)
    type_text(qtbot, canvas, "there")
    box = session.selection.ids()[0]
    assert text_of(session, box) == "hello there"
    assert history_texts(session) == ["Add Text Box", "Type 'hello'", "Type 'there'"]
    session.history.undo()
    assert text_of(session, box) == "hello "


def test_undo_in_the_middle_puts_the_caret_where_the_change_was(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    double_click(qtbot, canvas, (455, 310))  # after "hello"
    key(qtbot, canvas, Qt.Key.Key_Home)
    type_text(qtbot, canvas, "oh ")
    key(qtbot, canvas, Qt.Key.Key_End)
    assert text_of(session) == "oh hello"
    key(qtbot, canvas, Qt.Key.Key_Z, CTRL)
    editor = editing(canvas).editor
    assert editor.plain_text() == "hello"
    assert editor.textCursor().position() == 0


def test_a_pause_starts_a_new_step(
    qtbot: QtBot, canvas: Canvas, session: Session, clock: FakeClock
) -> None:
    new_box(qtbot, canvas)
    type_text(qtbot, canvas, "abc")
    clock.advance(0.9)
    type_text(qtbot, canvas, "d")
    clock.advance(1.0)
    type_text(qtbot, canvas, "ef")
    assert history_texts(session) == ["Add Text Box", "Type 'abcd'", "Type 'ef'"]


def test_moving_the_caret_starts_a_new_step(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    new_box(qtbot, canvas)
    type_text(qtbot, canvas, "abc")
    key(qtbot, canvas, Qt.Key.Key_Left)
    key(qtbot, canvas, Qt.Key.Key_Right)
    type_text(qtbot, canvas, "d")
    assert history_texts(session) == ["Add Text Box", "Type 'abc'", "Type 'd'"]


def test_backspaces_merge_and_delete_text_not_shapes(
    qtbot: QtBot, canvas: Canvas, session: Session, host: Host
) -> None:
    double_click(qtbot, canvas, (455, 310))
    key(qtbot, canvas, Qt.Key.Key_Backspace, times=3)
    assert text_of(session) == "he"
    assert history_texts(session) == ["Delete Text"]
    key(qtbot, canvas, Qt.Key.Key_Home)
    key(qtbot, canvas, Qt.Key.Key_Delete)
    assert text_of(session) == "e"
    assert "t" in session.document
    assert "Delete" not in host.fired and "Backspace" not in host.fired


def test_letters_and_window_keys_type_while_editing(
    qtbot: QtBot, canvas: Canvas, session: Session, host: Host
) -> None:
    double_click(qtbot, canvas, (455, 310))
    type_text(qtbot, canvas, " vrt")
    key(qtbot, canvas, Qt.Key.Key_A, CTRL)  # select all text, not all shapes
    assert canvas.tool() == "select"
    assert host.fired == []
    type_text(qtbot, canvas, "x")
    assert text_of(session) == "x"
    key(qtbot, canvas, Qt.Key.Key_S, CTRL)  # not an editing key: the window saves
    assert host.fired == ["Ctrl+S"]


def test_window_shortcuts_are_not_swallowed_when_not_editing(
    qtbot: QtBot, canvas: Canvas, session: Session, host: Host
) -> None:
    click(qtbot, canvas, (140, 130))
    for shortcut, (k, mods) in {
        "R": (Qt.Key.Key_R, Qt.KeyboardModifier.NoModifier),
        "Delete": (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier),
        "Ctrl+A": (Qt.Key.Key_A, CTRL),
        "Ctrl+Z": (Qt.Key.Key_Z, CTRL),
        "Ctrl+D": (Qt.Key.Key_D, CTRL),
    }.items():
        key(qtbot, canvas, k, mods)
        assert host.fired[-1] == shortcut
    assert session.history.stack.count() == 0


def test_paste_inserts_plain_text(qtbot: QtBot, canvas: Canvas, session: Session) -> None:
    QGuiApplication.clipboard().setText("big\r\nworld")
    double_click(qtbot, canvas, (455, 310))
    key(qtbot, canvas, Qt.Key.Key_V, CTRL)
    assert text_of(session) == "hellobig\nworld"
    assert editing(canvas).editor.document().toHtml().count("<span") == 0


# ----------------------------------------------------------------- finishing
def test_clicking_outside_finishes_and_the_click_acts(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    double_click(qtbot, canvas, (455, 310))
    click(qtbot, canvas, (140, 130))
    assert not canvas.is_editing_text()
    assert session.selection.ids() == ("r",)


def test_clicking_inside_the_editor_moves_the_caret_only(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    double_click(qtbot, canvas, (455, 310))
    click(qtbot, canvas, (302, 310))
    assert canvas.is_editing_text()
    assert editing(canvas).editor.textCursor().position() == 0
    type_text(qtbot, canvas, "O")
    assert text_of(session) == "Ohello"


def test_undoing_the_box_itself_ends_editing(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    new_box(qtbot, canvas)
    type_text(qtbot, canvas, "hi")
    key(qtbot, canvas, Qt.Key.Key_Z, CTRL)
    assert canvas.is_editing_text()
    assert editing(canvas).editor.plain_text() == ""
    key(qtbot, canvas, Qt.Key.Key_Z, CTRL)  # undoes "Add Text Box"
    assert not canvas.is_editing_text()
    assert session.history.stack.index() == 0
    qtbot.wait(1)  # the retired editor is released on the next event-loop turn


def test_the_box_deleted_by_a_command_ends_editing(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    double_click(qtbot, canvas, (455, 310))
    session.push(DeleteShapes(("t",)))
    assert not canvas.is_editing_text()


def test_a_style_change_while_editing_updates_the_editor(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    double_click(qtbot, canvas, (455, 310))
    session.push(SetStyle(("t",), "font_size", 30.0))
    assert editing(canvas).editor.font().pixelSize() == 30
    type_text(qtbot, canvas, "!")
    assert text_of(session) == "hello!"


def test_set_tool_and_set_session_finish_editing(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    double_click(qtbot, canvas, (455, 310))
    canvas.set_tool("rect")
    assert not canvas.is_editing_text()
    canvas.set_tool("select")
    double_click(qtbot, canvas, (455, 310))
    canvas.finish_text_edit()
    assert not canvas.is_editing_text()


# -------------------------------------------------------------------- splice
@pytest.mark.parametrize(
    ("old", "new", "hint", "expected"),
    [
        ("hello", "helllo", (3, 0, 1), (3, "", "l")),
        ("hello", "helllo", (0, 6, 7), (4, "", "l")),  # whole-document report
        ("hello", "hllo", (1, 1, 0), (1, "e", "")),
        ("abc", "aXc", (1, 1, 1), (1, "b", "X")),
        ("a\r\nb", "a\nbX", (3, 0, 1), (1, "\r\nb", "\nbX")),  # editor/model line breaks
    ],
)
def test_splice(
    old: str, new: str, hint: tuple[int, int, int], expected: tuple[int, str, str]
) -> None:
    assert splice(old, new, *hint) == expected
    position, removed, inserted = splice(old, new, *hint)
    assert old[:position] + inserted + old[position + len(removed) :] == new


@pytest.mark.parametrize("zoom", [1.0, 1.6])
def test_text_does_not_move_when_editing_starts(
    qtbot: QtBot, canvas: Canvas, session: Session, zoom: float
) -> None:
    canvas.set_zoom(zoom)
    canvas.centerOn(QPointF(380, 330))
    session.push(EditText("t", 0, "hello", "The quick brown fox jumps over the lazy dog"))
    top_left = canvas.mapFromScene(QPointF(302, 302))
    bottom_right = canvas.mapFromScene(QPointF(458, 358))
    area = QRect(top_left, bottom_right)  # inside the box, clear of its border

    def pixels() -> list[int]:
        image = canvas.viewport().grab(area).toImage()
        return [image.pixel(x, y) for y in range(image.height()) for x in range(image.width())]

    before = pixels()
    session.selection.set(["t"])
    key(qtbot, canvas, Qt.Key.Key_Return)  # edit, caret at the end
    assert canvas.is_editing_text()
    during = pixels()
    width = area.width()
    columns = {n % width for n, (a, b) in enumerate(zip(before, during, strict=True)) if a != b}
    # Identical glyphs at identical pixels: only the caret's few columns (if it is in its
    # "on" phase) differ.
    assert not columns or max(columns) - min(columns) < 4


def test_a_rotated_box_is_edited_in_its_own_frame(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    session.push(SetGeometry((GeometryChange("t", rotation=30.0),)))
    double_click(qtbot, canvas, (380, 330))  # the centre stays put under rotation
    editor = editing(canvas).editor
    shape = session.document["t"]
    assert isinstance(shape, Text)
    corner = editor.mapToScene(QPointF(0, 0))
    expected = local_transform(shape).map(QPointF(-shape.width / 2, -shape.height / 2))
    assert (corner.x(), corner.y()) == pytest.approx((expected.x(), expected.y()))


def test_a_lone_double_click_event_still_works(
    qtbot: QtBot, canvas: Canvas, session: Session
) -> None:
    """QTest.mouseDClick sends only the double-click (no press/release around it)."""
    QTest.mouseDClick(
        canvas.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        canvas.mapFromScene(QPointF(455, 310)),
    )
    assert canvas.is_editing_text()
    click(qtbot, canvas, (140, 130))  # not swallowed waiting for a release that never came
    assert not canvas.is_editing_text()
    assert session.selection.ids() == ("r",)
