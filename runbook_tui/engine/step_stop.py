"""`k` on the run screen: stop the step that runs now, as its `timeout:` would, by a person's word.

The assignee's word is journaled (a note with `request: stop`, fsynced) before any signal goes out. Every host's
command then gets TERM to its process group and KILL `KILL_GRACE_SECONDS` later if anything is left; hosts the
rollout had not started are not started, no retry follows, and no later batch begins. The step ends `failed`, each
stopped host's error saying who stopped it; the assignee then decides as after any failure (re-run, roll back,
skip). A `wait` step's wait ends at once, failed the same way, and so do a retry's delay, an `expect.metric`
check's wait and a `verify: per_wave` rollout's wait for the verifier's word between waves (engine/stop_waits.py:
no further wave starts, its hosts are `skipped`). During a rollback, the undo (or the rollback
section's step) that runs is stopped the same way and the rollback stands stopped there, as after a failed undo:
`u` tries again. Once every step is done, `k` ends the wait of the check of `metrics.success` before the end
(engine/final_check.py): the criteria not decided then count as not met, to be accepted with a reason or rolled back.
Between steps, `k` ends the wait of the check a verify section began: its criteria stay not decided.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import Actor, Reply, refused
from runbook_tui.engine.events import Event, EventType, P
from runbook_tui.engine.ports import KILL_GRACE_SECONDS, StopSignal
from runbook_tui.engine.state import RunState
from runbook_tui.engine.waves import WaveGate


class StepStop:
    """The stop half of the controller (a mixin: the controller supplies the state, `emit` and the running step's signal)."""

    state: RunState
    _stop_signal: StopSignal | None = None  # the step or the rollback running now; None between them
    _waves: WaveGate | None
    _wake_wait: asyncio.Event | None  # a `wait` step waits (engine/wait_step.py)
    _final_stop: StopSignal | None  # the check of the success criteria before the end waits (engine/final_check.py)
    _verify_stops: tuple[StopSignal, ...]  # a verify section's checks wait (engine/final_check.py)

    def emit(self, type: EventType[P], actor: Actor | str, *_: P.args, **data: P.kwargs) -> Event:
        raise NotImplementedError

    def interrupt_wait(self, reason: str) -> bool:
        raise NotImplementedError

    def final_check_stoppable(self) -> bool:
        raise NotImplementedError

    def verify_check_stoppable(self) -> bool:
        raise NotImplementedError

    def stoppable(self) -> bool:
        """A step or a rollback runs, or the check of the success criteria before the end waits, and nobody has stopped it yet."""
        step = self._stop_signal is not None and self._stop_signal.reason is None and running_now(self.state) is not None
        return step or self.final_check_stoppable() or self.verify_check_stoppable()

    def stop_step(self, actor: Actor, seen: tuple[str, Literal["run", "undo"]] | None = None) -> Reply:
        """Journal who stopped what runs now, then signal every command of it (and end a `wait`). `seen`: what the
        dialog named (`Stop the rollback at 'b' now?`): refused when something else runs now (the rollback went on)."""
        if actor.role != "assignee":
            return refused("only the assignee can stop a running step")
        signal, running = self._stop_signal, running_now(self.state)
        if (signal is None or running is None) and self.final_check_stoppable():
            return self._stop_final_check(actor)
        if (signal is None or running is None) and self.verify_check_stoppable():
            return self._stop_verify_check(actor)
        if signal is None or running is None:
            return refused("no step is running")
        step, phase = running
        if seen is not None and running != seen:
            now = f"the rollback is now at '{step}'" if phase == "undo" else f"'{step}' runs now"
            return refused(f"the dialog was about '{seen[0]}', but {now}: nothing was stopped; press k again to see it")
        if signal.reason is not None:
            return refused(f"'{step}' is being stopped already ({signal.reason})")
        note, reply = self._stop_words(step, phase)
        self.emit(ev.NOTE, actor, step=step, text=note, request="stop")
        why = f"stopped by {actor.name}"
        signal.stop(why)
        self.interrupt_wait(why)
        return Reply(True, reply)

    def _stop_final_check(self, actor: Actor) -> Reply:
        """End the wait of the check before the end: the criteria undecided then count as not met."""
        assert self._final_stop is not None
        self.emit(
            ev.NOTE, actor, text="stopped the check of the success criteria before the end: the criteria not met by then count as not met", request="stop"
        )
        self._final_stop.stop(f"stopped by {actor.name}")
        return Reply(True, "stopped the check of the success criteria: those not met count as NOT met; a accepts them with a reason, u rolls back")

    def _stop_verify_check(self, actor: Actor) -> Reply:
        """End the wait of the check a verify section began (between steps): its criteria stay not decided, as it
        decides nothing; the run goes on (the check before the end decides)."""
        text = "stopped the check of the success criteria the verify section began: those not decided by then stay not decided"
        self.emit(ev.NOTE, actor, text=text, request="stop")
        for stop in self._verify_stops:
            stop.stop(f"stopped by {actor.name}")
        return Reply(True, "stopped the verify section's check of the success criteria: not decided; the check before the end decides")

    def _stop_words(self, step: str, phase: Literal["run", "undo"]) -> tuple[str, str]:
        """What a stop ends, in words: (the journal's note, the reply)."""
        signals = f"TERM to its commands' process groups, KILL {KILL_GRACE_SECONDS:g} s later if anything is left"
        if phase == "undo":
            return f"stopped the rollback while it undid '{step}': {signals}", f"stopping the rollback at '{step}': it stands stopped there; u tries again"
        wave = self._waves.waiting if self._waves is not None else None
        if wave is not None:  # verify: per_wave: nothing runs, the rollout waits for the verifier's word
            return (
                f"stopped '{step}' while wave {wave} waited for the verifier's word: no further wave starts",
                f"stopped '{step}' after wave {wave}: no further wave starts; it ends as failed",
            )
        if self._wake_wait is not None:  # a `wait` step has no command to signal (its note said TERM, KILL)
            return f"stopped '{step}' while it waited: the wait ends now", f"stopped '{step}': the wait ends now; it ends as failed"
        return f"stopped '{step}' while it ran: {signals}", f"stopping '{step}': its commands get TERM, then KILL; it ends as failed"


def running_now(state: RunState) -> tuple[str, Literal["run", "undo"]] | None:
    """What a stop would end: an undo of the rollback that runs (its step), else a step running (a forward one, or a
    rollback section's), with which of its commands."""
    rollback = state.rollback
    if rollback is not None and not rollback.finished and rollback.running_step is not None:
        return rollback.running_step, "undo"
    running = [sid for sid in (state.current, *state.rollback_order) if sid is not None and state.steps[sid].status == "running"]
    return (running[0], "run") if running else None
