"""What the assignee's enter does now, in the words of the status rows and the footer (one source for both).

Read from the state only, as `status_stack.statuses` is: every screen that shows the assignee's keys says the same.
"""

from __future__ import annotations

from runbook_tui.engine.host_tally import rerun_where
from runbook_tui.engine.left_out import every_host_left_out, left_out
from runbook_tui.engine.state import RunState, confirmable

#: What enter does on a step that runs no command: a note's enter records that the person did it by hand.
MANUAL_KEYS = {"note": "enter I did it (nothing runs)", "ask": "enter answer it"}
#: The assignee's enter action on such a step: the footer's words (`⏎ I did it`) begin the row's.
MANUAL_ACTIONS = {"note": "did_it", "ask": "answer"}


def ran_before(state: RunState) -> bool:
    """Whether enter runs the current step again (an attempt of it ran before): the rows and the footer say `re-run`."""
    step = state.steps.get(state.current or "")
    return step is not None and step.attempts > 0


def enter_and(state: RunState, *others: str, enter: str = "") -> str:
    """A status row's keys for the assignee: enter's (`enter`, else `enter_words`), then `others`. Enter is left out
    while the run is paused: it starts nothing then (the controller refuses it and the footer leaves ⏎ out), and the
    rows offered `enter re-run` under `PAUSED by alice — p resume`."""
    return " · ".join(([] if state.paused else [enter or enter_words(state)]) + list(others))


def again_keys(state: RunState, other: str) -> dict[str, str]:
    """The keys to run the current step again (`enter_words`), or to ask a go-ahead first where a rejection or a rollback voided the last one."""
    if confirmable(state) == "before":
        return {"assignee": enter_and(state, other, enter="enter ask go-ahead"), "verifier": "c go-ahead"}
    return {"assignee": enter_and(state, other)}


def enter_words(state: RunState) -> str:
    """What the assignee's enter does to the current step, which may start: runs it (again), or a note's or a question's."""
    kind, current = str(state.plan_steps.get(state.current or "", {}).get("kind")), state.current or ""
    if every_host_left_out(state, current):
        return "enter skip it (every host left out)"
    again = ran_before(state) and f"enter re-run{rerun_where(state.plan_steps.get(current, {}), state.steps[current], left_out(state, current))}"
    return MANUAL_KEYS.get(kind, again or "enter run it")


def enter_action(state: RunState) -> str:
    """The one enter binding of the assignee's the footer shows now: the same case as the status row's words."""
    if confirmable(state) == "before":
        return "ask_go_ahead"
    kind = str(state.plan_steps.get(state.current or "", {}).get("kind"))
    return MANUAL_ACTIONS.get(kind, "rerun_step" if ran_before(state) else "run_step")
