"""The time a step's texts render with: `{{ now }}` read once per step, journaled with it.

A step's texts are rendered for people (step_ready, step_started, the rollback's list) apart from the command the
shell runs (`runner._command`). Each render read the clock anew, so `run: "echo {{ now.isoformat() }}"` was
journaled with one time and ran with another, and its undo ran with the time of the rollback. The time a step
becomes ready is journaled with it (`now` in step_ready and step_started, only for a step whose texts read it), and
every later render of that step, shown or run, in this process or a resumed one, takes that time.
"""

from __future__ import annotations

import datetime as dt

from runbook_tui.engine.state import RunState
from runbook_tui.runbook.model import Step


def reads_now(step: Step) -> bool:
    texts = (step.title_text, step.body, step.undo, step.confirm, step.cwd, step.expect.stdout, *(value for _, value in step.env))
    return any(text is not None and "now" in text.uses for text in texts)


def step_now(state: RunState, step: Step, *, fresh: bool = False) -> dt.datetime | None:
    """The `now` the step's texts render with: the one journaled with it, or the clock's when `fresh` (it becomes
    ready) or none was; None for a step that does not read `now`."""
    if not reads_now(step):
        return None
    said = None if fresh or step.id not in state.steps else state.steps[step.id].rendered.get("now")
    return dt.datetime.fromisoformat(said) if isinstance(said, str) else dt.datetime.now(dt.UTC).astimezone()
