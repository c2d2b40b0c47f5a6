"""The recorded verifier of a practice run: confirms or rejects as the real verifier did that night.

So a trainee meets the same rejection the real assignee met, and has to
decide what to do about it.
"""

from __future__ import annotations

import asyncio

from runbook_tui.engine import events as ev
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.events import Event
from runbook_tui.engine.recording import Recording
from runbook_tui.engine.state import RunState

#: Seconds before the recorded verifier answers (long enough to see that it waits).
ANSWER_AFTER = 0.8


class RecordedVerifier:
    def __init__(self, controller: Controller, recording: Recording) -> None:
        self.controller = controller
        self.actor = Actor(f"{recording.verifier or 'verifier'} (recorded)", "verifier")
        self.verdicts = {step: list(verdicts) for step, verdicts in recording.verdicts.items()}
        controller.subscribe(self._on_event)

    def _on_event(self, event: Event, state: RunState) -> None:
        waits = event["type"] == ev.STEP_FINISHED and event.get("status") == "awaiting_verification"
        asks = event["type"] == ev.NOTE and event.get("request") == "go_ahead"
        if waits or asks:
            asyncio.get_running_loop().call_later(ANSWER_AFTER, self._answer, event["step"])

    def _answer(self, step: str) -> None:
        queue = self.verdicts.get(step) or []
        verdict, reason = queue.pop(0) if queue else ("confirmed", "")
        if verdict == "rejected":
            self.controller.reject(self.actor, reason or "rejected on the night")
        else:
            self.controller.confirm(self.actor)
