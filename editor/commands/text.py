"""Editing the text of a text box, in word-sized undo steps."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import ClassVar

import msgspec

from editor.commands.base import Command, CommandError, register, require
from editor.model import Document, Text

_MERGE_TEXT = 10


def is_separator(char: str) -> bool:
    """Whitespace and punctuation end a word: typing after one starts a new undo step."""
    return char.isspace() or unicodedata.category(char)[0] in "PSZ"


@register
@dataclass(slots=True)
class EditText(Command):
    """Replace `removed` at `position` in a text box's text by `inserted` (a splice).

    Typing one character is `EditText(id, caret, "", "a")`; Backspace is a splice that
    removes one character. Consecutive typing in the same box merges into one step until a
    word ends (a separator followed by a word character), the caret jumps, or the editor
    marks the next edit as not `joinable` (after a pause). Deletions merge the same way.
    """

    type_name: ClassVar[str] = "edit_text"
    merge_id: ClassVar[int] = _MERGE_TEXT

    id: str
    position: int
    removed: str
    inserted: str
    joinable: bool = True
    _before: Text | None = field(default=None, init=False, repr=False, compare=False)
    _after: Text | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("id: expected a non-empty string")
        if self.position < 0:
            raise ValueError("position: expected a non-negative offset")

    @property
    def text(self) -> str:
        if self.inserted and not self.removed:
            shown = self.inserted if len(self.inserted) <= 20 else self.inserted[:19] + "…"
            shown = " ".join(shown.split()) or "Space"
            return f"Type '{shown}'"
        if self.removed and not self.inserted:
            return "Delete Text"
        return "Edit Text"

    def do(self, doc: Document) -> None:
        if self._after is not None:
            require(doc, [self.id])
            doc.replace([self._after])
            return
        shape = require(doc, [self.id])[0]
        if not isinstance(shape, Text):
            raise CommandError(f"shape {self.id!r} is not a text box")
        end = self.position + len(self.removed)
        if end > len(shape.text) or shape.text[self.position : end] != self.removed:
            raise CommandError(
                f"text of {self.id!r} does not contain {self.removed!r} at {self.position}"
            )
        new_text = shape.text[: self.position] + self.inserted + shape.text[end:]
        self._before = shape
        self._after = msgspec.structs.replace(shape, text=new_text)
        doc.replace([self._after])

    def undo(self, doc: Document) -> None:
        assert self._before is not None, "undo() before do()"
        doc.replace([self._before])

    def is_noop(self) -> bool:
        return self._before is not None and self._before == self._after

    def merge(self, other: Command) -> bool:
        if not (isinstance(other, EditText) and other.joinable and other.id == self.id):
            return False
        typing = not self.removed and not other.removed and self.inserted and other.inserted
        if typing:
            if other.position != self.position + len(self.inserted):
                return False
            if is_separator(self.inserted[-1]) and not is_separator(other.inserted[0]):
                return False  # a new word starts a new step
            self.inserted += other.inserted
        elif not self.inserted and not other.inserted and self.removed and other.removed:
            if other.position + len(other.removed) == self.position:  # Backspace
                if is_separator(other.removed[-1]) and not is_separator(self.removed[0]):
                    return False
                self.position = other.position
                self.removed = other.removed + self.removed
            elif other.position == self.position:  # Delete
                if is_separator(self.removed[-1]) and not is_separator(other.removed[0]):
                    return False
                self.removed += other.removed
            else:
                return False
        else:
            return False
        self._after = other._after
        return True
