"""The command palette's Quit (ctrl+p, `quit`, enter) leaves as `q` does: an unfinished run asks first, and the verifier
is asked while the run waits for their word. Before, it called Textual's own quit: the run's app closed at once, the
question (and what happens to a running step) never shown."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, make_app, painted, run_step, screen_is, shared_session_events, started, type_text, until
from textual.pilot import Pilot

from runbook_tui.ui.verifier_app import VerifierApp


async def palette_quit(pilot: Pilot[Any]) -> None:
    """ctrl+p, `quit`, enter: as a person picks Quit in the palette (its line says what it does)."""
    await pilot.press("ctrl+p")
    palette = await screen_is(pilot, "CommandPalette")
    await type_text(pilot, "quit")
    from textual.command import CommandList

    def offered() -> str:
        found = palette.query(CommandList)
        return " ".join(str(found.first().get_option_at_index(i).prompt) for i in range(found.first().option_count)) if found else ""

    await until(pilot, lambda: "Leave, as q does (an unfinished run asks first)" in offered(), "the palette's Quit, said as q")
    await pilot.press("enter")


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_palettes_quit_asks_first_on_an_unfinished_run(workdir: Path, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await run_step(pilot, "check")
        await palette_quit(pilot)
        prompt = await screen_is(pilot, "ConfirmPrompt")  # before: the app had ended here
        assert "runbook-tui resume" in " ".join(painted(prompt.query_one("#dialog-body")).split())
        await pilot.press("n")
        await screen_is(pilot, "RunScreen")
        assert app.is_running
        await palette_quit(pilot)
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "y to leave")
    assert app.return_value == 1  # the run not finished: the exit status `run` gives


@pytest.mark.asyncio
async def test_the_palettes_quit_asks_the_verifier_while_the_run_waits_for_them(workdir: Path) -> None:
    client = FakeClient(shared_session_events(workdir))
    check = client.state.steps["check"]
    client.state = dataclasses.replace(client.state, steps={**client.state.steps, "check": dataclasses.replace(check, status="awaiting_verification")})
    app = VerifierApp(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await palette_quit(pilot)
        prompt = await screen_is(pilot, "ConfirmPrompt")  # before: the verifier had left, the step waiting for nobody
        assert "waits for your word" in " ".join(painted(prompt.query_one("#dialog-body")).split())
        await pilot.press("n")
        await screen_is(pilot, "VerifierScreen")
        assert app.is_running
