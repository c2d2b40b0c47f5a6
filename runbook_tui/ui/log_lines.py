"""Journal events as the lines of the run screen's output pane: the one formatter for the live run and replay.

`log_lines(event)` is what the pane adds for an event as it arrives; replay, after a jump,
rebuilds the pane from the same events with the same function, so the two read the same.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.glyphs import status_words

LOGGED = frozenset({
    ev.STEP_STARTED, ev.UNDO_STARTED, ev.STEP_FINISHED, ev.ROLLBACK_STARTED, ev.ROLLBACK_FINISHED, ev.ERROR, ev.NOTE, ev.WAVE_STARTED,
    ev.STEP_CONFIRMED, ev.STEP_REJECTED, ev.HOLD_REQUESTED, ev.ROLLBACK_REQUESTED, ev.CRITERIA_ACCEPTED, ev.CRITERIA_ACCEPTANCE_CONFIRMED,
})  # fmt: skip


def _decision_line(event: Event) -> str | None:
    """Every decision names the person and the time: "✓ confirmed by bob 02:13:05"."""
    kind, who, at = event["type"], event.get("actor"), str(event.get("ts", ""))[11:19]
    reason = f": {event['reason']}" if event.get("reason") else ""
    if kind == ev.STEP_CONFIRMED:
        what = "go-ahead" if event.get("phase") == "before" else "confirmed"
        return f"✓ {what} by {who} {at} ({event.get('step')})"
    if kind == ev.STEP_REJECTED:
        return f"✗ rejected by {who} {at} ({event.get('step')}){reason}"
    if kind == ev.HOLD_REQUESTED:
        return f"‖ hold asked by {who} {at}{reason}"
    if kind == ev.ROLLBACK_REQUESTED:
        return f"↩ rollback requested by {who} {at}{reason}"
    if kind == ev.CRITERIA_ACCEPTED:
        return f"! unmet success criteria accepted by {who} {at}{reason}"
    if kind == ev.CRITERIA_ACCEPTANCE_CONFIRMED:
        return f"✓ acceptance confirmed by {who} {at}"
    return None


def event_lines(event: Event) -> list[str]:
    """A step, undo, rollback, error or note event as the output pane's `──` lines (statuses in words)."""
    decision = _decision_line(event)
    if decision is not None:
        return [visible_line(decision)]
    kind = event["type"]
    step = visible_line(str(event.get("step", "")))
    hosts = ", ".join(visible_line(str(h)) for h in event.get("hosts", []))
    if kind == ev.STEP_STARTED:
        return [f"── {step} started (attempt {event.get('attempt')}) on {hosts}"]
    if kind == ev.STEP_FINISHED:
        return [f"── {step} {status_words(str(event['status']))}"] + [f"   ✗ {visible_line(str(p))}" for p in event.get("problems", [])]
    if kind == ev.WAVE_STARTED:
        return [f"── {step} wave {event.get('wave')}/{event.get('of')}: {hosts}"]
    if kind == ev.UNDO_STARTED:
        return [f"── undo {step} on {hosts}"]
    if kind == ev.ROLLBACK_STARTED:
        return [f"── rollback ({visible_line(str(event.get('scope')))}) started"]
    if kind == ev.ROLLBACK_FINISHED:
        return [f"── rollback {'finished' if event.get('ok') else 'STOPPED at ' + visible_line(str(event.get('failed_step')))}"]
    if kind == ev.ERROR:
        return [visible_line(f"!! {event.get('host') or ''} {event.get('message')}")]
    return [visible_line(f"── note by {event.get('actor')}: {event.get('text')}")]


def output_prefix(event: Event) -> str:
    """What each line of an output event follows on the pane, not yet sanitised: `host │ ` (`!` for stderr, `undo ` first in a rollback)."""
    mark = "!" if event.get("stream") == "stderr" else "│"
    undo = "undo " if event.get("phase") == "undo" else ""
    return f"{undo}{event.get('host', '')} {mark} "


def log_lines(event: Event) -> list[str]:
    """The pane's lines for one event: each output line (`host │ text`, `!` for stderr, `undo ` in a
    rollback), the `──` lines of steps, waves, undo, rollbacks, errors and notes, and decisions by name."""
    kind = event["type"]
    if kind == ev.OUTPUT:
        prefix = output_prefix(event)
        return [visible_line(prefix + line) for line in str(event.get("text", "")).splitlines()]
    if kind in LOGGED:
        return event_lines(event)
    return []


def last_log_lines(events: Iterable[Event], keep: int) -> list[str]:
    """The last `keep` lines the pane shows after `events` (one event at a time: a long journal is never held whole)."""
    lines: deque[str] = deque(maxlen=keep)
    for event in events:
        lines.extend(log_lines(event))
    return list(lines)
