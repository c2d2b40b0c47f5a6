"""`journal verify`: an announcement the program makes once, said again with nothing between (a line copied, its hashes
recomputed).

`step_ready` names the step the run comes to (`Controller._next_step_changed`, the opening, `resume` when the dead
process never wrote it, a rehearsal's recheck before each precheck): the same step again only once something moved
(an attempt started, a skip, a rollback, a resume). `checkpoint_reached` says a checkpoint step turned done
(`checkpoints.checkpoint_completed`, or `resume` when it was never said): the same step again only once it completed
again. Before session 37 a copied line of either verified intact.

A `checkpoint_reached` removed is told too: the controller journals it as it applies the event that turned the step
done, before it announces the next step or ends the session (`Controller._apply`), and `resume` says one the dead
process never wrote before anything moves (`Resuming.resumed`). So a `step_ready`, `step_started` or `session_finished`
written while a checkpoint step stands done and unsaid is a line cut out (before session 38 it verified intact, and the
report, the screens' `⚑ last checkpoint` and the rollback's reach named the checkpoint before it). Asked of a process
that writes `process` in its session_started or session_resumed (since session 34: every such writer journals the
checkpoint first); older journals are not asked.
"""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.checkpoints import COMPLETING, done_everywhere, turned_done
from runbook_tui.engine.events import Event
from runbook_tui.engine.state import RunState

#: What moves the run on, so that it may come to the same step again (and announce it afresh).
_MOVES = frozenset({
    ev.STEP_STARTED, ev.STEP_FINISHED, ev.STEP_CONFIRMED, ev.STEP_REJECTED, ev.STEP_SKIPPED, ev.STEP_MARKED_DONE,
    ev.ROLLBACK_STARTED, ev.UNDO_STARTED, ev.ROLLBACK_FINISHED, ev.SESSION_RESUMED, ev.SESSION_REOPENED,
})  # fmt: skip

#: What the program writes only once a checkpoint its last move completed is on record.
_AFTER_CHECKPOINT = frozenset({ev.STEP_READY, ev.STEP_STARTED, ev.SESSION_FINISHED})


class Repeats:
    """Handed each event `EventOrder` folds (not the output, samples and notes), in order, with the run before it."""

    def __init__(self) -> None:
        self._ready: str | None = None  # the step the last step_ready named, when nothing moved since
        self._after_rollback = False  # that step_ready came right after a rollback_finished
        self._reached: str | None = None  # the checkpoint last said reached, when it has not completed since
        self._last: str | None = None  # the type of the event before
        self._owed: tuple[str, int] | None = None  # (step, line): a checkpoint step turned done there, not said reached since
        self._says_checkpoints = False  # the process writing now journals a checkpoint before it moves on (`process`)

    def problem(self, state: RunState, event: Event) -> str | None:
        kind, step = event["type"], event.get("step")
        found = None
        if kind == ev.STEP_READY:
            # A rehearsal before session 36 announced the step it stood at after its rollback, then its recheck the
            # same precheck again (`rehearsal.py`: "announced once"): those journals stay intact.
            older = self._after_rollback and state.session.get("mode") == "rehearsal"
            if step == self._ready and not older:
                found = f"of '{step}' again, where nothing moved since its step_ready before (a step is announced once as the run comes to it)"
            self._ready, self._after_rollback = step, self._last == ev.ROLLBACK_FINISHED
        elif kind in _MOVES:
            self._ready = None
        if kind in (ev.SESSION_STARTED, ev.SESSION_RESUMED):
            self._says_checkpoints = "process" in event
        if kind in _AFTER_CHECKPOINT and self._owed is not None and self._says_checkpoints:
            owed, line = self._owed
            found = (
                f"while checkpoint '{owed}' stood done since line {line} with no checkpoint_reached: the program journals a"
                " checkpoint as its step turns done, before the run moves on (a line cut out)"
            )
        if kind == ev.CHECKPOINT_REACHED:
            if step == self._reached:
                found = f"of '{step}' again, which has not completed since it was reached (a checkpoint is reached once as its step turns done)"
            self._reached = step
        elif kind in COMPLETING and step == self._reached:
            self._reached = None
        self._last = kind
        return found

    def folded(self, before: RunState, after: RunState, event: Event) -> None:
        """`event` took the run from `before` to `after`: a checkpoint step it turned done is owed a `checkpoint_reached`
        (as `checkpoints.checkpoint_completed` decides it live), until the run's checkpoint is that step or it stands done
        no more (a rollback undid it)."""
        step = event.get("step")
        if event["type"] in COMPLETING and after.plan_steps.get(str(step), {}).get("checkpoint") is True:
            if turned_done(str(step), before, after) is not None:
                self._owed = (str(step), event["seq"] + 1)
        if self._owed is not None and (after.checkpoint == self._owed[0] or not done_everywhere(after, self._owed[0])):
            self._owed = None
