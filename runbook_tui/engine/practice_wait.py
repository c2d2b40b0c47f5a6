"""A `wait` step in practice: played short and said so, the night's time told rather than lived again.

A `wait: 10m` kept the trainee ten minutes, as it kept the assignee on the night, with nothing new to see. Now a wait
longer than `PLAYED_WAIT` lasts that long, and on while the night's readings, trips and requests that came during it
are still to play (engine/practice.py plays them at the same point of the run): a guard that tripped during the night's
wait trips during the trainee's and cuts it short as it did then. It never lasts longer than the runbook says. A note
journaled as the wait starts says so, with what the night's wait of that attempt did. `k` stops it as in a live run
(the step ends failed): practice teaches the live keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import NamedTuple

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM
from runbook_tui.engine.controller import Controller
from runbook_tui.engine.events import Event
from runbook_tui.engine.moves import elapsed
from runbook_tui.engine.practice import CUE_GAP, RecordedVerifier
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.model import Step

#: Seconds a longer wait is played as (long enough to see that it waits), as replay plays a long gap as 2 s.
PLAYED_WAIT = 3.0


class NightWait(NamedTuple):
    """One attempt of a step with no command on the night: how long it took and how it ended (None: no end journaled)."""

    seconds: float
    status: str | None
    problems: tuple[str, ...]


def night_waits(events: Iterable[Event]) -> dict[str, list[NightWait]]:
    """Per step with no command (a wait, a note, a question), each attempt the night made of it."""
    started: dict[str, str] = {}
    waits: dict[str, list[NightWait]] = {}
    for e in events:
        if e["type"] == ev.STEP_STARTED and e.get("commands") == {}:
            started[e["step"]] = e["ts"]
            waits.setdefault(e["step"], []).append(NightWait(0.0, None, ()))
        elif e["type"] == ev.STEP_FINISHED and e["step"] in started:
            problems = tuple(str(p) for p in e.get("problems") or ())
            waits[e["step"]][-1] = NightWait(elapsed(started.pop(e["step"]), e["ts"]), str(e.get("status")), problems)
    return waits


def night_words(attempts: list[NightWait], attempt: int) -> str:
    """What the night's wait of `attempt` did (its last one, when the trainee tries more often)."""
    if not attempts:
        return "the night never waited here"
    night = attempts[min(attempt, len(attempts)) - 1]
    if night.status is None:
        return "on the night the program stopped while it waited (no end journaled)"
    if night.status == "failed":
        return f"on the night it ended after {format_duration(night.seconds)}, FAILED: {'; '.join(night.problems) or 'no reason journaled'}"
    return f"on the night it waited {format_duration(night.seconds)}"


class ShortWaits:
    """The practice controller's `wait_player`."""

    def __init__(self, controller: Controller, verifier: RecordedVerifier, night: Iterable[Event]) -> None:
        self.controller = controller
        self.verifier = verifier
        self.night = night_waits(night)
        controller.wait_player = self.play

    async def play(self, step: Step, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        if seconds > PLAYED_WAIT:
            night = night_words(self.night.get(step.id, []), self.controller.state.steps[step.id].attempts)
            played = f"[practice] this {format_duration(seconds)} wait plays as {format_duration(PLAYED_WAIT)}, longer while the night's readings during it still play"
            self.controller.emit(ev.NOTE, SYSTEM, step=step.id, text=f"{played}; {night}")
        await asyncio.sleep(min(seconds, PLAYED_WAIT))
        while self.verifier.due() and (left := end - loop.time()) > 0:
            await asyncio.sleep(min(left, CUE_GAP))  # each cue plays a gap after the one before
