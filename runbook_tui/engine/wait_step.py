"""A `wait` step's pause, for the runner: how its time passes (`wait_player`), and its early end (`interrupt_wait`).

A guard's pause or rollback (`interrupt_wait`) ends an `expect.metric` check's wait (`within: 10m`) the same way: the
check fails, saying which guard cut it. Before, the check went on waiting through the trip, and the rollback the
guard asked for (which starts once no step runs) came only when the check gave up, minutes later."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from runbook_tui.engine.ports import StopSignal
from runbook_tui.engine.stop_waits import unless_stopped
from runbook_tui.runbook.model import Step

#: How a `wait` step's time passes, given the step and its seconds (practice plays a long one short, engine/practice_wait.py).
WaitPlayer = Callable[[Step, float], Awaitable[None]]


class WaitStep:
    """The waiting half of the runner (a mixin)."""

    _wake_wait: asyncio.Event | None = None  # set while a `wait` step waits; interrupt_wait() ends it
    wait_player: WaitPlayer | None = None  # None: a wait lasts the runbook's time
    _wait_cut: str | None = None
    _check_cut: StopSignal | None = None  # set while an `expect.metric` check waits; interrupt_wait() ends it too

    async def _wait(self, step: Step) -> list[str]:
        """A `wait` step's pause (as `wait_player` plays it); `interrupt_wait` ends it early as a failure."""
        self._wait_cut = None
        self._wake_wait = asyncio.Event()
        seconds = step.wait_seconds or 0
        passing = asyncio.ensure_future(self.wait_player(step, seconds) if self.wait_player is not None else asyncio.sleep(seconds))
        woken = asyncio.ensure_future(self._wake_wait.wait())
        try:
            await asyncio.wait((passing, woken), return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._wake_wait = None
            woken.cancel()
            passing.cancel()
        if passing.done() and not passing.cancelled():
            passing.result()  # the player's error (a journal that cannot be written) is the step's, as before
        return [self._wait_cut] if self._wait_cut else []

    async def _checked(self, judge: Awaitable[tuple[bool, str]], panel: str, stop: StopSignal | None) -> tuple[bool, str]:
        """(met, words) of an `expect.metric` check; its wait ends at a person's stop (`stop`: `k`) or a guard's trip."""
        cut = self._check_cut = StopSignal()
        forget = stop.on_stop(lambda: cut.stop(stop.reason or "stopped")) if stop is not None else None
        try:
            judged = await unless_stopped(cut, judge)
        finally:
            self._check_cut = None
            if forget is not None:
                forget()
        return judged or (False, f"expect.metric on {panel} not checked: {cut.reason}")

    def interrupt_wait(self, reason: str) -> bool:
        """End a running `wait` step (or a step's `expect.metric` check's wait) now, as failed with `reason` (a guard
        tripped while it watched)."""
        if self._check_cut is not None:
            self._check_cut.stop(reason)
            return True
        if self._wake_wait is None:
            return False
        self._wait_cut = reason
        self._wake_wait.set()
        return True
