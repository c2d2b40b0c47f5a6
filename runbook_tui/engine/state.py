"""`apply(state, event) -> state`: the one definition of where a run stands.

Live runs, `resume`, `replay`, the verifier's replica and `report` all fold
the same events with this function. It reads only the events (the plan is in
`session_started`), never the runbook file, so a journal alone rebuilds the
whole state. It decides nothing: the controller does that and says so in the
events.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.fold_session import SESSION_HANDLERS
from runbook_tui.engine.fold_steps import STEP_HANDLERS, output_lines, with_output
from runbook_tui.engine.state_model import (
    FINAL_STEP,
    OUTPUT_TAIL,
    RUNNABLE,
    SAMPLES_KEPT,
    HostState,
    OutputLine,
    RollbackState,
    RunState,
    StepState,
    evolve,
)
from runbook_tui.runbook.safe_text import visible_line

__all__ = [
    "FINAL_STEP",
    "OUTPUT_TAIL",
    "RUNNABLE",
    "SAMPLES_KEPT",
    "HostState",
    "OutputLine",
    "RollbackState",
    "RunState",
    "StepState",
    "UnreadableEvent",
    "apply",
    "confirmable",
    "initial",
    "replay",
]

_HANDLERS = {**STEP_HANDLERS, **SESSION_HANDLERS}


def initial() -> RunState:
    return RunState()


def replay(events: Iterable[Event], state: RunState | None = None) -> RunState:
    """Fold events into a state: the whole of `resume` and of the verifier's catch-up.

    The same state as `apply` event after event, faster: a run of `output`
    events of one step (most of a long journal) is folded at once, splitting
    only its last OUTPUT_TAIL events with text (each has a line at least, so
    no line that survives the cut is in an earlier one; memory stays flat).
    """
    state = state or initial()
    texts: deque[Event] = deque(maxlen=OUTPUT_TAIL)  # the last `output` events with text in the run, not yet in `state`
    last: Event | None = None  # the last `output` event of the run
    for event in events:
        if event["type"] == ev.OUTPUT:
            if last is not None and last["step"] != event["step"]:
                state = _with_outputs(state, last, texts)
            if event.get("text", "") != "":
                texts.append(event)
            last = event
            continue
        if last is not None:
            state, last = _with_outputs(state, last, texts), None
        state = apply(state, event)
    return state if last is None else _with_outputs(state, last, texts)


def _with_outputs(state: RunState, last: Event, texts: deque[Event]) -> RunState:
    """The lines of a run of `output` events of `last`'s step, then `seq` and `last_ts` of `last`; empties `texts`."""
    tail: deque[OutputLine] = deque(maxlen=OUTPUT_TAIL)
    for event in texts:
        tail.extend(output_lines(event))
    texts.clear()
    state = with_output(state, last["step"], tail)
    return evolve(state, seq=last["seq"], last_ts=last["ts"])


class UnreadableEvent(ValueError):
    """An event the fold cannot take (the journal's reader checks each event's fields, `event_shape`: what it let through):
    "line N: TYPE: what went wrong", for the reader to refuse the journal with, never a traceback."""


def apply(state: RunState, event: Event) -> RunState:
    """The state after `event`. Unknown event types only advance `seq` (newer writers may add types).

    UnreadableEvent when the event's fields are not what the fold takes (a journal's reader says which line).
    """
    handler = _HANDLERS.get(event["type"])
    if handler is not None:
        try:
            state = handler(state, event)
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
            raise UnreadableEvent(f"line {event['seq'] + 1}: {event['type']}: not as this program writes it ({type(exc).__name__}: {exc})") from None
    return evolve(state, seq=event["seq"], last_ts=event["ts"])


def confirmable(state: RunState) -> str | None:
    """What a verifier's confirmation would do now: "after" (the step ran and waits), "before"
    (a go-ahead the step needs before it runs), or None (nothing to confirm). The controller
    decides with this, and the verifier's footer offers `c` only when it is not None."""
    current = state.current
    # While a rollback runs nothing waits for a verifier's word (its section's steps ask none): a go-ahead given then,
    # for the step it had just undone, outlived the rollback that voids the ones before it, and the step re-ran on a word
    # given before the captures it renders from were taken again.
    if current is None or state.finished or state.solo or rollback_under_way(state):
        return None
    step = state.steps[current]
    if step.status == "awaiting_verification":
        return "after"
    verify = state.plan_steps.get(current, {}).get("verify")
    # nor a go-ahead while a rollback that stopped waits (no forward step runs until it has finished; its retry voids it)
    if verify in ("before", "both") and not step.has_go_ahead and step.status in RUNNABLE and state.rollback_halted is None:
        return "before"
    return None


#: A step the run stands stopped at with no verifier's word to give: what x says there (`nothing_to_reject`).
_STOPPED = {
    "failed": "failed: the run has stopped at it already",
    "timed_out": "failed: the run has stopped at it already",
    "unknown": "outcome is unknown (the program stopped while it ran): {assignee} re-runs it, marks it done or rolls back",
}


def request_stands(state: RunState, me: str | None = None) -> str:
    """`a rollback request stands (bob: reload broke it): it waits for alice to start it or decline it`, while one does
    (the verifier's or a guard's); "" otherwise. What the verifier's x and u say there, instead of offering u again.
    To `me` who asked it: `your rollback request stands (reload broke it): …` (bob read his own name)."""
    asked = state.rollback_requested
    if not asked:
        return ""
    assignee = visible_line(str(state.session.get("assignee") or "the assignee"))
    whose = _whose(asked, state.rollback_asked_by, me, "requests a rollback", ("a rollback request stands", "your rollback request stands"))
    return f"{whose}: it waits for {assignee} to start it or decline it"


def hold_stands(state: RunState, me: str | None = None) -> str:
    """`a hold asked stands already (bob asks to hold): it waits for alice to pause` (`your hold …` to who asked it)."""
    assignee = visible_line(str(state.session.get("assignee") or "the assignee"))
    whose = _whose(state.hold_requested or "", state.hold_asked_by, me, "asks to hold", ("a hold asked stands already", "your hold stands already"))
    return f"{whose}: it waits for {assignee} to pause"


def _whose(asked: str, who: str | None, me: str | None, default: str, said: tuple[str, str]) -> str:
    """The request named as `me` reads it: `a hold asked stands already (bob: why)`, or to bob `your hold … (why)`."""
    if me is None or who != me:
        return f"{said[0]} ({visible_line(asked)})"
    own = own_words(asked, me, default)
    return f"{said[1]} ({visible_line(own)})" if own else said[1]


def own_words(asked: str, who: str, default: str) -> str:
    """A participant's request as the fold names it (`bob asks to hold`, `bob: p99 doubled`, words that start with
    their name kept whole) without their name: their own words, "" for the default (a request with none)."""
    return "" if asked == f"{who} {default}" else asked.removeprefix(f"{who}: ")


def rollback_under_way(state: RunState) -> str:
    """`a rollback is under way already (checkpoint): …` while one runs, "" otherwise: what the verifier's u says then,
    and why the controller refuses a request (each one was journaled, a line in every log)."""
    rollback = state.rollback
    if rollback is None or rollback.finished:
        return ""
    return f"a rollback is under way already ({rollback.scope}): the log shows each undo as it runs"


def nothing_to_reject(state: RunState, me: str | None = None) -> str | None:
    """Why a verifier's rejection would stop nothing now (None: it stops the run at the current step). The controller
    refuses with these words and the verifier's footer offers `x` only when it is None: a failed step has stopped the run
    already, and rejecting it hid the failure behind `GO-AHEAD REFUSED` while enter still re-ran it (an unknown outcome
    too); a `verify: none` step asks for no word, and x refused it a go-ahead it never needed; nor does a step that asks
    no go-ahead before it has run (x said "it does not start", and enter ran it: the spec's rejection stops the run at a
    step, which x there did not); a step rejected already
    stands stopped; a step rolled back has nothing of it left standing (unless its re-run waits for the verifier's
    go-ahead: x refuses that).
    Where the verifier's rollback request or hold stands, the words say it waits for the assignee (they offered u, p again)."""
    current = state.current
    step = state.steps.get(current or "")
    if current is None or step is None:
        return "there is no step to reject"
    if running := rollback_under_way(state):  # x refused a go-ahead to a step the rollback was taking back
        return f"{running}; nothing to reject until it has ended"
    if step.wave_awaiting is not None:
        return None  # verify: per_wave: x stops the rollout at this wave
    assignee = visible_line(str(state.session.get("assignee") or "the assignee"))
    stands = request_stands(state, me)  # asked already: `u asks for one` read as if it had not been (the footer drops u there)
    hold = "" if state.paused or state.hold_requested else "p asks to hold, "  # paused, or a hold asked: p is not offered
    # x over a failure, or an outcome nobody knows (the program stopped while it ran), hid it behind GO-AHEAD REFUSED.
    stopped = _STOPPED.get(step.status, "").format(assignee=assignee)
    verify = state.plan_steps.get(current, {}).get("verify")
    if stopped:
        return f"'{current}' {stopped}, and {stands}; n adds a note" if stands else f"'{current}' {stopped}; u asks the assignee to roll back, n adds a note"
    if verify == "none":  # x refused a go-ahead this step never asks for
        return f"'{current}' needs no verifier's word (verify: none): nothing to reject; {hold}{stands or 'u asks for a rollback'}"
    if step.status == "pending" and verify not in ("before", "both"):  # no go-ahead asked: x said "it does not start", and enter ran it
        return f"'{current}' has not run yet: your word on it comes once it has (c confirms or x rejects then); {hold}{stands or 'u asks for a rollback'}"
    if step.status == "undone" and confirmable(state) != "before":  # a re-run that needs the verifier's go-ahead: x refuses it
        # x turned `undone` into GO-AHEAD REFUSED (the rows lost that it was undone), and enter re-ran it anyway.
        again = f"it waits for {assignee} to run it again (then your word)"
        return f"'{current}' was rolled back: nothing of it stands to reject; {again}, {hold}n adds a note"
    if step.status == "running":
        return f"'{current}' is still running; ask to hold (p) or reject when it finished"
    if step.status == "rejected":  # a second x was journaled as a go-ahead refused, over a step that had run
        said = "had its go-ahead refused" if step.decision == "go-ahead refused" else "is rejected"
        return f"'{current}' {said} already: the run stands stopped at it until the assignee re-runs, skips or rolls back; n adds a note"
    return None
