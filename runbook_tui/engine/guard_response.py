"""What a tripped guard does to the run: decided here, the same for the TUI, exec, resume and practice.

The metrics layer only journals `guard_tripped`; the controller hands each
such event here as it is applied. `pause` and `rollback` cut a running `wait`
short; `pause` pauses the run (a person decides how to go on); `rollback`
rolls back to the last checkpoint, acknowledged by the runbook's own
`on_critical: rollback`, as soon as no step runs (a step running when the
guard trips ends first; a `wait` ends at once). `notify` only tells. The
front ends render what follows from the journal: the TUI's status stack
shows the rollback running, exec ends `rolled_back`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from runbook_tui.engine.actors import SYSTEM, Actor, Reply
from runbook_tui.engine.state import RunState


class GuardTarget(Protocol):
    """The controller as a guard trip sees it."""

    state: RunState

    def interrupt_wait(self, reason: str) -> bool: ...

    def pause(self, actor: Actor, reason: str = "") -> Reply: ...

    def roll_back_for_guard(self, reason: str) -> None: ...


def trip_words(trip: Mapping[str, Any]) -> str:
    return str(trip.get("words") or f"guard '{trip.get('panel')}' tripped")


def guard_rollback_reason(trip: Mapping[str, Any]) -> str:
    """The journaled reason of the rollback a guard starts (the report and the notifications quote it)."""
    return f"{trip_words(trip)}: the guard rolls back to the last checkpoint"


def respond(controller: GuardTarget, trip: Mapping[str, Any]) -> None:
    """Act on one `guard_tripped` event as its action says."""
    action = trip.get("action")
    words = trip_words(trip)
    if action in ("pause", "rollback"):
        controller.interrupt_wait(f"{words}: the wait was cut short")
    if action == "pause" and not controller.state.paused:
        controller.pause(SYSTEM, f"{words}; check the panels (u rolls back)")
    elif action == "rollback":
        controller.roll_back_for_guard(guard_rollback_reason(trip))
