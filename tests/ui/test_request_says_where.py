"""The verifier's rollback request says where the rollback goes back to.

Walked in tmux at 80x24 and 140x45: bob pressed u on a failed step; the dialog said `u starts the rollback`, not to
where: a verifier deciding whether to ask for it could not tell from it what it takes back (the header's `⚑ last
checkpoint` is under the dialog at 80x24). Now it names the last checkpoint the assignee's u goes back to, or the
start when none was reached.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from run_screen_helpers import FakeClient, painted, screen_is, settled, shared_session_events

from runbook_tui.ui.verifier_app import VerifierApp


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
@pytest.mark.parametrize("checkpoint", ["backup", None], ids=["past-a-checkpoint", "none-reached"])
async def test_the_request_names_the_checkpoint_it_goes_back_to(workdir: Path, size: tuple[int, int], checkpoint: str | None) -> None:
    client = FakeClient(shared_session_events(workdir))
    client.state = dataclasses.replace(client.state, checkpoint=checkpoint)
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        await pilot.press("u")
        asked = await screen_is(pilot, "TextPrompt")
        said = " ".join(painted(asked.query_one("#dialog-body")).split())
        assert said.startswith("Why, in a few words: optional, enter alone sends the request."), said
        where = "back to the last checkpoint ('backup')" if checkpoint else "back to the start (no checkpoint reached yet)"
        assert f"u shows them the undo list {where} and starts it" in said, said
