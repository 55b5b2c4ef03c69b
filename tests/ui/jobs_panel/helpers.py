"""Reading and driving the Jobs panel the way a person does: cells, rows, clicks, keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTableView, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from editor.ui.jobs_panel import JobsPanel
from editor.ui.jobs_panel.models import DeadColumn, JobColumn


def job_row(panel: JobsPanel, job_id: int) -> dict[str, str]:
    """The Queue tab's row of `job_id` as {column name: text} (after a flush)."""
    model = panel.queue_model()
    row = model.row_of(job_id)
    assert row >= 0, f"job {job_id} is not listed"
    return {c.name.lower(): model.index(row, c).data() for c in JobColumn}


def dead_rows(panel: JobsPanel) -> list[dict[str, str]]:
    model = panel.dead_model()
    return [
        {c.name.lower(): model.index(row, c).data() for c in DeadColumn}
        for row in range(model.rowCount())
    ]


def click_row(qtbot: QtBot, view: QTableView, row: int) -> None:
    """A real left click on a row's first cell."""
    index = view.model().index(row, 0)
    view.scrollTo(index)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )


def button(panel: JobsPanel, action: str) -> QToolButton:
    """The tool button of a panel action ("retry", "cancel", ...)."""
    found = panel.findChild(QToolButton, f"jobs_{action}_button")
    assert found is not None, action
    return found


def click(qtbot: QtBot, widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def message_box(qtbot: QtBot, parent: QWidget, name: str) -> QMessageBox:
    found: list[QMessageBox] = []

    def present() -> bool:
        found[:] = [w for w in parent.findChildren(QMessageBox, name) if w.isVisible()]
        return bool(found)

    qtbot.waitUntil(present, timeout=3000)
    return found[0]
