"""Edit operations on the selection: clipboard, delete, duplicate, select, z-order.

Each operation turns the selection into one command (or one macro) on the history; none
touches the document directly. The clipboard carries shapes as JSON under a Strata MIME
type (validated with the file format's own rules when pasted, because another program
may have put anything there) and their text as plain text for other applications.
"""

from __future__ import annotations

import msgspec
from PySide6.QtCore import QMimeData, QObject
from PySide6.QtGui import QClipboard, QGuiApplication

from editor.commands import DeleteShapes, Duplicate, Paste, Reorder, noun
from editor.commands.shapes import ReorderMode
from editor.model import Shape, Text, translated
from editor.ui.session import Session

MIME_TYPE = "application/x-strata-shapes"
PASTE_OFFSET = 10.0


class _Clip(msgspec.Struct):
    format: str
    version: int
    shapes: list[Shape]


class EditOperations(QObject):
    """The Edit and Arrange menus' operations for the current session."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        # Consecutive pastes of the same clipboard step further away, like draw.io.
        self._paste_serial = 0
        self._last_clip: bytes | None = None

    def set_session(self, session: Session) -> None:
        self._session = session
        self._last_clip = None

    @property
    def session(self) -> Session:
        assert self._session is not None, "no document"
        return self._session

    def _clipboard(self) -> QClipboard:
        clipboard = QGuiApplication.clipboard()
        assert clipboard is not None
        return clipboard

    # ------------------------------------------------------------- selection
    def select_all(self) -> None:
        self.session.selection.set(self.session.document.ids())

    def select_none(self) -> None:
        self.session.selection.clear()

    # -------------------------------------------------------------- deleting
    def delete(self) -> bool:
        ids = self.session.selection.ordered()
        if not ids:
            return False
        return self.session.push(DeleteShapes(ids))

    def duplicate(self) -> bool:
        session = self.session
        ids = session.selection.ordered()
        if not ids:
            return False
        new_ids = tuple(session.document.new_id() for _ in ids)
        if session.push(Duplicate(ids, new_ids, PASTE_OFFSET, PASTE_OFFSET)):
            session.selection.set(new_ids)
            return True
        return False

    # ------------------------------------------------------------- clipboard
    def copy(self) -> bool:
        session = self.session
        shapes = [session.document[i] for i in session.selection.ordered()]
        if not shapes:
            return False
        data = msgspec.json.encode(_Clip("strata-clipboard", 1, shapes))
        mime = QMimeData()
        mime.setData(MIME_TYPE, data)
        texts = [s.text for s in shapes if isinstance(s, Text) and s.text]
        if texts:
            mime.setText("\n\n".join(texts))
        self._clipboard().setMimeData(mime)
        self._last_clip = data
        self._paste_serial = 0
        return True

    def cut(self) -> bool:
        session = self.session
        ids = session.selection.ordered()
        if not ids or not self.copy():
            return False
        with session.history.macro(f"Cut {noun([session.document[i] for i in ids])}"):
            session.push(DeleteShapes(ids))
        self._paste_serial = -1  # the first paste after a cut goes back in place
        return True

    def can_paste(self) -> bool:
        mime = self._clipboard().mimeData()
        return mime is not None and mime.hasFormat(MIME_TYPE)

    def paste(self) -> bool:
        """Paste shapes from the clipboard on top, with fresh ids, offset from the source."""
        mime = self._clipboard().mimeData()
        if mime is None or not mime.hasFormat(MIME_TYPE):
            return False
        data = bytes(mime.data(MIME_TYPE).data())
        try:
            clip = msgspec.json.decode(data, type=_Clip)
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            return False  # not ours after all; a broken clipboard is not an error to show
        if clip.format != "strata-clipboard" or clip.version != 1 or not clip.shapes:
            return False
        if data != self._last_clip:
            self._last_clip = data
            self._paste_serial = 0
        self._paste_serial += 1
        offset = PASTE_OFFSET * self._paste_serial
        session = self.session
        shapes = tuple(
            msgspec.structs.replace(translated(s, offset, offset), id=session.document.new_id())
            for s in clip.shapes
        )
        if session.push(Paste(shapes)):
            session.selection.set(s.id for s in shapes)
            return True
        return False

    # ---------------------------------------------------------------- arrange
    def reorder(self, mode: ReorderMode) -> bool:
        ids = self.session.selection.ordered()
        if not ids:
            return False
        return self.session.push(Reorder(ids, mode))
