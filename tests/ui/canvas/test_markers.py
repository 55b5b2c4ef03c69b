"""End markers on the canvas: picked by a real click, drawn inside the item's bounds."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from editor.model import Page, Snapshot, line, marker_length
from editor.ui.canvas import Canvas
from editor.ui.canvas.simulate import click
from editor.ui.session import Session


def test_a_click_on_a_marker_selects_its_line(
    qtbot: QtBot, make_canvas: Callable[[Session], Canvas]
) -> None:
    shape = line("l", 100, 300, 400, 300, stroke_width=6, end_marker="circle",
                 start_marker="arrow")  # fmt: skip
    session = Session(Snapshot(Page(800, 600, "#ffffff"), (shape,)))
    canvas = make_canvas(session)
    radius = marker_length(6) / 2  # 15
    click(qtbot, canvas, (400, 300 + radius - 3))  # on the disc, 12 below the line
    assert session.selection.ids() == ("l",)
    click(qtbot, canvas, (600, 500))
    assert session.selection.ids() == ()
    click(qtbot, canvas, (100 + marker_length(6) - 2, 300 + radius - 3))  # a wing
    assert session.selection.ids() == ("l",)
    item = canvas.item_for("l")
    assert item is not None
    assert item.sceneBoundingRect().contains(400 + radius, 300 + radius)
