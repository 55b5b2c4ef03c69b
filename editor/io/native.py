"""Qt calls made through ctypes, so that the GIL is released while they run.

PySide6 holds the GIL for the whole of most C++ calls. That is harmless for short calls
and is what QImage.save and the painting calls avoid by releasing it themselves, but
``QPainter.end()`` holds it throughout, and on a QPdfWriter it compresses the page and
embeds the fonts (~1.7-2.6 s for 100,000 shapes), on a QSvgGenerator it writes the whole
document out (~0.2-0.3 s): an export on a worker thread then freezes the GUI thread for
that long (docs/performance.md, "Save and export jobs").

`end_painter` calls the C++ ``QPainter::end()`` itself, through ``ctypes.CDLL``, whose
foreign calls release the GIL (``ctypes.PyDLL`` would not), on the C++ object that
``shiboken6.getCppPointer`` gives for the Python painter. Only the worker calling it
waits; every other Python thread runs meanwhile. If Qt calls back into Python during
``end()`` (a Python QIODevice, a Qt message handler), the binding takes the GIL back for
that call, as it does for any callback from a thread it did not enter Python from.

Safety: the function is looked up only in the QtGui library *already loaded* by PySide6
(``dlopen`` with RTLD_NOLOAD: a second copy of Qt is never loaded), by its Itanium C++ ABI
name (Linux, macOS; not MSVC), with ``bool(QPainter*)`` as its signature, which is what
a non-virtual ``bool QPainter::end()`` member is on those ABIs. When the library or the
symbol cannot be found (Windows, a Qt built with a namespace, another soname), the
painter is ended through the binding, holding the GIL: slower for the GUI, never wrong.

This is the only module of `editor.io` that imports ``shiboken6`` (tests/test_layers.py).
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Final

import shiboken6
from PySide6.QtGui import QPainter

#: ``bool QPainter::end()`` in the Itanium C++ ABI (GCC and Clang on Linux and macOS).
PAINTER_END_SYMBOL: Final = "_ZN8QPainter3endEv"
#: Names under which PySide6's QtGui is already loaded, tried in turn.
QTGUI_LIBRARIES: Final[tuple[str, ...]] = (
    ("libQt6Gui.so.6",)
    if sys.platform.startswith("linux")
    else ("QtGui.framework/Versions/A/QtGui", "QtGui")
    if sys.platform == "darwin"
    else ()
)

#: Ends a painter: returns what QPainter.end() returns.
PainterEnd = Callable[[QPainter], bool]


class NativeCall:
    """A ``bool f(void *)`` C function called through ctypes.CDLL (GIL released)."""

    def __init__(self, function: ctypes._CFuncPtr) -> None:  # type: ignore[name-defined]
        function.restype = ctypes.c_bool
        function.argtypes = [ctypes.c_void_p]
        self.function = function

    @property
    def releases_gil(self) -> bool:
        """True unless the function came from a PyDLL (which keeps the GIL)."""
        return not self.function._flags_ & ctypes._FUNCFLAG_PYTHONAPI  # type: ignore[attr-defined]

    def __call__(self, painter: QPainter) -> bool:
        # The painter object stays referenced by the caller for the whole call, so the
        # C++ object cannot be deleted under it.
        address = shiboken6.getCppPointer(painter)[0]
        return bool(self.function(address))


def find_native_end(
    libraries: Sequence[str] = QTGUI_LIBRARIES, symbol: str = PAINTER_END_SYMBOL
) -> NativeCall | None:
    """``QPainter::end()`` from the loaded QtGui library, or None if it cannot be found."""
    mode = getattr(os, "RTLD_NOLOAD", None)
    if mode is None:  # no dlopen (Windows): never load a library by guesswork
        return None
    for name in libraries:
        try:
            library = ctypes.CDLL(name, mode=mode | os.RTLD_LAZY)
        except OSError:
            continue
        try:
            function = library[symbol]
        except AttributeError:
            continue
        return NativeCall(function)
    return None


@functools.cache
def native_end() -> NativeCall | None:
    """The process's native ``QPainter::end()`` (looked up once), or None."""
    return find_native_end()


def end_painter(painter: QPainter, native: NativeCall | bool | None = True) -> bool:
    """``painter.end()`` without holding the GIL where possible; returns its result.

    `native`: True (the default) uses `native_end()` when it was found; a `NativeCall`
    uses that one; False or None ends the painter through the binding (the fallback).
    """
    call: NativeCall | None
    if native is True:
        call = native_end()
    elif isinstance(native, NativeCall):
        call = native
    else:
        call = None
    if call is None:
        return painter.end()
    return call(painter)
