"""The `strata` command line.

    strata [FILE]                 open the editor window (on FILE)
    strata check FILE             validate a document: "ok: 4 shapes" or one error line
    strata export FILE -o OUT     render to PNG, SVG or PDF through the job queue

Exit codes: 0 success, 1 the file or the job failed (one line on stderr, no traceback),
2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from editor import __version__

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="strata", description="Strata: a text-and-shape editor you can trust with Ctrl+Z."
    )
    parser.add_argument("--version", action="version", version=f"strata {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser("check", help="validate a .strata document")
    check.add_argument("file", help="the document to check")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    try:
        ns = parser.parse_args(args)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if ns.command == "check":
        return cmd_check(ns.file)
    parser.print_usage(sys.stderr)
    print(
        "strata: error: the editor window is not available yet; try 'strata check FILE'",
        file=sys.stderr,
    )
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
