"""The change window and blackout periods: when a live run may start without an override."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from runbook_tui.runbook.durations import span_words
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Ticket


@dataclass(frozen=True, slots=True)
class Blackout:
    """A period when no change may start (from the user's settings), e.g. month-end billing."""

    start: dt.datetime
    end: dt.datetime
    reason: str


def window_problem(ticket: Ticket | None, now: dt.datetime, blackouts: Sequence[Blackout] = ()) -> str | None:
    """Why starting now needs an override, or None when it does not."""
    for blackout in blackouts:
        if blackout.start <= now < blackout.end:
            return f"now is inside a blackout period ({blackout.reason}: {blackout.start.isoformat()} to {blackout.end.isoformat()})"
    if ticket is None or ticket.window_start is None or ticket.window_end is None:
        return None
    start = dt.datetime.fromisoformat(ticket.window_start)
    end = dt.datetime.fromisoformat(ticket.window_end)
    if now < start:
        return f"the change window of {ticket.id} opens at {ticket.window_start}; it is {_ago(start - now)} early"
    if now >= end:
        return f"the change window of {ticket.id} closed at {ticket.window_end}, {_ago(now - end)} ago"
    return None


def _ago(delta: dt.timedelta) -> str:
    return span_words(delta.total_seconds())
