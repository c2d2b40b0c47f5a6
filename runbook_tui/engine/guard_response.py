"""What a tripped guard does to the run: decided here, the same for the TUI, exec, resume and practice.

The metrics layer only journals `guard_tripped`; the controller hands each
such event here as it is applied. `pause` and `rollback` cut a running `wait`
short and pause the run, so no step starts after the trip. `rollback` also
asks for a rollback to the last checkpoint: the state fold turns the trip
into `rollback_requested` (the status stack says so), and whoever drives
answers it as it answers a verifier's request. At the run screen the person
sees the undo list first (what will run, where, in what order; steps without
an undo to acknowledge); `exec`, with nobody to ask, takes the runbook's
`on_critical: rollback` as the decision (`Controller.roll_back_for_guard`).
`notify` only tells.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from runbook_tui.engine.actors import SYSTEM, Actor, Reply

if TYPE_CHECKING:  # the state fold imports this module for the words
    from runbook_tui.engine.state import RunState


class GuardTarget(Protocol):
    """The controller as a guard trip sees it."""

    state: RunState

    def interrupt_wait(self, reason: str) -> bool: ...

    def cut_checks(self, reason: str) -> None: ...

    def pause(self, actor: Actor, reason: str = "") -> Reply: ...

    def finish_if_done(self) -> None: ...


#: What a guard's pause asks next, by its action: journaled after the trip's words (`guard 'err' tripped: …; check …`).
GUARD_THEN = {"pause": "check the panels before going on", "rollback": "the guard asks to roll back to the last checkpoint"}


def trip_words(trip: Mapping[str, Any]) -> str:
    return str(trip.get("words") or f"guard '{trip.get('panel')}' tripped")


def guard_rollback_reason(trip: Mapping[str, Any]) -> str:
    """The rollback a guard asks for, in words: the request the status stack shows and the reason a rollback it starts journals."""
    return f"{trip_words(trip)}: {GUARD_THEN['rollback']}"


def answering(state: RunState, how: str) -> str:
    """A rollback's reason when a person starts it: `how`, and the request it answers if one is open (a guard's or the
    verifier's), so the journal and the report say why, as exec's rollback for a guard does (`guard_rollback_reason`)."""
    asked = state.rollback_requested
    return f"{how}, answering: {asked}" if asked else how


def unanswered_guard_rollback(state: RunState) -> bool:
    """The last guard trip asked to roll back and nobody has answered it yet (no rollback since): after a resume,
    the run screen opens the undo list again, as it did when the guard tripped."""
    trips = state.guard_trips
    return bool(trips) and trips[-1].get("action") == "rollback" and state.rollback_requested == guard_rollback_reason(trips[-1])


def react(controller: GuardTarget, event: Mapping[str, Any]) -> None:
    """The controller's part once an event is applied: a trip acts; a lifted pause lets a run whose last step ended
    meanwhile finish (a paused run never finishes `done` by itself: a guard that tripped during the last step holds it)."""
    if event["type"] == "guard_tripped":
        respond(controller, event)
    elif event["type"] == "resumed":
        controller.finish_if_done()


def respond_if_unanswered(controller: GuardTarget) -> None:
    """On resume: act on a trip the dead process journaled but did not live to act on (no pause after it)."""
    if controller.state.trip_unanswered and controller.state.guard_trips:
        respond(controller, controller.state.guard_trips[-1])


def respond(controller: GuardTarget, trip: Mapping[str, Any]) -> None:
    """Act on one `guard_tripped` event as its action says."""
    action = trip.get("action")
    words = trip_words(trip)
    if action not in ("pause", "rollback"):
        return
    controller.interrupt_wait(f"{words}: the wait was cut short")
    controller.cut_checks(f"cut short ({words})")
    if not held_by_the_program(controller.state):
        # Journaled, and read at the run screen, on exec's stdout and in the report: no front end's keys or flags here
        # (each says its own way on: the status row's keys, exec's and resume's --lift-pause). A person's pause is
        # taken over: it read `PAUSED by alice` as if no guard had tripped, and let a rollout's next wave start.
        controller.pause(SYSTEM, f"{words}; {GUARD_THEN[str(action)]}")


def held_by_the_program(state: RunState) -> bool:
    """Paused by the program (a guard, the verifier's hold it answered): a later trip leaves those words standing."""
    return state.paused and state.paused_by == SYSTEM.name


def guard_pause_words(reason: str) -> str | None:
    """A guard's pause in words that follow its trip's own (`! guard 'err' tripped: 9% above 5% -> pause`): `for guard
    'err': check the panels before going on`. The pause repeated the trip's words whole: at 80x24 one trip took 5 of
    the output's 6 rows, said twice. None: not a guard's pause (a hold the program answered, an older journal's words)."""
    for then in GUARD_THEN.values():
        words = reason.removesuffix(f"; {then}")
        named = words.find("'", len("guard '"))
        if words != reason and words.startswith("guard '") and named > 0:
            return f"for {words[: named + 1]}: {then}"
    return None
