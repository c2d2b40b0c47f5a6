"""The verifier's intents: confirm, reject, decide a wave, ask to hold or for a rollback.

A mixin of the controller (it supplies the state, the rules and `emit`), kept apart so
the two-person rule reads in one place.
"""

from __future__ import annotations

from typing import Literal

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM, Actor, Reply, refused
from runbook_tui.engine.events import Event, P
from runbook_tui.engine.own_word import own_doing
from runbook_tui.engine.state import RUNNABLE, RunState, hold_stands, nothing_to_reject, request_stands, rollback_under_way
from runbook_tui.engine.waves import WaveGate
from runbook_tui.runbook.loader import person_key
from runbook_tui.runbook.model import Step

#: A step's last decision (`StepState.decision`) in words, as "bob ___ meanwhile" says it.
_DECIDED = {
    "confirmed": "confirmed it",
    "go-ahead": "gave it the go-ahead",
    "rejected": "rejected it",
    "skipped": "skipped it",
    "marked done": "marked it done",
}


class VerifierIntents:
    """What the verifier may do; every answer is a `Reply`, every change an event."""

    state: RunState
    assignee: str
    _waves: WaveGate | None

    def emit(self, type: ev.EventType[P], actor: Actor | str, *_: P.args, **data: P.kwargs) -> Event:
        raise NotImplementedError

    def needs(self, step: Step, phase: Literal["before", "after"]) -> bool:
        raise NotImplementedError

    def current_step(self) -> Step | None:
        raise NotImplementedError

    def _maybe_finish(self) -> None:
        raise NotImplementedError

    def _verifier_only(self, actor: Actor, what: str) -> Reply | None:
        if actor.role == "assignee" or person_key(actor.name) == person_key(self.assignee):  # `Alice`, `alice` + U+200B too
            return refused(f"the assignee cannot {what} their own step (two-person rule)")
        if actor.role != "verifier":
            return refused(f"only the verifier can {what}")
        if self.state.finished:
            return refused("the session is finished")
        return None

    def _not_their_own(self, actor: Actor) -> Reply | None:
        """The verifier's word on what they did themselves (`own_word`: the step's attempt they started, the criteria they
        accepted) is refused, as the assignee's is: a resume hands the keyboard over (bob resumes the run alice started,
        alice may verify), and the checks by the keyboard's name let alice confirm the step she had run (before: taken,
        the run went on, and only the record said "confirmed by the person who ran it")."""
        own = own_doing(self.state, actor.name)
        return refused(own) if own else None

    def _handover(self, actor: Actor) -> None:
        """A different verifier's confirmation or rejection is accepted: journal the shift change first."""
        previous = self.state.active_verifier
        if previous is not None and previous != actor.name:
            self.emit(ev.VERIFIER_HANDOVER, SYSTEM, **{"from": previous, "to": actor.name})

    def _not_the_step_seen(self, seen: str | None, actor: Actor) -> Reply | None:
        """A confirmation is about the step the verifier looked at: a late or retried one must not land on the next. Who
        decided that step meanwhile is said (before: `look at it, then decide again`, and bob, who had typed why 'one'
        was wrong, was not told that carol had confirmed it: a rollback request, not a decision, was his way on)."""
        current = self.state.current
        if seen is not None and seen != current:
            # Every step done (the end waits for a seal, or for c on accepted criteria): it said `the run is now at 'None'`.
            now = f"the run is now at '{current}'" if current is not None else "every step is done now"
            earlier = self.state.steps.get(seen)
            verb = _DECIDED.get(earlier.decision or "") if earlier is not None else None
            if earlier is not None and verb is not None and earlier.decided_by:
                who = f"you had {verb} already" if earlier.decided_by == actor.name else f"{earlier.decided_by} {verb} meanwhile"
                return refused(f"you acted on '{seen}', but {who}; {now}: look at it, then decide again")
            return refused(f"you acted on '{seen}', but {now}: look at it, then decide again")
        return None

    def confirm(self, actor: Actor, seen: str | None = None) -> Reply:
        denial = self._verifier_only(actor, "confirm") or self._not_the_step_seen(seen, actor)
        if denial:
            return denial
        step = self.current_step()
        acceptance = self.state.criteria_acceptance
        if step is None and acceptance is not None and acceptance.get("needs_verifier") and not acceptance.get("confirmed_by"):
            if own := self._not_their_own(actor):
                return own
            self._handover(actor)
            self.emit(ev.CRITERIA_ACCEPTANCE_CONFIRMED, actor, reason=acceptance.get("reason"))
            self.emit(ev.SESSION_FINISHED, SYSTEM, outcome="done")
            return Reply(True, "confirmed the acceptance of the unmet success criteria; session finished: done")
        if step is None:
            return refused("there is no step to confirm")
        wave = self._wave_decision(actor, step, True)
        if wave is not None:
            return wave
        if running := rollback_under_way(self.state):  # nothing waits for a word (`confirmable`)
            return refused(f"{running}: nothing to confirm until it has ended")
        status = self.state.steps[step.id]
        if status.status == "awaiting_verification":
            if own := self._not_their_own(actor):
                return own
            self._handover(actor)
            self.emit(ev.STEP_CONFIRMED, actor, step=step.id, phase="after", attempt=status.attempts)  # a checkpoint: reached as it applies
            self._maybe_finish()
            return Reply(True, f"confirmed '{step.id}'")
        if self.needs(step, "before") and not status.has_go_ahead and status.status in RUNNABLE:
            if (halted := self.state.rollback_halted) is not None:  # `confirmable`: its retry would void the word
                return refused(f"{halted}: no forward step runs until it has finished, so no go-ahead is given until then")
            self._handover(actor)
            self.emit(ev.STEP_CONFIRMED, actor, step=step.id, phase="before", attempt=status.attempts + 1)
            return Reply(True, f"go-ahead given for '{step.id}'")
        return refused(f"'{step.id}' is {status.status}: nothing to confirm yet")

    def reject(self, actor: Actor, reason: str, seen: str | None = None) -> Reply:
        denial = self._verifier_only(actor, "reject") or self._not_the_step_seen(seen, actor)
        if denial:
            return denial
        if not reason.strip():
            return refused("a rejection needs a reason")
        step = self.current_step()
        why_not = nothing_to_reject(self.state, actor.name)
        if step is None or why_not is not None:
            return refused(why_not or "there is no step to reject")
        wave = self._wave_decision(actor, step, False, reason.strip())
        if wave is not None:
            return wave
        status = self.state.steps[step.id]
        phase = "after" if status.status == "awaiting_verification" else "before"
        self._handover(actor)
        attempt = status.attempts if phase == "after" else status.attempts + 1
        self.emit(ev.STEP_REJECTED, actor, step=step.id, phase=phase, reason=reason.strip(), attempt=attempt)
        if phase == "before":  # in the words every screen's rows then say (`GO-AHEAD REFUSED`): nothing ran to reject
            return Reply(True, f"refused the go-ahead for '{step.id}': it does not start")
        return Reply(True, f"rejected '{step.id}': the run stops here")

    def _wave_decision(self, actor: Actor, step: Step, go_on: bool, reason: str = "") -> Reply | None:
        """verify: per_wave: the verifier's word on the wave the rollout waits after; None when none waits."""
        gate = self._waves
        if gate is None or gate.waiting is None or gate.step.id != step.id:
            return None
        wave = gate.waiting
        if go_on and (own := self._not_their_own(actor)):
            return own
        self._handover(actor)
        attempt = self.state.steps[step.id].attempts  # named, as in the verifier's signed statement
        if go_on:
            self.emit(ev.WAVE_CONFIRMED, actor, step=step.id, wave=wave, attempt=attempt)
        else:
            self.emit(ev.WAVE_REJECTED, actor, step=step.id, wave=wave, attempt=attempt, reason=reason)
        gate.decide(go_on, reason)
        return Reply(True, f"{'confirmed' if go_on else 'rejected'} wave {wave} of '{step.id}'")

    def request_hold(self, actor: Actor, reason: str = "") -> Reply:
        if actor.role not in ("verifier",):
            return refused("only the verifier can ask the assignee to hold")
        if self.state.finished:
            return refused("the session is finished")
        # As the verifier's screen says them (it no longer offers p then): each press journaled another hold_requested.
        if self.state.paused:
            return refused("the run is paused already: the assignee resumes it with p")
        if self.state.hold_requested:
            return refused(hold_stands(self.state, actor.name))
        self.emit(ev.HOLD_REQUESTED, actor, reason=reason or f"{actor.name} asks to hold")
        return Reply(True, "asked the assignee to hold")

    def request_rollback(self, actor: Actor, reason: str = "") -> Reply:
        if actor.role != "verifier":
            return refused("only the verifier requests a rollback; the assignee starts it with u")
        if self.state.finished:
            return refused("the session is finished")
        # In the verifier's screen's words (it offers no u then): each request, any client's, journaled another rollback_requested.
        if under_way := rollback_under_way(self.state) or request_stands(self.state, actor.name):
            return refused(under_way)
        self.emit(ev.ROLLBACK_REQUESTED, actor, reason=reason or f"{actor.name} requests a rollback")
        wave = self._waiting_wave()
        if wave:  # the rollout waits for this verifier's word: nothing can roll back before it (the reply said "sees it now")
            return Reply(True, f"rollback requested; {wave} still waits for your word: x rejects it and stops the rollout, then the assignee can roll back")
        return Reply(True, "rollback requested: the assignee sees it now")

    def decline_rollback(self, actor: Actor, reason: str) -> Reply:
        """The assignee's `no` to the open rollback request (the verifier's or a guard's): its reason on the record, and
        shown to the verifier; nothing is rolled back and nothing else changes (a pause stays until lifted)."""
        if actor.role != "assignee":
            return refused("only the assignee declines a rollback request")
        asked = self.state.rollback_requested
        if self.state.finished or not asked:
            return refused("there is no rollback request to decline")
        if not reason.strip():
            return refused("declining a rollback request needs a reason (the verifier reads it; it goes into the journal and the report)")
        self.emit(ev.ROLLBACK_DECLINED, actor, reason=reason.strip(), request=asked)
        return Reply(True, "rollback request declined; your reason is in the journal and the verifier sees it")

    def _waiting_wave(self) -> str:
        """`wave 2 of 'roll'` while a `verify: per_wave` rollout waits for the verifier's word (the step is busy, nothing
        runs, and no timeout ends the wait); "" otherwise."""
        gate = self._waves
        return f"wave {gate.waiting} of '{gate.step.id}'" if gate is not None and gate.waiting is not None else ""

    def busy_for_rollback(self) -> str:
        """Why a rollback cannot start while the run is busy, in words that say what ends the wait."""
        wave = self._waiting_wave()
        if wave:
            return f"{wave} waits for the verifier's word: a rollback can start once they reject it (x), or once you stop the step (k)"
        return "a step is running; wait for it to end, or stop it with k, then roll back"
