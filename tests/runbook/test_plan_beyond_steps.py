"""What a run does besides its steps, in the text plan a reviewer reads (`plan`, and `approve` before it signs).

A guard with `on_critical: rollback` rolls the change back on its own, and the success criteria decide whether the run
ends `done`: `plan --format md` listed both, while the text plan (the default, and the one `approve` prints before
asking yes) said nothing of either.
"""

from __future__ import annotations

import html
import re

import pytest
from helpers_runbook import cli_main

GUARDED = """\
runbook: 1
id: guarded
title: T
ticket: {id: CHG-7, success_criteria: ["p99 back under 250 ms \\e[2J"]}
params:
  code: {type: string, default: "500"}
metrics:
  source: {scrape: {url: "http://127.0.0.1:9100/metrics"}}
  panels:
    - {id: err, title: "Errors \\e]0;pwned\\a", query: 'rate(http_requests_total{code="{{ code }}"}[1m])', critical: 5, on_critical: rollback, for: 10s}
    - {id: lat, title: Latency, query: 'http_latency_ms', unit: ms, warn: 200, critical: 300, on_critical: pause}
    - {id: up, title: Up, query: 'up', warn: 1, direction: below}
  success:
    - {panel: err, below: 1, within: 1m}
sections:
  - id: s
    title: S
    kind: implement
    steps:
      - {id: a, title: A, run: "echo a", undo: "echo u"}
"""


def test_the_text_plan_names_each_guard_and_what_it_does_and_the_success_criteria(write_runbook, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook(GUARDED)
    assert cli_main(["plan", str(path), "-p", "code=503"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "== Guards  (watched during the run)" in lines, out
    assert '  Errors ␛]0;pwned␇: rate(http_requests_total{code="503"}[1m]): above 5 for 10s: rolls back to the last checkpoint' in lines, out
    assert "  Latency: http_latency_ms: above 300 ms: pauses the run" in lines, out
    assert "  Up: up: shown, no guard (warning at 1)" in lines, out
    assert "== Success criteria" in lines, out
    assert ["  p99 back under 250 ms ␛[2J", "  measured: panel err below 1 within 1m"] == lines[lines.index("== Success criteria") + 1 :][:2], out
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", out)


def test_a_runbook_without_metrics_or_criteria_gets_no_empty_headings(write_runbook, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook("runbook: 1\nid: d\ntitle: D\nsections:\n  - id: main\n    steps:\n      - {id: a, run: 'true', undo: 'true'}\n")
    assert cli_main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Guards" not in out and "Success criteria" not in out


def test_the_markdown_plan_writes_a_rule_without_a_unit_in_single_spaces(write_runbook, capsys: pytest.CaptureFixture[str]) -> None:
    """A panel with no `unit` read `above 5  for 10s` and `(warning at 1 )` in the board's plan."""
    path = write_runbook(GUARDED)
    assert cli_main(["plan", "--format", "md", str(path)]) == 0
    out = capsys.readouterr().out
    assert "| above 5 for 10s: rolls back to the last checkpoint |" in out and "| shown, no guard (warning at 1) |" in out, out


SILENCING = """\
runbook: 1
id: silencing
title: T
ticket: {id: CHG-9, window: {start: "2026-11-23T02:00:00+09:00", end: "2026-11-23T04:00:00+09:00"}}
params:
  svc: {type: string, default: api}
alerts:
  alertmanager: "http://ops:hunter22@127.0.0.1:9093"
  silence:
    - {matchers: ['service="{{ svc }}"', 'env=~".*"'], comment: "maint {{ svc }} \\e[2J"}
  until: window_end
notify:
  - {url: "http://127.0.0.1:9/hook/{{ svc }}?token=abc123", events: [session_started, session_finished]}
  - {url: {env: HOOK_URL}, format: slack}
sections:
  - id: s
    title: S
    kind: implement
    steps:
      - {id: a, title: A, run: "echo a", undo: "echo u"}
"""


def test_the_text_plan_names_the_silences_the_run_makes_and_where_it_sends_notices(write_runbook, capsys: pytest.CaptureFixture[str]) -> None:
    """`alerts:` silences every alert its matchers take (here every environment's) from the session's start: no plan said
    so, nor where `notify:` posts the run's events."""
    path = write_runbook(SILENCING)
    assert cli_main(["plan", str(path), "-p", "svc=pay\x1b]0;x\x07"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    heading = "== Alertmanager silences  (made as the session starts, at http://ops:***@127.0.0.1:9093; kept to the change window's end)"
    assert heading in lines, out
    assert lines[lines.index(heading) + 1] == '  service="pay␛]0;x␇", env=~".*"  (comment: maint pay␛]0;x␇ ␛[2J)', out
    assert "== Notices  (the run's events, posted besides the settings' receivers)" in lines, out
    assert "  http://127.0.0.1:9/hook/pay%1B%5D0%3Bx%07?token=***: session_started, session_finished (json)" in lines, out
    assert "  env:HOOK_URL: every event (slack)" in lines, out
    assert "hunter22" not in out and "abc123" not in out


def test_a_command_that_renders_empty_says_so_in_the_plan(write_runbook, capsys: pytest.CaptureFixture[str]) -> None:
    """`run: ""` is refused, but a command that renders empty (`{% if %}` false for these values, or on this host) ran
    nothing and passed, while the plan showed `run [h2]: ` and `run: `, a line a reviewer reads as cut off."""
    path = write_runbook(
        "runbook: 1\nid: e\ntitle: E\nparams:\n  restart: {type: bool, default: false}\n  hs: {type: list, default: [h1, h2]}\n"
        "hosts:\n  web: {from_param: hs}\nsections:\n  - id: s\n    steps:\n"
        "      - {id: a, on: web, run: \"{% if host.name == 'h1' %}systemctl restart app{% endif %}\", undo: \"{% if host.name == 'h1' %}echo u{% endif %}\"}\n"
        '      - {id: b, run: "{% if restart %}systemctl restart app{% endif %}", undo: "echo u"}\n'
    )
    assert cli_main(["plan", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "       run [h1]: systemctl restart app" in lines
    assert "       run [h2]: (empty once rendered: nothing runs, and the step passes)" in lines
    assert "       undo [h2]: (empty once rendered: a rollback runs nothing here)" in lines
    assert "       run: (empty once rendered: nothing runs, and the step passes)" in lines
    assert not [line for line in lines if line.rstrip().endswith(":")]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_board_plan_lists_the_silences_and_notices_too(write_runbook, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    """The change board reads `plan --format md` or `html`: neither said that the run silences alerts, nor where it posts."""
    path = write_runbook(SILENCING)
    assert cli_main(["plan", "--format", fmt, str(path), "-p", "svc=<b>pay</b>"]) == 0
    raw = capsys.readouterr().out
    assert fmt == "md" or "<b>pay" not in raw  # escaped: no markup of the runbook's reaches a renderer (md: in code spans)
    out = html.unescape(raw) if fmt == "html" else re.sub(r"\\(.)", r"\1", raw)  # as a reader sees it
    assert "Alertmanager silences" in out and "kept to the change window" in out and "http://ops:***@127.0.0.1:9093" in out, out
    assert "hunter22" not in out and "abc123" not in out
    assert 'service="<b>pay</b>", env=~".*"' in out and "maint <b>pay</b>" in out
    assert "env:HOOK_URL" in out and "every event" in out and "?token=***" in out


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_a_step_verified_per_wave_is_planned_in_every_format(write_runbook, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    """`verify: per_wave` (the spec's waves) ended `plan --format md`/`html` in a KeyError traceback."""
    path = write_runbook(
        "runbook: 1\nid: w\ntitle: W\nparams:\n  hs: {type: list, default: [h1, h2, h3]}\nhosts:\n  web: {from_param: hs}\n"
        "sections:\n  - id: s\n    steps:\n      - {id: a, on: web, run: 'true', undo: 'true', serial: 1, verify: per_wave}\n"
    )
    assert cli_main(["plan", "--format", fmt, str(path)]) == 0
    out = capsys.readouterr().out
    assert ("verify per_wave" if fmt == "text" else "the verifier confirms each wave before the next starts") in out, out
