"""The timeline's days: its lines are `exec`'s, each with the time of day (UTC); where a new day begins, a line names it.

A run past midnight, or resumed days later, read `23:59:54 note ...` then `02:00:08 session_resumed ...` with nothing
saying that three days, not two hours, lay between them (the report's other times carry their date on another day).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from runbook_tui.report.model import TimelineEntry


def timeline_lines(entries: Iterable[TimelineEntry], started_at: str | None) -> Iterator[str]:
    """Each entry's text, after `── 2026-11-24 (UTC) ──` where its day is not the one before it (the start's, first)."""
    day = (started_at or "")[:10]
    for entry in entries:
        if entry.at[:10] and entry.at[:10] != day:
            day = entry.at[:10]
            yield f"── {day} (UTC) ──"
        yield entry.text
