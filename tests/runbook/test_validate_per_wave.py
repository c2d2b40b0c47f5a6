"""`validate` warns when `verify: per_wave` is set on a step without `serial:` waves: there is one wave, so the
verifier's word per wave would mean nothing. The warning is on the `verify` key, as `FILE:LINE:COL: warning`."""

from __future__ import annotations

from helpers_runbook import at, cli_main, load

RUNBOOK = """
runbook: 1
id: demo
title: Demo
hosts:
  fleet: [{name: a}, {name: b}, {name: c}]
sections:
  - id: main
    steps:
      - id: roll
        on: fleet
        run: echo rolled
        verify: per_wave
      - id: waves
        on: fleet
        run: echo rolled
        serial: [1, "50%"]
        verify: per_wave
"""


def test_per_wave_without_serial_is_a_warning_on_the_verify_key(write_runbook, capsys):
    path = write_runbook(RUNBOOK)
    warnings = load(path).warnings
    assert [(d.severity, at(d)) for d in warnings] == [("warning", (12, 9))]  # only the step without serial
    assert "'roll'" in warnings[0].message and "serial" in warnings[0].message
    assert cli_main(["validate", str(path)]) == 0  # a warning, still valid
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"{path}:12:9: warning: {warnings[0].message}"]
    assert "1 warning" in out


def test_per_wave_with_serial_is_clean(write_runbook, capsys):
    path = write_runbook(RUNBOOK.replace("        verify: per_wave\n      - id: waves", "        serial: 1\n        verify: per_wave\n      - id: waves"))
    assert load(path).warnings == []
    assert cli_main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""
