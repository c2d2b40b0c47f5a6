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


# Arabic-Indic and fullwidth digits, written as escapes: 30s, 30, 1h30m, 30s, 30, 3.5
@pytest.mark.parametrize("text", ["\u0663s", "\u0663\u0660", "1h\u0663\u0660m", "\uff13\uff10s", "\uff13\uff10", "\u0663.\u0665"])
def test_digits_of_other_scripts_are_no_duration(text):
    """`timeout: 30s` in Arabic-Indic digits read as 30 s (a regex's `\\d` and float() take any script's digits); YAML, the `-p` values and a
    reviewer read only 0-9."""
    with pytest.raises(ValueError, match="expected a duration like 30s"):
        parse_duration(text)


@pytest.mark.parametrize("value", [math.inf, math.nan])
def test_parse_duration_rejects_non_finite_numbers(value):
    with pytest.raises(ValueError, match="expected"):
        parse_duration(value)


@pytest.mark.parametrize(
    ("text", "part", "why"),
    [
        ("1m1m", "1m", "repeats its unit"),
        ("30s5m", "5m", "comes after a smaller unit"),
        ("1h30m1h", "1h", "comes after a smaller unit"),
        ("5s5s", "5s", "repeats its unit"),
        ("500ms1s", "1s", "comes after a smaller unit"),
        ("1h 2h", "2h", "repeats its unit"),
    ],
)
def test_a_repeated_or_out_of_order_unit_is_refused(text, part, why):
    """`1m1m` and `30s5m` read as 2m and 5m30s before: a typo in a timeout or a guard's `for` passed silently."""
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert f"expected a duration like 30s, 5m, 1h30m (each unit once, largest first) or a number of seconds, got {text!r}" in str(info.value)
    assert str(info.value).endswith(f"'{part}' {why}")


@pytest.mark.parametrize(("text", "seconds"), [("1d2h3m4s", 93784.0), ("1s500ms", 1.5), ("2h1s", 7201.0)])
def test_units_largest_first_each_once_still_add_up(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.5, "500ms"), (1, "1s"), (1.5, "1.5s"), (2.5, "2.5s"), (90.25, "1m30.25s"), (3601.5, "1h1.5s"), (3660, "1h1m"), (59.9999, "1m")],
)
def test_a_written_duration_is_shown_exactly(seconds, shown):
    from runbook_tui.runbook.durations import written_duration

    assert written_duration(seconds) == shown
