"""The note at the foot of the run screen: one row, whatever the width (the journal's path, a replay's place).

A journal path under the state folder is longer than 80 columns; folded, it
took three rows at 80x24 ("journal:" and the path wrapped), a row the output
pane needs more. The path is cut in the middle instead (`~/.local/sta…3318.399512Z.jsonl`:
its start says where, its end which run), and shown whole in the help (`?`);
quitting prints the resume command with it whole too.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.laid_out import laid_out_size


def cut_middle(text: str, width: int) -> str:
    """`text` in at most `width` cells: its start and its end kept, `…` between them."""
    if cell_len(text) <= width:
        return text
    if width < 1:
        return ""
    keep = width - 1
    head = _take(text, keep // 2)
    tail = _take(text[::-1], keep - cell_len(head))[::-1]
    return f"{head}…{tail}"


def _take(text: str, cells: int) -> str:
    """The longest start of `text` that fits in `cells`."""
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return text[:index]
    return text


class NoteLine(Static):
    """`head`, `middle` and `tail` on one row: the middle (a path, a file name) is cut in the middle to fit, then the
    rest at its end. Every part is sanitised and drawn as text, never markup; a new note repaints this row only."""

    virtual_size = laid_out_size()  # set by each layout, asking for no other (ui/laid_out.py)

    #: The middle keeps this many cells at least (or its whole, when shorter), however narrow the row.
    MIDDLE_KEPT = 12

    DEFAULT_CSS = """
    NoteLine {
        height: 1;
    }
    """

    def __init__(self, head: str = "", middle: str = "", tail: str = "", short_tail: str = "", **kwargs: Any) -> None:
        """`short_tail`: said instead of `tail` when the middle would be cut to make room for it (the path comes first)."""
        super().__init__(**kwargs)
        self.parts = (visible_line(head), visible_line(middle), visible_line(tail))
        self.short_tail = visible_line(short_tail)

    def say(self, head: str, middle: str = "", tail: str = "", short_tail: str = "") -> None:
        parts = (visible_line(head), visible_line(middle), visible_line(tail))
        if (parts, visible_line(short_tail)) != (self.parts, self.short_tail):
            self.parts, self.short_tail = parts, visible_line(short_tail)
            self.refresh()  # one row before and after: no layout

    def render(self) -> Text:
        head, middle, tail = self.parts
        width = self.content_size.width
        if self.short_tail and cell_len(head) + cell_len(middle) + cell_len(tail) > width:
            tail = self.short_tail
        middle = cut_middle(middle, max(width - cell_len(head) - cell_len(tail), min(cell_len(middle), self.MIDDLE_KEPT)))
        return Text(head + middle + tail, no_wrap=True, overflow="ellipsis", end="")
