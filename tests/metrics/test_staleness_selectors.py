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


def test_a_plain_selectors_stale_series_are_named_by_their_labels_and_all_stale_says_the_newest_age() -> None:
    """The answer to `timestamp(x)` drops `__name__`: its series are matched to the value's by their other labels."""
    from runbook_tui.metrics.staleness import plain_stale, selector_stale, summary_query

    at = 1_000_000.0

    def vector(*series: tuple[dict[str, str], float]) -> dict[str, object]:
        return {"resultType": "vector", "result": [{"metric": labels, "value": [at, str(value)]} for labels, value in series]}

    values = vector(({"__name__": "x", "i": "a"}, 1), ({"__name__": "x", "i": "b"}, 50), ({"__name__": "x", "i": "c"}, 3))
    stamps = vector(({"i": "a"}, at - 1), ({"i": "b"}, at - 200), ({"i": "c"}, at - 2))
    assert plain_stale(values, stamps, at, 120) == ({1}, "1 of 3 series last sampled up to 3m20s ago")
    every = vector(({"i": "a"}, at - 300), ({"i": "b"}, at - 200), ({"i": "c"}, at - 250))
    assert plain_stale(values, every, at, 120) == ({0, 1, 2}, "the newest of its 3 series is 3m20s old")
    assert plain_stale(values, stamps, at, 600) == (set(), None)
    summary = vector(({"rbt_what": "newest"}, at - 130), ({"rbt_what": "oldest"}, at - 290), ({"rbt_what": "count"}, 4), ({"rbt_what": "old"}, 4))
    assert selector_stale("x", summary, at) == (True, "the newest of 4 series of x is 2m10s old")
    some = vector(({"rbt_what": "newest"}, at - 1), ({"rbt_what": "oldest"}, at - 290), ({"rbt_what": "count"}, 4), ({"rbt_what": "old"}, 1))
    assert selector_stale("x", some, at) == (False, "1 of 4 series of x last sampled up to 4m50s ago: counted in the value")
    assert 'label_replace(count(timestamp(x{a="}"}) < 999880.0), "rbt_what", "old", "", "")' in summary_query('x{a="}"}', at, 120)
