"""The .strata file format: JSON, version 1 (docs/format.md). No Qt.

Loading is for untrusted input: it never crashes, never hangs, never touches the open
document (it returns a new Snapshot) and turns every problem into one `FormatError` whose
text says where the problem is: `shapes[3].width: expected a number >= 0`.

Typed decoding is msgspec's: the model's Structs are the schema, so validation and model
building are one pass (100,000 shapes in well under a second). This module only adds the
checks a schema cannot express (format name, version, unique ids) and rewrites msgspec's
messages into the editor's wording.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import msgspec
from msgspec import UNSET, Raw, Struct, UnsetType

from editor.io.atomic import OS_FILE_OPS, Check, FileOps, write_atomic
from editor.model import Page, Shape, Snapshot

FORMAT_NAME: Final = "strata"
FORMAT_VERSION: Final = 1
#: Files larger than this are refused before being read.
MAX_FILE_SIZE: Final = 200 * 1024 * 1024
#: Shapes per encoded chunk: small enough that a worker thread releases the GIL often.
ENCODE_CHUNK: Final = 5000


class FormatError(ValueError):
    """A file is not a valid Strata document. `str()` is one line: "where: what"."""

    def __init__(self, message: str, location: str | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class _Envelope(Struct):
    format: Raw | UnsetType = UNSET
    version: Raw | UnsetType = UNSET
    page: Raw | UnsetType = UNSET
    shapes: Raw | UnsetType = UNSET


_page_decoder = msgspec.json.Decoder(Page)
_shapes_decoder = msgspec.json.Decoder(list[Shape])
_envelope_decoder = msgspec.json.Decoder(_Envelope)
_encoder = msgspec.json.Encoder()


# ---------------------------------------------------------------- reading
def read_file(path: str | os.PathLike[str], max_size: int = MAX_FILE_SIZE) -> bytes:
    """Read a file's bytes, refusing directories, special files and files over the cap."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise FormatError("no such file") from None
    except PermissionError:
        raise FormatError("permission denied") from None
    except OSError as exc:
        raise FormatError(f"cannot open: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise FormatError("is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise FormatError("is not a regular file")  # a FIFO or device could block forever
    if st.st_size > max_size:
        raise FormatError(f"file is too large ({_mb(st.st_size)}; the limit is {_mb(max_size)})")
    try:
        with p.open("rb") as f:
            data = f.read(max_size + 1)
    except PermissionError:
        raise FormatError("permission denied") from None
    except OSError as exc:
        raise FormatError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_size:  # it grew after stat()
        raise FormatError(f"file is too large (the limit is {_mb(max_size)})")
    return data


def load(path: str | os.PathLike[str], max_size: int = MAX_FILE_SIZE) -> Snapshot:
    """Read and validate a .strata file. Raises FormatError; never returns a partial result."""
    return decode(read_file(path, max_size))


def decode(data: bytes) -> Snapshot:
    """Validate and decode a document from bytes."""
    if not data:
        raise FormatError("the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte order mark, as some editors write
    if not data.strip():
        raise FormatError("the file contains only whitespace")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = _line_col(data, exc.start)
        raise FormatError("bytes that are not valid UTF-8 (is this a text file?)", where) from None

    env = _decode_json(_envelope_decoder.decode, data, "")
    fmt = _field(env.format, "format", "this is not a Strata file")
    if fmt != FORMAT_NAME:
        raise FormatError(
            f"expected {FORMAT_NAME!r}, got {_short(fmt)} (not a Strata file)", "format"
        )
    version = _field(env.version, "version", "required")
    if isinstance(version, bool) or not isinstance(version, int):
        raise FormatError(f"expected an integer, got {_json_kind(version)}", "version")
    if version > FORMAT_VERSION:
        raise FormatError(
            f"this file was made by a newer version of Strata (format version {version}); "
            f"this Strata reads version {FORMAT_VERSION}: please update Strata",
            "version",
        )
    if version < 1:
        raise FormatError(f"unsupported format version {version}", "version")
    if isinstance(env.page, UnsetType):
        raise FormatError('missing required field "page"', "top level")
    if isinstance(env.shapes, UnsetType):
        raise FormatError('missing required field "shapes"', "top level")
    page = _decode_json(_page_decoder.decode, env.page, "page")
    shapes = _decode_json(_shapes_decoder.decode, env.shapes, "shapes")
    seen: dict[str, int] = {}
    for n, shape in enumerate(shapes):
        first = seen.setdefault(shape.id, n)
        if first != n:
            raise FormatError(
                f"duplicate id {shape.id!r} (already used by shapes[{first}])", f"shapes[{n}].id"
            )
    return Snapshot(page, tuple(shapes))


def _field(raw: Raw | UnsetType, name: str, missing: str) -> Any:
    if isinstance(raw, UnsetType):
        raise FormatError(f'missing required field "{name}" ({missing})', "top level")
    return _decode_json(msgspec.json.decode, raw, name)


def _decode_json(decode: Callable[[Any], Any], data: Any, root: str) -> Any:
    """Run a msgspec decode, translating its errors into located FormatErrors."""
    try:
        return decode(data)
    except msgspec.ValidationError as exc:
        raise _validation_error(str(exc), root, data) from None
    except msgspec.DecodeError as exc:
        raise _syntax_error(str(exc), bytes(data)) from None
    except RecursionError:
        raise FormatError("JSON nested too deeply", root or "top level") from None


def _syntax_error(message: str, data: bytes) -> FormatError:
    if "truncated" in message:
        return FormatError(
            "unexpected end of file (the JSON is truncated)", _line_col(data, len(data))
        )
    match = re.search(r"JSON is malformed: (.*) \(byte (\d+)\)", message)
    if not match:
        return FormatError(f"invalid JSON: {message}")
    what, offset = match.group(1), int(match.group(2))
    if what == "trailing characters":
        text = "unexpected data after the end of the document"
    elif (offset < len(data) and data[offset : offset + 3] in (b"NaN", b"Inf")) or (
        data[offset : offset + 4] == b"-Inf"
    ):
        text = "NaN and Infinity are not allowed in JSON"
    else:
        text = f"invalid JSON ({what})"
    return FormatError(text, _line_col(data, offset))


_MSGSPEC_TYPES = {
    "float": "a number",
    "int": "an integer",
    "str": "a string",
    "object": "an object",
    "array": "an array",
    "null": "null",
    "bool": "true or false",
}


def _validation_error(message: str, root: str, data: Any) -> FormatError:
    text, sep, where = message.rpartition(" - at `$")
    if not sep:
        text, where = message, "`"
    path = where.rstrip("`")
    location = (root + path) if root else (path.lstrip(".") or "top level")
    location = location or "top level"
    text = re.sub(r"`(\w+)`", lambda m: _MSGSPEC_TYPES.get(m.group(1), m.group(1)), text)
    text = re.sub(r"(\d+)\.0\b", r"\1", text)  # ">= 0.0" reads better as ">= 0"
    if text.startswith("Object missing required field"):
        field = text.rsplit(" ", 1)[-1]
        return FormatError(f'missing required field "{field}"', location or "top level")
    if text.startswith("Invalid value") and location.endswith(".type"):
        return FormatError(
            f"unknown shape type {text.removeprefix('Invalid value ')} "
            "(expected rect, ellipse, line or text)",
            location,
        )
    if "matching regex" in text:
        value = _value_at(data, path)
        got = f", got {_short(value)}" if value is not None else ""
        return FormatError(f'expected a colour "#rrggbb" or "#rrggbbaa"{got}', location)
    if text == "Number out of range":
        return FormatError("number out of range", location)
    if " of length >= 1" in text:
        return FormatError("expected a non-empty string", location)
    return FormatError(text[:1].lower() + text[1:], location)


def _value_at(data: Any, path: str) -> Any:
    """The JSON value at a msgspec path like ".[3].fill" (only used to word an error)."""
    try:
        value: Any = msgspec.json.decode(data)
        for key in re.findall(r"\[(\d+)\]|\.(\w+)", path):
            value = value[int(key[0])] if key[0] else value[key[1]]
    except (msgspec.DecodeError, LookupError, TypeError, RecursionError):
        return None
    return value


_JSON_KINDS: Final[dict[type, str]] = {
    int: "an integer",
    float: "a number",
    str: "a string",
    dict: "an object",
    list: "an array",
}


def _line_col(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return _JSON_KINDS.get(type(value), type(value).__name__)


def _short(value: object) -> str:
    text = repr(value) if isinstance(value, str) else _json_kind(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


# ---------------------------------------------------------------- writing
def iter_encode(snapshot: Snapshot, chunk: int = ENCODE_CHUNK) -> Iterator[bytes]:
    """Encode a document as JSON in pieces of at most `chunk` shapes.

    A save job runs this in a worker thread: each msgspec call holds the GIL, so small
    chunks keep the GUI thread responsive (one call on 100,000 shapes stalls it ~45 ms).
    One shape per line keeps files friendly to diff and version control.
    """
    page = _encoder.encode(snapshot.page)
    yield b'{"format": "strata", "version": 1,\n "page": ' + page + b',\n "shapes": ['
    shapes = snapshot.shapes
    for start in range(0, len(shapes), chunk):
        body = _encoder.encode(shapes[start : start + chunk])[1:-1]
        body = body.replace(b'},{"type":', b'},\n  {"type":')
        yield (b"\n  " if start == 0 else b",\n  ") + body
    yield b"\n]}\n" if shapes else b"]}\n"


def encode(snapshot: Snapshot) -> bytes:
    """The whole document as bytes (see iter_encode)."""
    return b"".join(iter_encode(snapshot))


def save(
    path: str | os.PathLike[str],
    snapshot: Snapshot,
    *,
    ops: FileOps = OS_FILE_OPS,
    check: Check | None = None,
) -> Path:
    """Write a document atomically (see editor.io.atomic). Returns the real path written."""
    return write_atomic(path, iter_encode(snapshot), ops=ops, check=check)
