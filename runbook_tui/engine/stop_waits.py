"""What a person's stop (`k`) ends at once besides commands: a retry's delay, a metric check's wait, the verifier's
word between waves (a `wait` step's own wait ends through `interrupt_wait`, which a guard's trip uses too)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from runbook_tui.engine.ports import StopSignal

T = TypeVar("T")


async def unless_stopped(stop: StopSignal | None, work: Awaitable[T]) -> T | None:
    """`work`'s result; None when `stop` came first (`work` is cancelled, and has ended, when this returns)."""
    if stop is None:
        return await work
    task = asyncio.ensure_future(work)
    stopped = asyncio.Event()
    forget = stop.on_stop(stopped.set)
    waiting = asyncio.ensure_future(stopped.wait())
    try:
        await asyncio.wait((task, waiting), return_when=asyncio.FIRST_COMPLETED)
    finally:
        forget()
        waiting.cancel()
        if not task.done():
            task.cancel()
            # Cancelled with this wait (a rollback, a finish, the program closing), a gather ends with CancelledError
            # as its exception, which nobody else reads: retrieved here, it is not logged when collected (a finalizer
            # that ran during CPython 3.11's AST building made pytest's exit fail with `AST constructor recursion depth mismatch`).
            task.add_done_callback(_retrieve)
    if task.done() and not task.cancelled():
        return task.result()
    await asyncio.wait((task,))  # its own cleanup runs before the step goes on
    return None


def _retrieve(done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()
