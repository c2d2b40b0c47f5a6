"""A step's waves in the journal, and the verifier's word between them (`verify: per_wave`).

The fan-out (engine.fanout) decides the waves; this gate journals each one
(`wave_started`, `wave_finished` with its failed hosts), so every screen shows
a wave's hosts as a group from the same events. With `verify: per_wave` and a
verifier present, the rollout waits after each wave but the last until the
verifier confirms it (`wave_confirmed`) or rejects it (`wave_rejected`: the
remaining waves are not run); the last wave is confirmed as the step itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import P
from runbook_tui.engine.fanout import batches
from runbook_tui.runbook.model import Host, Step


class Emit(Protocol):
    """Journals an event as the system: (type, **payload)."""

    def __call__(self, type: ev.EventType[P], /, *args: P.args, **data: P.kwargs) -> object: ...


class WaveGate:
    """One run of one step over its hosts: journals the waves, holds between them when the step asks."""

    def __init__(self, emit: Emit, step: Step, hosts: Sequence[Host], *, verifier_present: bool) -> None:
        self._emit = emit
        self.step = step
        self.total = len(batches(list(hosts), step.serial))
        self.holds = step.verify == "per_wave" and verifier_present
        self.waiting: int | None = None  # the wave (1-based) awaiting the verifier
        self.rejected: str | None = None  # the verifier's reason, once a wave was rejected
        self._decision: asyncio.Future[bool] | None = None

    def started(self, number: int, hosts: list[Host]) -> None:
        self._emit(ev.WAVE_STARTED, step=self.step.id, wave=number + 1, of=self.total, hosts=[h.name for h in hosts])

    async def finished(self, number: int, hosts: list[Host], failed: list[Host], stopped: bool) -> bool:
        """Journal the wave's end; with a hold, wait for the verifier. False stops the rollout."""
        wave = number + 1
        awaiting = self.holds and not stopped and wave < self.total
        self._emit(
            ev.WAVE_FINISHED, step=self.step.id, wave=wave, of=self.total,
            failed=[h.name for h in failed], stopped=stopped, awaiting=awaiting,
        )  # fmt: skip
        if not awaiting:
            return not stopped
        self.waiting = wave
        self._decision = asyncio.get_running_loop().create_future()
        try:
            return await self._decision
        finally:
            self.waiting = None
            self._decision = None

    def decide(self, go_on: bool, reason: str = "") -> bool:
        """The verifier's decision on the waiting wave; False when no wave is waiting."""
        if self._decision is None or self._decision.done():
            return False
        if not go_on:
            self.rejected = reason
        self._decision.set_result(go_on)
        return True
