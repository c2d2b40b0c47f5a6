"""An event in words, as `event_words.said` gives it (and the share's words, `share_words`)."""

from __future__ import annotations

import datetime as dt

from runbook_tui.runbook.lean_dataclass import dataclass


@dataclass(frozen=True)
class Said:
    """An event in words: `lines[0]` the event, the rest its details (indented)."""

    mark: str
    lines: list[str]
    decision: bool = False  # a person decided (or joined, or left): the log, which has no time column, adds the time


def clock_words(value: object, beside: object) -> str:
    """A time the journal holds as ISO text, as exec's lines say times: `19:53:52` (UTC), with its date before it when
    it is another day than `beside` (the event's own `ts`); anything else as given. A silence's end read
    `until 2026-12-05T19:53:52.123Z` in exec's line, the log and the report's timeline, among times said `19:53:52`."""
    moment, near = _utc(value), _utc(beside)
    if moment is None:
        return "?" if value is None else str(value)
    return f"{moment:%H:%M:%S}" if near is not None and near.date() == moment.date() else f"{moment:%Y-%m-%d %H:%M:%S}"


def _utc(value: object) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return None if moment is None else (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
