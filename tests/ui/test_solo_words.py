"""A solo run's words at 80 columns: the header keeps the checkpoint in view, and the step's dialog (v) does not say
`verify after` as if someone would."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, run_step, screen_is, settled, started, until

from runbook_tui.ui.widgets import RunHeader

REASON = "bob went to bed after the failure and nobody else is on call"


@pytest.mark.asyncio
async def test_a_solo_run_at_80_columns_keeps_the_checkpoint_and_its_dialog_says_who_confirms(workdir: Path) -> None:
    """At 80x24 the header's second row was ` assignee alice  SOLO (bob went to bed after the failure…): unverified…`
    and the checkpoint `u` goes back to was cut off; now the reason gives way first. The step dialog said `verify after`
    in a run where nobody confirms; now it says the run is solo and what the runbook asks. At 140 the reason is whole."""
    app = make_app(solo=REASON)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await run_step(pilot, "check")
        await run_step(pilot, "backup")
        await settled(pilot)
        header = app.screen.query_one(RunHeader)
        await until(pilot, lambda: "⚑ last checkpoint: backup" in painted(header), "the checkpoint in the header at 80 columns")
        row = painted(header).splitlines()[1]
        assert row.startswith(" assignee alice  SOLO (bob went") and row.endswith("…): unverified   ⚑ last checkpoint: backup"), row

        await pilot.press("v")
        dialog = await screen_is(pilot, "InfoScreen")
        body = " ".join(painted(dialog.query_one("#dialog-body")).split())
        assert "unverified: this run is solo (the runbook asks a verifier to confirm after it runs)" in body, body
        assert "verify after" not in body, body
        await pilot.press("escape")
        await screen_is(pilot, "RunScreen")

        await pilot.resize_terminal(140, 45)
        await until(pilot, lambda: f"SOLO ({REASON}): unverified   ⚑ last checkpoint: backup" in painted(header), "the reason whole at 140")
