"""`k`: the assignee stops a running step; its process group gets TERM, no retry follows, the step ends failed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rules_helpers import ALICE, BOB, log, run_steps, types_of, until

from runbook_tui.app.session import Session
from runbook_tui.report import build_report, render

#: Writes its pid, says it started, and on TERM says so and exits 143; with retries that a stop must not use.
STUBBORN = """\
- id: drain
  title: Drain the queue
  run: "trap 'echo got-term >> log; exit 143' TERM; echo $$ > pid; echo started >> log; sleep 60 & wait"
  retries: 2
  retry_delay: 1s
  verify: none
- id: after
  title: After
  run: echo after >> log
  verify: none
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_assignee_stops_a_running_step_and_it_ends_failed_with_who_stopped_it(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]
) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        assert "stop" not in c.allowed_intents(), "no step runs yet: nothing to stop"
        assert c.stop_step(ALICE).message.startswith("no step is running")
        assert c.run_current(ALICE).ok
        await until(lambda: log(tmp_path) == ["started"], "the step to start")
        assert "stop" in c.allowed_intents(), "the footer offers k while the step runs"
        assert not c.stop_step(BOB).ok, "only the assignee stops a step"
        reply = c.stop_step(ALICE)
        assert reply.ok, reply.message
        assert "stop" not in c.allowed_intents(), "a second k would do nothing: it is not offered"
        await until(lambda: not c.busy, "the stopped step to end", timeout=10)
        step = c.state.steps["drain"]
        assert step.status == "failed"
        assert c.state.current == "drain", "the run stays at the stopped step: the assignee decides what follows"
        assert {"run", "rollback", "skip"} <= c.allowed_intents()

    session_for(STUBBORN, solo="night shift")(body)
    assert log(tmp_path) == ["started", "got-term"], "TERM reached the command once; no retry ran, no later step"
    pid = int((tmp_path / "pid").read_text())
    assert not _alive(pid), "the command's shell is gone"
    stop = types_of(journal_events, tmp_path, type="note", request="stop")
    assert [(e["actor"], e["step"]) for e in stop] == [("alice", "drain")]
    assert "TERM" in stop[0]["text"] and "KILL 2 s later" in stop[0]["text"]
    finished = types_of(journal_events, tmp_path, type="step_finished", step="drain")
    assert len(finished) == 1 and finished[0]["seq"] > stop[0]["seq"], "the stop is journaled before the step's end"
    assert finished[0]["hosts"]["local"] == {"status": "failed", "exit_code": None, "error": "stopped by alice"}
    assert finished[0]["problems"] == ["local: stopped by alice"]
    assert not [e for e in types_of(journal_events, tmp_path, type="note") if "retry" in e["text"]], "a stopped step is not retried"


def test_a_stop_ends_a_wait_step_at_once(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    steps = """\
- id: soak
  title: Let it soak
  wait: 10m
  verify: none
"""

    async def body(s: Session) -> None:
        c = s.controller
        assert c.run_current(ALICE).ok
        await until(lambda: c.state.steps["soak"].status == "running", "the wait to start")
        assert c.stop_step(ALICE).message == "stopped 'soak': the wait ends now; it ends as failed"
        await until(lambda: not c.busy, "the wait to end", timeout=5)
        assert c.state.steps["soak"].status == "failed"

    session_for(steps, solo="night shift")(body)
    (finished,) = types_of(journal_events, tmp_path, type="step_finished", step="soak")
    assert finished["problems"] == ["stopped by alice"]
    (stop,) = types_of(journal_events, tmp_path, type="note", request="stop")
    assert stop["text"] == "stopped 'soak' while it waited: the wait ends now", "no command to TERM: it said TERM, then KILL"
    # The record says who stopped it where a board reads first, and when in the step's history (it read FAILED alone).
    report = build_report(tmp_path / "journal.jsonl")
    (soak,) = report.steps
    assert soak.outcome == "failed" and [(e.kind, e.by) for e in soak.history] == [("attempt", "alice"), ("stopped", "alice")]
    md, html = render(report, "md"), render(report, "html")
    for text in (md, html):
        assert "FAILED: stopped by alice" in text and f"stopped by alice at {stop['ts'][11:19]}" in text


def test_a_stop_during_a_rollback_ends_the_hung_undo_and_the_rollback_stands_stopped_there(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]
) -> None:
    """An undo that hangs (no timeout): k stops it; the rollback stands stopped at that step, as after a failed
    undo, with the earlier undo done and u offered to go on."""
    steps = """\
- id: one
  title: One
  run: echo one >> log
  undo: echo undo-one >> log
  checkpoint: true
  verify: none
- id: two
  title: Two
  run: echo two >> log
  undo: "echo undo-two >> log; sleep 60 & wait"
  verify: none
- id: three
  title: Three
  run: echo three >> log
  undo: echo undo-three >> log
  verify: none
- id: four
  title: Four
  run: echo four >> log
  verify: none
"""

    async def body(s: Session) -> None:
        c = s.controller
        await run_steps(c, 3)
        assert c.rollback(ALICE, "full", acknowledged=True).ok
        await until(lambda: "undo-two" in log(tmp_path), "the hung undo to start")
        assert "stop" in c.allowed_intents()
        assert c.stop_step(ALICE).message == "stopping the rollback at 'two': it stands stopped there; u tries again"
        await until(lambda: not c.busy, "the stopped rollback to end", timeout=10)
        assert c.state.rollback is not None and c.state.rollback.ok is False and c.state.rollback.failed_step == "two"
        assert c.state.rollback_stopped is not None and "rollback" in c.allowed_intents()

    session_for(steps, solo="night shift")(body)
    assert log(tmp_path) == ["one", "two", "three", "undo-three", "undo-two"], "undo-one never ran: the rollback stopped at two"
    (stop,) = types_of(journal_events, tmp_path, type="note", request="stop")
    assert stop["step"] == "two" and stop["text"].startswith("stopped the rollback while it undid 'two'")
    (undo,) = types_of(journal_events, tmp_path, type="undo_finished", step="two")
    assert undo["ok"] is False and undo["hosts"]["local"]["status"] == "stopped" and undo["hosts"]["local"]["error"] == "stopped by alice"
