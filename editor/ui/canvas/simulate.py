"""Real mouse, wheel and keyboard input for the canvas: used by our tests and `editor.testing`.

Every helper sends real Qt events — QMouseEvent, QWheelEvent, QKeyEvent — to the canvas's
viewport (mouse, wheel) or to the canvas (keys), at *scene* points mapped with
``canvas.mapFromScene``, so the code under test sees what a person's input produces:
presses and releases through QTest (which tracks the pressed buttons), a double click as
the platform's press-release-double-click-release sequence, moves as QMouseEvents
carrying the held buttons *and* modifiers (QTest.mouseMove cannot carry modifiers, and
Shift matters mid-drag), keys
through QTest (which also runs Qt's shortcut override, so a window action bound to the
same key competes exactly as it would for a person).

Points are scene (= document) coordinates: a `QPointF` or an ``(x, y)`` tuple. Before
sending keys the window must be active: call `activate` once.

The `qtbot` parameter is accepted by every helper so that call sites read like
pytest-qt's own API and stay source-compatible if a helper ever needs to wait.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from editor.ui.canvas import Canvas

ScenePoint: TypeAlias = QPointF | tuple[float, float]
NO_MODIFIER = Qt.KeyboardModifier.NoModifier
LEFT = Qt.MouseButton.LeftButton


def scene_point(point: ScenePoint) -> QPointF:
    return point if isinstance(point, QPointF) else QPointF(float(point[0]), float(point[1]))


def view_point(canvas: Canvas, point: ScenePoint) -> QPoint:
    """The viewport pixel that shows a scene point."""
    return canvas.mapFromScene(scene_point(point))


def activate(qtbot: Any, canvas: Canvas) -> None:
    """Show the canvas's window and make it active, so key events reach the canvas."""
    window = canvas.window()
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitActive(window):
        window.activateWindow()
    canvas.setFocus()


def press(
    qtbot: Any,
    canvas: Canvas,
    at: ScenePoint,
    *,
    button: Qt.MouseButton = LEFT,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
) -> None:
    QTest.mousePress(canvas.viewport(), button, modifiers, view_point(canvas, at))


def move(
    qtbot: Any,
    canvas: Canvas,
    to: ScenePoint,
    *,
    buttons: Qt.MouseButton = LEFT,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
) -> None:
    """One mouse move with `buttons` held (Qt.NoButton: hover) and `modifiers` down."""
    _send_move(canvas, view_point(canvas, to), buttons, modifiers)


def _send_move(
    canvas: Canvas, pos: QPoint, buttons: Qt.MouseButton, modifiers: Qt.KeyboardModifier
) -> None:
    viewport = canvas.viewport()
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(pos),
        QPointF(viewport.mapToGlobal(pos)),
        Qt.MouseButton.NoButton,
        buttons,
        modifiers,
    )
    QApplication.sendEvent(viewport, event)


def release(
    qtbot: Any,
    canvas: Canvas,
    at: ScenePoint,
    *,
    button: Qt.MouseButton = LEFT,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
) -> None:
    QTest.mouseRelease(canvas.viewport(), button, modifiers, view_point(canvas, at))


def click(
    qtbot: Any,
    canvas: Canvas,
    at: ScenePoint,
    *,
    button: Qt.MouseButton = LEFT,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
) -> None:
    """Press and release at the same point (no movement: a click, never a drag)."""
    press(qtbot, canvas, at, button=button, modifiers=modifiers)
    release(qtbot, canvas, at, button=button, modifiers=modifiers)


def double_click(
    qtbot: Any, canvas: Canvas, at: ScenePoint, *, modifiers: Qt.KeyboardModifier = NO_MODIFIER
) -> None:
    """A left double click: press, release, double-click, release, as a platform delivers
    it (QTest.mouseDClick alone sends only the double-click event)."""
    viewport, pos = canvas.viewport(), view_point(canvas, at)
    QTest.mousePress(viewport, LEFT, modifiers, pos)
    QTest.mouseRelease(viewport, LEFT, modifiers, pos)
    QTest.mouseDClick(viewport, LEFT, modifiers, pos)
    QTest.mouseRelease(viewport, LEFT, modifiers, pos)


def drag(
    qtbot: Any,
    canvas: Canvas,
    start: ScenePoint,
    end: ScenePoint,
    *,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
    button: Qt.MouseButton = LEFT,
    steps: int = 4,
    release_at_end: bool = True,
) -> None:
    """Press at `start`, move in `steps` equal steps to `end`, release there.

    The path is mapped to viewport pixels before the first event, like a hand moving
    over the screen: if the gesture scrolls the view (panning), the mouse still travels
    the same pixels. `modifiers` are held for the whole gesture (press, every move,
    release). With `release_at_end=False` the button stays down (to test Escape
    mid-drag; finish with `release_view` or `release`).
    """
    a, b = QPointF(view_point(canvas, start)), QPointF(view_point(canvas, end))
    path = [(a + (b - a) * (k / steps)).toPoint() for k in range(steps + 1)]
    viewport = canvas.viewport()
    QTest.mousePress(viewport, button, modifiers, path[0])
    for pos in path[1:]:
        _send_move(canvas, pos, button, modifiers)
    if release_at_end:
        QTest.mouseRelease(viewport, button, modifiers, path[-1])


def release_view(
    qtbot: Any,
    canvas: Canvas,
    pos: QPoint,
    *,
    button: Qt.MouseButton = LEFT,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
) -> None:
    """Release at a viewport pixel (after a drag that scrolled the view)."""
    QTest.mouseRelease(canvas.viewport(), button, modifiers, pos)


def draw(
    qtbot: Any,
    canvas: Canvas,
    tool: str,
    rect: QRectF | tuple[ScenePoint, ScenePoint],
    *,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
) -> None:
    """Pick `tool` and drag from the rect's top left to its bottom right (or from the
    first to the second point: a line's ends)."""
    canvas.set_tool(tool)
    if isinstance(rect, QRectF):
        start, end = rect.topLeft(), rect.bottomRight()
    else:
        start, end = scene_point(rect[0]), scene_point(rect[1])
    drag(qtbot, canvas, start, end, modifiers=modifiers)


def wheel(
    qtbot: Any,
    canvas: Canvas,
    at: ScenePoint,
    notches: float,
    *,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
) -> None:
    """Turn the mouse wheel by `notches` (positive: away from the user) over a point."""
    viewport = canvas.viewport()
    pos = QPointF(view_point(canvas, at))
    event = QWheelEvent(
        pos,
        QPointF(viewport.mapToGlobal(pos.toPoint())),
        QPoint(0, 0),
        QPoint(0, round(120 * notches)),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)


def key(
    qtbot: Any,
    canvas: Canvas,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
    *,
    times: int = 1,
) -> None:
    """Press and release a key (through Qt's shortcut override, like real typing)."""
    for _ in range(times):
        QTest.keyClick(canvas, key, modifiers)


def hold_key(qtbot: Any, canvas: Canvas, key: Qt.Key) -> None:
    """Press a key and keep it down (Shift or Space mid-gesture); see `let_go_key`."""
    QTest.keyPress(canvas, key)


def let_go_key(
    qtbot: Any, canvas: Canvas, key: Qt.Key, modifiers: Qt.KeyboardModifier = NO_MODIFIER
) -> None:
    QTest.keyRelease(canvas, key, modifiers)


def type_text(qtbot: Any, canvas: Canvas, text: str) -> None:
    """Type `text` one key at a time."""
    QTest.keyClicks(canvas, text)
