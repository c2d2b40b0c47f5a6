"""`y` on the undo list starts the list it showed, or nothing: the controller decides, not only the dialog. The dialog
checks the list as y is pressed, then closes; its answer reaches the controller a turn later. Before, a list changed in
between (here: the failed step skipped, its undo now `then skipped`) started as planned anew, a list never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, prepare_workdir, read_to_end, run_step, screen_is, started, until

RUNBOOK = """\
runbook: 1
id: listed
title: Listed
sections:
  - id: impl
    kind: implement
    steps:
      - {id: first, title: First, run: 'true', undo: 'true'}
      - {id: change, title: Change, run: 'exit 3', undo: 'true'}
      - {id: last, title: Last, run: 'true', undo: 'true'}
"""


@pytest.mark.asyncio
async def test_y_on_the_undo_list_starts_no_list_changed_after_it_was_pressed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        await run_step(pilot, "first")
        await run_step(pilot, "change", "failed")
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        await read_to_end(pilot)
        screen = next(s for s in app.screen_stack if type(s).__name__ == "RunScreen")
        before = controller.plan_rollback("checkpoint")
        modal.action_start()  # y: the list read is the list now; the dialog closes, its answer on its way
        assert controller.skip(screen.actor, "left as it is").ok  # in between: the list changes
        assert controller.plan_rollback("checkpoint") != before
        await until(pilot, lambda: any("THE LIST CHANGED" in str(n.message) for n in app._notifications), "the screen to say the list changed")
        assert controller.state.rollback is None, "a list never shown was started"
