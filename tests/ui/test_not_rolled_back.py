"""A rollback to a checkpoint passes over a step that has no undo: the step list, the step's details and the report
say so in the same words. Before: it showed `✓ done` in the list and the pane, and `done` in the report, like the
steps before the checkpoint that the rollback left standing on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, run_step, screen_is, settled, started, until, write_runbook

from runbook_tui.engine.event_words import NOT_ROLLED_BACK
from runbook_tui.report import build_report
from runbook_tui.report.text import step_outcome
from runbook_tui.ui.step_list import StepList
from runbook_tui.ui.widgets import StepDetail

RUNBOOK = """\
runbook: 1
id: kept
title: A step without undo past the checkpoint
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - {id: a, title: Step a, run: echo a, undo: echo unda}
      - {id: cp, title: Checkpoint, run: echo cp, undo: echo uncp, checkpoint: true}
      - {id: b, title: Bee, run: echo b}
      - {id: c, title: Sea, run: "false", undo: echo unc}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_step_the_rollback_could_not_reverse_is_marked_in_the_list_the_details_and_the_report(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, RUNBOOK, "kept.yaml")
    app = make_app("kept.yaml")
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        for step in ("a", "cp", "b"):
            await run_step(pilot, step)
        await run_step(pilot, "c", "failed")
        await settled(pilot)
        assert not controller.state.steps["b"].not_rolled_back, "before any rollback, b simply stands done"
        await pilot.press("u")
        await screen_is(pilot, "RollbackModal")
        await pilot.press("y")  # starts it and acknowledges b, which has no undo
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished and not controller.busy, "the rollback")
        await screen_is(pilot, "RunScreen")
        await settled(pilot)
        state = controller.state
        assert state.steps["b"].status == "done" and state.steps["b"].not_rolled_back, state.steps["b"]
        assert not state.steps["a"].not_rolled_back and not state.steps["cp"].not_rolled_back  # before the checkpoint: kept on purpose
        if not app.screen.query_one(StepList).display:
            await pilot.press("l")
        steps = app.screen.query_one(StepList)
        await until(pilot, lambda: steps.display and steps.row_count == 4, "the step list")
        rows = [steps.row_text(row).plain for row in range(4)]
        assert rows[2].startswith("✓!") and rows[1].startswith("✓ ") and rows[3].startswith("↶"), rows
        if size[0] >= 140:  # room for the words beside the title (at 80 the mark stays and the pane says them)
            assert rows[2].rstrip().endswith(f"Bee · {NOT_ROLLED_BACK}"), rows
        steps.focus()
        await pilot.press("up")  # the cursor on b: the pane shows its details
        detail = app.screen.query_one(StepDetail)
        await until(pilot, lambda: "Bee" in painted(detail), "b's details")
        assert f"✓! {NOT_ROLLED_BACK}" in " ".join(painted(detail).split()), painted(detail)
    report = build_report(workdir / "j.jsonl")
    outcomes = {step.id: step_outcome(step) for step in report.steps}
    assert outcomes == {"a": "done", "cp": "done", "b": NOT_ROLLED_BACK, "c": "FAILED, then undone"}, outcomes
    assert NOT_ROLLED_BACK == "ran; no undo, not rolled back"
