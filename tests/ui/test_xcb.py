"""Strata in a real X11 window (Qt's xcb platform) on Xvfb, not just offscreen.

The rest of the suite runs on the offscreen platform. This test proves the app starts on
the platform people use, with the libraries it needs installed (./dev test and .ci/run
install xvfb, libxcb-icccm4 and libxcb-keysyms1), and that what X shows is the document:
the screen grab must contain the sample's colours where the page is.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from tests.ui.xkeys import XSession

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "ui" / "xcb_screenshot.py"
SAMPLE = ROOT / "resources" / "samples" / "welcome.strata"


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A private Xvfb server; yields its DISPLAY (picked by Xvfb itself: -displayfd)."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x860x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    try:
        assert number, "Xvfb did not report a display number"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def count(image: QImage, color: str) -> int:
    target = QColor(color).rgb()
    small = image.scaled(image.width() // 4, image.height() // 4)  # nearest pixels
    return sum(
        1
        for y in range(small.height())
        for x in range(small.width())
        if small.pixel(x, y) == target
    )


def test_the_window_opens_on_xcb_and_shows_the_document(xvfb: str, tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb", "HOME": str(tmp_path),
           "XDG_RUNTIME_DIR": str(tmp_path)}  # fmt: skip
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(out), str(SAMPLE)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 860)
    # the sample's page background and its title bar's blue fill are on screen
    assert count(image, "#fffdf7") > 2000
    assert count(image, "#2b4c7e") > 500


# --------------------------------------------------------------- quitting (issue 8, item 1)
def strata_command() -> list[str]:
    """The installed `strata` console script next to this Python, else `python -m editor`."""
    script = Path(sys.executable).with_name("strata")
    return [str(script)] if script.exists() else [sys.executable, "-m", "editor"]


@contextlib.contextmanager
def strata_process(display: str, home: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """`strata ARGS` as a process of its own on `display`, with its own HOME; killed if
    it is still running when the block ends."""
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "HOME": str(home),
           "XDG_RUNTIME_DIR": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_STATE_HOME": str(home / "state")}  # fmt: skip
    process = subprocess.Popen(
        [*strata_command(), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def assert_quits_cleanly(process: subprocess.Popen[str], timeout: float = 20) -> None:
    """After Ctrl+Q: the process exits by itself, with status 0 and no traceback."""
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
        pytest.fail(f"strata did not exit after Ctrl+Q; stderr: {err[-2000:]}")
    assert process.returncode == 0, err[-2000:]
    assert "Traceback" not in err


@pytest.fixture
def x_session(xvfb: str) -> Iterator[XSession]:
    session = XSession(xvfb)
    try:
        yield session
    finally:
        session.close()


def test_ctrl_q_quits_a_freshly_opened_document(
    xvfb: str, x_session: XSession, tmp_path: Path
) -> None:
    with strata_process(xvfb, tmp_path, str(SAMPLE)) as process:
        window = x_session.wait_window("welcome.strata")
        x_session.focus(window)
        x_session.key("ctrl+q")
        assert_quits_cleanly(process)


def test_ctrl_q_quits_after_an_edit_is_undone_back_to_saved(
    xvfb: str, x_session: XSession, tmp_path: Path
) -> None:
    with strata_process(xvfb, tmp_path, str(SAMPLE)) as process:
        window = x_session.wait_window("welcome.strata")
        x_session.focus(window)
        x_session.key("ctrl+a")  # select every shape
        x_session.key("Right")  # nudge them: the document is modified
        x_session.wait_title(window, lambda t: t.startswith("welcome.strata*"))
        x_session.key("ctrl+z")
        x_session.wait_title(window, lambda t: t.startswith("welcome.strata —"))
        x_session.key("ctrl+q")
        assert_quits_cleanly(process)
