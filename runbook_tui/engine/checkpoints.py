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
_COMPLETING = frozenset({ev.STEP_FINISHED, ev.STEP_CONFIRMED, ev.STEP_MARKED_DONE})


def checkpoint_completed(runbook: Runbook, type: str, data: Mapping[str, Any], before: RunState, after: RunState) -> str | None:
    """The `checkpoint: true` step this event (`before` -> `after`) turned done, or None."""
    if type not in _COMPLETING or not runbook.step(data["step"]).checkpoint:
        return None
    return data["step"] if _done(after, data["step"]) and not _done(before, data["step"]) else None


def checkpoint_unsaid(runbook: Runbook, state: RunState) -> str | None:
    """The last checkpoint step that is done when the journal has not said it was reached (the process died between
    the two events), else None."""
    done = [step.id for step in runbook.steps if step.checkpoint and _done(state, step.id)]
    return done[-1] if done and done[-1] != state.checkpoint else None


def _done(state: RunState, step_id: str) -> bool:
    """Done on every host, as the rollback planner counts a checkpoint: one done with hosts failed within `max_fail` is
    no safe point to go back to (the journal said it was reached while the planner went back past it)."""
    step = state.steps.get(step_id)
    return step is not None and step.status == "done" and all(h.status == "done" for h in step.hosts.values())
