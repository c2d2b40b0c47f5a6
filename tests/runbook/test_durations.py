"""Durations as runbooks write them: `30s`, `5m`, `1h30m`, or a number of seconds."""

from __future__ import annotations

import math

import pytest

from runbook_tui.runbook.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("5m", 300.0),
        ("1h", 3600.0),
        ("1h30m", 5400.0),
        ("1h 30m", 5400.0),
        ("2m30s", 150.0),
        ("90", 90.0),
        ("1.5", 1.5),
        ("0", 0.0),
        (90, 90.0),
        (2.5, 2.5),
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["5x", "-1", -1, "inf", "nan", "", "s", "5m30", "m5", "1h-30m", True])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError, match="expected"):
        parse_duration(text)


@pytest.mark.parametrize("value", [math.inf, math.nan])
def test_parse_duration_rejects_non_finite_numbers(value):
    with pytest.raises(ValueError, match="expected"):
        parse_duration(value)
