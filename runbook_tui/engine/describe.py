"""Events as `exec` prints them: the time, the type, then the event in words (engine/event_words.py)."""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_words import output_lines, said
from runbook_tui.engine.events import Event
from runbook_tui.engine.outcome_words import ended_by, outcome_words
from runbook_tui.engine.state_model import RunState
from runbook_tui.runbook.safe_text import visible_line


def describe(event: Event, state: RunState | None = None) -> list[str]:
    """The lines `exec` prints for an event (output events print one line per output line, indented). `state`: the run
    with the event applied, when known: a run's end rolled back to a checkpoint says where to (`outcome_words`), as the
    run screen's last status row and the report's Outcome do (exec's line read `outcome ROLLED BACK`, as if the whole
    change was undone)."""
    if event["type"] == ev.OUTPUT:
        return [f"  {line}" for line in output_lines(event, "|")]
    words = said(event)
    if words is None:
        return []  # every reading is journaled; exec prints trips, checks and failures instead
    head = f"{visible_line(str(event.get('ts', '')))[11:19]} {visible_line(str(event['type'])):<18}"
    first = words.lines[0]
    if event["type"] == ev.SESSION_FINISHED and state is not None and state.finished and state.outcome == event.get("outcome"):
        first = f"outcome {visible_line(outcome_words(state) + ended_by(state))}"
    return [f"{head} {first}", *words.lines[1:]]


def lone_wave(event: Event, state: RunState | None) -> bool:
    """A wave line of a step on one host in one wave (a `local` step with `expect.metric`): the journal keeps the
    wave (a resume re-runs only the metric check after `wave_finished`), but exec's `wave 1/1: local` and `wave 1/1
    finished` only repeat `step_started` and the output; `step_finished` says how the host ended."""
    if event["type"] not in (ev.WAVE_STARTED, ev.WAVE_FINISHED) or event.get("of") != 1 or state is None:
        return False
    step = state.steps.get(str(event.get("step")))
    return step is not None and len(step.hosts) == 1
