"""The header's second row: who runs the change, who verifies it and whether they are connected (or SOLO and why).

Names as directory services give them (`alexandra.konstantinopoulou@example.com`) are long: at 80 columns the row was
cut at its end, and `not connected` and the last checkpoint were gone (`… ▸ verifier bartholomew.vander…`). Now the
names give way first, each cut at its end (`…`), the longest first and none below `NAME_LEAST` cells; the words and
the marks after them keep their room.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.theme import Theme

from runbook_tui.engine.state import RunState
from runbook_tui.engine.who_verifies import named_verifier
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.glyphs import colour

#: A name is never cut shorter than this.
NAME_LEAST = 12


def fit_names(names: Sequence[str], room: int) -> list[str]:
    """`names` cut at their end (`…`) so that together they take at most `room` cells: the longest first, none below
    `NAME_LEAST` (the row's own cut takes what still does not fit)."""
    cells = [cell_len(name) for name in names]
    cap = max(cells, default=0)
    while cap > NAME_LEAST and sum(min(length, cap) for length in cells) > room:
        cap -= 1
    return [name if length <= cap else set_cell_size(name, cap - 1) + "…" for name, length in zip(names, cells, strict=True)]


def people_row(
    state: RunState, connected: Mapping[str, str], theme: Theme, width: int, marks: Text, unknown_since: str | None = None, me: str | None = None
) -> Text:
    """The row up to `marks` (which follow it): at `width` (0: not laid out yet) the solo reason gives way first, then
    the names, so that the row and `marks` fit. `unknown_since`: this screen's link is down since then, and `connected`
    is who was there when it dropped: named, `unknown since` (before: nobody, and the other verifiers left the row). `me`,
    the reader among them, knows their own link is down: `you not connected` (they read `bob unknown since` of themself)."""
    session = state.session
    planned, ran_by = session.get("planned_assignee"), str(session.get("assignee") or "?")
    solo, mine = session.get("solo"), False
    if solo:
        other = ", ".join(map(str, state.verifiers_heard))  # shared first: who verified before, as the report says
    else:
        joined = [name for name, role in connected.items() if role == "verifier"]
        # Nobody joined now: the verifier who last gave their word (bob left: the header said `verifier ?`). Someone
        # other than the ticket's verifier joined: who is there (practice's `bob (recorded)` read `bob connected`).
        # Every verifier joined, the ticket's first (bob and carol joined read `verifier bob connected`, while the rows
        # said `Waiting for bob or carol`, and carol's confirmations came from nobody the header named).
        joined = sorted(joined, key=lambda name: name != session.get("verifier"))
        mine = unknown_since is not None and me in joined
        joined = [name for name in joined if not mine or name != me]
        other = ", ".join(joined) if joined or mine else named_verifier(state) or "?"
    # After the end, nobody's coming or going is journaled (`journal verify` refuses it): a verifier joining a finished
    # run read `not connected` on both screens while at their keys. The run is over: no word either way.
    online = None if state.finished or solo else any(role == "verifier" for role in connected.values())
    names = [visible_line(name) for name in (str(planned) if planned and planned != ran_by else "", ran_by, other)]

    def build(shown: Sequence[str]) -> Text:
        row = Text(no_wrap=True, overflow="ellipsis")
        row.append(f" planned: {shown[0]}, ran by: " if shown[0] else " assignee ")
        row.append(shown[1], style="bold")
        if solo:
            said = f"  {shown[2] + ', then ' if shown[2] else ''}SOLO ("
            # The reason gives way first (`SOLO (bob went to be…): unverified`): at 80 columns it pushed the checkpoint off.
            reason = Text(visible_line(str(solo)), end="")
            room = width - row.cell_len - cell_len(said) - len("): unverified") - marks.cell_len
            if width and reason.cell_len > room:
                reason.truncate(max(room, 1), overflow="ellipsis")
            row.append(said + reason.plain + "): unverified", style=colour(theme, "warning"))
            return row
        row.append(" ▸ verifier")
        if mine:
            row.append(" you ")
            row.append("not connected" + ("," if shown[2] else f" since {unknown_since}"), style=colour(theme, "warning"))
            if not shown[2]:
                return row
        row.append(f" {shown[2]}")
        if online is not None:
            row.append(" ")
            said = f"unknown since {unknown_since}" if unknown_since else "connected" if online else "not connected"
            row.append(said, style=colour(theme, "success" if online and not unknown_since else "warning"))
        return row

    row = build(names)
    if width and row.cell_len + marks.cell_len > width:
        fixed = row.cell_len - sum(map(cell_len, names))
        kept = [name for name in names if name]
        fitted = iter(fit_names(kept, width - marks.cell_len - fixed))
        row = build([next(fitted) if name else "" for name in names])
    return row
