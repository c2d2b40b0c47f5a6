"""A step a rollback undid and that is next again shows the command and the undo it will run, from one rendering.

Walked in tmux at 80x24 and 140x45 (assignee and verifier): 'stamp' runs `echo backup-{{ now… }}` with the undo
`echo rm backup-{{ now… }}`; after the rollback to the checkpoint before it, 'stamp' is next again and its `now` is
read anew (step_ready). Both panes read `run:  echo backup-173229` (the attempt that ran, undone) above `undo: echo rm
backup-173250` (the next run's undo): two times, one of a command that will not run again. Now the pane, the copy key
and the step-whole dialogs show the step as it will run next: the last rendering journaled for it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from run_screen_helpers import events, make_app, painted, prepare_workdir, run_step, screen_is, settled, started, until

from runbook_tui.ui.widgets import StepDetail, step_as_shown

RUNBOOK = """\
runbook: 1
id: ready-again
title: Ready again
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: snap, title: Snapshot, run: echo snap, undo: echo unsnap, checkpoint: true}
      - {id: stamp, title: Stamp, run: "echo backup-{{ now.strftime('%H%M%S%f') }}", undo: "echo rm backup-{{ now.strftime('%H%M%S%f') }}"}
      - {id: boom, title: Boom, run: "false", undo: echo undo-boom}
"""


@pytest.mark.asyncio
async def test_a_step_next_again_after_a_rollback_shows_the_run_and_undo_it_will_run(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        for step in ("snap", "stamp"):
            await run_step(pilot, step)
        await run_step(pilot, "boom", "failed")
        await pilot.press("u")
        await screen_is(pilot, "RollbackModal")
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the rollback to end")
        await until(pilot, lambda: controller.state.current == "stamp", "'stamp' to be next again")
        ready = [e for e in events(workdir / "j.jsonl") if e["type"] == "step_ready" and e["step"] == "stamp"]
        assert len(ready) == 2 and ready[0]["now"] != ready[1]["now"], ready  # read anew when it became ready again
        shown = step_as_shown(controller.state, "stamp")
        assert (shown["run"], shown["undo"]) == (ready[1]["commands"], ready[1]["undo"]), shown
        await settled(pilot)
        detail = painted(app.screen.query_one(StepDetail))
        times = re.findall(r"backup-(\d+)", detail)
        assert len(times) == 2 and len(set(times)) == 1, f"the pane shows two times for one step: {detail}"
