"""Commands: one small, reversible, serialisable class per user action. No Qt."""

from editor.commands.base import (
    REGISTRY,
    Command,
    CommandError,
    command_from_json,
    noun,
    register,
)
from editor.commands.page import SetPage
from editor.commands.shapes import (
    AddShapes,
    DeleteShapes,
    Duplicate,
    GeometryChange,
    MoveShapes,
    Paste,
    Reorder,
    SetGeometry,
    SetStyle,
    ShapeEdit,
)
from editor.commands.text import EditText, is_separator

__all__ = [
    "REGISTRY",
    "AddShapes",
    "Command",
    "CommandError",
    "DeleteShapes",
    "Duplicate",
    "EditText",
    "GeometryChange",
    "MoveShapes",
    "Paste",
    "Reorder",
    "SetGeometry",
    "SetPage",
    "SetStyle",
    "ShapeEdit",
    "command_from_json",
    "is_separator",
    "noun",
    "register",
]
