"""The maintenance window's countdown: how long is left, its colour, and its words (the status stack and the header)."""

from __future__ import annotations

import datetime as dt

from runbook_tui.engine.state import RunState
from runbook_tui.runbook.durations import span_words

#: Minutes before the window closes when the countdown turns amber, then red.
AMBER_MINUTES = 30
RED_MINUTES = 10


def window_left(state: RunState, now: dt.datetime) -> dt.timedelta | None:
    """Time to the window's end; None without a window, and in practice (the window was the night's)."""
    end = ((state.session.get("ticket") or {}).get("window") or {}).get("end")
    return None if not end or state.mode == "practice" else dt.datetime.fromisoformat(end) - now


def countdown_tone(left: dt.timedelta) -> str:
    minutes = left.total_seconds() / 60
    return "error" if minutes <= RED_MINUTES else "warning" if minutes <= AMBER_MINUTES else "success"


def window_words(left: dt.timedelta, now: dt.datetime) -> str:
    """`window closes in 1h 12m`; over a day away, the date (`window closes 2026-03-20 14:00 UTC`)."""
    seconds = left.total_seconds()
    if abs(seconds) >= 86400:
        when = (now + left).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"window closes {when}" if seconds > 0 else f"WINDOW CLOSED {when}"
    return f"window closes in {span_words(seconds)}" if seconds > 0 else f"WINDOW CLOSED {span_words(seconds)} ago"


def rollback_by_words(state: RunState, left: dt.timedelta, now: dt.datetime) -> str:
    """`rollback must start by 03:41 UTC`: the window's end less the rollback time a rehearsal of this very runbook
    measured (issue 4); empty without one, once the window has closed, and outside a live or dry run."""
    rehearsed = state.session.get("rehearsed")  # what the session's start found, journaled: every screen reads the same
    if state.mode not in ("live", "dry-run") or left.total_seconds() <= 0 or not isinstance(rehearsed, dict):
        return ""
    seconds = rehearsed.get("seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        return ""
    by = (now + left - dt.timedelta(seconds=seconds)).astimezone(dt.UTC)
    return f"rollback must start by {by:%H:%M} UTC"
