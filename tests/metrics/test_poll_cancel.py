"""A poll cancelled as its reading comes in still ends: the run's end stops the poller, and `exec` exits.

On Python 3.11, `asyncio.wait_for` returns the result of an awaited call that finished just as its task was being
cancelled, dropping the cancellation. The metrics poller awaited each reading that way: stopped at the end of a run
while a reading came in, it polled on for ever, and `exec` never exited (about one run in five, with a source that
fails fast polled every 0.2 s: tests/metrics/test_blind_words.py hung on it under the full suite). Readings are now
awaited under `asyncio.timeout`, which keeps a cancellation from outside.
"""

from __future__ import annotations

import asyncio

from runbook_tui.metrics.readings import Readings


def test_a_reading_cancelled_as_it_comes_in_ends_its_task_cancelled() -> None:
    async def main() -> list[int]:
        dropped = []
        for turns in range(300):  # cancel after 0..N turns of the loop: some land just as the thread's result comes in
            task = asyncio.create_task(Readings().read("now", lambda: 1, deadline=5))
            for _ in range(turns % 12):
                await asyncio.sleep(0)
            if not task.cancel():
                continue  # it had finished before the cancel: nothing to keep
            try:
                await task
            except asyncio.CancelledError:
                continue
            dropped.append(turns)
        return dropped

    assert asyncio.run(main()) == [], "a cancelled reading's task returned its value: the cancellation was dropped"
