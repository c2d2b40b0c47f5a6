"""The detail pane's first line: the step's title, its status and its facts, each fact whole on a line.

Rich wraps a line at any space, so at 80 columns the facts broke inside themselves: `… · on local · no` over
`verifier check`, `⚑` over `CHECKPOINT`, `⧗ waiting` over `for verifier`, the status's `·` at the end of one line and
`pending` on the next; a lone `check` or `(solo)` at the start of a line read as something else. Here the title
wraps as words (it is prose), and the status and each fact go whole onto the next line when they do not fit on this
one (a fact wider than the pane still wraps: nothing is cut). A title taller than `TITLE_ROWS` is cut there with `…`
(`v` shows it whole): a title of a thousand characters filled the pane at 80x24, its status, command and undo out of view.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

#: Before the status and before the first fact; between facts.
GAP = "  "
DOT = " · "
#: The rows the title may take before it is cut.
TITLE_ROWS = 2


def fact_line(head: Text, parts: Sequence[Text], width: int, console: Console) -> Text:
    """`head` (the title), then each of `parts` (the status, then the facts, which `DOT` separates) after it, starting
    a new line before a part that does not fit whole on this one. `width` 0: not laid out yet, one line as it comes."""
    line = _cut(head, width, console)
    column = _last_line_cells(line, width, console)
    for index, part in enumerate(parts):
        gap = GAP if index < 2 else DOT
        if width and column and column + len(gap) + part.cell_len > width:
            line.append("\n")
            column = 0
        if column:
            line.append(gap, style=part.style if index else "")  # styled as the fact after it, as it was
            column += len(gap)
        line.append_text(part)
        column += part.cell_len
        if width and column > width:  # a part wider than the pane wraps: where its last line ends (a full line: width)
            column = column % width or width
    return line


def _cut(head: Text, width: int, console: Console) -> Text:
    """`head` as it wraps at `width`, cut with `…` at the end of its `TITLE_ROWS`th row when it is taller."""
    rows = head.wrap(console, width) if width else [head]
    if len(rows) <= TITLE_ROWS:
        return head.copy()
    kept = rows[:TITLE_ROWS]
    for row in kept:
        row.rstrip()
    last = kept[-1]
    last.truncate(width - 1)
    last.append("…", style=last.get_style_at_offset(console, len(last) - 1) if last else None)
    return Text("\n").join(kept)


def _last_line_cells(text: Text, width: int, console: Console) -> int:
    """The cells the last line of `text` takes once wrapped at `width`."""
    if not width:
        return text.cell_len
    lines = text.wrap(console, width)
    return lines[-1].cell_len if lines else 0
