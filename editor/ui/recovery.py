"""Crash recovery in the window: a non-modal bar per document, and the lock question.

After a crash the next Strata offers every document that had unsaved changes in a bar
above the drawing (Krita's and LibreOffice's recovery, VS Code's hot exit; a blocking
dialog at start-up is the form people complain about most):

    Strata closed unexpectedly. Recover 12 unsaved changes to drawing.strata (last
    change 14:02)?  [Recover] [Discard]

Alt+R and Alt+D answer the top bar from anywhere in the window (window shortcuts, so a
second bar never makes them ambiguous); the next bar moves up. The bars never take focus.

`ask_locked` is asked when a file is open in another running Strata (the journal's lock,
like Vim's swap file): Open Anyway, Open Read-Only or Cancel.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from editor.journal import DocumentInfo
from editor.journal.owner import pid_of
from editor.ui.journaling import describe

RECOVER_KEY = "Alt+R"
DISCARD_KEY = "Alt+D"


class RecoveryBar(QFrame):
    """One document's offer: its line, Recover and Discard."""

    recoverRequested = Signal(object)
    discardRequested = Signal(object)

    def __init__(self, info: DocumentInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.setObjectName("recovery_bar")
        self.setAccessibleName("Recovery offer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxInformation).pixmap(16))  # fmt: skip
        self.label = QLabel(describe(info), self)
        self.label.setObjectName("recovery_text")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.recover_button = self._button("Recover", RECOVER_KEY, "recovery_recover")
        self.discard_button = self._button("Discard", DISCARD_KEY, "recovery_discard")
        self.recover_button.clicked.connect(lambda: self.recoverRequested.emit(self.info))
        self.discard_button.clicked.connect(lambda: self.discardRequested.emit(self.info))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.recover_button)
        layout.addWidget(self.discard_button)

    def _button(self, text: str, key: str, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(f"{text} ({key})")
        button.setAccessibleName(f"{text} {self.info.title}")
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return button


class RecoveryBars(QWidget):
    """The stack of recovery bars; Alt+R / Alt+D answer the top one."""

    #: The person chose Recover / Discard for a document (the window acts, then calls
    #: `remove`).
    recoverRequested = Signal(object)
    discardRequested = Signal(object)

    def __init__(self, window: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recovery_bars")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(1)
        self.bars: list[RecoveryBar] = []
        for key, signal in ((RECOVER_KEY, self.recoverRequested),
                            (DISCARD_KEY, self.discardRequested)):  # fmt: skip
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda s=signal: self._answer_top(s))
        self.hide()

    def offer(self, infos: list[DocumentInfo]) -> None:
        for info in infos:
            bar = RecoveryBar(info, self)
            bar.recoverRequested.connect(self.recoverRequested)
            bar.discardRequested.connect(self.discardRequested)
            self.bars.append(bar)
            self._layout.addWidget(bar)
        self.setVisible(bool(self.bars))

    def remove(self, info: DocumentInfo) -> None:
        for bar in list(self.bars):
            if bar.info.id == info.id:
                self.bars.remove(bar)
                bar.hide()
                bar.deleteLater()
        self.setVisible(bool(self.bars))

    def _answer_top(self, signal: Signal) -> None:
        if self.bars:
            signal.emit(self.bars[0].info)  # type: ignore[attr-defined]


LockChoice = Literal["anyway", "read_only", "cancel"]


def ask_locked(parent: QWidget, info: DocumentInfo,
               then: Callable[[LockChoice], None]) -> QMessageBox:  # fmt: skip
    """The file is open in another running Strata: open anyway, read-only, or not."""
    box = QMessageBox(parent)
    box.setObjectName("locked_dialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("File already open")
    pid = pid_of(info.owner)
    who = f"another Strata (process {pid})" if pid else "another Strata"
    box.setText(f"“{html.escape(info.name)}” is open in {who}.")
    box.setInformativeText("Editing it in two places can lose changes when both save. "
                           "Open it read-only to look, or anyway to edit it here too.")  # fmt: skip
    anyway = box.addButton("Open &Anyway", QMessageBox.ButtonRole.AcceptRole)
    read_only = box.addButton("Open &Read-Only", QMessageBox.ButtonRole.ActionRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(read_only)
    box.setEscapeButton(cancel)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(_result: int) -> None:
        clicked = box.clickedButton()
        then("anyway" if clicked is anyway else "read_only" if clicked is read_only
             else "cancel")  # fmt: skip

    box.finished.connect(answered)
    box.open()
    return box
