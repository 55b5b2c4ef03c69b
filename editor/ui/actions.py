"""Every window action in one registry: text, shortcuts, tips, enabled state.

One place for shortcuts makes conflicts impossible to miss: `Actions.conflicts()` lists any
key sequence bound twice, and a test asserts there are none (the PySide diagramscene port
binds Ctrl+B to three actions and Ctrl+X to Exit; this is how we avoid that). Standard keys
are used where Qt has one, except Redo, whose platform list differs: it is set explicitly
to Ctrl+Shift+Z and Ctrl+Y everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QPainter, QUndoGroup

from editor.ui.canvas.registry import TOOLS as REGISTERED_TOOLS
from editor.ui.icons import drawn_icon, icon

Key = QKeySequence.StandardKey | str


@dataclass(frozen=True)
class ActionSpec:
    """How an action looks and which keys trigger it."""

    name: str
    text: str
    keys: tuple[Key, ...] = ()
    tip: str = ""
    icon: str = ""  # freedesktop icon theme name
    checkable: bool = False
    menu_role: QAction.MenuRole = field(default=QAction.MenuRole.NoRole)
    #: Draws the icon (a tool's), instead of looking `icon` up.
    draw: Callable[[QPainter], None] | None = None


SK = QKeySequence.StandardKey

#: The tools' actions ("tool_rect"), made from the one tool list.
TOOL_SPECS: tuple[ActionSpec, ...] = tuple(
    ActionSpec(f"tool_{t.name}", t.text, (t.key,), t.tip, checkable=True, draw=t.icon)
    for t in REGISTERED_TOOLS.values()
)

SPECS: tuple[ActionSpec, ...] = (
    # File
    ActionSpec("new", "&New", (SK.New,), "Start a new drawing", "document-new"),
    ActionSpec("open", "&Open…", (SK.Open,), "Open a drawing", "document-open"),
    ActionSpec("save", "&Save", (SK.Save,), "Save the drawing", "document-save"),
    ActionSpec("save_as", "Save &As…", ("Ctrl+Shift+S",), "Save under a new name",
               "document-save-as"),
    ActionSpec("export", "&Export…", ("Ctrl+E",), "Export as PNG, SVG or PDF",
               "document-export"),
    ActionSpec("publish", "&Publish…", ("Ctrl+Shift+E",),
               "Save, then write PNG, PDF or SVG beside the drawing (undone together if "
               "one fails)", "document-send"),
    ActionSpec("close", "&Close", (SK.Close,), "Close the drawing (a new one replaces it)"),
    ActionSpec("quit", "&Quit", ("Ctrl+Q",), "Quit Strata", "application-exit",
               menu_role=QAction.MenuRole.QuitRole),
    # Edit (undo/redo come from the QUndoGroup; their keys are set here)
    ActionSpec("cut", "Cu&t", (SK.Cut,), "Cut the selection", "edit-cut"),
    ActionSpec("copy", "&Copy", (SK.Copy,), "Copy the selection", "edit-copy"),
    ActionSpec("paste", "&Paste", (SK.Paste,), "Paste shapes", "edit-paste"),
    ActionSpec("duplicate", "&Duplicate", ("Ctrl+D",), "Duplicate the selection",
               "edit-copy"),
    ActionSpec("delete", "De&lete", ("Del", "Backspace"), "Delete the selection",
               "edit-delete"),
    ActionSpec("select_all", "Select &All", (SK.SelectAll,), "Select every shape",
               "edit-select-all"),
    ActionSpec("select_none", "Select &None", ("Ctrl+Shift+A",), "Clear the selection"),
    ActionSpec("preferences", "Pre&ferences…", (SK.Preferences,), "Editor preferences",
               "preferences-system", menu_role=QAction.MenuRole.PreferencesRole),
    # Arrange
    ActionSpec("raise", "&Raise", ("Ctrl+]",), "Raise one step", "go-up"),
    ActionSpec("lower", "&Lower", ("Ctrl+[",), "Lower one step", "go-down"),
    ActionSpec("to_front", "Bring to &Front", ("Ctrl+Shift+]",), "Bring to front", "go-top"),
    ActionSpec("to_back", "Send to &Back", ("Ctrl+Shift+[",), "Send to back", "go-bottom"),
    # Tools: one per registered tool (editor.ui.canvas.registry.TOOLS)
    *TOOL_SPECS,
    # View
    ActionSpec("zoom_in", "Zoom &In", ("Ctrl++", "Ctrl+="), "Zoom in", "zoom-in"),
    ActionSpec("zoom_out", "Zoom &Out", ("Ctrl+-",), "Zoom out", "zoom-out"),
    ActionSpec("zoom_fit", "&Fit Page", ("Ctrl+0",), "Fit the page in the window",
               "zoom-fit-best"),
    ActionSpec("zoom_actual", "&Actual Size", ("Ctrl+1",), "Zoom to 100 %", "zoom-original"),
    ActionSpec("show_jobs", "&Jobs", ("Ctrl+J",), "Show background saves and exports"),
    ActionSpec("next_region", "&Next Panel", ("F6",),
               "Move the keyboard to the next part of the window"),
    ActionSpec("previous_region", "Pre&vious Panel", ("Shift+F6",),
               "Move the keyboard to the previous part of the window"),
    # Help
    ActionSpec("shortcuts", "&Keyboard Shortcuts", ("F1",), "List the keyboard shortcuts"),
    ActionSpec("about", "&About Strata", (), "About Strata",
               menu_role=QAction.MenuRole.AboutRole),
)  # fmt: skip

UNDO_KEYS: tuple[Key, ...] = ("Ctrl+Z",)
REDO_KEYS: tuple[Key, ...] = ("Ctrl+Shift+Z", "Ctrl+Y")
#: The tools' names, in toolbar order.
TOOLS: tuple[str, ...] = tuple(REGISTERED_TOOLS)


def key_sequences(keys: tuple[Key, ...]) -> list[QKeySequence]:
    """Expand standard keys to this platform's sequences, in order, without duplicates."""
    result: list[QKeySequence] = []
    for key in keys:
        seqs = (
            QKeySequence.keyBindings(key)
            if isinstance(key, QKeySequence.StandardKey)
            else [QKeySequence(key)]
        )
        for seq in seqs:
            if not seq.isEmpty() and seq not in result:
                result.append(seq)
    return result


class Actions:
    """The window's actions by name. Undo/redo follow the active document's stack."""

    def __init__(self, undo_group: QUndoGroup, parent: QObject) -> None:
        self._actions: dict[str, QAction] = {}
        #: Each action's plain name ("Save As", "Undo"): menu texts change ("Undo Add
        #: Rectangle") or carry mnemonics and ellipses.
        self._labels: dict[str, str] = {"undo": "Undo", "redo": "Redo"}
        for spec in SPECS:
            self._labels[spec.name] = spec.text.replace("&", "").rstrip("…")
            action = QAction(spec.text, parent)
            action.setObjectName(f"action_{spec.name}")
            self._configure(action, spec.keys, spec.tip or spec.text.replace("&", ""))
            if spec.draw is not None:
                action.setIcon(drawn_icon(spec.draw))
            elif spec.icon:
                action.setIcon(icon(spec.icon))
            action.setCheckable(spec.checkable)
            action.setMenuRole(spec.menu_role)
            self._actions[spec.name] = action
        undo = undo_group.createUndoAction(parent, "&Undo")
        undo.setObjectName("action_undo")
        undo.setIcon(icon("edit-undo"))
        self._configure(undo, UNDO_KEYS, "Undo the last change")
        redo = undo_group.createRedoAction(parent, "&Redo")
        redo.setObjectName("action_redo")
        redo.setIcon(icon("edit-redo"))
        self._configure(redo, REDO_KEYS, "Redo the change undone last")
        self._actions["undo"] = undo
        self._actions["redo"] = redo
        self.tools = QActionGroup(parent)
        self.tools.setExclusive(True)
        for tool in TOOLS:
            self.tools.addAction(self._actions[f"tool_{tool}"])
        self._actions["tool_select"].setChecked(True)

    @staticmethod
    def _configure(action: QAction, keys: tuple[Key, ...], tip: str) -> None:
        seqs = key_sequences(keys)
        action.setShortcuts(seqs)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        shown = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in seqs)
        action.setToolTip(f"{tip} ({shown})" if shown else tip)
        action.setStatusTip(tip)

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def __iter__(self) -> Iterator[QAction]:
        return iter(self._actions.values())

    def names(self) -> list[str]:
        return list(self._actions)

    def on(self, name: str, slot: Callable[[], object]) -> None:
        """Run `slot()` when the action is triggered (the checked flag is dropped)."""
        self._actions[name].triggered.connect(lambda _checked=False: slot())

    def conflicts(self) -> dict[str, list[str]]:
        """Key sequences bound to more than one action: {sequence: [action names]}."""
        seen: dict[str, list[str]] = {}
        for name, action in self._actions.items():
            for seq in action.shortcuts():
                seen.setdefault(seq.toString(), []).append(name)
        return {k: v for k, v in seen.items() if len(v) > 1}

    def label(self, action: QAction) -> str:
        """The action's plain name for lists (F1): "Undo", never "Undo Add Rectangle"."""
        for name, known in self._actions.items():
            if known is action:
                return self._labels[name]
        return action.text().replace("&", "").rstrip("…")
