"""A Prometheus panel's query that can never give one number per series is refused by `validate`, at the query.

Before: `validate` said ok for `query: 'x[1m]'` (a range vector) and `query: '"hello"'` (a string); the run then
started, and the first poll said `the query returns a range of values (a matrix) …`: the guard was blind from the
first reading and, with `on_critical: pause`, paused the run a moment after the first step began. A runbook that
fails validation runs nothing (runbook-format.md, Errors); this one was known to fail before it ran.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, cli_main, errors, load

PANEL = """\
runbook: 1
id: demo
title: Demo
metrics:
  source: {{prometheus: {{url: "http://prometheus:9090"}}}}
  panels:
    - id: p
      query: {query}
      critical: 5
sections:
  - id: main
    steps:
      - {{id: a, run: echo 1}}
"""


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("'up[1m]'", "a range of values (a matrix): `[1m]` at its outer level"),
        ("'rbt_value{service=\"a]\"}[5m] offset 1m'", "a range of values (a matrix): `[5m]` at its outer level"),
        ("'(sum by (le) (rate(x[1m])))[10m:1m]'", "a range of values (a matrix): `[10m:1m]` at its outer level"),
        ("'( up[1m] )  # a comment ] ['", "a range of values (a matrix): `[1m]` at its outer level"),
        ("'\"hello\"'", "a string, not a number"),
    ],
)
def test_a_query_that_gives_no_number_is_refused_at_validate(
    write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str], query: str, words: str
) -> None:
    path = write_runbook(PANEL.format(query=query))
    found = errors(path)
    assert [at(d) for d in found] == [(8, 14)], found
    assert f"'query': the query answers {words}" in found[0].message
    assert "expected" in found[0].message
    assert cli_main(["validate", str(path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "query",
    [
        "'rate(x[1m])'",
        "'max_over_time(up[5m:1m])'",
        "'up{a=\"[1m]\"}'",
        "'sum(rate(x[1m])) / sum(rate(y[1m]))'",
        "'up  # counted [1m]'",
        "'histogram_quantile(0.99, sum by (le) (rate(b[1m]))) * 1000'",
        '\'label_replace(up, "a", "$1", "b", "(.*)]")\'',
        "'up offset 5m'",
    ],
)
def test_queries_that_give_a_number_per_series_pass(write_runbook: Callable[..., Path], query: str) -> None:
    loaded = load(write_runbook(PANEL.format(query=query)))
    assert loaded.runbook.metrics is not None and len(loaded.runbook.metrics.panels) == 1
