"""A verifier's screen before any of the run has arrived says so: it said "Every step is done".

Seen by a share probe: a join whose copy diverged at event 0 (nothing received) showed the run as over, every step
done, to the person who is there to check each one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import SIZE, FakeClient, painted, screen_is, settled

from runbook_tui.ui.status_stack import StatusStack
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import StepDetail


@pytest.mark.asyncio
async def test_an_empty_replica_reads_nothing_received_not_every_step_done(workdir: Path) -> None:
    app = VerifierApp(FakeClient([]))
    async with app.run_test(size=SIZE) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        shown = painted(app.screen.query_one(StatusStack)) + painted(app.screen.query_one(StepDetail))
        assert "Every step is done" not in shown, shown
        assert "Nothing of the run received yet" in shown, shown
