"""The document as a scene, kept in step with the document's change reports.

`CanvasScene` builds one `ShapeItem` per shape once, when a session is bound, and from
then on applies each `Change` to exactly the ids it names: added ids get new items,
removed ids lose theirs, changed ids take their new value, reordered ids their new z key.
A command on one shape of a 100,000-shape document touches one item. The items have no
contents of their own: the scene's `ShapeLayer` paints them (see items.py), and the
scene tells it which areas to repaint when items come and go or change stacking order.

The selection is stored once, in `session.selection`. The scene keeps no copy: items are
not selectable in Qt's sense (Qt's per-item `isSelected()` is never used), and the
selection overlay is drawn from `session.selection` whenever it or a selected shape
changes. The canvas's tools change `session.selection`; the scene only follows.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from operator import add as add_
from operator import sub
from typing import Final

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from editor.io.render import item_geometry
from editor.model import Change, Document, Shape
from editor.ui.later import call_later
from editor.ui.session import Session

from .handles import SelectionOverlay
from .items import PageItem, ShapeItem, ShapeLayer

#: Room around the page and the shapes that the view can scroll to, as a fraction of
#: the larger page side (and at least this many units).
SCROLL_MARGIN: Final = 1.0
MIN_SCROLL_MARGIN: Final = 2000.0
#: The scene builds its BSP index this long after its items at the latest (normally
#: right after its first paint; see CanvasScene.build).
INDEX_DELAY_MS: Final = 500
#: Half the diagonal of a rect, as a fraction of its larger side, at most: 1/sqrt(2).
_HALF_DIAGONAL: Final = 0.7072


class CanvasScene(QGraphicsScene):
    """Items for one session's document: the page, one item per shape, selection cues."""

    #: A document change has been applied to the items: Signal(Change).
    documentChanged = Signal(object)

    def __init__(
        self, session: Session, parent: QObject | None = None, *, build: bool = True
    ) -> None:
        """A scene for `session`; ``build=False`` leaves the shape items to `build()`.

        The canvas builds after handing the (still empty) scene to its view:
        QGraphicsView.setScene() costs ~0.6 µs per item already in the scene (60 ms for
        100,000), while adding items to a scene that has its view costs no more.
        """
        super().__init__(parent)
        self.session = session
        self.document: Document = session.document
        self._items: dict[str, ShapeItem] = {}
        self._built = False
        self._indexed = False
        self._unsubscribe: Callable[[], None] | None = None
        self.page_item = PageItem(self.document.page)
        self.addItem(self.page_item)
        self.overlay = SelectionOverlay()
        self.addItem(self.overlay)
        #: Paints every shape item (see items.py: why one layer, not each item).
        self.layer = ShapeLayer(self.page_item.page_rect())
        self.addItem(self.layer)
        self._content = QRectF()
        #: The scene rect we set; None until then (asking Qt for it would make it
        #: compute the bounding rect of every item).
        self._scene_rect: QRectF | None = None
        self._update_scene_rect()
        if build:
            self.build()

    def close(self) -> None:
        """Stop following the session (the canvas is switching to another document)."""
        if self._unsubscribe is None:
            return
        self._unsubscribe()
        self._unsubscribe = None
        with contextlib.suppress(RuntimeError, TypeError):  # the session is already gone
            self.session.selection.changed.disconnect(self.refresh_overlay)

    # ---------------------------------------------------------------- building
    def build(self) -> None:
        """Make one item per shape and start following the document (once).

        The hot loop of opening a document: ~6 µs per shape (100,000 shapes: ~0.6 s).
        The content's bounds (for the scroll area) come from each item's centre and a
        radius that covers it at any rotation, instead of itemsBoundingRect(), which
        calls every item's Python boundingRect() (~90 ms more for 100,000).

        Index: items go in without one (Qt would otherwise re-balance its BSP tree as it
        grows), and the scene keeps none until just *after* the first paint: the shape
        layer paints that one from the document's order, and Qt's own paint pass over
        items without contents costs ~0.3 µs each without an index, while building the
        BSP tree costs ~1.5 µs each (a Python boundingRect() call per item): 0.15 s of
        the first paint of 100,000 shapes. Right after that paint (or after
        `INDEX_DELAY_MS` if the scene is not shown) the BSP index is built, before the
        first mouse move needs it; until then queries scan every item, correctly.
        """
        if self._built:
            raise RuntimeError("the scene is already built")
        self._built = True
        doc = self.document
        items = self._items
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        z_of = doc.z_of
        add = self.addItem
        xs: list[float] = []
        ys: list[float] = []
        reaches: list[float] = []
        # The cyclic GC would run dozens of times over the growing heap while 100,000
        # items (with their dicts and rects) are made; nothing made here is a cycle.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for shape in doc:
                geometry = item_geometry(shape)
                xs.append(geometry[0])
                ys.append(geometry[1])
                reaches.append(geometry[3])
                item = ShapeItem(shape, z_of(shape.id), geometry, True)
                add(item)
                items[shape.id] = item
        finally:
            if collecting:
                gc.enable()
        call_later(self, INDEX_DELAY_MS, self._warm_index)
        if items:
            # Centre +- a radius covering the item at any rotation: (larger side) / sqrt(2).
            reach = [r * _HALF_DIAGONAL for r in reaches]
            left, right = min(map(sub, xs, reach)), max(map(add_, xs, reach))
            top, bottom = min(map(sub, ys, reach)), max(map(add_, ys, reach))
            self._content = QRectF(left, top, right - left, bottom - top)
            self.layer.set_content(self._content)
        self._update_scene_rect()
        self._unsubscribe = doc.subscribe(self._on_change)
        self.session.selection.changed.connect(self.refresh_overlay)
        self.refresh_overlay()

    def shape_items_in_order(self) -> Iterator[ShapeItem]:
        """Every shape item, bottom to top (the document's order is the items' z order).

        For the shape layer (see ShapeLayer).
        """
        return filter(None, map(self._items.get, self.document.ids()))

    def layer_painted(self) -> None:
        """The shape layer has painted for the first time: build the index now."""
        self._warm_index()

    def _warm_index(self) -> None:
        """Switch to the BSP index and build it now (any query does), once."""
        if self._indexed:
            return
        self._indexed = True
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        # A new BSP index learns the scene rect only from sceneRectChanged; without it
        # the tree covers a null rect and every query visits every item (a Python
        # boundingRect() call each: 10 ms per query for 10,000 shapes). Announce it.
        rect = self._scene_rect
        if rect is not None:
            self.setSceneRect(rect.adjusted(0.0, 0.0, 1.0, 0.0))
            self.setSceneRect(rect)
        self.items(QRectF(0.0, 0.0, 1.0, 1.0))

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
        for shape_id in change.removed:
            item = items.pop(shape_id, None)
            if item is not None:
                item.repaint_area()
                self.removeItem(item)
        grown = QRectF()
        for shape_id in change.added:
            shape = doc.get(shape_id)
            if shape is None:  # removed again by a later listener's action
                continue
            item = ShapeItem(shape, doc.z_of(shape_id), None, True)
            self.addItem(item)
            items[shape_id] = item
            item.repaint_area()
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
            self.layer.update()
        else:
            for shape_id in change.reordered:
                item = items.get(shape_id)
                if item is not None:
                    item.setZValue(doc.z_of(shape_id))
                    item.repaint_area()
        if change.page:
            self.page_item.set_page(doc.page)
        if change.page or not self._content.contains(grown):
            self._content = self._content.united(grown)
            self.layer.set_content(self._content)
            self._update_scene_rect()
        selection = self.session.selection
        if selection and any(i in selection for i in change.changed):
            self.refresh_overlay()  # (removed ids leave the selection, which refreshes it)
        self.documentChanged.emit(change)

    def _update_scene_rect(self) -> None:
        """Page and content plus room to scroll. Never shrinks within a session."""
        page = self.page_rect()
        area = page.united(self._content) if not self._content.isNull() else page
        margin = max(MIN_SCROLL_MARGIN, SCROLL_MARGIN * max(page.width(), page.height()))
        wanted = area.adjusted(-margin, -margin, margin, margin)
        current = self._scene_rect
        if current is None or not current.contains(wanted):
            rect = wanted if current is None else wanted.united(current)
            self._scene_rect = rect
            self.setSceneRect(rect)
            self.layer.set_rect(rect)

    # ---------------------------------------------------------------- selection
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
