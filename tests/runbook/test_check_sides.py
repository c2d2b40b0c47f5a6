"""A measured check on the side its panel calls bad: warned of where it is written.

A panel over several series shows the one nearest trouble by its own `direction` (the highest by default), and a
check reads that one. `{panel: up, above: 0.5}` on such a panel judged the highest target: it held with two of three
targets down. Before, nothing said so; now `validate` warns at the check and says how to write it.
"""

from __future__ import annotations

from helpers_runbook import at, load


def test_a_check_on_its_panels_bad_side_is_warned_of_and_one_on_the_other_side_is_not(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        metrics:
          source: {prometheus: {url: "http://prometheus:9090"}}
          panels:
            - {id: up, query: 'up'}
            - {id: probe, query: 'probe_success', direction: below, critical: 0.5}
          success:
            - {panel: up, above: 0.5}
            - {panel: probe, above: 0.5}
            - {panel: up, below: 2}
        sections:
          - id: main
            steps:
              - {id: one, run: 'true', expect: {metric: {panel: probe, below: 2}}}
        """
    )
    warnings = load(path).warnings
    assert [(at(w), w.message) for w in warnings] == [
        (
            (10, 7),
            "a success criterion up above 0.5: panel 'up' shows the highest of its series (direction: above), so where its query answers"
            " several series this holds when any one is above 0.5; expected direction: below on the panel (its lowest is then judged),"
            " or a query of one series (min(...))",
        ),
        (
            (16, 49),
            "expect.metric probe below 2: panel 'probe' shows the lowest of its series (direction: below), so where its query answers"
            " several series this holds when any one is below 2; expected direction: above on the panel (its highest is then judged),"
            " or a query of one series (max(...))",
        ),
    ]
