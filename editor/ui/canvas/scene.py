"""The document as a scene, kept in step with the document's change reports.

`CanvasScene` builds one `ShapeItem` per shape once, when a session is bound, and from
then on applies each `Change` to exactly the ids it names: added ids get new items,
removed ids lose theirs, changed ids take their new value, reordered ids their new z key.
A command on one shape of a 100,000-shape document touches one item.

The scene's selection (QGraphicsItem.isSelected) mirrors `session.selection` both ways:
the canvas's tools change the session's selection and the scene follows; code that
selects items on the scene (scene.clearSelection(), item.setSelected()) updates the
session. A guard flag stops the two from echoing each other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Final

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from editor.model import Change, Document, Shape
from editor.ui.session import Session

from .handles import SelectionOverlay
from .items import PageItem, ShapeItem

#: Room around the page and the shapes that the view can scroll to, as a fraction of
#: the larger page side (and at least this many units).
SCROLL_MARGIN: Final = 1.0
MIN_SCROLL_MARGIN: Final = 2000.0


class CanvasScene(QGraphicsScene):
    """Items for one session's document: the page, one item per shape, selection cues."""

    #: A document change has been applied to the items: Signal(Change).
    documentChanged = Signal(object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.document: Document = session.document
        self._items: dict[str, ShapeItem] = {}
        self._selected: set[str] = set()
        self._syncing = False
        self.page_item = PageItem(self.document.page)
        self.addItem(self.page_item)
        self.overlay = SelectionOverlay()
        self.addItem(self.overlay)
        self._content = QRectF()
        self._build()
        self._unsubscribe = self.document.subscribe(self._on_change)
        session.selection.changed.connect(self._on_session_selection)
        self.selectionChanged.connect(self._on_scene_selection)
        self._on_session_selection()

    def close(self) -> None:
        """Stop following the session (the canvas is switching to another document)."""
        self._unsubscribe()
        with contextlib.suppress(RuntimeError, TypeError):  # the session is already gone
            self.session.selection.changed.disconnect(self._on_session_selection)
        self.selectionChanged.disconnect(self._on_scene_selection)

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        doc = self.document
        items = self._items
        # Bulk insertion without an index: Qt would otherwise re-balance its BSP tree as
        # it grows. The index is built once, on the first query or paint.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        z_of = doc.z_of
        add = self.addItem
        for shape in doc:
            item = ShapeItem(shape, z_of(shape.id))
            add(item)
            items[shape.id] = item
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self._content = self.itemsBoundingRect() if items else QRectF()
        self._update_scene_rect()

    # ----------------------------------------------------------------- queries
    def item_for(self, shape_id: str) -> ShapeItem | None:
        return self._items.get(shape_id)

    def shape_items(self) -> Iterator[ShapeItem]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def shape_at(self, point: QPointF, tolerance: float) -> ShapeItem | None:
        """The topmost shape a click at `point` picks (`tolerance` in scene units)."""
        probe = QRectF(point.x() - tolerance, point.y() - tolerance, 2 * tolerance, 2 * tolerance)
        for item in self.items(
            probe, Qt.ItemSelectionMode.IntersectsItemBoundingRect, Qt.SortOrder.DescendingOrder
        ):
            if isinstance(item, ShapeItem) and item.hit(point, tolerance):
                return item
        return None

    def ids_within(self, rect: QRectF) -> list[str]:
        """Ids of the shapes entirely inside `rect` (painted bounds), bottom to top.

        Enclosed, not touched, like Inkscape and draw.io: a rubber band drawn across a
        crowded page picks what it surrounds.
        """
        found = [
            item
            for item in self.items(
                rect, Qt.ItemSelectionMode.ContainsItemBoundingRect, Qt.SortOrder.AscendingOrder
            )
            if isinstance(item, ShapeItem)
        ]
        return [item.shape_id for item in found]

    def shapes_of(self, ids: Iterable[str]) -> list[Shape]:
        doc = self.document
        return [shape for i in ids if (shape := doc.get(i)) is not None]

    def page_rect(self) -> QRectF:
        return self.page_item.page_rect()

    # ------------------------------------------------------------------ changes
    def _on_change(self, change: Change) -> None:
        doc = self.document
        items = self._items
        self._syncing = True  # removing a selected item makes the scene report a selection
        try:
            for shape_id in change.removed:
                item = items.pop(shape_id, None)
                if item is not None:
                    self.removeItem(item)
                    self._selected.discard(shape_id)
        finally:
            self._syncing = False
        grown = QRectF()
        for shape_id in change.added:
            shape = doc.get(shape_id)
            if shape is None:  # removed again by a later listener's action
                continue
            item = ShapeItem(shape, doc.z_of(shape_id))
            self.addItem(item)
            items[shape_id] = item
            grown = grown.united(item.sceneBoundingRect())
        for shape_id in change.changed:
            item = items.get(shape_id)
            shape = doc.get(shape_id)
            if item is not None and shape is not None:
                item.set_shape(shape)
                grown = grown.united(item.sceneBoundingRect())
        if change.restacked:
            for shape_id, item in items.items():
                item.setZValue(doc.z_of(shape_id))
        else:
            for shape_id in change.reordered:
                item = items.get(shape_id)
                if item is not None:
                    item.setZValue(doc.z_of(shape_id))
        if change.page:
            self.page_item.set_page(doc.page)
        if change.page or not self._content.contains(grown):
            self._content = self._content.united(grown)
            self._update_scene_rect()
        if self._selected and any(i in self._selected for i in (*change.changed, *change.removed)):
            self.refresh_overlay()
        self.documentChanged.emit(change)

    def _update_scene_rect(self) -> None:
        """Page and content plus room to scroll. Never shrinks within a session."""
        page = self.page_rect()
        area = page.united(self._content) if not self._content.isNull() else page
        margin = max(MIN_SCROLL_MARGIN, SCROLL_MARGIN * max(page.width(), page.height()))
        wanted = area.adjusted(-margin, -margin, margin, margin)
        current = self.sceneRect()
        if not current.contains(wanted):
            self.setSceneRect(wanted.united(current) if not current.isNull() else wanted)

    # ---------------------------------------------------------------- selection
    def _on_session_selection(self) -> None:
        if self._syncing:
            return
        new = set(self.session.selection.ids())
        old = self._selected
        self._syncing = True
        try:
            items = self._items
            for shape_id in old - new:
                item = items.get(shape_id)
                if item is not None:
                    item.setSelected(False)
            for shape_id in new - old:
                item = items.get(shape_id)
                if item is not None:
                    item.setSelected(True)
        finally:
            self._syncing = False
        self._selected = new
        self.refresh_overlay()

    def _on_scene_selection(self) -> None:
        if self._syncing:
            return
        ids = [
            item.shape_id
            for item in self.selectedItems()
            if isinstance(item, ShapeItem) and item.shape_id in self._items
        ]
        self._syncing = True
        try:
            self.session.selection.set(ids)
        finally:
            self._syncing = False
        self._selected = set(self.session.selection.ids())
        self.refresh_overlay()

    def set_overlay_hidden(self, hidden: bool) -> None:
        """Hide the selection cues (while a text box is edited in place)."""
        self.overlay.setVisible(not hidden)

    def refresh_overlay(self) -> None:
        """Redraw the selection cues from the document's values of the selected shapes."""
        self.overlay.set_shapes(self.shapes_of(self.session.selection.ids()))

    def set_pixel_size(self, px: float) -> None:
        """The view's zoom changed: keep cues a constant size on screen."""
        self.overlay.set_pixel_size(px)
        self.page_item.set_pixel_size(px)

    def add_helper(self, item: QGraphicsItem) -> None:
        """Add a transient item (preview, rubber band) that is not a document shape."""
        self.addItem(item)
