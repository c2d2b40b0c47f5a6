"""The poller's rhythm: one poll at a time, the next armed when the previous one finished."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence

from metrics_helpers import until

from runbook_tui.metrics.poller import Poller
from runbook_tui.metrics.sources import Baseline, PanelQuery, Sample


class SlowSource:
    """A source whose reading takes `delay` seconds; records when polls run."""

    kind = "test"
    url = "test://slow"

    def __init__(self, delay: float, fail_at: int | None = None) -> None:
        self.delay = delay
        self.fail_at = fail_at
        self.running = 0
        self.most = 0
        self.spans: list[tuple[float, float]] = []

    async def poll(self, panels: Sequence[PanelQuery]) -> dict[str, Sample]:
        self.running += 1
        self.most = max(self.most, self.running)
        start = time.monotonic()
        try:
            await asyncio.sleep(self.delay)
            if self.fail_at is not None and len(self.spans) == self.fail_at:
                raise RuntimeError("boom")
            return {p.id: Sample(1.0, None, time.time()) for p in panels}
        finally:
            self.running -= 1
            self.spans.append((start, time.monotonic()))

    async def baseline(self, panel: PanelQuery, started: float) -> Baseline:
        return Baseline(None, None, "none")

    def close(self) -> None:
        pass


def test_polls_never_overlap_even_when_slower_than_the_interval() -> None:
    source = SlowSource(delay=0.15)
    got: list[dict[str, Sample]] = []

    async def scenario() -> None:
        poller = Poller(source, [PanelQuery("a", "q")], interval=0.05, on_samples=got.append)
        poller.start()
        await until(lambda: len(source.spans) >= 4, what="four polls")
        await poller.stop()

    asyncio.run(scenario())
    assert source.most == 1
    assert len(source.spans) >= 3
    for (_, end), (start, _) in zip(source.spans, source.spans[1:]):
        assert start >= end, "the next poll starts after the previous one ended"
    assert all(s["a"].value == 1.0 for s in got)


def test_the_interval_is_kept_when_polls_are_quick() -> None:
    source = SlowSource(delay=0.01)

    async def scenario() -> None:
        poller = Poller(source, [PanelQuery("a", "q")], interval=0.2, on_samples=lambda s: None)
        poller.start()
        await until(lambda: len(source.spans) >= 5, what="five polls")
        await poller.stop()

    asyncio.run(scenario())
    starts = [start for start, _ in source.spans]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(gaps) >= 4
    assert all(gap >= 0.19 for gap in gaps), gaps  # never sooner than the interval


def test_a_failing_source_becomes_error_readings_and_polling_goes_on() -> None:
    source = SlowSource(delay=0.01, fail_at=1)
    got: list[dict[str, Sample]] = []

    async def scenario() -> None:
        poller = Poller(source, [PanelQuery("a", "q")], interval=0.05, on_samples=got.append)
        poller.start()
        await until(lambda: len(got) >= 3, what="three readings")
        await poller.stop()

    asyncio.run(scenario())
    assert got[1]["a"].error == "internal error reading the metrics source: boom"
    assert got[2]["a"].value == 1.0
