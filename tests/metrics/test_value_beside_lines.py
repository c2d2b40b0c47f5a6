"""A value said beside the lines it is judged against reads on its side of each (metrics.guards.format_value, the
report's report.text.value): 299.996 under a critical 300 read `300.0` (the report's `300`), 300.004 above a
criterion's `above: 300` read `met (300.0)`. Far from a line, the few digits of before."""

from __future__ import annotations

import pytest

from runbook_tui.metrics.guards import Trip, format_value
from runbook_tui.report import text


@pytest.mark.parametrize(
    ("value", "lines", "said"),
    [
        (299.996, (200, 300), "299.996 ms"),  # under the critical line
        (300.004, (300,), "300.004 ms"),  # over it (a `below` panel is not critical there; a criterion `above: 300` holds)
        (4999.6, (5000,), "4,999.6 ms"),
        (0.0499996, (0.05,), "0.0499996 ms"),
        (4.996, (None, 5), "4.996 ms"),
        (300.0, (300,), "300 ms"),  # on the line: said so
        (299.996, (), "300.0 ms"),  # no line to be judged against: few digits, as before
        (123.456, (200, 300), "123.5 ms"),
    ],
)
def test_a_value_near_a_line_reads_on_its_side(value: float, lines: tuple[float | None, ...], said: str) -> None:
    assert format_value(value, "ms", lines) == said


def test_the_reports_readings_read_on_their_side_of_the_panels_lines() -> None:
    assert text.value(299.996, "ms") == "300 ms"  # alone, as before
    assert text.value(299.996, "ms", (200, 300)) == "299.996 ms"
    assert text.value(99.9996, "%", (None, 100)) == "99.9996%"
    assert text.value(4999.6, "", (5000,)) == "4,999.6"


def test_a_trip_says_its_value_past_the_line_not_on_it() -> None:
    trip = Trip("p99", 300.004, 300, "above", 0, "pause", 0.0, ())
    assert trip.words("ms") == "guard 'p99' tripped: 300.004 ms above 300 ms"
