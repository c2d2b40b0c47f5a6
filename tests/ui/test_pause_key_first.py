"""`p` on the run screen is acted on at the app's first look at the key (a priority binding), not after the key went
through the focused step list's queue, its container's and the screen's, a loop turn each before the pause's fsync
could start; in a prompt, a screen of its own, `p` is still a letter and pauses nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, screen_is, settled, started, types, until
from textual import events

from runbook_tui.ui.step_list import StepList

JOURNAL = "j.jsonl"  # `make_app`'s, in the working folder


@pytest.mark.asyncio
async def test_p_pauses_and_resumes_without_passing_through_the_focused_step_list(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    forward = StepList._forward_event

    def noted(self: StepList, event: events.Event) -> None:
        if isinstance(event, events.Key):
            seen.append(event.key)
        forward(self, event)

    monkeypatch.setattr(StepList, "_forward_event", noted)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        assert isinstance(app.focused, StepList)
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused, "the pause")
        await settled(pilot)
        await pilot.press("p")
        await until(pilot, lambda: not controller.state.paused, "the resume")
        await pilot.press("down")  # a key of the step list's own still goes to it
        await until(pilot, lambda: "down" in seen, "the step list to get its own key")
    assert "p" not in seen
    assert types(JOURNAL, "paused", "resumed") == ["paused", "resumed"]


@pytest.mark.asyncio
async def test_p_typed_into_the_note_is_a_letter_and_pauses_nothing(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await pilot.press("n")
        prompt: Any = await screen_is(pilot, "TextPrompt")
        await pilot.press("p")
        await until(pilot, lambda: prompt.query_one("#dialog-input").value == "p", "the letter in the note")
        await settled(pilot)
        assert not controller.state.paused
    assert types(JOURNAL, "paused") == []
