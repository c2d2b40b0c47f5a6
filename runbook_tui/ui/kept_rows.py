"""Rows a widget drew once, kept by what they say: a key that swaps a widget between a few texts draws each one's cells
once, not at every swap.

A `p` turns the status stack's calm row into `PAUSED …` and the next `p` turns it back; Textual drew the row's Rich text
into cells again at each press (~0.2 ms of a pause's frame, as much as every kept row of the other panes together).
The footer keeps its rows the same way (`footer.py`).
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.strip import Strip
from textual.visual import Visual
from textual.widgets import Static

#: Renderings kept per widget: the few texts a screen swaps between (pause / resume) at one size; more means a resize or
#: a run moving on, and they are all dropped.
KEPT = 8


class KeptRows:
    """A Static's content as Textual draws it (`Visual.to_strips` of its visual, its size and style), by what it says."""

    def __init__(self) -> None:
        self._rows: dict[Hashable, list[Strip]] = {}

    def rows(self, widget: Static, said: Hashable) -> list[Strip]:
        """The widget's rows for its visual now, which `said` names (equal `said`: the same visual)."""
        width, height = widget.size
        style = widget.visual_style
        drawn = (said, width, height, style)
        rows = self._rows.get(drawn)
        if rows is None:
            if len(self._rows) >= KEPT:
                self._rows.clear()
            rows = self._rows[drawn] = Visual.to_strips(widget, widget.visual, width, height, style)
        return rows

    def clear(self) -> None:
        """The CSS or the theme changed: rows are drawn again."""
        self._rows.clear()
