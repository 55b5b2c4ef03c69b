"""The Properties panel: edit the selection's style and geometry, or the page.

Every change is a command pushed on the session's history; the panel never writes to the
document itself. Views react to the model (STYLE.md #2): the fields show what the document
holds, refreshed when the selection changes and when the document reports a change to a
selected shape (so undo and redo update them), and a refresh never pushes anything.

Rules a person can rely on:

* **One gesture, one undo step.** A slider drag is one step (press to release). Holding a
  spin-box arrow is one step: the arrow steps of one field on one selection are one open
  step of the history (`History.push(step=...)`), ended by a pause, by focus moving to a
  field, by another selection or by anything else happening on the history. Typing a
  value and pressing Enter is one step. A colour chosen in the dialog, a "None" toggle and
  a font choice are one step each.
* **Geometry edits the box.** x, y, width and height are the union of the selected shapes'
  boxes: a rectangle's, ellipse's or text box's own x/y/width/height fields (for a rotated
  box these are the unrotated box, not the rotated outline's bounds, so typing 100 into
  width makes the box 100 wide whatever its rotation) and a line's end-point bounds.
  Changing x or y moves the whole selection by the difference (`MoveShapes`). Changing
  width or height scales the selection about the union's top-left corner so that the
  union gets the new size (`SetGeometry`): each box's position and size and each line's
  end points scale by new/old along that axis. When the union has no extent on that axis
  (say, one vertical line), every shape keeps its position and gets the new extent.
* **Mixed values** show "—" (spin boxes), a hatched swatch (colours), a partially checked
  "None", or an empty font box. Changing such a field sets the value on every selected
  shape that has the property; shapes without it (a line's fill) are left alone.
* **Nothing selected** shows the page's width, height and background (`SetPage`).

Refreshing: a selection change refreshes at once; document changes to selected shapes (or
to the page when it is shown) are coalesced to the next event-loop turn, so an undo jump of
1,000 steps or a macro refreshes once. Edits never rely on what the fields show: each
reads the current values from the document when it builds its command.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Literal

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSlider,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from editor.commands import Command, GeometryChange, MoveShapes, SetGeometry, SetPage, SetStyle
from editor.commands.shapes import StyleProperty
from editor.model import (
    KINDS,
    MARKERS,
    MAX_COORD,
    MAX_FONT_SIZE,
    MAX_SIZE,
    Change,
    Document,
    Shape,
    Text,
    geometry_fields,
    geometry_of,
    kind_of,
    kind_of_shape,
    style_properties,
    style_value,
    supports_property,
)
from editor.model.shapes import MAX_STROKE_WIDTH
from editor.ui.canvas.geometry import normal_angle
from editor.ui.panels.colors import MIXED_TEXT, ColorButton
from editor.ui.panels.fields import FontField, NumberField, WheelGuard
from editor.ui.session import Session

log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]
Axis = Literal["width", "height"]


# --------------------------------------------------------------------- geometry rules
def box_of(shape: Shape) -> Box:
    """The box the geometry fields edit: a box's own fields, a line's end-point bounds."""
    return kind_of_shape(shape).geometry.extent(shape)


def union_box(shapes: Iterable[Shape]) -> Box:
    """The smallest box holding every shape's `box_of` (shapes must not be empty)."""
    boxes = [box_of(s) for s in shapes]
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return left, top, right - left, bottom - top


def resize_changes(shapes: Sequence[Shape], axis: Axis, size: float) -> tuple[GeometryChange, ...]:
    """Geometry changes giving the union of `shapes` the new width or height.

    Scales about the union's top-left corner (see the module docstring). May raise
    ValueError when a scaled coordinate leaves the document's bounds.
    """
    left, top, width, height = union_box(shapes)
    origin, old = (left, width) if axis == "width" else (top, height)
    return tuple(
        GeometryChange(
            id=shape.id,
            **kind_of_shape(shape).geometry.stretched(shape, axis, origin, old, size),
        )
        for shape in shapes
    )


# ------------------------------------------------------------------------- the panel
class _Binding:
    """Everything connecting the panel to one session, undone at once.

    Kept apart from the widget so that the panel's `destroyed` signal can undo it without
    touching the half-destroyed widget (the document would otherwise keep calling a
    listener of a deleted panel).
    """

    def __init__(self) -> None:
        self._undo: list[Callable[[], object]] = []

    def add(self, undo: Callable[[], object]) -> None:
        self._undo.append(undo)

    def connect(self, signal: Any, slot: Callable[..., object]) -> None:
        connection = signal.connect(slot)
        self.add(lambda: QObject.disconnect(connection))

    def close(self, *_: object) -> None:
        undo, self._undo = self._undo, []
        for fn in reversed(undo):
            with contextlib.suppress(RuntimeError):  # the sender is already gone
                fn()


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _row(*widgets: QWidget, stretch: bool = False) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    if stretch:  # keep the widgets at their natural size, left-aligned
        layout.addStretch(1)
    return box


#: The markers' names in the list, in the model's order (`editor.model.MARKERS`).
MARKER_NAMES: dict[str, str] = {
    "none": "None", "arrow": "Arrow", "open_arrow": "Open arrow", "circle": "Circle",
    "bar": "Bar",
}  # fmt: skip
assert tuple(MARKER_NAMES) == MARKERS


def _drop_unshown(having: dict[str, list[Shape]], kinds: set[str]) -> None:
    """Leave out of `having` the shapes of these kinds that do not show a property now
    (`Kind.unshown`: a closed polygon's end markers), so its row hides when none does."""
    if not kinds:
        return
    unshown = {KINDS[k].cls: KINDS[k].unshown for k in kinds}
    for prop, shapes in having.items():
        having[prop] = [
            s for s in shapes
            if (hidden := unshown.get(type(s))) is None or prop not in hidden(s)
        ]  # fmt: skip


def _marker_combo() -> QComboBox:
    combo = QComboBox()
    for value, name in MARKER_NAMES.items():
        combo.addItem(name, value)
    combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return combo


def _shorten(text: str, limit: int = 40) -> str:
    """A typed value as a message shows it: one line, at most `limit` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _common(values: Iterable[Any]) -> tuple[bool, Any]:
    """(True, value) when all values are equal, else (False, first value or None)."""
    first: Any = None
    seen = False
    for value in values:
        if not seen:
            first, seen = value, True
        elif value != first:
            return False, first
    return True, first


class PropertiesPanel(QWidget):
    """Edits the selected shapes' style and geometry, or the page when nothing is selected.

    The window wraps it in a "Properties" dock and calls `set_session` on New/Open.
    """

    #: A short message for the status bar ("No font called … is installed.").
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        self._binding = _Binding()
        self.destroyed.connect(self._binding.close)
        self._selected: frozenset[str] = frozenset()
        self._refreshing = False
        self._pushing = False
        #: A new text box being edited, not in the document yet (see show_new_box).
        self._new_box: Text | None = None
        self._restyle: Callable[[Text], object] | None = None
        # Document changes are coalesced: an undo jump of 1,000 steps refreshes once.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._rows: dict[str, tuple[QFormLayout, QWidget]] = {}
        self._last_colors: dict[str, str] = {}
        self._build()
        self.refresh()

    # ---------------------------------------------------------------- public API
    def session(self) -> Session | None:
        return self._session

    def show_new_box(self, box: Text | None, restyle: Callable[[Text], object] | None = None
                     ) -> None:  # fmt: skip
        """Describe a new text box being edited (None: the selection again).

        The box is not in the document until its first character is typed, so an edit
        here makes no history step: the command is applied to a scratch document holding
        just the box and `restyle(new box)` hands the result back (to the canvas, whose
        first keystroke then adds the box as styled).
        """
        self._new_box = box
        self._restyle = restyle
        self.refresh()

    def _restyle_new_box(self, session: Session, command: Command) -> None:
        box = self._new_box
        assert box is not None
        scratch = Document(session.document.page, [box])
        try:
            command.do(scratch)
        except ValueError as exc:
            log.info("property change rejected: %s", str(exc))
        else:
            styled = scratch.get(box.id)
            if isinstance(styled, Text) and self._restyle is not None:
                self._restyle(styled)  # the canvas calls show_new_box back with it
        finally:
            self.refresh()

    def set_session(self, session: Session | None) -> None:
        """Show and edit `session`; the previous session is unbound completely."""
        self._binding.close()
        self._session = session
        if session is not None:
            binding = self._binding
            binding.connect(session.selection.changed, self._on_selection_changed)
            binding.add(session.document.subscribe(self._on_document_change))
            binding.connect(session.destroyed, self._on_session_destroyed)
        self._selected = frozenset(session.selection.ids()) if session else frozenset()
        self.refresh()

    def refresh(self) -> None:
        """Show what the document holds now. Never pushes a command."""
        self._refresh_timer.stop()
        self._refreshing = True
        try:
            session = self._session
            self.setEnabled(session is not None)
            shapes = self._selected_shapes()
            self._page_box.setVisible(not shapes)
            for box in (self._style_box, self._text_box, self._geometry_box):
                box.setVisible(bool(shapes))
            if shapes:
                self._show_shapes(shapes)
            elif session is not None:
                self._show_page(session)
        finally:
            self._refreshing = False

    def minimumSizeHint(self) -> QSize:
        """As wide as the widest group of fields needs (whichever is shown), plus room for
        the vertical scroll bar: the dock can shrink in height (it scrolls), never so
        narrow that a field is cut off."""
        outer: QVBoxLayout | None = getattr(self, "_outer", None)
        if outer is None:  # still being built
            return super().minimumSizeHint()
        boxes = (self._page_box, self._style_box, self._text_box, self._geometry_box)
        margins = outer.contentsMargins()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        width = max(box.minimumSizeHint().width() for box in boxes)
        return QSize(width + margins.left() + margins.right() + bar + 2, 120)

    # ---------------------------------------------------------------------- build
    def _build(self) -> None:
        self.setAccessibleName("Properties")
        # The fields live in a scroll area: a short dock scrolls instead of squashing them,
        # and showing or hiding rows (another selection) does not change the panel's
        # minimum size, so the main window's size hints stay put.
        scroll = self._scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget(scroll)
        outer = QVBoxLayout(content)
        self._outer = outer

        # Page (nothing selected)
        self._page_box = QGroupBox("Page")
        form = QFormLayout(self._page_box)
        self.page_width = NumberField(1.0, MAX_SIZE, decimals=1)
        self.page_height = NumberField(1.0, MAX_SIZE, decimals=1)
        self.page_background = ColorButton("Page Background", "#ffffff")
        self._add(form, "page_width", "&Page width:", self.page_width, "Page width")
        self._add(form, "page_height", "Page hei&ght:", self.page_height, "Page height")
        self._add(form, "background", "&Background:", self.page_background, "Page background")
        outer.addWidget(self._page_box)

        # Style
        self._style_box = QGroupBox("Style")
        form = QFormLayout(self._style_box)
        self.fill_button = ColorButton("Fill", "#ffffff")
        self.fill_none = QCheckBox("None")
        self.stroke_button = ColorButton("Stroke", "#000000")
        self.stroke_none = QCheckBox("None")
        self.stroke_width = NumberField(0.0, MAX_STROKE_WIDTH, decimals=2, step=0.5)
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setPageStep(10)
        self.opacity_spin = NumberField(0.0, 100.0, decimals=0, step=1.0, suffix=" %")
        fill_row = _row(self.fill_button, self.fill_none, stretch=True)
        self._add(form, "fill", "&Fill:", fill_row, "Fill colour", buddy=self.fill_button)
        self.fill_none.setAccessibleName("No fill")
        self.fill_none.setObjectName("properties_no_fill")
        stroke_row = _row(self.stroke_button, self.stroke_none, stretch=True)
        self._add(form, "stroke", "&Stroke:", stroke_row, "Stroke colour", buddy=self.stroke_button)
        self.stroke_none.setAccessibleName("No stroke")
        self.stroke_none.setObjectName("properties_no_stroke")
        self._add(form, "stroke_width", "Stroke &width:", self.stroke_width, "Stroke width")
        self._add(form, "opacity", "&Opacity:", _row(self.opacity_slider, self.opacity_spin),
                  "Opacity", buddy=self.opacity_slider)  # fmt: skip
        self.opacity_spin.setAccessibleName("Opacity percent")
        self.opacity_spin.setObjectName("properties_opacity_percent")
        # Open paths' end markers: a choice each (arrow keys browse; one step a field).
        self.start_marker = _marker_combo()
        self.end_marker = _marker_combo()
        self._add(form, "start_marker", "St&art marker:", self.start_marker, "Start marker")
        self._add(form, "end_marker", "&End marker:", self.end_marker, "End marker")
        # A polygon's path: closed (a polygon) or open (a polyline). One step a click.
        self.closed = QCheckBox("Closed path")
        self._add(form, "closed", "Pat&h:", self.closed, "Closed")
        outer.addWidget(self._style_box)

        # Text
        self._text_box = QGroupBox("Text")
        form = QFormLayout(self._text_box)
        self.font_family = FontField()
        editor = self.font_family.lineEdit()
        if editor is not None:  # the combo box is editable: it has one
            editor.setPlaceholderText(MIXED_TEXT)
        self.font_size = NumberField(1.0, MAX_FONT_SIZE, decimals=1, step=1.0, suffix=" px")
        self.text_color = ColorButton("Text Colour", "#000000")
        self._add(form, "font_family", "Fo&nt:", self.font_family, "Font family")
        self._add(form, "font_size", "Font si&ze:", self.font_size, "Font size")
        self._add(form, "color", "&Text colour:", self.text_color, "Text colour")
        outer.addWidget(self._text_box)

        # Geometry
        self._geometry_box = QGroupBox("Geometry")
        form = QFormLayout(self._geometry_box)
        self.x_field = NumberField(-MAX_COORD, MAX_COORD)
        self.y_field = NumberField(-MAX_COORD, MAX_COORD)
        self.width_field = NumberField(0.0, MAX_SIZE)
        self.height_field = NumberField(0.0, MAX_SIZE)
        self._add(form, "x", "&X:", self.x_field, "X")
        self._add(form, "y", "&Y:", self.y_field, "Y")
        self._add(form, "width", "W&idth:", self.width_field, "Width")
        self._add(form, "height", "&Height:", self.height_field, "Height")
        # Boxes: degrees clockwise about the centre, shown in [-180, 180) (Inkscape's).
        self.rotation_field = NumberField(-360.0, 360.0, decimals=2, step=1.0, suffix=" °")
        self._add(form, "rotation", "&Rotation:", self.rotation_field, "Rotation")
        # One line: its end points instead of a box.
        self.x1_field = NumberField(-MAX_COORD, MAX_COORD)
        self.y1_field = NumberField(-MAX_COORD, MAX_COORD)
        self.x2_field = NumberField(-MAX_COORD, MAX_COORD)
        self.y2_field = NumberField(-MAX_COORD, MAX_COORD)
        self._add(form, "x1", "x&1:", self.x1_field, "Start x (x1)")
        self._add(form, "y1", "&y1:", self.y1_field, "Start y (y1)")
        self._add(form, "x2", "&x2:", self.x2_field, "End x (x2)")
        self._add(form, "y2", "y&2:", self.y2_field, "End y (y2)")
        for box in (self._page_box, self._style_box, self._text_box, self._geometry_box):
            box_form = box.layout()
            assert isinstance(box_form, QFormLayout)
            # Fields take the dock's width; the dock is never narrower than they need
            # (minimumSizeHint), so nothing is cut off on the right.
            box_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addWidget(self._geometry_box)
        outer.addStretch(1)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        order: list[QWidget] = [
            self.page_width, self.page_height, self.page_background,
            self.fill_button, self.fill_none, self.stroke_button, self.stroke_none,
            self.stroke_width, self.opacity_slider, self.opacity_spin,
            self.start_marker, self.end_marker, self.closed, self.font_family, self.font_size,
            self.text_color, self.x_field, self.y_field, self.width_field, self.height_field,
            self.rotation_field,
            self.x1_field, self.y1_field, self.x2_field, self.y2_field,
        ]  # fmt: skip
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self._wheel_guard = WheelGuard(self)
        self._wheel_guard.guard(
            self.page_width, self.page_height, self.stroke_width, self.opacity_slider,
            self.opacity_spin, self.start_marker, self.end_marker, self.font_family,
            self.font_size, self.x_field, self.y_field,
            self.width_field, self.height_field, self.rotation_field, self.x1_field,
            self.y1_field, self.x2_field, self.y2_field,
        )  # fmt: skip
        self._connect_fields()

    def _add(
        self,
        form: QFormLayout,
        name: str,
        text: str,
        field: QWidget,
        accessible: str,
        buddy: QWidget | None = None,
    ) -> None:
        target = buddy if buddy is not None else field
        target.setAccessibleName(accessible)
        target.setObjectName(f"properties_{name}")  # stable: docs/testing.md
        form.addRow(_label(text, target), field)
        self._rows[name] = (form, field)

    def _connect_fields(self) -> None:
        self.page_width.edited.connect(lambda v, s, p: self._edit_page("width", v, s, p))
        self.page_height.edited.connect(lambda v, s, p: self._edit_page("height", v, s, p))
        self.page_background.colorPicked.connect(self._edit_background)
        self.fill_button.colorPicked.connect(lambda c: self._commit_style("fill", c))
        self.stroke_button.colorPicked.connect(lambda c: self._commit_style("stroke", c))
        self.text_color.colorPicked.connect(lambda c: self._commit_style("color", c))
        self.fill_none.clicked.connect(lambda _: self._toggle_none("fill"))
        self.stroke_none.clicked.connect(lambda _: self._toggle_none("stroke"))
        self.stroke_width.edited.connect(
            lambda v, s, p: self._edit_number("stroke_width", self.stroke_width, v, s, p)
        )
        self.font_size.edited.connect(
            lambda v, s, p: self._edit_number("font_size", self.font_size, v, s, p)
        )
        self.opacity_slider.sliderPressed.connect(self._checkpoint)
        self.opacity_slider.sliderReleased.connect(self._checkpoint)
        self.opacity_slider.valueChanged.connect(self._on_slider_value)
        self.opacity_spin.edited.connect(self._on_opacity_spin)
        for prop, combo in (("start_marker", self.start_marker), ("end_marker", self.end_marker)):
            combo.activated.connect(
                lambda index, prop=prop, combo=combo: self._on_marker(prop, combo, index)
            )
        self.closed.clicked.connect(lambda on: self._commit_style("closed", bool(on)))
        self.font_family.committed.connect(self._on_font_family)
        self.font_family.refused.connect(
            lambda name: self.message.emit(f"No font called “{_shorten(name)}” is installed.")
        )
        self.font_family.focused.connect(self._checkpoint)
        self.x_field.edited.connect(lambda v, s, p: self._edit_position("x", v, s, p))
        self.y_field.edited.connect(lambda v, s, p: self._edit_position("y", v, s, p))
        self.width_field.edited.connect(lambda v, s, p: self._edit_size("width", v, s, p))
        self.height_field.edited.connect(lambda v, s, p: self._edit_size("height", v, s, p))
        self.rotation_field.edited.connect(self._edit_rotation)
        for end, field in (("x1", self.x1_field), ("y1", self.y1_field), ("x2", self.x2_field),
                           ("y2", self.y2_field)):  # fmt: skip
            field.edited.connect(lambda v, s, p, end=end: self._edit_end(end, v, s, p))
        for field in (self.page_width, self.page_height, self.stroke_width, self.opacity_spin,
                      self.font_size, self.x_field, self.y_field, self.width_field,
                      self.height_field, self.rotation_field, self.x1_field, self.y1_field,
                      self.x2_field, self.y2_field):  # fmt: skip
            field.focused.connect(self._checkpoint)

    # -------------------------------------------------------------------- display
    def _selected_shapes(self) -> list[Shape]:
        session = self._session
        if session is None:
            return []
        if self._new_box is not None:
            return [self._new_box]
        get = session.document.get
        return [s for i in session.selection.ids() if (s := get(i)) is not None]

    def _set_row_visible(self, name: str, visible: bool) -> None:
        form, field = self._rows[name]
        form.setRowVisible(field, visible)

    def _show_page(self, session: Session) -> None:
        page = session.document.page
        self.page_width.set_value(page.width)
        self.page_height.set_value(page.height)
        self.page_background.set_value(page.background)

    def _show_shapes(self, shapes: list[Shape]) -> None:
        # Kinds by class, looked up once per class (kind_of per shape is slow on a
        # select-all of 100,000). Lists keep the selection order: the first shape's value
        # is where stepping from "—" starts.
        kind_by_type: dict[type, str] = {}
        for shape in shapes:
            if type(shape) not in kind_by_type:
                kind_by_type[type(shape)] = kind_of(shape)
        kinds = [kind_by_type[type(shape)] for shape in shapes]
        present = set(kind_by_type.values())
        having = {
            prop: [s for s, k in zip(shapes, kinds, strict=True) if k in owners]
            if present & owners
            else []
            for prop, owners in style_properties().items()
        }
        _drop_unshown(having, {k for k in present if KINDS[k].unshown is not None})
        for prop, owners in having.items():
            self._set_row_visible(prop, bool(owners))
        self._text_box.setVisible(bool(having["font_family"]))

        self._show_color("fill", having["fill"], self.fill_button, self.fill_none)
        self._show_color("stroke", having["stroke"], self.stroke_button, self.stroke_none)
        self._show_color("color", having["color"], self.text_color, None)
        self._show_number(self.stroke_width, [s.stroke_width for s in having["stroke_width"]])
        for prop, combo in (("start_marker", self.start_marker), ("end_marker", self.end_marker)):
            same, marker = _common(getattr(s, prop) for s in having[prop])
            if having[prop]:
                blocked = combo.blockSignals(True)
                try:  # mixed: no choice shown (-1), as the font box shows none
                    combo.setCurrentIndex(combo.findData(marker) if same else -1)
                finally:
                    combo.blockSignals(blocked)
        if having["closed"]:
            same, closed = _common(style_value(s, "closed") for s in having["closed"])
            blocked = self.closed.blockSignals(True)
            try:  # mixed: partly checked, and a click closes them all
                self.closed.setTristate(not same)
                self.closed.setCheckState(
                    Qt.CheckState.PartiallyChecked if not same
                    else Qt.CheckState.Checked if closed else Qt.CheckState.Unchecked
                )  # fmt: skip
            finally:
                self.closed.blockSignals(blocked)
        self._show_number(self.font_size, [s.font_size for s in having["font_size"]
                                           if isinstance(s, Text)])  # fmt: skip

        opacities = [s.opacity for s in shapes]
        same, first = _common(opacities)
        self.opacity_spin.set_value(
            round(first * 100) if same else None, representative=round(first * 100)
        )
        blocked = self.opacity_slider.blockSignals(True)
        try:
            if not self.opacity_slider.isSliderDown():  # never yank the handle mid-drag
                self.opacity_slider.setValue(round(first * 100))
        finally:
            self.opacity_slider.blockSignals(blocked)

        families = [s.font_family for s in having["font_family"] if isinstance(s, Text)]
        same, family = _common(families)
        self.font_family.set_family(family if families and same else None)

        turning = [s for s in shapes if "rotation" in geometry_fields(s)]
        self._set_row_visible("rotation", len(turning) == len(shapes))
        self._show_number(self.rotation_field, [normal_angle(geometry_of(s)["rotation"])
                                                for s in turning])  # fmt: skip
        one_line = (
            shapes[0]
            if len(shapes) == 1 and kind_of_shape(shapes[0]).geometry.name == "ends"
            else None
        )
        for name in ("x", "y", "width", "height"):
            self._set_row_visible(name, one_line is None)
        for name in ("x1", "y1", "x2", "y2"):
            self._set_row_visible(name, one_line is not None)
        if one_line is not None:
            ends = geometry_of(one_line)
            self.x1_field.set_value(ends["x1"])
            self.y1_field.set_value(ends["y1"])
            self.x2_field.set_value(ends["x2"])
            self.y2_field.set_value(ends["y2"])
            return
        left, top, width, height = union_box(shapes)
        self.x_field.set_value(left)
        self.y_field.set_value(top)
        self.width_field.set_value(width)
        self.height_field.set_value(height)

    @staticmethod
    def _show_number(field: NumberField, values: list[float]) -> None:
        same, first = _common(values)
        if values:
            field.set_value(first if same else None, representative=first)

    def _show_color(
        self, prop: str, shapes: list[Shape], button: ColorButton, none: QCheckBox | None
    ) -> None:
        if not shapes:
            return
        values = {getattr(s, prop) for s in shapes}
        colors = values - {None}
        if len(colors) == 1:
            color = next(iter(colors))
            self._last_colors[prop] = color  # what unticking "None" brings back
            button.set_value(color)
        else:
            button.set_value(None, mixed=len(colors) > 1)
        if none is not None:
            blocked = none.blockSignals(True)
            try:
                if None in values and colors:
                    none.setTristate(True)
                    none.setCheckState(Qt.CheckState.PartiallyChecked)
                else:
                    none.setTristate(False)
                    none.setChecked(None in values)
            finally:
                none.blockSignals(blocked)

    # ------------------------------------------------------------------- pushing
    def _checkpoint(self) -> None:
        """The next edit starts a new undo step whatever it is."""
        if self._session is not None:
            self._session.history.checkpoint()

    def _push(self, make: Callable[[], Command | None], step: Hashable | None = None,
              *, timed: bool = True) -> bool:  # fmt: skip
        """Build and push one command, then show the result. False if nothing changed.

        `step` names the gesture (an arrow held on one field): see History.push. Without
        it the command is its own step (its `joinable` is False).

        A value the model rejects (out of bounds after scaling, say) is logged and the
        fields snap back to the document's values; the history is untouched.
        """
        session = self._session
        if session is None or self._refreshing:
            return False
        pushed = False
        try:
            command = make()
            if command is not None and self._new_box is not None:
                self._restyle_new_box(session, command)
                return False
            if command is not None:
                self._pushing = True
                try:
                    pushed = session.push(command, step=step, timed=timed)
                finally:
                    self._pushing = False
        except ValueError as exc:  # includes CommandError
            log.info("property change rejected: %s", str(exc))
        self.refresh()
        return pushed

    def _ids(self) -> tuple[str, ...]:
        session = self._session
        if session is None:
            return ()
        if self._new_box is not None:
            return (self._new_box.id,)
        get = session.document.get
        return tuple(i for i in session.selection.ids() if get(i) is not None)

    def _step(self, name: str, stepped: bool = True) -> Hashable | None:
        """The history step of an edit of field `name`: arrow steps of one field on one
        selection continue each other; a typed value is a step of its own (None)."""
        return ("field", name, self._selected) if stepped else None

    def _commit_style(self, prop: StyleProperty, value: Any) -> None:
        """A discrete choice (colour, "None", font): its own undo step, never joined."""
        self._set_style(prop, value, None)

    def _set_style(self, prop: StyleProperty, value: Any, step: Hashable | None,
                   *, timed: bool = True) -> None:  # fmt: skip
        ids = self._ids()
        if ids:
            self._push(lambda: SetStyle(ids, prop, value, joinable=False), step, timed=timed)

    def _toggle_none(self, prop: Literal["fill", "stroke"]) -> None:
        check = self.fill_none if prop == "fill" else self.stroke_none
        button = self.fill_button if prop == "fill" else self.stroke_button
        if check.checkState() == Qt.CheckState.Checked:
            self._commit_style(prop, None)
            return
        # Back to a colour: the one shown, else the last one this field showed.
        value = button.value()
        if value is None:
            value = self._last_colors.get(prop, button.default())
        self._commit_style(prop, value)

    def _edit_number(
        self, prop: StyleProperty, field: NumberField, value: float, stepped: bool, previous: float
    ) -> None:
        # A step adds exactly the step to the model's value (display rounding aside).
        shapes = [s for s in self._selected_shapes() if supports_property(s, prop)]
        same, current = _common(getattr(s, prop) for s in shapes)
        target = current + (value - previous) if stepped and same and shapes else value
        target = min(max(target, field.minimum()), field.maximum())
        self._set_style(prop, target, self._step(prop, stepped))

    def _on_slider_value(self, value: int) -> None:
        if self._refreshing:
            return
        if self.opacity_slider.isSliderDown():  # a drag: one step from press to release
            self._set_style("opacity", value / 100, self._step("opacity_drag"), timed=False)
        else:  # keyboard or wheel on the slider: repeats join like spin-box steps
            self._set_style("opacity", value / 100, self._step("opacity"))

    def _on_opacity_spin(self, value: float, stepped: bool, _previous: float) -> None:
        self._set_style("opacity", value / 100, self._step("opacity", stepped))

    def _on_marker(self, prop: StyleProperty, combo: QComboBox, index: int) -> None:
        """A marker chosen in the list, or browsed to with the arrow keys: browsing one
        field joins into one step, like the arrows of a spin box."""
        value = combo.itemData(index)
        if not self._refreshing and value is not None:
            self._set_style(prop, value, self._step(prop))

    def _on_font_family(self, family: str, chosen: bool) -> None:
        if not self._refreshing:  # browsing the list joins like arrow steps; typing is alone
            self._set_style("font_family", family, self._step("font_family", chosen))

    def _edit_position(self, axis: Literal["x", "y"], value: float, stepped: bool,
                       previous: float) -> None:  # fmt: skip
        shapes = self._selected_shapes()
        if not shapes:
            return
        left, top, _, _ = union_box(shapes)
        current = left if axis == "x" else top
        target = current + (value - previous) if stepped else value
        delta = target - current
        ids = tuple(s.id for s in shapes)
        dx, dy = (delta, 0.0) if axis == "x" else (0.0, delta)
        self._push(lambda: MoveShapes(ids, dx, dy, joinable=False) if delta else None,
                   self._step(axis, stepped))  # fmt: skip

    def _edit_end(self, end: Literal["x1", "y1", "x2", "y2"], value: float, stepped: bool,
                  previous: float) -> None:  # fmt: skip
        shapes = self._selected_shapes()
        if len(shapes) != 1 or kind_of_shape(shapes[0]).geometry.name != "ends":
            return
        line = shapes[0]
        current: float = getattr(line, end)
        target = current + (value - previous) if stepped else value
        values: dict[str, Any] = {end: target}
        change = GeometryChange(id=line.id, **values)
        self._push(lambda: SetGeometry((change,), joinable=False) if target != current else None,
                   self._step(end, stepped))  # fmt: skip

    def _edit_size(self, axis: Axis, value: float, stepped: bool, previous: float) -> None:
        shapes = self._selected_shapes()
        if not shapes:
            return
        _, _, width, height = union_box(shapes)
        current = width if axis == "width" else height
        target = max(0.0, current + (value - previous) if stepped else value)
        self._push(
            lambda: (
                SetGeometry(resize_changes(shapes, axis, target), joinable=False)
                if target != current
                else None
            ),
            self._step(axis, stepped),
        )

    def _edit_rotation(self, value: float, stepped: bool, previous: float) -> None:
        """Every selected box turns about its own centre: to the typed angle, or by the
        step (each from its own rotation, so a mixed selection keeps its differences)."""
        shapes = [s for s in self._selected_shapes() if "rotation" in geometry_fields(s)]
        changes = []
        for shape in shapes:
            current = normal_angle(geometry_of(shape)["rotation"])
            target = normal_angle(current + (value - previous) if stepped else value)
            if target != current:
                changes.append(GeometryChange(id=shape.id, rotation=target))
        self._push(lambda: SetGeometry(tuple(changes), joinable=False) if changes else None,
                   self._step("rotation", stepped))  # fmt: skip

    def _edit_page(self, name: Literal["width", "height"], value: float, stepped: bool,
                   previous: float) -> None:  # fmt: skip
        session = self._session
        if session is None:
            return
        current: float = getattr(session.document.page, name)
        target = max(1.0, current + (value - previous) if stepped else value)
        step = ("page", name) if stepped else None
        if name == "width":
            self._push(lambda: SetPage(width=target, joinable=False), step)
        else:
            self._push(lambda: SetPage(height=target, joinable=False), step)

    def _edit_background(self, color: str) -> None:
        self._push(lambda: SetPage(background=color, joinable=False))

    # ------------------------------------------------------------- notifications
    def _on_selection_changed(self) -> None:
        session = self._session
        self._selected = frozenset(session.selection.ids()) if session else frozenset()
        self._checkpoint()
        self.refresh()

    def _on_document_change(self, change: Change) -> None:
        if self._new_box is not None:
            return  # it shows the new box, which is not in the document
        selected = self._selected
        if selected:
            relevant = not selected.isdisjoint(change.changed) or not selected.isdisjoint(
                change.added
            )
        else:
            relevant = change.page
        if relevant and not self._pushing:
            self._refresh_timer.start()

    def _on_session_destroyed(self) -> None:
        self._binding.close()
        self._session = None
        self._selected = frozenset()
        self.refresh()
