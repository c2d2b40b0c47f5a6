"""While a rollback runs, the step list and the detail pane stand on the step whose undo runs.

Walked in tmux at 140x45: s1, s2, s3 done, s4 failed, `u y`. While s3's undo ran (the status row: `Rolling back
(checkpoint): s3…`) the pane read `step 5/5 · s4 … ↶ undone` and the list's highlight stood on s4: the step after
the one being undone (the run's `current`, the last step undone). A person at 2 AM read the wrong step's undo there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, run_step, screen_is, settled, started, until

from runbook_tui.ui.step_list import StepList
from runbook_tui.ui.widgets import DetailScroll, StepDetail

#: s2's undo waits until the test lets it go (the file `go`): the rollback stands in it meanwhile.
RUNBOOK = """\
runbook: 1
id: pane-follows
title: The pane follows the rollback
ticket: {id: CHG-9, subject: pane}
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: s1, title: First change, run: echo one, undo: echo undo-one}
      - {id: s2, title: Second change, run: echo two, undo: "while [ ! -e go ]; do sleep 0.05; done; echo undo-two"}
      - {id: s3, title: Third change, run: echo three, undo: echo undo-three}
      - {id: s4, title: Breaking change, run: "false", undo: echo undo-four}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_pane_shows_the_step_whose_undo_runs(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        for step in ("s1", "s2", "s3"):
            await run_step(pilot, step)
        await run_step(pilot, "s4", "failed")
        await pilot.press("u")
        await screen_is(pilot, "RollbackModal")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.running_step == "s2", "s2's undo to run")
        await settled(pilot)
        detail = app.screen.query_one(StepDetail)
        scroll = app.screen.query_one(DetailScroll)
        await until(pilot, lambda: "Second change" in painted(detail), f"the pane on s2 (it reads: {painted(detail)!r})")
        words = " ".join(painted(detail).split())
        assert "undo: while [ ! -e go ]" in words and "Breaking change" not in words and "Third change" not in words, words
        title = str(scroll.border_title)
        assert "s2" in title and "only looking" not in title and "its undo runs" in title, title
        assert app.screen.query_one(StepList).cursor_row == 1, "the list's highlight on s2"
        (workdir / "go").touch()
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the rollback to end")
        await settled(pilot)
        assert "First change" in painted(app.screen.query_one(StepDetail)), "back on the step the run stands at"
