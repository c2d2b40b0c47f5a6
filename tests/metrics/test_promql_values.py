"""A parameter in a panel's query is data inside the query's strings, never PromQL code.

`{service="{{ svc }}"}` with svc `x"} or vector(100) or up{a="` used to close the
label's string and turn the guard's query into a constant: the guard then read
100 (or 0, and never tripped). Now the value is escaped where the query has it
in a string, and refused at the query's FILE:LINE:COL where it would be code.
The queries are checked by the real Prometheus's parser: each is accepted and
selects the series named by the value, exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from peers import Exporter, Prometheus

from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import load_runbook

RUNBOOK = """\
runbook: 1
id: promql
title: PromQL values
params:
  svc: {type: string, default: api}
  window: {type: string, default: 1m}
metrics:
  source: {prometheus: {url: "http://127.0.0.1:9"}}
  panels:
    - {id: dq, query: 'rbt_test_value{service="{{ svc }}"}', critical: 5}
    - {id: sq, query: "rbt_test_value{service='{{ svc }}'}", critical: 5}
    - {id: rate, query: 'sum(rate(rbt_test_value{service="{{ svc }}"}[{{ window }}]))', critical: 5}
    - {id: re, query: 'count(rbt_test_value{service=~"{{ svc }}"})', critical: 5}
    - {id: lr, query: 'count by (picked) (label_replace(rbt_test_value{a!="x,y"}, "picked", "y", "service", "{{ svc }}"))', critical: 5}
sections:
  - id: s
    steps:
      - {id: one, run: "true"}
"""
HOSTILE = ['x"} or vector(100) or up{a="', "x'} or vector(100) or up{a='", 'back\\slash\\"} or vector(1)', "new\nline", "tab\tand `tick`"]


def _queries(write_runbook: Callable[[str], Path], **params: str) -> dict[str, str]:
    loaded = load_runbook(write_runbook(RUNBOOK), params)
    assert loaded.runbook.metrics is not None
    return {panel.id: str(panel.query.value) for panel in loaded.runbook.metrics.panels}


pytestmark = pytest.mark.peers


@pytest.mark.parametrize("svc", HOSTILE)
def test_a_hostile_value_in_a_label_string_stays_that_string_for_prometheus(
    svc: str, prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path]
) -> None:
    queries = _queries(write_runbook, svc=svc)
    for panel in ("dq", "sq"):
        assert prometheus.query(queries[panel]) == [], f"{queries[panel]!r} selected something: the value was code"
    exporter.set(7, service=svc)  # a series whose label is the hostile text itself: the query finds it, exactly
    try:
        value = prometheus.wait_for(queries["dq"], lambda v: v == 7)
        assert value == 7 and prometheus.wait_for(queries["sq"], lambda v: v == 7) == 7
    finally:
        exporter.gauge.remove(svc)


def test_the_usual_values_read_as_written(prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path]) -> None:
    queries = _queries(write_runbook)
    assert queries["dq"] == 'rbt_test_value{service="api"}' and queries["rate"] == 'sum(rate(rbt_test_value{service="api"}[1m]))'
    assert prometheus.wait_for(queries["dq"], lambda v: v == 1) == 1


@pytest.mark.parametrize("window", ["1m]) or vector(100) or rate(x[1m", "1m - 1", "up-up"])
def test_a_value_that_would_be_code_outside_a_string_is_refused_where_the_query_is(window: str, write_runbook: Callable[[str], Path]) -> None:
    with pytest.raises(RunbookInvalid) as refused:
        _queries(write_runbook, window=window)
    [problem] = [str(d) for d in refused.value.diagnostics]
    assert problem.startswith(f"{write_runbook(RUNBOOK)}:12:25: the value {window!r} would be PromQL code here"), problem


def test_a_quote_in_a_comment_opens_no_string_and_a_backtick_string_refuses_a_backtick() -> None:
    """The query is read as PromQL reads it: `#` starts a comment to the end of the line (its quote is no string)."""
    from runbook_tui.runbook.promql_values import PromqlRefused, mark, query_from

    assert query_from("up # it's\n" + 'x{a="' + mark('"} or vector(0)') + '"}') == 'up # it\'s\nx{a="\\"} or vector(0)"}'
    assert query_from("x{a=`" + mark("plain\\text") + "`}") == "x{a=`plain\\text`}"
    with pytest.raises(PromqlRefused, match=re.escape("would end the query's `...` string")):
        query_from("x{a=`" + mark("a`b") + "`}")
    assert query_from('x{a="\\"' + mark("v") + '"}') == 'x{a="\\"v"}', "an escaped quote of the query's own keeps the string open"


def test_a_value_in_a_regex_matcher_matches_itself_not_every_series(prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path]) -> None:
    """`service=~"{{ svc }}"` with svc `.*` selected every service (the guard read the whole fleet): the value is
    escaped as a regular expression too, as `expect.stdout` escapes its values; `api` still finds api."""
    assert prometheus.query(_queries(write_runbook, svc=".*")["re"]) == [], "'.*' matched more than a service called '.*'"
    assert prometheus.query(_queries(write_runbook, svc="a.i|batch")["re"]) == []
    assert prometheus.wait_for(_queries(write_runbook)["re"], lambda v: v == 1) == 1


def test_a_line_break_in_a_value_in_a_comment_does_not_end_it(prometheus: Prometheus) -> None:
    """`... # {{ svc }}` with svc `\\nor vector(100)`: the comment ended at the value's own line break, so `or
    vector(100)` was read as the query (a guard reading a constant), a marker byte left after it. The comment now
    ends at the query's own line break; the value stays in it."""
    from runbook_tui.runbook.promql_values import mark, query_from

    query = query_from('rbt_test_value{service="none"} # was ' + mark("x\nor vector(100)") + "\n+ 0")
    assert query == 'rbt_test_value{service="none"} # was x or vector(100)\n+ 0'
    assert prometheus.query(query) == [], f"{query!r} selected something: the value was code"


def test_a_value_as_label_replaces_regex_matches_itself_not_every_label(
    prometheus: Prometheus, exporter: Exporter, write_runbook: Callable[[str], Path]
) -> None:
    """`label_replace(v, "picked", "y", "service", "{{ svc }}")`: its fifth argument is a regular expression (anchored), so
    svc `.*` or `a.i|batch` picked the api series as if named; the value is escaped there as in `=~` (a comma inside
    the selector's braces is no argument's); `api` still picks api."""
    prometheus.wait_for('rbt_test_value{service="api"}', lambda v: v == 1)
    for hostile in (".*", "a.i|batch"):
        query = _queries(write_runbook, svc=hostile)["lr"]
        picked = [row["metric"] for row in prometheus.query(query)]
        assert {"picked": "y"} not in picked, f"{query!r} picked {picked}: the value {hostile!r} was read as a regular expression"
    query = _queries(write_runbook)["lr"]
    assert {"picked": "y"} in [row["metric"] for row in prometheus.query(query)], query


def test_a_value_as_label_replaces_replacement_is_its_own_text(prometheus: Prometheus, exporter: Exporter) -> None:
    """`label_replace(v, "picked", "{{ x }}", "service", "(.*)")`: Prometheus expands `$1` / `${1}` in the replacement,
    so x `$1` wrote the service's value (api) instead of the text `$1`; the value's `$` is now written `$$`."""
    from runbook_tui.runbook.promql_values import mark, query_from

    prometheus.wait_for('rbt_test_value{service="api"}', lambda v: v == 1)
    for value in ("$1", "${1}x", "a$$b"):
        query = query_from('label_replace(rbt_test_value{service="api"}, "picked", "' + mark(value) + '", "service", "(.*)")')
        assert [row["metric"].get("picked") for row in prometheus.query(query)] == [value], query
