"""What `resume` journals as it takes over a run whose process died, before anything acts (a mixin of the controller).

The dead process may have left a decision's consequences off the journal: the `checkpoint_reached` of a checkpoint step
that ended, or the `step_ready` of the step the run now stands on (power lost after `session_started` reached the disk
but before the opening's `step_ready` did, or a kill between a step's end and the next step's `step_ready`). Each is
journaled here as the live run would have, so the screens, a joining verifier and the report read that step rendered
(captures, parameters, its `now`), never as the plan words it.
"""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM, Actor
from runbook_tui.engine.checkpoints import checkpoint_unsaid
from runbook_tui.engine.events import Event, EventType, P
from runbook_tui.engine.fold_session import lost_with_the_process
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.engine.run_process import this_process
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.model import Runbook

#: A step the run stands on that no attempt has started since it became current (a failed one stays announced).
_WAITING = frozenset({"pending", "undone"})


def ready_unsaid(state: RunState) -> str | None:
    """The step the run stands on whose `step_ready` never reached the disk, else None: as `Controller._next_step_changed`
    announces, not while a rollback is unfinished, nor after a full rollback that ended well (the run ends there), nor in
    a session reopened for a rollback (`resume --rollback`: it goes back, not on)."""
    current, rollback = state.current, state.rollback
    if current is None or state.finished or state.reopened is not None or state.steps[current].status not in _WAITING or state.announced == current:
        return None
    if rollback is not None and (not rollback.finished or (rollback.scope == "full" and rollback.ok)):
        return None
    return current


class Resuming:
    """`resumed` and `interrupted` (the controller supplies the runbook, the state, `emit` and `announce_ready`)."""

    runbook: Runbook
    journal: JournalWriter
    state: RunState
    assignee: str

    def emit(self, type: EventType[P], actor: Actor | str, *_: P.args, **data: P.kwargs) -> Event:
        raise NotImplementedError

    def announce_ready(self, step_id: str) -> None:
        raise NotImplementedError

    def resumed(self, pid: int, signers: dict[str, str] | None = None) -> None:
        """Journal the resume (`signers`: the allowed_signers file read, as `start`'s), then what the dead process owed: a
        checkpoint reached, the current step's `step_ready`."""
        read = {"allowed_signers": signers} if signers else {}
        self.emit(ev.SESSION_RESUMED, self.assignee, pid=pid, process=this_process(self.journal.path), **read)
        unsaid = checkpoint_unsaid(self.runbook, self.state)
        if unsaid is not None:  # the process died between a checkpoint step's end and its `checkpoint_reached`
            self.emit(ev.CHECKPOINT_REACHED, SYSTEM, step=unsaid)
        if (step := ready_unsaid(self.state)) is not None:
            self.announce_ready(step)

    def interrupted(self, pid: int, elsewhere: str | None = None) -> None:
        """A look (`resume` deciding nothing, process `pid`) found the run's process gone (`elsewhere`: that process, on
        another machine, could not be checked): journaled when that changes the state (a step or a rollback it ran is
        unknown, who was connected left with it), so a second look writes nothing."""
        if lost_with_the_process(self.state) != self.state:
            self.emit(ev.SESSION_INTERRUPTED, SYSTEM, pid=pid, **({"elsewhere": elsewhere} if elsewhere else {}))
