"""Practice: a command that is not the night's says so before the night's output plays for it.

Practice plays the night's recording for each step's attempt on each host, whatever the command reads now. A
trainee's answer to an `ask` (or a value captured from it) can make a later command differ from the night's: the
screen then showed `echo 'other answer'` printing the night's `1.2`, and nothing said the output was another
command's. A note journaled as such a step (or undo) starts names the night's command beside the one shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM
from runbook_tui.engine.events import Event
from runbook_tui.engine.state import RunState

if TYPE_CHECKING:
    from runbook_tui.engine.controller import Controller

#: (phase, step, n: the step's nth start in that phase, from 1) -> host -> the command the night ran there.
Commands = dict[tuple[str, str, int], Mapping[str, str]]
_PHASE = {ev.STEP_STARTED: "run", ev.UNDO_STARTED: "undo"}


def night_commands(night: Sequence[Event]) -> Commands:
    """Each start's commands on the night, by phase, step and how many starts of it in that phase came before."""
    commands: Commands = {}
    starts: dict[tuple[str, str], int] = {}
    for e in night:
        phase = _PHASE.get(e["type"])
        if phase is not None:
            n = starts[(phase, e["step"])] = starts.get((phase, e["step"]), 0) + 1
            commands[(phase, e["step"], n)] = dict(e.get("commands") or {})
    return commands


class NightsCommands:
    """Says, as a practice step or undo starts, where its command is not the one whose recording plays for it."""

    def __init__(self, controller: Controller, night: Sequence[Event]) -> None:
        self.controller = controller
        self.night = night_commands(night)
        self.starts: dict[tuple[str, str], int] = {}
        controller.subscribe(self._on_event)

    def _on_event(self, event: Event, state: RunState) -> None:
        phase = _PHASE.get(event["type"])
        if phase is None:
            return
        step = str(event["step"])
        n = self.starts[(phase, step)] = self.starts.get((phase, step), 0) + 1
        night = self.night.get((phase, step, n)) or self.night.get((phase, step, max((k[2] for k in self.night if k[:2] == (phase, step)), default=0)))
        if not night:
            return
        differ = {host: (str(command), str(night[host])) for host, command in (event.get("commands") or {}).items() if host in night and night[host] != command}
        if differ:
            asyncio.get_running_loop().call_soon(self._say, step, phase, differ)

    def _say(self, step: str, phase: str, differ: Mapping[str, tuple[str, str]]) -> None:
        if self.controller.state.finished:
            return
        host, (yours, nights) = next(iter(differ.items()))
        more = f" (and on {len(differ) - 1} more host{'s' if len(differ) > 2 else ''})" if len(differ) > 1 else ""
        what = "its undo" if phase == "undo" else "it"
        text = (
            f"[practice] '{step}' on {host}{more} reads `{yours}` here; on the night {what} ran `{nights}` (an answer or a "
            "captured value differs): what plays is that command's output and end"
        )
        self.controller.emit(ev.NOTE, SYSTEM, step=step, text=text)
