"""Shared by the replay and practice tests: wait on a condition, read what a widget paints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget


async def until(predicate: Callable[[], object], pilot: Pilot[Any], what: str, limit: float = 30.0) -> None:
    """Wait for `predicate`, failing with `what` after `limit` seconds (never a fixed sleep)."""
    waited = 0.0
    while not predicate():
        assert waited < limit, f"timed out after {limit:g}s waiting for {what}"
        await pilot.pause(0.05)
        waited += 0.05


def text_of(widget: Widget) -> str:
    """What the widget and the widgets inside it paint now, as one line of words."""
    parts = []
    for part in (widget, *widget.walk_children(Widget)):
        width, height = part.size
        parts += [" ".join(strip.text.split()) for strip in part.render_lines(Region(0, 0, width, height))]
    return " ".join(p for p in parts if p)
