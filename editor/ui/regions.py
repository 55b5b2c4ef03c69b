"""The keyboard path through the window's regions: canvas, Properties, History, Jobs.

Tab and Shift+Tab go field by field and cycle canvas -> Properties -> History -> Jobs ->
canvas (a hidden dock is skipped); F6 and Shift+F6 jump a whole region at a time and land
on the widget last used there, as in Qt Creator and most desktop editors. Escape in a dock
goes back to the canvas (see field_keys.py). Widgets outside the regions (toolbars, the
status bar's jobs button, reachable with Ctrl+J) are not stops of the cycle: Qt's own
focus chain would visit the status bar and, in a floating or re-docked panel, jump
between windows in creation order.

The stops inside a region follow Qt's focus chain (the Properties panel sets its own tab
order), so `FocusRegions` only decides which region comes next.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

#: The path as the F1 help states it.
KEYBOARD_PATH: Final = (
    "Tab and Shift+Tab go from the drawing through the Properties fields, the History "
    "list and the Jobs panel, and back to the drawing. F6 and Shift+F6 jump to the next "
    "or previous of these parts, where you were last. Escape in a panel goes back to "
    "the drawing."
)


@dataclass(frozen=True)
class Region:
    """A part of the window the keyboard can be in."""

    name: str
    root: QWidget
    #: Whether the region can take the focus now (a closed dock cannot).
    shown: Callable[[], bool]


class FocusRegions(QObject):
    """Moves the keyboard focus along the regions of one window."""

    def __init__(self, window: QWidget, regions: Sequence[Region]) -> None:
        super().__init__(window)
        self._window = window
        self._regions = tuple(regions)
        # Weakly: this object outlives the window by a moment (deleted with it), and a
        # strong reference from here kept each closed window's canvas wrapper alive.
        self._last: dict[str, weakref.ref[QWidget]] = {}
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    # ----------------------------------------------------------------- queries
    def region_of(self, widget: QWidget | None) -> Region | None:
        """The region holding `widget` (None: outside every region)."""
        if widget is None:
            return None
        for region in self._regions:
            if widget is region.root or region.root.isAncestorOf(widget):
                return region
        return None

    def stops(self, region: Region) -> list[QWidget]:
        """The widgets Tab stops at in `region`, in focus-chain order."""
        root = region.root
        if not region.shown():
            return []
        if root.focusPolicy() & Qt.FocusPolicy.TabFocus and not root.focusProxy():
            found = [root]  # a single-stop region (the canvas)
        else:
            found = []
        widget = root.nextInFocusChain()
        seen = 0
        while widget is not None and widget is not root and seen < 10_000:
            seen += 1
            if root.isAncestorOf(widget) and _tabbable(widget):
                found.append(widget)
            widget = widget.nextInFocusChain()
        # The chain is circular over the whole window: keep the order as Qt has it from
        # the region's first widget.
        return found

    # ----------------------------------------------------------------- moving
    def tab(self, forward: bool) -> bool:
        """Move to the next (previous) stop of the cycle; False when nothing can move."""
        stops = [w for region in self._regions for w in self.stops(region)]
        if not stops:
            return False
        current = self._stop_of(QApplication.focusWidget(), stops)
        if current is None:
            target = stops[0] if forward else stops[-1]
        else:
            index = stops.index(current)
            target = stops[(index + (1 if forward else -1)) % len(stops)]
        reason = Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
        target.setFocus(reason)
        return True

    def jump(self, forward: bool) -> None:
        """F6 / Shift+F6: to the next (previous) shown region, where it was last used."""
        shown = [r for r in self._regions if self.stops(r)]
        if not shown:
            return
        current = self.region_of(QApplication.focusWidget())
        if current is None or current not in shown:
            target = shown[0] if forward else shown[-1]
        else:
            index = shown.index(current)
            target = shown[(index + (1 if forward else -1)) % len(shown)]
        stops = self.stops(target)
        ref = self._last.get(target.name)
        last = self._stop_of(ref(), stops) if ref is not None else None
        widget = last if last is not None else stops[0]
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ---------------------------------------------------------------- internals
    def _stop_of(self, widget: QWidget | None, stops: list[QWidget]) -> QWidget | None:
        """The stop that is `widget` or holds it (a combo box's line edit is the combo's)."""
        while widget is not None:
            if widget in stops:
                return widget
            widget = widget.parentWidget()
        return None

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        # Only remembered here; which stop it is gets worked out when F6 comes back. Walking
        # the focus chain on every focus change was slower, and it left each closed
        # window's canvas wrapper alive (a PySide quirk, tests/testing/test_memory.py).
        region = self.region_of(new)
        if region is not None and new is not None:
            self._last[region.name] = weakref.ref(new)


def _tabbable(widget: QWidget) -> bool:
    return (
        bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and widget.focusProxy() is None
        and widget.isVisible()
        and widget.isEnabled()
    )
