"""A scrape panel's `rate()` counts every counter reset between its readings, as Prometheus' `rate()` does.

A counter that drops was restarted: Prometheus adds, at each drop, what the counter had counted before it (the
value before the drop), so the increase over the window is the sum of each pair's increase with a drop read as
counting from zero. Before, only the window's first and last readings were compared: a restart in between, after
which the counter climbed past its first reading, read as almost no increase (a burst of errors hidden by a restart).
"""

from __future__ import annotations

import pytest

from runbook_tui.metrics.sources import PanelQuery, ScrapeSource


def rates(readings: list[tuple[float, float]], window: str = "1m") -> list[float | None]:
    source = ScrapeSource("http://unused/metrics")
    query = PanelQuery("r", f"rate(c_total[{window}])")
    return [source.evaluate(query, [("c_total", {}, value)], at).value for at, value in readings]


def test_a_restart_between_readings_whose_counter_climbs_past_the_first_counts_what_it_counted() -> None:
    # 80 → 100 (+20), restart, → 90 (+90 from zero): 110 in 20 s. Before: 90 - 80 = 10 in 20 s (0.5/s).
    assert rates([(0, 80), (10, 100), (20, 90)])[-1] == pytest.approx(110 / 20)


def test_two_restarts_in_the_window_each_count() -> None:
    # 0 → 100 (+100), restart → 10 (+10), → 50 (+40), restart → 5 (+5): 155 in 40 s. Before: 5 / 40.
    assert rates([(0, 0), (10, 100), (20, 10), (30, 50), (40, 5)])[-1] == pytest.approx(155 / 40)


def test_readings_older_than_the_window_no_longer_count() -> None:
    # A window of 15 s: at 40 the readings kept are 30 and 40 (and the restart at 20 is out of it).
    assert rates([(0, 0), (10, 100), (20, 10), (30, 50), (40, 60)], "15s")[-1] == pytest.approx(10 / 10)


def test_a_counter_that_only_climbs_reads_as_before() -> None:
    assert rates([(0, 10), (10, 30), (20, 60)])[1:] == [pytest.approx(2.0), pytest.approx(50 / 20)]
