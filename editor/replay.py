"""`strata replay COMMANDS.json DOC.strata -o OUT.strata [--dry-run] [--from-offset N]`.

COMMANDS.json is a JSON array of command envelopes (`{"type", "payload"}`, docs/commands.md),
the same envelopes `Command.to_json()` writes. Each is decoded through the registry and
done, in order, on a document loaded from DOC; OUT is written atomically at the end, and
only if every command applied. Nothing here needs Qt: commands run on a plain `Document`
(the output does not depend on how the history would merge them).

`--from-offset N` skips the first N commands: DOC is then taken to be the state after them
(resuming a batch that stopped). Indices in every message count from 0 over the whole file,
so "command 7 failed" means the file's eighth envelope whatever the offset.

Exit codes as the rest of the command line: 0 written (or, with --dry-run, every command
applied), 1 a file or a command failed (one line on stderr naming the command, what is
wrong and how to resume; nothing is written), 2 usage.

This module owns the subcommand (its arguments and its run) so that `editor.cli` only
lists it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

if TYPE_CHECKING:  # the rest is imported when the subcommand runs: `strata --help` stays fast
    from editor.commands import Command
    from editor.model import Document

NAME: Final = "replay"
EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2

#: The longest problem text a failure line quotes (the resume hint comes after it).
MAX_PROBLEM: Final = 160


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `replay` to the `strata` subcommands."""
    parser = sub.add_parser(
        NAME,
        help="apply a JSON array of commands to a document",
        description=(
            "Apply the command envelopes in COMMANDS.json, in order, to DOC and write the "
            "result to OUT atomically (only if every command applied). Envelopes are "
            "documented in docs/commands.md."
        ),
    )
    parser.add_argument("commands", metavar="COMMANDS.json", help="a JSON array of commands")
    parser.add_argument("document", metavar="DOC.strata", help="the document to start from")
    parser.add_argument("-o", "--output", metavar="OUT.strata", help="the document to write")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="apply to a copy in memory, print one line per command, write nothing",
    )
    parser.add_argument(
        "--from-offset",
        metavar="N",
        type=_offset,
        default=0,
        help="skip the first N commands (DOC already has them: resume a stopped batch)",
    )


def _offset(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


class ReplayError(Exception):
    """A replay cannot go on; `str()` is the one line to print."""


@dataclass(frozen=True, slots=True)
class Step:
    """One command applied: its index in the file and the command (after `do`)."""

    index: int
    command: Command

    def line(self) -> str:
        """ "3  move_shapes  Move 2 Shapes" (the label after `do`, as History shows it)."""
        from editor.io.format import one_line  # noqa: PLC0415

        return f"{self.index}  {self.command.type_name}  {one_line(self.command.text)}"


def replay(envelopes: list[object], doc: Document, start: int = 0) -> Iterator[Step]:
    """Decode and do each envelope from index `start` on `doc`, yielding each step.

    Raises ReplayError at the first envelope that does not decode or does not apply; the
    document may then hold the earlier commands (callers that must not keep them work on
    a copy, as `run` does).
    """
    from editor.commands import CommandError, command_from_json  # noqa: PLC0415
    from editor.model import UnknownShapeError  # noqa: PLC0415

    for index in range(start, len(envelopes)):
        try:
            command = command_from_json(envelopes[index])
        except CommandError as exc:
            raise _failed(index, str(exc)) from None
        try:
            command.do(doc)
        except (CommandError, UnknownShapeError, ValueError) as exc:
            raise _failed(index, f"{command.type_name}: {exc}") from None
        yield Step(index, command)


def _failed(index: int, problem: str) -> ReplayError:
    from editor.io.format import one_line  # noqa: PLC0415

    return ReplayError(
        f"command {index}: {one_line(problem, MAX_PROBLEM)}; "
        f"fix it, or resume after it with --from-offset {index + 1}"
    )


def read_commands(path: str) -> list[object]:
    """The envelopes of a commands file (each still unchecked), or FormatError."""
    from editor.io.format import FormatError, decode_array, decode_value, read_file  # noqa: PLC0415

    envelopes = []
    for index, item in enumerate(decode_array(read_file(path), "commands")):
        try:
            envelopes.append(decode_value(item))
        except FormatError as exc:
            raise FormatError(exc.message, f"command {index}") from None
    return envelopes


def run(ns: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """The subcommand: exit 0, 1 with one line on `err`, or 2 for usage."""
    from editor.io.format import FormatError, load  # noqa: PLC0415
    from editor.model import Document  # noqa: PLC0415

    def say(line: str) -> None:
        print(f"strata replay: error: {line}", file=err)

    if ns.output is None and not ns.dry_run:
        say("-o OUT.strata is required (or --dry-run to write nothing)")
        return EXIT_USAGE
    try:
        envelopes = read_commands(ns.commands)
    except FormatError as exc:
        say(f"{ns.commands}: {_as_command(str(exc))}")
        return EXIT_FAILED
    if ns.from_offset > len(envelopes):
        n = len(envelopes)
        say(f"--from-offset {ns.from_offset} is past the end of {ns.commands} ({n} commands)")
        return EXIT_USAGE
    try:
        snapshot = load(ns.document)
    except FormatError as exc:
        say(f"{ns.document}: {exc}")
        return EXIT_FAILED
    doc = Document(snapshot.page, snapshot.shapes)
    try:
        for step in replay(envelopes, doc, ns.from_offset):
            if ns.dry_run:
                print(step.line(), file=out)
    except ReplayError as exc:
        say(str(exc))
        return EXIT_FAILED
    if ns.dry_run:
        return EXIT_OK
    return _write(ns.output, doc, say, out)


def _write(output: str, doc: Document, say: Callable[[str], None], out: TextIO) -> int:
    from editor.io.format import save  # noqa: PLC0415

    try:
        written = save(output, doc.snapshot())
    except OSError as exc:
        from editor.io.failures import describe  # noqa: PLC0415 (imports the job layer)

        say(f"{output} was not written: {describe(exc, Path(output), 'cli')}")
        return EXIT_FAILED
    print(f"wrote {written}", file=out)
    return EXIT_OK


_INDEXED: Final = re.compile(r"^\[(\d+)\]\.?")


def _as_command(message: str) -> str:
    """ "[3].payload: duplicate key" reads "command 3: payload: duplicate key"."""
    return _INDEXED.sub(lambda m: f"command {m.group(1)}: ", message, count=1).replace(": : ", ": ")
