"""The step pane and the step list at 80x24, in the words the status rows use: a paused run with every step done is
not `finished`; a go-ahead refused is not marked as a rejected or failed run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from run_screen_helpers import FakeClient, painted, screen_is, settled, shared_session_events

from runbook_tui.engine.state_model import with_step
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import StepDetail


@pytest.mark.asyncio
async def test_a_paused_run_with_every_step_done_is_not_called_finished(workdir: Path) -> None:
    """Every step done, the run paused (it ends when resumed): the pane's title said `finished`. The pane must say
    `every step done` and that the run is paused (once the run has ended it says `finished`: test_hostile_screens)."""
    client = FakeClient(shared_session_events(workdir))
    state = client.state
    for step_id in state.order:
        state = with_step(state, step_id, status="done", attempts=1)
    client.state = dataclasses.replace(state, paused=True, pause_reason="paused by alice")
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        pane = app.screen.query_one("#detail")
        assert pane.border_title == "every step done", pane.border_title
        said = " ".join(painted(app.screen.query_one(StepDetail)).split())
        assert said == "Every step is done. The run is paused: it finishes when resumed.", said
