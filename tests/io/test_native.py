"""`editor.io.native`: QPainter::end() called through ctypes, with the GIL released."""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QBuffer, QIODevice, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPdfWriter

from editor.io.native import (
    PAINTER_END_SYMBOL,
    QTGUI_LIBRARIES,
    NativeCall,
    end_painter,
    find_native_end,
    native_end,
)
from editor.io.render import paint_page
from editor.model import Page, Snapshot, rect, text


@pytest.fixture(autouse=True)
def _app(qapp: object) -> None:
    """Painting text needs a Q(Gui)Application."""


def image_painter() -> tuple[QImage, QPainter]:
    image = QImage(40, 40, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    painter.fillRect(QRectF(10, 10, 20, 20), QColor(255, 0, 0))
    return image, painter


def test_the_native_end_is_found_on_linux_and_releases_the_gil() -> None:
    found = native_end()
    if sys.platform.startswith("linux"):  # PySide6's wheels: libQt6Gui.so.6
        assert found is not None
    if found is not None:
        assert found.releases_gil  # a CDLL function, not a PyDLL one
        assert not found.function._flags_ & ctypes._FUNCFLAG_PYTHONAPI  # type: ignore[attr-defined]


def test_a_missing_symbol_or_library_is_not_found() -> None:
    assert find_native_end(symbol="_ZN8QPainter9notThereEv") is None
    assert find_native_end(libraries=("libQt6NoSuchThing.so.6",)) is None
    assert find_native_end(libraries=()) is None
    assert find_native_end(libraries=QTGUI_LIBRARIES, symbol=PAINTER_END_SYMBOL) is not None or (
        not sys.platform.startswith("linux")
    )


def test_a_library_that_is_not_loaded_is_never_loaded() -> None:
    """RTLD_NOLOAD: looking for QPainter::end in a Qt library PySide6 did not load must
    not load it (a second copy of Qt in the process would be a disaster)."""
    name = "libQt6Pdf.so.6"  # in the wheel, never imported by Strata
    assert find_native_end(libraries=(name,)) is None
    with pytest.raises(OSError):
        ctypes.CDLL(name, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)


@pytest.mark.parametrize("native", [True, False, None], ids=["native", "false", "none"])
def test_end_painter_ends_the_painter_either_way(native: bool | None) -> None:
    image, painter = image_painter()
    assert end_painter(painter, native=native) is True
    assert not painter.isActive()
    assert image.pixelColor(20, 20) == QColor(255, 0, 0)


def test_a_given_native_call_is_used() -> None:
    calls: list[QPainter] = []
    found = native_end()
    assert found is not None

    class Counting(NativeCall):
        def __call__(self, painter: QPainter) -> bool:
            calls.append(painter)
            return super().__call__(painter)

    _image, painter = image_painter()
    assert end_painter(painter, native=Counting(found.function)) is True
    assert calls == [painter]
    assert not painter.isActive()


@pytest.mark.qt_log_ignore(r"QPainter::end: Painter not active, aborted")
def test_ending_an_inactive_painter_returns_false_like_the_binding() -> None:
    """The C++ bool comes back through ctypes as the binding would return it."""
    assert QPainter().end() is False
    assert end_painter(QPainter()) is False


@pytest.fixture
def long_switch_interval() -> Iterator[None]:
    """Threads switch only when one lets the GIL go by itself (see the test below)."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(0.5)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def main_thread_progress_during_end(native: bool) -> int:
    """How far the main thread counted while a worker was inside QPainter.end().

    The worker paints a PDF page (ending it compresses the page: ~0.1 s here), sets
    `ready`, reads the counter, ends the painter, reads the counter again. The main
    thread waits for `ready` and then counts until the worker is done. With a 0.5 s
    switch interval the worker keeps the GIL from `ready` until it lets it go by itself;
    so the counter moves between its two reads only if `end()` let the GIL go.
    """
    counter = [0]
    done = [False]
    moved: list[int] = []
    errors: list[BaseException] = []
    ready = threading.Event()

    def work() -> None:
        try:
            buffer = QBuffer()
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            writer = QPdfWriter(buffer)
            painter = QPainter(writer)
            shapes = [rect(f"r{i}", i % 500, i % 700, 40, 30, fill="#3366cc") for i in range(3000)]
            shapes.append(text("t", 10, 10, 300, 200, "Some text " * 40))
            paint_page(painter, Snapshot(Page(800, 800, "#ffffff"), tuple(shapes)))
            ready.set()
            before = counter[0]
            assert end_painter(painter, native=native)
            moved.append(counter[0] - before)
            del painter, writer, buffer
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            ready.set()
        finally:
            done[0] = True

    worker = threading.Thread(target=work)
    worker.start()
    ready.wait()
    while not done[0]:
        counter[0] += 1
    worker.join()
    assert errors == []
    return moved[0]


@pytest.mark.usefixtures("long_switch_interval")
def test_other_threads_run_while_a_worker_ends_a_painter() -> None:
    assert main_thread_progress_during_end(native=True) > 0


@pytest.mark.usefixtures("long_switch_interval")
def test_the_bindings_end_holds_the_gil_which_is_why_native_exists() -> None:
    """The same harness with the binding's end(): the main thread never gets to count.

    This shows the test above can tell the difference. Should a PySide6 release let the
    GIL go in QPainter.end() itself, this fails, and editor.io.native may be retired.
    """
    assert main_thread_progress_during_end(native=False) == 0
