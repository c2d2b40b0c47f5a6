"""A status row's words and keys fitted to the screen's width (status_stack.py): cut, or wrapped with the keys whole."""

from __future__ import annotations

from dataclasses import replace

from rich.cells import cell_len, set_cell_size
from textual.content import Content

from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.note_line import cut_middle
from runbook_tui.ui.status_model import Status

#: A part after ` · ` (the step's title) cut to fewer cells than this is left out whole (`· …`): `At le…` read as a
#: word of its own, not as the start of `At least 10 GB free on the primary database's data volume`.
LEAST_SHOWN = 10
#: The fewest cells a step's id is cut to in its middle (`fit`'s `name`).
NAME_LEAST = 16


def fit(text: str, keys: str, width: int, name: str = "") -> tuple[str, str]:
    """One row of `width` cells: the words cut at the end (…) so that the keys stay whole. Where the words before the
    first ` · ` do not fit, the step's id (`name`, quoted in them) gives way in its middle first: the verifier's row read
    `Next: 'look-at-the-very-long-step-identifier-for-the-precheck' on local: alic…`, whose move it was cut off (the
    detail pane's title names the id whole)."""
    tail = f" — {keys}" if keys else ""
    room = width - cell_len(tail)
    head, quoted = text.split(" · ", 1)[0], f"'{name}'"
    over = cell_len(head) + (len(" · x…") if head != text else 0) - room  # room for `· …` (the title given way) too
    if name and quoted in head and over > 0:
        shorter = cut_middle(name, max(cell_len(name) - over, NAME_LEAST))
        text = text.replace(quoted, f"'{shorter}'", 1)
    if cell_len(text) > room:
        cut = set_cell_size(text, max(room - 1, 0)).rstrip()
        part = cut.rfind(" · ")
        if part > 0 and cell_len(cut[part + 3 :]) < LEAST_SHOWN:
            cut = cut[: part + 3]  # `Next: 'disk-space-on-primary-database-volume' on local · …`
        text = cut + "…"
    return text, tail


def keys_after(words: str, keys: str, width: int) -> str:
    """The key hints that follow a status's words: on the words' last row when they fit there, else on a row of
    their own, so that a wrapped status never splits a hint ("q stop" / "here")."""
    tail = f" — {keys}"
    last_row = Content(words).wrap(width)[-1].cell_length
    return tail if last_row + cell_len(tail) <= width else f"\n{tail[1:]}"


def rows_needed(words: str, keys: str, width: int) -> int:
    """The rows a status takes whole: its words wrapped, and its keys after them (`keys_after`)."""
    rows = len(Content(words).wrap(width))
    return rows + 1 if keys and keys_after(words, keys, width).startswith("\n") else rows


def in_one_row(status: Status, role: str, width: int, offered: str) -> Status:
    """The status in the first of its words (`Status.shorter` after its own) that fits one row of `width` with the keys
    `offered`; as it is where none does (wrapped whole, or cut at its end). At 80 columns a finished run's row read
    `…(by exec, run by` / `alice). The journal has everything` over two rows; it reads `… (by exec) — q quit`."""
    keys = status.keys.get(offered, "")
    for words in (status.words(role), *status.shorter):
        if rows_needed(visible_line(words), keys, width) == 1:
            return status if words == status.words(role) else replace(status, text=words, said=None, mine=None)
    return status
