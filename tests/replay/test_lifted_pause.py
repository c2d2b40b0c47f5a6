"""A guard's pause lifted headless (`resume J --lift-pause REASON`), then replayed and practised (a real night: the
session pauses as a guard does, the process ends, and the real CLI lifts the pause and goes on).

Before: the replay went from `PAUSED: guard ...` to the next step without a word of who lifted the pause or why (the
`resumed` event was left to the status row, which only ever says a pause that stands), and practice's "why it matters"
said the run went on without the reason it was lifted for.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.controller import SYSTEM, Actor
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.practice_results import compare
from runbook_tui.report import build_report, render
from runbook_tui.ui.log_lines import last_log_lines, log_lines

RUNBOOK = """\
runbook: 1
id: lift-demo
title: Lift demo
ticket:
  id: CHG-8
  subject: Lift
  assignee: alice
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: a
        title: Step a
        run: echo a
      - id: b
        title: Step b
        run: echo b
"""
TRIP = "guard 'errors' tripped at 4.2% (> 2% for 0s)"
WHY = "errors back to 0.1%, checked the dashboards"


async def paused_night(runbook: Path, journal: Path) -> None:
    session = open_session(load(str(runbook), {}), solo="night test", journal=str(journal), settings=Settings())
    c = session.controller
    try:
        assert c.run_current(Actor("alice", "assignee")).ok
        await c.wait_idle()
        assert c.pause(SYSTEM, TRIP).ok  # as guard_response pauses the run
        await c.wait_idle()
    finally:
        await session.close()


def test_a_pause_lifted_headless_is_said_in_the_replayed_log_and_in_practice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    runbook, journal = tmp_path / "runbook.yaml", tmp_path / "night.jsonl"
    runbook.write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    asyncio.run(paused_night(runbook, journal))
    lifted = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "resume", str(journal), "--lift-pause", WHY, "--continue"],
        cwd=tmp_path, env=dict(os.environ), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert lifted.returncode == 0, lifted.stderr
    events = read_events(str(journal)).events
    [resumed] = [e for e in events if e["type"] == "resumed"]
    said = f"resumed by alice: pause lifted (resume --lift-pause): {WHY}"
    assert said in lifted.stdout, "exec's line, the words the log must say too"
    # the run screen's and replay's log: the same words, with the time of the decision
    assert log_lines(resumed) == [f"‖ {resumed['ts'][11:19]} {said}"]
    assert any(said in line for line in last_log_lines(events, 50)), "the replayed log rebuilt after a jump"
    # `p` at the run screen (a bare `resumed`) is a line too, as exec prints it (the status row says PAUSED only while it lasts)
    assert log_lines({**resumed, "reason": "resumed"}) == [f"‖ {resumed['ts'][11:19]} resumed by alice"]
    # practice: the night's resume is a decision point that says why it was lifted
    [point] = [p for p in compare(events, events).points if p.night is not None and p.night.kind == "resume"]
    assert point.why.endswith(f"paused: {TRIP}; pause lifted (resume --lift-pause): {WHY}"), point.why
    # the report: the pauses table and the JSON say who lifted it and why, in the same words (before: `by alice` alone)
    report = build_report(journal)
    [pause] = report.pauses
    assert (pause.by, pause.resumed_by, pause.ended_by, pause.lifted) == ("system", "alice", "resumed", f"pause lifted (resume --lift-pause): {WHY}")
    row = f"| {resumed['ts'][11:19]} by alice: pause lifted (resume --lift-pause): {WHY} |"
    assert row in render(report, "md"), render(report, "md")
    assert json.loads(render(report, "json"))["pauses"][0]["lifted"] == f"pause lifted (resume --lift-pause): {WHY}"
