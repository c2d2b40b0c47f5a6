"""After a rollback stopped at an undo, the step pane stands on that step: its undo, where it failed, what to fix.

Walked at 80x24 (`kill -9` during 'bump''s undo, then `resume`): the status row said `ROLLBACK DID NOT FINISH: the
program stopped during 'bump' (its outcome unknown) — u roll back again`, and the pane below showed 'drop ↶ undone',
the step after it, whose undo had run fine. So after an undo that failed: `ROLLBACK STOPPED at 'edit': fix it by hand`
over the pane of 'last'. While a rollback runs the pane stands on the step whose undo runs (ui/pane_step.py); once it
stopped, on the step it stopped at, until `u` goes on with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import events, make_app, painted, prepare_workdir, read_to_end, run_step, screen_is, settled, started, until

from runbook_tui.ui.widgets import DetailScroll, StepDetail

RUNBOOK = """\
runbook: 1
id: stopped-at
title: A rollback stops at an undo
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: backup, title: Back up, run: 'true', undo: 'true', checkpoint: true, verify: none}
      - {id: edit, title: Edit the config, run: 'true', undo: 'echo cannot restore >&2; exit 4', verify: none}
      - {id: last, title: Reload, run: 'true', undo: 'true', verify: none}
      - {id: fails, title: Check, run: 'exit 3', verify: none}
"""


async def _rolled_back_until_edit_stops_it(pilot: Any) -> Any:
    """Run backup, edit and last, fail 'fails', then `u`, read the list, `y`: the rollback stops at edit's undo."""
    controller = await started(pilot)
    for step in ("backup", "edit", "last"):
        await run_step(pilot, step)
    await run_step(pilot, "fails", "failed")
    await settled(pilot)
    await pilot.press("u")
    await screen_is(pilot, "RollbackModal")
    await read_to_end(pilot)
    await pilot.press("y")
    await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished and not controller.busy, "the rollback to stop")
    return controller


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_pane_stands_on_the_step_whose_undo_stopped_the_rollback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await _rolled_back_until_edit_stops_it(pilot)
        assert controller.state.rollback.failed_step == "edit"
        await settled(pilot)
        status = " ".join(painted(app.screen.query_one("#status")).split())
        assert "ROLLBACK STOPPED at 'edit'" in status, status
        pane = app.screen.query_one(DetailScroll)
        title = " ".join(str(pane.border_title).split())
        assert title.endswith("· edit") and "only looking" not in title, title
        body = " ".join(painted(app.screen.query_one(StepDetail)).split())
        assert "Edit the config" in body and "exit 4" in body, body


@pytest.mark.asyncio
async def test_quitting_there_says_the_run_stands_at_the_stopped_rollback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """q then read `The run stands at 'last'`, and the journal's note (what the report's Outcome quotes) `run was stopped
    by alice's quit (q) at 'last' (nothing was running)`: the step after the undo that failed."""
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _rolled_back_until_edit_stops_it(pilot)
        await settled(pilot)
        await pilot.press("q")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        body = " ".join(painted(prompt.query_one("#dialog-body")).split())
        assert "The run stands at the rollback stopped at 'edit' (u goes on with it)" in body, body
        await pilot.press("y")
        await until(pilot, lambda: any(e["type"] == "note" and e.get("request") == "exit" for e in events("j.jsonl")), "the quit's note")
    [note] = [e for e in events(tmp_path / "j.jsonl") if e["type"] == "note" and e.get("request") == "exit"]
    assert note["text"] == "run was stopped by alice's quit (q) with the rollback stopped at 'edit' (nothing was running); the journal is kept", note
    assert note["step"] == "edit"
