"""The undo list `u` opens follows the run while it is open: `y` starts only the list the assignee read.

Seen in a shared walk: alice opened the list on 'two' (`two (step ran, not confirmed yet)`), bob confirmed 'two'
meanwhile, and the list still said it was not confirmed; what `y` then journaled was the plan of that moment, not the
one on the screen. Now the list is shown again when the run moves, saying it changed, above the keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, of_kind, painted, screen_is, settled, started, until, write_runbook

from runbook_tui.engine.controller import Actor

RUNBOOK = """\
runbook: 1
id: follows
title: The undo list follows the run
ticket: {id: CHG-7, subject: follows, assignee: alice, verifier: bob}
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - {id: one, title: One, run: echo one, undo: echo undo-one, verify: none, checkpoint: true}
      - {id: two, title: Two, run: echo two, undo: echo undo-two, verify: after}
      - {id: three, title: Three, run: echo three, verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_undo_list_is_shown_again_when_the_verifier_confirms_meanwhile(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, RUNBOOK, "follows.yaml")
    app = make_app("follows.yaml", solo=None, verifier_in_process=True)
    bob = Actor("bob", "verifier")
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        for step in ("one", "two"):
            await settled(pilot)
            await pilot.press("enter")
            await until(pilot, lambda step=step: controller.state.steps[step].status in ("done", "awaiting_verification"), f"{step} to run")
        await settled(pilot)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        assert "two (step ran, not confirmed yet) on local" in painted(modal.query_one("#dialog-body"))
        assert controller.confirm(bob).ok
        await until(pilot, lambda: "two on local" in painted(modal.query_one("#dialog-body")), "the list to be shown again")
        keys = painted(modal.query_one("#dialog-keys"))
        assert "THE LIST CHANGED while it was open" in " ".join(keys.split()), keys
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the rollback")
    [started_event] = of_kind(workdir / "j.jsonl", "rollback_started")
    assert [(e["step_id"], e["note"]) for e in started_event["plan"]["entries"]] == [("two", "")], "the journal keeps the list shown"
