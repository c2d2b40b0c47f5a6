"""A step key that does nothing is warned about in words that fit the step, once, at its FILE:LINE:COL.

Before: a `note` with `verify: per_wave` was told to add `serial:` (refused on a note); a `retries:` template that
failed to render (its error said) also drew "'retry_delay' has no effect without 'retries'" though retries was written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from helpers_runbook import at, diagnostics, load

HEAD = """\
runbook: 1
id: keys
title: T
sections:
  - id: main
    steps:
"""


def test_per_wave_on_a_note_says_a_note_has_no_waves(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(HEAD + "      - {id: page, note: Page the DBA, verify: per_wave}\n")
    warnings = load(path).warnings
    assert [(at(d), d.message) for d in warnings] == [
        (
            (7, 40),
            "step 'page': 'verify: per_wave' does nothing on a note step (only a run step on a group has waves; the verifier"
            " confirms it once, after); expected 'verify: after'",
        )
    ]
    assert not any("serial" in d.message for d in warnings)


def test_a_bad_retries_template_is_said_once(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(HEAD + "      - {id: a, run: 'true', retries: '{{ nope }}', retry_delay: 10s}\n")
    said = diagnostics(path)
    assert [d.severity for d in said] == ["error"], "\n".join(map(str, said))
    assert "nope" in said[0].message


def test_retry_delay_without_retries_is_still_warned(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(HEAD + "      - {id: a, run: 'true', retry_delay: 10s}\n")
    assert [at(d) for d in load(path).warnings if "retry_delay" in d.message] == [(7, 30)]


def test_retry_delay_with_retries_zero_is_still_warned(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(HEAD + "      - {id: a, run: 'true', retries: 0, retry_delay: 10s}\n")
    assert [at(d) for d in load(path).warnings if "retry_delay" in d.message] == [(7, 42)]


WATCHED = """\
runbook: 1
id: keys
title: T
metrics:
  source: {scrape: {url: "http://127.0.0.1:9/metrics"}}
  panels:
    - {id: p99, query: up}
sections:
  - id: main
    steps:
      - {id: page, note: Page the DBA, watch: [p99]}
      - {id: how, ask: How is it, watch: p99}
      - {id: look, note: Restart it by hand, watch: p99, expect: {metric: {panel: p99, below: 1, within: 5m}}}
      - {id: rest, wait: 1m, watch: p99}
      - {id: roll, run: 'true', watch: p99}
"""


def test_watch_on_a_note_or_ask_that_waits_for_nothing_is_warned(write_runbook: Callable[..., Path]) -> None:
    warnings = load(write_runbook(WATCHED)).warnings
    assert [(at(d), d.message) for d in warnings] == [
        (
            (11, 40),
            "step 'page': 'watch' does nothing on a note step (panels are drawn large while a step runs: a command, a wait,"
            " or an expect.metric check); expected it on a run or wait step, or expect.metric beside it",
        ),
        (
            (12, 35),
            "step 'how': 'watch' does nothing on an ask step (panels are drawn large while a step runs: a command, a wait,"
            " or an expect.metric check); expected it on a run or wait step, or expect.metric beside it",
        ),
    ]
