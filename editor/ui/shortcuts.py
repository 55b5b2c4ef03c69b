"""The keyboard shortcuts as a person reads them: grouped by menu, in plain key names.

`menu_groups(bar, label)` walks the window's menu bar, so the F1 list is what the menus
offer, in their order, grouped under their titles. Keys are shown by `readable`:

* only keys a person has: letters, digits, punctuation, F1-F12 and the named editing and
  movement keys. Qt's standard key lists also bind keys of special keyboards (F16 Copy,
  F18 Paste and F20 Cut of Sun keyboards, the media keys "New", "Open", "Save", "Copy");
  they stay bound, but listing them only confuses;
* with full names: "Delete", "Insert", "Page Up", not "Del", "Ins", "PgUp".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

#: (group title, [(action, keys)]): one section of the F1 list.
ShortcutGroup = tuple[str, list[tuple[str, str]]]

_K = Qt.Key
_NAMED: dict[Qt.Key, str] = {
    _K.Key_Delete: "Delete", _K.Key_Backspace: "Backspace", _K.Key_Insert: "Insert",
    _K.Key_Home: "Home", _K.Key_End: "End", _K.Key_PageUp: "Page Up",
    _K.Key_PageDown: "Page Down", _K.Key_Left: "Left", _K.Key_Right: "Right",
    _K.Key_Up: "Up", _K.Key_Down: "Down", _K.Key_Return: "Enter", _K.Key_Enter: "Enter",
    _K.Key_Escape: "Escape", _K.Key_Tab: "Tab", _K.Key_Backtab: "Tab", _K.Key_Space: "Space",
}  # fmt: skip
_M = Qt.KeyboardModifier
_MODIFIERS = (
    (_M.ControlModifier, "Ctrl"),
    (_M.AltModifier, "Alt"),
    (_M.ShiftModifier, "Shift"),
    (_M.MetaModifier, "Meta"),
)


def readable(sequence: QKeySequence) -> str | None:
    """ "Ctrl+Shift+Z", "Delete", "F1"; None for a key few keyboards have (see above)."""
    if sequence.count() != 1:
        return None
    combination = sequence[0]  # type: ignore[index]  # QKeySequence::operator[] (untyped stubs)
    key = combination.key()
    mods = combination.keyboardModifiers()
    code = int(key.value)
    if _K.Key_F1.value <= code <= _K.Key_F12.value:
        name = f"F{code - _K.Key_F1.value + 1}"
    elif key in _NAMED:
        name = _NAMED[key]
    elif 0x21 <= code <= 0x7E:  # printable ASCII: letters (upper case), digits, signs
        name = chr(code)
    else:
        return None
    prefix = "".join(f"{text}+" for flag, text in _MODIFIERS if mods & flag)
    return prefix + name


def readable_keys(action: QAction) -> str:
    """The action's shortcuts a person has, readable, in order, without duplicates."""
    seen: list[str] = []
    for sequence in action.shortcuts():
        text = readable(sequence)
        if text is not None and text not in seen:
            seen.append(text)
    return ", ".join(seen)


def menu_groups(bar: QMenuBar, label: Callable[[QAction], str]) -> list[ShortcutGroup]:
    """One group per menu of `bar` (submenus fold into their menu), in menu order, with
    every action that has a readable shortcut; `label` names an action."""
    groups: list[ShortcutGroup] = []
    for top in bar.actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        rows: list[tuple[str, str]] = []
        _collect(menu, label, rows)
        if rows:
            groups.append((top.text().replace("&", ""), rows))
    return groups


def _collect(menu: QMenu, label: Callable[[QAction], str], rows: list[tuple[str, str]]) -> None:
    for action in menu.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            _collect(sub, label, rows)
            continue
        keys = readable_keys(action)
        if keys:
            rows.append((label(action), keys))
