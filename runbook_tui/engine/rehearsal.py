"""A rehearsal: the forward run (failing on purpose at a step, when asked), its rollback, and the prechecks again.

`runbook-tui rehearse` drives it headless on the real hosts; it answers
whether the rollback brought the hosts back to where the prechecks pass,
and how long forward and rollback took. The session is left open and then
finished `rolled_back`, whatever happened forward (`failed` when the rollback
itself stopped).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from runbook_tui.engine import events as ev
from runbook_tui.engine.autopilot import Policy, drive
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.events import SYSTEM
from runbook_tui.engine.rollback import Scope, nothing_to_roll_back
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Runbook


@dataclass(frozen=True)
class Rehearsed:
    """How a rehearsal went: the forward run's outcome and time, the rollback's, and the prechecks after it."""

    forward_outcome: str
    forward_seconds: float
    scope: Scope
    rollback_seconds: float
    rolled_back: bool
    prechecks_ok: bool
    #: Why there was no rollback to rehearse (`RollbackPlan.runs_nothing`): none was journaled, what ran stands.
    nothing: str | None = None

    @property
    def restored(self) -> bool:
        return self.rolled_back and self.prechecks_ok


def fail_at_problem(runbook: Runbook, fail_at: str | None) -> str | None:
    """Why `--fail-at STEP` cannot be rehearsed (not one of the forward steps), or None."""
    order = [step.id for step in runbook.forward_steps]
    if fail_at is None or fail_at in order:
        return None
    expected = f"expected one of: {', '.join(order)}"
    if fail_at in (step.id for step in runbook.rollback_steps):  # it exists: "no such step" was not true
        return f"--fail-at {fail_at}: a step of a rollback section runs only during a rollback, so it cannot fail the forward run; {expected}"
    return f"--fail-at {fail_at}: no such step; {expected}"


async def rehearse(
    controller: Controller, actor: Actor, fail_at: str | None, policy: Policy, *, forward_ended: Callable[[str], None] = lambda _outcome: None
) -> Rehearsed:
    """Forward (to the end, or failing at `fail_at`), roll back (full, or to the checkpoint), recheck, finish `rolled_back`.

    `forward_ended(outcome)` is told when the forward run is over, before the rollback starts.
    """
    started = time.monotonic()
    scope: Scope
    controller.driver = policy.command  # every move of a rehearsal is the program's: its rollback and its end too
    if fail_at is None:
        outcome = await drive(controller, actor, finish=False, policy=policy)
        scope = "full"
    else:
        controller.inject_failure(fail_at)
        outcome = await drive(controller, actor, stop_before=_after(controller, fail_at), finish=False, policy=policy)
        scope = "checkpoint"
    forward = time.monotonic() - started
    forward_ended(outcome)
    plan = controller.plan_rollback(scope)
    if plan.entries and (nothing := plan.runs_nothing) is not None:  # (no entry: nothing changed; the prechecks run again)
        # A rollback of steps without an undo runs nothing: it was journaled, the run ended ROLLED BACK and rehearse said
        # "rollback restored state", exit 0, over every change still standing (the report: "ran and not rolled back").
        controller.emit(ev.NOTE, SYSTEM, text=f"rehearsal: {nothing_to_roll_back(nothing)}: no rollback was rehearsed; what ran stands")
        controller.finish(actor, outcome if outcome in ("done", "done_criteria_failed") else "failed")
        return Rehearsed(outcome, forward, scope, 0.0, False, False, nothing)
    started = time.monotonic()
    controller.ends_after_rollback = True  # nothing goes on forward: the recheck announces each precheck (once)
    reply = controller.rollback(actor, scope, acknowledged=True, reason="rehearsal", finish=False)
    await controller.wait_idle()
    rollback_time = time.monotonic() - started
    rolled = reply.ok and controller.state.rollback is not None and bool(controller.state.rollback.ok)
    prechecks_ok = await recheck_and_finish(controller, actor, rolled)
    return Rehearsed(outcome, forward, scope, rollback_time, rolled, prechecks_ok)


def rolled_back_unfinished(controller: Controller) -> bool:
    """A rehearsal whose rollback finished and whose session did not (the process died while the prechecks ran again,
    or before): what is left is the recheck and the end, never the forward run again. (A rollback the process died
    in is not finished: resume says so, and --rollback goes on with it.)"""
    state, rollback = controller.state, controller.state.rollback
    return state.mode == "rehearsal" and not state.finished and rollback is not None and rollback.finished and not rollback.interrupted


async def recheck_and_finish(controller: Controller, actor: Actor, rolled: bool) -> bool:
    """After the rollback: the prechecks again (True when they pass), then the session ends `rolled_back`.

    A rollback that stopped (an undo failed) is not a rollback done: ended `failed`, as exec and resume end it
    (before: `rolled_back` whatever happened, and the report said ROLLED BACK over a rollback STOPPED)."""
    prechecks = [s.id for s in controller.runbook.forward_steps if controller.runbook.section(s.section_id).kind == "precheck"]
    prechecks_ok = await controller.recheck(actor, prechecks)
    controller.finish(actor, "rolled_back" if rolled else "failed")
    return prechecks_ok


def _after(controller: Controller, step_id: str) -> str | None:
    """The forward step after `step_id`: the driver stops there (the failure has happened)."""
    order = controller.state.order
    index = order.index(step_id)
    return order[index + 1] if index + 1 < len(order) else None


def checks_words(runbook: Runbook, ok: bool) -> str:
    """The prechecks' answer after the rollback, in words ("pass" is never said of none)."""
    if not any(section.kind == "precheck" and section.steps for section in runbook.sections):
        return "no prechecks to re-run (only the rollback's own result says whether it restored state)"
    return "prechecks after rollback " + ("pass" if ok else "FAIL")
