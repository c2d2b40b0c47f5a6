"""Guards and thresholds as pure functions: no clock, no network."""

from __future__ import annotations

import pytest

from runbook_tui.metrics.guards import Guard, NoDataGuard, check_words, format_value, holds, level, no_data_words, past
from runbook_tui.runbook.model import Mark, MetricCheck, Panel, Text

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


@pytest.mark.parametrize(
    ("value", "unit", "text"), [(180.0, "ms", "180 ms"), (0.25, "%", "0.25%"), (1234.5, "", "1,234"), (None, "ms", "—"), (12.345, "/s", "12.35 /s")]
)
def test_values_are_shown_short(value: float | None, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


def _panel(**changes: object) -> Panel:
    fields: dict[str, object] = dict(
        id="err", title="Errors", query=Text("up", Mark("f", 1, 1), value="up"), mark=Mark("f", 1, 1), critical=5.0, for_seconds=10.0
    )
    fields.update(changes)
    return Panel(**fields)  # type: ignore[arg-type]


def test_a_no_data_trip_within_a_second_says_no_span() -> None:
    """Walked at 80x24: a guard with `for: 0s` on a source never reached read "has had no data for 7ms"."""
    guard = NoDataGuard.for_panel(_panel(for_seconds=0.0), started=100.0)
    assert guard is not None
    trip = guard.observe(100.007, None, "connection refused")
    assert trip is not None and trip.words() == "guard 'err' has no data: connection refused", trip.words()


def test_no_successful_reading_for_the_whole_for_trips_the_no_data_guard_once_per_outage() -> None:
    guard = NoDataGuard.for_panel(_panel(), started=100.0)
    assert guard is not None
    assert guard.observe(105.0, None, "connection refused") is None, "5 s without data: not yet"
    trip = guard.observe(110.0, None, "connection refused")
    assert trip is not None and trip.action == "pause" and trip.since == 100.0
    assert trip.payload()["no_data"] is True and trip.payload()["value"] is None
    assert trip.words() == "guard 'err' has had no data for 10s: connection refused"  # it said `10s (connection refused)`
    assert guard.observe(130.0, None, "connection refused") is None, "one trip per outage"
    assert guard.observe(131.0, 1.0, None) is None, "a good reading re-arms it"
    assert guard.observe(140.0, None, "the query returned no data (empty result)") is None
    again = guard.observe(141.0, None, "the query returned no data (empty result)")
    assert again is not None and again.since == 131.0 and "empty result" in again.error


def test_a_reading_of_zero_is_data() -> None:
    guard = NoDataGuard.for_panel(_panel(for_seconds=0.0), started=0.0)
    assert guard is not None and guard.observe(50.0, 0.0, None) is None


@pytest.mark.parametrize(
    ("changes", "expected"), [({}, "pause"), ({"on_no_data": "notify"}, "notify"), ({"on_no_data": "ignore"}, None), ({"critical": None}, None)]
)
def test_which_panels_watch_for_missing_data(changes: dict[str, object], expected: str | None) -> None:
    guard = NoDataGuard.for_panel(_panel(**changes), started=0.0)
    assert (guard.action if guard else None) == expected
    words = no_data_words({"critical": changes.get("critical", 5.0), "on_no_data": changes.get("on_no_data", "pause")})
    assert words == (f"no data → {expected}" if expected else "")
