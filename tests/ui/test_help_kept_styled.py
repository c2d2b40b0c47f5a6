"""The help is built once and kept between presses: opening it again restyles none of it (Textual restyled its whole
tree at every push, which drew each of its parts again: its scrollbar alone ~1.5 ms of a `?`), and a theme chosen while
it was closed still reaches it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from restyles import note_restyles
from run_screen_helpers import make_app, screen_is, settled, started, until


async def _help_twice(pilot: Any) -> Any:
    await pilot.press("question_mark")
    help_screen = await screen_is(pilot, "HelpScreen")
    await pilot.press("question_mark")
    await screen_is(pilot, "RunScreen")
    await settled(pilot)
    return help_screen


@pytest.mark.asyncio
async def test_opening_the_help_again_restyles_none_of_it(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        help_screen = await _help_twice(pilot)
        restyled = note_restyles(app)
        restyled.clear()
        await pilot.press("question_mark")
        assert await screen_is(pilot, "HelpScreen") is help_screen
        await until(pilot, lambda: help_screen.query_one("#dialog-body").region.height > 0, "the help's body laid out")
        assert [node for node in restyled if node is help_screen or help_screen in node.ancestors] == []


@pytest.mark.asyncio
async def test_a_theme_chosen_while_the_help_was_closed_reaches_it(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        help_screen = await _help_twice(pilot)
        before = help_screen.styles.background
        app.theme = "day" if app.theme != "day" else "night"
        await pilot.pause()
        await pilot.press("question_mark")
        assert await screen_is(pilot, "HelpScreen") is help_screen
        wanted = app.current_theme.background
        assert wanted is not None
        await until(pilot, lambda: help_screen.styles.background.hex.lower() == wanted.lower(), f"the help in the new theme's {wanted}")
        assert help_screen.styles.background != before
