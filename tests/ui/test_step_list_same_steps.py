"""The step list looks at each step's status and title only when the state's steps changed: a pause (the steps as
they were) looked at all of them at each press (~0.1-0.3 ms of the key's repaint on an 80-step runbook); a step's
end still redraws its row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, run_step, settled, started, until

from runbook_tui.ui.step_list import StepList


@pytest.mark.asyncio
async def test_a_pause_looks_at_no_step_and_a_step_s_end_redraws_its_row(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    looked: list[str] = []
    looks = StepList._looks

    def counted(state: Any, sid: str) -> tuple[str, str]:
        looked.append(sid)
        return looks(state, sid)

    monkeypatch.setattr(StepList, "_looks", staticmethod(counted))
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        steps = app.screen.query_one(StepList)
        looked.clear()
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused, "the pause")
        await settled(pilot)
        assert looked == [], "the pause looked at every step again"
        await pilot.press("p")
        await until(pilot, lambda: not controller.state.paused, "the resume")
        before = steps.row_text(0).plain
        await run_step(pilot, "check")
        await settled(pilot)
        assert "check" in looked
        assert steps.row_text(0).plain != before, "the step's row still reads as before it ran"
