"""Practice: the trainee meets the night's unknown outcome, and is told what is played back and what is not.

Where the night's process died while a step ran, its recording ends there: practice ends that attempt `unknown`
(engine/night_stopped.py), as `resume` found it, and the assignee's choice of that night is the trainee's now. A note
journaled as it ends says what the night's record holds (its output up to the stop; the resume and how long after) and
what practice cannot play (any check by hand: `d` takes the trainee's word, as the night took the assignee's). The
results say the same of the night's decision there (engine/practice_results.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM
from runbook_tui.engine.events import Event
from runbook_tui.engine.moves import elapsed
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.durations import format_duration

if TYPE_CHECKING:
    from runbook_tui.engine.controller import Controller


class NightStop(NamedTuple):
    """The night's process died during an attempt: who ran `resume` and how long after its last event (None: the
    journal ends there, nobody resumed it)."""

    resumed_by: str | None
    seconds: float | None

    @property
    def words(self) -> str:
        if self.resumed_by is None or self.seconds is None:
            return "the night's journal ends while it ran: nobody decided there"
        return f"{self.resumed_by} ran `resume` {format_duration(self.seconds)} later"


def night_stops(night: Sequence[Event]) -> dict[tuple[str, int], NightStop]:
    """(step, attempt) -> how the night went on from it, for each attempt its process died in."""
    stops: dict[tuple[str, int], NightStop] = {}
    running: dict[str, int] = {}  # step -> its attempt running now
    lost: dict[tuple[str, int], str] = {}  # attempts a dead process took along, not yet resumed: when it was last heard of
    for n, e in enumerate(night):
        kind = e["type"]
        if kind == ev.STEP_STARTED:
            running[e["step"]] = int(e.get("attempt") or 1)
        elif kind == ev.STEP_FINISHED:
            running.pop(e["step"], None)
        elif kind in (ev.SESSION_INTERRUPTED, ev.SESSION_RESUMED):  # a look (`resume --headless` alone) found it gone, or a resume
            lost.update(dict.fromkeys(running.items(), str(night[n - 1]["ts"] if n else e["ts"])))
            running.clear()
            if kind == ev.SESSION_RESUMED:
                stops.update({key: NightStop(str(e["actor"]), max(0.0, elapsed(at, e["ts"]))) for key, at in lost.items()})
                lost.clear()
    stops.update({key: NightStop(None, None) for key in [*lost, *running.items()]})
    return stops


class NightsUnknown:
    """Says, as a practice step ends `unknown`, what the night's record holds and what the trainee decides."""

    def __init__(self, controller: Controller, night: Sequence[Event]) -> None:
        self.controller = controller
        self.stops = night_stops(night)
        controller.subscribe(self._on_event)

    def _on_event(self, event: Event, state: RunState) -> None:
        if event["type"] == ev.STEP_FINISHED and event.get("status") == "unknown":
            asyncio.get_running_loop().call_soon(self._say, event["step"], state.steps[event["step"]].attempts)

    def _say(self, step: str, attempt: int) -> None:
        if self.controller.state.finished:
            return
        stop = self.stops.get((step, attempt))
        night = f"; {stop.words}" if stop is not None else ""
        text = (
            f"[practice] the night's recording of '{step}' ends here: the program stopped while it ran{night}. Unknown here too, "
            "and yours to decide: enter re-runs it, d marks it done once you say how you checked "
            "(practice checks nothing: your word stands, as the night's did), u rolls back"
        )
        self.controller.emit(ev.NOTE, SYSTEM, step=step, text=text)
