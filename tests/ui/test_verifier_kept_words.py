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
from textual.widgets import Input, Static

from runbook_tui.engine.actors import Actor, Reply
from runbook_tui.share.client import UNANSWERED
from runbook_tui.share.pace import NOTE_BURST, NotePace
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


class PacedClient(FakeClient):
    """The session's pace of notes (share/pace.py) in front of the fake one: past the burst, a note is refused in its words."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        super().__init__(events)
        self.now = 0.0
        self.pace = NotePace(Taking(self), clock=lambda: self.now)

    async def send(self, action: str, text: str = "", *, seen: object = ...) -> Reply:
        if action == "note":
            return self.pace.note(Actor("bob", "verifier"), text)
        return await super().send(action, text, seen=seen)


class Taking:
    """The controller's part a note needs: it takes every note to the fake client's `sent`."""

    def __init__(self, client: PacedClient) -> None:
        self.client = client
        self.state = client.state

    def note(self, actor: Actor, text: str) -> Reply:
        self.client.sent.append(("note", text))
        return Reply(True, "note added to the journal")

    def emit(self, *args: Any, **payload: Any) -> None:
        pass


@pytest.mark.asyncio
async def test_a_note_refused_by_the_pace_of_notes_keeps_its_words_and_says_when_the_next_is_taken(workdir: Path) -> None:
    """Before: the eleventh note in a minute was refused with `the next is taken in 6 s`, and the words typed were gone."""
    client = PacedClient(shared_session_events(workdir))
    for i in range(NOTE_BURST):
        assert client.pace.note(Actor("bob", "verifier"), f"earlier {i}").ok
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
        words = "db2 lag 4 s at 02:14, back under 1 s at 02:16"
        burst(app, "n", words, "enter")
        await until(pilot, lambda: any("Your words are kept" in s for s in said), "the screen to say the words are kept")
        assert "the next is taken in 6 s" in said[-1] and "n opens them again" in said[-1], said[-1]
        assert ("note", words) not in client.sent
        await pilot.press("n")
        prompt = await screen_is(pilot, "TextPrompt")
        assert prompt.query_one(Input).value == words, "the words typed before are in the dialog"
        body = str(prompt.query_one("#dialog-body", Static).render())
        assert "were not sent" in body and "the next is taken in 6 s" in body, body
        client.now += 6.0  # the pace lets one more through
        await pilot.press("enter")
        await until(pilot, lambda: ("note", words) in client.sent, "the kept note to be sent")
        await screen_is(pilot, "VerifierScreen")
        await pilot.press("n")  # taken: the next note starts empty
        prompt = await screen_is(pilot, "TextPrompt")
        assert prompt.query_one(Input).value == ""


@pytest.mark.asyncio
async def test_an_empty_note_says_a_note_is_required_not_a_reason(workdir: Path) -> None:
    """Before: enter on an empty note said `A reason is required`, as if the dialog were a rejection's."""
    from run_screen_helpers import painted

    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        await pilot.press("n")
        prompt = await screen_is(pilot, "TextPrompt")
        await pilot.press("enter")
        await until(pilot, lambda: "is required" in painted(prompt.query_one("#dialog-keys")), "the dialog to say what is missing")
        assert "A note is required" in painted(prompt.query_one("#dialog-keys"))
        assert client.sent == []
