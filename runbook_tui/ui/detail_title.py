"""The detail pane's title, fitted to its border: the step's id whole, or named in the pane when it cannot be.

The title is `step 5/9 · reload`, with `▼ 3 more lines: v shows all` between when the step is taller than the pane.
Textual cuts a border title at its end: at 80 columns with the step list shown, `step 1/6 ·
disk-space-on-primary-database-volume` read `… disk-space-on-primary-database-v…`, an id no step has. The words
around the id give way first (`▼ 3 more: v`, `1/6`); when even then the id does not fit, the title keeps the place
and the hint and the pane's first line names the step (`id: disk-space-on-primary-database-volume`).
"""

from __future__ import annotations

from runbook_tui.runbook.safe_text import cells

#: What the title says, after the step's number, when part of the step is out of view; and its short form.
CUT_HINT = "▼ {hidden} more line{s}: v shows all"
CUT_HINT_SHORT = "▼ {hidden} more: v"


def _joined(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


def fit_title(place: str, step_id: str, hidden: int, room: int | None) -> tuple[str, bool]:
    """The title for a border with `room` cells for it (None: not laid out yet, anything fits), and whether the id is
    whole in it (when not, the pane names the step on its first line)."""
    hints = [CUT_HINT.format(hidden=hidden, s="s" if hidden != 1 else ""), CUT_HINT_SHORT.format(hidden=hidden)] if hidden else [""]
    places = [place, place.removeprefix("step ")] if place.startswith("step ") else [place]
    tries = [(where, hint) for where in places for hint in hints]
    if room is None or not step_id:  # not laid out yet, or `finished`: nothing to keep whole
        return _joined(*tries[0], step_id), True
    for where, hint in tries:
        title = _joined(where, hint, step_id)
        if cells(title) <= room:
            return title, True
    return next((_joined(*t) for t in tries if cells(_joined(*t)) <= room), _joined(*tries[-1])), False
