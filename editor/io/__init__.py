"""Files in and out: the .strata format, atomic writes, rendering, exports, save jobs.

This package's __init__ imports no Qt, so the file format can be used (and tested)
where PySide6 is not installed. Import the Qt parts by module: editor.io.render,
editor.io.export, editor.io.tasks.
"""

from editor.io.atomic import FileOps, write_atomic
from editor.io.format import (
    FORMAT_VERSION,
    MAX_FILE_SIZE,
    FormatError,
    decode,
    encode,
    iter_encode,
    load,
    save,
)

__all__ = [
    "FORMAT_VERSION",
    "MAX_FILE_SIZE",
    "FileOps",
    "FormatError",
    "decode",
    "encode",
    "iter_encode",
    "load",
    "save",
    "write_atomic",
]
