"""The .strata file format: JSON, versions 1 and 2 (docs/format.md). No Qt.

Loading is for untrusted input: it never crashes, never hangs, never touches the open
document (it returns a new Snapshot) and turns every problem into one `FormatError` whose
text says where the problem is: `shapes[3].width: expected a number >= 0`.

Typed decoding is msgspec's: the model's Structs are the schema, so validation and model
building are one pass (100,000 shapes in well under a second). This module only adds the
checks a schema cannot express (format name, version, unique ids) and rewrites msgspec's
messages into the editor's wording.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import msgspec
from msgspec import UNSET, Raw, Struct, UnsetType

from editor.io.atomic import OS_FILE_OPS, Check, FileOps, write_atomic
from editor.model import Page, Shape, Snapshot, Text
from editor.model.kinds import KINDS, VERSIONED
from editor.model.points import MAX_POINTS, MIN_POINTS

FORMAT_NAME: Final = "strata"
FORMAT_VERSION: Final = 2
#: Files larger than this are refused before being read.
MAX_FILE_SIZE: Final = 200 * 1024 * 1024
#: Shapes per encoded chunk: small enough that a worker thread releases the GIL often.
ENCODE_CHUNK: Final = 5000


#: The longest location and message a FormatError prints (values in them are truncated
#: first, by `_short`; this is the last line of defence).
MAX_LOCATION = 100
MAX_MESSAGE = 180


class FormatError(ValueError):
    """A file is not a valid Strata document. `str()` is one line: "where: what".

    Whatever reaches it, the text is one line of printable characters of bounded length:
    a file must not be able to put a newline, an escape sequence or a bidi override on
    the person's terminal or in a dialog.
    """

    def __init__(self, message: str, location: str | None = None) -> None:
        self.message = _one_line(message, MAX_MESSAGE)
        self.location = _one_line(location, MAX_LOCATION) if location else location
        text = f"{self.location}: {self.message}" if self.location else self.message
        super().__init__(text)


def _one_line(text: str, limit: int) -> str:
    """Escape what is not printable (as repr does) and cut to `limit` characters."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


def _json_text(data: bytes) -> bytes:
    """The bytes of a JSON text: not empty, UTF-8, without a byte order mark."""
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
    return data


_array_decoder = msgspec.json.Decoder(list[Raw])


def decode_array(data: bytes, what: str) -> list[Raw]:
    """Decode a JSON array (the elements left raw) with the loader's located errors.

    For other files Strata reads, such as `strata replay`'s commands: the same checks
    as a document (UTF-8, syntax with line and column, nesting depth, no repeated key
    in any object), then "top level: expected an array of {what}, got an object".
    """
    data = _json_text(data)
    try:
        items = _array_decoder.decode(data)
    except msgspec.ValidationError:
        kind = _json_kind(_value_at(data, ""))
        raise FormatError(f"expected an array of {what}, got {kind}", "top level") from None
    except msgspec.DecodeError as exc:
        raise _syntax_error(str(exc), data) from None
    except RecursionError:
        raise FormatError("JSON nested too deeply", "top level") from None
    _find_duplicate_key(data)
    return items


def decode_value(raw: Raw | bytes) -> Any:
    """One raw JSON value (from `decode_array`) as builtins."""
    try:
        return msgspec.json.decode(raw)
    except RecursionError:
        raise FormatError("JSON nested too deeply") from None


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """Text from a file made safe for one terminal line: escaped and cut to `limit`."""
    return _one_line(text, limit)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The cyclic collector off while a document's shapes are decoded: it ran again and
    again over the growing heap of new shapes and point tuples (none of which can form
    a cycle), a third of the decode of 1.1 million points (0.48-0.72 s -> 0.39 s). As
    the scene's build does: put back only if it was on (another thread may have it
    off; whichever ends last with it on leaves it on)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def decode(data: bytes) -> Snapshot:
    """Validate and decode a document from bytes."""
    data = _json_text(data)
    env = _decode_json(_envelope_decoder.decode, data, "")
    fmt = _field(env.format, "format", "this is not a Strata file")
    if fmt != FORMAT_NAME:
        raise FormatError(
            f"expected {FORMAT_NAME!r}, got {_short(fmt)} (not a Strata file)", "format"
        )
    version = _field(env.version, "version", "")
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
    with _no_cyclic_gc():
        shapes = _decode_json(_shapes_decoder.decode, env.shapes, "shapes")
    seen: dict[str, int] = {}
    for n, shape in enumerate(shapes):
        first = seen.setdefault(shape.id, n)
        if first != n:
            raise FormatError(
                f"duplicate id {_short(shape.id)} (already used by shapes[{first}])",
                f"shapes[{n}].id",
            )
    _refuse_duplicate_keys(data, shapes)
    return Snapshot(page, tuple(shapes))


# ---------------------------------------------------------------- duplicate keys
# JSON leaves duplicate keys to the reader, and msgspec keeps the last one (after
# validating every occurrence inside Structs). A document whose keys repeat means two
# things at once, so Strata refuses it everywhere, with a located error. msgspec cannot
# report them, and Python's json with an object_pairs_hook costs ~0.6 s on 100,000 shapes,
# so the check counts instead: outside strings, a document has exactly one colon per key.
# A document whose objects hold exactly their required keys has a known number of keys;
# more colons outside strings mean an unknown field or a repeated key, and only then is
# the document parsed again to find (or rule out) a duplicate.

#: Required keys of each shape kind: its fields without a default, plus "type". The top
#: level has 4, the page 3.
_SHAPE_KEYS: Final[dict[type, int]] = {
    kind: len(kind.__struct_fields__) - len(kind.__struct_defaults__) + 1
    for kind in (k.cls for k in KINDS.values())
}
#: Optional keys (fields with a default, such as Text's `auto_height`), as they appear in
#: the raw bytes followed by their colon. `"name":` can only be a key: a `"` directly
#: before the colon ends a string, and a string followed by a colon is a key. So every
#: occurrence counted is a real key of the document, and counting them never hides a
#: repeated key (an optional key written with a space before its colon is not counted:
#: the document then takes the slow path, which is right, only slower).
_OPTIONAL_KEYS: Final[tuple[bytes, ...]] = tuple(
    sorted(
        {
            f'"{name}":'.encode()
            for kind in (k.cls for k in KINDS.values())
            for name in kind.__struct_fields__[
                len(kind.__struct_fields__) - len(kind.__struct_defaults__) :
            ]
        }
    )
)
_TOP_KEYS: Final = 4 + len(Page.__struct_fields__)
#: A JSON string, unrolled and possessive so that a 20 MB document scans in ~0.3 s.
_JSON_STRING: Final = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"')


def _refuse_duplicate_keys(data: bytes, shapes: list[Shape]) -> None:
    """Raise a located FormatError if any object in the (valid) document repeats a key."""
    expected = _TOP_KEYS + sum(_SHAPE_KEYS[type(shape)] for shape in shapes)
    expected += sum(data.count(key) for key in _OPTIONAL_KEYS)
    colons = data.count(b":")
    if colons == expected:
        return  # no colon inside any string: one colon per required key, nothing else
    if b"u003a" not in data and b"u003A" not in data:
        # Colons inside the strings we decoded are in the raw bytes as they are.
        inside = sum(
            shape.id.count(":")
            + (shape.text.count(":") + shape.font_family.count(":") if type(shape) is Text else 0)
            for shape in shapes
        )
        if colons == expected + inside:
            return
    if _JSON_STRING.sub(b"", data).count(b":") == expected:
        return
    _find_duplicate_key(data)  # unknown fields (allowed), or a repeated key


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs, in order, duplicates kept."""


class _DuplicateKey(Exception):
    pass


def _ignore(_text: str) -> int:
    return 0


def _no_repeats(pairs: list[tuple[str, Any]]) -> None:
    if len(pairs) > 1 and len({key for key, _ in pairs}) != len(pairs):
        raise _DuplicateKey


def _parse(data: bytes, hook: Callable[[list[tuple[str, Any]]], Any]) -> Any:
    try:
        return json.loads(
            data, object_pairs_hook=hook, parse_int=_ignore, parse_float=_ignore,
            parse_constant=_ignore,
        )  # fmt: skip
    except RecursionError:
        raise FormatError("JSON nested too deeply", "top level") from None


def _find_duplicate_key(data: bytes) -> None:
    """Parse again, keeping only whether keys repeat (~0.6 s for 100,000 shapes with an
    unknown field each); only if one does, parse once more to say where."""
    try:
        _parse(data, _no_repeats)
    except _DuplicateKey:
        pass
    except ValueError:  # msgspec accepted it: a difference between the parsers, not ours
        return
    else:
        return
    stack: list[tuple[Any, str]] = [(_parse(data, _Pairs), "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, _Pairs):
            keys: set[str] = set()
            for key, _ in value:
                if key in keys:
                    raise FormatError(f"duplicate key {_quoted(key)}", where or "top level")
                keys.add(key)
            stack.extend((v, _join(where, k)) for k, v in reversed(value))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{n}]") for n, v in reversed(list(enumerate(value))))


_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _join(where: str, key: str) -> str:
    if _NAME.fullmatch(key) and len(key) <= 40:
        return f"{where}.{key}" if where else key
    return f"{where}[{_short(key)}]"


def _quoted(key: str) -> str:
    """A key in double quotes, as the file spells it (escaped and truncated if hostile)."""
    if key.isprintable() and '"' not in key and len(key) <= 40:
        return f'"{key}"'
    return _short(key)


def _field(raw: Raw | UnsetType, name: str, missing: str) -> Any:
    if isinstance(raw, UnsetType):
        why = f" ({missing})" if missing else ""
        raise FormatError(f'missing required field "{name}"{why}', "top level")
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
    elif what in _SURROGATE_ERRORS and (surrogate := _lone_surrogate(data, offset)):
        text = (
            f"invalid JSON (the escape {surrogate} is half of a UTF-16 surrogate pair "
            "without its other half: it is not a character)"
        )
    else:
        text = f"invalid JSON ({_SYNTAX_WORDS.get(what, what)})"
    return FormatError(text, _line_col(data, offset))


#: msgspec's words for JSON syntax errors, in plainer ones.
_SYNTAX_WORDS: Final = {
    "unexpected end of hex escape": "a \\u escape needs four hex digits",
    "invalid character in unicode escape": "a \\u escape needs four hex digits",
    "invalid escaped character": "a backslash in a string must start a JSON escape",
    "invalid character": "unexpected character",
    "object keys must be strings": "object keys must be strings in double quotes",
}

#: What msgspec says about half a surrogate pair (only for these is the escape looked up).
_SURROGATE_ERRORS: Final = frozenset(
    {"unexpected end of hex escape", "invalid utf-16 surrogate pair"}
)
_SURROGATE: Final = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _lone_surrogate(data: bytes, offset: int) -> str | None:
    """The surrogate escape msgspec stopped at, if that is what it stopped at."""
    found = None
    for match in _SURROGATE.finditer(data, max(0, offset - 12), offset + 12):
        if match.start() <= offset + 1:
            found = match
    return found.group().decode("ascii").lower() if found else None


_MSGSPEC_TYPES = {
    "float": "a number",
    "int": "an integer",
    "str": "a string",
    "object": "an object",
    "array": "an array",
    "null": "null",
    "bool": "true or false",
}

#: What a field holds, in the format's words (docs/format.md), for "expected ..., got ...".
_FIELD_WORDS: Final = {
    "fill": "a colour or null",
    "stroke": "a colour or null",
    "color": "a colour",
    "background": "a colour",
    "type": "a shape type",
}


def _validation_error(message: str, root: str, data: Any) -> FormatError:
    text, sep, where = message.rpartition(" - at `$")
    if not sep:
        text, where = message, "`"
    path = where.rstrip("`")
    location = (root + path) if root else (path.lstrip(".") or "top level")
    location = location or "top level"
    field = re.sub(r"\[\d+\]$", "", path).rpartition(".")[2]
    if text.startswith("Object missing required field"):
        name = text.rsplit(" ", 1)[-1].strip("`")
        return FormatError(f'missing required field "{name}"', location)
    if text.startswith("Invalid value") and location.endswith(".type"):
        return FormatError(
            f"unknown shape type {_short(_value_at(data, path))} "
            f"(expected {', '.join(list(KINDS)[:-1])} or {list(KINDS)[-1]})",
            location,
        )
    if "matching regex" in text:
        value = _value_at(data, path)
        got = f", got {_short(value)}" if value is not None else ""
        return FormatError(f'expected a colour "#rrggbb" or "#rrggbbaa"{got}', location)
    if text == "Number out of range":
        return FormatError("number out of range", location)
    if (match := re.fullmatch(r"Expected `[^`]*`(?:, got `(\w+)`)?", text)) is not None:
        got = _got(match.group(1), data, path)
        expected = _FIELD_WORDS.get(field) or _expected(text)
        return FormatError(f"expected {expected}{got}", location)
    if field == "points" or re.search(r"\.points\[\d+\]$", path):
        if re.search(r"`array` of length >= \d+$", text):
            return FormatError(f"expected at least {MIN_POINTS} points, got fewer", location)
        if re.search(r"`array` of length <= \d+$", text):
            return FormatError(f"expected at most {MAX_POINTS:,} points, got more", location)
        if "`array` of length 2" in text or text.startswith("Expected `array`"):
            return FormatError("expected a point [x, y] (two numbers)", location)
    if " of length >= 1" in text:
        return FormatError("expected a non-empty string", location)
    if (match := re.search(r" of length <= (\d+)$", text)) is not None:
        return FormatError(f"expected a string of at most {match.group(1)} characters", location)
    text = re.sub(r"`([^`]*)`", lambda m: _MSGSPEC_TYPES.get(m.group(1), m.group(1)), text)
    text = re.sub(r"(\d+)\.0\b", r"\1", text)  # ">= 0.0" reads better as ">= 0"
    return FormatError(text[:1].lower() + text[1:], location)


def _expected(text: str) -> str:
    """The expected type of a msgspec "Expected `X`, got `Y`" message, in words."""
    names = re.match(r"Expected `([^`]*)`", text)
    parts = names.group(1).split(" | ") if names else []
    return " or ".join(_MSGSPEC_TYPES.get(p, p) for p in parts) or "another value"


def _got(kind: str | None, data: Any, path: str) -> str:
    """ ", got an integer" (", got true" for a boolean); "" when it cannot be told."""
    if kind is None or kind == "bool":
        value = _value_at(data, path)
        if isinstance(value, bool):
            return ", got true" if value else ", got false"
        if kind is None:
            return "" if value is None else f", got {_json_kind(value)}"
    return f", got {_MSGSPEC_TYPES.get(kind, 'another value')}"


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
    head = b'{"format": "strata", "version": %d,\n "page": ' % format_version(snapshot)
    yield head + page + b',\n "shapes": ['
    shapes = snapshot.shapes
    for start in range(0, len(shapes), chunk):
        body = _encoder.encode(shapes[start : start + chunk])[1:-1]
        body = body.replace(b'},{"type":', b'},\n  {"type":')
        yield (b"\n  " if start == 0 else b",\n  ") + body
    yield b"\n]}\n" if shapes else b"]}\n"


def format_version(snapshot: Snapshot) -> int:
    """The lowest format version that holds the document: 1 unless a shape uses a later
    field (each kind says, `Kind.format_version`), so older Strata keeps reading plain
    drawings and refuses, rather than half-reads, the rest."""
    versioned = VERSIONED
    version = 1
    for shape in snapshot.shapes:
        of = versioned.get(type(shape))
        if of is not None and (version := max(version, of(shape))) >= FORMAT_VERSION:
            break
    return version


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
