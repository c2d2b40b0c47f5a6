"""The status stack has the theme's `$boost` behind it while something needs attention (a pause) and none when calm; the
boost is set on the stack itself, not by a class: a class turning on or off restyled the stack through the stylesheet
at every `p` (~0.4 ms of a press). A theme chosen while paused is followed. (The shipped themes' `$boost`, as Textual
8.2 generates it, is transparent: a theme with a visible one is made here.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from restyles import note_restyles
from run_screen_helpers import make_app, settled, started, until
from textual.color import Color

from runbook_tui.ui.status_stack import StatusStack


def _boost(app: Any) -> Color:
    return Color.parse(app.theme_variables["boost"])


def _boosted_theme(app: Any, name: str, boost: str) -> str:
    theme = app.current_theme
    app.register_theme(dataclasses.replace(theme, name=name, variables={**theme.variables, "boost": boost}))
    return name


@pytest.mark.asyncio
async def test_a_pause_boosts_the_stack_without_restyling_it_and_a_new_theme_is_followed(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        app.theme = _boosted_theme(app, "red-boost", "#ff000040")
        await until(pilot, lambda: _boost(app) == Color.parse("#ff000040"), "the red boost")
        await settled(pilot)
        stack = app.screen.query_one(StatusStack)
        calm = stack.styles.background
        assert calm != _boost(app)
        restyled = note_restyles(app)
        await pilot.press("p")
        await until(pilot, lambda: controller.state.paused and stack.styles.background == _boost(app), "the paused stack boosted")
        await settled(pilot)
        assert stack not in restyled, "the pause restyled the stack through the stylesheet"
        app.theme = _boosted_theme(app, "blue-boost", "#0000ff40")
        await until(pilot, lambda: stack.styles.background == Color.parse("#0000ff40"), "the new theme's boost behind the stack")
        await pilot.press("p")
        await until(pilot, lambda: not controller.state.paused and stack.styles.background == calm, "the calm stack again")
