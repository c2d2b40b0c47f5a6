"""Guards and thresholds as pure functions: no clock, no network."""

from __future__ import annotations

import pytest

from runbook_tui.metrics.guards import Guard, check_words, format_value, holds, level, past
from runbook_tui.runbook.model import Mark, MetricCheck

MARK = Mark("<test>", 1, 1)


def feed(guard: Guard, readings: list[tuple[float, float | None]]) -> list[tuple[float, float]]:
    """(time, value) of every reading that tripped the guard."""
    return [(ts, trip.value) for ts, value in readings if (trip := guard.observe(ts, value)) is not None]


def test_a_guard_trips_only_after_the_value_stayed_past_critical_for_the_whole_for_duration() -> None:
    guard = Guard("p99", critical=300, for_seconds=30)
    trips = feed(guard, [(0, 310), (10, 320), (20, 330), (29.9, 340), (30, 350), (40, 360)])
    assert trips == [(30, 350)], "once, when 30 s past the line are reached, not again while it stays there"


def test_a_dip_below_critical_restarts_the_clock() -> None:
    guard = Guard("p99", critical=300, for_seconds=30)
    assert feed(guard, [(0, 310), (20, 320), (25, 250), (30, 320), (50, 330), (60, 340)]) == [(60, 340)]


def test_the_trip_carries_the_readings_that_tripped_it() -> None:
    guard = Guard("p99", critical=300, for_seconds=10, action="rollback")
    guard.observe(0, 200)
    guard.observe(5, 305)
    guard.observe(10, 320)
    trip = guard.observe(15, 330)
    assert trip is not None
    assert trip.samples == ((5, 305), (10, 320), (15, 330))
    assert trip.since == 5 and trip.threshold == 300 and trip.action == "rollback"
    payload = trip.payload()
    assert payload["for"] == 10 and payload["samples"] == [[5, 305], [10, 320], [15, 330]]
    assert trip.words("ms") == "guard 'p99' tripped: 330 ms above 300 ms for 10s"


def test_direction_below_trips_when_the_value_falls_to_the_line() -> None:
    guard = Guard("rps", critical=200, direction="below", for_seconds=0)
    assert feed(guard, [(0, 800), (1, 250), (2, 200), (3, 150)]) == [(2, 200)]
    assert guard.observe(4, 900) is None


def test_a_guard_re_arms_after_the_value_recovers() -> None:
    guard = Guard("errors", critical=5, for_seconds=2)
    readings = [(0, 6), (2, 7), (4, 8), (5, 1), (6, 9), (7, 9), (8, 9), (9, 9)]
    assert feed(guard, readings) == [(2, 7), (8, 9)]


def test_readings_without_a_value_neither_break_nor_extend_an_excursion() -> None:
    guard = Guard("p99", critical=300, for_seconds=10)
    assert feed(guard, [(0, 310), (5, None), (9, None), (10, 320)]) == [(10, 320)]
    quiet = Guard("p99", critical=300, for_seconds=10)
    assert feed(quiet, [(0, None), (5, None), (20, None)]) == []


def test_a_panel_without_critical_has_no_guard() -> None:
    assert feed(Guard("p99", critical=None), [(0, 1e9), (100, 1e9)]) == []


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [(199, "above", "ok"), (200, "above", "warn"), (299.9, "above", "warn"), (300, "above", "critical"), (None, "above", "unknown"),
     (600, "below", "ok"), (500, "below", "warn"), (200, "below", "critical"), (10, "below", "critical")],
)  # fmt: skip
def test_levels_count_reaching_the_line_as_past_it(value: float | None, direction: str, expected: str) -> None:
    lines = {"warn": 200, "critical": 300} if direction == "above" else {"warn": 500, "critical": 200}
    assert level(value, direction=direction, **lines) == expected


def test_past_and_holds() -> None:
    assert past(5, 5, "above") and past(5, 5, "below") and not past(4, 5, "above")
    below = MetricCheck("p99", MARK, below=250, within_seconds=600)
    assert holds(below, 249) and not holds(below, 250) and not holds(below, None)
    above = MetricCheck("rps", MARK, above=100)
    assert holds(above, 101) and not holds(above, 100)
    assert check_words(below, "ms") == "p99 below 250 ms within 10m"
    assert check_words(above, "/s") == "rps above 100 /s"


@pytest.mark.parametrize(("value", "unit", "text"), [(180.0, "ms", "180 ms"), (0.25, "%", "0.25%"), (1234.5, "", "1,234"), (None, "ms", "—"), (12.345, "/s", "12.35 /s")])
def test_values_are_shown_short(value: float | None, unit: str, text: str) -> None:
    assert format_value(value, unit) == text
