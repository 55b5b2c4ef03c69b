"""Rebuild a document and its history from the journal: pure Python, no Qt, no SQLite.

The journal stores what the History did, in order: each pushed command as the envelope it
was pushed with and whether the stack merged it into the step below (so the rebuild
follows the same merge rule, `Command.merge`, instead of guessing from timing), undo,
redo and jumps as the index they moved to, saves as the index saved. Replaying that onto
the document the journal started from gives the same document, the same steps (merged
the same way), the same index and the same saved marker as the live history had.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import msgspec

from editor.commands import REGISTRY, Command, CommandError, command_from_json
from editor.model import Document, Snapshot

log = logging.getLogger(__name__)

_json = msgspec.json.Decoder()

#: Entry kinds that move the history index.
MOVES = ("undo", "redo", "jump")


@dataclass(slots=True)
class Entry:
    """One journal entry as read back (see editor.journal.store for the table).

    Not frozen: a frozen dataclass's __init__ costs several times more, and a recovery
    reads 100,000 of them."""

    seq: int
    kind: str
    time: float
    index: int | None = None
    merged: bool = False
    sha256: str | None = None
    path: str | None = None
    data: bytes | None = None

    def envelopes(self) -> list[Any]:
        """The command envelope(s) of a push (one) or a macro (its children)."""
        if self.data is None:
            return []
        value = _json.decode(self.data)
        if self.kind == "macro":
            return list(value["commands"])
        return [value]

    def text(self) -> str | None:
        """A macro's menu text."""
        if self.kind != "macro" or self.data is None:
            return None
        return str(_json.decode(self.data)["text"])


@dataclass(slots=True)
class Step:
    """One undo step: one command (merges are inside it) or a macro's children."""

    commands: list[Command]
    text: str
    macro: bool = False
    time: float = 0.0

    def undo(self, doc: Document) -> None:
        for command in reversed(self.commands):
            command.undo(doc)

    def redo(self, doc: Document) -> None:
        for command in self.commands:
            command.do(doc)

    def label(self) -> str:
        return self.text if self.macro else self.commands[0].text


class _Envelope(msgspec.Struct):
    type: str
    payload: msgspec.Raw


_envelope = msgspec.json.Decoder(_Envelope)
_decoders: dict[str, msgspec.json.Decoder[Any]] = {}


def decode_command(data: bytes) -> Command:
    """One pushed command from its stored envelope, decoded straight into its class (one
    pass; a recovery decodes 100,000). Anything unusual takes the registry's located path."""
    try:
        env = _envelope.decode(data)
        decoder = _decoders.get(env.type)
        if decoder is None:
            cls = REGISTRY[env.type]
            decoder = _decoders[env.type] = msgspec.json.Decoder(cls)
        command: Command = decoder.decode(env.payload)
    except (msgspec.DecodeError, KeyError, TypeError, ValueError):
        return command_from_json(_json.decode(data))
    return command


class RebuildError(ValueError):
    """The journal does not apply to its base document (a bug or a damaged entry)."""


@dataclass(slots=True)
class Rebuilt:
    """A document and its history rebuilt from the journal."""

    document: Document
    steps: list[Step] = field(default_factory=list)
    index: int = 0
    #: Stack index of the last saved (or opened) state; -1 when it is no longer reachable.
    saved_index: int = 0
    #: sha256 of the file's bytes at that state (the last save or open), if any.
    saved_sha256: str | None = None
    path: str | None = None
    #: Entries after the last save or open: the changes that are not on disk.
    unsaved: int = 0
    last_time: float = 0.0

    @property
    def modified(self) -> bool:
        return self.index != self.saved_index

    def history_steps(self) -> list[tuple[list[Command], str | None]]:
        """The steps as History.adopt takes them: (commands, a macro's text or None).

        Made with the cyclic GC paused: 100,000 new tuples would set off collections that
        scan every command of the rebuild and find nothing to free."""
        with paused_gc():
            return [(s.commands, s.text if s.macro else None) for s in self.steps]

    def move_to(self, index: int) -> None:
        """Undo or redo steps until the history is at `index`."""
        if not 0 <= index <= len(self.steps):
            raise RebuildError(f"index {index} is outside the history (0..{len(self.steps)})")
        doc = self.document
        while self.index > index:
            self.index -= 1
            self.steps[self.index].undo(doc)
        while self.index < index:
            self.steps[self.index].redo(doc)
            self.index += 1


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a rebuild makes objects that all stay
    alive: every collection would scan the hundreds of thousands already made and find
    nothing (a quarter of a 100,000-command recovery, bench/bench_journal.py). Nests.

    On the way out the objects made go straight to the oldest generation (`settle_gc`),
    so the first young collection after the pause does not scan them all either."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            settle_gc()
            gc.enable()


def settle_gc() -> None:
    """Move every object the collector tracks to its oldest generation, scanning nothing.

    gc.freeze() moves them all to the permanent generation and gc.unfreeze() puts them
    back into the oldest one (both documented so): what surviving two young collections
    would do, minus the scans. Objects stay collectable; a garbage cycle that was young
    is found by the next full collection instead of a young one."""
    gc.freeze()
    gc.unfreeze()


def rebuild(base: Snapshot | None, entries: Iterable[Entry]) -> Rebuilt:
    """Replay `entries` onto `base` (None: a new, empty document)."""
    with paused_gc():
        return _rebuild(base, entries)


def _rebuild(base: Snapshot | None, entries: Iterable[Entry]) -> Rebuilt:
    doc = Document() if base is None else Document(base.page, base.shapes)
    out = Rebuilt(doc)
    steps = out.steps
    last_time = 0.0
    for entry in entries:
        try:
            if (entry.kind == "push" and not entry.merged and entry.data is not None
                    and out.index == len(steps)):  # fmt: skip
                # The common entry, a new step on top (what _apply and _record do for it,
                # without their branches: a recovery replays 100,000 of them).
                command = decode_command(entry.data)
                command.do(doc)
                steps.append(Step([command], "", False, entry.time))
                out.index += 1
                out.unsaved += 1
            else:
                _apply(out, entry)
        except (CommandError, ValueError, KeyError, TypeError, msgspec.DecodeError) as exc:
            if isinstance(exc, RebuildError):
                raise
            raise RebuildError(f"entry {entry.seq} ({entry.kind}): {exc}") from exc
        last_time = max(last_time, entry.time)
    out.last_time = last_time
    return out


def _apply(out: Rebuilt, entry: Entry) -> None:
    kind = entry.kind
    if kind in ("push", "macro"):
        if kind == "push" and entry.data is not None:
            commands = [decode_command(entry.data)]
        else:
            commands = [command_from_json(e) for e in entry.envelopes()]
        for command in commands:
            command.do(out.document)
        _record(out, commands, entry)
        out.unsaved += 1
    elif kind in MOVES:
        assert entry.index is not None
        out.move_to(entry.index)
        out.unsaved += 1
    elif kind in ("save", "open"):
        if entry.index is not None and kind == "open":
            out.move_to(entry.index)
        if kind == "save":
            out.saved_index = -1 if entry.index is None else entry.index
        else:
            out.saved_index = out.index
        out.saved_sha256 = entry.sha256
        out.path = entry.path
        out.unsaved = 0
    elif kind == "create":
        out.path = None
        out.saved_index = 0
    elif kind == "resume":
        if entry.index is not None:
            out.move_to(entry.index)
    elif kind == "close":
        pass
    elif kind == "clear":
        out.steps = []
        out.saved_index = 0 if out.saved_index == out.index else -1
        out.index = 0
    elif kind == "forget_path":
        out.path = None
        out.saved_index = -1
        out.saved_sha256 = None
    else:
        raise RebuildError(f"entry {entry.seq}: unknown kind {kind!r}")


def _record(out: Rebuilt, commands: list[Command], entry: Entry) -> None:
    """Put the done commands on the history the way QUndoStack.push would."""
    steps = out.steps
    if out.index < len(steps):  # a push after undo drops the redo entries
        del steps[out.index :]
        if out.saved_index > out.index:
            out.saved_index = -1
    if entry.kind == "push" and entry.merged and steps and not steps[-1].macro:
        top = steps[-1].commands[0]
        if top.merge(commands[0]):
            steps[-1].time = entry.time
            if top.is_noop():  # merged back to where it started: the step is gone
                steps.pop()
                if out.saved_index == len(steps) + 1:
                    out.saved_index = -1
            out.index = len(steps)
            return
        log.warning("journal entry %d was merged live but does not merge now", entry.seq)
    text = entry.text() or ""
    steps.append(Step(commands, text, macro=entry.kind == "macro", time=entry.time))
    out.index = len(steps)
