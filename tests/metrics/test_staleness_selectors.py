"""Which series a panel's PromQL reads (metrics/staleness.py): each is asked its last sample's age on its own, since
`timestamp()` of an expression is the evaluation's time and said every `rate()`, `sum()` and `a / b` panel fresh."""

from __future__ import annotations

import pytest

from runbook_tui.metrics.staleness import Unreadable, is_plain, selectors


@pytest.mark.parametrize(
    ("query", "found", "moved"),
    [
        ('up{job="x"}', ['up{job="x"}'], False),
        ('rate(rbt_test_requests_total{code="500"}[1m])', ['rbt_test_requests_total{code="500"}'], False),
        ("histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m]))) * 1000", ["http_request_duration_seconds_bucket"], False),
        ('sum(a) / on(job) group_left(x) sum without(instance) (b{c="}\\"x"})', ["a", 'b{c="}\\"x"}'], False),
        ("sum(rate(x[5m:1m])) by (le) > bool 3", ["x"], False),
        ('{__name__=~"a.*"} and nan', ['{__name__=~"a.*"}'], False),
        ("1 + 2e3 # a comment naming no_metric\n + y", ["y"], False),
        ('label_replace(x, "a", "$1", "b", "(.*)")', ["x"], False),
        ("x offset 5m", ["x"], True),
        ("x @ 100", ["x"], True),
        ("time()", [], False),
        ("a + a", ["a"], False),
    ],
)
def test_the_selectors_of_a_query_are_found_and_nothing_else(query: str, found: list[str], moved: bool) -> None:
    assert selectors(query) == (found, moved)


def test_only_a_lone_selector_is_plain_and_an_unclosed_string_is_unreadable() -> None:
    assert is_plain(' up{job="x"} ', ['up{job="x"}']) and not is_plain("sum(up)", ["up"])
    with pytest.raises(Unreadable):
        selectors('up{job="x}')
