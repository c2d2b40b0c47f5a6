"""`k` on the run screen: stop the step that runs now, as its `timeout:` would, by a person's word.

The assignee's word is journaled (a note with `request: stop`, fsynced) before any signal goes out. Every host's
command then gets TERM to its process group and KILL `KILL_GRACE_SECONDS` later if anything is left; hosts the
rollout had not started are not started, no retry follows, and no later batch begins. The step ends `failed`, each
stopped host's error saying who stopped it; the assignee then decides as after any failure (re-run, roll back,
skip). A `wait` step's wait ends at once, failed the same way.
"""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import Actor, Reply, refused
from runbook_tui.engine.events import Event, EventType, P
from runbook_tui.engine.ports import KILL_GRACE_SECONDS, StopSignal
from runbook_tui.engine.state import RunState


class StepStop:
    """The stop half of the controller (a mixin: the controller supplies the state, `emit` and the running step's signal)."""

    state: RunState
    _stop_signal: StopSignal | None = None  # the forward step running now; None between steps and during a rollback

    def emit(self, type: EventType[P], actor: Actor | str, *_: P.args, **data: P.kwargs) -> Event:
        raise NotImplementedError

    def interrupt_wait(self, reason: str) -> bool:
        raise NotImplementedError

    def stoppable(self) -> bool:
        """A forward step runs and nobody has stopped it yet."""
        return self._stop_signal is not None and self._stop_signal.reason is None and self.state.current is not None

    def stop_step(self, actor: Actor) -> Reply:
        """Journal who stopped the running step, then signal every command of it (and end a `wait`)."""
        if actor.role != "assignee":
            return refused("only the assignee can stop a running step")
        signal, step = self._stop_signal, self.state.current
        if signal is None or step is None:
            return refused("no step is running (a rollback's undo commands run to their end)")
        if signal.reason is not None:
            return refused(f"'{step}' is being stopped already ({signal.reason})")
        why = f"stopped by {actor.name}"
        words = f"stopped '{step}' while it ran: TERM to its commands' process groups, KILL {KILL_GRACE_SECONDS:g} s later if anything is left"
        self.emit(ev.NOTE, actor, step=step, text=words, request="stop")
        signal.stop(why)
        self.interrupt_wait(why)
        return Reply(True, f"stopping '{step}': its commands get TERM, then KILL; it ends as failed")
