"""`k` ends every wait of a running step, not only its commands: the verifier's word between waves (`verify: per_wave`),
an `expect.metric` check's wait, a retry's delay.

Before, a stop while a per-wave rollout waited for the verifier's word was journaled and then nothing happened: the step
stayed waiting (and `k` was no longer offered), so the assignee who pressed stop could do nothing but wait for bob.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rules_helpers import ALICE, BOB, types_of, until

from runbook_tui.app.session import Session
from runbook_tui.runbook.model import MetricCheck

ROLLOUT = """\
runbook: 1
id: waves-stop
title: Waves, stopped
ticket: {id: CHG-7, subject: Waves, assignee: alice, verifier: bob}
hosts:
  fleet:
    - {name: web1, address: 192.0.2.1}
    - {name: web2, address: 192.0.2.2}
    - {name: web3, address: 192.0.2.3}
metrics:
  source: {scrape: {url: "http://127.0.0.1:9/metrics"}}
  panels:
    - {id: p99, title: p99, query: p99_ms, unit: ms}
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: roll, title: Roll out, on: fleet, run: echo rolled, serial: 1, verify: per_wave}
      - {id: check, title: Check p99, run: echo checked, expect: {metric: {panel: p99, below: 250, within: 10m}}, verify: none}
"""


async def _unstick(session: Session, close: bool = True) -> None:
    """A failing test must not hang in teardown on a wait nobody ends."""
    task = session.controller._task
    if task is not None and not task.done():
        task.cancel()
    await session.controller.wait_idle()
    if close:
        await session.close()


def test_a_stop_ends_the_wait_for_the_verifiers_word_between_waves_and_a_metric_checks_wait(
    write_runbook: Callable[..., Path],
    open_local_session: Callable[..., Session],
    journal_events: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("runbook_tui.app.session.start_metrics", lambda *_args: None)  # the check below stands in for the metrics layer
    runbook = write_runbook(ROLLOUT)
    judging = asyncio.Event()

    async def never_answers(check: MetricCheck) -> tuple[bool, str]:  # a check with `within: 10m` that waits on
        judging.set()
        await asyncio.Event().wait()
        return True, "met"

    async def main() -> None:
        session = open_local_session(runbook, mode="dry-run")
        c = session.controller
        c.metric_judge = never_answers
        try:
            assert c.run_current(ALICE).ok
            await until(lambda: c.state.steps["roll"].wave_awaiting == 1, "wave 1 to wait for bob's word")
            assert "stop" in c.allowed_intents(), "k is offered while the rollout waits for the verifier"
            reply = c.stop_step(ALICE)
            await until(lambda: not c.busy, "the stopped rollout to end", timeout=5)
            assert reply.ok and reply.message == "stopped 'roll' after wave 1: no further wave starts; it ends as failed"
            roll = c.state.steps["roll"]
            assert roll.status == "failed" and roll.wave_awaiting is None
            assert {h: hs.status for h, hs in roll.hosts.items()} == {"web1": "done", "web2": "skipped", "web3": "skipped"}
            assert roll.hosts["web2"].error == "not run: stopped by alice before this host started"
            assert not c.confirm(BOB).ok, "bob's word on the wave comes too late: nothing waits for it"
            assert {"run", "skip", "rollback"} <= c.allowed_intents(), "the assignee decides what follows, as after any stop"

            assert c.skip(ALICE, "stopped on purpose").ok
            assert c.run_current(ALICE).ok
            async with asyncio.timeout(5):
                await judging.wait()
            started = time.monotonic()
            assert c.stop_step(ALICE).ok
            await until(lambda: not c.busy, "the metric check's wait to end", timeout=5)
            assert time.monotonic() - started < 5
            assert c.state.steps["check"].status == "failed"
        finally:
            await _unstick(session)

    asyncio.run(main())
    (finished,) = types_of(journal_events, tmp_path, type="step_finished", step="roll")
    assert finished["problems"] == ["stopped by alice while wave 1 waited for the verifier's word; no further wave started"]
    assert [e["wave"] for e in types_of(journal_events, tmp_path, type="wave_started", step="roll")] == [1], "no further wave started"
    assert not types_of(journal_events, tmp_path, type="wave_confirmed")
    stops = types_of(journal_events, tmp_path, type="note", request="stop")
    assert [(e["actor"], e["step"]) for e in stops] == [("alice", "roll"), ("alice", "check")]
    assert stops[0]["text"] == "stopped 'roll' while wave 1 waited for the verifier's word: no further wave starts"
    assert stops[0]["seq"] < finished["seq"]
    (checked,) = types_of(journal_events, tmp_path, type="step_finished", step="check")
    assert checked["problems"] == ["expect.metric on p99 not checked: stopped by alice"]


def test_a_stop_during_a_retrys_delay_ends_the_step_at_once(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    steps = """\
- id: flaky
  title: Flaky
  run: echo try >> log; exit 1
  retries: 3
  retry_delay: 10m
  verify: none
"""

    async def body(s: Session) -> None:
        c = s.controller
        try:
            assert c.run_current(ALICE).ok
            await until(lambda: any(n.get("text") == "local: exit code 1, expected 0; retry 1/3 in 600s" for n in c.state.notes), "the retry's delay to begin")
            assert c.stop_step(ALICE).ok
            await until(lambda: not c.busy, "the step to end without waiting out the delay", timeout=5)
            assert c.state.steps["flaky"].status == "failed"
        finally:
            await _unstick(s, close=False)  # session_for closes it

    session_for(steps, solo="night shift")(body)
    assert (tmp_path / "log").read_text().splitlines() == ["try"], "no retry ran after the stop"
    (finished,) = types_of(journal_events, tmp_path, type="step_finished", step="flaky")
    local = finished["hosts"]["local"]
    # Who stopped it, as after a stop while the command ran (it said `exit_code: 1`, the stop only in the note).
    assert local["status"] == "failed" and local["error"] == "stopped by alice before retry 1/3 (the last try ended with exit code 1)", local
    assert finished["problems"] == ["local: stopped by alice before retry 1/3 (the last try ended with exit code 1)"]
