"""A metric panel's name on its head: the title when it fits whole, else the panel's id whole and the title after it.

At 80 columns two panels share a row of 78: `■ Checkout requests per se… 0 /s CRIT` cut the title where it told two
panels apart, and nothing on screen tied it to the status stack's `guard 'rps' tripped`, which names the panel by its
id. The id is short and is what the guards, the journal and the report name: `■ rps Checkout requests… 0 /s CRIT`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from runbook_tui.runbook.safe_text import cells
from runbook_tui.ui.glyphs import colour


def head_label(title: str, panel_id: str, room: int | None, theme: Any) -> Text:
    """The label for `room` cells (None: not laid out yet); cut at its end by the head's grid when even the id is wider.
    `title` and `panel_id` are visible already (sanitised)."""
    if room is None or cells(title) <= room or not panel_id or panel_id == title:
        return Text(title, style="bold")
    label = Text(panel_id, style="bold")
    if cells(panel_id) + 5 <= room:  # the title's start after it, when a few characters fit (`p99 A…` said nothing)
        label.append(f" {title}", style=colour(theme, "muted"))
    return label
