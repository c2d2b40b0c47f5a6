"""The headless driver behind `exec` and `rehearse`: runs steps in order, as a person would press enter.

It takes the same road as the TUI (intents to the controller), so a
staging rehearsal exercises exactly what the 2 AM run will. With a verifier
it waits for confirmations; a failure either stops or rolls back. A
verifier's hold pauses the run (a person decides later, on `resume`); a
verifier's rollback request is handled like a failed step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from runbook_tui.engine import events as ev
from runbook_tui.engine.controller import SYSTEM, Actor, Controller
from runbook_tui.engine.event_words import asked_reason
from runbook_tui.engine.events import Event
from runbook_tui.engine.guard_response import guard_rollback_reason, unanswered_guard_rollback
from runbook_tui.engine.manual import persons_part, unanswerable
from runbook_tui.engine.rollback import nothing_to_roll_back
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import shell_word

#: stop: end failed (`resume --rollback` can still undo it); rollback: to the last checkpoint, as `u`; abort: the full rollback.
OnFailure = Literal["rollback", "stop", "abort"]

#: Outcomes a drive ends the session with (the others leave the journal open for `resume`).
FINISHING = frozenset({"done", "failed", "aborted", "rolled_back", "done_criteria_failed"})


@dataclass(frozen=True)
class Policy:
    """What a headless run does where a person would decide."""

    on_failure: OnFailure = "stop"
    ack_manual: str | None = None  # --ack-manual REASON: note/ask/confirm steps are acknowledged without a person (journaled)
    accept_criteria: str | None = None  # --accept-failed-criteria REASON
    command: str = "exec"  # the command that drives (exec, resume, rehearse): its notes and reasons name it


class _Requests:
    """The verifier's holds and rollback requests not answered yet: journaled before this drive (the process that got them
    died before it acted: resume --continue answers them as exec would have), or arriving while it runs."""

    def __init__(self, state: RunState) -> None:
        self.hold: str | None = state.hold_requested and f"{state.hold_requested} (asked before the program stopped)"
        asked = None if unanswered_guard_rollback(state) else state.rollback_requested  # a guard's: the runbook decided it
        self.rollback: str | None = asked and f"{asked} (asked before the program stopped)"

    def __call__(self, event: Event, state: RunState) -> None:
        if event["type"] == ev.HOLD_REQUESTED:
            self.hold = f"{event['actor']} asked to hold{asked_reason(event, 'asks to hold')}"
        elif event["type"] == ev.ROLLBACK_REQUESTED:
            self.rollback = f"{event['actor']} requested a rollback{asked_reason(event, 'requests a rollback')}"
        elif state.rollback_requested is None:  # withdrawn by the verifier's later word to go on (the state fold decides)
            self.rollback = None


async def drive(
    controller: Controller,
    actor: Actor,
    *,
    on_failure: OnFailure = "stop",
    stop_before: str | None = None,
    finish: bool = True,
    policy: Policy | None = None,
) -> str:
    """Run until the session ends, a failure stops it, or `stop_before` is reached; returns the outcome.

    With `finish=False` the session is left open at the end (rehearse rolls back afterwards).
    """
    policy = policy or Policy(on_failure=on_failure)
    requests = _Requests(controller.state)
    controller.subscribe(requests)
    driver, controller.driver = controller.driver, policy.command  # its moves are the policy's, not a person's (`driver`)
    try:
        outcome = await _loop(controller, actor, policy, stop_before, requests)
        if outcome == "done" and finish:
            outcome = await _judge_criteria(controller, actor, policy)
        if finish and not controller.state.finished and outcome in FINISHING and not controller.fatal:
            controller.finish(actor, outcome)
        return (controller.state.outcome or outcome) if controller.state.finished and finish else outcome
    finally:
        controller.unsubscribe(requests)
        controller.driver = driver


async def _judge_criteria(controller: Controller, actor: Actor, policy: Policy) -> str:
    """Every step done: unmet success criteria end it `done_criteria_failed`, unless accepted with a reason."""
    await controller.wait_idle()
    if controller.state.final_check_owed:  # resumed after the process died before or during the final check: check again
        controller.finish_if_done()
        await controller.wait_idle()
    state = controller.state
    if state.finished or not state.criteria_unmet:
        return state.outcome or "done"
    if policy.accept_criteria is None:
        unmet = "; ".join(state.criteria_unmet)  # the way to accept is not a new exec: that would run every step again
        _said(controller, f"success criteria NOT met: {unmet}; not accepted: this run was not given --accept-failed-criteria REASON")
        return "done_criteria_failed"
    reply = controller.accept_criteria(actor, policy.accept_criteria)
    if not reply.ok:
        _said(controller, f"{policy.command} could not accept the unmet criteria: {reply.message}")
        return "done_criteria_failed"
    while not controller.state.finished:  # a shared run: the verifier confirms the acceptance
        await controller.changed()
    return controller.state.outcome or "done"


async def _loop(controller: Controller, actor: Actor, policy: Policy, stop_before: str | None, requests: _Requests) -> str:
    asked_go_ahead: set[str] = set()
    # On resume, earlier trips were dealt with then; but not a rollback a guard asked for that the dead process never
    # answered: the runbook's `on_critical: rollback` decides it now, as it would have.
    trips_seen = len(controller.state.guard_trips) - (1 if unanswered_guard_rollback(controller.state) else 0)
    while True:
        await controller.wait_idle()
        state = controller.state
        if state.finished:
            return state.outcome or "aborted"
        if controller.fatal:
            return "failed"  # the journal cannot be written: nothing more may happen
        new_trips = state.guard_trips[trips_seen:]
        trips_seen = len(state.guard_trips)
        rolling_back = next((t for t in new_trips if t.get("action") == "rollback"), None)
        if rolling_back is not None:
            return await _guard_rolled_back(controller, actor, rolling_back, policy.command)
        if requests.rollback is not None:
            what, requests.rollback = requests.rollback, None
            outcome = await _after_failure(controller, actor, policy, what)
            if outcome is not None:
                return outcome
            continue
        if requests.hold is not None:
            if not state.paused:
                controller.pause(SYSTEM, requests.hold)  # the program answers the hold, as it does a guard's: not the assignee's decision
            requests.hold = None
        if controller.state.paused:
            # A guard or the verifier paused the run (now, or before the process that paused it died): with nobody at a
            # screen, a person decides later; the journal stays open. (Before, a resumed paused run ended `aborted`.)
            reason, journal = controller.state.pause_reason, controller.journal.path
            # A step the pause cut short (a rollout between waves, a wait) stands failed: --continue alone would end the run there.
            cut = state.current is not None and state.steps[state.current].status == "failed"
            again = f" --rerun --continue` lifts the pause, runs '{state.current}' again" if cut else " --continue` lifts the pause"
            go_on = f"`runbook-tui resume {shell_word(journal)} --lift-pause REASON{again} and goes on"
            # The program's word, not the assignee's (it was journaled as theirs, and the report named them its author).
            text = f"{policy.command} stopped: the run is paused ({reason}); once checked, {go_on} (or --rollback rolls back)"
            _said(controller, text)
            return "paused"
        rollback = state.rollback
        if rollback is not None and rollback.finished and not rollback.ok:
            return "failed"
        step_id = state.current
        if step_id is None:
            return "done"
        if step_id == stop_before:
            return "stopped"
        step = state.steps[step_id]
        waiting_go_ahead = controller.needs(controller.runbook.step(step_id), "before") and not step.has_go_ahead
        if step.status == "unknown":
            if step.go_ahead_asked_at is None:
                return "undecided"  # the process died while it ran: a person decides (resume --rerun / --mark-done / --rollback)
            asked_go_ahead.add(step_id)  # `resume --rerun` asked the verifier's go-ahead for the re-run: it runs once given
        if step.status in ("failed", "rejected"):
            outcome = await _after_failure(controller, actor, policy, f"'{step_id}' {step.status}")
            if outcome is not None:
                return outcome
            continue
        if step.status == "awaiting_verification" and not controller.verifier_reachable:
            _said(
                controller,
                f"{policy.command} stopped: '{step_id}' waits for a verifier, and no verifier can join this run (resume --share ... or --solo REASON)",
            )
            return "stopped"
        if step.status == "awaiting_verification" or (waiting_go_ahead and step_id in asked_go_ahead):
            await controller.changed()
            continue
        if not _manual_acknowledged(controller, actor, policy, step_id):
            return "manual"
        if waiting_go_ahead:
            asked_go_ahead.add(step_id)
        reply = controller.run_current(actor, acknowledged=True, answer=_no_answer(controller, step_id))
        if not reply.ok:
            _said(controller, f"{policy.command} stopped: {reply.message}")
            return "aborted" if controller.verifier_reachable else "stopped"


async def _after_failure(controller: Controller, actor: Actor, policy: Policy, what: str) -> str | None:
    """A failed or rejected step, or a rollback request: stop, or roll back (None: the run goes on after the rollback)."""
    if policy.on_failure == "stop":
        return "failed"
    scope: Literal["checkpoint", "full"] = "full" if policy.on_failure == "abort" else "checkpoint"
    reason = f"{policy.command} --on-failure {policy.on_failure}: {what}"
    state = controller.state
    failed = state.current is not None and state.steps[state.current].status in ("failed", "rejected")
    if failed and (nothing := controller.plan_rollback(scope).runs_nothing) is not None:  # as `u` refuses (ui/rollback_modal.py)
        _said(controller, f"{reason}: {nothing_to_roll_back(nothing)}; the run ends FAILED")
        return "failed"  # a rollback of nothing was journaled, and the report read ROLLED BACK over a failed first look
    controller.ends_after_rollback = True  # stopped or done, exec ends with it: nothing is announced as the next step
    if not controller.rollback(actor, scope, acknowledged=True, reason=reason).ok:
        return "failed"
    await controller.wait_idle()
    rollback = controller.state.rollback
    if controller.state.finished:
        return controller.state.outcome
    if scope == "checkpoint":
        # Back at the last checkpoint, as `u` leaves it: the session ends rolled back; nothing is re-run on its own.
        return "rolled_back" if rollback is not None and rollback.ok else "failed"
    return None


def _said(controller: Controller, text: str) -> None:
    """A note in the program's words, journaled as the program's: they were the person's who started the drive, so the
    log, replay and the report read `note by alice: exec stopped at 'x': …`, words alice never wrote. Nothing follows the end."""
    if not controller.state.finished:
        controller.emit(ev.NOTE, SYSTEM, text=text, step=controller.state.current)


def _manual_acknowledged(controller: Controller, actor: Actor, policy: Policy, step_id: str) -> bool:
    """A note, ask or confirm step is a person's: run headless only with --ack-manual, journaled on the step; never an
    ask whose answer is captured (an empty answer would be used)."""
    step = controller.runbook.step(step_id)
    part = persons_part(step)
    if part is None:
        return True
    why_not = unanswerable(step)
    if why_not is not None:
        _said(controller, f"{policy.command} stopped at '{step_id}': {why_not}; a person answers it at the run screen (runbook-tui resume in a terminal)")
        return False
    if policy.ack_manual is None:
        _said(controller, f"{policy.command} stopped at '{step_id}': a {part} step is done by a person; --ack-manual REASON acknowledges it headless")
        return False
    controller.emit(ev.NOTE, actor, step=step_id, text=f"acknowledged without a person (--ack-manual): {policy.ack_manual}", request="ack_manual")
    return True


async def _guard_rolled_back(controller: Controller, actor: Actor, trip: Mapping[str, Any], command: str) -> str:
    """A guard with `on_critical: rollback` tripped: nobody is here to read the undo list, so the runbook's word is the
    decision; back to the last checkpoint, and the drive stops there."""
    controller.ends_after_rollback = True
    reply = controller.roll_back_for_guard(guard_rollback_reason(trip))
    if not reply.ok:
        _said(controller, f"{command} could not roll back for the guard: {reply.message}")
        return "failed"
    await controller.wait_idle()
    rollback = controller.state.rollback
    return "rolled_back" if rollback is not None and rollback.ok else "failed"


def _no_answer(controller: Controller, step_id: str) -> str | None:
    """exec has no one to ask: an `ask` step without `capture` (refused above) gets an empty answer, journaled as such."""
    return "" if controller.runbook.step(step_id).kind == "ask" else None
