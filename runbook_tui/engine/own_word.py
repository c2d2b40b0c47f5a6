"""Nobody gives the verifier's word on what they did themselves: the one answer the controller refuses by and every
screen renders (who is offered `c`, who a row says the run waits for).

A resume hands the keyboard over (bob resumes the run alice started) and alice may then join as a verifier: her word on
the step she ran, on a wave of the rollout she started, or on the unmet criteria she accepted, is refused; her rejection
is taken (it stops the run, as anyone's may).
"""

from __future__ import annotations

from runbook_tui.engine.state_model import RunState
from runbook_tui.runbook.loader import person_key
from runbook_tui.runbook.safe_text import visible_line


def whose_doing(state: RunState) -> str | None:
    """Who did what the verifier's `c` would now confirm: who started the attempt that waits (after it ran, or after a
    wave), who accepted the unmet success criteria; None where `c` confirms nothing anyone did (a go-ahead, nothing)."""
    current = state.current
    if current is None:
        acceptance = state.criteria_acceptance
        if acceptance is None or not acceptance.get("needs_verifier") or acceptance.get("confirmed_by"):
            return None
        by = acceptance.get("by")
        return by if isinstance(by, str) else None
    step = state.steps.get(current)
    if step is None or (step.status != "awaiting_verification" and step.wave_awaiting is None):
        return None
    return step.ran_by


def is_theirs(state: RunState, name: object) -> bool:
    """`name` did what the verifier's word now judges (`Alice` and `alice` are one person, as everywhere)."""
    did = whose_doing(state)
    return isinstance(name, str) and did is not None and person_key(name) == person_key(did)


def own_doing(state: RunState, me: object) -> str | None:
    """Why `me`'s confirmation is not theirs to give, in the words the controller refuses with and `c` says; None: it is."""
    if not is_theirs(state, me):
        return None
    what = f"ran '{visible_line(state.current)}'" if state.current is not None else "accepted the unmet success criteria"
    assignee = visible_line(str(state.session.get("assignee") or "the assignee"))
    return f"you {what} yourself, before {assignee} resumed the run: the two-person rule needs another person's word on it (x still rejects it)"
