"""Keys before output on the run screen: a bound key holds the local output back until its effect is drawn.

While a step floods, each chunk of output is work on the event loop a key waits behind; the app holds the output
readers (`KEYS`) from the moment a key with a binding arrives until the frame after its action, and never for text
typed into a prompt.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from run_screen_helpers import make_app, prepare_workdir, screen_is, started, until

from runbook_tui.engine.keys_first import KEYS
from runbook_tui.ui.run_screen import RunScreen


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path
    KEYS.release()


@pytest.mark.asyncio
async def test_a_key_holds_output_while_its_action_runs_and_releases_it_once_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    held_in_action: list[bool] = []
    help_action = RunScreen.action_help

    def action_help(screen: RunScreen) -> None:
        held_in_action.append(KEYS.held)
        help_action(screen)

    monkeypatch.setattr(RunScreen, "action_help", action_help)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        await screen_is(pilot, "HelpScreen")
        assert held_in_action == [True], "the output readers went on while the key's action ran"
        await until(pilot, lambda: not KEYS.held, "the output to flow again once the help is drawn", seconds=5)


@pytest.mark.asyncio
async def test_typing_into_a_prompt_holds_no_output() -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await pilot.press("n")
        await screen_is(pilot, "TextPrompt")
        await until(pilot, lambda: not KEYS.held, "the note key's hold to end", seconds=5)
        await pilot.press("p")  # `p` pauses on the run screen; in the note it is a letter
        assert not KEYS.held, "a letter typed into the note held the output back"


@pytest.mark.asyncio
async def test_resume_holds_output_until_drawn_although_p_tries_the_pause_binding_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """`p` has two bindings (pause, resume); Textual tries pause first, which is refused while paused. That refusal used
    to release the hold, so the resume's fsync and frame queued behind a flood again."""
    from runbook_tui.engine.controller import Controller

    held_after_decision: list[bool] = []
    pause_durably = Controller.pause_durably

    async def recording(controller: Controller, *args: object, **kwargs: object) -> object:
        reply = await pause_durably(controller, *args, **kwargs)  # type: ignore[arg-type]
        held_after_decision.append(KEYS.held)
        return reply

    monkeypatch.setattr(Controller, "pause_durably", recording)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await pilot.press("p")
        await until(pilot, lambda: app.handle is not None and app.handle.controller.state.paused, "the run to pause", seconds=5)
        await until(pilot, lambda: not KEYS.held, "the pause's hold to end once drawn", seconds=5)
        await pilot.press("p")
        await until(pilot, lambda: len(held_after_decision) == 2, "the resume to be decided", seconds=5)
        assert held_after_decision == [True, True], "a key's hold ended before its decision was on disk and drawn"
