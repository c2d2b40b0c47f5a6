"""`expect.metric` says which readings it judged: the first one after the command, or how many within its `within:`.

A check is not retried: `retries:` re-runs a failed command (the field table's words), and an `expect.metric`
without `within:` judges the first reading taken after the command finished. Before, its words were `met (1%)` or
`NOT met (last reading 4%)` alone: the verifier could not tell one reading from a minute of them, nor learn that a
`within:` would have waited for the value to settle.
"""

from __future__ import annotations

import asyncio
import time

from runbook_tui.metrics.check_wait import FreshReadings, wait_for_check
from runbook_tui.metrics.sources import Sample
from runbook_tui.runbook.model import Mark, MetricCheck


def judged(values: list[float | None], within: float | None) -> tuple[bool, float | None, str]:
    """The check `err below 3` (unit %) over readings that come 50 ms apart, from just after it starts."""
    readings = FreshReadings()
    check = MetricCheck("err", Mark("t.yaml", 1, 1), below=3.0, within_seconds=within)

    async def feed() -> None:
        for value in values:
            await asyncio.sleep(0.05)
            error = None if value is not None else "Prometheus unreachable at http://prom:9090: connection refused"
            readings.take({"err": Sample(value, error, time.time())})
            await readings.announce()

    async def scenario() -> tuple[bool, float | None, str]:
        feeding = asyncio.create_task(feed())
        try:
            return await wait_for_check(readings, check, "%", one_reading=5.0, since="the command")
        finally:
            feeding.cancel()

    return asyncio.run(scenario())


def test_without_within_the_first_reading_after_the_command_decides_and_the_words_say_so() -> None:
    assert judged([1.0], None) == (True, 1.0, "err below 3%: met (1%, the first reading after the command)")
    assert judged([4.0, 1.0], None) == (
        False,
        4.0,
        "err below 3%: NOT met (4%, the first reading after the command; `within:` would wait for one that holds)",
    )


def test_within_a_window_the_words_count_the_readings_judged() -> None:
    assert judged([4.0, 4.0, 1.0], 2.0) == (True, 1.0, "err below 3% within 2s: met (1%, reading 3 after the command)")
    met, value, words = judged([4.0] * 40, 0.5)
    assert (met, value) == (False, 4.0)
    assert words.startswith("err below 3% within 500ms: NOT met after 500ms (last reading 4%, of ") and words.endswith(" readings after the command)"), words


def test_a_reading_without_a_value_is_no_value_to_check() -> None:
    assert judged([None], None) == (
        False,
        None,
        "err below 3%: no value to check: Prometheus unreachable at http://prom:9090: connection refused",
    )
