"""`format_duration` of a negative span (a wall clock stepped back between two stamps) says its sign on the whole
span: `-2s`. Before: `-1h59m58s` (divmod of -2 floors to -1 hour and 3598 seconds), and only the report's own wrapper
turned it around; any other caller would have printed that."""

from __future__ import annotations

import pytest

from runbook_tui.report import text
from runbook_tui.runbook.durations import format_duration


@pytest.mark.parametrize(("seconds", "said"), [(-2, "-2s"), (-90, "-1m30s"), (-3600, "-1h"), (-0.5, "-500ms"), (0, "0s"), (90, "1m30s")])
def test_a_negative_span_reads_as_its_size_with_a_minus(seconds: float, said: str) -> None:
    assert format_duration(seconds) == said


def test_the_report_still_says_why_a_span_is_negative() -> None:
    assert text.duration(-2) == "-2s, the clock went back"
