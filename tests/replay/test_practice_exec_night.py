"""Practice of a night that `exec --on-failure rollback` drove: the program's own moves are not timed as a person's.

Before: every step `exec` started, the rollback its `--on-failure rollback` chose and the end it journaled were the
night's decisions "taken" in 0 s (each was journaled the moment the situation arose): the results read `time to
decide over the 6 decisions you both made: you 41s, the night 0s`, a trainee measured against a policy set before the
run. Now those events carry `driver: exec` (engine/autopilot.py), the history fold keeps it on each move, and the
results still set the night's choice beside the trainee's (the score), but time neither: `— (exec)` in the table.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from textwrap import dedent

import pytest

from runbook_tui import cli
from runbook_tui.app import practice
from runbook_tui.engine.history import History
from runbook_tui.engine.journal import read_events
from runbook_tui.report import practice_md
from tests.engine.test_event_shapes import rechained

RUNBOOK = """
runbook: 1
id: exec-night
title: Exec night
sections:
  - id: pre
    kind: precheck
    steps:
      - {id: check, run: "echo ready", verify: none}
  - id: backup
    kind: backup
    steps:
      - {id: save, run: "echo saved", undo: "echo unsave", checkpoint: true}
  - id: impl
    kind: implement
    steps:
      - {id: change, run: "echo changing", undo: "echo unchange"}
      - {id: boom, run: "echo it broke >&2; exit 3", undo: "echo unboom"}
"""


def test_the_moves_exec_took_by_its_policy_are_scored_but_not_timed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "night.yaml").write_text(dedent(RUNBOOK), encoding="utf-8")
    night = tmp_path / "night.jsonl"
    assert cli.main(["exec", "night.yaml", "--solo", "the night", "--on-failure", "rollback", "--journal", str(night)]) == 1

    run = practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl"))

    async def the_trainee() -> None:
        controller, actor = run.session.controller, run.session.actor
        for _ in range(4):
            assert controller.run_current(actor).ok
            await controller.wait_idle()
        assert controller.rollback(actor, "checkpoint", reason="boom failed").ok
        await controller.wait_idle()
        run.leave()
        await run.session.close()

    asyncio.run(the_trainee())
    results = run.results()
    assert [(p.night.kind if p.night else None, p.same) for p in results.points] == [
        ("run", True), ("run", True), ("run", True), ("run", True), ("roll back", True), ("finish", True),
    ]  # fmt: skip
    assert results.score == (6, 6)
    assert results.timed == 0 and results.night_seconds == 0, (results.timed, results.night_seconds)
    assert "the night 0s" not in practice_md.score_line(results), practice_md.score_line(results)
    assert [m.driver for m in History.of(read_events(night).events).moves] == ["exec"] * 6
    said = practice_md.render(results, "night.jsonl", "alice")
    rows = [line for line in said.splitlines() if line.startswith("| ") and ("roll back" in line or "finish" in line)]
    assert rows and all("— (exec) /" in line for line in rows), rows


def test_a_full_rollback_decided_after_exec_ended_the_night_stands_beside_the_trainees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """exec rolled the night back to `save` and ended it (its policy); 20 minutes later carol undid the rest with
    `resume --rollback --full`. The trainee, rolled back to `save`, went straight on to the full rollback. Before: their
    full rollback stood beside exec's end (`different`) and carol's read `did not get here`, timed `0s` (from her
    resume's reopening): 5 of 7 for a trainee who did what the night did in the end, and a decision 20 minutes in the
    making read as instant."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "night.yaml").write_text(dedent(RUNBOOK), encoding="utf-8")
    night = tmp_path / "night.jsonl"
    assert cli.main(["exec", "night.yaml", "--solo", "the night", "--on-failure", "rollback", "--journal", str(night)]) == 1
    monkeypatch.setenv("RUNBOOK_TUI_USER", "carol")
    assert cli.main(["resume", str(night), "--headless", "--rollback", "--full"]) == 1
    events = read_events(night).events
    reopened = next(n for n, e in enumerate(events) if e["type"] in ("session_reopened", "session_resumed"))
    later = [{**e, "ts": _twenty_minutes_on(e["ts"])} for e in events[reopened:]]
    rechained([*events[:reopened], *later], night)

    monkeypatch.setenv("RUNBOOK_TUI_USER", "tina")
    run = practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl"))

    async def the_trainee() -> None:
        controller, actor = run.session.controller, run.session.actor
        for _ in range(4):
            assert controller.run_current(actor).ok
            await controller.wait_idle()
        assert controller.rollback(actor, "checkpoint", reason="boom failed").ok
        await controller.wait_idle()
        assert controller.rollback(actor, "full", acknowledged=True, reason="undo the rest").ok
        await controller.wait_idle()
        await run.session.close()

    asyncio.run(the_trainee())
    results = run.results()
    rows = [(p.night.kind if p.night else None, p.trainee.kind if p.trainee else None, p.passed) for p in results.points]
    assert rows[4:] == [("roll back", "roll back", False), ("finish", None, True), ("roll back", "roll back", False)], rows
    assert results.score == (6, 6), results.score
    carols = results.points[-1].night
    assert carols is not None and 1199 <= carols.seconds <= 1201, carols.seconds  # from exec's end, not from her resume


def _twenty_minutes_on(ts: str) -> str:
    import datetime as dt

    moment = dt.datetime.fromisoformat(ts.replace("Z", "+00:00")) + dt.timedelta(minutes=20)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
