"""Editing a text box in place, with every change on the one global history.

The editor is a QGraphicsTextItem laid over the text box with the renderer's font, wrap
mode, design metrics and padding (`text_font`, WrapAtWordBoundaryOrAnywhere, a document
margin of `TEXT_PADDING`), so its lines break exactly where the painted text broke and
nothing jumps when editing starts. While it is open the shape item paints its box
without the text.

A box whose height follows its text (`Text.auto_height`, every box made with the Text
tool) grows while typing: when the text needs more room (`fitted_height`), the
`EditText` step carries the new height, so the growth is part of the typing step and one
undo shrinks the box back. It never shrinks by itself (deleting text keeps the height).
A paste is marked on its step (`pasted`): History then says "Paste '…'".

The editor's QTextDocument keeps no undo stack of its own (``setUndoRedoEnabled(False)``).
Each content change becomes an `EditText` splice pushed to the session's history, computed
from ``contentsChange(position, removed, added)`` against the text the document last had,
so Ctrl+Z while typing undoes through the same history as everything else. Typing in one
box is one open step of the history (`History.push(step=...)`), which decides where a new
undo step starts: after a pause, after any other change to the history (an undo, a redo,
another command); the editor asks for a `checkpoint()` at the start of an edit and when the
caret is moved by keys or the mouse. `EditText.merge` itself splits steps at word
boundaries.

When the history changes the text being edited (undo, redo), the editor applies the same
splice to its document under a guard flag (so no command is pushed) and puts the caret at
the end of the changed span: where the change happened.

A new text box (Text tool) is *pending*: it is not in the document until the first
character is typed, when one "Add Text Box" step is pushed followed by the typing. A box
that is never typed in leaves no trace in the document or the history.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, cast

import msgspec
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPen,
    QTextCursor,
    QTextOption,
    QTransform,
)
from PySide6.QtWidgets import (
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsTextItem,
    QStyle,
    QStyleOptionGraphicsItem,
    QWidget,
)

from editor.commands import AddShapes, CommandError, EditText
from editor.io.render import TEXT_PADDING, fitted_height, local_transform, qcolor, text_font
from editor.model import Change, Text
from editor.ui.session import Session

from .items import SELECTION_COLOR, TOP_Z

if TYPE_CHECKING:
    from .scene import CanvasScene

log = logging.getLogger(__name__)

_K = Qt.Key
_M = Qt.KeyboardModifier
#: Keys that move the caret: the next change starts a new undo step.
_NAVIGATION: Final = frozenset({
    _K.Key_Left, _K.Key_Right, _K.Key_Up, _K.Key_Down, _K.Key_Home, _K.Key_End,
    _K.Key_PageUp, _K.Key_PageDown,
})  # fmt: skip
#: With Ctrl (and maybe Shift) these are editing keys, never the window's shortcuts.
_CTRL_EDITING: Final = frozenset({
    _K.Key_Left, _K.Key_Right, _K.Key_Up, _K.Key_Down, _K.Key_Home, _K.Key_End,
    _K.Key_Backspace, _K.Key_Delete, _K.Key_Insert, _K.Key_Return, _K.Key_Enter,
    _K.Key_A, _K.Key_C, _K.Key_X, _K.Key_V, _K.Key_Z, _K.Key_Y,
})  # fmt: skip


def _mods(event: QKeyEvent) -> Qt.KeyboardModifier:
    return event.modifiers() & ~_M.KeypadModifier


def is_undo(event: QKeyEvent) -> bool:
    """Ctrl+Z (or the platform's Undo key)."""
    if event.matches(QKeySequence.StandardKey.Undo):
        return True
    return event.key() == _K.Key_Z and _mods(event) == _M.ControlModifier


def is_redo(event: QKeyEvent) -> bool:
    """Ctrl+Shift+Z, Ctrl+Y (or the platform's Redo key)."""
    if event.matches(QKeySequence.StandardKey.Redo):
        return True
    mods = _mods(event)
    return (event.key() == _K.Key_Z and mods == _M.ControlModifier | _M.ShiftModifier) or (
        event.key() == _K.Key_Y and mods == _M.ControlModifier
    )


def claims_shortcut(event: QKeyEvent) -> bool:
    """Whether the editor, not a window action, gets this key (ShortcutOverride).

    Everything that types or edits: printable keys (also single letters that are tool
    shortcuts when not editing), Delete, Backspace, Enter, Tab, Escape, caret movement,
    and Ctrl with the editing keys (select all, copy/cut/paste, undo/redo, word moves).
    Function keys and other Ctrl/Alt combinations (Ctrl+S, Alt+F) stay with the window.
    """
    key = event.key()
    mods = _mods(event) & ~_M.ShiftModifier
    if is_undo(event) or is_redo(event):
        return True
    if mods in (_M.NoModifier, _M.GroupSwitchModifier):
        return not (_K.Key_F1 <= key <= _K.Key_F35)
    text = event.text()
    if mods == _M.ControlModifier | _M.AltModifier and text and text.isprintable():
        return True  # AltGr on Windows
    return mods == _M.ControlModifier and key in _CTRL_EDITING


def splice(old: str, new: str, position: int, removed: int, added: int) -> tuple[int, str, str]:
    """The splice (position, removed text, inserted text) that turns `old` into `new`.

    ``contentsChange`` usually says exactly what happened, and then its position is used
    as is ("hel|lo" + "l" is an insertion at 3, where the caret was, not at 4). When its
    numbers do not describe `old` -> `new` (QTextDocument sometimes reports the whole
    document, or the editor's line breaks differ from the model's), the minimal
    common-prefix/common-suffix difference is used instead.
    """
    if 0 <= position <= len(old) and removed >= 0 and added >= 0:
        end = position + removed
        inserted = new[position : position + added]
        if end <= len(old) and old[:position] + inserted + old[end:] == new:
            return position, old[position:end], inserted
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    tail = 0
    while tail < limit - start and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]:
        tail += 1
    return start, old[start : len(old) - tail], new[start : len(new) - tail]


def editor_text(raw: str) -> str:
    """QTextDocument's raw text in the model's form: paragraph and line breaks as "\\n"."""
    return raw.replace("\u2029", "\n").replace("\u2028", "\n")


class TextEditor(QGraphicsTextItem):
    """The in-place editor: a QGraphicsTextItem laid out exactly like the renderer's text.

    It claims the typing keys from the window (ShortcutOverride), sends Ctrl+Z/Ctrl+Y to
    the global history, pastes plain text only (the model has no rich text), and tells its
    owner when the caret is moved so that the next change starts a new undo step.
    """

    def __init__(self, owner: InPlaceTextEdit) -> None:
        super().__init__()
        self._owner = owner
        self._box = QRectF()
        document = self.document()
        document.setUndoRedoEnabled(False)
        document.setDocumentMargin(TEXT_PADDING)  # on every side, as the renderer pads
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        option.setUseDesignMetrics(True)
        document.setDefaultTextOption(option)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setAcceptDrops(False)  # dropped rich text would bypass the plain-text model
        self.setZValue(TOP_Z)

    def plain_text(self) -> str:
        return editor_text(self.document().toRawText())

    def set_box(self, shape: Text) -> None:
        """Lay the editor over `shape`: same font, colour, wrap width, position and turn."""
        self.setFont(text_font(shape))
        color = QColor(qcolor(shape.color))
        color.setAlphaF(color.alphaF() * shape.opacity)
        self.setDefaultTextColor(color)
        self.setTextWidth(max(shape.width, 1.0))
        self.prepareGeometryChange()
        self._box = QRectF(0.0, 0.0, shape.width, shape.height)
        # The editor's (0, 0) is the box's top left; the renderer's local frame has its
        # origin at the centre: shift, then the renderer's own local-to-document transform.
        # (One matrix: QGraphicsItem would apply transform() *after* rotation().)
        shift = QTransform.fromTranslate(-shape.width / 2.0, -shape.height / 2.0)
        self.setTransform(shift * local_transform(shape))

    def caret_to(self, position: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(max(0, min(position, self.document().characterCount() - 1)))
        self.setTextCursor(cursor)

    def caret_at_point(self, scene_point: QPointF) -> None:
        local = self.mapFromScene(scene_point)
        layout = self.document().documentLayout()
        self.caret_to(max(0, layout.hitTest(local, Qt.HitTestAccuracy.FuzzyHit)))

    # ----------------------------------------------------------------- events
    def sceneEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if claims_shortcut(event):
                event.accept()
                return True
            event.ignore()
            return False
        return super().sceneEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        owner = self._owner
        key = event.key()
        if is_undo(event):
            event.accept()
            owner.undo()
            return
        if is_redo(event):
            event.accept()
            owner.redo()
            return
        if key == _K.Key_Escape or (
            key in (_K.Key_Return, _K.Key_Enter) and _mods(event) & _M.ControlModifier
        ):
            event.accept()
            owner.request_finish()
            return
        if event.matches(QKeySequence.StandardKey.Paste):
            event.accept()
            text = QGuiApplication.clipboard().text().replace("\r\n", "\n")
            if text:
                cursor = self.textCursor()
                owner.pasting = True
                try:
                    cursor.insertText(text)
                finally:
                    owner.pasting = False
                self.setTextCursor(cursor)
            return
        if key in _NAVIGATION:
            owner.caret_moved()
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._owner.caret_moved()
        super().mousePressEvent(event)

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        # Qt's own menu offers a rich-text paste and a dead Undo; the window's menu applies.
        event.ignore()

    # ----------------------------------------------------------------- painting
    def boundingRect(self) -> QRectF:
        return super().boundingRect().united(self._box)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        # No Qt focus rectangle: the dashed box below shows the text box's real extent.
        plain = QStyleOptionGraphicsItem(option)
        plain.state = plain.state & ~(
            QStyle.StateFlag.State_HasFocus | QStyle.StateFlag.State_Selected
        )
        super().paint(painter, plain, cast(QWidget, widget))  # Qt accepts a null widget
        pen = QPen(SELECTION_COLOR, 1.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self._box)


class InPlaceTextEdit:
    """One editing session of one text box: the editor item and the commands it pushes.

    `finish` is called (once) when editing must end for a reason the editor sees: Escape,
    Ctrl+Enter, or the box being removed (an undo of its creation).
    """

    def __init__(
        self,
        session: Session,
        scene: CanvasScene,
        shape: Text,
        *,
        pending: bool,
        finish: Callable[[], None],
        added: Callable[[], None] = lambda: None,
    ) -> None:
        self._session = session
        self._scene = scene
        self._finish = finish
        self._added = added
        self.shape_id = shape.id
        #: True until the first character: the box is not in the document yet.
        self.pending = pending
        self._shape = shape
        #: The text as the document has it (what the next splice applies to).
        self._text = shape.text
        self._syncing = False
        self._pushing = False
        #: True while the editor inserts a paste (the change it causes is a paste).
        self.pasting = False
        self._last_end = -1
        session.history.checkpoint()  # an edit starts a new step
        self.editor = TextEditor(self)
        self._syncing = True
        try:
            self.editor.set_box(shape)
            self.editor.setPlainText(shape.text.replace("\r\n", "\n"))
        finally:
            self._syncing = False
        self.editor.document().contentsChange.connect(self._on_contents_change)
        scene.add_helper(self.editor)
        self._hide_shape_text(True)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ queries
    def contains(self, scene_point: QPointF) -> bool:
        editor = self.editor
        return editor.contains(editor.mapFromScene(scene_point))

    def exists(self) -> bool:
        return not self.pending and self.shape_id in self._session.document

    def shape(self) -> Text:
        """The box being edited, as the document has it (or will add it, when pending)."""
        return self._shape

    def set_pending_shape(self, shape: Text) -> None:
        """Restyle the new box before it is added (its first character adds it so)."""
        if not self.pending:
            raise RuntimeError("the box is in the document: change it with a command")
        self._shape = msgspec.structs.replace(shape, id=self.shape_id, text=self._text)
        self._syncing = True
        try:
            self.editor.set_box(self._shape)
        finally:
            self._syncing = False

    # ---------------------------------------------------------------- actions
    def caret_moved(self) -> None:
        self._session.history.checkpoint()

    def undo(self) -> None:
        self._session.history.undo()

    def redo(self) -> None:
        self._session.history.redo()

    def request_finish(self) -> None:
        self._finish()

    def close(self) -> None:
        """Take the editor off the scene and let the shape paint its text again."""
        self.editor.document().contentsChange.disconnect(self._on_contents_change)
        self.editor.clearFocus()
        self._scene.removeItem(self.editor)
        self._hide_shape_text(False)

    def _hide_shape_text(self, hidden: bool) -> None:
        item = self._scene.item_for(self.shape_id)
        if item is not None:
            item.set_text_hidden(hidden)

    # ------------------------------------------------------- editor -> history
    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        if self._syncing:
            return
        new = self.editor.plain_text()
        old = self._text
        if new == old:
            return  # a format-only change
        start, gone, inserted = splice(old, new, position, removed, added)
        history = self._session.history
        self._pushing = True
        try:
            if self.pending:
                self._add_box()
            elif start not in (self._last_end, self._last_end - len(gone)):
                history.checkpoint()  # the edit is somewhere else than the last one
            self._text = new
            if self.pasting:
                history.checkpoint()  # a paste is a step of its own
            history.push(
                EditText(self.shape_id, start, gone, inserted,
                         height=self._grown_height(new), pasted=self.pasting),
                step=self._step(),
            )  # fmt: skip
        except CommandError:  # the editor and the document disagree: trust the document
            log.exception("text edit of %r rejected; reloading the box", self.shape_id)
            shape = self._session.document.get(self.shape_id)
            self._text = shape.text if isinstance(shape, Text) else ""
            self._load(self._text, caret=start)
            history.checkpoint()
        finally:
            self._pushing = False
        self._last_end = start + len(inserted)

    def _step(self) -> tuple[str, str]:
        """The history step typing in this box belongs to."""
        return ("type", self.shape_id)

    def _grown_height(self, text: str) -> float | None:
        """The height the box must grow to for `text`, or None if it keeps its height."""
        shape = self._session.document.get(self.shape_id)
        if not isinstance(shape, Text) or not shape.auto_height:
            return None
        needed = float(math.ceil(fitted_height(shape, text)))
        return needed if needed > shape.height else None

    def _add_box(self) -> None:
        """The first character in a new box: add the (empty) box as its own step."""
        shape = self._shape
        if shape.id in self._session.document:  # the id was taken meanwhile
            shape = msgspec.structs.replace(shape, id=self._session.document.new_id())
            self.shape_id = shape.id
        self._session.history.push(AddShapes((shape,)))
        self.pending = False
        self._session.selection.set([shape.id])
        self._hide_shape_text(True)
        self._added()

    # ------------------------------------------------------- history -> editor
    def on_change(self, change: Change) -> None:
        """The document changed (any command, ours included): follow it."""
        if self.pending:
            return
        shape_id = self.shape_id
        if shape_id in change.removed:
            self._finish()
            return
        if shape_id in change.added:
            self._hide_shape_text(True)
        if shape_id not in change.changed and shape_id not in change.added:
            return
        shape = self._session.document.get(shape_id)
        if not isinstance(shape, Text):
            self._finish()
            return
        if _box_differs(shape, self._shape):
            self._syncing = True
            try:
                self.editor.set_box(shape)
            finally:
                self._syncing = False
        self._shape = shape
        if not self._pushing and shape.text != self._text:
            self._follow(shape.text)

    def _follow(self, text: str) -> None:
        """Show `text` (set by an undo/redo) without pushing; caret where it changed."""
        current = self.editor.plain_text()
        wanted = text.replace("\r\n", "\n")
        start, gone, inserted = splice(current, wanted, len(current), -1, -1)
        self._syncing = True
        try:
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(start)
            cursor.setPosition(start + len(gone), QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(inserted)
        finally:
            self._syncing = False
        if self.editor.plain_text() != wanted:  # pragma: no cover - defensive
            self._load(wanted, caret=start + len(inserted))
        else:
            self.editor.caret_to(start + len(inserted))
        self._text = text

    def _load(self, text: str, caret: int) -> None:
        self._syncing = True
        try:
            self.editor.setPlainText(text.replace("\r\n", "\n"))
        finally:
            self._syncing = False
        self.editor.caret_to(caret)


def _box_differs(a: Text, b: Text) -> bool:
    """Whether the editor must be laid out again (anything but the text changed)."""
    return msgspec.structs.replace(a, text=b.text) != b
