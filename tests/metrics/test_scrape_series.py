"""A scrape panel over several series reads as Prometheus reads the same query: the worst series, named.

Before, the scrape source added the matching series up where Prometheus takes each apart and a guard the worst
(README "Metric panels and guards"): three targets' `up` read 2 with one down, and a `direction: below` guard at 1
never tripped; a counter's rate over two codes read their total. Against the real exporter and Prometheus.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from metrics_helpers import metrics_runbook, until
from peers import Exporter, Prometheus

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.state import RunState
from runbook_tui.metrics.sources import PanelQuery, PrometheusSource, ScrapeSource

pytestmark = pytest.mark.peers
#: The exporter's two resting series (other tests add series of their own to the same gauge).
TWO = 'rbt_test_value{service=~"api|batch"}'


def _poll(source: Any, *queries: PanelQuery) -> dict[str, Any]:
    return asyncio.run(source.poll(list(queries)))


def test_a_scraped_selector_of_two_series_reads_the_worst_as_prometheus_does(prometheus: Prometheus, exporter: Exporter) -> None:
    exporter.set(3)
    exporter.set(4, service="batch")
    prometheus.wait_for('rbt_test_value{service="batch"}', lambda v: v == 4)
    prometheus.wait_for('rbt_test_value{service="api"}', lambda v: v == 3)
    queries = (PanelQuery("high", TWO), PanelQuery("low", TWO, "below"))
    scraped = _poll(ScrapeSource(exporter.url, timeout=3), *queries)
    answered = _poll(PrometheusSource(prometheus.url, timeout=3), *queries)
    assert (scraped["high"].value, scraped["high"].series) == (4, 'the worst of 2 series: service="batch"'), scraped["high"]
    assert (scraped["low"].value, scraped["low"].series) == (3, 'the worst of 2 series: service="api"'), scraped["low"]
    for panel in ("high", "low"):
        assert (scraped[panel].value, scraped[panel].series) == (answered[panel].value, answered[panel].series)


def test_a_scraped_rate_is_each_series_own_and_the_worst_is_named(exporter: Exporter) -> None:
    source = ScrapeSource(exporter.url, timeout=3)
    query = PanelQuery("errors", 'rate(rbt_test_requests_total{code=~"200|500"}[1m])')
    first = _poll(source, query)["errors"]
    assert first.pending, "one scrape cannot make a rate"
    exporter.add(30, code="500")
    exporter.add(6, code="200")
    second = _poll(source, query)["errors"]
    elapsed = second.ts - first.ts
    assert second.error is None
    assert second.value == pytest.approx(30 / elapsed, rel=0.01), "the code 500 series' rate, not the total's (36)"
    assert second.series == 'the worst of 2 series: code="500"'


def test_a_below_guard_over_scraped_series_trips_when_one_series_is_low(exporter: Exporter, write_runbook: Callable[[str], Path], tmp_path: Path) -> None:
    """api at 1 and batch at 0, a guard below 0.5: batch is under it. The sum, 1, never was."""
    exporter.set(0, service="batch")
    path = write_runbook(
        metrics_runbook(
            f'scrape: {{url: "{exporter.url}"}}',
            panels=f"- {{id: up, title: Up, query: '{TWO}', critical: 0.5, direction: below, on_critical: notify}}",
            sections="- id: s\n  steps:\n    - {id: one, run: 'true'}",
        )
    )

    async def scenario() -> RunState:
        session = open_session(load(str(path), {}), solo="scrape series test", journal=str(tmp_path / "j.jsonl"), settings=Settings())
        try:
            await until(lambda: bool(session.controller.state.guard_trips), timeout=15, what="the below guard to trip")
            return session.controller.state
        finally:
            await session.close()

    [trip] = asyncio.run(scenario()).guard_trips
    assert trip.get("words") == """guard 'up' tripped: 0 below 0.5 (the worst of 2 series: service="batch")""", trip


def test_a_series_that_appears_during_the_window_has_its_rate_at_its_second_scrape(exporter: Exporter) -> None:
    """`code="503"` first exported after the panel's first scrape (a labelled counter appears at its first 503): its rate
    counts from its own second scrape, as Prometheus' does. Before, only series of the window's oldest scrape had a rate,
    so for a whole `[1m]` the 503s were not seen and a guard on them stayed quiet."""
    source = ScrapeSource(exporter.url, timeout=3)
    query = PanelQuery("errors", 'rate(rbt_test_requests_total{code=~"200|503"}[1m])')
    assert _poll(source, query)["errors"].pending, "one scrape cannot make a rate"
    exporter.add(0, code="503")
    before = _poll(source, query)["errors"]
    exporter.add(40, code="503")
    after = _poll(source, query)["errors"]
    assert after.error is None and after.series == 'the worst of 2 series: code="503"', after
    assert after.value == pytest.approx(40 / (after.ts - before.ts), rel=0.01)
