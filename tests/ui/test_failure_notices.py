"""Failures a person can read (issue 8, item 7): the dead-letter notice's Details…, the
Jobs summary after a retry, and a canvas that does not jump when notices appear."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QToolButton
from pytestqt.qtbot import QtBot

from editor.testing import draw_shape, select, wait_until_idle
from editor.ui.main_window import MainWindow
from tests.ui.test_window_jobs import DenyingOps

OpenWindow = Callable[..., MainWindow]


def failed_save(qtbot: QtBot, window: MainWindow, target: Path) -> tuple[DenyingOps, int]:
    ops = DenyingOps()
    window.documents.file_ops = ops
    job_id = window.documents.save_to(target)
    assert job_id is not None
    wait_until_idle(window)
    qtbot.waitUntil(window.dead_letter_notice.isVisible, timeout=3000)
    return ops, job_id


def test_details_selects_the_failed_job_and_keeps_the_canvas_selection(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    first = draw_shape(window, "rect", (100, 100), (200, 160))
    draw_shape(window, "ellipse", (300, 100), (400, 160))
    window.documents.file_ops = DenyingOps()
    other = window.documents.save_to(tmp_path / "other.strata")  # an older dead letter
    wait_until_idle(window)
    _ops, job_id = failed_save(qtbot, window, tmp_path / "drawing.strata")
    select(window, first)
    QTest.mouseClick(window.dead_letter_notice.details_button, Qt.MouseButton.LeftButton)
    panel = window.jobs_panel
    qtbot.waitUntil(panel.isVisible, timeout=3000)
    view = panel.dead_view()
    panel.flush()  # batched model updates applied: the selection survives them
    rows = [i.row() for i in view.selectionModel().selectedRows()]
    assert rows == [panel.dead_model().row_of(job_id)]
    assert panel.dead_model().row_of(other) not in rows
    assert window.session.selection.ids() == (first,), "the canvas selection is kept"


def retry_in_the_panel(window: MainWindow, job_id: int) -> QLabel:
    """Select the dead letter in the Jobs dock and click Retry; the panel's message line."""
    window.show_jobs(dead=True)
    panel = window.jobs_panel
    assert panel.show_dead_letter(job_id)
    retry = panel.findChild(QToolButton, "jobs_retry_button")
    message = panel.findChild(QLabel, "jobs_message")
    assert retry is not None and message is not None
    QTest.mouseClick(retry, Qt.MouseButton.LeftButton)
    return message


def test_retrying_clears_under_the_jobs_title_once_the_retry_succeeded(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    ops, job_id = failed_save(qtbot, window, tmp_path / "drawing.strata")
    ops.denied = False
    message = retry_in_the_panel(window, job_id)
    assert message.isVisible() and message.text() == "Retrying 1 job."
    wait_until_idle(window)
    qtbot.waitUntil(lambda: not window.isWindowModified(), timeout=3000)
    qtbot.waitUntil(lambda: not message.isVisible(), timeout=3000)


def test_a_retry_that_fails_again_says_so_under_the_jobs_title(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    _ops, job_id = failed_save(qtbot, window, tmp_path / "drawing.strata")
    message = retry_in_the_panel(window, job_id)
    wait_until_idle(window)
    qtbot.waitUntil(lambda: "failed again" in message.text(), timeout=3000)
    assert message.isVisible()


def test_the_canvas_does_not_jump_when_the_notice_and_the_jobs_dock_appear(
    qtbot: QtBot, strata_window: OpenWindow, tmp_path: Path
) -> None:
    window = strata_window()
    draw_shape(window, "rect", (100, 100), (200, 160))
    canvas = window.canvas

    def page_on_screen() -> tuple[QPointF, int, int]:
        origin = canvas.viewport().mapTo(window, canvas.mapFromScene(QPointF(0, 0)))
        return QPointF(origin), canvas.viewport().width(), canvas.viewport().height()

    QTest.qWait(0)
    before = page_on_screen()
    failed_save(qtbot, window, tmp_path / "drawing.strata")
    QTest.qWait(0)
    assert page_on_screen()[0] == before[0], "the notice moved the page"
    window.show_jobs()
    QTest.qWait(0)
    assert page_on_screen()[0] == before[0], "the Jobs dock moved the page"
    window.dead_letter_notice.dismiss()
    QTest.qWait(0)
    assert page_on_screen()[0] == before[0], "closing the notice moved the page"


def test_a_dock_moved_to_the_left_does_not_move_the_drawing(strata_window: OpenWindow) -> None:
    window = strata_window()
    canvas = window.canvas
    QTest.qWait(0)

    def page_in_window() -> QPointF:
        return QPointF(canvas.viewport().mapTo(window, canvas.mapFromScene(QPointF(0, 0))))

    before = page_in_window()
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window._properties_dock)
    QTest.qWait(0)
    assert canvas.viewport().mapTo(window, canvas.viewport().rect().topLeft()).x() > 60
    assert page_in_window() == before
