"""`strata recover` and `strata history`: the journal from the command line.

    strata recover --list              one line per document a crashed Strata left unsaved
    strata recover FILE -o OUT.strata  write FILE's recovered state to OUT (atomically)
    strata recover --discard FILE      drop FILE's recovery (a file keeps its saved history)
    strata history FILE [--json]       the history kept for FILE, one line per step; --json:
                                       the steps' command envelopes in order (what
                                       `strata replay` reads)

FILE is the document's path, or for an untitled document the id `--list` prints. Exit
codes like `strata check`: 0 success, 1 nothing to recover / no history / the output could
not be written (one line on stderr), 2 usage error. The journal is the one the window
uses (QStandardPaths' AppDataLocation; XDG_DATA_HOME moves it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from editor.journal import DocumentInfo, Journal

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
COMMANDS = ("recover", "history")


def add_parsers(sub: Any) -> None:
    """Add `recover` and `history` to the `strata` subcommand parser."""
    recover = sub.add_parser("recover", help="list, write out or discard crash recoveries")
    recover.add_argument("file", nargs="?", help="the document (its path, or an id from --list)")
    recover.add_argument("-o", "--output", help="write the recovered document to OUT.strata")
    recover.add_argument("--list", action="store_true", help="list recoverable documents")
    recover.add_argument("--discard", action="store_true", help="drop FILE's recovery")
    history = sub.add_parser("history", help="print the history kept for a document")
    history.add_argument("file", help="the .strata document")
    history.add_argument("--json", action="store_true", help="command envelopes as JSON")


def run(ns: argparse.Namespace) -> int:
    if ns.command == "recover":
        return cmd_recover(ns.file, ns.output, ns.list, ns.discard)
    return cmd_history(ns.file, ns.json)


def _fail(command: str, message: str, code: int = EXIT_FAILED) -> int:
    print(f"strata {command}: error: {message}", file=sys.stderr)
    return code


def _open() -> Journal:
    from editor.app import journal_path  # noqa: PLC0415
    from editor.journal import Journal  # noqa: PLC0415

    return Journal(journal_path())


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def _find(journal: Journal, file: str, infos: list[DocumentInfo]) -> DocumentInfo | None:
    resolved = str(Path(file).expanduser().resolve())
    for info in infos:
        if info.id == file or (len(file) >= 8 and info.id.startswith(file)):
            return info
        if info.path == resolved:
            return info
    return None


def cmd_recover(file: str | None, output: str | None, listing: bool, discard: bool) -> int:
    if listing and (file or output or discard):
        return _fail("recover", "--list takes no FILE, -o or --discard", EXIT_USAGE)
    if not listing and not file:
        return _fail("recover", "give --list, or FILE with -o OUT.strata or --discard",
                     EXIT_USAGE)  # fmt: skip
    if file and bool(output) == discard:
        return _fail("recover", "give FILE either -o OUT.strata or --discard", EXIT_USAGE)
    if output and Path(output).suffix.lower() != ".strata":
        return _fail("recover", f"OUT must be a .strata file, not {output!r}", EXIT_USAGE)
    journal = _open()
    try:
        if not journal.readable:
            return _fail("recover", f"recovery data is unavailable: {journal.problem}")
        infos = journal.recoverable()
        if listing:
            for each in infos:
                where = each.path or "(untitled)"
                n = each.steps
                print(f"{each.id[:12]}  {each.title}  {where}  {n} unsaved change"
                      f"{'' if n == 1 else 's'}  last change {_when(each.last_time)}")  # fmt: skip
            return EXIT_OK
        assert file is not None
        info = _find(journal, file, infos)
        if info is None:
            return _fail("recover", f"nothing to recover for {file}")
        if discard:
            if info.path is not None:
                journal.set_state(info.id, "closed")
            else:
                journal.forget(info.id)
            journal.flush()
            print(f"discarded the recovery of {info.title}")
            return EXIT_OK
        assert output is not None
        return _write(journal, info, Path(output))
    finally:
        journal.close()


def _write(journal: Journal, info: DocumentInfo, output: Path) -> int:
    from editor.io.format import save  # noqa: PLC0415
    from editor.journal import RebuildError  # noqa: PLC0415

    try:
        rebuilt = journal.load(info.id)
    except RebuildError as exc:
        return _fail("recover", f"{info.title}: the recovery data does not apply: {exc}")
    try:
        written = save(output, rebuilt.document.snapshot())
    except OSError as exc:
        return _fail("recover", f"{output} was not written: {exc.strerror or exc}")
    n = len(rebuilt.document)
    print(f"wrote {written} ({n} shape{'' if n == 1 else 's'}, {info.steps} unsaved change"
          f"{'' if info.steps == 1 else 's'} recovered)")  # fmt: skip
    return EXIT_OK


def cmd_history(file: str, as_json: bool) -> int:
    journal = _open()
    try:
        if not journal.readable:
            return _fail("history", f"recovery data is unavailable: {journal.problem}")
        path = str(Path(file).expanduser().resolve())
        infos = journal.documents(path=path)
        if not infos:
            return _fail("history", f"no history kept for {file}")
        from editor.journal import RebuildError  # noqa: PLC0415

        try:
            current = journal.load(infos[0].id)
        except RebuildError as exc:
            return _fail("history", f"{file}: the history does not apply: {exc}")
        if as_json:
            envelopes = [c.to_json() for step in current.steps[: current.index]
                         for c in step.commands]  # fmt: skip
            print(json.dumps(envelopes, indent=1))
            return EXIT_OK
        _print_history(infos[0], current)
        for older in infos[1:]:
            try:
                rebuilt = journal.load(older.id)
            except RebuildError:
                continue
            why = "the file changed elsewhere" if older.state == "set_aside" else older.state
            print(f"# earlier history ({why}), since {_when(older.created)}:")
            _print_history(older, rebuilt)
        return EXIT_OK
    finally:
        journal.close()


def _print_history(info: DocumentInfo, rebuilt: Any) -> None:
    for n, step in enumerate(rebuilt.steps, 1):
        marks = []
        if n == rebuilt.saved_index:
            marks.append("saved")
        if n > rebuilt.index:
            marks.append("undone")
        tail = f"  ({', '.join(marks)})" if marks else ""
        print(f"{n}  {step.label()}  {_when(step.time)}{tail}")
