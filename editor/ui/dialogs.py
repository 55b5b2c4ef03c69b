"""Dialogs. All are window-modal and opened with open(), never exec(): the event loop keeps
running (background saves finish, the canvas repaints) and tests can drive them."""

from __future__ import annotations

import html
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor import __version__
from editor.journal import Journal
from editor.ui.field_keys import UNDO_RULE
from editor.ui.regions import KEYBOARD_PATH
from editor.ui.settings import MAX_SAVE_RETRY_WINDOW, Settings
from editor.ui.shortcuts import ShortcutGroup

STRATA_FILTER = "Strata drawings (*.strata)"
EXPORT_FILTERS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)", "pdf": "PDF (*.pdf)"}


def show_error(parent: QWidget, title: str, text: str, detail: str = "") -> QMessageBox:
    """A non-blocking error box; returned so callers and tests can find it."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok,
                      parent)  # fmt: skip
    box.setObjectName("error_dialog")
    if detail:
        box.setInformativeText(detail)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


Choice = QMessageBox.StandardButton


def ask_unsaved(
    parent: QWidget, name: str, then: Callable[[Choice], None], *, note: str = ""
) -> QMessageBox:
    """Save / Discard / Cancel for a modified document; calls `then(choice)` when answered.
    `note` (a save already in progress, say) is added to the explanation."""
    box = QMessageBox(parent)
    box.setObjectName("unsaved_dialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"Save the changes to “{html.escape(name)}” before closing?")
    lost = "Your changes will be lost if you don't save them."
    box.setInformativeText(f"{note}\n\n{lost}" if note else lost)
    box.setStandardButtons(Choice.Save | Choice.Discard | Choice.Cancel)
    box.setDefaultButton(Choice.Save)
    box.setEscapeButton(Choice.Cancel)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(_result: int) -> None:
        button = box.clickedButton()
        choice = box.standardButton(button) if button is not None else Choice.Cancel
        then(choice if choice != Choice.NoButton else Choice.Cancel)

    box.finished.connect(answered)
    box.open()
    return box


def file_dialog(
    parent: QWidget,
    title: str,
    directory: str,
    filters: list[str],
    then: Callable[[Path], object],
    *,
    save: bool,
    suffix: str = "",
) -> QFileDialog:
    """A Qt (non-native) file dialog opened asynchronously; `then(path)` on accept."""
    dialog = QFileDialog(parent, title, directory, ";;".join(filters))
    dialog.setObjectName("save_dialog" if save else "open_dialog")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(
        QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen
    )
    dialog.setFileMode(QFileDialog.FileMode.AnyFile if save else QFileDialog.FileMode.ExistingFile)
    if suffix:
        dialog.setDefaultSuffix(suffix)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        files = dialog.selectedFiles()
        if files:
            then(Path(files[0]))

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog


class ExportDialog(QDialog):
    """Choose where and how to export: format, PNG scale, file name.

    The file field is wide enough for a real path. A relative path is taken relative to
    the suggested file's folder (the drawing's folder, or the last one used), never to
    the folder Strata was started in. A path into a folder that does not exist is refused
    here, with a line saying so, instead of failing later as a dead job.
    """

    #: The file field is at least this many "x" wide (a typical full path fits).
    PATH_CHARS = 80

    def __init__(
        self, parent: QWidget, suggested: Path, then: Callable[[Path, str, float], object]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export")
        self._then = then
        self._folder = suggested.parent
        self.format = QComboBox()
        self.format.setAccessibleName("Export format")
        for key, label in EXPORT_FILTERS.items():
            self.format.addItem(label.split(" (")[0], key)
        self.scale = QDoubleSpinBox()
        self.scale.setAccessibleName("PNG scale")
        self.scale.setRange(0.1, 16.0)
        self.scale.setSingleStep(0.5)
        self.scale.setValue(1.0)
        self.scale.setSuffix(" ×")  # noqa: RUF001 (a multiplication sign)
        self.path = QLineEdit(str(suggested.with_suffix(".png")))
        self.path.setObjectName("export_path")
        self.path.setAccessibleName("Export file")
        self.path.setMinimumWidth(self.path.fontMetrics().horizontalAdvance("x" * self.PATH_CHARS))
        self.problem = QLabel(self)
        self.problem.setObjectName("export_problem")
        self.problem.setAccessibleName("Export problem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.hide()
        self.path.textChanged.connect(lambda _text: self.problem.hide())
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        format_label = QLabel("&Format:")
        format_label.setBuddy(self.format)
        scale_label = QLabel("&Scale:")
        scale_label.setBuddy(self.scale)
        file_label = QLabel("F&ile:")
        file_label.setBuddy(self.path)
        form.addRow(format_label, self.format)
        form.addRow(scale_label, self.scale)
        form.addRow(file_label, row)
        form.addRow("", self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _format_changed(self) -> None:
        fmt = self.format.currentData()
        self.scale.setEnabled(fmt == "png")
        text = self.path.text().strip()
        if text:
            self.path.setText(str(Path(text).with_suffix(f".{fmt}")))

    def _browse(self) -> None:
        fmt = self.format.currentData()
        file_dialog(self, "Export to", str(self._target()), [EXPORT_FILTERS[fmt]],
                    lambda p: self.path.setText(str(p)), save=True, suffix=fmt)  # fmt: skip

    def _target(self) -> Path:
        """The file the field names: `~` expanded, relative to the suggested folder."""
        path = Path(self.path.text().strip()).expanduser()
        return path if path.is_absolute() else self._folder / path

    def _refuse(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.path.setFocus()

    def accept(self) -> None:
        if not self.path.text().strip():
            self._refuse("Type a file name, or choose one with Browse…")
            return
        fmt = self.format.currentData()
        path = self._target()
        if path.suffix.lower() != f".{fmt}":
            path = path.with_name(path.name + f".{fmt}")
        folder = path.parent
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            self._refuse(f"The folder {folder} {what}. Choose another with Browse…")
            return
        if path.is_dir():
            self._refuse(f"{path} is a folder. Type a file name.")
            return
        super().accept()
        self._then(path, fmt, self.scale.value() if fmt == "png" else 1.0)


#: Sections of the F1 help below the table: (object name, title, text).
KEYBOARD_NOTES: tuple[tuple[str, str, str], ...] = (
    ("undo_rule", "Undo while a field has the focus", UNDO_RULE),
    ("keyboard_path", "Moving around with the keyboard", KEYBOARD_PATH),
)


#: Keys that are no menu's action, listed after the menus' groups in the F1 list.
CANVAS_KEYS: ShortcutGroup = (
    "Canvas",
    [
        ("Move selection 1 px / 10 px", "Arrow keys / Shift+Arrow keys"),
        ("Constrain while drawing", "Shift (square, circle, 45° lines)"),
        ("Rotate in 15° steps", "Shift while dragging the rotation handle"),
        ("Pan", "Space+drag, middle button drag"),
        ("Zoom about the cursor", "Ctrl+wheel"),
        ("Edit a text box", "Double-click, or Enter on a selected text box"),
        ("End a polygon (Polygon tool)", "Double-click, Enter, or a click on its first corner"),
        ("Take the last corner back (Polygon tool)", "Backspace"),
        ("Add a corner to a selected polygon", "Ctrl+click on an edge"),
        ("Delete a selected corner", "Delete, Backspace (click its handle first)"),
        ("Cancel gesture / back to Select", "Escape"),
    ],
)


def show_shortcuts(parent: QWidget, groups: list[ShortcutGroup]) -> QDialog:
    """The keyboard shortcuts: one titled section per group (the menus, then the canvas)."""
    dialog = QDialog(parent)
    dialog.setObjectName("shortcuts_dialog")
    dialog.setWindowTitle("Keyboard Shortcuts")
    sections = [*groups, CANVAS_KEYS]
    table = QTableWidget(sum(1 + len(rows) for _title, rows in sections), 2)
    table.setObjectName("shortcuts_table")
    table.setHorizontalHeaderLabels(["Action", "Keys"])
    row = 0
    for title, rows in sections:
        heading = QTableWidgetItem(title)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
        table.setItem(row, 0, heading)
        table.setSpan(row, 0, 1, 2)
        row += 1
        for action, keys in rows:
            table.setItem(row, 0, QTableWidgetItem(action))
            table.setItem(row, 1, QTableWidgetItem(keys))
            row += 1
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setShowGrid(False)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    for name, title, text in KEYBOARD_NOTES:
        note = QLabel(f"<b>{html.escape(title)}</b><br>{html.escape(text)}")
        note.setObjectName(name)
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(note)
    layout.addWidget(buttons)
    dialog.resize(520, 640)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def show_about(parent: QWidget) -> QMessageBox:
    """About Strata: what it is, its version, its licence and the project behind it."""
    box = QMessageBox(parent)
    box.setObjectName("about_dialog")
    box.setWindowTitle("About Strata")
    box.setIconPixmap(parent.windowIcon().pixmap(64))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(f"<b>Strata {html.escape(__version__)}</b>")
    box.setInformativeText(
        "A text-and-shape editor in which every change is one undoable step. "
        "Saving and exporting run in the background and never freeze the window."
        f"<p>Licence: {html.escape(licence())}.<br>The Strata project: an open-source "
        "editor whose source, documentation (README.md, docs/) and tests come together."
        "</p>"
        f"<p>Qt {html.escape(qVersion())}, PySide6 {html.escape(PySide6.__version__)}</p>"
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def licence() -> str:
    """The licence in the installed package's metadata (pyproject.toml's `license`)."""
    try:
        meta = metadata("strata")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "MIT"
    fields = meta.json
    return str(fields.get("license_expression") or fields.get("license") or "MIT")


class PreferencesDialog(QDialog):
    """Editor preferences, read from and written to `settings` on OK.

    The undo limit applies to documents opened or created next: QUndoStack only accepts a
    new limit while it is empty. The retry window applies to the next save.
    """

    def __init__(self, parent: QWidget, settings: Settings, journal: Journal | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferences_dialog")
        self._journal = journal
        self.setWindowTitle("Preferences")
        self._settings = settings
        self.undo_limit = QSpinBox()
        self.undo_limit.setObjectName("undo_limit")
        self.undo_limit.setAccessibleName("Undo limit")
        self.undo_limit.setRange(0, 1_000_000)
        self.undo_limit.setSpecialValueText("Unlimited")
        self.undo_limit.setValue(settings.undo_limit())
        label = QLabel("&Undo steps kept:")
        label.setBuddy(self.undo_limit)
        note = QLabel("Applies to the next document you create or open.")
        note.setWordWrap(True)
        self.save_retry_window = QSpinBox()
        self.save_retry_window.setObjectName("save_retry_window")
        self.save_retry_window.setAccessibleName("Retry failed saves for, in seconds")
        self.save_retry_window.setRange(0, MAX_SAVE_RETRY_WINDOW)
        self.save_retry_window.setSingleStep(10)
        self.save_retry_window.setSuffix(" s")
        self.save_retry_window.setSpecialValueText("A few seconds (5 tries)")
        self.save_retry_window.setValue(settings.save_retry_window())
        retry_label = QLabel("&Retry failed saves for:")
        retry_label.setBuddy(self.save_retry_window)
        retry_note = QLabel(
            "When a disk is full or failing, Strata keeps trying to save for this long, "
            "the last try at the end; the Jobs panel counts down to each try."
        )
        retry_note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(label, self.undo_limit)
        form.addRow(note)
        form.addRow(retry_label, self.save_retry_window)
        form.addRow(retry_note)
        form.addRow(self._history_group(settings))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _history_group(self, settings: Settings) -> QGroupBox:
        """Recovery and history: keep history after closing, entries kept, size, clear."""
        group = QGroupBox("Recovery and history")
        self.keep_history = QCheckBox("&Keep history after closing")
        self.keep_history.setObjectName("keep_history")
        self.keep_history.setChecked(settings.keep_history())
        self.max_entries = QSpinBox()
        self.max_entries.setObjectName("journal_max_entries")
        self.max_entries.setAccessibleName("History entries kept per document")
        self.max_entries.setRange(100, 1_000_000)
        self.max_entries.setSingleStep(1000)
        self.max_entries.setGroupSeparatorShown(True)
        self.max_entries.setValue(settings.journal_max_entries())
        entries_label = QLabel("History &entries kept per document:")
        entries_label.setBuddy(self.max_entries)
        self.journal_size = QLabel()
        self.journal_size.setObjectName("journal_size")
        self.clear_history = QPushButton("&Clear History of Closed Documents")
        self.clear_history.setObjectName("clear_history")
        self.clear_history.clicked.connect(self._clear_closed)
        self.clear_history.setEnabled(self._journal is not None and self._journal.available)
        form = QFormLayout(group)
        form.addRow(self.keep_history)
        form.addRow(entries_label, self.max_entries)
        form.addRow("Recovery data on disk:", self.journal_size)
        form.addRow(self.clear_history)
        self._show_size()
        return group

    def _show_size(self, note: str = "") -> None:
        journal = self._journal
        if journal is None:
            text = "not kept (no journal)"
        elif not journal.readable:
            text = f"unavailable: {journal.problem}"
        else:
            text = f"{journal.size_bytes() / 1_000_000:.1f} MB"
        self.journal_size.setText(f"{text}{note}")

    def _clear_closed(self) -> None:
        journal = self._journal
        if journal is None:
            return
        n = journal.clear_closed()
        journal.flush()
        journal.compact()
        self._show_size(f" (cleared {n} document{'' if n == 1 else 's'})")

    def accept(self) -> None:
        super().accept()
        self._settings.set_keep_history(self.keep_history.isChecked())
        self._settings.set_journal_max_entries(self.max_entries.value())
        self._settings.set_undo_limit(self.undo_limit.value())
        self._settings.set_save_retry_window(self.save_retry_window.value())
