"""A screen's update timer that draws a frame as soon as one may come: at most one per UPDATE_PERIOD, never on a grid,
and a person's key's frame at once.

Textual's screen draws its changed widgets when its update timer ticks (`Screen._on_timer_update`): an interval timer,
paused after each tick and resumed by the next change. An interval timer keeps to its grid, though: after a pause it
skips ahead to the second grid point from now, so for 16.7-33 ms after any frame a change waited for that point (a
`p` during an output flood, whose output frames come 15 times a second, waited there about one press in two: 8-23 ms
of a 25 ms press). This timer ticks when resumed if the last tick is an UPDATE_PERIOD old, else when it will be; and
at once while a key is being handled (`KEYS.held`: its frame is one frame more, not a flood of them). The frames are
drawn by Textual's own `_on_timer_update`, as before, and a screen's first one comes a period after its first change,
as Textual's did (drawn at once, a first layout not settled yet showed for a frame: the detail pane's `▼ 10 more lines`
before its `9`).
"""

from __future__ import annotations

import asyncio
import time

from textual.message_pump import MessagePump
from textual.screen import UPDATE_PERIOD
from textual.timer import EventTargetGone, Timer, TimerCallback

from runbook_tui.engine.keys_first import KEYS, settle


class FrameTimer(Timer):
    """Ticks once when resumed, no sooner than `interval` after its last tick unless a key is held (the callback pauses
    it again)."""

    _nap: asyncio.Future[None] | None = None  # the wait for the next tick's time, ended early by a key's `resume`
    _soon_until = 0.0  # until then the next tick comes at once, as a key's (`soon`)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        await self._active.wait()
        last = time.monotonic()  # the screen's first frame a period after its first change, as Textual's (its layout settles)
        while True:
            await self._active.wait()
            if (wait := last + self._interval - time.monotonic()) > 0 and not KEYS.held and time.monotonic() >= self._soon_until:
                self._nap = nap = loop.create_future()
                woken = loop.call_later(wait, settle, nap)
                try:
                    await nap
                finally:
                    woken.cancel()
                    self._nap = None
                continue  # paused meanwhile, or due now: looked at again
            last = time.monotonic()
            try:
                await self._tick(next_timer=last, count=0)
            except EventTargetGone:
                break

    def resume(self) -> None:
        super().resume()
        if self._nap is not None and (KEYS.held or time.monotonic() < self._soon_until):
            settle(self._nap)

    def soon(self) -> None:
        """For a period from now the timer ticks at once when resumed, as for a held key: the rest of a key's effect drawn
        after its own frame (`CoalescedRepaintScreen.repaint_after_key`) is the key's too, not a frame later. (Its widgets
        tell the screen in turns: a tick may come before the last has, so the window stays open its period.)"""
        self._soon_until = time.monotonic() + self._interval


def frame_timer(screen: MessagePump, callback: TimerCallback, interval: float = UPDATE_PERIOD) -> FrameTimer:
    """A paused FrameTimer calling `callback`, started and stopped with `screen` (as `set_interval` makes its timers)."""
    timer = FrameTimer(screen, interval, name="screen_update", callback=callback, pause=True)
    timer._start()
    screen._timers.add(timer)
    return timer
