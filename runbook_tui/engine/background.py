"""A blocking call awaited from the event loop, in a daemon thread of its own: the process's exit never waits on it.

Not asyncio's default pool nor a ThreadPoolExecutor: Python joins their threads at exit. So a receiver or an
Alertmanager that never answered held `exec` (and the TUI's quit) for the whole `notify_timing.timeout` after the run
had ended and journaled the notice as not confirmed; and a metrics reading still parsing a large answer (an
exporter's 16 MiB page: some 20 s) held it as long. A daemon thread ends with the process; what it was doing is already
said (each request is bounded by its timeout anyway, and a reading nobody waits for any more has been said as late).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def started(call: Callable[[], T], name: str) -> asyncio.Future[T]:
    """`call()` begun in a daemon thread named `name`: a future of the running loop, settled with its result (or its
    exception, as run_in_executor's). A future, not a task: one still pending when the loop closes is no warning."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return  # cancelled (the session closed): nobody waits
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        try:
            result, error = call(), None
        except BaseException as exc:  # handed to the awaiting task, as run_in_executor would
            result, error = None, exc
        try:
            loop.call_soon_threadsafe(settle, result, error)
        except RuntimeError:  # the loop is closed: the process is ending
            pass

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


async def in_background(call: Callable[[], T], name: str) -> T:
    """`call()` in a daemon thread named `name`, awaited."""
    return await started(call, name)
