"""The command protocol and the registry that turns commands into data and back.

A command is one user action as a small dataclass: its fields are the intent (ids and new
values), and `do()` records in private fields what `undo()` needs (the old values of the
shapes it touched, never a copy of the document). `undo()` is the exact inverse of `do()`
and has no side effects of its own: no logging, no I/O, no signals.

`redo` is `do` again. After the first `do`, a command re-applies the values it recorded
instead of recomputing them, so redo lands on bit-identical floats even after merges
(x + dx1 + dx2 is not always x + (dx1 + dx2)).

Serialisation is `{"type": name, "payload": {...}}` through `REGISTRY`, keyed by type name.
Payloads are decoded with msgspec into the command's own dataclass, so a bad payload gives
a located error such as `payload.dx: Expected float, got str`.

Some payload fields are not the person's intent but the editor's bookkeeping: `joinable`
(may this command merge into the previous one on the history?) and `EditText.pasted` (label
it as a paste). They are declared with `bookkeeping(default)`, always have a default, and
change nothing in the document, so a hand-written or generated replay file needs only the
intent fields. docs/commands.md lists every field; tests/commands/test_commands_doc.py
checks it against this registry.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar, Final, TypeVar, cast

import msgspec

from editor.model import Document, Shape, kind_of_shape


class CommandError(ValueError):
    """A command cannot be built from its data, or cannot apply to this document."""


class Command(ABC):
    """One reversible user action. Subclasses are dataclasses registered by type name."""

    __slots__ = ()

    #: The name under which the command is serialised.
    type_name: ClassVar[str] = ""
    #: Commands with the same non-negative merge id may merge (QUndoCommand.id()).
    merge_id: ClassVar[int] = -1

    @property
    @abstractmethod
    def text(self) -> str:
        """The menu text: "Move 3 Shapes", "Type 'hello'"."""

    @abstractmethod
    def do(self, doc: Document) -> None:
        """Apply the action. Must raise before changing anything if it cannot apply."""

    @abstractmethod
    def undo(self, doc: Document) -> None:
        """Exactly reverse the last `do()`."""

    def merge(self, other: Command) -> bool:
        """Absorb `other`, which was just done after this command. False if not mergeable.

        On True, this command's `undo()` must reverse both and its `do()` redo both.
        """
        return False

    def is_noop(self) -> bool:
        """True when the last `do()` changed nothing (history then drops the command)."""
        return False

    # -------------------------------------------------------------- data
    def payload(self) -> dict[str, Any]:
        """The command's intent as JSON-ready builtins (private recorded state excluded)."""
        fields = dataclasses.fields(cast(Any, self))
        values = {f.name: getattr(self, f.name) for f in fields if f.init}
        result: dict[str, Any] = msgspec.to_builtins(values)
        return result

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type_name, "payload": self.payload()}


#: The dataclass field metadata key that marks a field as bookkeeping (see module doc).
BOOKKEEPING: Final = "bookkeeping"

B = TypeVar("B")


def bookkeeping(default: B) -> B:
    """A payload field that is the editor's bookkeeping, not the person's intent.

    It has a default, so a payload may leave it out, and it must not change what `do()`
    does to the document (only merging and labels).
    """
    result: B = dataclasses.field(default=default, metadata={BOOKKEEPING: True})
    return result


def is_bookkeeping(f: dataclasses.Field[Any]) -> bool:
    """True for a field declared with `bookkeeping()`."""
    return bool(f.metadata.get(BOOKKEEPING))


C = TypeVar("C", bound=type[Command])

#: Every command class by its type name.
REGISTRY: dict[str, type[Command]] = {}


def register(cls: C) -> C:
    """Class decorator: make a command class decodable by its `type_name`."""
    name = cls.type_name
    if not name:
        raise TypeError(f"{cls.__name__} has no type_name")
    if name in REGISTRY and REGISTRY[name] is not cls:
        raise TypeError(f"command type {name!r} registered twice")
    REGISTRY[name] = cls
    return cls


def command_from_json(data: object) -> Command:
    """Build a command from `{"type": ..., "payload": {...}}`; raise CommandError if bad."""
    if not isinstance(data, dict):
        raise CommandError(f"expected an object with 'type' and 'payload', got {_kind(data)}")
    name = data.get("type")
    if not isinstance(name, str):
        raise CommandError("type: expected a command type name (a string)")
    cls = REGISTRY.get(name)
    if cls is None:
        known = ", ".join(sorted(REGISTRY))
        raise CommandError(f"type: unknown command type {_short(name)} (known: {known})")
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise CommandError(f"payload: expected an object, got {_kind(payload)}")
    names = _payload_fields(cls)
    for key in payload:
        if key not in names:  # a typo, or recorded state (_after) that is not data
            listed = ", ".join(names)
            raise CommandError(f"{name}: payload: unknown field {_short(key)} (fields: {listed})")
    try:
        command = msgspec.convert(payload, cls)
    except msgspec.ValidationError as exc:
        raise CommandError(f"{name}: {_relocate(str(exc), 'payload')}") from None
    except (TypeError, ValueError) as exc:
        raise CommandError(f"{name}: payload: {exc}") from None
    return command


def _payload_fields(cls: type[Command]) -> tuple[str, ...]:
    """The fields a payload may hold: the dataclass's init fields, in order."""
    return tuple(f.name for f in dataclasses.fields(cast(Any, cls)) if f.init)


def _short(value: object) -> str:
    """A value from the data for a message: repr, escaped, at most 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:36] + "...'"


def _relocate(message: str, root: str) -> str:
    """Turn msgspec's "... - at `$.dx`" into "payload.dx: ..."."""
    text, sep, where = message.rpartition(" - at `$")
    if not sep:
        return f"{root}: {message}"
    return f"{root}{where.rstrip('`')}: {text}"


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


# ------------------------------------------------------------------ wording
def noun(shapes: Iterable[Shape] | int) -> str:
    """ "Rectangle" for one rectangle, "3 Shapes" for three, "Shape" when unknown."""
    if isinstance(shapes, int):
        return "Shape" if shapes == 1 else f"{shapes} Shapes"
    items = shapes if isinstance(shapes, tuple | list) else list(shapes)
    if len(items) == 1:
        return kind_of_shape(items[0]).noun
    return f"{len(items)} Shapes"


def check_ids(ids: tuple[str, ...], what: str = "ids") -> None:
    """Ids must be a non-empty tuple of unique non-empty strings."""
    if not ids:
        raise ValueError(f"{what}: expected at least one id")
    for i in ids:  # a loop, not any(...): a recovery checks 100,000 commands' ids
        if not i or not isinstance(i, str):
            raise ValueError(f"{what}: ids must be non-empty strings")
    if len(ids) > 1 and len(set(ids)) != len(ids):
        raise ValueError(f"{what}: ids must be unique")


def require(doc: Document, ids: Iterable[str]) -> list[Shape]:
    """The shapes with these ids, or CommandError naming the first missing one."""
    found = []
    for shape_id in ids:
        shape = doc.get(shape_id)
        if shape is None:
            raise CommandError(f"no shape with id {shape_id!r}")
        found.append(shape)
    return found
