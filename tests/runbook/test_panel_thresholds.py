"""A panel's `warn` beyond its `critical` (for its direction) is refused at the `warn` value: the guard would trip
before the warning ever showed (before: accepted, the warning colour never seen before the pause)."""

from __future__ import annotations

import pytest
from helpers_runbook import at, load, only_error

PANEL = """\
runbook: 1
id: demo
title: Demo
metrics:
  source: {{prometheus: {{url: "http://prometheus:9090"}}}}
  panels:
    - {{id: p99, query: up, warn: {warn}, critical: {critical}{direction}}}
sections:
  - id: main
    steps:
      - {{id: a, run: echo 1}}
"""


@pytest.mark.parametrize(
    ("warn", "critical", "direction", "expected"),
    [
        (400, 300, "", "'warn': expected a value at or below critical (300) for direction above"),
        (400, 300, ", direction: above", "'warn': expected a value at or below critical (300) for direction above"),
        (0.5, 1.5, ", direction: below", "'warn': expected a value at or above critical (1.5) for direction below"),
    ],
)
def test_warn_beyond_critical_is_refused_at_warn(write_runbook, warn, critical, direction, expected):
    path = write_runbook(PANEL.format(warn=warn, critical=critical, direction=direction))
    err = only_error(path)
    assert at(err) == (7, 34)  # the warn value
    assert expected in err.message
    assert err.message.endswith(f"got {warn}"), err.message
    assert str(err).startswith(f"{path}:7:34: ")


@pytest.mark.parametrize(
    ("warn", "critical", "direction"),
    [(200, 300, ""), (300, 300, ""), (2, 1, ", direction: below"), (1, 1, ", direction: below")],
)
def test_warn_before_or_at_critical_loads(write_runbook, warn, critical, direction):
    panel = load(write_runbook(PANEL.format(warn=warn, critical=critical, direction=direction))).runbook.metrics.panels[0]
    assert (panel.warn, panel.critical) == (warn, critical)
