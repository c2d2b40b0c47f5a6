"""A step on one host that failed with an error: the detail pane says the error once. Before, the problem line
(`✗ local: cannot render the command …`) was followed by a host row saying the same words again (`local ✗ FAILED
cannot render the command …`): four rows of an 80x24 screen for one long error, taken from the output pane."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, run_step, settled, started

from runbook_tui.ui.widgets import StepDetail

RUNBOOK = """\
runbook: 1
id: one-host
title: One host
sections:
  - id: impl
    kind: implement
    steps:
      - {id: first, title: First, run: 'echo 5', undo: 'true', capture: n}
      - {id: second, title: Second, run: 'echo {{ captured.n.bogus }}', undo: 'true'}
"""
ERROR = "cannot render the command (runbook.yaml:9:42): cannot render template: 'str object' has no attribute 'bogus'"


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_one_hosts_error_is_said_once_in_the_detail_pane(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await run_step(pilot, "first")
        await run_step(pilot, "second", "failed")
        assert controller.state.steps["second"].hosts["local"].error == ERROR
        await settled(pilot)
        pane = " ".join(painted(app.screen.query_one(StepDetail)).split())
        assert f"✗ local: {ERROR}" in pane, pane
        assert "local ✗ FAILED" not in pane and pane.count(ERROR) == 1, pane
        await pilot.press("q")
