"""Times and numbers as the history fold reads them from a journal: timestamps, durations between two, a sample's own
time, a reading's value (what a journal holds may be missing or of another kind: None, never an exception)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def parse_ts(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def seconds_between(start: str | None, end: str | None) -> float | None:
    a, b = parse_ts(start), parse_ts(end)
    if a is None or b is None:
        return None
    return round((b - a).total_seconds(), 3)


def sample_time(value: Any, fallback: str) -> str:
    """A sample's own time (ISO text or epoch seconds) as the journal's ISO form."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = dt.datetime.fromtimestamp(float(value), dt.UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return str(value) if value else fallback


def number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
