"""A step's waves in the journal, and the verifier's word between them (`verify: per_wave`).

The fan-out (engine.fanout) decides the waves; this gate journals each one
(`wave_started`, `wave_finished` with its failed hosts), so every screen shows
a wave's hosts as a group from the same events. With `verify: per_wave` and a
verifier present, the rollout waits after each wave but the last until the
verifier confirms it (`wave_confirmed`) or rejects it (`wave_rejected`: the
remaining waves are not run), or the assignee stops the step (`k`: the wait ends
at once and no further wave starts); the last wave is confirmed as the step itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Protocol

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import P
from runbook_tui.engine.fanout import batches, fail_limit
from runbook_tui.engine.ports import StopSignal
from runbook_tui.engine.state_model import HostState, StepState
from runbook_tui.engine.stop_waits import unless_stopped
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Host, Step


class Emit(Protocol):
    """Journals an event as the system: (type, **payload)."""

    def __call__(self, type: ev.EventType[P], /, *args: P.args, **data: P.kwargs) -> object: ...


@dataclass(frozen=True)
class Rollout:
    """Where an attempt of a step runs, and in which waves.

    A first attempt (or a re-run of a step that ended) runs on every target. A re-run of a step the process died in
    goes on where it stopped: its hosts done in a finished wave are kept (`kept`, not run again), the rest run in the
    waves the rollout had planned for them, numbered after the waves kept (`first_wave` of them), and the verifier's
    word the rollout waited for when the process died (`owed`) comes first. The fold keeps the same hosts and waves
    (`StepState.carried_over`)."""

    hosts: tuple[Host, ...]
    kept: dict[str, HostState]
    serial: tuple[int | str, ...]
    max_fail: int
    first_wave: int = 0
    owed: int | None = None


def rollout(step: Step, targets: Sequence[Host], held: StepState) -> Rollout:
    """The attempt about to start of `step` over `targets`, `held` being where the step stands now."""
    limit = fail_limit(step.max_fail, len(targets))
    done = {h for h, hs in held.hosts.items() if hs.status == "done"} if held.status == "unknown" else set()
    if not done:
        return Rollout(tuple(targets), {}, tuple(step.serial), limit)
    run = tuple(h for h in targets if h.name not in done)
    kept, waves, owed = held.carried_over({h.name for h in run})
    left = [b for b in ([h for h in batch if h.name not in done] for batch in batches(list(targets), step.serial)) if b]
    return Rollout(run, kept, tuple(len(b) for b in left), limit, len(waves), owed)


class WaveGate:
    """One run of one step over its hosts: journals the waves, holds between them when the step asks."""

    def __init__(
        self, emit: Emit, step: Step, plan: Rollout, *, verifier_present: bool, stop: StopSignal | None = None, paused: Callable[[], str | None] = lambda: None
    ) -> None:
        """`paused`: why a guard paused the run, else None: then no further wave starts (a person's `p` lets it run on)."""
        self._emit = emit
        self.step = step
        self.first = plan.first_wave
        self.total = plan.first_wave + len(batches(list(plan.hosts), plan.serial))
        self.holds = step.verify == "per_wave" and verifier_present
        self.rejected: str | None = None  # the verifier's reason, once a wave was rejected
        self.cut: int | None = None  # the wave whose wait for the verifier a person's stop ended
        self._paused = paused
        self.paused_after: str | None = None  # the run was paused as this rollout went on: why no further wave started
        self._stop = stop
        self._hosts = len(plan.hosts) + len(plan.kept)  # as `max_fail`'s share is reckoned (`rollout`)
        self._failed = 0  # hosts of this attempt's rollout failed so far
        self._waiting: int | None = None
        self._decision: asyncio.Future[bool] | None = None

    @property
    def waiting(self) -> int | None:
        """The wave (1-based) awaiting the verifier's word; None once the step was stopped (no word is taken then)."""
        return None if self._stop is not None and self._stop.reason is not None else self._waiting

    def started(self, number: int, hosts: list[Host]) -> None:
        self._emit(ev.WAVE_STARTED, step=self.step.id, wave=self.first + number + 1, of=self.total, hosts=[h.name for h in hosts])

    async def finished(self, number: int, hosts: list[Host], failed: list[Host], stopped: bool) -> bool:
        """Journal the wave's end; with a hold, wait for the verifier. False stops the rollout. `stopped`: the failure
        budget is spent (a person's stop is not: it was journaled as their note, and nothing waits for a word then)."""
        wave = self.first + number + 1
        halted = self._stop is not None and self._stop.reason is not None
        awaiting = self.holds and not stopped and not halted and wave < self.total
        self._failed += len(failed)
        # Failures the budget tolerates: the wave's line says so (only the step's final line did); not after a person's
        # stop (the step ends there, stopped: whether the budget held says nothing then).
        tolerated = failed and not stopped and not halted
        within = {"within": {"failed": self._failed, "hosts": self._hosts, "max_fail": self.step.max_fail}} if tolerated else {}
        self._emit(
            ev.WAVE_FINISHED, step=self.step.id, wave=wave, of=self.total,
            failed=[h.name for h in failed], stopped=stopped, awaiting=awaiting, **within,
        )  # fmt: skip
        go_on = not stopped if not awaiting else await self.word_on(wave)
        return go_on and not self._held(wave)

    def _held(self, wave: int) -> bool:
        """The run is paused with waves still to come: none of them starts (as a guard cuts a `wait` short)."""
        why = self._paused() if wave < self.total else None
        if why is not None:
            self.paused_after = f"the run was paused after wave {wave} of {self.total} ({why}): no further wave started"
        return why is not None

    def problems(self, stop: StopSignal | None) -> list[str]:
        """Why the rollout ended before its last wave, in words for the step's problems (none when it did not)."""
        said = [f"the verifier rejected a wave and stopped the rollout: {self.rejected}"] if self.rejected is not None else []
        if self.cut is not None and stop is not None:
            said.append(f"{stop.reason} while wave {self.cut} waited for the verifier's word; no further wave started")
        return said + ([self.paused_after] if self.paused_after else [])

    async def word_on(self, wave: int) -> bool:
        """Wait for the verifier's word on a finished wave (also one the process died waiting on); True without a
        verifier to wait for. False stops the rollout: a rejection, or a person's stop (`cut` says at which wave)."""
        if not self.holds:
            return True
        self._waiting = wave
        self._decision = asyncio.get_running_loop().create_future()
        try:
            word = await unless_stopped(self._stop, self._decision)
        finally:
            self._waiting = None
            self._decision = None
        if self._stop is not None and self._stop.reason is not None:
            self.cut = wave
            return False
        return bool(word)

    def decide(self, go_on: bool, reason: str = "") -> bool:
        """The verifier's decision on the waiting wave; False when no wave is waiting."""
        if self._decision is None or self._decision.done():
            return False
        if not go_on:
            self.rejected = reason
        self._decision.set_result(go_on)
        return True
