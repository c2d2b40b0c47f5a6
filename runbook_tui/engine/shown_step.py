"""What a dialog about the current step showed, carried by the intent it sends: the controller acts on that step as it
stood, or refuses. Before, `s` opened `Skip 'change'`, the run went on to 'last' while it was open, and the reason typed
for 'change' skipped 'last' (a step never read, journaled as the assignee's decision); enter's acknowledgement of one
step's `confirm:` ran the next one, whose own acknowledgement was never shown. The undo list's `y` carries the list
shown the same way (`LIST_CHANGED`)."""

from __future__ import annotations

from runbook_tui.engine.state_model import RunState
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import visible_line

#: The undo list's `y` refused: the plan changed between the dialog's check and the controller (the dialog says it too).
LIST_CHANGED = "THE LIST CHANGED while it was open: nothing was started; press u to read it again"


@dataclass(frozen=True)
class Shown:
    """A step as a dialog showed it: its id, its status and its attempts then (a re-run that failed again is another)."""

    step: str
    status: str
    attempts: int


def shown_as(state: RunState, sid: str) -> Shown:
    held = state.steps[sid]
    return Shown(sid, held.status, held.attempts)


def moved_on(state: RunState, shown: Shown | None) -> str | None:
    """Why an intent sent from a dialog that showed `shown` is refused now (nothing is done), or None (None: no dialog)."""
    if shown is None:
        return None
    current = state.current
    if current != shown.step:
        now = f"the run is now at '{visible_line(current)}'" if current is not None else "every step is done now"
        return f"the dialog was about '{visible_line(shown.step)}', but {now}: nothing was done; look at it, then decide again"
    held = state.steps[current]
    if held.status != shown.status:
        what = f"it was {shown.status.replace('_', ' ')}, now {held.status.replace('_', ' ')}"
    elif held.attempts != shown.attempts:
        what = f"it ran again meanwhile: attempt {held.attempts}"
    else:
        return None
    return f"'{visible_line(current)}' changed while the dialog was open ({what}): nothing was done; look at it, then decide again"
