"""Drive another process's window through a real X server, as a keyboard does.

`XSession(display)` talks the X protocol with python-xlib (pure Python, so no Debian
package is needed) and types through the XTEST extension, which Xvfb has: the server
itself generates the key events and delivers them to the focused window, exactly like a
physical keyboard. Nothing is sent to the application directly.

Waiting never sleeps: `wait_for(predicate)` blocks on the X connection (property and
window-tree changes wake it) with a short select() timeout, re-checking the predicate.
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable, Iterator
from typing import Any

from Xlib import XK, X, Xatom, display
from Xlib.ext import xtest

MODIFIERS = {"ctrl": "Control_L", "shift": "Shift_L", "alt": "Alt_L"}


class XSession:
    """A client connection to `display_name` that finds windows and presses keys."""

    def __init__(self, display_name: str) -> None:
        self.display = display.Display(display_name)
        if not self.display.has_extension("XTEST"):
            raise RuntimeError(f"{display_name} has no XTEST extension")
        self.root = self.display.screen().root
        self.root.change_attributes(event_mask=X.SubstructureNotifyMask)
        self._utf8 = self.display.intern_atom("UTF8_STRING")
        self._net_wm_name = self.display.intern_atom("_NET_WM_NAME")
        self.display.sync()

    def close(self) -> None:
        self.display.close()

    # ------------------------------------------------------------------ windows
    def _windows(self, window: Any = None) -> Iterator[Any]:
        window = window or self.root
        for child in window.query_tree().children:
            yield child
            yield from self._windows(child)

    def title(self, window: Any) -> str:
        prop = window.get_full_property(self._net_wm_name, self._utf8)
        if prop is not None:
            value = prop.value
            return value.decode() if isinstance(value, bytes) else str(value)
        prop = window.get_full_property(Xatom.WM_NAME, X.AnyPropertyType)
        if prop is None:
            return ""
        value = prop.value
        return value.decode("latin-1") if isinstance(value, bytes) else str(value)

    def find(self, contains: str) -> Any | None:
        """A mapped window whose title contains `contains`, or None."""
        for window in self._windows():
            try:
                if window.get_attributes().map_state == X.IsViewable and contains in self.title(
                    window
                ):
                    window.change_attributes(event_mask=X.PropertyChangeMask)
                    return window
            except Exception:  # a window can vanish while we look at it
                continue
        return None

    def wait_for(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Return predicate()'s first truthy value, waking on X events; fail after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"timed out waiting for {what}")
            select.select([self.display.fileno()], [], [], min(left, 0.1))
            while self.display.pending_events():
                self.display.next_event()

    def wait_window(self, contains: str, timeout: float = 60) -> Any:
        return self.wait_for(lambda: self.find(contains), timeout, f"a window {contains!r}")

    def wait_title(self, window: Any, test: Callable[[str], bool], timeout: float = 10) -> str:
        def check() -> str | None:
            text = self.title(window)
            return text if test(text) else None

        return str(self.wait_for(check, timeout, "the window title to change"))

    def focus(self, window: Any) -> None:
        """Give `window` the keyboard focus (there is no window manager on Xvfb)."""
        window.set_input_focus(X.RevertToParent, X.CurrentTime)
        self.display.sync()

    # --------------------------------------------------------------------- keys
    def _keycode(self, name: str) -> int:
        keysym = XK.string_to_keysym(MODIFIERS.get(name, name))
        if keysym == 0:
            raise ValueError(f"unknown key {name!r}")
        code = int(self.display.keysym_to_keycode(keysym))
        if code == 0:
            raise ValueError(f"key {name!r} is not on this keyboard map")
        return code

    def key(self, combo: str) -> None:
        """Press and release a combination like "ctrl+q", "ctrl+shift+z", "Right"."""
        codes = [self._keycode(part) for part in combo.split("+")]
        for code in codes:
            xtest.fake_input(self.display, X.KeyPress, code)
        for code in reversed(codes):
            xtest.fake_input(self.display, X.KeyRelease, code)
        self.display.sync()
