"""The metric sources' readings: one of each kind at a time, each in a daemon thread of its own.

A reading (an exporter's scrape, a panel's query, a panel's baseline) is a blocking request and the reading of its
answer, in a worker thread, awaited for its deadline. The request ends by then (engine/http_bounded.py); reading the
answer may not: an exporter's page of 16 MiB took prometheus_client's parser some 20 s and 500 MB here, a Prometheus
vector of 16 MiB seconds and 200 MB. A poll that gave up waiting left its thread reading, and the next poll started
another one: an exporter of 16 MiB scraped every second took `exec` to 2.9 GB, and its exit 50 s past the run's end.
Now a poll whose reading of the same kind still runs waits for that one instead of starting another (and gets its
answer if it comes in time): one thread per kind of reading at most. Its thread is a daemon (engine/background.py):
the process's exit (the end of `exec`, the TUI's quit) never waits for a reading nobody waits for any more.

Not asyncio's default pool either: the journal waits for a decision's fsync there, and a silent server holding every
default thread until its deadline held back the pause a person had just pressed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any, TypeVar

from runbook_tui.engine.background import started

_Result = TypeVar("_Result")


def _taken(future: asyncio.Future[Any]) -> None:
    """A reading nobody waited for to its end: its exception (if any) is taken, never logged as never retrieved."""
    if not future.cancelled():
        future.exception()


class Readings:
    """One source's readings in flight, by kind (`key`): at most one of each."""

    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future[Any]] = {}

    async def read(self, key: Hashable, func: Callable[..., _Result], *args: Any, deadline: float) -> _Result:
        """`func(*args)` in a worker thread, or the reading of `key` still running since an earlier call: its result, or
        TimeoutError after `deadline` seconds (the thread goes on; the next call with `key` waits for it).

        `asyncio.timeout`, not `asyncio.wait_for`: on Python 3.11 `wait_for` returns the result of a call that finished as
        its task was being cancelled and drops the cancellation, so the poller, stopped at the end of a run, polled on for
        ever and `exec` never exited (about one run in five with a fast-failing source polled every 0.2 s)."""
        loop = asyncio.get_running_loop()
        running = self._running.get(key)
        if running is None or running.done() or running.get_loop() is not loop:
            running = started(partial(func, *args), "metrics-reading")
            running.add_done_callback(_taken)
            self._running[key] = running
        async with asyncio.timeout(deadline):
            return await asyncio.shield(running)
