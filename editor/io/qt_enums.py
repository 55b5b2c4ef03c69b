"""Create PySide6's enums on the importing thread, before a worker paints.

PySide6 6.11 makes an enum type (``QGradient.Type``, ``QTextLayout.CursorPosition``…)
the first time something asks for it, with Python's functional enum API, and that first
creation is not safe from two threads at once: two export workers resolving a
``QPainter.fillRect`` overload for the first time together crashed the process
(SIGSEGV in ``enum._create_``, caught by tests/faults/test_kill_jobs.py's children).
`create_enums` walks the given classes once and asks for each attribute, so every enum
they hold exists before any worker thread runs; render.py and export.py call it at
import for the classes they paint with. tests/io/test_qt_enums.py checks that an export
on a worker thread creates no enum.
"""

from __future__ import annotations

import enum


def create_enums(*classes: type) -> int:
    """Ask each class (and each Qt class nested in it) for every attribute whose name is
    capitalised (Qt's enums and nested classes; asking for the methods too would cost
    ~10 ms a class); returns how many enum types they hold."""
    count = 0
    seen: set[type] = set()
    todo = list(classes)
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for name in dir(cls):
            if not name[:1].isupper():
                continue
            value = getattr(cls, name, None)
            if isinstance(value, enum.EnumType):
                count += 1
            elif isinstance(value, type) and value.__module__.startswith("PySide6"):
                todo.append(value)
    return count
