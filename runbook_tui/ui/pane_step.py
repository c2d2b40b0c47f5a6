"""The step the step list and the detail pane stand on: the run's current step, or the one a rollback works on.

While a rollback runs, the run's `current` (the first forward step not final) is the last step undone: the pane read
`s4 ↶ undone` while s3's undo ran, the step after the one being undone. It stands on the step whose undo runs (or the
rollback section's step that runs), as the status row's `Rolling back (checkpoint): s3…` does; once the rollback
stopped at a step, on that step, as `ROLLBACK STOPPED at 's3'` says.
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


def stopped_at(state: RunState) -> str | None:
    """The step a rollback stopped at (its undo failed, or the program died while it ran) and `u` goes on with: the
    status row names it (`ROLLBACK STOPPED at 'edit'`), and the pane showed the step after it, whose undo had run."""
    rollback = state.rollback
    if rollback is None or not rollback.finished or rollback.ok or state.finished or rollback.failed_step not in state.steps:
        return None
    return rollback.failed_step


def pane_step(state: RunState) -> str | None:
    """The step the list highlights and the pane shows when nobody is looking elsewhere."""
    return rolling_back_at(state) or stopped_at(state) or state.current
