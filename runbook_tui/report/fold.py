"""The report's timeline: every event but output and metric samples, in words, as `exec` prints it.

The rest of the record comes from the history fold (engine/history.py), which
practice reads too.
"""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.describe import describe
from runbook_tui.engine.events import Event
from runbook_tui.engine.state_model import RunState
from runbook_tui.report.model import TimelineEntry


def timeline_entry(event: Event, state: RunState) -> TimelineEntry | None:
    """The event's line in the timeline, or None (output, readings, and events with nothing to say). `state`: the run
    with the event applied (a rollback's end names its checkpoint, as exec's line does: `describe`)."""
    if event["type"] in ev.GROUPED:
        return None
    lines = describe(event, state)
    return TimelineEntry(event["seq"], event["ts"], event["actor"], event["type"], "\n".join(lines)) if lines else None
