"""Keys before output: while a person's key is being handled, output readers on the same event loop wait a little.

A step printing a flood hands the event loop a chunk of output at every turn (journaled, hashed, folded, queued for
the screen); a key press travels through several message queues, one loop turn per hop, so each hop waited behind a
chunk. The screen calls `hold` when a key arrives and `release` once the key's effect is drawn; an executor's reader
awaits `clear` before it reads the next chunk, and a screen's output frame that falls due meanwhile
waits for `when_clear`. The wait is bounded (HOLD_SECONDS, whatever happens to `release`):
output is delayed by at most that per key, never lost (the command blocks on its full pipe meanwhile).

One keyboard per process: the state is the module's (`KEYS`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

#: Longest a key holds output back (a key's frame takes 5-40 ms on a loaded machine).
HOLD_SECONDS = 0.1


class KeysFirst:
    """Whether a key is being handled now (output waits), until `release` or HOLD_SECONDS after `hold`."""

    def __init__(self) -> None:
        self._until = 0.0
        self._waiters: list[asyncio.Future[None]] = []  # readers waiting: `release` wakes them
        self._on_hold: list[Callable[[], None]] = []
        self._on_clear: list[Callable[[], None]] = []  # once each, when no key is held any more (`when_clear`)
        self._hold_end: asyncio.TimerHandle | None = None  # looks at `_on_clear` when the hold runs out (one at a time)

    def when_held(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` whenever a key is held from now on (a journal commits the output queued before the key's
        decision: the decision's fsync then waits for less); returns what stops that."""
        self._on_hold.append(callback)
        return lambda: self._on_hold.remove(callback) if callback in self._on_hold else None

    def hold(self) -> None:
        self._until = time.monotonic() + HOLD_SECONDS
        for callback in list(self._on_hold):
            callback()

    @property
    def held(self) -> bool:
        return self._until > time.monotonic()

    def release(self) -> None:
        self._until = 0.0
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            settle(waiter)
        self._cleared()

    def when_clear(self, callback: Callable[[], None]) -> None:
        """Call `callback` once no key is held: now when none is, else at `release` or when the hold runs out (a screen's
        output frame waits for the key's own frame). A callback waiting already is not added twice."""
        if not self.held:
            callback()
            return
        if callback not in self._on_clear:
            self._on_clear.append(callback)
        self._look_at_hold_end(self._until - time.monotonic())

    def _look_at_hold_end(self, delay: float) -> None:
        """`_cleared` in `delay` seconds, in place of any looking already set: one timer however many callbacks wait, and
        none left once they have run (a key's `p` left one to wake the loop for nothing when its hold would have ended)."""
        if self._hold_end is not None:
            self._hold_end.cancel()
        self._hold_end = asyncio.get_running_loop().call_later(delay, self._cleared)

    def _cleared(self) -> None:
        """The callbacks waiting for `when_clear`, if no key is held now (a hold that ran out, or one held again since:
        looked at again when that one runs out)."""
        if (left := self._until - time.monotonic()) > 0:
            if self._on_clear:
                self._look_at_hold_end(left)
            return
        if self._hold_end is not None:
            self._hold_end.cancel()
            self._hold_end = None
        callbacks, self._on_clear = self._on_clear, []
        for callback in callbacks:
            callback()

    async def clear(self) -> None:
        """Return once no key is being handled (at once when none is)."""
        while (left := self._until - time.monotonic()) > 0:
            loop = asyncio.get_running_loop()
            waiter = loop.create_future()
            self._waiters.append(waiter)
            timer = loop.call_later(left, settle, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                if waiter in self._waiters:
                    self._waiters.remove(waiter)


def settle(waiter: asyncio.Future[None]) -> None:
    """Wake `waiter` unless something did already (a timer and a release, racing)."""
    if not waiter.done():
        waiter.set_result(None)


KEYS = KeysFirst()
