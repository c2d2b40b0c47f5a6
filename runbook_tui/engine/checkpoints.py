"""When a checkpoint is reached: the one rule the controller journals `checkpoint_reached` by.

A checkpoint step is a safe point once it is done: it finished done (solo, or with `verify: none`), the verifier
confirmed its outcome, or the assignee marked it done after checking by hand. The rollback planner goes back to such a
step (`rollback.py`); the journal says so as soon as it happens, before the next step is announced.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.model import Runbook

#: The events that can turn a step done.
COMPLETING = frozenset({ev.STEP_FINISHED, ev.STEP_CONFIRMED, ev.STEP_MARKED_DONE})


def checkpoint_completed(runbook: Runbook, type: str, data: Mapping[str, Any], before: RunState, after: RunState) -> str | None:
    """The `checkpoint: true` step this event (`before` -> `after`) turned done, or None."""
    if type not in COMPLETING or not runbook.step(data["step"]).checkpoint:
        return None
    return turned_done(data["step"], before, after)


def turned_done(step_id: str, before: RunState, after: RunState) -> str | None:
    """`step_id` when it is done (`done_everywhere`) in `after` and was not in `before`, else None."""
    return step_id if done_everywhere(after, step_id) and not done_everywhere(before, step_id) else None


def checkpoint_unsaid(runbook: Runbook, state: RunState) -> str | None:
    """The last checkpoint step that is done when the journal has not said it was reached (the process died between
    the two events), else None."""
    done = [step.id for step in runbook.steps if step.checkpoint and done_everywhere(state, step.id)]
    return done[-1] if done and done[-1] != state.checkpoint else None


def done_everywhere(state: RunState, step_id: str) -> bool:
    """Done on every host, as the rollback planner counts a checkpoint: one done with hosts failed within `max_fail` is
    no safe point to go back to (the journal said it was reached while the planner went back past it)."""
    step = state.steps.get(step_id)
    return step is not None and step.status == "done" and all(h.status == "done" for h in step.hosts.values())
