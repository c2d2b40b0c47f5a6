"""`validate` warns when `serial:` or `max_fail:` is set on a step that runs on one host (`local`, or a host named by
`on:`): one host is one wave, so neither does anything. Before: accepted silently, and an author believed the step
rolled out in batches. A warning at the key (`FILE:LINE:COL: warning`), exit 0; on a group, nothing is said."""

from __future__ import annotations

from helpers_runbook import at, cli_main, errors, load

RUNBOOK = """
runbook: 1
id: demo
title: Demo
hosts:
  fleet: [{name: a}, {name: b}, {name: c}]
  solo: [{name: z}]
sections:
  - id: main
    steps:
      - id: here
        run: echo here
        serial: 1
      - id: one
        on: b
        run: echo b
        max_fail: 1
      - id: group
        on: fleet
        run: echo rolled
        serial: [1, "50%"]
        max_fail: "10%"
      - id: small-group
        on: solo
        run: echo z
        serial: 1
"""


def test_serial_or_max_fail_on_one_host_is_a_warning_at_the_key(write_runbook, capsys):
    path = write_runbook(RUNBOOK)
    warnings = load(path).warnings
    assert [(d.severity, at(d)) for d in warnings] == [("warning", (12, 9)), ("warning", (16, 9))]
    assert "'here'" in warnings[0].message and "'serial' has no effect on local" in warnings[0].message
    assert "'one'" in warnings[1].message and "'max_fail' has no effect on the single host 'b'" in warnings[1].message
    assert cli_main(["validate", str(path)]) == 0  # warnings, still valid
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"{path}:{at(d)[0]}:{at(d)[1]}: warning: {d.message}" for d in warnings]
    assert "2 warnings" in out


def test_an_unknown_on_is_only_its_error(write_runbook):
    """An unknown `on:` is taken as local after its error: no second word about local."""
    path = write_runbook(RUNBOOK.replace("on: b\n", "on: nowhere\n"))
    found = errors(path)
    assert len(found) == 1 and "nowhere" in found[0].message
