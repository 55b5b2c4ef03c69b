"""Editing the text of a text box, in word-sized undo steps."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import ClassVar

import msgspec

from editor.commands.base import Command, CommandError, bookkeeping, register, require
from editor.model import Document, Text, check_geometry_value

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

    `height`, when given, is the box's height after the edit: the editor grows a box
    whose height follows its text (`Text.auto_height`) in the same step as the typing, so
    one undo takes back both. `pasted` marks a paste: it is labelled as one and is a step
    of its own (it never merges with typing).
    """

    type_name: ClassVar[str] = "edit_text"
    merge_id: ClassVar[int] = _MERGE_TEXT

    id: str
    position: int
    removed: str
    inserted: str
    joinable: bool = bookkeeping(True)
    height: float | None = None
    pasted: bool = bookkeeping(False)
    _before: Text | None = field(default=None, init=False, repr=False, compare=False)
    _after: Text | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("id: expected a non-empty string")
        if self.position < 0:
            raise ValueError("position: expected a non-negative offset")
        if self.height is not None:
            self.height = check_geometry_value("height", self.height)
            if self.height < 0:
                raise ValueError("height: expected a number >= 0")

    @property
    def text(self) -> str:
        if self.pasted:
            return f"Paste '{_shown(self.inserted)}'" if self.inserted else "Paste Text"
        if self.inserted and not self.removed:
            return f"Type '{_shown(self.inserted)}'"
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
        if self.height is None:
            self._after = msgspec.structs.replace(shape, text=new_text)
        else:
            self._after = msgspec.structs.replace(shape, text=new_text, height=self.height)
        doc.replace([self._after])

    def undo(self, doc: Document) -> None:
        assert self._before is not None, "undo() before do()"
        doc.replace([self._before])

    def is_noop(self) -> bool:
        return self._before is not None and self._before == self._after

    def merge(self, other: Command) -> bool:
        if not (isinstance(other, EditText) and other.joinable and other.id == self.id):
            return False
        if self.pasted or other.pasted:
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
        if other.height is not None:
            self.height = other.height
        self._after = other._after
        return True


def _shown(inserted: str) -> str:
    """Typed text as a History label shows it: at most 20 characters, white space runs
    as one space; text that is only white space shows as typed (' '), line breaks as ↵."""
    shown = inserted if len(inserted) <= 20 else inserted[:19] + "…"
    if shown.strip():
        return " ".join(shown.split())
    return shown.replace("\r\n", "\n").replace("\n", "↵").replace("\t", " ")
