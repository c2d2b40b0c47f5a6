"""`u` where a rollback to the checkpoint has nothing to do says so, and `y` starts no empty rollback.

Walked at 80x24: `u` before any step ran opened "Roll back to the last checkpoint (the start): 0 undo commands /
nothing to undo since the checkpoint / y start this rollback", and `y` journaled "rollback (checkpoint) started by
alice … rollback finished": a rollback of nothing, which the report then lists as `Rollback 1 … completed`. Now the
list says there is nothing to roll back and offers `f` (the full rollback) and cancel, not `y`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, of_kind, painted, prepare_workdir, run_step, screen_is, settled, started

RUNBOOK = """\
runbook: 1
id: nothing-to-undo
title: Nothing to undo
sections:
  - id: pre
    title: Prechecks
    kind: precheck
    steps:
      - {id: look, title: Look around, run: "false", verify: none}
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edit, undo: echo undo-edit, verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_u_with_nothing_to_roll_back_says_so_and_y_starts_nothing(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        await run_step(pilot, "look", "failed")  # a look that failed: nothing to undo, and it is where the run stands
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        said = " ".join(painted(modal.query_one("#dialog-keys")).split())
        assert "Nothing to roll back: no step since the last checkpoint (the start) has an undo to run or runs again." in said, said
        assert "y start" not in said and "f full rollback" in said, said
        await pilot.press("y")
        await settled(pilot)
        assert type(app.screen).__name__ == "RollbackModal", "the list stays, saying why"
        assert "Nothing to roll back" in painted(modal.query_one("#dialog-keys"))
        await pilot.press("f")  # the full rollback is still there to choose
        await settled(pilot)
        assert "y start this rollback" in painted(modal.query_one("#dialog-keys"))
        await pilot.press("escape")
    assert not of_kind(workdir / "j.jsonl", "rollback_started"), "no rollback of nothing journaled"


ONLY_A_WAIT = """\
runbook: 1
id: only-a-wait
title: Only a wait since the checkpoint
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: backup, title: Back up, run: echo backup, undo: echo undo-backup, checkpoint: true, verify: none}
      - {id: soak, title: Soak, wait: 0.1s, verify: none}
      - {id: last, title: Last, run: echo last, verify: none}
"""


@pytest.mark.asyncio
async def test_a_rollback_that_only_sends_a_wait_back_says_so_before_y(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a wait ran since the checkpoint: the list read `0 undo commands / nothing to undo since the checkpoint / y
    start this rollback`, and nothing said that `y` sends the run back to wait again (the words were kept for lists
    with entries)."""
    prepare_workdir(workdir, monkeypatch, ONLY_A_WAIT)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await settled(pilot)
        await run_step(pilot, "backup")
        await run_step(pilot, "soak")
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        said = " ".join(painted(modal.query_one("#dialog-keys")).split())
        assert "When it finishes, the run stays open: 'soak' (the wait: nothing to undo) is next again." in said, said
        assert "y start this rollback" in said, said
