"""Which series a panel's value is, named with its label values quoted as PromQL writes them.

A label value holding `"` or `\\` was put between quotes as it was: `service="a", env="prod"` named a series with two
labels that does not exist, for the one series whose service is `a", env="prod`; `z\\` read `service="z\\"`, an escaped
quote. The words are in the guard's trip, the panel's foot and the journal."""

from __future__ import annotations

from runbook_tui.metrics.prom_answer import series_name


def test_a_quote_or_backslash_in_a_label_value_is_escaped_as_promql_writes_it() -> None:
    labels = [{"service": 'a", env="prod'}, {"service": "b"}, {"service": "z\\"}, {"service": "line\nbreak"}]
    assert series_name(labels, 0) == 'service="a\\", env=\\"prod"'
    assert series_name(labels, 1) == 'service="b"'
    assert series_name(labels, 2) == 'service="z\\\\"'
    assert series_name(labels, 3) == 'service="line\\nbreak"'


def test_so_is_it_among_more_series_than_are_compared() -> None:
    labels = [{"job": "x", "path": f'/p{i}"'} for i in range(300)]
    assert series_name(labels, 7) == 'job="x", path="/p7\\""'
