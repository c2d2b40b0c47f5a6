"""The step the step list and the detail pane stand on: the run's current step, or the one a rollback works on.

While a rollback runs, the run's `current` (the first forward step not final) is the last step undone: the pane read
`s4 ↶ undone` while s3's undo ran, the step after the one being undone. It stands on the step whose undo runs (or the
rollback section's step that runs), as the status row's `Rolling back (checkpoint): s3…` does.
"""

from __future__ import annotations

from runbook_tui.engine.state_model import RunState


def rolling_back_at(state: RunState) -> str | None:
    """The step a running rollback works on now: the step whose undo runs, or its rollback section's step that runs."""
    rollback = state.rollback
    if rollback is None or rollback.finished:
        return None
    if rollback.running_step in state.steps:
        return rollback.running_step
    return next((sid for sid in state.rollback_order if state.steps[sid].status == "running"), None)


def pane_step(state: RunState) -> str | None:
    """The step the list highlights and the pane shows when nobody is looking elsewhere."""
    return rolling_back_at(state) or state.current
