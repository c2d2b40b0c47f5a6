"""`u` after a rollback of the whole change stopped at a failed undo goes on with that rollback, as the row says.

Walked at 80x24: checkpoint 'backup', 'edit' (its undo fails until a fix), `u f y`: "ROLLBACK STOPPED at 'edit': fix
it by hand — u roll back again". `u` then opened the rollback to the checkpoint (edit's undo only, "When it finishes,
the run stays open: 'edit' is next again"): `y` there would have left the change standing at the checkpoint, its
abort (backup's undo, the rollback section) forgotten. `resume` says `--rollback --full goes on with it`. Now `u`
shows the full rollback again first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, marks, painted, prepare_workdir, run_step, screen_is, settled, started, stopped_full_rollback, until

RUNBOOK = """\
runbook: 1
id: stopped-full
title: Full rollback stops at an undo
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: backup, title: Back up, run: echo backup >> marks, undo: echo undo-backup >> marks, checkpoint: true, verify: none}
      - {id: edit, title: Edit, run: echo edit >> marks, undo: "test -e fixed && echo undo-edit >> marks", verify: none}
      - {id: last, title: Last, run: echo last >> marks, verify: none}
  - id: rb
    title: Rollback
    kind: rollback
    steps:
      - {id: restore, title: Restore, run: echo restore >> marks, verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_u_goes_on_with_the_full_rollback_that_stopped(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await run_step(pilot, "backup")
        await run_step(pilot, "edit")
        await stopped_full_rollback(pilot, "edit")
        (workdir / "fixed").write_text("")
        await settled(pilot)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        title = painted(modal.query_one("#dialog-title"))
        assert title.startswith("FULL rollback"), title
        await pilot.press("y")
        await until(pilot, lambda: controller.state.finished, "the full rollback to end the session")
    assert controller.state.outcome == "rolled_back"
    assert marks(workdir) == ["backup", "edit", "undo-edit", "undo-backup", "restore"]
