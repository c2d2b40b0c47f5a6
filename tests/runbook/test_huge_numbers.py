"""Numbers past what Python turns to and from text (4,300 digits) or past a float's range are refused at
FILE:LINE:COL, never a traceback; a huge value given with -p is quoted cut short."""

from __future__ import annotations

import pytest
from helpers_runbook import cli_main

HUGE = "9" * 5000
RUNBOOK = """\
runbook: 1
id: demo
title: Demo
params:
  count: {type: int, default: 1}
  ratio: {type: float, default: 1}
sections:
  - id: main
    steps:
      - id: hello
        run: echo {{ count }}
"""


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ("default: 1}", f"default: {HUGE}}}", "5:31", "cannot read this value: expected an integer of at most 4300 digits (quotes keep it as text)"),
        ("run: echo", f"timeout: {HUGE}\n        run: echo", "11:18", "cannot read this value: expected an integer of at most 4300 digits"),
        ("run: echo", f"timeout: 0x{'f' * 4000}\n        run: echo", "11:18", "cannot read this value: expected an integer of at most 4300 digits"),
        (
            "run: echo",
            f"timeout: 1{':0' * 2100}\n        run: echo",
            "11:18",
            "'timeout': expected a finite duration, got 1311069775719555236621561271471471846...",
        ),
        ("default: 1}", f"default: 1, min: 0x{'f' * 1000}}}", "5:39", "'min': expected a number, got 1318204093430943100103889794236591363..."),
        (
            "run: echo",
            f"retries: {'9' * 3000}\n        run: echo",
            "11:18",
            "'retries': expected a whole number from 0 to 100, got 9999999999999999999999999999999999999...",
        ),
        # finite, so it passed, and the plan read `timeout 2400000000000000007456h32m25.6s`; `wait:` the same
        (
            "run: echo",
            "timeout: 99999999999999999999d\n        run: echo",
            "11:18",
            "'timeout': expected a duration of at most 366d (a longer one is a typo), got '99999999999999999999d'",
        ),
        ("run: echo {{ count }}", "wait: 367d", "11:15", "'wait': expected a duration of at most 366d (a longer one is a typo), got '367d'"),
    ],
    ids=["int-default", "decimal-timeout", "hex-timeout", "sexagesimal-timeout", "hex-min", "long-retries", "days-timeout", "year-wait"],
)
def test_a_huge_number_in_the_file_is_a_positioned_error(write_runbook, capsys, old, new, where, message):
    path = write_runbook(RUNBOOK.replace(old, new, 1))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{where}: {message}" in err
    assert "Traceback" not in err and len(err) < 400


@pytest.mark.parametrize(("name", "message"), [("count", "expected an integer"), ("ratio", "expected a finite number")])
def test_a_huge_value_given_with_p_is_quoted_cut_short(write_runbook, capsys, name, message):
    path = write_runbook(RUNBOOK)
    assert cli_main(["validate", str(path), "-p", f"{name}={HUGE}"]) == 2
    err = capsys.readouterr().err
    assert f"parameter '{name}': {message}, got '{'9' * 36}...\n" in err
    assert len(err) < 300
