"""A limit written in a runbook is a limit that holds, or an error at its FILE:LINE:COL.

Before: `critical: .nan` (or `.inf`, `1e400`) loaded, and a guard past a NaN line never trips; `min: .nan` let
every value through; `choices:` on a `type: string` parameter and `min:`/`max:` on a string were ignored, so a
typo in `type` silently dropped the check; `min` above `max` refused every value without saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, cli_main, errors, load

LIMITS = """\
runbook: 1
id: limits
title: T
params:
  env: {type: string, choices: [staging, prod], default: staging}
  name: {type: string, min: 3, max: 8, default: api}
  batch: {type: int, min: 10, max: 5}
  pause: {type: int, min: .nan, default: 3}
  ratio: {type: float, max: 1e400, default: 1}
metrics:
  source: {scrape: {url: "http://127.0.0.1:9/metrics"}}
  panels:
    - {id: errors, query: up, critical: .nan, warn: .inf}
  success:
    - {panel: errors, below: -.inf, within: 1m}
sections:
  - id: main
    steps:
      - id: one
        run: echo {{ env }}
"""


def test_limits_that_would_not_hold_are_refused(write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook(LIMITS)
    found = {at(d): d.message for d in errors(path)}
    assert found == {
        (5, 23): "parameter 'env': 'choices' is never checked for type string; expected type choice with it, or no choices",
        (6, 24): "parameter 'name': 'min' is never checked for type string; expected type int or float with it, or no min",
        (6, 32): "parameter 'name': 'max' is never checked for type string; expected type int or float with it, or no max",
        (7, 36): "parameter 'batch': 'max' is below 'min'; expected max >= min (no value would fit)",
        (8, 27): "'min': expected a finite number, got nan",
        (9, 29): "'max': expected a finite number, got '1e400'",
        (13, 41): "'critical': expected a finite number, got nan",
        (13, 53): "'warn': expected a finite number, got inf",
        (15, 30): "'below': expected a finite number, got -inf",
    }
    assert cli_main(["validate", str(path)]) == 2
    assert "Traceback" not in capsys.readouterr().err

    # the same limits, written as their types check them, hold
    fixed = (
        path.read_text()
        .replace("type: string, choices", "type: choice, choices")
        .replace("{type: string, min: 3, max: 8, default: api}", "{type: string, pattern: '^.{3,8}$', default: api}")
        .replace("min: 10, max: 5", "min: 5, max: 10")
        .replace("min: .nan", "min: 0")
        .replace("max: 1e400", "max: 2")
        .replace("critical: .nan, warn: .inf", "critical: 5, warn: 3")
        .replace("below: -.inf", "below: 1")
    )
    path.write_text(fixed)
    loaded = load(path, {"batch": "7", "env": "prod"})
    assert dict(loaded.runbook.param_values)["env"] == "prod"
    assert [e.message for e in errors(path, {"batch": "7", "env": "dev"})] == ["parameter 'env': expected one of staging, prod, got 'dev'"]


def test_a_zero_timeout_or_interval_is_refused(write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    """`timeout: 0` ran the command and failed it at once ('timed out after 0s'); `interval: 0` became 5s unsaid."""
    path = write_runbook(
        LIMITS.split("params:")[0]
        + 'metrics:\n  source: {scrape: {url: "http://127.0.0.1:9/metrics"}}\n  interval: 0\n'
        + "sections:\n  - id: main\n    steps:\n      - {id: one, run: echo hi, timeout: 0s, retry_delay: 0}\n"
    )
    found = {at(d): d.message for d in errors(path)}
    assert found == {
        (6, 13): "'interval': expected at least 100ms (polling faster floods the metrics server and the journal; leave it out for 5s), got 0",
        (10, 42): "'timeout': expected at least 100ms (a shorter one stops the command as it starts; leave timeout out for no limit), got '0s'",
    }
    assert cli_main(["exec", str(path), "--solo", "test", "--journal", str(path.with_suffix(".jsonl"))]) == 2
    assert not path.with_suffix(".jsonl").exists()  # nothing ran
    assert "Traceback" not in capsys.readouterr().err


# `got` the value as written (before: `1e-9` read `got 0ms`, a rounding the runbook never wrote)
@pytest.mark.parametrize(("written", "said"), [("1ms", "'1ms'"), ("0.05", "0.05"), ('"{{ n }}ms"', "'30ms'"), ("1e-9", "'1e-9'")])
def test_a_polling_interval_under_100ms_is_refused(write_runbook: Callable[..., Path], written: str, said: str) -> None:
    """`interval: 1ms` validated: the poller asked the metrics server again as each answer came in (its pause is at most
    half the interval), each sample journaled, all night. The tests poll at 0.2s; 100ms is the floor."""
    path = write_runbook(
        LIMITS.split("params:")[0]
        + "params:\n  n: {type: int, default: 30}\n"
        + f'metrics:\n  source: {{scrape: {{url: "http://127.0.0.1:9/metrics"}}}}\n  interval: {written}\n'
        + "sections:\n  - id: main\n    steps:\n      - {id: one, run: echo hi}\n"
    )
    assert {at(d): d.message for d in errors(path)} == {
        (8, 13): f"'interval': expected at least 100ms (polling faster floods the metrics server and the journal; leave it out for 5s), got {said}"
    }
    assert load(write_runbook(path.read_text(encoding="utf-8").replace(f"interval: {written}", "interval: 100ms"))).runbook.metrics.interval_seconds == 0.1


@pytest.mark.parametrize(("written", "said"), [("1ms", "'1ms'"), ("0.0001", "0.0001"), ("1e-9", "'1e-9'"), ('"{{ n }}ms"', "'30ms'")])
def test_a_step_timeout_under_100ms_is_refused_as_0_is(write_runbook: Callable[..., Path], written: str, said: str) -> None:
    """`timeout: 0` was refused because it "would stop the command as it starts", while `timeout: 1ms` (or `1e-9`) loaded
    and did just that: `timed out after 0.001s` on every host. One floor for both, said in the error."""
    path = write_runbook(
        LIMITS.split("params:")[0]
        + "params:\n  n: {type: int, default: 30}\n"
        + f"sections:\n  - id: main\n    steps:\n      - id: one\n        run: echo hi\n        timeout: {written}\n"
    )
    assert {at(d): d.message for d in errors(path)} == {
        (11, 18): f"'timeout': expected at least 100ms (a shorter one stops the command as it starts; leave timeout out for no limit), got {said}"
    }
    fixed = load(write_runbook(path.read_text(encoding="utf-8").replace(f"timeout: {written}", "timeout: 100ms")))
    assert fixed.runbook.step("one").timeout_seconds == 0.1


def test_a_guard_that_could_never_trip_is_refused(write_runbook: Callable[..., Path]) -> None:
    """`on_critical: rollback` without `critical` loaded and never tripped; a scrape query the exporter source
    cannot answer (`sum(...)`, `rate(x)` without its window) loaded and read nothing all night."""
    path = write_runbook(
        LIMITS.split("params:")[0] + 'metrics:\n  source: {scrape: {url: "http://127.0.0.1:9/metrics"}}\n  panels:\n'
        "    - {id: errors, query: 'rate(http_requests_total{code=\"500\"})', critical: 5}\n"
        "    - {id: p99, query: 'sum(latency)', on_critical: rollback, for: 1m}\n"
        "sections:\n  - id: main\n    steps:\n      - {id: one, run: echo hi}\n"
    )
    found = {at(d): d.message for d in errors(path)}
    assert found == {
        (7, 27): "'query': 'rate(http_requests_total{code=\"500\"})': expected rate(name{labels}[window]), e.g. rate(http_requests_total[1m])",
        (
            8,
            24,
        ): "'query': 'sum(latency)': with the scrape source a query is a metric name with optional label matchers, or rate(...) over one; expected one of those",
        (8, 40): "'on_critical' acts only on a guard; expected 'critical:' (the value the guard trips at) beside it, or no 'on_critical'",
        (8, 63): "'for' acts only on a guard; expected 'critical:' (the value the guard trips at) beside it, or no 'for'",
    }


def test_a_command_key_on_a_step_without_a_command_is_refused(write_runbook: Callable[..., Path]) -> None:
    """`expect.exit`, `timeout`, `retries`, `retry_delay`, `sudo`, `env`, `serial`, `max_fail` on a wait, note or ask step loaded and did nothing
    (a wait step `expect: {stdout: ...}` checked nothing); `expect.metric` still applies to every step."""
    path = write_runbook(
        LIMITS.split("params:")[0]
        + 'metrics:\n  source: {scrape: {url: "http://127.0.0.1:9/metrics"}}\n  panels: [{id: errors, query: up}]\n'
        + "sections:\n  - id: main\n    steps:\n"
        + "      - {id: soak, wait: 5m, expect: {stdout: ok, metric: {panel: errors, below: 1}}, timeout: 1m}\n"
        + "      - {id: tell, note: Tell the team, sudo: true, serial: 1}\n"
        + "      - {id: pick, ask: Which node?, undo: 'true'}\n"
        + "      - {id: page, note: Page the DBA, retries: 3}\n"  # the plan said `retries 3` of a note, which nothing retries
        + "      - {id: rest, wait: 1m, retry_delay: 10s}\n"
    )
    assert {at(d): d.message for d in errors(path)} == {
        (10, 39): "'stdout' does not apply to a wait step; expected it on a run step",
        (10, 87): "'timeout' does not apply to a wait step; expected it on a run step",
        (11, 41): "'sudo' does not apply to a note step; expected it on a run step",
        (11, 53): "'serial' does not apply to a note step; expected it on a run step",
        (12, 38): "'undo' does not apply to an ask step; expected it on a run or note step",  # before: 'a ask step'
        (13, 40): "'retries' does not apply to a note step; expected it on a run step",
        (14, 30): "'retry_delay' does not apply to a wait step; expected it on a run step",
    }


def test_a_retry_delay_without_retries_is_a_warning_at_the_key(write_runbook: Callable[..., Path]) -> None:
    """`retry_delay: 30s` with no `retries` (or `retries: 0`) retries nothing: the author meant a retry and got none.
    Before: loaded silently; now a warning at the key, the runbook still valid."""
    path = write_runbook(
        LIMITS.split("params:")[0]
        + "sections:\n  - id: main\n    steps:\n"
        + "      - {id: one, run: 'true', retry_delay: 30s}\n"
        + "      - {id: two, run: 'true', retries: 0, retry_delay: 30s}\n"
        + "      - {id: three, run: 'true', retries: 2, retry_delay: 30s}\n"
    )
    warnings = load(path).warnings
    said = "'retry_delay' has no effect without 'retries' (nothing is retried); expected 'retries:' beside it, or 'retry_delay' left out"
    assert [(at(d), d.message) for d in warnings] == [((7, 32), f"step 'one': {said}"), ((8, 44), f"step 'two': {said}")]
