"""The main window: wiring only. Parts do the work:

* `Canvas` (ui/canvas) — the drawing, tools, inline text;
* `PropertiesPanel`, `HistoryPanel` (ui/panels) — docks;
* `EditOperations` (ui/operations) — clipboard, delete, duplicate, z-order;
* `DocumentController` (ui/documents) — new/open/save/export and prompts;
* `PublishController` (ui/publishing) — File > Publish…, a batch run by `Sagas`;
* `Actions` (ui/actions) — every action and shortcut, in one registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QUndoGroup,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from editor.io.publish_kinds import restore_publishes
from editor.jobs import JobQueue, RetryPolicy
from editor.jobs.persist import RestoreReport
from editor.jobs.saga import Sagas
from editor.journal import DocumentInfo, Journal
from editor.model import Document, Text
from editor.ui.actions import TOOLS, Actions
from editor.ui.canvas import Canvas
from editor.ui.dialogs import PreferencesDialog, show_about, show_shortcuts
from editor.ui.documents import DocumentController
from editor.ui.field_keys import FieldKeys
from editor.ui.job_history import (
    BOTH_UNAVAILABLE,
    JobHistory,
    open_job_history,
    queue_options,
    restored_text,
)
from editor.ui.jobs_panel import (
    DeadLetterNotice,
    JobsPanel,
    JobsSummary,
    QuitChoice,
    ask_pending_jobs,
)
from editor.ui.journaling import JournalLink
from editor.ui.later import call_later
from editor.ui.operations import EditOperations
from editor.ui.panels import HistoryPanel, PropertiesPanel
from editor.ui.publishing import PublishController
from editor.ui.recovery import RecoveryBars
from editor.ui.regions import FocusRegions, Region
from editor.ui.session import Session
from editor.ui.settings import Settings
from editor.ui.shortcuts import menu_groups

APP_NAME = "Strata"


class MainWindow(QMainWindow):
    """One editor window on one document at a time."""

    #: The window installed a new session (New, Open).
    sessionChanged = Signal()

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        jobs: JobQueue | None = None,
        journal: Journal | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`journal`: where history is journaled (crash recovery, history kept after
        closing); the window closes it when it closes. None journals nothing.
        `jobs`: the queue to use (the caller shuts it down); None: the window's own,
        which keeps its jobs in the journal's database (editor/ui/job_history.py) and
        takes back, at start, what an earlier run left there.
        `retry`: the retry policy of saves when Preferences set no retry window.
        `clock`: monotonic seconds for the pause that ends a typing step (tests)."""
        super().__init__(parent)
        self.setObjectName("strata_main_window")
        self.settings = settings if settings is not None else Settings()
        self.job_history = open_job_history(journal) if jobs is None else JobHistory()
        self.jobs = jobs if jobs is not None else JobQueue(self, **queue_options(self.job_history))
        self._owns_jobs = jobs is None
        #: What the start took back from the job store (None until then, or no store).
        self.job_restore: RestoreReport | None = None
        self._session: Session | None = None
        self._closing = False
        self._in_close_event = False

        self.undo_group = QUndoGroup(self)
        self.action_registry = Actions(self.undo_group, self)
        self.canvas = Canvas(self)
        self.dead_letter_notice = DeadLetterNotice(self.jobs, self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.recovery_bars = RecoveryBars(self, central)
        layout.addWidget(self.recovery_bars)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.dead_letter_notice)
        self.setCentralWidget(central)
        self.operations = EditOperations(self)
        self.journal_link = JournalLink(journal, self.settings, self)
        if self.job_history.store is not None:  # the same database: one line for both
            self.journal_link.unavailable_text = BOTH_UNAVAILABLE
        self.documents = DocumentController(self, self.jobs, self.settings, self.journal_link)
        self.documents.save_policy = retry
        self._history_clock = clock

        self.properties = PropertiesPanel(self)
        self.history_panel = HistoryPanel(self)
        self._properties_dock = self._dock("Properties", self.properties, "properties_dock")
        self._history_dock = self._dock("History", self.history_panel, "history_dock")
        self.sagas = Sagas(self.jobs, self)
        self.documents.batch_job = self.sagas.owns
        self.publishing = PublishController(self, self.documents, self.sagas)
        self.jobs_panel = JobsPanel(self.jobs, self, sagas=self.sagas)
        self._jobs_dock = self._dock("Jobs", self.jobs_panel, "jobs_dock")
        # Undo keys and Escape in the docks' fields (see field_keys.py).
        self.field_keys = FieldKeys(self._back_to_canvas, self)
        self.field_keys.watch([self.properties, self.history_panel, self.jobs_panel])
        # Tab/Shift+Tab and F6/Shift+F6 along canvas, Properties, History, Jobs (regions.py).
        self.regions = FocusRegions(self, [
            Region("canvas", central, lambda: True),
            Region("properties", self.properties, self._properties_dock.isVisible),
            Region("history", self.history_panel, self._history_dock.isVisible),
            Region("jobs", self.jobs_panel, self._jobs_dock.isVisible),
        ])  # fmt: skip
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._jobs_dock)
        self._jobs_dock.hide()
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self._properties_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self._history_dock)
        # Wide enough for the colour fields; a saved layout (restored below) wins.
        width = max(300, self.properties.minimumSizeHint().width())
        self.resizeDocks([self._properties_dock], [width], Qt.Orientation.Horizontal)
        # Properties gets most of the height: a text box's fields fit at 800 px high.
        self.resizeDocks([self._properties_dock, self._history_dock], [560, 200],
                         Qt.Orientation.Vertical)  # fmt: skip

        self._recent_menu = QMenu("Open &Recent", self)
        self._build_menus()
        self._build_toolbars()
        self._build_status_bar()
        self._connect()
        self.setAcceptDrops(True)
        self.resize(1200, 800)
        self._restore_layout()
        self.install_session(self.journal_link.new_session())
        self.journal_link.problem.connect(lambda text: self.statusBar().showMessage(text, 0))
        self.recovery_bars.recoverRequested.connect(self.recover)
        self.recovery_bars.discardRequested.connect(self.discard_recovery)
        QTimer.singleShot(0, self._offer_recovery)

    # ------------------------------------------------------------------ API
    @property
    def session(self) -> Session:
        assert self._session is not None
        return self._session

    @property
    def document(self) -> Document:
        """The live document (read it; change it only through commands)."""
        return self.session.document

    @property
    def undo_stack(self) -> QUndoStack:
        return self.session.history.stack

    def current_session(self) -> Session:
        return self.session

    def dialog_parent(self) -> QWidget:
        return self

    def install_session(self, session: Session) -> None:
        """Make `session` the window's document (New/Open). The old one is dropped."""
        old = self._session
        session.setParent(self)
        if self._history_clock is not None:
            session.history.clock = self._history_clock
        if not session.history.stack.count():  # a restored history keeps all its steps
            session.history.set_undo_limit(self.settings.undo_limit())
        self._session = session
        self.undo_group.addStack(session.history.stack)
        self.undo_group.setActiveStack(session.history.stack)
        self.canvas.set_session(session)
        self.properties.set_session(session)
        self.history_panel.set_session(session)
        self.operations.set_session(session)
        session.history.modifiedChanged.connect(self._update_title)
        session.history.touched.connect(self._reselect)
        session.pathChanged.connect(self._update_title)
        session.selection.changed.connect(self._selection_changed)
        if old is not None:
            self.journal_link.closed(old)
            self.undo_group.removeStack(old.history.stack)
            old.close()
            old.deleteLater()
        self._update_title()
        self._selection_changed()
        self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)
        call_later(self.canvas, 0, self.canvas.zoom_fit)
        self.sessionChanged.emit()

    def open_path(self, path: str | Path) -> bool:
        """Open a document (asks about unsaved changes first). False if it failed."""
        return self.documents.open_path(path)

    # ------------------------------------------------------------ recovery
    def _offer_recovery(self) -> None:
        """At start: say if the journal is unavailable; offer what a crash left; take
        back the jobs an earlier run left (or say once why job history is unavailable)."""
        self.journal_link.announce()
        self.recovery_bars.offer(self.journal_link.recoverable())
        self._restore_jobs()

    def _restore_jobs(self) -> None:
        """Take back the jobs an earlier run left; the status bar says what came back, or
        (once) why job history is unavailable."""
        text, timeout = self.job_history.text, 0  # unavailable: said once, and it stays
        if self._owns_jobs and self.jobs.store is not None and not self.jobs.is_shut_down:
            self.job_restore = report = self.jobs.restore()
            publishes = restore_publishes(self.jobs, self.sagas, report)
            rest = tuple(i for i in report.interrupted if not self.sagas.owns(i))
            text = restored_text(replace(report, interrupted=rest), len(publishes))
            timeout = 0 if self.job_restore.problem else 15000
        if text:
            self.statusBar().showMessage(text, timeout)
            if self.job_restore is not None and self.job_restore.dead:
                self.jobs.dead_letters_changed.connect(lambda: self._letters_handled(text))

    def _letters_handled(self, said: str) -> None:
        """The line naming earlier runs' dead letters goes once none is left."""
        if not self.jobs.dead_letters() and self.statusBar().currentMessage() == said:
            self.statusBar().clearMessage()

    def recover(self, info: DocumentInfo) -> None:
        """Recover: open the document rebuilt from the journal (after the usual prompt)."""

        def now() -> None:
            self.recovery_bars.remove(info)
            session = self.journal_link.recover(info)
            self.install_session(session)
            steps = session.history.stack.count()
            note = "" if session.path is not None or info.path is None else (
                f"; {info.name} changed on disk since, so this is a new document")  # fmt: skip
            if session.history.is_modified():
                changed = f"{info.steps} unsaved change{'' if info.steps == 1 else 's'}"
            else:  # a save the last run asked for wrote the file (the save outbox)
                changed = "saved by a save from when Strata last stopped"
            history = f"{steps} step{'' if steps == 1 else 's'} of history"
            self._show_message(f"Recovered {session.display_name} ({changed}, {history}){note}",
                               0)  # fmt: skip

        self.documents.maybe_discard(now, doing="close")

    def discard_recovery(self, info: DocumentInfo) -> None:
        self.recovery_bars.remove(info)
        self.journal_link.discard(info)
        self._show_message(f"Discarded the unsaved changes to {info.title}", 4000)

    def show_shortcuts(self) -> QDialog:
        """F1: the shortcuts of every menu, grouped as the menus are."""
        return show_shortcuts(self, menu_groups(self.menuBar(), self.action_registry.label))

    def show_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self, self.settings, self.journal_link.journal)
        dialog.open()
        return dialog

    # --------------------------------------------------------------- building
    def _dock(self, title: str, widget: QWidget, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _build_menus(self) -> None:
        a = self.action_registry
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([a["new"], a["open"]])
        file_menu.addMenu(self._recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([a["save"], a["save_as"], a["export"], a["publish"]])
        file_menu.addSeparator()
        file_menu.addActions([a["close"], a["quit"]])
        edit = bar.addMenu("&Edit")
        edit.addActions([a["undo"], a["redo"]])
        edit.addSeparator()
        edit.addActions([a["cut"], a["copy"], a["paste"], a["duplicate"], a["delete"]])
        edit.addSeparator()
        edit.addActions([a["select_all"], a["select_none"]])
        edit.addSeparator()
        edit.addAction(a["preferences"])
        arrange = bar.addMenu("&Arrange")
        arrange.addActions([a["to_front"], a["raise"], a["lower"], a["to_back"]])
        tools = bar.addMenu("&Tools")
        tools.addActions([a[f"tool_{t}"] for t in TOOLS])
        view = bar.addMenu("&View")
        view.addActions([a["zoom_in"], a["zoom_out"], a["zoom_fit"], a["zoom_actual"]])
        view.addSeparator()
        self._panels_menu = view.addMenu("&Panels")
        self._panels_menu.addAction(self._properties_dock.toggleViewAction())
        self._panels_menu.addAction(self._history_dock.toggleViewAction())
        self._panels_menu.addAction(self._jobs_dock.toggleViewAction())
        view.addAction(a["show_jobs"])
        view.addSeparator()
        view.addActions([a["next_region"], a["previous_region"]])
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([a["shortcuts"], a["about"]])
        self._recent_menu.aboutToShow.connect(self._fill_recent_menu)

    def _build_toolbars(self) -> None:
        a = self.action_registry
        main = QToolBar("Main", self)
        main.setObjectName("main_toolbar")
        main.addActions([a["new"], a["open"], a["save"]])
        main.addSeparator()
        main.addActions([a["undo"], a["redo"]])
        main.addSeparator()
        main.addActions([a["zoom_out"], a["zoom_fit"], a["zoom_in"]])
        # Icons only: "Undo Change Stroke Width of Ellipse" would make the toolbar jump.
        main.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, main)
        tools = QToolBar("Tools", self)
        tools.setObjectName("tools_toolbar")
        tools.addActions([a[f"tool_{t}"] for t in TOOLS])
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, tools)
        self._panels_menu.addSeparator()
        self._panels_menu.addAction(main.toggleViewAction())
        self._panels_menu.addAction(tools.toggleViewAction())

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self._selection_label = QLabel()
        self._selection_label.setObjectName("selection_label")
        self._zoom_label = QLabel("100 %")
        self._zoom_label.setObjectName("zoom_label")
        self._save_label = QLabel()
        self._save_label.setObjectName("save_label")
        self.jobs_summary = JobsSummary(self.jobs, self)
        self.jobs_summary.setObjectName("jobs_summary")
        bar.addPermanentWidget(self.jobs_summary)
        bar.addPermanentWidget(self._save_label)
        bar.addPermanentWidget(self._selection_label)
        bar.addPermanentWidget(self._zoom_label)

    def _connect(self) -> None:
        a, ops, docs, canvas = self.action_registry, self.operations, self.documents, self.canvas
        a.on("new", docs.new)
        a.on("open", docs.open_dialog)
        a.on("save", docs.save)
        a.on("save_as", docs.save_as_dialog)
        a.on("export", docs.export_dialog)
        a.on("publish", self.publishing.publish_dialog)
        a.on("close", docs.new)
        a.on("quit", self.close)
        a.on("cut", ops.cut)
        a.on("copy", ops.copy)
        a.on("paste", ops.paste)
        a.on("duplicate", ops.duplicate)
        a.on("delete", ops.delete)
        a.on("select_all", ops.select_all)
        a.on("select_none", ops.select_none)
        a.on("raise", lambda: ops.reorder("raise"))
        a.on("lower", lambda: ops.reorder("lower"))
        a.on("to_front", lambda: ops.reorder("front"))
        a.on("to_back", lambda: ops.reorder("back"))
        for tool in TOOLS:
            a.on(f"tool_{tool}", partial(canvas.set_tool, tool))
        a.on("zoom_in", canvas.zoom_in)
        a.on("zoom_out", canvas.zoom_out)
        a.on("zoom_fit", canvas.zoom_fit)
        a.on("zoom_actual", canvas.zoom_actual)
        a.on("preferences", self.show_preferences)
        a.on("show_jobs", self._show_jobs_by_key)
        a.on("shortcuts", self.show_shortcuts)
        a.on("next_region", lambda: self.regions.jump(forward=True))
        a.on("previous_region", lambda: self.regions.jump(forward=False))
        a.on("about", lambda: show_about(self))
        canvas.toolChanged.connect(self._tool_changed)
        canvas.editingChanged.connect(self._editing_changed)
        canvas.message.connect(self._show_message)
        canvas.zoomChanged.connect(lambda z: self._zoom_label.setText(f"{z * 100:.0f} %"))
        docs.message.connect(self._show_message)
        self.publishing.message.connect(self._show_message)
        self.publishing.attention.connect(self.show_batch)
        self.properties.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.jobs_summary.clicked.connect(
            lambda: self.show_jobs(dead=bool(self.jobs.dead_letters()))
        )
        self.dead_letter_notice.detailsRequested.connect(self._show_dead_letter)
        self.dead_letter_notice.retryRequested.connect(
            lambda _job_id: self.statusBar().showMessage("Retrying…", 3000)
        )
        # A bound method, not a lambda: a lambda holding the window, connected to a signal
        # of an object the window owns, is a cycle through C++ that Python cannot collect.
        docs.saveFinished.connect(self._update_title)
        clipboard = QApplication.clipboard()
        if clipboard is not None:
            clipboard.dataChanged.connect(self._update_actions)

    def show_batch(self, batch_id: int) -> None:
        """Show the Jobs dock on its Publish tab, on one batch."""
        self.show_jobs()
        self.jobs_panel.show_batch(batch_id)

    def show_jobs(self, *, dead: bool = False) -> None:
        """Show the Jobs dock on its Queue or Dead letters tab."""
        appearing = not self._jobs_dock.isVisible() and not self._jobs_dock.isFloating()
        self._jobs_dock.show()
        if appearing:  # a bottom dock otherwise takes half the window from the drawing
            height = max(160, self.height() // 4)
            self.resizeDocks([self._jobs_dock], [height], Qt.Orientation.Vertical)
        self._jobs_dock.raise_()
        self.jobs_panel.flush()  # what is true now (its models coalesce updates)
        if dead:
            self.jobs_panel.show_dead_letters()
        else:
            self.jobs_panel.show_queue()

    def _show_jobs_by_key(self) -> None:
        """View > Jobs (Ctrl+J): the Jobs dock, on Dead letters when there are any, with
        the keyboard in its list (Ctrl+R retries, Delete discards; Escape goes back)."""
        self.show_jobs(dead=bool(self.jobs.dead_letters()))
        self.jobs_panel.focus_list()

    def _back_to_canvas(self) -> None:
        """Escape in a dock: the keyboard goes back to the drawing."""
        self.canvas.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_dead_letter(self, job_id: int) -> None:
        self.show_jobs(dead=True)
        self.jobs_panel.show_dead_letter(job_id)

    # ------------------------------------------------------------ reactions
    def _update_title(self) -> None:
        session = self.session
        self.setWindowTitle(f"{session.display_name}[*] — {APP_NAME}")
        self.setWindowModified(session.history.is_modified())
        failed = session.last_save_error
        self._save_label.setText("⚠ Last save failed" if failed else "")
        self._save_label.setToolTip(failed or "")

    def _reselect(self, ids: tuple[str, ...], action: str) -> None:
        """After undo/redo, select what changed and scroll it into view."""
        if action == "push":
            return
        self.session.selection.set(ids)
        if ids:
            self.canvas.reveal(ids)

    def _selection_changed(self) -> None:
        n = len(self.session.selection)
        box, new = self.canvas.editing()
        if box is not None:
            self._selection_label.setText("New text box" if new else "Editing text box")
        else:
            self._selection_label.setText(f"{n} selected" if n else "")
        self._update_actions()

    def _editing_changed(self, box: object, new: bool) -> None:
        """While a new text box is edited, Properties and the status bar describe it."""
        self.properties.show_new_box(box if new and isinstance(box, Text) else None,
                                     self.canvas.restyle_new_box)  # fmt: skip
        self._selection_changed()

    def _update_actions(self) -> None:
        has = bool(self._session is not None and self.session.selection)
        for name in ("cut", "copy", "duplicate", "delete", "raise", "lower", "to_front",
                     "to_back", "select_none"):  # fmt: skip
            self.action_registry[name].setEnabled(has)
        self.action_registry["paste"].setEnabled(self.operations.can_paste())

    def _tool_changed(self, tool: str) -> None:
        action: QAction = self.action_registry[f"tool_{tool}"]
        if not action.isChecked():
            action.setChecked(True)

    def _show_message(self, text: str, timeout: int) -> None:
        self.statusBar().showMessage(text, timeout)
        self._update_title()

    def _fill_recent_menu(self) -> None:
        menu = self._recent_menu
        menu.clear()
        files = self.documents.recent_files()
        for n, path in enumerate(files, 1):
            label = f"&{n} {path.name}" if n < 10 else path.name
            action = menu.addAction(label)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _c=False, p=path: self.documents.open_path(p))
        if files:
            menu.addSeparator()
            menu.addAction("&Clear Recent Files", self.documents.clear_recent)
        else:
            empty = menu.addAction("No recent files")
            empty.setEnabled(False)

    # ------------------------------------------------------------ drag & drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData() else []
        if any(u.isLocalFile() for u in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                event.acceptProposedAction()
                path = url.toLocalFile()
                QTimer.singleShot(0, lambda path=path: self.open_path(path))
                return
        event.ignore()

    # ------------------------------------------------------------------ close
    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask about unsaved changes, then unfinished jobs; close when both are settled.

        When nothing needs asking the chain runs to `discard_and_close` inside this call
        and the event is accepted here. Calling `close()` from inside a close event does
        nothing (Qt ignores a re-entered close), which is why an unmodified window once
        ignored Ctrl+Q. When a prompt is open the event is ignored and the answer closes
        the window later, through a fresh `close()`.
        """
        if not self._closing:
            self._in_close_event = True
            try:
                self.documents.maybe_discard(self._ask_about_jobs, doing="quit")
            finally:
                self._in_close_event = False
        if not self._closing:
            event.ignore()
            return
        self._save_layout()
        self.journal_link.closed(self.session)
        if self._owns_jobs:
            self.jobs.shutdown(timeout=10)
        # After the queue: its last transitions (cancelled, succeeded) go through the
        # journal's writer, which commits what is queued when it closes.
        self.journal_link.close()
        if self.job_history.store is not None:
            self.job_history.store.close()
        # Let the canvas drop its scene: a view keeps its scene's Python object alive
        # from C++ (setScene), where the collector cannot see the cycle back through the
        # session, so a closed window's whole document stayed in memory.
        self.canvas.set_session(None)
        event.accept()

    def _ask_about_jobs(self) -> None:
        """Unsaved changes are dealt with; now the background jobs (never dropped silently)."""

        def answered(choice: QuitChoice) -> None:
            if choice != "stay":
                self.discard_and_close()

        ask_pending_jobs(self, self.jobs, answered)

    def discard_and_close(self) -> None:
        """Close without asking any more: the prompts were answered (or tests, teardown)."""
        self._closing = True
        if not self._in_close_event:  # else closeEvent, further up the stack, accepts
            self.close()

    def _save_layout(self) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.settings.sync()

    def _restore_layout(self) -> None:
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab cycle the regions (canvas, Properties, History, Jobs)."""
        return self.regions.tab(forward=next) or super().focusNextPrevChild(next)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowActivate and self._session is not None:
            self._update_actions()
        return super().event(event)
