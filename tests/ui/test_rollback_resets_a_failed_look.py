"""A look that failed, which a rollback to the checkpoint went back past with nothing to undo, is reset: it runs again.

Walked in tmux: 'backup' (the checkpoint), 'edit' (with an undo), then the verify section's 'check' failed; `u y` back
to the checkpoint undid 'edit'. 'check' still read `✗ FAILED` in the step list, and again once the re-done 'edit'
brought the run back to it, as if the change had failed it again. Now the state (one `apply()`) stands it reset, as a
done look the rollback went back past: `↺ reset: runs again` on the screen, at 80x24 and 140x45, in replay's fold and
in the report, whose history of the step keeps its failed attempt.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_screen_helpers import events, make_app, painted, prepare_workdir, run_step, screen_is, settled, started, until

from runbook_tui.engine.state import replay
from runbook_tui.report import build_report, render
from runbook_tui.ui.step_list import StepList
from runbook_tui.ui.widgets import StepDetail

RUNBOOK = """\
runbook: 1
id: reset-failed
title: A failed look, reset
sections:
  - id: back
    title: Backup
    kind: backup
    steps:
      - {id: backup, title: Backup, run: echo backup, checkpoint: true, verify: none}
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edit, undo: echo undo-edit, verify: none}
  - id: ver
    title: Verify
    kind: verify
    steps:
      - {id: check, title: Check health, run: "test -e healthy", verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_a_failed_look_the_rollback_went_back_past_is_reset(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await run_step(pilot, "backup")
        await run_step(pilot, "edit")
        await run_step(pilot, "check", "failed")
        await pilot.press("u")
        await screen_is(pilot, "RollbackModal")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the rollback to end")
        state = controller.state
        assert state.steps["check"].reset and state.steps["check"].status == "undone", state.steps["check"]
        (workdir / "healthy").touch()
        await run_step(pilot, "edit")
        await settled(pilot)
        assert controller.state.current == "check"
        check_row = str(app.screen.query_one(StepList).row_text(2))
        assert check_row.startswith("↺") and "FAILED" not in check_row, check_row
        detail = " ".join(painted(app.screen.query_one(StepDetail)).split())
        assert "reset: runs again" in detail and "FAILED" not in detail, detail
        await run_step(pilot, "check")
    night = events(workdir / "j.jsonl")
    back = next(i for i, e in enumerate(night) if e["type"] == "rollback_finished") + 1
    assert replay(night[:back]).steps["check"].reset, "replay's fold: reset, as the run screen"
    cut = workdir / "cut.jsonl"  # the journal as it stood once the rollback ended
    cut.write_text("".join((workdir / "j.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[:back]), encoding="utf-8")
    row = next(line for line in render(build_report(cut), "md").splitlines() if "check: Check health" in line)
    assert "| FAILED, then reset (nothing to undo) |" in row, row  # the failure stays said, and that it runs again
    data = json.loads(render(build_report(workdir / "j.jsonl"), "json"))
    check = next(step for step in data["steps"] if step["id"] == "check")
    assert check["outcome"] == "done" and [a["status"] for a in check["attempts"]] == ["failed", "done"], check  # the failed attempt stays
    said = [entry["words"] for entry in check["history"] if entry["kind"] == "rollback"]
    assert "rollback 1 to the last checkpoint (back to backup) went back past this step: nothing to undo, it is reset to run again" in said, said
