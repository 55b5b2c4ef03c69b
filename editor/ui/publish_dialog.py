"""File > Publish…: which files to write beside the document, remembered per document.

One row per format Publish offers (PNG, PDF, SVG): a check box and the file's name,
derived from the document's ("drawing.strata" → "drawing.png"), plus the PNG scale.
What the person chose is remembered per document (`PublishChoice`, in QSettings under
the document's resolved path; see `Settings.publish_choice` for why not in the file).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from editor.io.publish import DEFAULT_OUTPUTS, OUTPUTS, output_path


@dataclass(frozen=True, slots=True)
class PublishChoice:
    """What Publish writes for one document: (format, file name or path, chosen)."""

    rows: tuple[tuple[str, str, bool], ...]
    scale: float = 1.0

    @classmethod
    def default(cls, document: Path) -> PublishChoice:
        rows = tuple((f, output_path(document, f).name, f in DEFAULT_OUTPUTS) for f in OUTPUTS)
        return cls(rows)

    def outputs(self, document: Path) -> list[tuple[str, Path]]:
        """The chosen (format, path) pairs; a relative name is beside the document."""
        folder = document.parent
        chosen = []
        for fmt, name, on in self.rows:
            if on:
                path = Path(name).expanduser()
                chosen.append((fmt, path if path.is_absolute() else folder / path))
        return chosen

    def to_text(self) -> str:
        return json.dumps({"rows": [list(r) for r in self.rows], "scale": self.scale})

    @classmethod
    def from_text(cls, text: str, document: Path) -> PublishChoice:
        """Read a remembered choice; anything unreadable gives the default."""
        default = cls.default(document)
        try:
            data = json.loads(text)
            rows = {str(f): (str(n), bool(on)) for f, n, on in data["rows"]}
            scale = float(data.get("scale", 1.0))
        except (ValueError, TypeError, KeyError):
            return default
        merged = []
        for fmt, name, on in default.rows:
            kept, chosen = rows.get(fmt, (name, on))
            merged.append((fmt, kept or name, chosen))
        return cls(tuple(merged), scale if 0.1 <= scale <= 16.0 else 1.0)


#: Check box texts with an Alt key each, none shared with another field, &Publish or
#: &Cancel or the window's menus (File, Edit, Arrange, Tools, View, Help: a shared one only
#: moves the focus between them).
_MNEMONIC = {"png": "P&NG", "pdf": "P&DF", "svg": "&SVG"}


class PublishDialog(QDialog):
    """Choose the outputs; Publish starts the batch through `then(choice)`."""

    def __init__(
        self,
        parent: QWidget,
        document: Path,
        choice: PublishChoice,
        then: Callable[[PublishChoice], object],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("publish_dialog")
        self.setWindowTitle(f"Publish {document.name}")
        self._document = document
        self._then = then
        self.checks: dict[str, QCheckBox] = {}
        self.names: dict[str, QLineEdit] = {}
        grid = QGridLayout()
        intro = QLabel(f"Save {document.name}, then write these files beside it:")
        intro.setWordWrap(True)
        grid.addWidget(intro, 0, 0, 1, 2)
        self._add_rows(grid, choice)
        self.scale = QDoubleSpinBox()
        self.scale.setObjectName("publish_scale")
        self.scale.setAccessibleName("PNG scale")
        self.scale.setRange(0.1, 16.0)
        self.scale.setSingleStep(0.5)
        self.scale.setValue(choice.scale)
        self.scale.setSuffix(" ×")  # noqa: RUF001 (a multiplication sign)
        scale_label = QLabel("PNG sca&le:", self)
        scale_label.setBuddy(self.scale)
        grid.addWidget(scale_label, len(choice.rows) + 1, 0)
        grid.addWidget(self.scale, len(choice.rows) + 1, 1, Qt.AlignmentFlag.AlignLeft)
        self.problem = QLabel(self)
        self.problem.setObjectName("publish_problem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Publish")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _add_rows(self, grid: QGridLayout, choice: PublishChoice) -> None:
        """One row per format: its check box and its file's name."""
        for row, (fmt, name, on) in enumerate(choice.rows, start=1):
            check = QCheckBox(_MNEMONIC.get(fmt, fmt.upper()))
            check.setObjectName(f"publish_{fmt}")
            check.setChecked(on)
            edit = QLineEdit(name)
            edit.setObjectName(f"publish_{fmt}_name")
            edit.setAccessibleName(f"{fmt.upper()} file")
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("x" * 40))
            edit.setEnabled(on)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._update)
            edit.textChanged.connect(self._update)
            grid.addWidget(check, row, 0)
            grid.addWidget(edit, row, 1)
            self.checks[fmt], self.names[fmt] = check, edit

    def choice(self) -> PublishChoice:
        rows = tuple(
            (fmt, self.names[fmt].text().strip(), self.checks[fmt].isChecked())
            for fmt in self.checks
        )
        return PublishChoice(rows, self.scale.value())

    def _update(self) -> None:
        self.problem.hide()

    def _refuse(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def accept(self) -> None:
        choice = self.choice()
        for fmt, name, on in choice.rows:
            if on and not name:
                self._refuse(f"Type a file name for the {fmt.upper()}, or leave it out.")
                return
        for fmt, path in choice.outputs(self._document):
            if Path(path).suffix.lower() != f".{fmt}":
                self._refuse(f"{path.name}: a {fmt.upper()} file's name ends in .{fmt}.")
                return
            if not path.parent.is_dir():
                self._refuse(f"The folder {path.parent} does not exist.")
                return
        super().accept()
        self._then(choice)
