"""The headless driver behind `exec` and `rehearse`: runs steps in order, as a person would press enter.

It takes the same road as the TUI (intents to the controller), so a
staging rehearsal exercises exactly what the 2 AM run will. With a verifier
it waits for confirmations; a failure either stops or rolls back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Literal

from runbook_tui.engine.controller import Actor, Controller

OnFailure = Literal["rollback", "stop"]


async def drive(controller: Controller, actor: Actor, *, on_failure: OnFailure = "stop", stop_before: str | None = None, finish: bool = True) -> str:
    """Run until the session ends, a failure stops it, or `stop_before` is reached; returns the outcome.

    With `finish=False` the session is left open at the end (rehearse rolls back afterwards).
    """
    ticker = asyncio.create_task(_flush_every_half_second(controller))
    try:
        outcome = await _loop(controller, actor, on_failure, stop_before)
        if finish and not controller.state.finished and outcome in ("done", "failed", "aborted", "rolled_back") and not controller.fatal:
            controller.finish(actor, outcome)
        return outcome
    finally:
        ticker.cancel()
        controller.journal.flush()


async def _flush_every_half_second(controller: Controller) -> None:
    while True:
        await asyncio.sleep(0.5)
        controller.flush()


async def _loop(controller: Controller, actor: Actor, on_failure: OnFailure, stop_before: str | None) -> str:
    asked_go_ahead: set[str] = set()
    trips_seen = len(controller.state.guard_trips)  # on resume, earlier trips were dealt with then
    guard_paused = False  # a `pause` guard tripped during this drive
    while True:
        await controller.wait_idle()
        state = controller.state
        if state.finished:
            return state.outcome or "aborted"
        if controller.fatal:
            return "failed"  # the journal cannot be written: nothing more may happen
        new_trips = state.guard_trips[trips_seen:]
        trips_seen = len(state.guard_trips)
        trip = next((t for t in new_trips if t.get("action") == "rollback"), None)
        if trip is not None:
            return await _guard_rollback(controller, actor, trip)
        guard_paused = guard_paused or any(t.get("action") == "pause" for t in new_trips)
        if state.paused and guard_paused:
            # A guard paused the run: with nobody at a screen, a person decides later; the journal stays open.
            controller.note(actor, f"exec stopped: the run is paused ({state.pause_reason}); `runbook-tui resume {controller.journal.path}` continues it")
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
        if step.status == "unknown":
            return "undecided"  # the process died while it ran: a person decides (resume --rerun / --mark-done / --rollback)
        if step.status in ("failed", "rejected"):
            if on_failure == "rollback":
                reason = f"exec --on-failure rollback: '{step_id}' {step.status}"
                if controller.rollback(actor, "full", acknowledged=True, reason=reason).ok:
                    continue
            return "failed"
        waiting_go_ahead = controller.needs(controller.runbook.step(step_id), "before") and step.go_ahead_by is None
        if step.status == "awaiting_verification" or (waiting_go_ahead and step_id in asked_go_ahead):
            await controller.changed()
            continue
        if waiting_go_ahead:
            asked_go_ahead.add(step_id)
        reply = controller.run_current(actor, acknowledged=True, answer=_no_answer(controller, step_id))
        if not reply.ok:
            controller.note(actor, f"exec stopped: {reply.message}")
            return "aborted"


async def _guard_rollback(controller: Controller, actor: Actor, trip: Mapping[str, Any]) -> str:
    """A guard with `on_critical: rollback` tripped: with nobody at a screen, roll back to the last checkpoint and stop."""
    what = trip.get("words") or f"guard '{trip.get('panel')}' tripped"
    reply = controller.rollback(actor, "checkpoint", acknowledged=True, reason=f"{what}: exec rolls back to the last checkpoint")
    if not reply.ok:
        controller.note(actor, f"exec could not roll back after {what}: {reply.message}")
        return "failed"
    await controller.wait_idle()
    rollback = controller.state.rollback
    return "rolled_back" if rollback is not None and rollback.ok else "failed"


def _no_answer(controller: Controller, step_id: str) -> str | None:
    """exec has no one to ask: an `ask` step gets an empty answer, journaled as such."""
    return "" if controller.runbook.step(step_id).kind == "ask" else None
