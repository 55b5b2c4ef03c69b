"""The Queue tab: rows follow the queue, Cancel works on queued and running jobs, finished
jobs stay until "Clear Finished", and the panel's keys beat the window's shortcuts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QMainWindow,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QToolButton,
)
from pytestqt.qtbot import QtBot

from editor.jobs import JobLog, JobQueue, JobRecord, JobState
from editor.ui.jobs_panel import DeadLetterNotice, JobsPanel, JobsSummary
from editor.ui.jobs_panel.models import PROGRESS_ROLE

from .conftest import MakePanel, MakeQueue, Opened, Settle, save_job, show
from .fakes import BlockingDisk, FaultyDisk, eio
from .helpers import button, click, click_row, job_row


def release_when_cancelled(queue: JobQueue, disk: BlockingDisk) -> None:
    """The blocked write returns once a cancel is requested (its next check() raises)."""

    def on_state(record: JobRecord) -> None:
        if record.cancel_requested:
            disk.proceed.set()

    queue.state_changed.connect(on_state)


def test_cancel_a_queued_job_with_the_button(
    make_queue: MakeQueue, make_panel: MakePanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    queue = make_queue(max_workers=1)
    panel = make_panel(queue)
    disk = BlockingDisk()
    running = queue.submit(save_job(tmp_path / "a.strata", disk, 1))
    waiting = queue.submit(save_job(tmp_path / "b.strata", FaultyDisk(), 2))
    panel.flush()
    assert job_row(panel, running)["state"] == "Running"
    assert job_row(panel, waiting)["state"] == "Queued"
    assert job_row(panel, waiting)["attempt"] == "0/5"
    assert not button(panel, "cancel").isEnabled()  # nothing selected

    click_row(qtbot, panel.queue_view(), panel.queue_model().row_of(waiting))
    click(qtbot, button(panel, "cancel"))
    assert queue.record(waiting).state is JobState.CANCELLED
    assert job_row(panel, waiting)["state"] == "Cancelled"
    assert not button(panel, "cancel").isEnabled()
    assert not (tmp_path / "b.strata").exists()

    disk.proceed.set()
    settle(queue)
    panel.flush()
    assert job_row(panel, running)["state"] == "Succeeded"
    assert job_row(panel, running)["progress"] == ""


def test_delete_cancels_a_running_job_at_its_next_check(
    queue: JobQueue, make_panel: MakePanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    panel = make_panel(queue, active=True)
    disk = BlockingDisk()
    release_when_cancelled(queue, disk)
    job_id = queue.submit(save_job(tmp_path / "a.strata", disk))
    assert disk.writing.wait(5)
    panel.flush()
    assert job_row(panel, job_id)["state"] == "Running"
    assert panel.queue_model().ticker.isActive()  # its duration counts up

    click_row(qtbot, panel.queue_view(), 0)
    qtbot.keyClick(panel.queue_view(), Qt.Key.Key_Delete)
    assert job_row(panel, job_id)["state"] == "Cancelling…"
    settle(queue)
    panel.flush()
    assert job_row(panel, job_id)["state"] == "Cancelled"
    assert queue.record(job_id).state is JobState.CANCELLED
    assert not panel.queue_model().ticker.isActive()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs"]  # no file, no temp file


def test_progress_is_painted_as_a_bar_while_running(
    queue: JobQueue, panel: JobsPanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    disk = BlockingDisk()
    job_id = queue.submit(save_job(tmp_path / "a.strata", disk))
    assert disk.writing.wait(5)
    panel.flush()
    view = panel.queue_view()
    model = panel.queue_model()
    # A progress report as a running job sends it (the header chunk is still blocked).
    queue.progress_changed.emit(job_id, 0.4, "Saving a.strata")
    panel.flush()
    index = model.index(model.row_of(job_id), 3)
    assert index.data() == "40 %"
    assert index.data(PROGRESS_ROLE) == 0.4
    image = view.viewport().grab()  # paints through the delegate
    assert not image.isNull()
    disk.proceed.set()
    settle(queue)


def test_finished_jobs_stay_until_clear_finished(
    queue: JobQueue, panel: JobsPanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    ids = [queue.submit(save_job(tmp_path / f"{n}.strata", FaultyDisk(), n)) for n in range(3)]
    settle(queue)
    panel.flush()
    assert [job_row(panel, i)["state"] for i in ids] == ["Succeeded"] * 3
    assert button(panel, "clear_finished").isEnabled()
    click(qtbot, button(panel, "clear_finished"))
    assert panel.queue_model().rowCount() == 0
    assert queue.records() == ()
    assert not button(panel, "clear_finished").isEnabled()


def test_only_the_latest_finished_jobs_are_kept(
    make_queue: MakeQueue, make_panel: MakePanel, settle: Settle, tmp_path: Path
) -> None:
    queue = make_queue(max_finished=3, max_workers=1)  # finishing in submission order
    panel = make_panel(queue)
    for n in range(6):
        queue.submit(save_job(tmp_path / f"{n}.strata", FaultyDisk(), n))
    settle(queue)
    panel.flush()
    assert [r.name for r in panel.queue_model().records()] == [
        "Save 3.strata",
        "Save 4.strata",
        "Save 5.strata",
    ]
    assert panel.queue_model().records() == queue.records()


def test_show_folder_and_copy_in_the_queue_tab(
    queue: JobQueue, make_panel: MakePanel, settle: Settle, qtbot: QtBot, tmp_path: Path,
    opened: Opened,
) -> None:  # fmt: skip
    panel = make_panel(queue, active=True)
    queue.submit(save_job(tmp_path / "a.strata", FaultyDisk()))
    settle(queue)
    panel.flush()
    click_row(qtbot, panel.queue_view(), 0)
    click(qtbot, button(panel, "show_job_folder"))
    assert opened == [tmp_path]
    qtbot.keyClick(panel.queue_view(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text().startswith("Save a.strata\tSucceeded\t1/5\t")


def test_panel_keys_win_over_the_windows_shortcuts_while_a_table_has_focus(
    queue: JobQueue, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    deleted: list[bool] = []
    delete = QAction("Delete shapes", window)
    delete.setShortcut(QKeySequence("Del"))
    delete.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    delete.triggered.connect(lambda: deleted.append(True))
    window.addAction(delete)
    panel = JobsPanel(queue)
    window.setCentralWidget(panel)
    show(qtbot, window, active=True)
    disk = FaultyDisk()
    disk.deny()
    queue.submit(save_job(tmp_path / "a.strata", disk))
    settle(queue)
    panel.show_dead_letters()
    panel.flush()
    view = panel.dead_view()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # nothing selected: no-op, and still ours
    assert deleted == [] and len(queue.dead_letters()) == 1
    click_row(qtbot, view, 0)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert deleted == [] and queue.dead_letters() == ()
    panel.details().setFocus()  # outside the tables the window's shortcut applies
    qtbot.keyClick(panel.details(), Qt.Key.Key_Delete)
    assert deleted == [True]


def test_context_menus_offer_the_actions_with_their_keys(panel: JobsPanel) -> None:
    for view, expected in (
        (panel.queue_view(), {"Cancel Job": "Del", "Copy": "Ctrl+C"}),
        (
            panel.dead_view(),
            {"Retry": "Ctrl+R", "Retry All": "Ctrl+Shift+R", "Discard": "Del",
             "Copy Traceback": "Ctrl+C", "Discard All…": "Ctrl+Shift+Del"},
        ),
    ):  # fmt: skip
        assert view.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
        keys = {a.text().replace("&", ""): a.shortcut().toString() for a in view.actions()}
        for text, key in expected.items():
            assert keys[text] == key


def test_tabs_and_keyboard_navigation(
    queue: JobQueue, make_panel: MakePanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    panel = make_panel(queue, active=True)
    ids = [queue.submit(save_job(tmp_path / f"{n}.strata", FaultyDisk(), n)) for n in range(3)]
    settle(queue)
    panel.flush()
    assert panel.tabs.tabText(0) == "Queue"
    panel.setFocus()
    view = panel.queue_view()
    assert view.hasFocus()
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.currentIndex().row() == 2
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert panel.queue_model().record_at(view.currentIndex().row()).id == ids[1]
    panel.show_dead_letters()
    assert panel.tabs.currentIndex() == 1
    panel.show_queue()
    assert panel.tabs.currentIndex() == 0


def test_every_control_has_an_accessible_name(
    queue: JobQueue, panel: JobsPanel, qtbot: QtBot
) -> None:
    summary = JobsSummary(queue)
    notice = DeadLetterNotice(queue)
    qtbot.addWidget(summary)
    qtbot.addWidget(notice)
    for root in (panel, summary, notice):
        widgets = [
            root,
            *root.findChildren(QAbstractButton),
            *root.findChildren(QTabWidget),
            *root.findChildren(QAbstractItemView),
            *root.findChildren(QPlainTextEdit),
        ]
        unnamed = [w for w in widgets if not w.accessibleName() and not _qt_internal(w)]
        assert unnamed == [], [(type(w).__name__, w.objectName()) for w in unnamed]


def _qt_internal(widget: object) -> bool:
    """Scroll arrows of a tab bar, which Qt names itself (by their tooltip)."""
    return isinstance(widget, QToolButton) and isinstance(widget.parent(), QTabBar)


def test_a_clicked_row_enables_its_actions(
    queue: JobQueue, panel: JobsPanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    queue.submit(save_job(tmp_path / "a.strata", FaultyDisk()))
    settle(queue)
    panel.flush()
    view = panel.queue_view()
    rect = view.visualRect(panel.queue_model().index(0, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.selectionModel().isRowSelected(0)
    assert panel.action("show_job_folder").isEnabled()


def test_cancel_a_job_waiting_for_a_retry(
    queue: JobQueue, panel: JobsPanel, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    job_id = queue.submit(save_job(tmp_path / "a.strata", FaultyDisk(eio)))
    settle(queue)
    panel.flush()
    assert job_row(panel, job_id)["state"] == "Retrying in 4 s"
    click_row(qtbot, panel.queue_view(), 0)
    click(qtbot, button(panel, "cancel"))
    assert queue.record(job_id).state is JobState.CANCELLED
    assert job_row(panel, job_id)["state"] == "Cancelled"
    assert not panel.queue_model().ticker.isActive()


def test_views_may_die_before_the_queue_and_the_queue_before_the_views(
    queue: JobQueue, settle: Settle, qtbot: QtBot, tmp_path: Path
) -> None:
    views = [JobsPanel(queue), JobsSummary(queue), DeadLetterNotice(queue)]
    for view in views:
        view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    disk = FaultyDisk()
    disk.deny()
    queue.submit(save_job(tmp_path / "a.strata", disk))  # events reach no dead view
    settle(queue)

    other = JobQueue(log=JobLog(stderr=False, file=False))
    panel, summary, notice = JobsPanel(other), JobsSummary(other), DeadLetterNotice(other)
    other.submit(save_job(tmp_path / "b.strata", disk, 2))
    qtbot.waitUntil(lambda: not other.has_threads(), timeout=5000)
    other.shutdown()
    other.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    panel.flush()  # updates still pending when the queue went away do nothing
    summary.refresh()
    notice.refresh()
    assert summary.text() == "No jobs"
