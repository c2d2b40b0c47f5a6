"""Journal events as the lines of the run screen's output pane: the live run and replay alike.

`log_lines(event)` is what the pane adds for an event as it arrives; replay, after a jump,
rebuilds the pane from the same events with the same function, so the two read the same.
The words are `exec`'s (engine/event_words.py); the pane starts each line with its mark.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from rich.cells import cell_len

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_words import output_lines, output_prefix, said
from runbook_tui.engine.events import Event
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.note_line import cut_middle

#: What the pane narrates: the steps, waves, undo and rollbacks as they run (each undo's end too, per host: the pane said
#: which undo started and never how it ended, so a rollback that stopped did not say where or why), and every decision
#: taken on them (a skip, a step marked done, a wave let through, a guard's trip) and each resume of the run after its
#: process stopped, so that what the assignee did the verifier reads too; the share port refusing connections (a
#: verifier may be kept out) or a key that is not a participant's (someone tried to get in); each checkpoint reached
#: (where `u` goes back to); who approved the plan (a signed approval, `run --approval`);
#: and who joined and left (the assignee saw the header turn `not connected`, and never that bob had left or was back);
#: a start outside the change window, with its reason; a change of how the run is verified (`resume --share` of a solo
#: run: the verifier who joined read `a done [unverified]` and nothing of when or by whom it went shared); each pause and its end, by whom and when (the status row says
#: `PAUSED` only while it lasts: afterwards nothing on the pane said the run had stood still, who held it, or who went
#: on, where exec's lines said both; the line goes in the output frame after the key's own, `RunScreen._repaint`);
#: a notice or an alert silence that failed, in its own words (the `error` journaled after it says it again: said by none).
LOGGED = frozenset({
    ev.STEP_STARTED, ev.UNDO_STARTED, ev.UNDO_FINISHED, ev.STEP_FINISHED, ev.CHECKPOINT_REACHED, ev.ROLLBACK_STARTED, ev.ROLLBACK_FINISHED,
    ev.ERROR, ev.NOTE, ev.WAVE_STARTED, ev.WAVE_FINISHED, ev.STEP_CONFIRMED, ev.STEP_REJECTED, ev.STEP_SKIPPED, ev.STEP_MARKED_DONE,
    ev.WAVE_CONFIRMED, ev.WAVE_REJECTED,
    ev.HOLD_REQUESTED, ev.ROLLBACK_REQUESTED, ev.ROLLBACK_DECLINED, ev.CRITERIA_ACCEPTED, ev.CRITERIA_ACCEPTANCE_CONFIRMED, ev.GUARD_TRIPPED,
    ev.VERIFIER_HANDOVER, ev.SESSION_INTERRUPTED, ev.SESSION_RESUMED, ev.SESSION_REOPENED, ev.SHARE_REFUSING, ev.JOIN_REFUSED,
    ev.PARTICIPANT_JOINED, ev.PARTICIPANT_LEFT, ev.PLAN_APPROVED, ev.WINDOW_OVERRIDE, ev.PAUSED, ev.RESUMED, ev.MODE_CHANGED,
    ev.NOTIFY_FAILED, ev.SILENCE_FAILED,
})  # fmt: skip
#: Between the host and an output line on the pane (stderr: `!`).
OUTPUT_MARK = "│"
#: A host name longer than this is cut in its middle before each output line (`web-01.prod…example.internal │`): a name
#: of 120 characters took two rows before every line of output at 80 columns. The step pane and `v` name it whole.
HOST_CELLS = 40


def log_lines(event: Event, reader: str | None = None) -> list[str]:
    """The pane's lines for one event: each output line (`host │ text`, `!` for stderr, `undo ` in a
    rollback), and for steps, waves, undo, rollbacks, errors, notes and decisions the mark and the words
    (a decision with its time: "✓ 02:13:05 deploy confirmed by bob"; `by you` on bob's own screen: `reader`)."""
    kind = event["type"]
    if kind == ev.OUTPUT:
        return output_lines(_host_cut(event), OUTPUT_MARK)
    if kind not in ev.VOCABULARY:
        return unknown_lines(event)
    words = said(event, reader) if kind in LOGGED else None
    if words is None:
        return []
    at = f"{visible_line(str(event.get('ts', '')))[11:19]} " if words.decision else ""
    # exec's line starts with the event's name (`silence_failed ID at URL …`); the pane's with a mark, so it names what
    # failed: `!! ebe5dac8-… at http://… could not expire` read as about nothing in particular.
    what = "alert silence " if kind == ev.SILENCE_FAILED else ""
    return [f"{words.mark} {at}{what}{words.lines[0]}", *words.lines[1:]]


def unknown_lines(event: Event) -> list[str]:
    """An event of a type this version does not know (a newer one wrote the journal): its type, who and its fields, as
    journaled (a replay dropped it: the log went on as if the night held nothing there)."""
    words = said(event)
    said_there = words.lines[0] if words is not None and words.lines else ""
    return [f"? {visible_line(str(event.get('ts', '')))[11:19]} {visible_line(str(event['type']))} {said_there}"]


def raw_output_prefix(event: Event) -> str:
    """What each line of an output event follows on the pane, not yet sanitised (the pane sanitises what it shows)."""
    return output_prefix(_host_cut(event), OUTPUT_MARK)


def _host_cut(event: Event) -> Event:
    """The output event with its host as the pane names it: cut in its middle to `HOST_CELLS`, its start and end kept."""
    host = visible_line(str(event.get("host", "")))
    return {**event, "host": cut_middle(host, HOST_CELLS)} if cell_len(host) > HOST_CELLS else event


def last_log_lines(events: Iterable[Event], keep: int) -> list[str]:
    """The last `keep` lines the pane shows after `events` (one event at a time: a long journal is never held whole)."""
    lines: deque[str] = deque(maxlen=keep)
    for event in events:
        lines.extend(log_lines(event))
    return list(lines)
