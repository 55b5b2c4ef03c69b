"""The one history: a QUndoStack of thin adapters around pure commands.

Why not let QUndoStack call `redo()` for the first application? An exception raised in a
Python override called from C++ is printed and swallowed by PySide, and the stack would
record a command that never happened. `History.push` therefore runs `command.do()` itself
first (errors reach the caller; commands validate before they change anything), then
pushes an adapter whose first `redo()` is a no-op.

"Modified" means "differs from the last saved revision". Revisions are identified by a
serial number given to each pushed command (merges keep the first command's serial), not by
stack index: indices shift when the undo limit drops old commands, and a background save
finishes after the person may have kept editing. `revision()` names the current state and
seals its command against merging, so a save of "Type 'hel'" stays true even if typing
continues into the same step while the file is written.

**Where a new undo step starts** is decided here, once, for every gesture and field (the
anchor is Textual's `EditHistory.checkpoint()`). A push may name the *step* it belongs to
(`push(command, step=key)`: typing in one text box, a burst of arrow-key nudges of the
same shapes, the arrow of one spin box on one selection, one slider drag). It continues
the open step, merging into it if the command agrees, only when it names the same key,
nothing else happened on the history since (no undo, redo, jump, or push of anything
else: each of those seals the open step by itself), and, for timed steps, less than
`PAUSE_SECONDS` passed by the injectable `clock`. A gesture or a field that knows a step
ends (the caret was moved, a slider was pressed, a field got focus) calls `checkpoint()`.
The decision is written into the command's `joinable` field, so the command's data says
whether it started a step. A push that names no step keeps the command's own `joinable`
(data from a script or a file decides for itself) but still ends any open step.

**Observers** (`History.observer`, the journal): every change of the history is reported
as it happens: a push (the command as pushed, and whether the stack merged it into the
step below), a macro (its children, once it closed), and every move of the index (undo,
redo, a jump: however it was asked for, the window's undo action or the History panel).
`adopt` puts a rebuilt history back (reopening a file, crash recovery) without running
any command and without reporting anything.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import logging
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from editor.commands import Command
from editor.model import Change, Document

log = logging.getLogger(__name__)

Action = Literal["push", "undo", "redo"]
_Apply = Callable[[Document], None]


class HistoryObserver(Protocol):
    """Told of every change of a History as it happens (editor.journal's recorder)."""

    def pushed(self, command: Command, merged: bool, index: int) -> None:
        """`command` was done and pushed (`merged`: into the step below); now at `index`."""

    def macro_pushed(self, text: str, commands: Sequence[Command], index: int) -> None:
        """A macro closed with these children (done, in order) as one step; at `index`."""

    def moved(self, kind: str, index: int) -> None:
        """The index moved to `index` by "undo", "redo", "jump" or "clear"."""


#: One step to adopt: its commands (done up to the adopted index), and a macro's text
#: (None for a single command).
AdoptedStep = tuple[Sequence[Command], str | None]

#: A pause this long (seconds, by the history's clock) ends an open timed step: typing,
#: arrow-key nudges and held spin-box arrows after a pause start a new undo step.
PAUSE_SECONDS: Final = 1.0


@dataclass(slots=True)
class _OpenStep:
    """The step the last keyed push belongs to, still open for more pushes of `key`."""

    key: Hashable
    serial: int
    time: float
    timed: bool


@dataclass(frozen=True, slots=True)
class Revision:
    """A point in the history: what a save job records as the state it wrote.

    Only the serial: stack indices shift when the undo limit drops old commands."""

    serial: int


class UndoCommand(QUndoCommand):
    """QUndoCommand adapter: delegates to a pure `Command`, merging through `merge()`.

    One exists per history entry, so it is kept small (slots, not a __dict__): see the
    memory row in docs/performance.md.
    """

    __slots__ = ("_history", "command", "sealed", "serial")

    def __init__(self, history: History, command: Command, serial: int) -> None:
        super().__init__(command.text)
        self._history = history
        self.command = command
        self.serial = serial
        #: Nothing merges into this step any more (its gesture ended).
        self.sealed = False

    def release(self) -> None:
        """Let go of the history and the command (this step was merged into another)."""
        del self._history, self.command

    def id(self) -> int:
        if self._history._adopting:
            return -1  # adopted steps never merge: Qt then skips mergeWith
        return self.command.merge_id

    def redo(self) -> None:
        history = self._history
        if history._adopting:
            return
        if history._skip_redo:  # History.push already ran command.do()
            history._skip_redo = False
            return
        history._run(self.command.do, self.command, "redo")

    def undo(self) -> None:
        if self._history._adopting:
            return
        self._history._run(self.command.undo, self.command, "undo")

    def mergeWith(self, other: QUndoCommand) -> bool:
        history = self._history
        if history._adopting or not isinstance(other, UndoCommand):
            return False
        if self.sealed or history._is_sealed(self.serial):
            return False
        if not self.command.merge(other.command):
            return False
        self.setText(self.command.text)
        history._merged = True
        if self.command.is_noop():
            self.setObsolete(True)  # e.g. a slider dragged back to where it started
        return True


class History(QObject):
    """The document's undo history (one per document), wrapping a QUndoStack."""

    #: Ids affected by the last push/undo/redo (or jump), and which action it was.
    #: Removed ids are not included: the window selects what it can.
    touched = Signal(object, str)
    #: Emitted when "differs from the last saved revision" flips.
    modifiedChanged = Signal(bool)
    #: The saved revision changed (mark_saved, clear): views move their saved marker.
    savedChanged = Signal()
    #: A command raised during undo/redo called from the stack (a bug): the exception.
    failed = Signal(object)

    def __init__(
        self,
        document: Document,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.document = document
        #: Monotonic clock (seconds) for the pause that ends a timed step; tests inject one.
        self.clock = clock
        self.stack = QUndoStack(self)
        self._open: _OpenStep | None = None
        self._in_push = False
        self._serials = itertools.count(1)
        self._base_serial = 0  # the state at index 0 is "after command _base_serial"
        self._saved_serial: int | None = 0  # a new document is clean
        self._sealed: set[int] = {0}
        #: Every serial up to this one is sealed too (the adopted history: one number
        #: instead of a set of 100,000).
        self._sealed_upto = 0
        self._merged = False
        self._skip_redo = False
        self._pending: dict[str, None] = {}
        self._pending_action: Action = "push"
        self._recording = False
        self._modified = False
        #: Told of every push, macro and index move (the journal); None: nobody.
        self.observer: HistoryObserver | None = None
        self._adopting = False
        self._macro_depth = 0
        self._macro_commands: list[Command] = []
        self._seen_index = 0
        self._unsubscribe = document.subscribe(self._on_change)
        self.stack.indexChanged.connect(self._on_index_changed)

    # ------------------------------------------------------------- actions
    def push(self, command: Command, *, step: Hashable | None = None, timed: bool = True) -> bool:
        """Do `command` and record it; False if it changed nothing (nothing is recorded).

        `step` names the gesture the push belongs to (see the module docstring): the push
        continues the open step only if that step has the same key, nothing else happened
        since and, when `timed`, the pause has not passed. `timed=False` is for gestures
        with a clear end (a slider drag: press to release), which call `checkpoint()`.
        Raises whatever `command.do()` raises, with the document unchanged.
        """
        now = self.clock()
        if step is None:
            if self._open is not None:
                self.checkpoint()  # a push from elsewhere ends the open step
        else:
            continuing = self._continues(step, now)
            if not continuing:
                self.checkpoint()
            if hasattr(command, "joinable"):  # mergeable commands carry the decision
                command.joinable = continuing
        self._pending_action = "push"
        self._recording = True
        try:
            command.do(self.document)
        finally:
            self._recording = False
        if command.is_noop():
            self._pending.clear()
            return False
        stack = self.stack
        dropping = 0 < stack.undoLimit() == stack.count() == stack.index()
        bottom = self._serial_at(1) if dropping else None
        index = stack.index()
        self._merged = False
        self._skip_redo = True
        self._in_push = True
        wrapper = UndoCommand(self, command, next(self._serials))
        try:
            stack.push(wrapper)
        finally:
            self._skip_redo = False
            self._in_push = False
        if self._merged:
            # Qt deleted the merged command inside push(), and PySide keeps its Python
            # wrapper alive for good: let it hold nothing (it held this history and,
            # through it, the whole document of every closed window).
            wrapper.release()
        if not self._merged and stack.index() == index and bottom is not None:
            self._base_serial = bottom  # the undo limit dropped the oldest command
        if step is not None and stack.index() >= index:
            self._open = _OpenStep(step, self._current_serial(), now, timed)
        elif step is not None:  # merged back to where it started: the step is gone
            self.checkpoint()
        self._seen_index = stack.index()
        if self._macro_depth:
            self._macro_commands.append(command)
        elif self.observer is not None:
            self.observer.pushed(command, self._merged, stack.index())
        self._flush()
        return True

    def checkpoint(self) -> None:
        """Start a new undo step here: nothing pushed from now on merges into the last one.

        Gestures and fields call this where a step ends that the history cannot see (the
        caret moved, a slider was pressed or released, a field got focus). Undo, redo, a
        jump and a push that belongs to no open step seal the open step by themselves.
        """
        self._open = None
        stack = self.stack
        index = stack.index()
        if index:
            top = stack.command(index - 1)
            if isinstance(top, UndoCommand):
                top.sealed = True

    def _continues(self, step: Hashable, now: float) -> bool:
        """Whether a push named `step` at time `now` continues the open step."""
        open_ = self._open
        if open_ is None or open_.key != step or self._is_sealed(open_.serial):
            return False
        if open_.serial != self._current_serial():
            return False
        return not open_.timed or now - open_.time < PAUSE_SECONDS

    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()

    def set_index(self, index: int) -> None:
        """Undo or redo until the stack is at `index` (the History panel's jump)."""
        self.stack.setIndex(index)

    @contextmanager
    def macro(self, text: str) -> Iterator[None]:
        """Group the pushes inside the block into one undo step.

        If the block raises, the steps already done are undone and dropped, then the
        exception propagates: a failed composite action leaves no trace.
        """
        stack = self.stack
        outermost = self._macro_depth == 0
        if outermost:
            self._macro_commands = []
        self._macro_depth += 1
        try:
            stack.beginMacro(text)
            try:
                yield
            except BaseException:
                stack.endMacro()
                self._drop_top_macro()
                raise
            stack.endMacro()
            top = stack.command(stack.index() - 1) if stack.index() else None
            if top is not None and top.childCount() == 0 and not isinstance(top, UndoCommand):
                self._drop_top_macro()
            elif outermost and self.observer is not None and self._macro_commands:
                self.observer.macro_pushed(text, tuple(self._macro_commands), stack.index())
        finally:
            self._macro_depth -= 1
            self._seen_index = stack.index()

    def _drop_top_macro(self) -> None:
        """Undo the macro on top and delete it, so it never shows in the history.

        QUndoStack.undo() deletes an obsolete command without calling its undo(), so the
        children are undone here first, newest first.
        """
        stack = self.stack
        if stack.index() == 0:
            return
        top = stack.command(stack.index() - 1)
        self._undo_children(top)
        top.setObsolete(True)
        stack.undo()

    def _undo_children(self, command: QUndoCommand) -> None:
        for n in reversed(range(command.childCount())):
            child = command.child(n)
            if isinstance(child, UndoCommand):
                self._run(child.command.undo, child.command, "undo")
            elif child is not None:
                self._undo_children(child)

    # ---------------------------------------------------------- saved state
    def revision(self) -> Revision:
        """The current state, sealed against merging: record it when a save starts."""
        serial = self._current_serial()
        self._sealed.add(serial)
        return Revision(serial)

    def mark_saved(self, revision: Revision | int | None = None) -> None:
        """Record that `revision` (a Revision, a stack index, or None = now) is on disk."""
        if revision is None:
            revision = self.revision()
        elif isinstance(revision, int):
            if not 0 <= revision <= self.stack.count():
                raise IndexError(f"history index {revision} out of range")
            revision = Revision(self._serial_at(revision))
        self._saved_serial = revision.serial
        self._sealed.add(revision.serial)
        if self._current_serial() == revision.serial:
            self.stack.setClean()
        else:
            self.stack.resetClean()
        self._update_modified()
        self.savedChanged.emit()

    def mark_not_on_disk(self) -> None:
        """The file no longer holds any state of this history (something else wrote it):
        every state is modified from now on, until the next save."""
        self._saved_serial = None
        self.stack.resetClean()
        self._update_modified()
        self.savedChanged.emit()

    def is_modified(self) -> bool:
        """True when the document differs from the last saved revision."""
        return self._saved_serial is None or self._current_serial() != self._saved_serial

    def saved_index(self) -> int:
        """The stack index of the saved state, or -1 when it can no longer be reached."""
        saved = self._saved_serial
        if saved is None:
            return -1
        if saved == self._base_serial:
            return 0
        stack = self.stack
        count = stack.count()
        # Serials increase along the stack, so the saved one is found by bisection.
        keys = _SerialView(self, count)
        pos = bisect.bisect_left(keys, saved)
        if pos < count and keys[pos] == saved:
            return pos + 1
        return -1

    def set_undo_limit(self, limit: int) -> None:
        """0 = unlimited. Qt only allows this on an empty stack."""
        if self.stack.count():
            raise RuntimeError("the undo limit can only change while the history is empty")
        self.stack.setUndoLimit(limit)

    def adopt(self, steps: Sequence[AdoptedStep], index: int, saved_index: int) -> None:
        """Take a rebuilt history (editor.journal) onto this empty one, running nothing.

        The document must already be in the state at `index` (steps below it done, the
        rest undone): the commands carry what they recorded when they were done.
        `saved_index` -1 means the saved state is not in this history. Nothing is
        reported to the observer (the journal already has it); no step stays open, and no
        adopted step ever merges. The stack's own signals are blocked while the steps go
        in and sent once afterwards for the final state, so views and actions already
        connected (a History panel, the undo action) catch up in one go.
        """
        stack = self.stack
        if stack.count():
            raise RuntimeError("adopt needs an empty history")
        if not 0 <= index <= len(steps) or not -1 <= saved_index <= len(steps):
            raise IndexError(f"index {index} / saved {saved_index} outside 0..{len(steps)}")
        self._adopting = True
        collecting = gc.isenabled()
        gc.disable()  # every object made here stays alive: a collection would find nothing
        # Nobody hears the 100,000 pushes one by one (each would emit six signals); the
        # stack's signals are sent once, for the final state, below.
        blocked = stack.blockSignals(True)
        try:
            push = stack.push
            serials = self._serials
            for commands, text in steps:
                if text is not None:
                    stack.beginMacro(text)
                for command in commands:
                    push(UndoCommand(self, command, next(serials)))
                if text is not None:
                    stack.endMacro()
            stack.setIndex(index)
        finally:
            stack.blockSignals(blocked)
            self._adopting = False
            if collecting:  # what editor.journal's paused_gc does: see settle_gc there
                gc.freeze()
                gc.unfreeze()
                gc.enable()
        self._sealed_upto = self._serial_at(len(steps))  # the adopted steps never merge
        self._open = None
        self._seen_index = stack.index()
        self._saved_serial = None if saved_index < 0 else self._serial_at(saved_index)
        if saved_index == index:
            stack.setClean()
        else:
            stack.resetClean()
        self._announce()
        self._update_modified()
        self.savedChanged.emit()

    def _announce(self) -> None:
        """Send the stack's signals for its current state (after adopting silently)."""
        stack = self.stack
        stack.indexChanged.emit(stack.index())
        stack.cleanChanged.emit(stack.isClean())
        stack.canUndoChanged.emit(stack.canUndo())
        stack.canRedoChanged.emit(stack.canRedo())
        stack.undoTextChanged.emit(stack.undoText())
        stack.redoTextChanged.emit(stack.redoText())

    def clear(self) -> None:
        """Forget all history; the current state becomes the saved one only if it was."""
        was_clean = not self.is_modified()
        self._base_serial = next(self._serials)
        self._in_push = True  # not a move the observer should replay
        try:
            self.stack.clear()
        finally:
            self._in_push = False
        self._seen_index = 0
        if self.observer is not None:
            self.observer.moved("clear", 0)
        self._saved_serial = self._base_serial if was_clean else None
        self._update_modified()
        self.savedChanged.emit()

    def close(self) -> None:
        """Detach from the document (the window is closing)."""
        self._unsubscribe()

    def __del__(self) -> None:
        """Empty the stack while every object in it is still whole.

        A History without a Qt parent dies with its Python object, often as cyclic
        garbage (it and its document refer to each other). The collector runs this
        before it breaks any reference in the cycle; without it, the C++ QUndoStack was
        deleted after some of its commands' wrappers had been torn down, and freeing
        those commands again crashed the process (seen in a test's teardown).
        """
        try:
            self.stack.blockSignals(True)
            self.stack.clear()
        except (RuntimeError, AttributeError):  # already deleted by its Qt parent
            pass

    # ------------------------------------------------------------ internals
    def _is_sealed(self, serial: int) -> bool:
        return serial <= self._sealed_upto or serial in self._sealed

    def _serial_at(self, index: int) -> int:
        """The serial of the state at stack `index` (after command index-1)."""
        if index == 0:
            return self._base_serial
        command = self.stack.command(index - 1)
        if isinstance(command, UndoCommand):
            return command.serial
        return _macro_serial(command)

    def _current_serial(self) -> int:
        return self._serial_at(self.stack.index())

    def _run(self, fn: _Apply, command: Command, action: Action) -> None:
        """Run command.do/undo for the stack, recording touched ids, containing errors."""
        self._pending_action = action
        self._recording = True
        try:
            fn(self.document)
        except Exception as exc:  # a bug in a command: report it, never lose it
            log.exception("%s of %r failed", action, command.text)
            self.failed.emit(exc)
        finally:
            self._recording = False

    def _on_change(self, change: Change) -> None:
        if not self._recording:
            return
        for shape_id in change.removed:
            self._pending.pop(shape_id, None)
        for shape_id in change.touched():
            self._pending[shape_id] = None

    def _on_index_changed(self, index: int) -> None:
        if self._adopting:
            return
        if not self._in_push:  # undo, redo, a jump, a macro closing: the open step ends
            self.checkpoint()
            if not self._macro_depth and index != self._seen_index:
                seen, self._seen_index = self._seen_index, index
                if self.observer is not None:
                    kind = "undo" if index == seen - 1 else "redo" if index == seen + 1 else "jump"
                    self.observer.moved(kind, index)
        self._flush()

    def _flush(self) -> None:
        if self._pending or self._pending_action != "push":
            ids = tuple(self._pending)
            self._pending.clear()
            self.touched.emit(ids, self._pending_action)
            self._pending_action = "push"
        self._update_modified()

    def _update_modified(self) -> None:
        modified = self.is_modified()
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)


def _macro_serial(command: QUndoCommand) -> int:
    """A macro's serial is the serial of its last child (macros are sealed on close)."""
    last = command.child(command.childCount() - 1)
    while last is not None and not isinstance(last, UndoCommand):
        last = last.child(last.childCount() - 1)
    return last.serial if isinstance(last, UndoCommand) else -1


class _SerialView:
    """Read-only sequence of the serials on the stack, for bisection."""

    def __init__(self, history: History, count: int) -> None:
        self._history = history
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i: int) -> int:
        return self._history._serial_at(i + 1)
