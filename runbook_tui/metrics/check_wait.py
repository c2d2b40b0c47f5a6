"""A measured check (`expect.metric`, `metrics.success`) decided on the poller's own readings, saying which it read.

Readings are the poller's stream: a check waits for the next fresh reading instead of querying on its own. The next
reading taken after the check began decides; with `within:`, the first one that holds before the deadline. The words
say which readings were judged (`the first reading after the command`, `reading 3 after the command`, `of 12
readings`): a check is never retried (`retries:` re-runs a failed command), so a check without `within:` reads one
reading, and its words say that `within:` would wait for one that holds.
"""

from __future__ import annotations

import asyncio
import time

from runbook_tui.metrics.guards import check_words, format_value, holds
from runbook_tui.metrics.sources import Sample
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.model import MetricCheck


class FreshReadings:
    """The latest reading of each panel, and a wait for the next one."""

    def __init__(self) -> None:
        self.latest: dict[str, Sample] = {}
        self._fresh = asyncio.Condition()

    def take(self, samples: dict[str, Sample]) -> None:
        """A poll's readings (pending ones left out); `announce` then wakes the checks waiting."""
        self.latest.update({panel: sample for panel, sample in samples.items() if not sample.pending})

    async def announce(self) -> None:
        async with self._fresh:
            self._fresh.notify_all()

    async def next(self, panel_id: str, after: float, timeout: float) -> Sample | None:
        """The first reading of `panel_id` taken after `after`, or None if none came within `timeout`."""

        def fresh() -> bool:
            sample = self.latest.get(panel_id)
            return sample is not None and sample.ts > after

        async with self._fresh:
            try:
                async with asyncio.timeout(timeout):  # not wait_for: on 3.11 it can drop a cancellation (readings.py)
                    await self._fresh.wait_for(fresh)
            except TimeoutError:
                return None
        return self.latest.get(panel_id)


async def wait_for_check(readings: FreshReadings, check: MetricCheck, unit: str, *, one_reading: float, since: str) -> tuple[bool, float | None, str]:
    """(met, last value, words) of `check` on the readings taken from now on (`since` names now: `the command`);
    `one_reading`: how long the first reading may take to come."""
    text = check_words(check, unit)
    deadline = time.monotonic() + (check.within_seconds or 0.0)
    after = time.time()  # only readings taken from now on count
    last: Sample | None = None
    count = 0
    while True:
        wait = max(deadline - time.monotonic(), 0.0)
        if last is None:
            wait = max(wait, one_reading)
        sample = await readings.next(check.panel, after, wait)
        if sample is None:
            break  # nothing new before the deadline: decide on what came
        last, after, count = sample, sample.ts, count + 1
        if sample.guarded is not None and holds(check, sample.guarded):  # an infinity is a reading, as for the guards
            which = f"the first reading after {since}" if count == 1 else f"reading {count} after {since}"
            return True, sample.value, f"{text}: met ({format_value(sample.guarded, unit, (check.below, check.above))}, {which})"
        if time.monotonic() >= deadline:
            break
    if last is None:
        return False, None, f"{text}: no reading came from the metrics source"
    if last.guarded is None:
        return False, None, f"{text}: no value to check: {last.error}"
    shown = format_value(last.guarded, unit, (check.below, check.above))
    if not check.within_seconds:
        return False, last.value, f"{text}: NOT met ({shown}, the first reading after {since}; `within:` would wait for one that holds)"
    return False, last.value, f"{text}: NOT met after {format_duration(check.within_seconds)} (last reading {shown}, of {count} readings after {since})"
