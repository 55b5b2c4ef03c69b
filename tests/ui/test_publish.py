"""File > Publish… in the window: the real key opens the dialog, the batch is one row of
Jobs > Publish with its steps as children, a failing step undoes the others and the
document stays modified, Retry and Cancel from the keyboard, choices remembered per
document. Faults through the window's FileOps seam (`documents.file_ops`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from editor.jobs.saga import BatchState
from editor.testing import activate, draw_shape, press, save, wait_for_dialog, wait_until_idle
from editor.ui.main_window import MainWindow
from editor.ui.publish_dialog import PublishDialog
from tests.jobs.disk import HeldFile, NamedFaults, eacces
from tests.jobs.test_publish import held_mid_batch
from tests.ui.test_window import answer, dialog
from tests.ui.test_window_jobs import pending_prompt

OpenWindow = Callable[..., MainWindow]
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def saved_drawing(qtbot: QtBot, strata_window: OpenWindow, folder: Path) -> MainWindow:
    """A window whose drawing is saved as folder/drawing.strata, then changed again."""
    window = strata_window()
    qtbot.waitActive(window)
    draw_shape(window, "rect", (100, 100), (200, 160))
    save(window, folder / "drawing.strata")
    draw_shape(window, "ellipse", (250, 120), (320, 200))
    assert window.isWindowModified()
    return window


def open_publish(qtbot: QtBot, window: MainWindow) -> PublishDialog:
    """Ctrl+Shift+E, pressed on the canvas of the active window."""
    activate(window)
    window.canvas.setFocus()
    press(window, Qt.Key.Key_E, CTRL_SHIFT)
    dialog = wait_for_dialog(qtbot, "publish_dialog")
    assert isinstance(dialog, PublishDialog)

    def focused_inside() -> bool:
        widget = QApplication.focusWidget()
        return widget is not None and widget.window() is dialog

    qtbot.waitUntil(focused_inside, timeout=2000)  # keys go to the dialog from now on
    return dialog


def accept(dialog: PublishDialog) -> None:
    QTest.keyClick(dialog, Qt.Key.Key_Return)  # Publish is the default button


def batch_rows(window: MainWindow) -> list[tuple[str, list[str]]]:
    """The Publish tab as text: each batch's state and its children's names + states."""
    batches = window.jobs_panel.batches
    assert batches is not None
    model = batches.model
    rows = []
    for r in range(model.rowCount()):
        item = model.item(r, 0)
        children = [f"{item.child(c, 0).text()}: {item.child(c, 1).text()}"
                    for c in range(item.rowCount())]  # fmt: skip
        rows.append((model.item(r, 1).text(), children))
    return rows


def test_ctrl_shift_e_opens_publish_with_png_and_pdf_beside_the_drawing(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = saved_drawing(qtbot, strata_window, tmp_path)
    dialog = open_publish(qtbot, window)
    assert dialog.windowTitle() == "Publish drawing.strata"
    assert [fmt for fmt, check in dialog.checks.items() if check.isChecked()] == ["png", "pdf"]
    assert dialog.names["png"].text() == "drawing.png"
    assert dialog.names["pdf"].text() == "drawing.pdf"
    assert not dialog.names["svg"].isEnabled()
    dialog.reject()


def test_publish_saves_and_exports_as_one_batch_row_with_its_steps(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = saved_drawing(qtbot, strata_window, tmp_path)
    accept(open_publish(qtbot, window))
    wait_until_idle(window)
    qtbot.waitUntil(lambda: not window.isWindowModified(), timeout=5000)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "drawing.pdf", "drawing.png", "drawing.strata"
    ]  # fmt: skip
    assert batch_rows(window) == [("Succeeded", [
        "Save drawing.strata: Succeeded",
        "Export PNG drawing.png: Succeeded",
        "Export PDF drawing.pdf: Succeeded",
    ])]  # fmt: skip
    window.jobs_panel.flush()
    queue_names = [r.name for r in window.jobs_panel.queue_model().records()]
    assert queue_names == ["Save drawing.strata"]  # the first save only: steps are the batch's
    message = window.statusBar().currentMessage()
    assert message == "Published drawing.strata, drawing.png, drawing.pdf"


def test_a_failing_export_puts_the_drawing_back_and_keeps_it_modified_then_retry(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = saved_drawing(qtbot, strata_window, tmp_path)
    before = (tmp_path / "drawing.strata").read_bytes()
    disk = NamedFaults()
    disk.deny("drawing.pdf")
    window.documents.file_ops = disk
    accept(open_publish(qtbot, window))
    wait_until_idle(window)
    (record,) = window.sagas.records()
    assert record.state is BatchState.FAILED
    assert (tmp_path / "drawing.strata").read_bytes() == before  # byte for byte
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drawing.strata"]
    assert window.isWindowModified()  # the file holds the old drawing again
    state, children = batch_rows(window)[0]
    assert state == "Failed at Export PDF drawing.pdf · files put back"
    assert children[2] == "Export PDF drawing.pdf: Failed"
    assert children[3].startswith("Undo Publish drawing.strata: Succeeded")
    assert "failed at “Export PDF drawing.pdf”" in window.statusBar().currentMessage()
    # the window showed the batch; Ctrl+R in the tree runs it again
    batches = window.jobs_panel.batches
    assert batches is not None and batches.isVisible()
    disk.heal()
    activate(window)
    batches.focus_tree()
    QTest.keyClick(batches.tree, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait_until_idle(window)
    assert window.sagas.record(record.id).state is BatchState.SUCCEEDED
    qtbot.waitUntil(lambda: not window.isWindowModified(), timeout=5000)
    assert (tmp_path / "drawing.pdf").read_bytes()[:5] == b"%PDF-"


def test_delete_on_a_running_batch_cancels_it_and_undoes_what_finished(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = saved_drawing(qtbot, strata_window, tmp_path)
    before = (tmp_path / "drawing.strata").read_bytes()
    disk = HeldFile("drawing.pdf")
    window.documents.file_ops = disk
    accept(open_publish(qtbot, window))
    (record,) = window.sagas.records()
    held_mid_batch(qtbot, window.jobs, window.sagas, record.id, disk, done=1)
    window.show_batch(record.id)
    batches = window.jobs_panel.batches
    assert batches is not None
    activate(window)
    batches.focus_tree()
    QTest.keyClick(batches.tree, Qt.Key.Key_Delete)
    disk.let_go()
    wait_until_idle(window)
    assert window.sagas.record(record.id).state is BatchState.CANCELLED
    assert (tmp_path / "drawing.strata").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drawing.strata"]
    assert len(window.canvas.scene().items()) > 0  # the drawing itself is untouched
    assert window.isWindowModified()


def test_the_choice_is_remembered_for_each_document(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = saved_drawing(qtbot, strata_window, tmp_path)
    dialog = open_publish(qtbot, window)
    dialog.checks["pdf"].setChecked(False)
    dialog.checks["svg"].setChecked(True)
    dialog.names["svg"].setText("web/drawing.svg")
    (tmp_path / "web").mkdir()
    accept(dialog)
    wait_until_idle(window)
    assert (tmp_path / "web" / "drawing.svg").read_bytes().startswith(b"<?xml")
    assert not (tmp_path / "drawing.pdf").exists()
    again = open_publish(qtbot, window)
    assert [f for f, c in again.checks.items() if c.isChecked()] == ["png", "svg"]
    assert again.names["svg"].text() == "web/drawing.svg"
    again.reject()
    # another document starts from the default
    draw_shape(window, "rect", (300, 300), (340, 340))
    save(window, tmp_path / "other.strata")
    other = open_publish(qtbot, window)
    assert [f for f, c in other.checks.items() if c.isChecked()] == ["png", "pdf"]
    assert other.names["png"].text() == "other.png"
    other.reject()


def test_a_wrong_suffix_or_a_missing_folder_is_refused_in_the_dialog(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = saved_drawing(qtbot, strata_window, tmp_path)
    dialog = open_publish(qtbot, window)
    dialog.names["pdf"].setText("drawing.png")
    accept(dialog)
    assert dialog.isVisible()
    assert dialog.problem.text() == "drawing.png: a PDF file's name ends in .pdf."
    dialog.names["pdf"].setText("nowhere/drawing.pdf")
    assert dialog.problem.isHidden()  # typing clears the line
    accept(dialog)
    assert dialog.isVisible()
    assert dialog.problem.text() == f"The folder {tmp_path / 'nowhere'} does not exist."
    dialog.reject()
    assert not window.sagas.records()


def test_quitting_mid_publish_with_cancel_jobs_puts_the_files_back(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = saved_drawing(qtbot, strata_window, tmp_path)
    save(window, tmp_path / "drawing.strata")
    before = (tmp_path / "drawing.strata").read_bytes()
    draw_shape(window, "rect", (300, 300), (340, 340))
    disk = HeldFile("drawing.pdf")
    window.documents.file_ops = disk
    accept(open_publish(qtbot, window))
    (record,) = window.sagas.records()
    held_mid_batch(qtbot, window.jobs, window.sagas, record.id, disk, done=1)
    window.close()
    answer(dialog(qtbot, window, "unsaved_dialog"), QMessageBox.StandardButton.Discard)
    prompt = pending_prompt(qtbot, window)
    assert "Export PDF drawing.pdf" in prompt.listing.text()
    QTest.mouseClick(prompt.cancel_button, Qt.MouseButton.LeftButton)
    disk.let_go()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    wait_until_idle(window.jobs)
    assert window.sagas.record(record.id).state is BatchState.CANCELLED
    assert (tmp_path / "drawing.strata").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drawing.strata"]


def test_after_a_failed_publish_undo_back_to_the_saved_state_is_clean(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    """The file holds the saved state again, and the window knows it: the batch's save
    is never taken for a save of an earlier run ("not on disk")."""
    window = saved_drawing(qtbot, strata_window, tmp_path)
    disk = NamedFaults()
    disk.deny("drawing.pdf")
    window.documents.file_ops = disk
    messages: list[str] = []
    window.documents.message.connect(lambda text, _ms: messages.append(text))
    accept(open_publish(qtbot, window))
    wait_until_idle(window)
    assert window.sagas.records()[0].state is BatchState.FAILED
    assert not any("when Strata last stopped" in m for m in messages)
    assert window.isWindowModified()
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # back to the saved state
    assert not window.isWindowModified()


def test_an_undo_that_fails_for_good_says_so_and_keeps_the_backups(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = saved_drawing(qtbot, strata_window, tmp_path)
    before = (tmp_path / "drawing.strata").read_bytes()
    disk = HeldFile("drawing.pdf", then=eacces)  # fails once the save has landed
    disk.deny("drawing.strata", after=1)  # the save works; putting it back never does
    window.documents.file_ops = disk
    accept(open_publish(qtbot, window))
    (record,) = window.sagas.records()
    held_mid_batch(qtbot, window.jobs, window.sagas, record.id, disk, done=1)
    disk.let_go()
    wait_until_idle(window)
    record = window.sagas.record(record.id)
    assert record.state is BatchState.STUCK
    kept = [p for p in tmp_path.iterdir() if p.name.endswith(".bak")]
    assert [p.name[: len(".drawing.strata.publish-")] for p in kept] == [".drawing.strata.publish-"]
    assert kept[0].read_bytes() == before  # nothing lost
    batches = window.jobs_panel.batches
    assert batches is not None and batches.isVisible()
    assert batches.model.item(0, 1).text() == "Undo failed · backups kept beside the files"
    assert "backups are kept beside the files" in batches.model.item(0, 2).text()
    message = window.statusBar().currentMessage()
    assert "could not be undone" in message and kept[0].name in message
    assert [letter.name for letter in window.jobs.dead_letters()] == ["Undo Publish drawing.strata"]


def test_each_field_has_its_own_alt_key_and_tab_goes_along_the_rows(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = saved_drawing(qtbot, strata_window, tmp_path)
    dialog = open_publish(qtbot, window)
    # From the first box, Tab goes along the rows (a disabled name is skipped).
    order = []
    for _ in range(5):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget().objectName())
    assert order == [
        "publish_png_name", "publish_pdf", "publish_pdf_name", "publish_svg", "publish_scale"
    ]  # fmt: skip
    for key, widget in ((Qt.Key.Key_S, dialog.checks["svg"]), (Qt.Key.Key_L, dialog.scale),
                        (Qt.Key.Key_D, dialog.checks["pdf"])):  # fmt: skip
        QTest.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(widget.hasFocus, timeout=2000)
    # A check box's own Alt key also toggles it (a moment later: Qt animates the click).
    qtbot.waitUntil(dialog.checks["svg"].isChecked, timeout=2000)
    qtbot.waitUntil(lambda: not dialog.checks["pdf"].isChecked(), timeout=2000)
    dialog.reject()
