"""Words a verifier typed whose send reached nobody (the link dropped) are kept for the same key, not lost.

Before: bob typed a rejection's reason (or a note, or why he asks for a rollback), the link to the assignee's session
was down when he pressed enter, the screen said "not connected", and his words were gone: at 2 AM he had to type the
reason again from memory once the link came back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import SIZE, FakeClient, burst, screen_is, settled, shared_session_events, until
from textual.widgets import Input

from runbook_tui.engine.actors import Reply
from runbook_tui.share.client import UNANSWERED
from runbook_tui.ui.verifier_app import VerifierApp


class DroppingClient(FakeClient):
    """The link drops while the first request is under way: it is refused, and the screen is told the link is down."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        super().__init__(events)
        self.drops = 1

    async def send(self, action: str, text: str = "", *, seen: object = ...) -> Reply:
        if self.drops:
            self.drops -= 1
            self.lost_at = 1.0
            return Reply(False, UNANSWERED)
        return await super().send(action, text, seen=seen)


@pytest.mark.asyncio
async def test_a_note_whose_send_reached_nobody_opens_again_with_its_words(workdir: Path) -> None:
    client = DroppingClient(shared_session_events(workdir))
    app = VerifierApp(client)
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        notify = app.screen.notify

        def heard(message: str, **options: Any) -> None:
            said.append(message)
            notify(message, **options)

        app.screen.notify = heard  # type: ignore[method-assign]
        burst(app, "n", "db2 replication lag looks odd", "enter")
        await until(pilot, lambda: any("Your words are kept" in s for s in said), "the screen to say the words are kept")
        assert client.sent == [], "nothing reached the session"
        assert "n opens them again" in said[-1], said[-1]
        client.lost_at = None  # the link is back
        await pilot.press("n")
        prompt = await screen_is(pilot, "TextPrompt")
        assert prompt.query_one(Input).value == "db2 replication lag looks odd", "the words typed before are in the dialog"
        await pilot.press("enter")
        await until(pilot, lambda: client.sent == [("note", "db2 replication lag looks odd")], "the note to be sent")
        await screen_is(pilot, "VerifierScreen")
        await pilot.press("n")  # sent: the next note starts empty
        prompt = await screen_is(pilot, "TextPrompt")
        assert prompt.query_one(Input).value == ""
