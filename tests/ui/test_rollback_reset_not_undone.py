"""A step a rollback goes back past with nothing to undo (a precheck's look, a wait) is reset: it runs again. Nothing
was undone, and no screen nor the report says it was.

Walked in tmux at 140x45: prechecks 'look' (no undo), 'edit' (undo), 'boom' fails, `u y` back to the start. The step
list and the detail pane drew 'look' `↶ undone`, its detail read `✓ confirmed by bob …, then undone by the rollback`,
and the report said `done, then undone` and counted it among `3 undone`: the look was undone by nothing, it runs again.
Now each says `reset`, from the same state (one `apply()`) on the run screen, in replay's fold and in the report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from run_screen_helpers import events, make_app, painted, prepare_workdir, run_step, screen_is, settled, started, until

from runbook_tui.app.resume_words import back_at_checkpoint
from runbook_tui.engine.actors import Actor
from runbook_tui.engine.state import replay
from runbook_tui.report import build_report, render
from runbook_tui.ui.step_list import StepList
from runbook_tui.ui.widgets import StepDetail

RUNBOOK = """\
runbook: 1
id: reset
title: Reset, not undone
ticket: {id: CHG-7, subject: reset words, assignee: alice, verifier: bob}
sections:
  - id: pre
    title: Prechecks
    kind: precheck
    steps:
      - {id: look, title: Look around, run: echo fine}
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edit, undo: echo undo-edit}
      - {id: boom, title: Boom, run: "false", undo: echo undo-boom}
"""

BOB = Actor("bob", "verifier")


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_a_look_the_rollback_went_back_past_reads_reset_everywhere(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app(solo=None, verifier_in_process=True)
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        for step in ("look", "edit"):
            await run_step(pilot, step, "awaiting_verification")
            assert controller.confirm(BOB).ok
            await until(pilot, lambda s=step: controller.state.steps[s].status == "done", f"bob's word on {step}")
        await run_step(pilot, "boom", "failed")
        await pilot.press("u")
        await screen_is(pilot, "RollbackModal")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the rollback to end")
        await settled(pilot)
        rows = app.screen.query_one(StepList)
        look_row, edit_row = (str(rows.row_text(n)) for n in (0, 1))
        assert look_row.startswith("↺") and edit_row.startswith("↶"), (look_row, edit_row)
        detail = " ".join(painted(app.screen.query_one(StepDetail)).split())
        assert "reset: runs again" in detail and "undone" not in detail, detail
        assert "confirmed by bob" in detail and "then reset by the rollback" in detail, detail
    night = events(workdir / "j.jsonl")
    folded = replay(night)  # replay and the verifier's replica fold the same events
    assert folded.steps["look"].reset and not folded.steps["edit"].reset
    said = back_at_checkpoint(folded)  # `resume` of this journal: what --continue runs again
    assert "(undone: edit, boom; reset (nothing to undo): look)" in said[-1], said
    report = build_report(workdir / "j.jsonl")
    md = render(report, "md")
    rows_md = {line.split("|")[2].strip(): line for line in md.splitlines() if line.startswith("| 1 |") or line.startswith("| 2 |")}
    assert "done, then reset (nothing to undo)" in rows_md["look: Look around"], rows_md
    assert "done, then undone" in rows_md["edit: Edit"], rows_md
    assert "2 undone (1 done, 1 FAILED before the rollback), 1 reset (nothing to undo)" in md, md
    data = json.loads(render(report, "json"))
    look = next(step for step in data["steps"] if step["id"] == "look")
    assert (look["outcome"], look["result"], look["counted"]) == ("reset", "done", "reset"), look
    assert data["counts"].get("undone") == 2 and data["counts"].get("reset") == 1, data["counts"]
    assert "reset" in render(report, "html")


def test_the_report_tells_in_the_steps_history_that_the_rollback_reset_it(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each step's history in the report says what the rollback did to it: 'edit' read `rollback 1 … undoes this step`,
    'look' nothing at all, though its outcome column said the rollback had reset it."""
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    (workdir / "r.yaml").write_text(RUNBOOK.replace("run: echo fine}", "run: echo fine, verify: none}"), encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "test", "--on-failure", "rollback", "--journal", "j.jsonl"],
        cwd=workdir, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 1, ran.stdout + ran.stderr
    data = json.loads(render(build_report(workdir / "j.jsonl"), "json"))
    look = next(step for step in data["steps"] if step["id"] == "look")
    said = [entry["words"] for entry in look["history"] if entry["kind"] == "rollback"]
    assert said == ["rollback 1 to the last checkpoint (back to the start) went back past this step: nothing to undo, it is reset to run again"], look[
        "history"
    ]
    md = render(build_report(workdir / "j.jsonl"), "md")
    assert "- rollback 1 to the last checkpoint (back to the start) went back past this step: nothing to undo, it is reset to run again; started by" in md, md
