"""The `strata` command line.

    strata [FILE]                          open the editor window (on FILE)
    strata check FILE                      validate a document: "ok: 4 shapes" or one error
    strata export FILE -o OUT [--scale S]  render to PNG, SVG or PDF through the job queue
    strata replay COMMANDS.json DOC -o OUT apply command envelopes to a document
                                           (editor/replay.py; --dry-run, --from-offset N)
    strata recover --list | FILE -o OUT | --discard FILE   crash recovery (cli_journal.py)
    strata history FILE [--json]           the history kept for a document (cli_journal.py)
    strata jobs [--dead] [--json]          stored jobs; `jobs retry ID|--all`, `jobs discard
                                           ID|--all` act on dead letters (cli_jobs.py)

Exit codes: 0 success, 1 the file or the job failed (one line on stderr, no traceback),
2 usage error.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from editor import __version__, replay
from editor.cli_jobs import COMMANDS as JOBS_COMMANDS
from editor.cli_jobs import add_parsers as add_jobs_parsers
from editor.cli_jobs import run as run_jobs
from editor.cli_journal import COMMANDS as JOURNAL_COMMANDS
from editor.cli_journal import add_parsers as add_journal_parsers
from editor.cli_journal import run as run_journal

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

SUBCOMMANDS = ("check", "export", replay.NAME, *JOURNAL_COMMANDS, *JOBS_COMMANDS)


def _commands_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="strata",
        description="Strata: a text-and-shape editor you can trust with Ctrl+Z.",
        epilog="Run 'strata [FILE]' to open the editor window.",
    )
    parser.add_argument("--version", action="version", version=f"strata {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    check = sub.add_parser("check", help="validate a .strata document")
    check.add_argument("file", help="the document to check")
    export = sub.add_parser("export", help="export a document to PNG, SVG or PDF")
    export.add_argument("file", help="the .strata document")
    export.add_argument("-o", "--output", required=True, help="OUT.png, OUT.svg or OUT.pdf")
    export.add_argument("--scale", type=float, default=1.0, help="PNG pixels per unit")
    export.add_argument("--timeout", type=float, default=120.0, help="seconds per attempt")
    export.add_argument("-v", "--verbose", action="store_true", help="print job log lines")
    replay.add_parser(sub)
    add_journal_parsers(sub)
    add_jobs_parsers(sub)
    return parser


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="strata",
        usage=(
            "strata [-h] [--version] [FILE] | strata {check,export,replay,recover,history,jobs} ..."
        ),
        description="Open the Strata editor window.",
        epilog=(
            "Commands: 'strata check FILE', 'strata export FILE -o OUT', "
            "'strata replay COMMANDS.json DOC -o OUT', 'strata recover --list', "
            "'strata history FILE', 'strata jobs [--dead]'."
        ),
    )
    parser.add_argument("--version", action="version", version=f"strata {__version__}")
    parser.add_argument("file", nargs="?", help="a .strata document to open")
    return parser


def cmd_check(path: str) -> int:
    """Validate a document; print a summary or exactly one error line."""
    from editor.io.format import FormatError, load  # noqa: PLC0415 (keeps --help fast)

    try:
        snapshot = load(path)
    except FormatError as exc:
        print(f"strata: error: {path}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    n = len(snapshot.shapes)
    print(f"ok: {n} shape{'' if n == 1 else 's'}")
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"strata export: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def cmd_export(path: str, output: str, scale: float, timeout: float, verbose: bool) -> int:
    """Export through the same job queue and retry policy as the window.

    Every way this can go wrong is one line on stderr: exit 2 for a request that can
    never succeed (an option's value, a scale that makes an impossible image), exit 1 for
    a file that cannot be read or a job that failed (the job log keeps the details).
    """
    from editor.io.export import FORMATS  # noqa: PLC0415

    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        return _usage(
            f"unknown output format {Path(output).suffix or '(none)'!r}"
            f" for {output}: use .png, .svg or .pdf"
        )
    if not (math.isfinite(scale) and scale > 0):
        return _usage("--scale must be a positive number")
    from editor.jobs.retry import MAX_SECONDS, check_seconds  # noqa: PLC0415

    try:
        check_seconds("--timeout", timeout)
    except ValueError:
        return _usage(f"--timeout must be a number of seconds > 0 and at most {MAX_SECONDS:g}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # rendering needs no display
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415

    from editor.io.format import FormatError, load  # noqa: PLC0415
    from editor.io.tasks import ExportJob, ExportResult  # noqa: PLC0415
    from editor.jobs import InvalidInput, JobLog, JobQueue, JobState  # noqa: PLC0415

    try:
        snapshot = load(path)
    except FormatError as exc:
        print(f"strata: error: {path}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        job = ExportJob(snapshot, output, suffix, scale, action="cli")
    except InvalidInput as exc:  # a scale or page that makes an impossible image
        return _usage(str(exc))
    from editor.cli_jobs import close_store, open_store  # noqa: PLC0415
    from editor.ui.job_history import queue_options  # noqa: PLC0415

    app = QGuiApplication.instance() or QGuiApplication(["strata"])
    # The window's job store: a failed export stays a dead letter there, to retry later
    # from the window's Jobs panel or with `strata jobs retry`.
    journal, history = open_store()
    queue = JobQueue(timeout=timeout, log=JobLog(stderr=verbose), **queue_options(history))
    try:
        job_id = queue.submit(job)
        queue.wait_until_idle(timeout=timeout * 10 + 60)
        record = queue.record(job_id)
    finally:
        queue.shutdown(timeout=5)
        close_store(journal, history)  # after the queue: its last states are written
    del app
    if record.state is JobState.SUCCEEDED and isinstance(record.result, ExportResult):
        print(f"wrote {record.result.path}")
        return EXIT_OK
    error = record.last_error
    if error is None:
        why = f"the job ended {record.state.value}"
    else:  # the plain words (editor.io.failures); the log has type, errno and traceback
        why = error.summary or error.message or error.type
    attempts = f"{record.attempts} attempt{'s' if record.attempts != 1 else ''}"
    kept = ""
    if record.state is JobState.DEAD and history.store is not None:
        kept = (f" Kept as job {job_id}: retry it with 'strata jobs retry {job_id}' or from "
                "the Jobs panel.")  # fmt: skip
    print(f"strata export: error: {output} was not written ({attempts}): {why}{kept}",
          file=sys.stderr)  # fmt: skip
    return EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if (args and args[0] in SUBCOMMANDS) or args[:1] in (["-h"], ["--help"]):
            ns = _commands_parser().parse_args(args)
        else:
            ns = _window_parser().parse_args(args)
            ns.command = None
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if ns.command == "check":
        return cmd_check(ns.file)
    if ns.command == "export":
        return cmd_export(ns.file, ns.output, ns.scale, ns.timeout, ns.verbose)
    if ns.command == replay.NAME:
        return replay.run(ns)
    if ns.command in JOURNAL_COMMANDS:
        return run_journal(ns)
    if ns.command in JOBS_COMMANDS:
        return run_jobs(ns)
    from editor.app import run  # noqa: PLC0415

    return run(ns.file)


if __name__ == "__main__":
    sys.exit(main())
