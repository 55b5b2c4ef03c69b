"""Strata in a real X11 window (Qt's xcb platform) on Xvfb, not just offscreen.

The rest of the suite runs on the offscreen platform. This test proves the app starts on
the platform people use, with the libraries it needs installed (./dev test and .ci/run
install xvfb, libxcb-icccm4 and libxcb-keysyms1), and that what X shows is the document:
the screen grab must contain the sample's colours where the page is.

The key tests start tests/ui/xcb_keys.py as a child process and type into its window with
xdotool (XTEST: real key events through the X server, not events posted inside Qt): the
undo keys in a Properties field, an end marker chosen with the arrow keys, and Tab, F6
and Escape along the window's regions; Ctrl+Shift+E opens Publish in a real `strata`
process and Return publishes; a publish killed -9 mid-batch is undone at the next
start. The fit test checks on the real platform (its
fonts, its style) that no Properties field is cut off, at the default size and at
1024x700.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from editor.io.format import load
from editor.model import Line, Shape
from tests.ui.xkeys import XSession

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "ui" / "xcb_screenshot.py"
SAMPLE = ROOT / "editor" / "samples" / "welcome.strata"


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


# ------------------------------------------------------------ keys through X
KEYS_SCRIPT = ROOT / "tests" / "ui" / "xcb_keys.py"


class Child:
    """tests/ui/xcb_keys.py on the Xvfb display; keys go in through the X server."""

    def __init__(self, display: str, tmp_path: Path, *args: str) -> None:
        self.env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
                    "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path)}  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, str(KEYS_SCRIPT), *args], env=self.env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        self._stderr: str | None = None
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.strip() == "READY", line + self.errors()

    def errors(self) -> str:
        """The child's stderr once it has ended (empty while it runs)."""
        if self.process.poll() is None:
            return ""
        if self._stderr is None:
            self._stderr = self.process.communicate(timeout=30)[1]
        return self._stderr[-3000:]

    def keys(self, *keys: str) -> None:
        """Real key presses, as a keyboard makes them (xdotool: XTEST on the X server)."""
        subprocess.run(["xdotool", "key", "--delay", "30", *keys], env=self.env, check=True,
                       timeout=30)  # fmt: skip

    def state(self) -> dict[str, object]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("state\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, self.errors()
        result: dict[str, object] = json.loads(line)
        return result

    def wait_for(self, wanted: Callable[[dict[str, object]], bool], what: str) -> dict[str, object]:
        """Ask for the state until `wanted` holds: the keys went through X asynchronously."""
        deadline = time.monotonic() + 10
        while True:
            current = self.state()
            if wanted(current):
                return current
            assert time.monotonic() < deadline, f"{what}: last state {current}"

    def close(self) -> int:
        """Ask the child to quit; its exit status (pipes closed)."""
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
        if self._stderr is None:  # wait, read stderr, close the pipes
            self._stderr = self.process.communicate(timeout=30)[1]
        return self.process.returncode


def test_undo_keys_in_a_properties_field_through_the_x_server(xvfb: str, tmp_path: Path) -> None:
    child = Child(xvfb, tmp_path, "field")
    try:
        assert child.state()["focus"] == "Stroke width"
        child.keys("ctrl+a", "6", "Return")
        child.wait_for(lambda s: s["stroke_width"] == 6 and s["index"] == 2, "typed 6, Enter")
        # Typing not committed yet: the first Ctrl+Z cancels it, the next undoes.
        child.keys("ctrl+a", "9")
        child.wait_for(lambda s: s["text"] == "9", "typed 9")
        child.keys("ctrl+z")
        state = child.wait_for(lambda s: s["text"] == "6.00", "Ctrl+Z cancelled the typing")
        assert state["index"] == 2
        child.keys("ctrl+z")
        state = child.wait_for(lambda s: s["index"] == 1, "Ctrl+Z undid the field's change")
        assert state["stroke_width"] == 1 and state["focus"] == "Stroke width"
        child.keys("ctrl+y")
        child.wait_for(lambda s: s["index"] == 2 and s["stroke_width"] == 6, "Ctrl+Y redid")
        child.keys("ctrl+z", "ctrl+z")
        child.wait_for(lambda s: s["index"] == 0, "undid adding the shape too")
        child.keys("ctrl+shift+z")
        child.wait_for(lambda s: s["index"] == 1, "Ctrl+Shift+Z redid")
    finally:
        assert child.close() == 0, child.errors()


def test_an_end_marker_is_chosen_with_arrow_keys_through_the_x_server(
    xvfb: str, tmp_path: Path
) -> None:
    child = Child(xvfb, tmp_path, "marker")
    try:
        assert child.state()["focus"] == "End marker"
        child.keys("Down")
        child.wait_for(lambda s: s["end_marker"] == "arrow" and s["index"] == 2, "Down: arrow")
        child.keys("Down", "Down")  # browsing on: the same step
        state = child.wait_for(lambda s: s["end_marker"] == "circle", "Down Down: circle")
        assert state["index"] == 2 and state["count"] == 2
        child.keys("ctrl+z")
        state = child.wait_for(lambda s: s["index"] == 1, "Ctrl+Z undid the marker")
        assert state["end_marker"] == "none" and state["focus"] == "End marker"
        child.keys("ctrl+y")
        child.wait_for(lambda s: s["end_marker"] == "circle", "Ctrl+Y redid it")
    finally:
        assert child.close() == 0, child.errors()


def test_tab_f6_and_escape_through_the_x_server(xvfb: str, tmp_path: Path) -> None:
    child = Child(xvfb, tmp_path, "canvas")
    try:
        state = child.state()
        assert state["region"] == "canvas"
        regions = ["canvas"]
        for _ in range(40):  # Tab, field by field, until back on the canvas
            before = state["widget"]
            child.keys("Tab")
            state = child.wait_for(lambda s, b=before: s["widget"] != b, "Tab moved the focus")
            if state["region"] != regions[-1]:
                regions.append(str(state["region"]))
            if state["region"] == "canvas":
                break
        assert regions == ["canvas", "properties", "history", "jobs", "canvas"]
        visited = ["canvas"]
        for _ in range(4):
            child.keys("F6")
            state = child.wait_for(lambda s, r=visited[-1]: s["region"] != r, "F6 moved")
            visited.append(str(state["region"]))
        assert visited == ["canvas", "properties", "history", "jobs", "canvas"]
        child.keys("shift+F6")
        child.wait_for(lambda s: s["region"] == "jobs", "Shift+F6 went back to Jobs")
        child.keys("shift+F6", "shift+F6")
        child.wait_for(lambda s: s["region"] == "properties", "and on to Properties")
        child.keys("Escape")
        child.wait_for(lambda s: s["region"] == "canvas", "Escape went back to the canvas")
        child.keys("shift+Tab")
        state = child.wait_for(lambda s: s["region"] != "canvas", "Shift+Tab left the canvas")
        assert state["region"] == "jobs", "backwards, Jobs comes before the canvas"
    finally:
        assert child.close() == 0, child.errors()


@pytest.mark.parametrize("size", [(1200, 800), (1024, 700)], ids=["default", "1024x700"])
@pytest.mark.parametrize("kind", ["text", "rect", "line"])
def test_the_properties_dock_fits_in_a_real_window(
    xvfb: str, tmp_path: Path, size: tuple[int, int], kind: str
) -> None:
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb", "HOME": str(tmp_path),
           "XDG_RUNTIME_DIR": str(tmp_path)}  # fmt: skip
    result = subprocess.run(
        [sys.executable, str(KEYS_SCRIPT), "fit", str(size[0]), str(size[1]), kind],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.splitlines()[-1]) == {"cut_off": []}


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
           "XDG_STATE_HOME": str(home / "state"),
           "XDG_DATA_HOME": str(home / "data")}  # fmt: skip
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


# ------------------------------------------------------- crash recovery (issue 11)
def journal_entries(home: Path) -> int:
    """How many journal entries `strata` with this HOME committed (read-only look)."""
    db = home / "data" / "Strata" / "Strata" / "journal.sqlite3"
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        conn.close()


def test_after_kill_9_the_recovery_bar_answers_alt_r_through_the_x_server(
    xvfb: str, x_session: XSession, tmp_path: Path
) -> None:
    drawing = tmp_path / "welcome.strata"
    drawing.write_bytes(SAMPLE.read_bytes())
    with strata_process(xvfb, tmp_path, str(drawing)) as process:
        window = x_session.wait_window("welcome.strata")
        x_session.focus(window)
        x_session.key("ctrl+a")
        for _ in range(3):
            x_session.key("Right")  # nudges: one merged step
        x_session.key("Delete")  # a second step
        x_session.wait_title(window, lambda t: t.startswith("welcome.strata*"))
        # open (1) + 3 nudges + delete, committed by the journal's writer thread
        x_session.wait_for(lambda: journal_entries(tmp_path) >= 5, 10, "journal commits")
        process.kill()  # SIGKILL: no chance to save or close anything
        process.communicate()
    with strata_process(xvfb, tmp_path) as process:
        window = x_session.wait_window("Untitled")
        x_session.focus(window)
        x_session.key("alt+r")  # Recover, from the bar
        x_session.wait_title(window, lambda t: t.startswith("welcome.strata*"))
        x_session.key("ctrl+z")  # the delete
        x_session.key("ctrl+z")  # the nudges: back to the file as it was
        x_session.wait_title(window, lambda t: t.startswith("welcome.strata —"))
        x_session.key("ctrl+shift+z")
        x_session.key("ctrl+shift+z")
        x_session.wait_title(window, lambda t: t.startswith("welcome.strata*"))
        x_session.key("ctrl+s")
        x_session.wait_title(window, lambda t: t.startswith("welcome.strata —"))
        x_session.key("ctrl+q")
        assert_quits_cleanly(process)
    assert load(drawing).shapes == ()  # everything was deleted, and that was saved


def test_after_kill_9_alt_d_discards_through_the_x_server(
    xvfb: str, x_session: XSession, tmp_path: Path
) -> None:
    drawing = tmp_path / "welcome.strata"
    drawing.write_bytes(SAMPLE.read_bytes())
    with strata_process(xvfb, tmp_path, str(drawing)) as process:
        window = x_session.wait_window("welcome.strata")
        x_session.focus(window)
        x_session.key("ctrl+a")
        x_session.key("Delete")
        x_session.wait_title(window, lambda t: t.startswith("welcome.strata*"))
        x_session.wait_for(lambda: journal_entries(tmp_path) >= 2, 10, "journal commits")
        process.kill()
        process.communicate()
    with strata_process(xvfb, tmp_path) as process:
        window = x_session.wait_window("Untitled")
        x_session.focus(window)
        x_session.key("alt+d")  # Discard
        x_session.wait_for(lambda: recoverable(tmp_path) == 0, 10, "the recovery dropped")
        x_session.key("ctrl+q")
        assert_quits_cleanly(process)
    assert load(drawing) == load(SAMPLE)


def recoverable(home: Path) -> int:
    db = home / "data" / "Strata" / "Strata" / "journal.sqlite3"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(
            conn.execute(
                "SELECT count(*) FROM documents WHERE state = 'open' AND owner NOT LIKE ?",
                (f"%:{os.getpid()}:%",),
            ).fetchone()[0]
        )
    finally:
        conn.close()


# ------------------------------------------------- jobs across restarts (issue 12)
def stored_jobs(home: Path) -> dict[int, tuple[str, str]]:
    """id -> (name, state) of the jobs `strata` with this HOME stored (read-only look)."""
    db = home / "data" / "Strata" / "Strata" / "journal.sqlite3"
    if not db.exists():
        return {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {i: (n, s) for i, n, s in conn.execute("SELECT id, name, state FROM jobs")}
    except sqlite3.OperationalError:  # not created yet
        return {}
    finally:
        conn.close()


def work_copy(home: Path) -> tuple[Path, Path]:
    """The sample copied into HOME/work: (the folder, the drawing)."""
    folder = home / "work"
    folder.mkdir()
    drawing = folder / "welcome.strata"
    drawing.write_bytes(SAMPLE.read_bytes())
    return folder, drawing


def left(shape: Shape) -> float:
    """A shape's x (a line's first end's)."""
    return shape.x1 if isinstance(shape, Line) else shape.x


def test_a_dead_letter_of_one_run_is_retried_in_the_next_through_the_x_server(
    xvfb: str, x_session: XSession, tmp_path: Path
) -> None:
    folder, drawing = work_copy(tmp_path)
    with strata_process(xvfb, tmp_path, str(drawing)) as process:
        window = x_session.wait_window("welcome.strata")
        x_session.focus(window)
        drawing.unlink()
        folder.rmdir()  # the folder goes away while the drawing is open
        x_session.key("ctrl+a")
        x_session.key("Right")  # nudge every shape: modified
        x_session.key("ctrl+s")  # the save fails for good: a dead letter
        x_session.wait_for(
            lambda: [s for _n, s in stored_jobs(tmp_path).values()] == ["dead"], 10,
            "the dead save stored",
        )  # fmt: skip
        process.kill()  # the person's session ends without a word (kill -9)
        process.communicate()
    ((job_id, (name, _state)),) = stored_jobs(tmp_path).items()
    assert name == "Save welcome.strata"
    folder.mkdir()  # the folder is back (a drive mounted again)
    with strata_process(xvfb, tmp_path) as process:
        window = x_session.wait_window("Untitled")
        x_session.focus(window)
        x_session.key("ctrl+j")  # View > Jobs: the Dead letters list (it has one), focused
        x_session.key("ctrl+shift+r")  # Retry All
        x_session.wait_for(lambda: stored_jobs(tmp_path).get(job_id, ("", ""))[1] == "succeeded",
                           20, "the retried save succeeded")  # fmt: skip
        # Run 1's document is offered for recovery; the file now holds its state (the
        # save outbox knows that save): it recovers as the file's, saved. It used to open
        # as "welcome (recovered)*", the file taken as changed elsewhere.
        x_session.key("alt+r")
        x_session.wait_title(window, lambda t: t.startswith("welcome.strata —"))
        x_session.key("ctrl+q")
        assert_quits_cleanly(process)
    saved, original = load(drawing), load(SAMPLE)
    assert len(saved.shapes) == len(original.shapes)
    pairs = zip(saved.shapes, original.shapes, strict=True)
    moved = {round(left(s) - left(o), 6) for s, o in pairs}
    assert len(moved) == 1 and moved.pop() > 0  # run 1's nudged drawing, written in run 2


# ------------------------------------------------------------- Publish (issue 12 §4)
def open_publish(x_session: XSession) -> object:
    """In the open welcome.strata: nudge every shape (modified: Publish saves it too),
    press Ctrl+Shift+E and focus the Publish dialog. Returns the main window."""
    window = x_session.wait_window("welcome.strata")
    x_session.focus(window)
    x_session.key("ctrl+a")
    x_session.key("Right")
    x_session.key("ctrl+shift+e")
    dialog = x_session.wait_window("Publish welcome.strata", timeout=20)
    x_session.focus(dialog)
    return window


def test_ctrl_shift_e_publishes_beside_the_drawing_through_the_x_server(
    xvfb: str, x_session: XSession, tmp_path: Path
) -> None:
    folder, drawing = work_copy(tmp_path)
    with strata_process(xvfb, tmp_path, str(drawing)) as process:
        window = open_publish(x_session)
        x_session.key("Return")  # Publish (PNG and PDF, the default)
        x_session.wait_for(
            lambda: sorted(p.name for p in folder.iterdir())
            == ["welcome.pdf", "welcome.png", "welcome.strata"]
            and x_session.title(window).startswith("welcome.strata —")
            and [s for _n, s in stored_jobs(tmp_path).values()] == ["succeeded"] * 4,
            20, "the drawing saved and published (and tidied up: no job left for the quit "
            "prompt), and clean",
        )  # fmt: skip
        x_session.focus(window)
        x_session.key("ctrl+q")
        assert_quits_cleanly(process)
    assert (folder / "welcome.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (folder / "welcome.pdf").read_bytes()[:5] == b"%PDF-"
    assert load(drawing) != load(SAMPLE)  # the nudged drawing was saved


def test_a_publish_killed_mid_batch_is_undone_at_the_next_start_through_the_x_server(
    xvfb: str, x_session: XSession, tmp_path: Path
) -> None:
    folder, drawing = work_copy(tmp_path)
    with strata_process(xvfb, tmp_path, str(drawing)) as process:
        window = open_publish(x_session)
        x_session.key("alt+l")  # PNG scale: a big PNG, so the kill finds it running
        x_session.key("ctrl+a")
        for key in ("1", "2", "Return"):
            x_session.key(key)

        def mid_batch() -> bool:
            states = dict(stored_jobs(tmp_path).values())
            return (states.get("Save welcome.strata") == "succeeded"
                    and states.get("Export PNG welcome.png") == "running")  # fmt: skip

        x_session.wait_for(mid_batch, 20, "the save landed, the PNG being written")
        assert load(drawing) != load(SAMPLE)
        process.kill()  # kill -9 in the middle of the batch
        process.communicate()
    with strata_process(xvfb, tmp_path) as process:
        window = x_session.wait_window("Untitled")

        def undone() -> bool:
            return ("Undo Publish welcome.strata", "succeeded") in stored_jobs(tmp_path).values()

        x_session.wait_for(undone, 20, "the interrupted publish undone")
        x_session.focus(window)
        x_session.key("ctrl+q")
        assert_quits_cleanly(process)
    assert drawing.read_bytes() == SAMPLE.read_bytes()  # byte for byte
    assert sorted(p.name for p in folder.iterdir()) == ["welcome.strata"]
