"""A step's `timeout` bounds its undo too: the detail pane, the plan and the undo list say so, and an undo it stopped
says why.

The spec (runbook-format.md) lists `timeout` among a step's keys and says nothing of the undo; the program has always
run the undo with the step's timeout (as with its env, cwd and sudo). Walked: `edit` with `timeout: 1s` and an undo
that takes longer; 'boom' failed, `u y`: the undo was stopped after 1 s, and every screen said `undo edit: local:
failed`, the report `failed (—)`: nothing had said the timeout applied to the undo, nor that it was what stopped it.
Now the step's facts read `timeout 1s (undo too)`, the undo list names the limit on the entry, and the undo's end
says `timed out after 1s, the step's timeout`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from run_screen_helpers import make_app, of_kind, painted, prepare_workdir, run_step, screen_is, settled, started, until

from runbook_tui.ui.widgets import StepDetail

RUNBOOK = """\
runbook: 1
id: undo-timeout
title: Undo within the step's timeout
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edit, undo: sleep 30, timeout: 1s, verify: none}
      - {id: boom, title: Boom, run: "false", undo: echo undo-boom, verify: none}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_steps_timeout_is_said_to_bound_its_undo(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        detail = " ".join(painted(app.screen.query_one(StepDetail)).split())
        assert "timeout 1s (undo too)" in detail, detail
        await run_step(pilot, "edit")
        await run_step(pilot, "boom", "failed")
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        listed = " ".join(painted(modal.query_one("#dialog-body")).split())
        assert "edit on local, within 1s (the step's timeout)" in listed, listed
        assert "boom (step failed) on local" in listed and "boom (step failed) on local, within" not in listed, "boom has no timeout"
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the rollback to stop", 60)
    [ended] = [e for e in of_kind(workdir / "j.jsonl", "undo_finished") if e["step"] == "edit"]
    assert ended["hosts"]["local"]["error"] == "timed out after 1s, the step's timeout", ended


def test_plan_says_the_timeout_bounds_the_undo(workdir: Path) -> None:
    (workdir / "r.yaml").write_text(RUNBOOK, encoding="utf-8")
    shown = subprocess.run([sys.executable, "-m", "runbook_tui", "plan", "r.yaml"], cwd=workdir, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "timeout 1s (undo too)" in shown.stdout, shown.stdout
    as_md = subprocess.run([sys.executable, "-m", "runbook_tui", "plan", "r.yaml", "--format", "md"], cwd=workdir, capture_output=True, text=True, timeout=60)
    assert "timeout 1s (undo too)" in as_md.stdout, as_md.stdout
