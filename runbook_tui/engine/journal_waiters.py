"""Event loops waiting for the journal's writer thread: each waiter's future is settled from the thread, on its loop.

One thread hop from the disk to the loop (a thread of the loop's executor blocking on the writer's condition
made two: the key that pauses a run waited for both).
"""

from __future__ import annotations

import asyncio

from runbook_tui.runbook.lean_dataclass import dataclass


@dataclass(frozen=True)
class _Waiter:
    seq: int
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]


class DurableWaiters:
    """Futures waiting for an event's seq to be on disk. Not locked: the journal calls it under its own lock."""

    def __init__(self) -> None:
        self._waiting: list[_Waiter] = []

    def add(self, seq: int) -> asyncio.Future[None]:
        """A future of the running loop, settled once `seq` is durable (or the writer failed)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._waiting.append(_Waiter(seq, loop, future))
        return future

    def settle(self, durable: int) -> None:
        """Wake the waiters whose event is on disk now (`durable` is the last seq written and fsynced)."""
        ready = [waiter for waiter in self._waiting if waiter.seq <= durable]
        if ready:
            self._waiting = [waiter for waiter in self._waiting if waiter.seq > durable]
            for waiter in ready:
                _wake(waiter, None)

    def fail(self, error: BaseException | None) -> None:
        """Wake every waiter: the writer failed (`error`) or has stopped (`None`: the journal says what happened)."""
        waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            _wake(waiter, error)


def _done(future: asyncio.Future[None], error: BaseException | None) -> None:
    if not future.done():  # the awaiting task may have been cancelled
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


def _wake(waiter: _Waiter, error: BaseException | None) -> None:
    try:
        waiter.loop.call_soon_threadsafe(_done, waiter.future, error)
    except RuntimeError:  # the loop was closed: nobody waits any more
        pass
