"""A label matcher's regular expression (`code=~"..."` in a scrape query, a silence's matchers) is read as
Prometheus and Alertmanager read it (RE2: `[[:digit:]]` is a POSIX class), by the module that searches values.

Before: Python's `re` read `code=~"[[:digit:]]+"` as a set of the characters `[:digt` then `]+`, so the scrape
panel matched no `code="500"` series where Prometheus would; validate printed `FutureWarning: Possible nested set`
with the program's source line on stderr; and `[[:digts:]]`, which Prometheus and Alertmanager refuse, passed.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from runbook_tui.runbook.matchers import MatcherError, parse_matcher, parse_matcher_list


def test_a_posix_class_matches_as_prometheus_reads_it() -> None:
    (matcher,) = parse_matcher_list('code=~"[[:digit:]]+"', 'http_requests_total{code=~"[[:digit:]]+"}')
    assert matcher.matches({"code": "500"})
    assert not matcher.matches({"code": "5x"})
    assert not matcher.matches({"code": ":"}), "before: `:` matched, a member of the set re read"
    (negated,) = parse_matcher_list('code!~"[[:alpha:]]+"', "q")
    assert negated.matches({"code": "500"}) and not negated.matches({"code": "abc"})


def test_a_misspelt_posix_class_is_refused_in_words() -> None:
    with pytest.raises(MatcherError, match="bad regular expression '\\[\\[:digts:\\]\\]': unknown property"):
        parse_matcher('code=~"[[:digts:]]"')


def test_validate_says_nothing_of_pythons_warnings(write_runbook) -> None:
    path = write_runbook(
        """
        runbook: 1
        id: t
        title: T
        metrics:
          source: {scrape: {url: "http://127.0.0.1:9100/metrics"}}
          panels:
            - {id: p, title: P, query: 'rate(http_requests_total{code=~"[[:digit:]]+"}[1m])'}
        sections:
          - {id: s, title: S, kind: precheck, steps: [{id: a, title: x, run: echo}]}
        """
    )
    said = subprocess.run([sys.executable, "-m", "runbook_tui", "validate", str(path)], capture_output=True, text=True, timeout=120)
    assert said.returncode == 0, said.stderr
    assert said.stderr == "", "before: `…/matchers.py:58: FutureWarning: Possible nested set at position 1` and the source line"
