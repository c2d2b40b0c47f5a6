"""`u` after a full rollback that stopped at a rollback section's step: it says what it will do, never an empty rollback.

Walked in tmux at 80x24: 'look', 'edit' ran; `u f y` (the whole change); the rollback section's 'tidy' failed:
`ROLLBACK STOPPED at 'tidy' — u roll back again`. `u` then opened "Roll back to the last checkpoint (the start): 0 undo
commands / nothing ran since the checkpoint", and `y` started it: "rollback (checkpoint) … rollback finished", the run
stood "Rolled back to the start; 'look' is next again", 'tidy' (the restore that failed) forgotten, the change free
to run forward again. `resume --rollback` is refused there already, naming `--rollback --full`. Now `u` opens the full
rollback (it runs 'tidy' again and the rollback steps after it), the checkpoint's list (`f`) says it has nothing to
undo and why, and the controller refuses that empty rollback in the same words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, of_kind, painted, prepare_workdir, run_step, screen_is, settled, started, stopped_full_rollback, until

from runbook_tui.engine.actors import Actor

RUNBOOK = """\
runbook: 1
id: stop-at-section
title: Stopped at a rollback step
sections:
  - id: pre
    title: Prechecks
    kind: precheck
    steps:
      - {id: look, title: Look around, run: echo fine, verify: none}
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edit >> marks, undo: echo undo-edit >> marks, verify: none}
      - {id: last, title: Last, run: echo last, verify: none}
  - id: rb
    title: Rollback
    kind: rollback
    steps:
      - {id: tidy, title: Restore, run: "echo tidy >> marks; test -e fixed", verify: none}
      - {id: after, title: After, run: echo after >> marks, verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_u_after_a_full_rollback_stopped_at_a_rollback_step_offers_the_full_one(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await run_step(pilot, "look")
        await run_step(pilot, "edit")
        await stopped_full_rollback(pilot, "tidy")
        await settled(pilot)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        said = _said(modal)
        assert "FULL rollback" in said and "tidy" in said and "after" in said, said
        await pilot.press("f")  # the checkpoint's list: nothing to undo, and says why
        await settled(pilot)
        said = _said(modal)
        assert "stopped at rollback step 'tidy'" in said and "the full rollback (f) runs 'tidy' again" in said, said
        assert "y start" not in said, f"y is refused here: not offered: {said}"
        started_before = len(of_kind(workdir / "j.jsonl", "rollback_started"))
        await pilot.press("y")
        await settled(pilot)
        assert len(of_kind(workdir / "j.jsonl", "rollback_started")) == started_before, "no rollback of nothing started"
        assert controller.state.rollback.failed_step == "tidy" and not controller.state.rollback.ok, "the stop still stands"
        refused = controller.rollback(Actor("alice", "assignee"), "checkpoint", acknowledged=True)
        assert not refused.ok and "stopped at rollback step 'tidy'" in refused.message, refused
        (workdir / "fixed").write_text("")
        assert type(app.screen).__name__ == "RollbackModal", "the list stays, saying why"
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "RunScreen", "the dialog gone")
        await pilot.press("u")
        await screen_is(pilot, "RollbackModal")
        await pilot.press("y")  # the full scope, shown first: tidy again, then after
        await until(pilot, lambda: controller.state.finished, "the full rollback to end the session")
    assert (workdir / "marks").read_text().splitlines() == ["edit", "undo-edit", "tidy", "tidy", "after"]
    assert controller.state.outcome == "rolled_back"


def _said(modal: object) -> str:
    """The dialog's title, list and words above its keys, on one line."""
    parts = (painted(modal.query_one(f"#dialog-{part}")) for part in ("title", "body", "keys"))  # type: ignore[attr-defined]
    return " ".join(" ".join(parts).split())
