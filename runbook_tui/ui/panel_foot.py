"""A panel's error fitted to the foot's lines, so that what follows it (the reading's age) and its cause stay in view."""

from __future__ import annotations

import re

from rich.cells import cell_len as cells
from rich.console import Console
from rich.text import Text

from runbook_tui.ui.note_line import cut_middle


def fitted_error(error: str, before: str, after: str, rules: list[Text], width: int, lines: int, console: Console) -> str:
    """`error` as the foot can hold it in `lines` lines of `width` cells, after `before` and the `rules`' lines.

    First its address is cut in the middle (`exporter at http://…/metrics answered HTTP 503`: the foot's last line cut
    it and at 140x45 `…/metrics answered` lost `HTTP 503`). An error still too long is cut in its middle, its start
    (what failed) and its end (the cause) kept: the foot has at most `lines` lines, and its last one went unseen with no
    sign (`the value is NaN (not a number: e.g. 0/0, or no data in its` at 140x45, two panels a row, its age lost); the
    output says every error whole."""
    if width < 8:
        return error
    room = lines - sum(len(rule.wrap(console, width)) for rule in rules)

    def fits(text: str) -> bool:  # a cell to spare: the foot's own wrapping may break a line a word sooner than Rich's
        return len(Text(before + text + after, overflow="fold").wrap(console, width - 1)) <= room

    if fits(error):
        return error
    address = re.search(r"[a-z][a-z0-9+.-]*://\S+", error)
    if address is not None:
        url = address[0].rstrip(":,;")
        for keep in range(len(url) - 4, 11, -4):
            shorter = error.replace(url, cut_middle(url, keep), 1)
            if fits(shorter):
                return shorter
    if room < 1:
        return error
    # Its start (what failed) and its end (the cause: `connection refused`) kept, `…` between: the longest that fits.
    low, high = 1, cells(error)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(cut_middle(error, middle)):
            low = middle
        else:
            high = middle - 1
    return cut_middle(error, low)
