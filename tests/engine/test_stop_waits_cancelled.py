"""`unless_stopped` cancelled with the wait around it (a rollback or a finish cancelling the check of the success
criteria, the program closing mid-check): the gather it waited on ended with CancelledError as its exception, which
nobody read, so asyncio logged `_GatheringFuture exception was never retrieved` whenever the future was collected.
Collected while CPython 3.11 built an AST (pytest importing at its exit), that finalizer made the run fail with
`SystemError: AST constructor recursion depth mismatch`, in three runs of tests/metrics/test_final_check_stop.py in six."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from runbook_tui.engine.ports import StopSignal
from runbook_tui.engine.stop_waits import unless_stopped


@pytest.mark.asyncio
async def test_a_cancelled_wait_leaves_no_unretrieved_exception_to_log() -> None:
    loop = asyncio.get_running_loop()
    logged: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: logged.append(context))
    try:
        started = asyncio.Event()

        async def one() -> None:
            started.set()
            await asyncio.sleep(60)

        waiting = asyncio.ensure_future(unless_stopped(StopSignal(), asyncio.gather(one(), one())))
        await asyncio.wait_for(started.wait(), 5)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        for _ in range(3):  # the gather and its children finish on the next turns of the loop
            await asyncio.sleep(0)
        del waiting
        gc.collect()
        assert not [c for c in logged if "never retrieved" in str(c.get("message"))], logged
    finally:
        loop.set_exception_handler(None)
