"""`enabled_binding(screen, key)` says what `screen.active_bindings.get(key)` says (a binding, enabled), for every key
bound on the screens a run shows, in the states where their keys differ: the app asks it at every key to hold the
output back for a bound one (it computed every binding's check for one key)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, run_step, screen_is, settled, started, until

from runbook_tui.ui.key_bound import enabled_binding


def _differences(screen: Any) -> list[str]:
    active = screen.active_bindings
    keys = {key for _node, bindings in screen._binding_chain for key, _binding in bindings} | {"z", "f5", "ctrl+q"}
    said = {key: (binding := active.get(key)) is not None and binding.enabled for key in keys}
    return [f"{key}: {said[key]} vs {enabled_binding(screen, key)}" for key in sorted(keys) if said[key] != enabled_binding(screen, key)]


@pytest.mark.asyncio
async def test_a_key_is_bound_and_enabled_as_the_screen_s_active_bindings_say(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        assert _differences(app.screen) == []
        assert enabled_binding(app.screen, "p") and enabled_binding(app.screen, "enter") and not enabled_binding(app.screen, "z")
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused, "the pause")
        await settled(pilot)
        assert _differences(app.screen) == [], "paused"
        await pilot.press("p")
        await until(pilot, lambda: not controller.state.paused, "the resume")
        await run_step(pilot, "check")
        await settled(pilot)
        assert _differences(app.screen) == [], "a step done"
        await pilot.press("question_mark")
        help_screen = await screen_is(pilot, "HelpScreen")
        assert _differences(help_screen) == [], "the help"
        await pilot.press("question_mark")
        await screen_is(pilot, "RunScreen")
        await pilot.press("n")
        prompt = await screen_is(pilot, "TextPrompt")
        assert _differences(prompt) == [], "the note's prompt"
        assert not enabled_binding(prompt, "p"), "p in a prompt is a letter"
